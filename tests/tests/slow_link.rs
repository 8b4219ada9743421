//! Issue 11: a new device joins the kelurahan book (`rukun generate --households 5000 --seed
//! 7`) over a slow link. `rukun serve --invite relawan` runs in one network namespace and
//! `rukun join` in another; the two are joined by a veth pair whose two ends are both limited
//! with `tc ... tbf` (this kernel has no netem: bandwidth only, no added delay).
//!
//! `slow_link_1mbit_join_of_the_kelurahan_book` runs at 1 mbit/s with the other tests;
//! `slow_link_256kbit_join_of_the_kelurahan_book` is `#[ignore]`d (about 4 minutes per
//! rate): `cargo test -p rukun-tests --test slow_link -- --ignored --nocapture`, other
//! rates with `RUKUN_SLOW_LINK_KBIT=256,384`. Each prints rows for BENCHMARKS.md ("Slow
//! link"). Both skip (and say so) when namespaces cannot be made.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use rukun_tests::netns::{Namespaces, QdiscStats};
use rukun_tests::process::{Serve, init, ok, rukun, show};

/// Token bucket size and longest queueing delay of both veth ends.
const BURST: &str = "8kb";
const LATENCY: &str = "200ms";
/// A→B bytes above which the book is moving (the invite exchange and hellos are a few KiB).
const BOOK_MOVING: u64 = 64 * 1024;

/// The generated book (made once per test run) and `rukun generate`'s counts.
struct Kelurahan {
    _dir: tempfile::TempDir,
    book: PathBuf,
    counts: serde_json::Value,
}

fn kelurahan() -> &'static Kelurahan {
    static BOOK: OnceLock<Kelurahan> = OnceLock::new();
    BOOK.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("kelurahan");
        init(&book, "Kelurahan Sorosutan");
        let t = Instant::now();
        let out = ok(rukun(&book).args(["generate", "--households", "5000", "--seed", "7"]));
        println!(
            "generated the kelurahan book in {:.0} s",
            t.elapsed().as_secs_f64()
        );
        let counts: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(counts["households"], 5000, "{out}");
        Kelurahan {
            _dir: dir,
            book,
            counts,
        }
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// What one join over the shaped link measured.
struct Measured {
    /// tbf rate in bit/s.
    rate: u64,
    /// Wall time of `rukun join` (process start to exit: bind, invite, sync, store).
    join: Duration,
    /// When (since the join started) the book started moving and the last byte left A
    /// (tc counters sampled every 250 ms).
    moving: Option<(Duration, Duration)>,
    /// What left A towards B, and B towards A (Ethernet frames).
    a_to_b: QdiscStats,
    b_to_a: QdiscStats,
    /// Sync payload bytes `rukun join` reports as received.
    payload: u64,
}

impl Measured {
    /// Seconds the bytes A sent need at the link's rate.
    fn floor(&self) -> f64 {
        self.a_to_b.bytes as f64 * 8.0 / self.rate as f64
    }

    fn report(&self) -> String {
        let (first, last) = self
            .moving
            .map(|(f, l)| (f.as_secs_f64(), l.as_secs_f64()))
            .unwrap_or((f64::NAN, f64::NAN));
        format!(
            "| {} kbit/s | {} B ({} pkts, {} dropped) | {} B ({} pkts) | {} B | {:.1} s | {:.1} s | {:.2}× | {:.1} s → {:.1} s |",
            self.rate / 1000,
            self.a_to_b.bytes,
            self.a_to_b.packets,
            self.a_to_b.drops,
            self.b_to_a.bytes,
            self.b_to_a.packets,
            self.payload,
            self.join.as_secs_f64(),
            self.floor(),
            self.join.as_secs_f64() / self.floor(),
            first,
            last,
        )
    }
}

