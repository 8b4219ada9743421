//! Whole-system scenarios for Rukun: several devices' books syncing, in one process (in memory
//! or over real iroh endpoints on 127.0.0.1) and as several `rukun` processes.
//!
//! This library holds what the scenarios share: the reference data in `data/rw08`, split
//! by RT the way two volunteers would have surveyed it, and small helpers to make books.

pub mod netns;
pub mod process;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rukun_model::{Book, Device, GroupInit, ImportKind, MemberId, Role, Stats};

/// Passphrase of every test book.
pub const PASS: &str = "rahasia-uji";

/// The six files of the reference data, in import order, with their import kind.
pub const FILES: [(ImportKind, &str); 6] = [
    (ImportKind::Penduduk, "rw08-penduduk.csv"),
    (ImportKind::Survei, "rw08-survei-rumah.csv"),
    (ImportKind::Donatur, "donatur.csv"),
    (ImportKind::Iuran, "iuran-2025.csv"),
    (ImportKind::Pmks, "pmks-2025.csv"),
    (ImportKind::Santunan, "santunan-2025.csv"),
];

/// The RTs volunteer A surveyed in the meeting scenario.
pub const RTS_A: [u16; 3] = [27, 28, 29];
/// The RTs volunteer B surveyed in the meeting scenario.
pub const RTS_B: [u16; 2] = [30, 31];

/// The reference data folder `data/rw08` of the repository (see its README.md).
///
/// # Errors
/// When the folder has no `expected-2025.json`.
pub fn data_dir() -> Result<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/rw08"));
    if !dir.join("expected-2025.json").is_file() {
        bail!("reference data not found in {}", dir.display());
    }
    Ok(dir)
}

/// The six counts of `expected-2025.json` as [`Stats`].
///
/// # Errors
/// When the file cannot be read or lacks a count.
pub fn expected_stats() -> Result<Stats> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data_dir()?.join("expected-2025.json"))?)?;
    let n = |k: &str| -> Result<usize> {
        v.get(k)
            .and_then(serde_json::Value::as_u64)
            .map(|n| n as usize)
            .with_context(|| format!("expected-2025.json has no count {k}"))
    };
    Ok(Stats {
        households: n("households")?,
        persons: n("persons")?,
        donors: n("donors")?,
        receipts: n("receipts")?,
        disbursements: n("disbursements")?,
        pmks: n("pmks")?,
        // The six files hold none of the whole year's records.
        ..Stats::default()
    })
}

/// The rows of every reference file whose RT is in `rts` (the header kept), as CSV bytes ready
/// for [`rukun_model::import_csv`]. Files without an RT column (PMKS, santunan) are split by the
/// RT of the person their NIK names in the penduduk file.
///
/// # Errors
/// When a file cannot be read or parsed.
pub fn files_for_rts(rts: &[u16]) -> Result<Vec<(ImportKind, Vec<u8>)>> {
    let dir = data_dir()?;
    let wanted: HashSet<String> = rts.iter().map(u16::to_string).collect();
    let mut nik_rt: HashMap<String, String> = HashMap::new();
    {
        let mut r = csv::Reader::from_path(dir.join("rw08-penduduk.csv"))?;
        let h = r.headers()?.clone();
        let (nik, rt) = (col(&h, "nik")?, col(&h, "rt")?);
        for row in r.records() {
            let row = row?;
            nik_rt.insert(row[nik].to_owned(), row[rt].to_owned());
        }
    }
    let mut out = Vec::new();
    for (kind, name) in FILES {
        let mut r = csv::Reader::from_path(dir.join(name))?;
        let h = r.headers()?.clone();
        let by_rt = col(&h, "rt").ok();
        let by_nik = col(&h, "nik").or_else(|_| col(&h, "nik_penerima")).ok();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&h)?;
        for row in r.records() {
            let row = row?;
            let rt = match (by_rt, by_nik) {
                (Some(i), _) => row[i].to_owned(),
                (None, Some(i)) => nik_rt.get(&row[i]).cloned().unwrap_or_default(),
                (None, None) => bail!("{name} has neither an rt nor a nik column"),
            };
            if wanted.contains(rt.trim()) {
                w.write_record(&row)?;
            }
        }
        out.push((kind, w.into_inner().context("csv writer")?));
    }
    Ok(out)
}

fn col(h: &csv::StringRecord, name: &str) -> Result<usize> {
    h.iter()
        .position(|c| c.trim() == name)
        .with_context(|| format!("no column {name}"))
}

