//! Issue 11, "compressing frames": would zstd on the sync frames save at least 25% of the
//! bytes? Numbers only, nothing in the protocol changes. The frames are the real ones: two
//! sans-IO [`Session`]s over [`BookReplica`]s in memory, every `Output::Transmit` kept (one
//! frame each), then each frame compressed on its own with zstd levels 1, 3 and 9.
//!
//! Measured on the kelurahan book (`rukun_model::generate`, 5,000 households, seed 7):
//! (a) the full sync of a new member's empty device; (b) the next meeting of that device,
//! with its saved sync state, after a volunteer's day on it (20 households edited, 50
//! receipts); (c) the bench's "one volunteer's day" on each side (30 new households with 4
//! people, 50 receipts). Ignored (a minute or two in a debug build):
//! `cargo test -p rukun-tests --test frame_compression -- --ignored --nocapture`
//! (`RUKUN_FRAMES_HOUSEHOLDS=500` for a quick run).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use rukun_model::{Book, Device, GenerateSpec, GroupInit};
use rukun_sync::{
    BookReplica, Event, HEADER_LEN, Hello, Output, PeerId, Role, Session, SessionConfig,
};

/// Type byte of a `Sync` frame (see `rukun_sync::frame`).
const T_SYNC: u8 = 2;
const LEVELS: [i32; 3] = [1, 3, 9];
const DEFLATE_LEVELS: [u32; 2] = [1, 6];

