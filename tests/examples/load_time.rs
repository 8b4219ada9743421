//! Times raw `Automerge::load` of a document file, the floor of any join that downloads a
//! snapshot (`scripts/bench-join` runs it beside `rukun join` on the same document).
//!
//! `cargo run --release -p rukun-tests --example load_time -- FILE [RUNS]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use automerge::Automerge;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: load_time FILE [RUNS]");
    let runs: usize = args
        .next()
        .map_or(3, |r| r.parse().expect("RUNS is a number"));
    let bytes = std::fs::read(&path).expect("read the document file");
    for _ in 0..runs {
        let t = Instant::now();
        let doc = Automerge::load(&bytes).expect("an Automerge document");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "raw Automerge::load of {} bytes ({} heads): {secs:.2} s",
            bytes.len(),
            doc.get_heads().len(),
        );
    }
}
