//! The monthly meeting in the deterministic in-memory harness (no sockets): real books, the
//! real sans-IO sessions, random partitions, heals and cuts; all books end identical.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rukun_model::{Book, Device};
use rukun_sync::BookReplica;
use rukun_sync::testing::Sim;
use rukun_tests::{RTS_A, RTS_B, expected_stats, group_in_memory, households_with_kk, import_rts};

/// A (RT 27–29) and B (RT 30–31) with their imports, and C, the meeting laptop, empty.
fn books() -> Vec<Book> {
    let mut books = group_in_memory(1, &[2, 3]).unwrap();
    import_rts(&mut books[0], &RTS_A).unwrap();
    import_rts(&mut books[1], &RTS_B).unwrap();
    books
}

fn sim_of(books: &mut [Book], seed: u64) -> Sim<BookReplica> {
    let mut sim = Sim::new(seed);
    for (i, b) in books.iter_mut().enumerate() {
        let seed = i as u64 + 1;
        let copy = b.replica_for(Device::from_seed(seed));
        sim.add_peer(
            Device::from_seed(seed).member_id().to_bytes(),
            BookReplica::new(copy),
        );
    }
    sim
}

fn heads(sim: &mut Sim<BookReplica>, i: usize) -> Vec<String> {
    sim.peer_mut(i).replica.book_mut().heads()
}

#[test]
fn meeting_with_random_partitions_ends_with_identical_books() {
    let mut base = books();
    let expected = expected_stats().unwrap();
    let kk_a = base[0]
        .households()
        .into_iter()
        .map(|(_, h)| h.no_kk)
        .next()
        .unwrap();
    for seed in [7_u64, 2025, 0xC0FFEE] {
        let mut sim = sim_of(&mut base, seed);
        let mut cuts = 0;
        for _round in 0..10 {
            let r = sim.rng().below(8);
            let a = sim.rng().below(3) as usize;
            let b = (a + 1 + sim.rng().below(2) as usize) % 3;
            match r {
                0 | 1 => sim.partition(a, b),
                2 => sim.heal(a, b),
                3 => {
                    let n = sim.rng().below(200_000);
                    if sim.connect_with_cut(a, b, n) {
                        cuts += 1;
                    }
                }
                _ => {
                    sim.connect(a, b);
                }
            }
            let _ = sim.run_until_quiescent();
        }
        // Everyone meets: A and B with the meeting laptop C, then with each other.
        sim.heal_all();
        for (a, b) in [(0, 2), (1, 2), (0, 1)] {
            assert!(sim.connect(a, b));
            let reports = sim.run_until_quiescent();
            assert!(
                reports.iter().all(|r| r.both_finished()),
                "seed {seed}: {reports:?}"
            );
        }
        let h0 = heads(&mut sim, 0);
        for i in 1..3 {
            assert_eq!(heads(&mut sim, i), h0, "seed {seed}: book {i} differs");
        }
        for i in 0..3 {
            let book = sim.peer(i).replica.book();
            assert_eq!(book.stats(), expected, "seed {seed}: stats of book {i}");
            assert_eq!(
                households_with_kk(book, rukun_model::rules::or_blank(&kk_a)),
                1,
                "seed {seed}"
            );
        }
        eprintln!("seed {seed}: converged after {cuts} cut sessions");
    }
}
