//! Frame codec and sans-IO core robustness: random bytes, random splits, round trips.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::time::Instant;

use proptest::prelude::*;
use rukun_sync::testing::TestReplica;
use rukun_sync::{
    Done, Frame, FrameDecoder, FrameError, HEADER_LEN, Hello, JoinGranted, JoinRequest,
    MAX_CONTROL_PAYLOAD, Refuse, RefuseCode, Role, Session, SessionConfig,
};

fn any_refuse_code() -> impl Strategy<Value = RefuseCode> {
    any::<u16>().prop_map(RefuseCode::from)
}

fn any_frame() -> impl Strategy<Value = Frame> {
    prop_oneof![
        (
            ".{0,40}",
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            ".{0,20}",
            proptest::collection::vec("[a-z]{0,8}", 0..3)
        )
            .prop_map(|(g, p, s, m, a, c)| {
                Frame::Hello(Hello {
                    group_id: g,
                    protocol_version: p,
                    schema_version: s,
                    min_reader_schema: m,
                    app_version: a,
                    compression: c,
                })
            }),
        proptest::collection::vec(any::<u8>(), 0..2000).prop_map(Frame::Sync),
        (any::<u64>(), any::<u64>()).prop_map(|(r, c)| Frame::Done(Done {
            messages_received: r,
            changes_applied: c
        })),
        (any_refuse_code(), "[a-zA-Z0-9 :,.]{0,200}")
            .prop_map(|(c, r)| Frame::Refuse(Refuse::new(c, r))),
        (proptest::collection::vec(any::<u8>(), 0..32), ".{0,30}").prop_map(|(s, n)| {
            Frame::JoinRequest(JoinRequest {
                protocol_version: 1,
                secret: s,
                name: n,
            })
        }),
        (".{0,40}", ".{0,10}").prop_map(|(g, r)| Frame::JoinGranted(JoinGranted {
            group_id: g,
            role: r
        })),
    ]
}

/// Splits `bytes` at the given cut points (taken modulo the length).
fn split<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| if bytes.is_empty() { 0 } else { c % bytes.len() })
        .collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points.dedup();
    points.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096),
                                cuts in proptest::collection::vec(any::<usize>(), 0..16),
                                max in 0usize..100_000) {
        let mut dec = FrameDecoder::new(max);
        for part in split(&bytes, &cuts) {
            if dec.push(part).is_err() {
                break;
            }
            prop_assert!(dec.buffered() <= HEADER_LEN + max.max(MAX_CONTROL_PAYLOAD));
        }
        let _ = dec.finish();
    }

    #[test]
    fn round_trip_under_any_split(frames in proptest::collection::vec(any_frame(), 1..6),
                                  cuts in proptest::collection::vec(any::<usize>(), 0..24)) {
        let mut wire = Vec::new();
        for f in &frames {
            wire.extend(f.encode().unwrap());
        }
        let mut dec = FrameDecoder::new(1 << 20);
        let mut got = Vec::new();
        for part in split(&wire, &cuts) {
            got.extend(dec.push(part).unwrap());
        }
        dec.finish().unwrap();
        prop_assert_eq!(got, frames);
    }

    #[test]
    fn truncated_stream_is_an_error(frame in any_frame(), cut in any::<usize>()) {
        let wire = frame.encode().unwrap();
        let cut = cut % wire.len();
        let mut dec = FrameDecoder::new(1 << 20);
        let got = dec.push(&wire[..cut]).unwrap();
        prop_assert!(got.is_empty());
        let truncated = matches!(dec.finish(), Err(FrameError::Truncated { .. }));
        prop_assert_eq!(truncated, cut > 0);
    }

    /// The sans-IO core fed garbage (after a valid hello or not) never panics and closes.
    #[test]
    fn session_fed_garbage_never_panics(prefix_hello in any::<bool>(),
                                        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
                                        cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        let peer = [7u8; 32];
        let mut replica = TestReplica::new_group("g", &peer);
        let now = Instant::now();
        let hello = Hello::for_replica(&replica, "t");
        let mut s = Session::new(Role::Acceptor, hello.clone(), peer, SessionConfig::default(), now);
        let _ = s.start(now);
        if prefix_hello {
            let _ = s.handle_bytes(&Frame::Hello(hello).encode().unwrap(), &mut replica, now);
        }
        for part in split(&bytes, &cuts) {
            let _ = s.handle_bytes(part, &mut replica, now);
        }
        let _ = s.handle_closed("end", &mut replica);
        prop_assert!(s.is_closed());
    }
}

