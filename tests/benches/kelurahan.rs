//! Kelurahan-scale benchmarks of Rukun beside raw Automerge on the same data, in the same
//! run. `cargo bench -p rukun-tests --bench kelurahan` measures the 5,000-household book
//! (`rukun generate --households 5000 --seed 7`) and rewrites the table in BENCHMARKS.md;
//! `cargo test --benches` (and so `.ci/run`) runs every figure once on a 500-household book
//! so the benchmarks never rot.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use automerge::{AutoCommit, ReadDoc, sync::SyncDoc, transaction::Transactable};
use rukun_model::{Book, Device, GenerateSpec, GroupInit, storage::KdfParams};
use rukun_sync::{BookReplica, Node, NodeConfig, Summary};

const PASS: &str = "bench-passphrase";

struct Row {
    what: String,
    ours: String,
    raw: String,
    ratio: Option<f64>,
    target: String,
    met: Option<bool>,
}

struct Bench {
    full: bool,
    rows: Vec<Row>,
    dir: tempfile::TempDir,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(n: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        std::hint::black_box(f());
        v.push(t.elapsed());
    }
    median(v)
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn size(b: u64) -> String {
    if b > 10 * 1024 * 1024 {
        format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KiB", b as f64 / 1024.0)
    }
}

fn init() -> GroupInit {
    GroupInit {
        name: "Kelurahan Sorosutan".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: (1..=10).collect(),
        member_name: "Bench".into(),
    }
}

fn fsync_dir(dir: &Path) {
    std::fs::File::open(dir).unwrap().sync_all().unwrap();
}

/// Raw durable write: temp file, fsync, rename, fsync folder.
fn raw_durable_write(dir: &Path, name: &str, bytes: &[u8]) {
    use std::io::Write;
    let tmp = dir.join(format!("{name}.tmp"));
    let mut f = std::fs::File::create(&tmp).unwrap();
    f.write_all(bytes).unwrap();
    f.sync_all().unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
    fsync_dir(dir);
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        total += if p.is_dir() {
            dir_bytes(&p)
        } else {
            std::fs::metadata(&p).unwrap().len()
        };
    }
    total
}

/// Raw Automerge sync of `a` into `b` in memory until quiet: (bytes, round trips).
fn raw_sync(
    a: &mut AutoCommit,
    b: &mut AutoCommit,
    sa: &mut automerge::sync::State,
    sb: &mut automerge::sync::State,
) -> (u64, u64) {
    let mut bytes = 0u64;
    let mut rounds = 0u64;
    loop {
        let mut moved = false;
        if let Some(m) = a.sync().generate_sync_message(sa) {
            let enc = m.encode();
            bytes += enc.len() as u64;
            b.sync()
                .receive_sync_message(sb, automerge::sync::Message::decode(&enc).unwrap())
                .unwrap();
            moved = true;
        }
        if let Some(m) = b.sync().generate_sync_message(sb) {
            let enc = m.encode();
            bytes += enc.len() as u64;
            a.sync()
                .receive_sync_message(sa, automerge::sync::Message::decode(&enc).unwrap())
                .unwrap();
            moved = true;
        }
        if !moved {
            return (bytes, rounds);
        }
        rounds += 1;
    }
}

impl Bench {
    fn row(
        &mut self,
        what: &str,
        ours: Duration,
        raw: Option<Duration>,
        target: &str,
        met: Option<bool>,
    ) {
        self.rows.push(Row {
            what: what.into(),
            ours: ms(ours),
            raw: raw.map(ms).unwrap_or_else(|| "—".into()),
            ratio: raw.map(|r| ours.as_secs_f64() / r.as_secs_f64().max(1e-9)),
            target: target.into(),
            met,
        });
    }

    fn text_row(
        &mut self,
        what: &str,
        ours: String,
        raw: String,
        ratio: Option<f64>,
        target: &str,
        met: Option<bool>,
    ) {
        self.rows.push(Row {
            what: what.into(),
            ours,
            raw,
            ratio,
            target: target.into(),
            met,
        });
    }

