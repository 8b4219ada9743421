//! Real iroh endpoints on 127.0.0.1 only (no relay, no discovery, no port mapping).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use iroh::protocol::Router;
use iroh::{Endpoint, SecretKey};
use rukun_sync::testing::{CutAfter, TestReplica, unix_now};
use rukun_sync::{
    EndpointTicket, Event, Hello, InviteTicket, JOIN_ALPN, JOIN_TIMEOUT, JoinError, JoinHandler,
    Role, SYNC_ALPN, Session, SessionConfig, SessionReport, SyncError, SyncHandler, bind_endpoint,
    join, run_session, sync_with, sync_with_inviter,
};
use tokio::sync::mpsc;

const GROUP: &str = "0190c0de-0000-7000-8000-0000000000aa";

fn secret(n: u8) -> [u8; 32] {
    [n; 32]
}

fn member_id(n: u8) -> [u8; 32] {
    *SecretKey::from_bytes(&secret(n)).public().as_bytes()
}

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn endpoint(n: u8) -> Endpoint {
    bind_endpoint(
        secret(n),
        loopback(),
        vec![SYNC_ALPN.to_vec(), JOIN_ALPN.to_vec()],
    )
    .await
    .unwrap()
}

struct Server {
    router: Router,
    ticket: EndpointTicket,
    replica: Arc<Mutex<TestReplica>>,
    reports: mpsc::UnboundedReceiver<SessionReport>,
}

async fn serve(n: u8, replica: TestReplica) -> Server {
    let ep = endpoint(n).await;
    let ticket = EndpointTicket::from_endpoint(&ep);
    // The ticket carries only loopback addresses.
    assert!(
        ticket.addr().ip_addrs().all(|a| a.ip().is_loopback()),
        "{ticket:?}"
    );
    assert!(ticket.addr().ip_addrs().next().is_some());
    let replica = Arc::new(Mutex::new(replica));
    let (tx, reports) = mpsc::unbounded_channel();
    let router = Router::builder(ep)
        .accept(
            SYNC_ALPN,
            SyncHandler::new(replica.clone(), SessionConfig::default()).with_reports(tx),
        )
        .accept(JOIN_ALPN, JoinHandler::new(replica.clone()))
        .spawn();
    Server {
        router,
        ticket,
        replica,
        reports,
    }
}

fn book_a() -> TestReplica {
    let mut a = TestReplica::new_group(GROUP, &member_id(1));
    a.add_member(&member_id(2), "relawan");
    for i in 0..30 {
        a.edit(&format!("rt27-{i}"), &format!("household {i} of RT 27"));
    }
    a
}

/// B worked offline after joining: it knows A (the founder) as a member, so it may dial A.
fn book_b() -> TestReplica {
    let mut b = TestReplica::joining(GROUP);
    b.add_member(&member_id(1), "admin");
    for i in 0..30 {
        b.edit(&format!("rt30-{i}"), &format!("household {i} of RT 30"));
    }
    b
}

fn heads(r: &Arc<Mutex<TestReplica>>) -> Vec<String> {
    r.lock().unwrap().heads()
}

