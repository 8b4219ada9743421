//! Real iroh endpoints, bound to 127.0.0.1 only (no relay, no discovery, no port mapping):
//! joining with invites, the monthly meeting, a wrong clock, refusals and cut connections.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rukun_model::storage::KdfParams;
use rukun_model::{Book, Device, MemberId, RecordKind, Role};
use rukun_sync::testing::{CutAfter, Sim, SimOutcome, SimRng};
use rukun_sync::{
    BookReplica, EndpointTicket, Event, Hello, InviteRefusal, InviteTicket, JoinError,
    JoinGroupError, Node, NodeConfig, NodeEvent, PartialSnapshot, Role as SessionRole, SYNC_ALPN,
    Session, SessionConfig, SnapshotError, SyncError, bind_endpoint, fetch_snapshot, join_group,
    join_group_resuming, run_session,
};
use rukun_tests::{
    PASS, RTS_A, RTS_B, expected_stats, group_in_memory, group_init, households_with_kk, import_rts,
};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn node(book: Book) -> Node {
    let node = Node::spawn(BookReplica::new(book), NodeConfig::new(loopback()))
        .await
        .unwrap();
    let t = node.ticket();
    assert!(t.addr().ip_addrs().next().is_some());
    assert!(t.addr().ip_addrs().all(|a| a.ip().is_loopback()), "{t:?}");
    node
}

fn heads(n: &Node) -> Vec<String> {
    n.replica().lock().unwrap().book_mut().heads()
}

fn with_book<T>(n: &Node, f: impl FnOnce(&mut Book) -> T) -> T {
    f(n.replica().lock().unwrap().book_mut())
}

async fn sync(from: &Node, to: &Node) -> rukun_sync::Summary {
    let mut events = 0;
    let s = from
        .sync_with(to.ticket().addr().clone(), |_| events += 1)
        .await
        .unwrap();
    assert!(events > 0, "progress events were reported");
    s
}

async fn join_into(dir: &Path, inviter: &Node, role: Role, name: &str) -> Book {
    let invite = inviter
        .create_invite(role, Duration::from_secs(3600))
        .unwrap();
    // The invite survives its text form.
    let invite: InviteTicket = invite.to_string().parse().unwrap();
    let joined = join_group(
        Device::generate().unwrap(),
        &invite,
        name,
        loopback(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(joined.grant.role, role.as_str());
    let secret = joined.replica.book().device().secret_bytes();
    let mut replica = joined.replica;
    let doc = replica.book_mut().save_document();
    let mut book = Book::create_joined(
        dir,
        PASS,
        KdfParams::insecure_fast(),
        Device::from_secret(secret),
        &doc,
    )
    .unwrap();
    book.adopt_sync_states(replica.sync_states()).unwrap();
    book
}

/// Bu Sri's new book in `dir` with the reference data of `rts` imported.
fn admin_book(dir: &Path, rts: &[&[u16]]) -> Book {
    let mut book =
        Book::create(dir, PASS, KdfParams::insecure_fast(), &group_init("Bu Sri")).unwrap();
    for r in rts {
        import_rts(&mut book, r).unwrap();
    }
    book
}

async fn next_sync_report(n: &mut Node) -> rukun_sync::SessionReport {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), n.next_event())
            .await
            .unwrap()
            .unwrap()
        {
            NodeEvent::Synced(r) => return r,
            NodeEvent::Joined(_) | NodeEvent::Progress { .. } | NodeEvent::NearbyChanged => {}
        }
    }
}

