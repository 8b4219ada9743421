//! Several `rukun` processes: `serve` in one book folder, `join` and `sync` in others, on
//! loopback; and mDNS discovery between two network namespaces this test creates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use rukun_tests::netns::Namespaces;
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

    // A stranger's honest app (here a book of another group) does not even dial A: its
    // book does not list A, so nothing is sent (A's refusal of unknown members is tested
    // in rukun-sync's sim tests, and a fake acceptor in the test below).
    init(&other, "Kelompok Lain");
    let o = rukun(&other)
        .args(["sync", &ticket, "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("is not a member of this book: nothing was sent"),
        "{}",
        show(&o)
    );
    let heard = serve.line_within(std::time::Duration::from_millis(500));
    assert_eq!(heard, None, "A heard nothing from the stranger");
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

/// Issue 11, "nearby members": `rukun nearby` inside a namespace lists the member that
/// announces itself on the link, by role, and never a stranger's device announcing itself
/// on the same link (counted only).
#[test]
fn nearby_lists_members_and_never_strangers_inside_network_namespaces() {
    let ns = match Namespaces::create() {
        Ok(ns) => ns,
        Err(e) => {
            println!(
                "SKIPPED nearby_lists_members_and_never_strangers_inside_network_namespaces: cannot create network namespaces ({e}); needs root and iproute2"
            );
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, s) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("s"),
    );
    let a_id = init(&a, "Warga Rukun");
    let s_id = init(&s, "Kelompok Lain");
    {
        let (serve, _, invite) = serve_loopback(&a, Some("relawan"));
        let o = join(&b, &invite.unwrap(), "Pak Budi");
        assert!(o.status.success(), "{}", show(&o));
        serve.stop();
    }
    // A (the group's admin) and a stranger's device both announce themselves in namespace 0.
    let mut a_cmd = rukun(&a);
    a_cmd.args(["serve", "--bind", "0.0.0.0:0", "--discover"]);
    let serve_a = Serve::start(ns.exec(0, &a_cmd));
    assert!(serve_a.line().starts_with("ticket "));
    let mut s_cmd = rukun(&s);
    s_cmd.args(["serve", "--bind", "0.0.0.0:0", "--discover"]);
    let serve_s = Serve::start(ns.exec(0, &s_cmd));
    assert!(serve_s.line().starts_with("ticket "));

    let mut nearby_cmd = rukun(&b);
    nearby_cmd.args(["nearby", "--wait", "8", "--bind", "0.0.0.0:0"]);
    let o = ns.exec(1, &nearby_cmd).output().unwrap();
    assert!(o.status.success(), "{}", show(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let members: Vec<&str> = out.lines().filter(|l| l.starts_with("member ")).collect();
    assert_eq!(members.len(), 1, "{out}");
    assert!(
        members[0].starts_with(&format!("member {a_id} admin ")),
        "{out}"
    );
    assert!(members[0].contains(", last synced "), "{out}");
    assert!(!out.contains(&s_id), "a stranger is never listed: {out}");
    assert!(
        out.contains("1 other devices nearby are not members"),
        "the stranger was seen and left out: {out}"
    );
    serve_a.stop();
    serve_s.stop();
    drop(ns);
}
