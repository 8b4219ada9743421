//! Several `rukun` processes: `serve` in one book folder, `join` and `sync` in others, on
//! loopback; and mDNS discovery between two network namespaces this test creates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use rukun_tests::process::{Serve, init, join, ok, rukun, serve_loopback, show};

#[test]
fn two_rukun_processes_sync_through_serve_and_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, other) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("other"),
    );
    let a_id = init(&a, "Warga Rukun");
    let (serve, ticket, invite) = serve_loopback(&a, Some("relawan"));
    let invite = invite.unwrap();
    assert!(ticket.starts_with("rukunpeer"));
    assert!(invite.starts_with("rukuninvite"));

    // B joins with the invite and receives the book.
    let o = join(&b, &invite, "Pak Budi");
    assert!(o.status.success(), "{}", show(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.contains("role relawan"), "{out}");
    let b_id = out
        .lines()
        .find_map(|l| l.strip_prefix("member "))
        .unwrap()
        .to_owned();
    assert_eq!(serve.line(), format!("joined {b_id} Pak Budi as relawan"));
    assert!(serve.line().starts_with(&format!("synced {b_id} ")));

    // The invite is spent.
    let o = join(&tmp.path().join("c"), &invite, "Bu Ani");
    assert_eq!(o.status.code(), Some(4), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("this invite was already used"));
    assert!(serve.line().starts_with("join-refused "));

    // B edits offline, then syncs once with A.
    ok(rukun(&b).args([
        "household",
        "add",
        "--kk",
        "3471131804080099",
        "--rt",
        "30",
        "--alamat",
        "Gg. Melati 1",
        "--kepala",
        "Budi",
    ]));
    let out = ok(rukun(&b).args(["sync", &ticket, "--bind", "127.0.0.1:0"]));
    assert!(out.contains("sent 1 changes"), "{out}");
    assert!(out.contains("received 0 changes"), "{out}");
    assert!(out.contains(&format!("in sync with {a_id}")), "{out}");
    let line = serve.line();
    assert!(
        line.starts_with(&format!("synced {b_id} ")) && line.contains("received 1 changes"),
        "{line}"
    );

    // A stranger (here a book of another group) is refused with the reason.
    init(&other, "Kelompok Lain");
    let o = rukun(&other)
        .args(["sync", &ticket, "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("unknown member"),
        "{}",
        show(&o)
    );
    assert!(serve.line().starts_with("refused "));
    serve.stop();

    // A has B's household and lists B; A revokes B, and B is refused from then on.
    let stats: serde_json::Value =
        serde_json::from_str(&ok(rukun(&a).args(["stats", "--json"]))).unwrap();
    assert_eq!(stats["households"], 1);
    let members = ok(rukun(&a).args(["members"]));
    assert!(
        members.contains(&b_id) && members.contains("member"),
        "{members}"
    );
    ok(rukun(&a).args(["revoke", &b_id, "--reason", "HP hilang"]));
    assert!(ok(rukun(&a).args(["members"])).contains("revoked"));
    let (serve, ticket, _) = serve_loopback(&a, None);
    let o = rukun(&b)
        .args(["sync", &ticket, "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("this device was revoked"),
        "{}",
        show(&o)
    );
    assert!(
        serve
            .line()
            .starts_with(&format!("refused {b_id} this device was revoked"))
    );
    serve.stop();

    // Joining into a folder that holds another group's book fails clearly.
    let (serve, _, invite) = serve_loopback(&a, Some("relawan"));
    let o = join(&other, &invite.unwrap(), "Salah Folder");
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("already holds the book of another group"),
        "{}",
        show(&o)
    );
    serve.stop();
}

/// A fake "treasurer's laptop" ticket: `rukun sync` refuses a device that is not a member
/// before connecting, so the stub (which accepts everyone and would answer as the group)
/// receives no connection and not one byte, the hello with the group id included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rukun_sync_writes_nothing_to_a_fake_acceptor() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    init(&a, "Warga Rukun");
    let stub = rukun_sync::testing::Eavesdropper::spawn([66; 32])
        .await
        .unwrap();
    let ticket = stub.ticket().to_string();
    let o = tokio::task::spawn_blocking(move || {
        rukun(&a)
            .args(["sync", &ticket, "--bind", "127.0.0.1:0"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is not a member of this book"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(stub.connections(), 0);
    assert_eq!(stub.bytes_received(), 0);
    stub.shutdown().await;
}

/// Runs `ip` with `args`; `Err` with its stderr when it fails.
fn ip(args: &[&str]) -> Result<(), String> {
    let o = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

/// Two network namespaces joined by a veth pair (10.231.x.1 and .2/24, multicast routed to
/// the veth), deleted on drop (which deletes the veth pair too).
struct Namespaces {
    names: [String; 2],
}

impl Namespaces {
    fn create() -> Result<Namespaces, String> {
        let tag = std::process::id() % 100_000;
        let names = [format!("rukun{tag}a"), format!("rukun{tag}b")];
        let ns = Namespaces { names };
        let [na, nb] = &ns.names;
        let (va, vb) = (format!("rk{tag}a"), format!("rk{tag}b"));
        let subnet = 1 + tag % 250;
        ip(&["netns", "add", na])?;
        ip(&["netns", "add", nb])?;
        ip(&[
            "link", "add", &va, "netns", na, "type", "veth", "peer", "name", &vb, "netns", nb,
        ])?;
        for (n, v, host) in [(na, &va, 1), (nb, &vb, 2)] {
            let addr = format!("10.231.{subnet}.{host}/24");
            ip(&["-n", n, "addr", "add", &addr, "dev", v])?;
            ip(&["-n", n, "link", "set", v, "up", "multicast", "on"])?;
            ip(&["-n", n, "link", "set", "lo", "up"])?;
            ip(&["-n", n, "route", "add", "224.0.0.0/4", "dev", v])?;
        }
        Ok(ns)
    }

    /// `cmd` run inside namespace `i` (a child process: tokio's threads would not follow
    /// `setns`).
    fn exec(&self, i: usize, cmd: &Command) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.names[i]])
            .arg(cmd.get_program());
        c.args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = ip(&["netns", "del", n]);
        }
    }
}

#[test]
fn mdns_discovery_inside_network_namespaces() {
    let ns = match Namespaces::create() {
        Ok(ns) => ns,
        Err(e) => {
            println!(
                "SKIPPED mdns_discovery_inside_network_namespaces: cannot create network namespaces ({e}); needs root and iproute2"
            );
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let (a, b): (PathBuf, PathBuf) = (tmp.path().join("a"), tmp.path().join("b"));
    let a_id = init(&a, "Warga Rukun");
    // B joins on loopback first (in the test's own namespace).
    {
        let (serve, _, invite) = serve_loopback(&a, Some("relawan"));
        let o = join(&b, &invite.unwrap(), "Pak Budi");
        assert!(o.status.success(), "{}", show(&o));
        serve.stop();
    }
    ok(rukun(&b).args([
        "household",
        "add",
        "--kk",
        "3471131804080099",
        "--rt",
        "30",
        "--alamat",
        "Gg. Melati 1",
        "--kepala",
        "Budi",
    ]));

    // A serves with mDNS inside namespace 0; B finds it by member id alone inside namespace 1.
    let mut serve_cmd = rukun(&a);
    serve_cmd.args(["serve", "--bind", "0.0.0.0:0", "--discover"]);
    let serve = Serve::start(ns.exec(0, &serve_cmd));
    let ticket = serve.line();
    assert!(ticket.starts_with("ticket "), "{ticket}");
    let mut sync_cmd = rukun(&b);
    sync_cmd.args(["sync", &a_id, "--discover", "--bind", "0.0.0.0:0"]);
    let o = ns.exec(1, &sync_cmd).output().unwrap();
    assert!(o.status.success(), "{}", show(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&format!("in sync with {a_id}")), "{out}");
    assert!(out.contains("sent 1 changes"), "{out}");
    assert!(serve.line().starts_with("synced "));
    serve.stop();
    drop(ns);
}