/// A newcomer gets the book as the inviter's snapshot plus a short sync of what came after
/// it, and stores the snapshot as it arrived; a download continued from its middle brings
/// only the rest, checked against its hash; a stranger gets nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_downloads_the_snapshot_and_a_cut_download_continues() {
    let tmp = tempfile::tempdir().unwrap();
    let book = admin_book(&tmp.path().join("a"), &[&RTS_A, &RTS_B]);
    let a = node(book).await;
    let group = with_book(&a, |b| b.group().unwrap().id);

    let invite = a
        .create_invite(Role::Relawan, Duration::from_secs(3600))
        .unwrap();
    let mut expected = Vec::new();
    let joined = join_group(
        Device::generate().unwrap(),
        &invite,
        "Dewi",
        loopback(),
        |e| {
            if let Event::Progress(p) = e {
                expected.push(p.incoming_expected);
            }
        },
    )
    .await
    .unwrap();
    assert!(joined.snapshot_bytes > 50_000, "{}", joined.snapshot_bytes);
    assert!(
        expected.contains(&joined.snapshot_bytes),
        "the progress bar saw the snapshot's size"
    );
    assert!(
        joined.summary.bytes_received < joined.snapshot_bytes / 4,
        "the sync after the snapshot brought only what was newer: {} bytes",
        joined.summary.bytes_received
    );
    let secret = joined.replica.book().device().secret_bytes();
    let (book, states) = joined.replica.into_parts();
    let dir = tmp.path().join("dewi");
    let mut stored = book
        .store_joined(&dir, PASS, KdfParams::insecure_fast())
        .unwrap();
    stored.adopt_sync_states(&states).unwrap();
    drop(stored);
    let mut reopened = Book::open(&dir, PASS).unwrap();
    assert_eq!(reopened.heads(), heads(&a));
    assert_eq!(reopened.stats(), with_book(&a, |b| b.stats()));

    // The new member fetches the snapshot again, then continues a copy of its first half.
    let ep = bind_endpoint(secret, loopback(), Vec::new()).await.unwrap();
    let a_addr = a.ticket().addr().clone();
    let mut full = PartialSnapshot::new();
    fetch_snapshot(&ep, a_addr.clone(), &group, &mut full, |_| {})
        .await
        .unwrap();
    let size = full.size();
    let whole = full.bytes().to_vec();
    let half = whole[..whole.len() / 2].to_vec();
    let mut partial = PartialSnapshot::resume_from(full.hash().unwrap(), size, half);
    let mut moved = 0;
    fetch_snapshot(&ep, a_addr.clone(), &group, &mut partial, |e| {
        if let Event::Progress(p) = e {
            moved = p.bytes_received;
        }
    })
    .await
    .unwrap();
    assert_eq!(moved, size - size / 2, "only the missing half travelled");
    assert_eq!(partial.into_verified().unwrap(), whole);

    // A stranger is refused before any byte of the book.
    let stranger = bind_endpoint(
        Device::generate().unwrap().secret_bytes(),
        loopback(),
        Vec::new(),
    )
    .await
    .unwrap();
    let mut nothing = PartialSnapshot::new();
    let err = fetch_snapshot(&stranger, a_addr, &group, &mut nothing, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SnapshotError::Refused(_)), "{err:?}");
    assert_eq!((nothing.received(), nothing.size()), (0, 0));
}

/// A join cut after its invite was granted (here the inviter only redeemed it and went
/// away) continues at the next attempt as the member it already is: no second invite, no
/// second member, the book arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_cut_after_the_grant_continues_without_a_new_invite() {
    let tmp = tempfile::tempdir().unwrap();
    let book = admin_book(&tmp.path().join("a"), &[&RTS_A]);
    let secret = book.device().secret_bytes();
    let replica = Arc::new(Mutex::new(BookReplica::new(book)));
    let ep = bind_endpoint(secret, loopback(), vec![rukun_sync::JOIN_ALPN.to_vec()])
        .await
        .unwrap();
    let invite = {
        let mut guard = replica.lock().unwrap();
        let secret = InviteTicket::random_secret();
        let expires = chrono::Utc::now() + chrono::Duration::hours(1);
        guard
            .book_mut()
            .create_invite(&secret, Role::Relawan, expires)
            .unwrap();
        InviteTicket {
            inviter: EndpointTicket::from_endpoint(&ep),
            group_id: guard.book().group().unwrap().id,
            secret,
            role: "relawan".into(),
            expires_at: expires.timestamp() as u64,
        }
    };
    // An inviter that redeems invites and serves nothing else.
    let only_join = iroh::protocol::Router::builder(ep)
        .accept(
            rukun_sync::JOIN_ALPN,
            rukun_sync::JoinHandler::new(replica.clone()),
        )
        .spawn();
    let input = rukun_sync::InviteInput::Ticket(invite.clone());
    let mut resume = None;
    let err = join_group_resuming(
        Device::generate().unwrap(),
        &input,
        "Dewi",
        rukun_sync::JoinOptions::new(loopback()),
        &mut resume,
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, JoinGroupError::Sync(_) | JoinGroupError::Snapshot(_)),
        "{err}"
    );
    let left = resume.as_ref().expect("the granted join is kept");
    assert_eq!(left.grant().role, "relawan");
    only_join.shutdown().await.unwrap();

    // The inviter is back with its whole node; the same tap goes on from the grant.
    let members_before = replica.lock().unwrap().book().members().len();
    // It listens at another port now; the newcomer knows it nearby (mDNS in the app).
    let a = Node::spawn_shared(replica.clone(), NodeConfig::new(loopback()))
        .await
        .unwrap();
    let mut options = rukun_sync::JoinOptions::new(loopback());
    options.known = vec![a.ticket().addr().clone()];
    let joined = join_group_resuming(
        Device::generate().unwrap(),
        &input,
        "Dewi",
        options,
        &mut resume,
        |_| {},
    )
    .await
    .unwrap();
    assert!(resume.is_none());
    assert!(joined.snapshot_bytes > 0);
    assert_eq!(
        replica.lock().unwrap().book().members().len(),
        members_before,
        "no second member for the same person"
    );
    let mut got = joined.replica;
    assert_eq!(got.book_mut().heads(), heads(&a));
    assert_eq!(got.book().stats(), with_book(&a, |b| b.stats()));
}