async fn dial(
    ep: &Endpoint,
    ticket: &EndpointTicket,
    replica: &Arc<Mutex<TestReplica>>,
) -> (Result<rukun_sync::Summary, SyncError>, Vec<Event>) {
    let mut events = Vec::new();
    let r = sync_with(
        ep,
        ticket.addr().clone(),
        replica.clone(),
        &SessionConfig::default(),
        |e| events.push(e),
    )
    .await;
    (r, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_sync_over_loopback() {
    let mut server = serve(1, book_a()).await;
    let ep_b = endpoint(2).await;
    let b = Arc::new(Mutex::new(book_b()));
    // The ticket survives its text form.
    let ticket: EndpointTicket = server.ticket.to_string().parse().unwrap();
    assert_eq!(ticket, server.ticket);

    let (summary, events) = dial(&ep_b, &ticket, &b).await;
    let summary = summary.unwrap();
    assert_eq!(summary.changes_received, 32);
    assert_eq!(summary.changes_sent, 31);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Progress(p) if p.bytes_received > 0))
    );
    assert!(matches!(events.last(), Some(Event::Finished(_))));
    assert_eq!(heads(&b), heads(&server.replica));
    assert_eq!(
        b.lock().unwrap().value("rt27-3").as_deref(),
        Some("household 3 of RT 27")
    );

    let report = tokio::time::timeout(Duration::from_secs(10), server.reports.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.peer, member_id(2));
    assert_eq!(report.result.unwrap().changes_received, 31);

    // A second sync sends nothing new.
    let (again, _) = dial(&ep_b, &ticket, &b).await;
    assert_eq!(again.unwrap().changes_received, 0);
    ep_b.close().await;
    server.router.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stranger_and_revoked_are_refused_with_reason() {
    let mut server = serve(1, book_a()).await;
    // A stranger (endpoint 3) with a book of the same group that lists A (so it dials).
    let ep_c = endpoint(3).await;
    let c = Arc::new(Mutex::new(TestReplica::joining(GROUP)));
    c.lock().unwrap().add_member(&member_id(1), "admin");
    let stranger_heads = c.lock().unwrap().heads();
    let (r, _) = dial(&ep_c, &server.ticket, &c).await;
    let err = r.unwrap_err();
    assert!(
        matches!(&err, SyncError::Refused { by_peer: true, reason, .. } if reason == "unknown member: sync with the inviter first"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("unknown member: sync with the inviter first")
    );
    let report = server.reports.recv().await.unwrap();
    assert!(matches!(
        report.result,
        Err(SyncError::Refused { by_peer: false, .. })
    ));
    assert_eq!(
        c.lock().unwrap().heads(),
        stranger_heads,
        "a stranger gets nothing"
    );

    // Member 2 is revoked.
    server.replica.lock().unwrap().revoke(&member_id(2));
    let ep_b = endpoint(2).await;
    let b = Arc::new(Mutex::new(book_b()));
    let (r, _) = dial(&ep_b, &server.ticket, &b).await;
    let err = r.unwrap_err();
    assert_eq!(
        err.refusal_reason(),
        Some("this device was revoked"),
        "{err:?}"
    );
    assert!(b.lock().unwrap().value("rt27-0").is_none());
    ep_b.close().await;
    ep_c.close().await;
    server.router.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_with_invite_then_sync_and_invite_is_one_time() {
    let server = serve(1, book_a()).await;
    let secret = server
        .replica
        .lock()
        .unwrap()
        .create_invite("relawan", unix_now() + 3600);
    let invite = InviteTicket {
        inviter: server.ticket.clone(),
        group_id: GROUP.to_owned(),
        secret,
        role: "relawan".to_owned(),
        expires_at: unix_now() + 3600,
    };
    let text = invite.to_string();
    assert!(text.starts_with("rukuninvite"));
    let invite: InviteTicket = text.parse().unwrap();

    // The new device's empty book lists nobody: it dials no one until it joins.
    let ep_n = endpoint(4).await;
    let n = Arc::new(Mutex::new(TestReplica::joining(GROUP)));
    let (r, _) = dial(&ep_n, &server.ticket, &n).await;
    assert!(
        matches!(r, Err(SyncError::NotMember { revoked: false, .. })),
        "{r:?}"
    );

    let grant = join(&ep_n, &invite, "Bu Sri\u{7}", JOIN_TIMEOUT)
        .await
        .unwrap();
    assert_eq!(grant.group_id, GROUP);
    assert_eq!(grant.role, "relawan");
    assert_eq!(
        server
            .replica
            .lock()
            .unwrap()
            .member_role(&member_id(4))
            .as_deref(),
        Some("relawan")
    );

    // Now a member: the book arrives from the inviter the invite names.
    sync_with_inviter(
        &ep_n,
        invite.inviter.addr().clone(),
        n.clone(),
        &SessionConfig::default(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(heads(&n), heads(&server.replica));

    // The same invite, from another device: refused.
    let ep_x = endpoint(5).await;
    let err = join(&ep_x, &invite, "Pak Budi", JOIN_TIMEOUT)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            JoinError::Refused {
                by_peer: true,
                refusal: Some(rukun_sync::InviteRefusal::AlreadyUsed),
                ..
            }
        ),
        "{err:?}"
    );

    // An expired invite: refused.
    let secret = server
        .replica
        .lock()
        .unwrap()
        .create_invite("relawan", unix_now() - 1);
    let expired = InviteTicket {
        secret,
        expires_at: unix_now() - 1,
        ..invite.clone()
    };
    let err = join(&ep_x, &expired, "Pak Budi", JOIN_TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "invite refused: this invite has expired");

    // An unknown secret: refused.
    let forged = InviteTicket {
        secret: [9; 16],
        ..invite
    };
    let err = join(&ep_x, &forged, "x", JOIN_TIMEOUT).await.unwrap_err();
    assert!(matches!(err, JoinError::Refused { .. }), "{err:?}");
    ep_n.close().await;
    ep_x.close().await;
    server.router.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_connection_is_reported_and_next_sync_completes() {
    let mut server = serve(1, book_a()).await;
    let ep_b = endpoint(2).await;
    let b = Arc::new(Mutex::new(book_b()));
    let peer = *server.ticket.id().as_bytes();
    for (round, cut) in [0u64, 3, 40, 150, 300, 500].into_iter().enumerate() {
        // Fresh edits on both sides each round, so there is always something to send.
        b.lock().unwrap().edit(&format!("b-round-{round}"), "x");
        server
            .replica
            .lock()
            .unwrap()
            .edit(&format!("a-round-{round}"), "y");

        let conn = ep_b
            .connect(server.ticket.addr().clone(), SYNC_ALPN)
            .await
            .unwrap();
        let (send, mut recv) = conn.open_bi().await.unwrap();
        let mut send = CutAfter::new(send, cut);
        let hello = Hello::for_replica(&*b.lock().unwrap(), "test");
        let mut session = Session::new(
            Role::Initiator,
            hello,
            peer,
            SessionConfig::default(),
            Instant::now(),
        );
        let r = run_session(&mut recv, &mut send, &mut session, &b, |_| {}).await;
        conn.close(0u32.into(), b"cut");
        match r {
            Err(e) => {
                assert!(e.is_cut(), "{e:?}");
                assert!(e.to_string().contains("cut"), "{e}");
            }
            Ok(s) => assert!(s.bytes_sent <= cut, "cut at {cut} still finished: {s:?}"),
        }
        let report = tokio::time::timeout(Duration::from_secs(15), server.reports.recv())
            .await
            .unwrap()
            .unwrap();
        assert!(
            report.result.is_err(),
            "server side of a cut session: {:?}",
            report.result
        );

        let (r, _) = dial(&ep_b, &server.ticket, &b).await;
        r.unwrap();
        assert_eq!(heads(&b), heads(&server.replica), "after cut at {cut}");
        let _ = server.reports.recv().await;
    }
    ep_b.close().await;
    server.router.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redial_supersedes_a_hanging_session() {
    let mut server = serve(1, book_a()).await;
    let ep_b = endpoint(2).await;
    let b = Arc::new(Mutex::new(book_b()));
    // A session that said hello and then went silent (as after a Wi-Fi drop).
    let stale = ep_b
        .connect(server.ticket.addr().clone(), SYNC_ALPN)
        .await
        .unwrap();
    let (mut send, _recv) = stale.open_bi().await.unwrap();
    let hello = Hello::for_replica(&*b.lock().unwrap(), "test");
    send.write_all(&rukun_sync::Frame::Hello(hello).encode().unwrap())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Redialling does not wait for the 30 s idle timeout of the stale session.
    let started = Instant::now();
    let (r, _) = dial(&ep_b, &server.ticket, &b).await;
    r.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(heads(&b), heads(&server.replica));
    let first = server.reports.recv().await.unwrap();
    assert!(first.result.is_err(), "{:?}", first.result);
    let second = server.reports.recv().await.unwrap();
    assert!(second.result.is_ok(), "{:?}", second.result);
    ep_b.close().await;
    server.router.shutdown().await.unwrap();
}

/// Someone shows a volunteer a fake "treasurer's laptop" ticket: an acceptor that is not a
/// member, accepts everyone and would answer with the group id it learns. The honest side
/// refuses before connecting, so the stub never gets a stream, let alone a byte of the hello.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fake_acceptor_gets_not_one_byte() {
    let stub = rukun_sync::testing::Eavesdropper::spawn(secret(66))
        .await
        .unwrap();
    let ep_b = endpoint(2).await;
    let b = Arc::new(Mutex::new(book_b()));
    let before = heads(&b);

    // The library call under `rukun sync` and the app's Sinkron (through `Node::sync_with`,
    // tested with the `rukun` process in rukun-tests).
    let (r, events) = dial(&ep_b, stub.ticket(), &b).await;
    assert!(
        matches!(&r, Err(SyncError::NotMember { revoked: false, peer }) if *peer == stub.ticket().id().to_string()),
        "{r:?}"
    );
    assert!(events.is_empty(), "{events:?}");

    // A revoked member's ticket is refused the same way.
    b.lock().unwrap().revoke(&member_id(1));
    let server = serve(1, book_a()).await;
    let (r, _) = dial(&ep_b, &server.ticket, &b).await;
    assert!(
        matches!(r, Err(SyncError::NotMember { revoked: true, .. })),
        "{r:?}"
    );

    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(stub.connections(), 0);
    assert_eq!(stub.bytes_received(), 0);
    assert_eq!(heads(&b).len(), before.len());

    // The stub does see what a careless dialler writes (so the zeros above mean something).
    let conn = ep_b
        .connect(stub.ticket().addr().clone(), SYNC_ALPN)
        .await
        .unwrap();
    let (mut send, mut recv) = conn.open_bi().await.unwrap();
    send.write_all(b"hello").await.unwrap();
    let mut echo = [0u8; 5];
    recv.read_exact(&mut echo).await.unwrap();
    assert_eq!(&echo, b"hello");
    assert_eq!(stub.connections(), 1);
    assert_eq!(stub.bytes_received(), 5);
    conn.close(0u32.into(), b"done");
    ep_b.close().await;
    server.router.shutdown().await.unwrap();
    stub.shutdown().await;
}
