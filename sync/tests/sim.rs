//! Sans-IO sessions in the deterministic in-memory harness.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::time::{Duration, Instant};

use proptest::prelude::*;
use rukun_sync::testing::{Sim, SimOutcome, TestReplica};
use rukun_sync::{
    Event, Frame, FrameDecoder, Output, PROTOCOL_VERSION, RefuseCode, Replica, Role, Session,
    SessionConfig, SessionError,
};

const GROUP: &str = "0190c0de-0000-7000-8000-000000000001";

fn id(n: u8) -> [u8; 32] {
    [n; 32]
}

/// Three members of one group, each with its own concurrent edits.
fn three_peers(seed: u64) -> Sim<TestReplica> {
    let mut sim = Sim::new(seed);
    let mut a = TestReplica::new_group(GROUP, &id(1));
    a.add_member(&id(2), "relawan");
    a.add_member(&id(3), "bendahara");
    // b and c start from a copy of a's book (as after joining), then edit apart.
    let mut b = TestReplica::joining(GROUP);
    let mut c = TestReplica::joining(GROUP);
    let base = a.doc_mut().save();
    *b.doc_mut() = automerge::AutoCommit::load(&base).unwrap();
    *c.doc_mut() = automerge::AutoCommit::load(&base).unwrap();
    for i in 0..20 {
        a.edit(&format!("rt27-{i}"), "a");
        b.edit(&format!("rt30-{i}"), "b");
        c.edit(&format!("rt31-{i}"), "c");
    }
    // The same field edited concurrently on all three.
    a.edit("shared", "from a");
    b.edit("shared", "from b");
    c.edit("shared", "from c");
    sim.add_peer(id(1), a);
    sim.add_peer(id(2), b);
    sim.add_peer(id(3), c);
    sim
}

fn heads(sim: &mut Sim<TestReplica>, i: usize) -> Vec<String> {
    sim.peer_mut(i).replica.heads()
}

fn assert_converged(sim: &mut Sim<TestReplica>) {
    let h0 = heads(sim, 0);
    for i in 1..sim.len() {
        assert_eq!(heads(sim, i), h0, "peer {i} differs");
    }
    for i in 0..sim.len() {
        let r = &sim.peer(i).replica;
        assert_eq!(r.value("rt27-19").as_deref(), Some("a"));
        assert_eq!(r.value("rt30-0").as_deref(), Some("b"));
        assert_eq!(r.value("rt31-7").as_deref(), Some("c"));
    }
    let shared: Vec<_> = (0..sim.len())
        .map(|i| sim.peer(i).replica.value("shared"))
        .collect();
    assert!(shared.windows(2).all(|w| w[0] == w[1]));
}

/// Random pairwise sessions, random partitions/heals and random byte cuts, then a final round
/// with the network healed: all books end identical.
fn random_meeting(seed: u64) {
    let mut sim = three_peers(seed);
    for _round in 0..12 {
        let r = sim.rng().below(10);
        let a = sim.rng().below(3) as usize;
        let b = (a + 1 + sim.rng().below(2) as usize) % 3;
        match r {
            0 | 1 => sim.partition(a, b),
            2 | 3 => sim.heal(a, b),
            4 => {
                let n = sim.rng().below(3000);
                sim.connect_with_cut(a, b, n);
            }
            _ => {
                sim.connect(a, b);
            }
        }
        // Sometimes a second concurrent session on another pair.
        if sim.rng().below(2) == 0 {
            let c = sim.rng().below(3) as usize;
            let d = (c + 1) % 3;
            sim.connect(d, c);
        }
        // Sometimes a partition in the middle of running sessions.
        if sim.rng().below(4) == 0 {
            let c = sim.rng().below(3) as usize;
            sim.partition(c, (c + 2) % 3);
        }
        for report in sim.run_until_quiescent() {
            // Every session ends; none is left hanging and none errs but by cut.
            for o in [&report.outcome_a, &report.outcome_b] {
                match o {
                    SimOutcome::Finished(_) => {}
                    SimOutcome::Error(SessionError::Cut { .. }) => {}
                    other => panic!("unexpected outcome {other:?}"),
                }
            }
        }
    }
    sim.heal_all();
    for (a, b) in [(0, 1), (1, 2), (2, 0), (0, 1)] {
        assert!(sim.connect(a, b));
        let reports = sim.run_until_quiescent();
        assert!(reports.iter().all(|r| r.both_finished()), "{reports:?}");
    }
    assert_converged(&mut sim);
}