    fn n(&self, full: usize) -> usize {
        if self.full { full } else { 1 }
    }

    fn run(&mut self) {
        let households = if self.full { 5000 } else { 500 };
        let path = self.dir.path().join("book");
        // Building the book (issue 2: under two minutes for 5,000 households).
        let t = Instant::now();
        let mut book = Book::create(&path, PASS, KdfParams::insecure_fast(), &init()).unwrap();
        let report = rukun_model::generate(
            &mut book,
            GenerateSpec {
                households,
                seed: 7,
            },
        )
        .unwrap();
        let gen_time = t.elapsed();
        self.row(
            &format!(
                "`rukun generate` {households} households ({} receipts, {} saves)",
                report.receipts, report.commits
            ),
            gen_time,
            None,
            "< 2 min",
            Some(gen_time < Duration::from_secs(120)),
        );
        // The volunteer who will receive the book is a member.
        let volunteer = Device::from_seed(4242);
        book.add_member(
            volunteer.member_id(),
            "Relawan",
            rukun_model::Role::Relawan,
            None,
        )
        .unwrap();
        book.commit("add volunteer").unwrap();
        book.compact().unwrap();
        let group_id = book.group().unwrap().id;
        let doc_bytes = book.save_document();
        drop(book);

        // Open from disk (KDF excluded: the book uses cheap KDF params) vs Automerge::load.
        let ours = time(self.n(5), || Book::open(&path, PASS).unwrap());
        let raw = time(self.n(5), || AutoCommit::load(&doc_bytes).unwrap());
        let r = ours.as_secs_f64() / raw.as_secs_f64();
        self.row(
            "open the book from disk vs `Automerge::load`",
            ours,
            Some(raw),
            "≤ 1.5×",
            Some(r <= 1.5),
        );

        // One record saved durably vs raw save_incremental with the same durability steps.
        let mut book = Book::open(&path, PASS).unwrap();
        let id = book.household_index().entries()[0].id.clone();
        let mut i = 0u32;
        let ours = time(self.n(20), || {
            i += 1;
            book.edit_household(&id, |h| h.alamat = format!("Jl. Bench {i}"))
                .unwrap();
            book.commit("bench save").unwrap();
        });
        let raw_dir = self.dir.path().join("raw");
        std::fs::create_dir_all(&raw_dir).unwrap();
        let mut raw_doc = AutoCommit::load(&doc_bytes).unwrap();
        let (_, tbl) = raw_doc.get(automerge::ROOT, "households").unwrap().unwrap();
        let (_, rec) = raw_doc.get(&tbl, id.as_str()).unwrap().unwrap();
        let mut j = 0u32;
        let raw = time(self.n(20), || {
            j += 1;
            raw_doc
                .put(&rec, "alamat", format!("Jl. Bench {j}"))
                .unwrap();
            raw_doc.commit();
            let bytes = raw_doc.save_incremental();
            raw_durable_write(&raw_dir, &format!("chunk-{j}"), &bytes);
        });
        let r = ours.as_secs_f64() / raw.as_secs_f64();
        self.row(
            "one household saved durably vs raw `save_incremental` + fsync",
            ours,
            Some(raw),
            "≤ 2×",
            Some(r <= 2.0),
        );

        // Search in the household list (index kept up to date on change).
        let _ = book.household_index();
        let ours = time(self.n(50), || {
            book.household_index().search(None, "santoso").len()
        });
        self.row(
            "search the household list (index)",
            ours,
            None,
            "≤ 5 ms",
            Some(ours <= Duration::from_millis(5)),
        );

        // Yearly report.
        let records = book.money_records();
        let name = book.group().unwrap().name;
        let ours = time(self.n(20), || {
            let input = records.input();
            rukun_model::period_report(&input, &name, &rukun_model::Period::year(2025).unwrap())
        });
        self.row(
            "yearly report (records in memory)",
            ours,
            None,
            "≤ 100 ms",
            Some(ours <= Duration::from_millis(100)),
        );
        let ours_read = time(self.n(5), || book.money_records());
        self.row(
            "reading every money record from the document",
            ours_read,
            None,
            "",
            None,
        );

        // Duplicate detection.
        let ours = time(self.n(5), || book.duplicate_households().len());
        self.row(
            "duplicate detection",
            ours,
            None,
            "≤ 1 s",
            Some(ours <= Duration::from_secs(1)),
        );

        // CSV export of everything.
        let ours = time(self.n(5), || rukun_model::export_csv(&book).unwrap());
        self.row(
            "CSV export of everything",
            ours,
            None,
            "≤ 2 s",
            Some(ours <= Duration::from_secs(2)),
        );
        drop(book);

        // Peak memory of a process holding the book, and bytes on disk.
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .env("RUKUN_BENCH_HOLD", &path)
            .output()
            .unwrap();
        let peak_kib: u64 = String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| {
                l.strip_prefix("peak_kib ")
                    .and_then(|v| v.trim().parse().ok())
            })
            .unwrap_or(0);
        self.text_row(
            "peak memory of a process holding the book (VmHWM)",
            size(peak_kib * 1024),
            "—".into(),
            None,
            "≤ 500 MiB",
            Some(peak_kib > 0 && peak_kib <= 500 * 1024),
        );
        let on_disk = dir_bytes(&path);
        self.text_row(
            "bytes on disk (encrypted; newest and previous snapshot) vs `save()`",
            size(on_disk),
            size(doc_bytes.len() as u64),
            Some(on_disk as f64 / doc_bytes.len() as f64),
            "",
            None,
        );