/// Joins a copy of the kelurahan book from an empty device across a link of `rate` bit/s
/// (both directions), within `limit`. `None` (after printing why) when network namespaces
/// or tbf are not available here; `Err` with what happened (time, bytes on the wire, the
/// join's output and what `rukun serve` printed) when the join failed or hung.
fn join_over_slow_link(test: &str, rate: u64, limit: Duration) -> Option<Result<Measured, String>> {
    // One shaped join at a time: the two tests would share the two cores.
    static LINK: Mutex<()> = Mutex::new(());
    let _one = LINK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ns = match Namespaces::create() {
        Ok(ns) => ns,
        Err(e) => {
            println!(
                "skipped: {test}: cannot create network namespaces ({e}); needs root and iproute2"
            );
            return None;
        }
    };
    let tc_rate = format!("{}kbit", rate / 1000);
    if let Err(e) = ns.shape(&tc_rate, BURST, LATENCY) {
        println!("skipped: {test}: cannot shape the veth link with tc tbf ({e})");
        return None;
    }
    let k = kelurahan();
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    copy_dir(&k.book, &a);

    let mut serve_cmd = rukun(&a);
    serve_cmd.args([
        "serve",
        "--bind",
        &format!("{}:0", ns.addr(0)),
        "--invite",
        "relawan",
    ]);
    let serve = Serve::start(ns.exec(0, &serve_cmd));
    let ticket = serve.line();
    assert!(ticket.starts_with("ticket rukunpeer"), "{ticket}");
    let invite = serve.line();
    let invite = invite.strip_prefix("invite ").expect(&invite).to_owned();
    let code = serve.line();
    assert!(code.starts_with("code RKN-"), "{code}");

    let before = (ns.qdisc_stats(0).unwrap(), ns.qdisc_stats(1).unwrap());
    let mut join_cmd = rukun(&b);
    join_cmd.args([
        "join",
        &invite,
        "--name",
        "Relawan Lambat",
        "--bind",
        &format!("{}:0", ns.addr(1)),
    ]);
    let (out_path, err_path) = (tmp.path().join("join.out"), tmp.path().join("join.err"));
    let started = Instant::now();
    let mut child = ns
        .exec(1, &join_cmd)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let (mut first, mut last, mut sent) = (None, None, before.0.bytes);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(250));
        if let Ok(s) = ns.qdisc_stats(0) {
            if first.is_none() && s.bytes > before.0.bytes + BOOK_MOVING {
                first = Some(started.elapsed());
            }
            if s.bytes > sent {
                sent = s.bytes;
                last = Some(started.elapsed());
            }
        }
    };
    let join = started.elapsed();
    let a_to_b = ns.qdisc_stats(0).unwrap().since(&before.0);
    let b_to_a = ns.qdisc_stats(1).unwrap().since(&before.1);
    let o = Output {
        status: status.unwrap_or_default(),
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read(&err_path).unwrap(),
    };
    let wire = format!(
        "after {:.1} s: {} B ({} packets, {} dropped) A→B, {} B B→A on the wire; book moving {}",
        join.as_secs_f64(),
        a_to_b.bytes,
        a_to_b.packets,
        a_to_b.drops,
        b_to_a.bytes,
        match first.zip(last) {
            Some((f, l)) => format!("{:.1} s → {:.1} s", f.as_secs_f64(), l.as_secs_f64()),
            None => "never".to_owned(),
        }
    );
    if !o.status.success() {
        // What the inviter said about it, then stop it.
        let mut said = Vec::new();
        while let Some(l) = serve.line_within(Duration::from_secs(5)) {
            said.push(l);
        }
        drop(serve);
        let what = if status.is_none() {
            format!("did not finish within {limit:?} and was killed")
        } else {
            "failed".to_owned()
        };
        return Some(Err(format!(
            "{test} at {} kbit/s: rukun join {what} {wire}\n{}\nrukun serve printed:\n{}",
            rate / 1000,
            show(&o),
            said.join("\n")
        )));
    }
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.contains("role relawan"), "{out}");
    let payload: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("received "))
        .and_then(|l| l.split(" changes (").nth(1))
        .and_then(|l| l.strip_suffix(" bytes)"))
        .and_then(|n| n.parse().ok())
        .expect(&out);

    // The inviter saw the join and the whole sync.
    let joined = serve.line();
    assert!(
        joined.starts_with("joined ") && joined.ends_with("Relawan Lambat as relawan"),
        "{joined}"
    );
    let synced = serve
        .line_within(Duration::from_secs(60))
        .expect("a synced line from rukun serve");
    assert!(
        synced.starts_with("synced ") && synced.contains(&format!("({payload} bytes)")),
        "{synced}"
    );
    serve.stop();
    drop(ns);

    // The new device holds the whole book.
    let stats: serde_json::Value =
        serde_json::from_str(&ok(rukun(&b).args(["stats", "--json"]))).unwrap();
    assert_eq!(stats["households"], 5000, "{stats}");
    for key in ["persons", "pmks", "donors", "receipts", "disbursements"] {
        assert_eq!(stats[key], k.counts[key], "{key}: {stats} vs {}", k.counts);
    }
    let m = Measured {
        rate,
        join,
        moving: first.zip(last),
        a_to_b,
        b_to_a,
        payload,
    };
    println!("{test}: joined {wire}; floor {:.1} s", m.floor());
    Some(Ok(m))
}

const HEADER: &str = "| rate | A→B on the wire | B→A on the wire | sync payload | join | floor (A→B bytes × 8 / rate) | ratio | book moving (since join start) |";

#[test]
fn slow_link_1mbit_join_of_the_kelurahan_book() {
    let test = "slow_link_1mbit_join_of_the_kelurahan_book";
    let Some(result) = join_over_slow_link(test, 1_000_000, Duration::from_secs(600)) else {
        return;
    };
    let m = result.unwrap_or_else(|e| panic!("{e}"));
    println!("{HEADER}\n{}", m.report());
    // Nothing below the physical floor: the link was shaped.
    assert!(m.join.as_secs_f64() >= m.floor() * 0.95, "{}", m.report());
}

/// The rates (kbit/s) of `RUKUN_SLOW_LINK_KBIT` (comma separated), 256 by default, one
/// after the other on the one generated book.
#[test]
#[ignore = "about 4 minutes per rate; run by hand for BENCHMARKS.md"]
fn slow_link_256kbit_join_of_the_kelurahan_book() {
    let test = "slow_link_256kbit_join_of_the_kelurahan_book";
    let rates: Vec<u64> = std::env::var("RUKUN_SLOW_LINK_KBIT")
        .unwrap_or_else(|_| "256".to_owned())
        .split(',')
        .map(|r| {
            r.trim()
                .parse::<u64>()
                .expect("RUKUN_SLOW_LINK_KBIT: kbit/s, e.g. 256,384")
        })
        .collect();
    let (mut rows, mut failures) = (Vec::new(), Vec::new());
    for kbit in rates {
        match join_over_slow_link(test, kbit * 1000, Duration::from_secs(1500)) {
            None => return,
            Some(Ok(m)) => rows.push(m.report()),
            Some(Err(e)) => {
                println!("{e}");
                failures.push(format!("{kbit} kbit/s"));
            }
        }
    }
    println!("{HEADER}\n{}", rows.join("\n"));
    assert!(
        failures.is_empty(),
        "the join failed at {}",
        failures.join(", ")
    );
}