#[test]
fn oversized_declared_length_fails_before_payload() {
    let mut dec = FrameDecoder::new(1000);
    let mut header = 1001u32.to_be_bytes().to_vec();
    header.push(2); // sync
    match dec.push(&header) {
        Err(FrameError::Oversized {
            declared: 1001,
            max: 1000,
            ..
        }) => {}
        other => panic!("expected oversized, got {other:?}"),
    }
    // Control frames are limited to 64 KiB whatever the sync limit.
    let mut dec = FrameDecoder::new(1 << 30);
    let mut header = (MAX_CONTROL_PAYLOAD as u32 + 1).to_be_bytes().to_vec();
    header.push(1); // hello
    assert!(matches!(
        dec.push(&header),
        Err(FrameError::Oversized { .. })
    ));
    // A declared 4 GiB frame does not allocate.
    let mut dec = FrameDecoder::new(usize::MAX);
    let mut header = u32::MAX.to_be_bytes().to_vec();
    header.push(2);
    assert!(dec.push(&header).unwrap().is_empty());
    assert!(dec.push(&[0u8; 100]).unwrap().is_empty());
    assert_eq!(dec.buffered(), 100);
}

#[test]
fn unknown_type_and_bad_json_are_errors() {
    let mut dec = FrameDecoder::default();
    assert_eq!(
        dec.push(&[0, 0, 0, 0, 99]),
        Err(FrameError::UnknownType { frame_type: 99 })
    );
    // Errors are sticky.
    assert!(dec.push(&[]).is_err());
    let mut dec = FrameDecoder::default();
    let mut wire = 3u32.to_be_bytes().to_vec();
    wire.push(1);
    wire.extend_from_slice(b"{x}");
    assert!(matches!(
        dec.push(&wire),
        Err(FrameError::Malformed { frame_type: 1, .. })
    ));
}

#[test]
fn refuse_reason_from_peer_is_sanitized() {
    let long = format!("\u{1b}[31m{}", "x".repeat(5000));
    let wire = {
        let json = serde_json::json!({"code": 6, "reason": long});
        let payload = serde_json::to_vec(&json).unwrap();
        let mut w = (payload.len() as u32).to_be_bytes().to_vec();
        w.push(4);
        w.extend(payload);
        w
    };
    let frames = FrameDecoder::default().push(&wire).unwrap();
    match &frames[0] {
        Frame::Refuse(r) => {
            assert!(r.reason.len() <= 1000);
            assert!(!r.reason.contains('\u{1b}'));
            assert_eq!(r.code, RefuseCode::ProtocolError);
        }
        other => panic!("{other:?}"),
    }
}

/// A compressible sync payload (repeated record text, as Automerge messages of a meeting are).
fn compressible(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| format!("iuran RT 0{} Rp50.000 kuitansi {i:05};", i % 9))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn deflated_sync_frames_decode_to_the_original_in_any_split() {
    let payload = compressible(400);
    let wire = Frame::encode_sync_deflated(&payload).expect("text this repetitive deflates");
    assert_eq!(wire[HEADER_LEN - 1], 7, "type 7 on the wire");
    assert!(
        wire.len() < payload.len() / 3,
        "{} vs {}",
        wire.len(),
        payload.len()
    );
    for step in [1usize, 7, 100, wire.len()] {
        let mut d = FrameDecoder::default();
        let mut got = Vec::new();
        for chunk in wire.chunks(step) {
            got.extend(d.push(chunk).unwrap());
        }
        assert_eq!(got, vec![Frame::Sync(payload.clone())], "step {step}");
        d.finish().unwrap();
    }
    // While it arrives, the decoder tells how much of it is here (for the progress bar).
    let mut d = FrameDecoder::default();
    assert!(d.push(&wire[..HEADER_LEN + 10]).unwrap().is_empty());
    assert_eq!(d.incoming_sync(), Some((10, wire.len() - HEADER_LEN)));
}

#[test]
fn small_or_incompressible_payloads_are_not_deflated() {
    assert_eq!(Frame::encode_sync_deflated(b"short"), None);
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    let noise: Vec<u8> = (0..300_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    // Small (deflated whole) and large (judged by a sample of its start).
    assert_eq!(Frame::encode_sync_deflated(&noise[..4000]), None);
    assert_eq!(Frame::encode_sync_deflated(&noise), None);
    // A large payload whose start compresses is deflated.
    let mut mixed = compressible(20_000);
    mixed.extend(&noise[..1000]);
    assert!(mixed.len() > 256 * 1024);
    assert!(Frame::encode_sync_deflated(&mixed).is_some());
}

#[test]
fn a_deflate_bomb_is_refused_without_inflating_it() {
    // 8 MB of zeros deflate to a small frame; a decoder allowing 1 MB refuses it.
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let wire = Frame::encode_sync_deflated(&zeros).unwrap();
    assert!(wire.len() < zeros.len() / 50, "{} B", wire.len());
    let mut d = FrameDecoder::new(1024 * 1024);
    match d.push(&wire) {
        Err(FrameError::Oversized {
            frame_type: 7, max, ..
        }) => assert_eq!(max, 1024 * 1024),
        other => panic!("{other:?}"),
    }
    // Garbage that is not deflate is a protocol error, not a panic.
    let mut bad = vec![0, 0, 0, 4, 7];
    bad.extend([0xff, 0xff, 0xff, 0xff]);
    let mut d = FrameDecoder::default();
    assert!(matches!(
        d.push(&bad),
        Err(FrameError::Malformed { frame_type: 7, .. })
    ));
}