        self.sync_figures(&path, &doc_bytes, volunteer, &group_id);

        // Changing the passphrase (issue 8) with the default Argon2id parameters.
        let pw = self.dir.path().join("pw");
        drop(Book::create(&pw, PASS, KdfParams::default(), &init()).unwrap());
        let ours = time(1, || {
            Book::change_passphrase(&pw, PASS, "sandi yang baru", KdfParams::default()).unwrap()
        });
        self.row(
            "change the passphrase (Argon2id 64 MiB, 3 passes)",
            ours,
            None,
            "< 1 s",
            Some(ours < Duration::from_secs(1)),
        );
    }

    /// Full and incremental sync over iroh on 127.0.0.1 vs raw in-memory Automerge sync.
    fn sync_figures(&mut self, path: &Path, doc_bytes: &[u8], volunteer: Device, group_id: &str) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let secret = volunteer.secret_bytes();
        let recv_dir = self.dir.path().join("volunteer");
        let local: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        // Full sync to an empty device, until the receiver has saved it durably.
        let (full_time, full) = rt.block_on(async {
            let sender = Node::spawn(
                BookReplica::new(Book::open(path, PASS).unwrap()),
                NodeConfig::new(local),
            )
            .await
            .unwrap();
            let addr = sender.ticket().addr().clone();
            let t = Instant::now();
            let newcomer = BookReplica::newcomer(
                Book::new_joining(Device::from_secret(secret)).unwrap(),
                group_id,
            );
            let receiver = Node::spawn(newcomer, NodeConfig::new(local)).await.unwrap();
            // The newcomer's empty book does not list the sender yet: it is the inviter
            // (as after `rukun join`'s invite exchange), so it is dialled as such.
            let summary: Summary = rukun_sync::sync_with_inviter(
                receiver.endpoint(),
                addr,
                receiver.replica().clone(),
                &rukun_sync::SessionConfig::default(),
                |_| {},
            )
            .await
            .unwrap();
            // The newcomer's book is stored as `rukun join` stores it.
            let replica = receiver.replica().clone();
            receiver.shutdown().await.unwrap();
            let (book, states) = std::sync::Arc::try_unwrap(replica)
                .ok()
                .unwrap()
                .into_inner()
                .unwrap()
                .into_parts();
            let mut book = book
                .store_joined(&recv_dir, PASS, KdfParams::insecure_fast())
                .unwrap();
            book.adopt_sync_states(&states).unwrap();
            let elapsed = t.elapsed();
            drop(book);
            sender.shutdown().await.unwrap();
            (elapsed, summary)
        });
        let mut raw_src = AutoCommit::load(doc_bytes).unwrap();
        let raw_dir = self.dir.path().join("raw-full");
        std::fs::create_dir_all(&raw_dir).unwrap();
        let t = Instant::now();
        let mut raw_dst = AutoCommit::new();
        let (mut sa, mut sb) = (automerge::sync::State::new(), automerge::sync::State::new());
        let (raw_bytes, raw_rounds) = raw_sync(&mut raw_src, &mut raw_dst, &mut sa, &mut sb);
        raw_durable_write(&raw_dir, "book.automerge", &raw_dst.save());
        let raw_time = t.elapsed();
        let r = full_time.as_secs_f64() / raw_time.as_secs_f64();
        self.row(
            "full sync to an empty device over iroh, saved durably: time",
            full_time,
            Some(raw_time),
            "≤ 1.3×",
            Some(r <= 1.3),
        );
        let ours_bytes = full.bytes_sent + full.bytes_received;
        let rb = ours_bytes as f64 / raw_bytes.max(1) as f64;
        self.text_row(
            "full sync: bytes (both directions)",
            size(ours_bytes),
            size(raw_bytes),
            Some(rb),
            "≤ 1.1×",
            Some(rb <= 1.1),
        );
        self.text_row(
            "full sync: round trips (our messages sent/received)",
            format!(
                "{} ({}/{}; {} sent, {} received)",
                full.round_trips,
                full.messages_sent,
                full.messages_received,
                size(full.bytes_sent),
                size(full.bytes_received)
            ),
            raw_rounds.to_string(),
            None,
            "",
            None,
        );

        // Incremental: one volunteer's day on each side, with and without saved sync state.
        // The raw baseline syncs the very same two documents (same changes) in memory.
        for saved in [true, false] {
            let (elapsed, s, base, docs) = rt.block_on(async {
                let mut sender_book = Book::open(path, PASS).unwrap();
                let base = sender_book.save_document();
                rukun_tests::volunteer_day(&mut sender_book, if saved { 1 } else { 2 }).unwrap();
                let mut recv_book = Book::open(&recv_dir, PASS).unwrap();
                rukun_tests::volunteer_day(&mut recv_book, if saved { 3 } else { 4 }).unwrap();
                let docs = (sender_book.save_document(), recv_book.save_document());
                if !saved {
                    // Forget what each side knew of the other.
                    drop(sender_book);
                    drop(recv_book);
                    for dir in [path, recv_dir.as_path()] {
                        for e in std::fs::read_dir(dir.join("device")).unwrap() {
                            let p = e.unwrap().path();
                            if p.file_name().unwrap().to_string_lossy().starts_with("sync") {
                                std::fs::remove_file(p).unwrap();
                            }
                        }
                    }
                    sender_book = Book::open(path, PASS).unwrap();
                    recv_book = Book::open(&recv_dir, PASS).unwrap();
                }
                let sender = Node::spawn(BookReplica::new(sender_book), NodeConfig::new(local))
                    .await
                    .unwrap();
                let receiver = Node::spawn(BookReplica::new(recv_book), NodeConfig::new(local))
                    .await
                    .unwrap();
                let t = Instant::now();
                let s = receiver
                    .sync_with(sender.ticket().addr().clone(), |_| {})
                    .await
                    .unwrap();
                let elapsed = t.elapsed();
                receiver.shutdown().await.unwrap();
                sender.shutdown().await.unwrap();
                (elapsed, s, base, docs)
            });
            let (mut a, mut b, mut sa, mut sb);
            if saved {
                // States as they were after the two books last synced (at `base`).
                a = AutoCommit::load(&base).unwrap();
                b = AutoCommit::load(&base).unwrap();
                sa = automerge::sync::State::new();
                sb = automerge::sync::State::new();
                raw_sync(&mut a, &mut b, &mut sa, &mut sb);
                // Saved between meetings: only the persistent part of a sync state survives.
                sa = automerge::sync::State::decode(&sa.encode()).unwrap();
                sb = automerge::sync::State::decode(&sb.encode()).unwrap();
                a.load_incremental(&docs.0).unwrap();
                b.load_incremental(&docs.1).unwrap();
            } else {
                a = AutoCommit::load(&docs.0).unwrap();
                b = AutoCommit::load(&docs.1).unwrap();
                sa = automerge::sync::State::new();
                sb = automerge::sync::State::new();
            }
            let t = Instant::now();
            let (rbytes, rrounds) = raw_sync(&mut b, &mut a, &mut sb, &mut sa);
            let rtime = t.elapsed();
            let label = if saved {
                "with saved sync state"
            } else {
                "without saved sync state"
            };
            self.row(
                &format!("one volunteer's day each side, {label}: time"),
                elapsed,
                Some(rtime),
                "",
                None,
            );
            let ob = s.bytes_sent + s.bytes_received;
            let rb = ob as f64 / rbytes.max(1) as f64;
            self.text_row(
                &format!("one volunteer's day, {label}: bytes"),
                size(ob),
                size(rbytes),
                Some(rb),
                if saved { "≤ 1.2×" } else { "" },
                if saved { Some(rb <= 1.2) } else { None },
            );
            self.text_row(
                &format!("one volunteer's day, {label}: round trips"),
                s.round_trips.to_string(),
                rrounds.to_string(),
                None,
                if saved { "≤ 2" } else { "" },
                if saved {
                    Some(s.round_trips <= 2)
                } else {
                    None
                },
            );
        }
    }

    fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "| figure | Rukun | raw Automerge | ratio | target | met |"
        );
        let _ = writeln!(s, "| --- | ---: | ---: | ---: | --- | --- |");
        for r in &self.rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                r.what,
                r.ours,
                r.raw,
                r.ratio
                    .map(|x| format!("{x:.2}×"))
                    .unwrap_or_else(|| "—".into()),
                r.target,
                match r.met {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "",
                }
            );
        }
        s
    }
}

