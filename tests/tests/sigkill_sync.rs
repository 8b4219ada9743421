//! Issue 15: a SIGKILL at 20 random moments during a sync between two real `rukun`
//! processes (the dialing `rukun sync`, the serving `rukun serve`, or both) leaves both
//! books openable, and the next sync converges: nothing either side reported saved is lost.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::{Duration, Instant};

use rukun_tests::process::{init, join, ok, rukun, serve_loopback, show};

/// `rukun stats --json` of a book: it opens, and how many households it holds.
fn households(book: &std::path::Path) -> u64 {
    let out = ok(rukun(book).args(["stats", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["households"].as_u64().unwrap()
}

fn add_household(book: &std::path::Path, kk: &str) {
    ok(rukun(book).args([
        "household",
        "add",
        "--kk",
        kk,
        "--rt",
        "29",
        "--alamat",
        "Gg. Kenari",
        "--kepala",
        "Uji",
    ]));
}

#[test]
fn fault_sigkill_during_a_sync_at_20_random_moments() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    init(&a, "Warga Rukun");
    // B joins while A's book is small, then A takes in the RW's 238 households, so the
    // first syncs carry the whole survey and a kill can land in the middle of one.
    let (serve, _, invite) = serve_loopback(&a, Some("relawan"));
    let o = join(&b, &invite.unwrap(), "Pak Budi");
    assert!(o.status.success(), "{}", show(&o));
    drop(serve);
    let data = rukun_tests::data_dir().unwrap();
    for (kind, file) in [
        ("penduduk", "rw08-penduduk.csv"),
        ("survei", "rw08-survei-rumah.csv"),
    ] {
        ok(rukun(&a).args(["import", kind, data.join(file).to_str().unwrap()]));
    }
    let base = households(&a);
    assert_eq!(base, 238);

    let mut rng = fastrand::Rng::with_seed(20_261_202);
    let (mut finished, mut cut) = (0, 0);
    for round in 0..20u32 {
        // Each side writes between syncs (the KK numbers are unique per side and round).
        add_household(&a, &format!("347113010125{:04}", round + 1));
        add_household(&b, &format!("347113020225{:04}", round + 1));
        let (serve, ticket, _) = serve_loopback(&a, None);
        let mut sync = rukun(&b)
            .args(["sync", &ticket, "--bind", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let moment = Duration::from_millis(rng.u64(0..600));
        let started = Instant::now();
        while started.elapsed() < moment {
            if sync.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let done_before = sync.try_wait().unwrap().is_some_and(|s| s.success());
        // SIGKILL: the dialing side, the serving side, or both.
        match round % 3 {
            0 => {
                let _ = sync.kill();
                let _ = sync.wait();
                // The server notices the cut, then goes down too (killed while idle).
                std::thread::sleep(Duration::from_millis(100));
                drop(serve);
            }
            1 => {
                drop(serve);
                // The dialing side would wait for QUIC's idle timeout to notice; it is
                // killed too after a second (its own crash while waiting).
                let until = Instant::now() + Duration::from_secs(1);
                while sync.try_wait().unwrap().is_none() && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(10));
                }
                let _ = sync.kill();
                let _ = sync.wait();
            }
            _ => {
                let _ = sync.kill();
                drop(serve);
                let _ = sync.wait();
            }
        }
        if done_before {
            finished += 1;
        } else {
            cut += 1;
        }
        // Both books open after every kill, with at least what each wrote itself.
        assert!(households(&a) > base + u64::from(round));
        assert!(households(&b) > u64::from(round));
    }
    println!("20 SIGKILLs: {cut} during a sync, {finished} after it had finished");
    assert!(cut >= 5, "most kills should land during a sync ({cut} did)");

    // The next sync, left alone, converges: both hold everything both wrote.
    let (serve, ticket, _) = serve_loopback(&a, None);
    ok(rukun(&b).args(["sync", &ticket, "--bind", "127.0.0.1:0"]));
    serve.stop();
    let want = base + 40;
    assert_eq!(households(&a), want);
    assert_eq!(households(&b), want);
    let export = |book: &std::path::Path, name: &str| {
        let out = tmp.path().join(name);
        ok(rukun(book).args(["export", "--format", "json", "--out", out.to_str().unwrap()]));
        std::fs::read(out.join("households.json")).unwrap()
    };
    assert!(
        export(&a, "a-json") == export(&b, "b-json"),
        "the two books differ after the last sync"
    );
}