/// Imports the reference rows of `rts` into `book` (every row must be accepted).
///
/// # Errors
/// When a file cannot be imported or a row is rejected.
pub fn import_rts(book: &mut Book, rts: &[u16]) -> Result<()> {
    for (kind, bytes) in files_for_rts(rts)? {
        let report = rukun_model::import_csv(book, kind, &bytes, &mut |_| {})?;
        if !report.rejected.is_empty() {
            bail!(
                "{kind:?}: {} rows rejected: {:?}",
                report.rejected.len(),
                report.rejected.first()
            );
        }
    }
    Ok(())
}

/// What founding the reference group needs.
pub fn group_init(member_name: &str) -> GroupInit {
    GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27, 28, 29, 30, 31],
        member_name: member_name.into(),
    }
}

/// Adds `device`'s member id to `book` as a member with `role`, and commits.
///
/// # Errors
/// When the book cannot be written.
pub fn add_member(book: &mut Book, id: &MemberId, name: &str, role: Role) -> Result<()> {
    book.add_member(id, name, role, None)?;
    Ok(())
}

/// An in-memory founding book (admin `seed`) and copies for the devices `others` (seeds), each
/// already listed as a member (role relawan), as after they joined.
///
/// # Errors
/// When a book cannot be created.
pub fn group_in_memory(founder: u64, others: &[u64]) -> Result<Vec<Book>> {
    let mut a = Book::new_in_memory(Device::from_seed(founder), &group_init("Bu Sri"))?;
    for s in others {
        let id = Device::from_seed(*s).member_id().clone();
        add_member(&mut a, &id, &format!("Relawan {s}"), Role::Relawan)?;
    }
    let mut books = Vec::new();
    for s in others {
        books.push(a.replica_for(Device::from_seed(*s)));
    }
    books.insert(0, a);
    Ok(books)
}

/// Live households with this KK number.
pub fn households_with_kk(book: &Book, kk: &str) -> usize {
    book.households()
        .iter()
        .filter(|(_, h)| h.is_live() && rukun_model::rules::or_blank(&h.no_kk) == kk)
        .count()
}

/// The `rukun` binary of this build, next to the test executable's folder. `cargo test
/// --workspace` builds it; a run of only this crate's tests needs `cargo build -p rukun-app`
/// first (a nested cargo would wait forever for the build lock the test run holds).
///
/// # Errors
/// When it is not there.
pub fn rukun_bin() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .context("test executable has no profile folder")?;
    let bin = profile_dir.join("rukun");
    if !bin.exists() {
        bail!(
            "{} is missing: run `cargo build -p rukun-app --bin rukun` (or `cargo test --workspace`) first",
            bin.display()
        );
    }
    Ok(bin)
}

/// One volunteer's day, as the benches and measurements replay it: 30 new households of 4
/// people (KK numbers unique per `day`), then [`iuran_receipts`] of 50, one save each.
///
/// # Errors
/// The first record the book refuses.
pub fn volunteer_day(book: &mut Book, day: u32) -> Result<()> {
    use rukun_model::{Household, Person};
    for i in 0..30 {
        let mut h = Household {
            no_kk: rukun_model::rules::NoKk::from_stored(&format!(
                "3471131001{:02}{:04}",
                20 + day % 5,
                9000 + i
            )),
            alamat: format!("Gg. Hari {day} No. {i}"),
            rt: 3,
            rw: 1,
            kepala_keluarga: format!("Warga {day}-{i}"),
            ..Default::default()
        };
        for k in 0..4 {
            h.anggota.insert(
                format!("d{day}-{i}-{k}"),
                Person {
                    nama: format!("Anggota {k}"),
                    ..Default::default()
                },
            );
        }
        book.add_household(h)?;
        book.commit("survei")?;
    }
    iuran_receipts(book, 50)
}

/// A Rp10.000 iuran receipt for each of the book's first `n` donors, one save each.
///
/// # Errors
/// The first receipt the book refuses.
pub fn iuran_receipts(book: &mut Book, n: usize) -> Result<()> {
    use rukun_model::{ReceiptDraft, rules::Rupiah};
    let donors: Vec<String> = book
        .donors()
        .into_iter()
        .take(n)
        .map(|(id, _)| id)
        .collect();
    let jumlah = Rupiah::from_whole(10_000).context("Rp10.000")?;
    for donor_id in donors {
        book.issue_receipts(&[ReceiptDraft {
            donor_id,
            jumlah,
            untuk: "Iuran".into(),
            diterima_pada: book.now(),
            penerima: "Ketua RT".into(),
            salinan_buku: false,
        }])?;
        book.commit("kuitansi")?;
    }
    Ok(())
}