fn hold(path: &str) {
    let book = Book::open(Path::new(path), PASS).unwrap();
    std::hint::black_box(book.stats());
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("0");
    println!("peak_kib {peak}");
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_kib: u64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0);
    format!(
        "{cpu}, {cores} cores, {:.0} GiB",
        mem_kib as f64 / 1024.0 / 1024.0
    )
}

fn benchmarks_md() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("BENCHMARKS.md")
}

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

fn main() {
    if let Ok(p) = std::env::var("RUKUN_BENCH_HOLD") {
        hold(&p);
        return;
    }
    let full = std::env::args().any(|a| a == "--bench");
    let mut b = Bench {
        full,
        rows: Vec::new(),
        dir: tempfile::tempdir().unwrap(),
    };
    let started = Instant::now();
    b.run();
    let table = b.markdown();
    println!("{table}");
    if full {
        let block = format!(
            "{BEGIN}\nMeasured {} on {} by `cargo bench -p rukun-tests --bench kelurahan` (release build, whole run {:.0} s).\n\n{table}{END}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
            machine(),
            started.elapsed().as_secs_f64()
        );
        let path = benchmarks_md();
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let new = match (old.find(BEGIN), old.find(END)) {
            (Some(a), Some(z)) if a < z => {
                format!("{}{}{}", &old[..a], block, &old[z + END.len()..])
            }
            _ => format!("{old}\n{block}\n"),
        };
        std::fs::write(&path, new).unwrap();
        eprintln!("BENCHMARKS.md updated");
    } else {
        assert!(b.rows.len() >= 18, "every benchmark ran: {}", b.rows.len());
        println!("1 passed, 0 failed");
    }
}