/// The meeting: A (RT 27–29) and B (RT 30–31) imported offline, both sync with C (the
/// meeting laptop), then with each other; a late edit reaches C by two paths at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_over_loopback() {
    let tmp = tempfile::tempdir().unwrap();
    let book_a = Book::create(
        &tmp.path().join("a"),
        PASS,
        KdfParams::insecure_fast(),
        &group_init("Bu Sri"),
    )
    .unwrap();
    let a = node(book_a).await;
    let book_b = join_into(&tmp.path().join("b"), &a, Role::Relawan, "Pak Budi").await;
    let book_c = join_into(&tmp.path().join("c"), &a, Role::Bendahara, "Bu Ani").await;
    let group = with_book(&a, |b| b.group().unwrap().id);
    assert_eq!(book_b.group().unwrap().id, group);
    assert_eq!(book_c.group().unwrap().id, group);

    // Offline work: each volunteer imports their own RTs.
    with_book(&a, |b| import_rts(b, &RTS_A)).unwrap();
    let mut book_b = book_b;
    import_rts(&mut book_b, &RTS_B).unwrap();
    let b = node(book_b).await;
    let mut c = node(book_c).await;

    // At the meeting: A and B with C, then with each other.
    let s = sync(&a, &c).await;
    assert!(s.changes_sent > 0);
    let r = next_sync_report(&mut c).await;
    assert!(r.result.is_ok(), "{r:?}");
    // B joined before C and has not synced since: its book does not list C yet, so B
    // neither dials C nor accepts it. B syncs with A first, which knows C (it invited C).
    sync(&b, &a).await;
    sync(&b, &c).await;
    // A late edit by A, passed to B; then A and B both sync with C at the same time: the
    // edit reaches C by two paths.
    let kk = with_book(&a, |book| {
        let (id, h) = book
            .households()
            .into_iter()
            .find(|(_, h)| h.rt == 27)
            .unwrap();
        book.edit_household(&id, |h| h.atap = "Genteng".into())
            .unwrap();
        book.commit("survey correction").unwrap();
        h.no_kk
    });
    sync(&a, &b).await;
    let (ra, rb) = tokio::join!(
        a.sync_with(c.ticket().addr().clone(), |_| {}),
        b.sync_with(c.ticket().addr().clone(), |_| {})
    );
    ra.unwrap();
    rb.unwrap();

    let expected = expected_stats().unwrap();
    let h = heads(&a);
    for n in [&a, &b, &c] {
        assert_eq!(heads(n), h);
        with_book(n, |book| {
            assert_eq!(book.stats(), expected);
            assert_eq!(
                households_with_kk(book, rukun_model::rules::or_blank(&kk)),
                1
            );
            let (_, hh) = book
                .households()
                .into_iter()
                .find(|(_, x)| x.no_kk == kk)
                .unwrap();
            assert_eq!(hh.atap, "Genteng");
        });
    }
    for n in [a, b, c] {
        n.shutdown().await.unwrap();
    }
    // What was synced is on disk: reopening C's book shows the whole RW.
    let reopened = Book::open(&tmp.path().join("c"), PASS).unwrap();
    assert_eq!(reopened.stats(), expected);
}