/// One meeting: every frame each side sent, in order (side 0 dialled).
fn meet(replicas: [&mut BookReplica; 2], ids: [PeerId; 2]) -> Vec<(usize, Vec<u8>)> {
    let [r0, r1] = replicas;
    let reps: [&mut BookReplica; 2] = [r0, r1];
    let config = SessionConfig::default();
    let now = Instant::now();
    let mut sessions = [Role::Initiator, Role::Acceptor].map(|role| {
        let me = usize::from(role == Role::Acceptor);
        // The baseline is the plain protocol: no peer announces deflate, so every `Sync`
        // frame is sent as it is (the "deflate 1" column is what peers that do send now).
        let mut hello = Hello::for_replica(&*reps[me], &config.app_version);
        hello.compression.clear();
        Session::new(role, hello, ids[1 - me], config.clone(), now)
    });
    let mut frames = Vec::new();
    let mut inbound: [VecDeque<Vec<u8>>; 2] = Default::default();
    let mut finished = [false; 2];
    let mut route = |side: usize,
                     outs: Vec<Output>,
                     inbound: &mut [VecDeque<Vec<u8>>; 2],
                     frames: &mut Vec<(usize, Vec<u8>)>| {
        for out in outs {
            match out {
                Output::Transmit(bytes) => {
                    inbound[1 - side].push_back(bytes.clone());
                    frames.push((side, bytes));
                }
                Output::Event(Event::Finished(_)) => finished[side] = true,
                Output::Event(Event::Progress(_)) => {}
                Output::Event(other) => panic!("side {side}: {other:?}"),
            }
        }
    };
    for (s, session) in sessions.iter_mut().enumerate() {
        let outs = session.start(now);
        route(s, outs, &mut inbound, &mut frames);
    }
    loop {
        let mut moved = false;
        for s in 0..2 {
            while let Some(bytes) = inbound[s].pop_front() {
                let outs = sessions[s].handle_bytes(&bytes, &mut *reps[s], Instant::now());
                route(s, outs, &mut inbound, &mut frames);
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    assert!(finished == [true, true], "the meeting did not finish");
    frames
}

/// Bytes and times of the frames of one meeting, as sent and compressed frame by frame.
struct Measure {
    what: String,
    frames: usize,
    sync_frames: usize,
    bytes: u64,
    /// Per codec and level: compressed bytes, compression time, decompression time.
    codecs: Vec<(String, u64, Duration, Duration)>,
}

fn measure(what: &str, frames: &[(usize, Vec<u8>)]) -> Measure {
    let bytes: u64 = frames.iter().map(|(_, f)| f.len() as u64).sum();
    let sync_frames = frames
        .iter()
        .filter(|(_, f)| f.get(HEADER_LEN - 1) == Some(&T_SYNC))
        .count();
    let mut zstd_rows = Vec::new();
    for level in LEVELS {
        let (mut packed, mut ctime, mut dtime) = (0u64, Duration::ZERO, Duration::ZERO);
        for (_, f) in frames {
            let t = Instant::now();
            let z = zstd::bulk::compress(f, level).unwrap();
            ctime += t.elapsed();
            let t = Instant::now();
            let back = zstd::bulk::decompress(&z, f.len()).unwrap();
            dtime += t.elapsed();
            assert_eq!(&back, f);
            // A compressed frame would still carry the 5-byte header.
            packed += (z.len() + HEADER_LEN) as u64;
        }
        zstd_rows.push((format!("zstd {level}"), packed, ctime, dtime));
    }
    // Deflate (flate2, pure Rust miniz_oxide: already in the dependency tree, no C).
    for level in DEFLATE_LEVELS {
        let (mut packed, mut ctime, mut dtime) = (0u64, Duration::ZERO, Duration::ZERO);
        for (_, f) in frames {
            let t = Instant::now();
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
            enc.write_all(f).unwrap();
            let z = enc.finish().unwrap();
            ctime += t.elapsed();
            let t = Instant::now();
            let mut back = Vec::new();
            flate2::read::DeflateDecoder::new(z.as_slice())
                .read_to_end(&mut back)
                .unwrap();
            dtime += t.elapsed();
            assert_eq!(&back, f);
            packed += (z.len() + HEADER_LEN) as u64;
        }
        zstd_rows.push((format!("deflate {level}"), packed, ctime, dtime));
    }
    Measure {
        what: what.to_owned(),
        frames: frames.len(),
        sync_frames,
        bytes,
        codecs: zstd_rows,
    }
}

fn row(m: &Measure) -> String {
    let mut s = format!(
        "| {} | {} ({} sync) | {} B |",
        m.what, m.frames, m.sync_frames, m.bytes
    );
    for (_, packed, ctime, dtime) in &m.codecs {
        s += &format!(
            " {} B, {:.1}% saved, {:.1} / {:.1} ms |",
            packed,
            100.0 * (1.0 - *packed as f64 / m.bytes as f64),
            ctime.as_secs_f64() * 1000.0,
            dtime.as_secs_f64() * 1000.0
        );
    }
    s
}

/// 20 households edited (floor, floor area, water) and 50 receipts, one save each.
fn edits_and_receipts(book: &mut Book) {
    let ids: Vec<String> = book
        .households()
        .into_iter()
        .map(|(id, _)| id)
        .step_by(97)
        .take(20)
        .collect();
    for (i, id) in ids.iter().enumerate() {
        book.edit_household(id, |h| {
            h.lantai = "Keramik".into();
            h.luas_lantai_m2 = Some(40 + i as u32);
            h.air_minum = "PDAM".into();
        })
        .unwrap();
        book.commit("survei ulang").unwrap();
    }
    rukun_tests::iuran_receipts(book, 50).unwrap();
}

#[test]
#[ignore = "a minute or two: generates the kelurahan book in memory; run by hand for BENCHMARKS.md"]
fn zstd_on_sync_frames_of_the_kelurahan_book() {
    let households = std::env::var("RUKUN_FRAMES_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let (founder, volunteer) = (Device::from_seed(1), Device::from_seed(4242));
    let ids = [
        volunteer.member_id().to_bytes(),
        founder.member_id().to_bytes(),
    ];
    let init = GroupInit {
        name: "Kelurahan Sorosutan".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: (1..=10).collect(),
        member_name: "Bu Sri".into(),
    };
    let mut book = Book::new_in_memory(founder, &init).unwrap();
    let t = Instant::now();
    rukun_model::generate(
        &mut book,
        GenerateSpec {
            households,
            seed: 7,
        },
    )
    .unwrap();
    println!(
        "generated {households} households in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    book.add_member(
        volunteer.member_id(),
        "Relawan",
        rukun_model::Role::Relawan,
        None,
    )
    .unwrap();
    book.commit("add volunteer").unwrap();
    let group_id = book.group().unwrap().id;
    let mut a = BookReplica::new(book);
    let mut b = BookReplica::newcomer(Book::new_joining(volunteer).unwrap(), &group_id);

    let mut rows = Vec::new();
    // (a) Full sync to the empty device.
    let frames = meet([&mut b, &mut a], ids);
    rows.push(measure(
        &format!("(a) full sync, {households} households, to an empty device"),
        &frames,
    ));
    assert_eq!(
        b.book().households().len(),
        a.book().households().len(),
        "the newcomer has the whole book"
    );
    // (b) The volunteer's day on B, next meeting with saved sync states.
    edits_and_receipts(b.book_mut());
    let frames = meet([&mut b, &mut a], ids);
    rows.push(measure(
        "(b) next meeting: 20 households edited + 50 receipts on one side",
        &frames,
    ));
    // (c) The bench's volunteer's day on each side.
    rukun_tests::volunteer_day(a.book_mut(), 1).unwrap();
    rukun_tests::volunteer_day(b.book_mut(), 3).unwrap();
    let frames = meet([&mut b, &mut a], ids);
    rows.push(measure(
        "(c) next meeting: 30 new households (4 people) + 50 receipts on each side",
        &frames,
    ));

    println!(
        "| meeting | frames | bytes as sent | zstd 1: bytes, saved, compress / decompress | zstd 3 | zstd 9 | deflate 1 | deflate 6 |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for m in &rows {
        println!("{}", row(m));
    }
}