#[test]
fn three_replicas_converge_seeded() {
    for seed in 0..25 {
        random_meeting(seed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn three_replicas_converge_any_seed(seed in any::<u64>()) {
        random_meeting(seed);
    }
}

#[test]
fn one_session_syncs_everything_and_second_is_small() {
    let mut sim = three_peers(1);
    let mut rng = rukun_sync::testing::SimRng::new(42);
    for i in 0..10 {
        let text: String = (0..200).map(|_| format!("{:x}", rng.next_u64())).collect();
        sim.peer_mut(0).replica.edit(&format!("note-{i}"), &text);
    }
    assert!(sim.connect(0, 1));
    let reports = sim.run_until_quiescent();
    assert_eq!(reports.len(), 1);
    let (SimOutcome::Finished(sa), SimOutcome::Finished(sb)) =
        (&reports[0].outcome_a, &reports[0].outcome_b)
    else {
        panic!("{reports:?}");
    };
    assert_eq!(heads(&mut sim, 0), heads(&mut sim, 1));
    assert_eq!(sa.changes_received, 21);
    assert_eq!(sb.changes_received, 31);
    assert_eq!(sa.changes_sent, sb.changes_received);
    assert!(sa.round_trips >= 1);
    // Saved sync state: the next session between them sends almost nothing.
    assert!(sim.connect(1, 0));
    let again = sim.run_until_quiescent();
    let SimOutcome::Finished(s2) = &again[0].outcome_a else {
        panic!("{again:?}")
    };
    assert_eq!(s2.changes_received, 0);
    assert!(
        s2.bytes_sent + s2.bytes_received < (sa.bytes_sent + sa.bytes_received) / 4,
        "{s2:?} vs {sa:?}"
    );
    assert_eq!(sim.peer(0).replica.sessions_ended(), 2);
}

#[test]
fn cut_at_every_byte_position_then_resume() {
    let mut total = 0;
    {
        let mut sim = three_peers(3);
        sim.connect(0, 1);
        let r = sim.run_until_quiescent();
        if let SimOutcome::Finished(s) = &r[0].outcome_a {
            total = s.bytes_sent + s.bytes_received;
        }
    }
    assert!(total > 0);
    for cut in (0..total).step_by(7) {
        let mut sim = three_peers(cut);
        sim.connect_with_cut(0, 1, cut);
        let r = sim.run_until_quiescent();
        assert_eq!(r.len(), 1);
        if let SimOutcome::Error(e) = &r[0].outcome_a {
            assert!(matches!(e, SessionError::Cut { .. }), "{e:?}");
            assert!(e.to_string().contains("cut"));
        }
        sim.connect(0, 1);
        let r = sim.run_until_quiescent();
        assert!(r[0].both_finished(), "cut at {cut}: {r:?}");
        assert_eq!(heads(&mut sim, 0), heads(&mut sim, 1), "cut at {cut}");
    }
}

#[test]
fn unknown_member_refused_until_it_syncs_with_inviter() {
    let mut sim = Sim::new(9);
    let mut admin = TestReplica::new_group(GROUP, &id(1));
    admin.add_member(&id(2), "relawan");
    let other = TestReplica::new_group(GROUP, &id(1)); // knows only the admin
    let newbie = TestReplica::joining(GROUP);
    let a = sim.add_peer(id(1), admin);
    let o = sim.add_peer(id(3), other);
    let n = sim.add_peer(id(2), newbie);
    // o does not list itself; give o membership at the admin and the admin at o.
    sim.peer_mut(a).replica.add_member(&id(3), "relawan");
    sim.peer_mut(o).replica.add_member(&id(3), "relawan");

    // The new member dials o, which has not heard of it.
    sim.connect(n, o);
    let r = sim.run_until_quiescent();
    assert_eq!(
        r[0].outcome_a,
        SimOutcome::Refused {
            by_peer: true,
            reason: "unknown member: sync with the inviter first".into()
        }
    );
    assert!(matches!(
        r[0].outcome_b,
        SimOutcome::Refused { by_peer: false, .. }
    ));
    // o syncs with the admin, learns of the new member; now o accepts it.
    sim.connect(o, a);
    assert!(sim.run_until_quiescent()[0].both_finished());
    sim.connect(n, o);
    assert!(sim.run_until_quiescent()[0].both_finished());
    assert_eq!(
        sim.peer(n).replica.peer_status(&id(1)),
        rukun_sync::MemberStatus::Member
    );
}

#[test]
fn revoked_member_refused_and_revocation_wins_over_readd() {
    let mut sim = Sim::new(5);
    let mut a = TestReplica::new_group(GROUP, &id(1));
    a.add_member(&id(2), "relawan");
    a.add_member(&id(3), "relawan");
    let base = a.doc_mut().save();
    let mut c = TestReplica::joining(GROUP);
    *c.doc_mut() = automerge::AutoCommit::load(&base).unwrap();
    let mut b = TestReplica::joining(GROUP);
    *b.doc_mut() = automerge::AutoCommit::load(&base).unwrap();
    // Concurrently: a revokes 2, c re-adds 2.
    a.revoke(&id(2));
    c.add_member(&id(2), "ketua");
    let ia = sim.add_peer(id(1), a);
    let ib = sim.add_peer(id(2), b);
    let ic = sim.add_peer(id(3), c);
    sim.connect(ic, ia);
    assert!(sim.run_until_quiescent()[0].both_finished());
    assert_eq!(
        sim.peer(ia).replica.peer_status(&id(2)),
        rukun_sync::MemberStatus::Revoked
    );
    assert_eq!(
        sim.peer(ic).replica.peer_status(&id(2)),
        rukun_sync::MemberStatus::Revoked
    );
    for target in [ia, ic] {
        sim.connect(ib, target);
        let r = sim.run_until_quiescent();
        assert_eq!(
            r[0].outcome_a,
            SimOutcome::Refused {
                by_peer: true,
                reason: "this device was revoked".into()
            }
        );
    }
}

fn session_pair(
    a: &TestReplica,
    b: &TestReplica,
    tweak_a: impl FnOnce(&mut rukun_sync::Hello),
) -> (Vec<Event>, Vec<Event>) {
    let mut a = TestReplica::joining(&a.group_id()).tap(a);
    let mut b = TestReplica::joining(&b.group_id()).tap(b);
    let now = Instant::now();
    let mut ha = rukun_sync::Hello::for_replica(&a, "1.0");
    tweak_a(&mut ha);
    let hb = rukun_sync::Hello::for_replica(&b, "1.0");
    let mut sa = Session::new(Role::Initiator, ha, id(2), SessionConfig::default(), now);
    let mut sb = Session::new(Role::Acceptor, hb, id(1), SessionConfig::default(), now);
    let mut to_b: Vec<u8> = Vec::new();
    let mut to_a: Vec<u8> = Vec::new();
    let (mut ea, mut eb) = (Vec::new(), Vec::new());
    let sort = |outs: Vec<Output>, wire: &mut Vec<u8>, ev: &mut Vec<Event>| {
        for o in outs {
            match o {
                Output::Transmit(b) => wire.extend(b),
                Output::Event(e) => ev.push(e),
            }
        }
    };
    sort(sa.start(now), &mut to_b, &mut ea);
    sort(sb.start(now), &mut to_a, &mut eb);
    for _ in 0..50 {
        let x = std::mem::take(&mut to_b);
        sort(sb.handle_bytes(&x, &mut b, now), &mut to_a, &mut eb);
        let y = std::mem::take(&mut to_a);
        sort(sa.handle_bytes(&y, &mut a, now), &mut to_b, &mut ea);
    }
    (ea, eb)
}

trait Tap {
    fn tap(self, from: &TestReplica) -> TestReplica;
}
impl Tap for TestReplica {
    fn tap(mut self, from: &TestReplica) -> TestReplica {
        self.set_schema(from.schema_version(), from.min_reader_schema());
        for i in 1..=2 {
            if from.peer_status(&id(i)) == rukun_sync::MemberStatus::Member {
                self.add_member(&id(i), "relawan");
            }
        }
        self
    }
}

fn refused(events: &[Event]) -> Option<(bool, RefuseCode, String)> {
    events.iter().find_map(|e| match e {
        Event::Refused {
            by_peer,
            code,
            reason,
        } => Some((*by_peer, *code, reason.clone())),
        _ => None,
    })
}

fn members() -> TestReplica {
    let mut r = TestReplica::new_group(GROUP, &id(1));
    r.add_member(&id(2), "relawan");
    r
}

#[test]
fn hello_checks() {
    // Same everything: finished.
    let (ea, eb) = session_pair(&members(), &members(), |_| {});
    assert!(ea.iter().any(|e| matches!(e, Event::Finished(_))), "{ea:?}");
    assert!(eb.iter().any(|e| matches!(e, Event::Finished(_))), "{eb:?}");

    // Other protocol version: "update the app" on both sides.
    let (ea, eb) = session_pair(&members(), &members(), |h| {
        h.protocol_version = PROTOCOL_VERSION + 1
    });
    let (by_peer, code, reason) = refused(&ea).unwrap();
    assert!(
        by_peer && code == RefuseCode::ProtocolVersion && reason.contains("update the app"),
        "{reason}"
    );
    assert!(!refused(&eb).unwrap().0);

    // Different group.
    let other = TestReplica::new_group("another-group", &id(1));
    let (ea, _) = session_pair(&other.tap(&members()), &members(), |_| {});
    let (_, code, reason) = refused(&ea).unwrap();
    assert_eq!(code, RefuseCode::DifferentGroup);
    assert!(reason.contains("different group"), "{reason}");

    // Newer schema that older apps can still read (min reader 1): syncs.
    let mut newer = members();
    newer.set_schema(3, 1);
    let (ea, _) = session_pair(&newer, &members(), |_| {});
    assert!(ea.iter().any(|e| matches!(e, Event::Finished(_))), "{ea:?}");

    // Newer schema that needs schema 2 to read: refused with the reason, on both sides.
    let mut newer = members();
    newer.set_schema(3, 2);
    let (ea, eb) = session_pair(&newer, &members(), |_| {});
    let (_, code, reason) = refused(&ea).unwrap();
    assert_eq!(code, RefuseCode::Schema);
    assert!(
        reason.contains("schema 2 or newer") && reason.contains("update the app"),
        "{reason}"
    );
    assert_eq!(refused(&eb).unwrap().1, RefuseCode::Schema);
    let (ea, _) = session_pair(&members(), &newer, |_| {});
    assert_eq!(refused(&ea).unwrap().1, RefuseCode::Schema);
}

#[test]
fn idle_timeout_and_protocol_errors() {
    let mut r = members();
    let now = Instant::now();
    let hello = rukun_sync::Hello::for_replica(&r, "t");
    let config = SessionConfig {
        idle_timeout: Duration::from_secs(5),
        ..SessionConfig::default()
    };
    let mut s = Session::new(Role::Acceptor, hello.clone(), id(2), config, now);
    let outs = s.start(now);
    assert_eq!(outs.len(), 1);
    assert!(
        s.handle_timeout(now + Duration::from_secs(4), &mut r)
            .is_empty()
    );
    let outs = s.handle_timeout(now + Duration::from_secs(5), &mut r);
    assert!(
        outs.iter()
            .any(|o| matches!(o, Output::Event(Event::Error(SessionError::Timeout { .. }))))
    );
    assert!(s.is_closed());

    // Sync before hello is a protocol error, answered with a Refuse frame.
    let mut s = Session::new(
        Role::Acceptor,
        hello.clone(),
        id(2),
        SessionConfig::default(),
        now,
    );
    s.start(now);
    let outs = s.handle_frame(Frame::Sync(vec![1, 2, 3]), &mut r, now);
    let mut wire = Vec::new();
    for o in &outs {
        if let Output::Transmit(b) = o {
            wire.extend(b);
        }
    }
    let frames = FrameDecoder::default().push(&wire).unwrap();
    assert!(matches!(&frames[0], Frame::Refuse(rf) if rf.code == RefuseCode::ProtocolError));
    assert!(s.is_closed());

    // A garbage sync message after hello: error, the replica persists once.
    let mut s = Session::new(
        Role::Acceptor,
        hello.clone(),
        id(2),
        SessionConfig::default(),
        now,
    );
    s.start(now);
    s.handle_frame(Frame::Hello(hello), &mut r, now);
    let outs = s.handle_frame(Frame::Sync(vec![0xff; 10]), &mut r, now);
    assert!(
        outs.iter()
            .any(|o| matches!(o, Output::Event(Event::Error(SessionError::Replica(_)))))
    );
    assert_eq!(r.sessions_ended(), 1);
}

/// Runs one in-memory session from `a` (initiator, greeting with `ha`) to `b` (greeting with
/// `hb`); returns the bytes each side put on the wire and `b` afterwards.
fn wire_pair(
    mut a: TestReplica,
    mut b: TestReplica,
    ha: rukun_sync::Hello,
    hb: rukun_sync::Hello,
) -> (Vec<u8>, Vec<u8>, TestReplica) {
    let now = Instant::now();
    let mut sa = Session::new(Role::Initiator, ha, id(2), SessionConfig::default(), now);
    let mut sb = Session::new(Role::Acceptor, hb, id(1), SessionConfig::default(), now);
    let (mut a_sent, mut b_sent) = (Vec::new(), Vec::new());
    let (mut to_b, mut to_a) = (Vec::new(), Vec::new());
    let keep = |outs: Vec<Output>, wire: &mut Vec<u8>, all: &mut Vec<u8>| {
        for o in outs {
            if let Output::Transmit(bytes) = o {
                wire.extend(&bytes);
                all.extend(bytes);
            }
        }
    };
    keep(sa.start(now), &mut to_b, &mut a_sent);
    keep(sb.start(now), &mut to_a, &mut b_sent);
    for _ in 0..50 {
        let x = std::mem::take(&mut to_b);
        keep(sb.handle_bytes(&x, &mut b, now), &mut to_a, &mut b_sent);
        let y = std::mem::take(&mut to_a);
        keep(sa.handle_bytes(&y, &mut a, now), &mut to_b, &mut a_sent);
    }
    assert!(sa.is_closed() && sb.is_closed());
    (a_sent, b_sent, b)
}

/// The type byte of every frame in `wire`.
fn frame_types(wire: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    let mut rest = wire;
    while rest.len() >= rukun_sync::HEADER_LEN {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        types.push(rest[4]);
        rest = &rest[rukun_sync::HEADER_LEN + len..];
    }
    types
}

#[test]
fn sync_frames_are_deflated_only_for_peers_that_read_them() {
    let text = "Bu Sulastri, RT 03, iuran Rp25.000 bulan Maret; ".repeat(200);
    let sender = || {
        let mut a = TestReplica::joining(GROUP).tap(&members());
        for i in 0..5 {
            a.edit(&format!("catatan-{i}"), &text);
        }
        a
    };
    let receiver = || TestReplica::joining(GROUP).tap(&members());
    let hello = |r: &TestReplica| rukun_sync::Hello::for_replica(r, "1.0");

    // Both read deflate: the changes travel deflated and arrive whole.
    let (a, b) = (sender(), receiver());
    let (ha, hb) = (hello(&a), hello(&b));
    assert_eq!(
        hb.compression,
        vec![rukun_sync::COMPRESSION_DEFLATE.to_owned()]
    );
    let (deflated, _, b) = wire_pair(a, b, ha, hb);
    assert!(
        frame_types(&deflated).contains(&7),
        "{:?}",
        frame_types(&deflated)
    );
    assert_eq!(b.value("catatan-4").as_deref(), Some(text.as_str()));

    // An older peer (no `compression` in its hello) gets plain `Sync` frames only.
    let (a, b) = (sender(), receiver());
    let (ha, mut hb) = (hello(&a), hello(&b));
    hb.compression.clear();
    let (plain, _, b) = wire_pair(a, b, ha, hb);
    let types = frame_types(&plain);
    assert!(!types.contains(&7) && types.contains(&2), "{types:?}");
    assert_eq!(b.value("catatan-4").as_deref(), Some(text.as_str()));
    assert!(
        deflated.len() < plain.len(),
        "deflated {} B vs plain {} B",
        deflated.len(),
        plain.len()
    );
}

/// A big send handed to the transport at once drains at the link's pace with nothing coming
/// back: the idle deadline grows with the bytes written since the peer last spoke (at
/// `SLOWEST_LINK`), and the peer's next bytes bring it back to the plain idle timeout.
#[test]
fn idle_deadline_allows_written_bytes_to_drain_on_a_slow_link() {
    let mut a = TestReplica::joining(GROUP).tap(&members());
    let now = Instant::now();
    let config = SessionConfig::default();
    let idle = config.idle_timeout;
    let hello = rukun_sync::Hello::for_replica(&a, "1.0");
    let mut s = Session::new(Role::Initiator, hello, id(2), config, now);
    let _ = s.start(now);
    assert_eq!(s.poll_timeout(), Some(now + idle));
    s.handle_transmitted(300_000, now);
    let extra = Duration::from_secs(300_000 / rukun_sync::SLOWEST_LINK);
    assert_eq!(s.poll_timeout(), Some(now + idle + extra));
    // Past the plain idle timeout but within the draining allowance: still running.
    let later = now + idle + Duration::from_secs(1);
    assert!(s.handle_timeout(later, &mut a).is_empty());
    assert!(!s.is_closed());
    // Past both: the session fails with a timeout.
    let outs = s.handle_timeout(now + idle + extra, &mut a);
    assert!(s.is_closed(), "{outs:?}");
}