/// B's clock is two hours behind: its edits arrive and merge like any other; an edit B makes
/// after seeing A's value wins, although its time stamp is earlier (no ordering by clock).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_clock_does_not_order_edits() {
    let mut books = group_in_memory(1, &[2, 3]).unwrap();
    let book_c = books.pop().unwrap();
    let book_b = books.pop().unwrap();
    let mut book_a = books.pop().unwrap();
    import_rts(&mut book_a, &[27]).unwrap();
    let (a, b, c) = (node(book_a).await, node(book_b).await, node(book_c).await);
    sync(&b, &a).await;

    let before = chrono::Utc::now();
    let (hid, new_id) = with_book(&b, |book| {
        book.set_clock_skew(chrono::Duration::hours(-2));
        let (id, _) = book.households().into_iter().next().unwrap();
        book.edit_household(&id, |h| h.lantai = "Keramik".into())
            .unwrap();
        book.commit("B edits").unwrap();
        let new_id = book
            .add_household(rukun_model::Household {
                no_kk: rukun_model::rules::NoKk::from_stored("3471131804080999"),
                alamat: "Gg. Melati 9".into(),
                kepala_keluarga: "Budi".into(),
                rt: 30,
                rw: 8,
                ..Default::default()
            })
            .unwrap();
        book.commit("B adds").unwrap();
        (id, new_id)
    });
    sync(&b, &c).await;
    sync(&a, &c).await;
    sync(&a, &b).await;
    let h = heads(&a);
    for n in [&a, &b, &c] {
        assert_eq!(heads(n), h);
        with_book(n, |book| {
            let hh = book.household(&hid).unwrap().unwrap();
            assert_eq!(hh.lantai, "Keramik");
            let values = book
                .field_values(RecordKind::Household, &hid, "lantai")
                .unwrap();
            assert_eq!(values.len(), 1, "no conflict: B's edit came after A's");
            let added = book.household(&new_id).unwrap().unwrap();
            let at = added.created_at;
            assert!(at < before - chrono::Duration::minutes(100), "{at}");
        });
    }
    for n in [a, b, c] {
        n.shutdown().await.unwrap();
    }
}

/// A stranger, a member not yet known here, a revoked member, a used and an expired invite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_revoked_members_and_spent_invites_are_refused() {
    let mut books = group_in_memory(1, &[2]).unwrap();
    let book_b = books.pop().unwrap();
    let mut book_a = books.pop().unwrap();
    let stranger = book_a.replica_for(Device::from_seed(99));
    let a = node(book_a).await;
    let b = node(book_b).await;
    let s = node(stranger).await;
    sync(&b, &a).await;

    // A stranger with a copy of the book is refused, and told why.
    let err = s
        .sync_with(a.ticket().addr().clone(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SyncError::Refused { by_peer: true, reason, .. } if reason.contains("unknown member")),
        "{err}"
    );

    // A new member joins at A; B has not heard of it yet and refuses it with the reason,
    // until B has synced with a member who knows.
    let tmp = tempfile::tempdir().unwrap();
    let d = node(join_into(&tmp.path().join("d"), &a, Role::Relawan, "Dewi").await).await;
    let err = d
        .sync_with(b.ticket().addr().clone(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(
        err.refusal_reason(),
        Some("unknown member: sync with the inviter first"),
        "{err}"
    );
    sync(&b, &a).await;
    sync(&d, &b).await;

    // A used invite and an expired one.
    let invite = a
        .create_invite(Role::Relawan, Duration::from_secs(600))
        .unwrap();
    join_group(
        Device::generate().unwrap(),
        &invite,
        "Eko",
        loopback(),
        |_| {},
    )
    .await
    .unwrap();
    let again = join_group(
        Device::generate().unwrap(),
        &invite,
        "Fajar",
        loopback(),
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            &again,
            JoinGroupError::Join(JoinError::Refused {
                by_peer: true,
                refusal: Some(InviteRefusal::AlreadyUsed),
                ..
            })
        ),
        "{again}"
    );
    let secret = InviteTicket::random_secret();
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    with_book(&a, |book| book.create_invite(&secret, Role::Relawan, past)).unwrap();
    let expired = InviteTicket {
        inviter: a.ticket(),
        group_id: with_book(&a, |book| book.group().unwrap().id),
        secret,
        role: "relawan".into(),
        expires_at: past.timestamp() as u64,
    };
    let err = join_group(
        Device::generate().unwrap(),
        &expired,
        "Gita",
        loopback(),
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("this invite has expired"), "{err}");

    // B's phone is lost: A revokes it; once C... here D hears of it from A, B is refused by
    // both, with the reason.
    let b_id = MemberId::from_bytes(&b.ticket().peer_id());
    with_book(&a, |book| book.revoke_member(&b_id, "HP hilang")).unwrap();
    sync(&d, &a).await;
    for n in [&a, &d] {
        let err = b
            .sync_with(n.ticket().addr().clone(), |_| {})
            .await
            .unwrap_err();
        assert_eq!(
            err.refusal_reason(),
            Some("this device was revoked"),
            "{err}"
        );
    }
    for n in [a, b, d, s] {
        n.shutdown().await.unwrap();
    }
}

/// The connection is cut after a random number of bytes, 50 times (each time with something
/// new on both sides); every cut is reported as a cut, and the next sync completes with
/// identical books.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_cut_connections_then_a_clean_sync() {
    let mut books = group_in_memory(1, &[2]).unwrap();
    let mut book_b = books.pop().unwrap();
    let book_a = books.pop().unwrap();
    import_rts(&mut book_b, &[30]).unwrap();
    let mut a = node(book_a).await;
    let b = node(book_b).await;
    let a_id = a.ticket().peer_id();
    let replica_b: Arc<Mutex<BookReplica>> = b.replica().clone();
    // How many bytes B sends in a full session (probed in the in-memory harness): every cut
    // point below it cuts the session before A has B's book.
    let full = {
        let mut probe = Sim::new(1);
        let fork_b = with_book(&b, |x| x.replica_for(Device::from_seed(2)));
        let fork_a = with_book(&a, |x| x.replica_for(Device::from_seed(1)));
        let b_id = b.ticket().peer_id();
        probe.add_peer(b_id, BookReplica::new(fork_b));
        probe.add_peer(a_id, BookReplica::new(fork_a));
        assert!(probe.connect(0, 1));
        match &probe.run_until_quiescent()[0].outcome_a {
            SimOutcome::Finished(s) => s.bytes_sent,
            other => panic!("probe: {other:?}"),
        }
    };
    assert!(full > 10_000, "B has a book to send ({full} bytes)");
    let mut rng = SimRng::new(0x5EED);
    let (mut cut, mut finished) = (0, 0);
    for i in 0..50 {
        with_book(&a, |book| {
            let (id, _) = book.households().into_iter().next().unwrap_or_default();
            if !id.is_empty() {
                book.edit_household(&id, |h| h.alamat = format!("Jl. A {i}"))
                    .unwrap();
                book.commit("a edit").unwrap();
            }
        });
        with_book(&b, |book| {
            let (id, _) = book.households().into_iter().nth(1).unwrap();
            book.edit_household(&id, |h| h.alamat = format!("Jl. B {i}"))
                .unwrap();
            book.commit("b edit").unwrap();
        });
        // Log-uniform cut point: from inside the hello to deep inside B's book.
        let bits = 1 + rng.below(20);
        let limit = rng.below(1 << bits).min(full - 1);
        let conn = b
            .endpoint()
            .connect(a.ticket().addr().clone(), SYNC_ALPN)
            .await
            .unwrap();
        let (send, mut recv) = conn.open_bi().await.unwrap();
        let mut send = CutAfter::new(send, limit);
        let hello = Hello::for_replica(&*replica_b.lock().unwrap(), "test");
        let mut session = Session::new(
            SessionRole::Initiator,
            hello,
            a_id,
            SessionConfig::default(),
            Instant::now(),
        );
        let result = run_session(&mut recv, &mut send, &mut session, &replica_b, |_| {}).await;
        conn.close(1u32.into(), b"cut by test");
        match result {
            Ok(_) => finished += 1,
            Err(e) => {
                assert!(e.is_cut(), "iteration {i} (limit {limit}): {e}");
                cut += 1;
            }
        }
        let report = next_sync_report(&mut a).await;
        if let Err(e) = &report.result {
            assert!(
                e.is_cut() || matches!(e, SyncError::Session(_)),
                "acceptor side, iteration {i}: {e}"
            );
        }
    }
    eprintln!("{cut} cut sessions, {finished} finished before their cut point");
    assert_eq!(cut, 50, "every session was cut ({finished} finished)");
    sync(&b, &a).await;
    sync(&a, &b).await;
    assert_eq!(heads(&a), heads(&b));
    let (sa, sb) = (with_book(&a, |x| x.stats()), with_book(&b, |x| x.stats()));
    assert_eq!(sa, sb);
    assert!(sa.households > 0);
    let ticket: EndpointTicket = a.ticket().to_string().parse().unwrap();
    assert_eq!(ticket.peer_id(), a_id);
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}
