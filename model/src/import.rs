//! `rukun import KIND FILE`: the paper book's CSV files (and their Excel variants) into
//! the book. Rows are matched on natural keys so importing a file twice adds nothing;
//! rows that cannot be stored are reported with their line number and reason, and every
//! other row is imported.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::book::{Book, BookError};
use crate::csvread::{CsvError, Row, read_rows};
use crate::receipts::ReceiptDraft;
use crate::records::{Consent, Disbursement, Donor, Household, Meeting, Person, Pmks};
use crate::rules;

/// Rows written per commit: each commit is appended durably before its rows are reported
/// as saved.
const ROWS_PER_COMMIT: usize = 25;

/// The kinds of file `rukun import` reads (the files of `data/rw08`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// `rw08-penduduk.csv`: one row per person, grouped by `no_kk`.
    Penduduk,
    /// `rw08-survei-rumah.csv`: one row per household.
    Survei,
    /// `donatur.csv`: donors.
    Donatur,
    /// `iuran-2025.csv`: receipts with WIB times.
    Iuran,
    /// `santunan-2025.csv`: aid paid, with the meeting decision.
    Santunan,
    /// `pmks-2025.csv`: PMKS identifications.
    Pmks,
    /// `anggota-2025.csv`: the register of members.
    Anggota,
    /// `musyawarah-2025.csv`: meetings.
    Musyawarah,
    /// `keputusan-santunan-2025.csv`: payouts approved at meetings.
    Keputusan,
    /// `sumber-dana-2025.csv`: cash from other sources.
    SumberDana,
    /// `natura-2025.csv`: goods received in kind.
    Natura,
    /// `pengeluaran-2025.csv`: expenses.
    Pengeluaran,
    /// `pinjaman-2025.csv`: loans.
    Pinjaman,
    /// `angsuran-2025.csv`: loan repayments.
    Angsuran,
}

impl ImportKind {
    /// Every kind, in an order that imports the sample year without forward references.
    pub const ALL: [ImportKind; 14] = [
        ImportKind::Penduduk,
        ImportKind::Survei,
        ImportKind::Donatur,
        ImportKind::Iuran,
        ImportKind::Pmks,
        ImportKind::Anggota,
        ImportKind::Musyawarah,
        ImportKind::Keputusan,
        ImportKind::Santunan,
        ImportKind::SumberDana,
        ImportKind::Natura,
        ImportKind::Pengeluaran,
        ImportKind::Pinjaman,
        ImportKind::Angsuran,
    ];

    /// The command-line name (`sumber-dana`).
    pub fn name(self) -> &'static str {
        match self {
            ImportKind::Penduduk => "penduduk",
            ImportKind::Survei => "survei",
            ImportKind::Donatur => "donatur",
            ImportKind::Iuran => "iuran",
            ImportKind::Santunan => "santunan",
            ImportKind::Pmks => "pmks",
            ImportKind::Anggota => "anggota",
            ImportKind::Musyawarah => "musyawarah",
            ImportKind::Keputusan => "keputusan",
            ImportKind::SumberDana => "sumber-dana",
            ImportKind::Natura => "natura",
            ImportKind::Pengeluaran => "pengeluaran",
            ImportKind::Pinjaman => "pinjaman",
            ImportKind::Angsuran => "angsuran",
        }
    }

    /// Parses the command-line name (`penduduk`, `survei`, `donatur`, `iuran`, `santunan`,
    /// `pmks`, `anggota`, `musyawarah`, `keputusan`, `sumber-dana`, `natura`,
    /// `pengeluaran`, `pinjaman`, `angsuran`).
    pub fn parse(s: &str) -> Option<ImportKind> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        if let Some(k) = ImportKind::ALL.into_iter().find(|k| k.name() == s) {
            return Some(k);
        }
        Some(match s.as_str() {
            "penduduk" => ImportKind::Penduduk,
            "survei" => ImportKind::Survei,
            "donatur" => ImportKind::Donatur,
            "iuran" => ImportKind::Iuran,
            "santunan" => ImportKind::Santunan,
            "keputusan-santunan" => ImportKind::Keputusan,
            _ => return None,
        })
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            ImportKind::Penduduk => &["no_kk", "nik", "nama", "rt"],
            ImportKind::Survei => &["no_kk", "rt"],
            ImportKind::Donatur => &["kode_donatur", "nama"],
            ImportKind::Iuran => &["diterima_pada_wib", "kode_donatur", "jumlah"],
            ImportKind::Santunan => &["tanggal", "nik_penerima", "jenis", "jumlah"],
            ImportKind::Pmks => &["nik", "kode_pmks"],
            ImportKind::Anggota => &["no_anggota", "nama"],
            ImportKind::Musyawarah => &["id", "tanggal"],
            ImportKind::Keputusan => &["musyawarah_id", "nik_penerima", "jenis", "jumlah"],
            ImportKind::SumberDana => {
                &["diterima_pada_wib", "jenis_sumber", "nama_sumber", "jumlah"]
            }
            ImportKind::Natura => &["tanggal", "barang", "taksiran_rupiah"],
            ImportKind::Pengeluaran => &["tanggal", "kategori", "dibayar_kepada", "jumlah"],
            ImportKind::Pinjaman => &[
                "id",
                "tanggal",
                "nik_peminjam",
                "jumlah",
                "tenor_bulan",
                "angsuran_bulanan",
            ],
            ImportKind::Angsuran => &["tanggal", "pinjaman_id", "jumlah"],
        }
    }
}

/// A problem with one row: its 1-based line number in the file and the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowIssue {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// What is wrong, naming the field.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// Rows that added or changed something.
    pub imported: usize,
    /// Rows already present (same natural key, nothing to change).
    pub unchanged: usize,
    /// Rows refused, with their reasons; nothing of them was stored.
    pub rejected: Vec<RowIssue>,
    /// Rows stored with a warning (e.g. a survey answer kept as `Lainnya: …`).
    pub warnings: Vec<RowIssue>,
}

/// One row durably saved (reported after its commit reached the disk).
#[derive(Debug, Clone)]
pub struct SavedRow {
    /// Line number in the file.
    pub line: u64,
    /// What was saved, e.g. a receipt number or a household's KK.
    pub what: String,
}

/// Errors that stop an import as a whole (the rows already saved stay saved).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read as CSV.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// The book could not be written.
    #[error(transparent)]
    Book(#[from] BookError),
}

/// Indexes of natural keys of what the book already holds.
#[derive(Default)]
struct Keys {
    household_by_kk: HashMap<String, String>,
    person_by_nik: HashMap<String, (String, String)>,
    donor_by_kode: HashMap<String, String>,
    receipts: HashSet<ReceiptKey>,
    disbursements: HashSet<(String, String, String)>,
    pmks: HashSet<(String, u8)>,
    pmks_by_person: HashMap<String, String>,
    meeting_by_title: HashMap<String, String>,
}

impl Keys {
    fn build(book: &Book) -> Keys {
        let mut k = Keys::default();
        let mut person_of: HashMap<(String, String), String> = HashMap::new();
        for (id, h) in book.households() {
            if !h.is_live() {
                continue;
            }
            if let Some(kk) = &h.no_kk {
                k.household_by_kk.insert(kk.to_string(), id.clone());
            }
            for (pid, p) in h.live_people() {
                if let Some(nik) = &p.nik {
                    k.person_by_nik
                        .insert(nik.to_string(), (id.clone(), pid.clone()));
                    person_of.insert((id.clone(), pid.clone()), nik.to_string());
                }
            }
        }
        for (id, d) in book.donors() {
            if d.deleted.is_none() {
                k.donor_by_kode.insert(d.kode.clone(), id);
            }
        }
        for (_, r) in book.receipts() {
            k.receipts.insert((r.diterima_pada, r.kode_donatur.clone()));
        }
        for (_, d) in book.disbursements() {
            if d.deleted.is_none() {
                k.disbursements.insert((
                    d.tanggal.clone(),
                    rules::or_blank(&d.nik_penerima).to_string(),
                    d.jenis.clone(),
                ));
            }
        }
        for (id, p) in book.pmks() {
            if p.deleted.is_some() {
                continue;
            }
            if let Some(pid) = &p.person_id
                && let Some(nik) = person_of.get(&(p.household_id.clone(), pid.clone()))
            {
                k.pmks.insert((nik.clone(), p.kode.code()));
                k.pmks_by_person.entry(nik.clone()).or_insert(id);
            }
        }
        for (id, m) in book.meetings() {
            k.meeting_by_title.insert(m.judul.clone(), id);
        }
        k
    }
}

/// Outcome of one row.
pub(crate) enum Outcome {
    Stored(String),
    Present,
}

/// Imports CSV `bytes` of `kind` into `book`. Rows are committed in small batches, each
/// appended durably before `on_saved` is told about its rows.
///
/// Errors: only a file that cannot be read as CSV (nothing stored), or a failure to write
/// the book (rows reported saved so far stay saved). Bad rows are in the report.
pub fn import_csv(
    book: &mut Book,
    kind: ImportKind,
    bytes: &[u8],
    on_saved: &mut dyn FnMut(&SavedRow),
) -> Result<ImportReport, ImportError> {
    let rows = read_rows(bytes, kind.required())?;
    let mut keys = Keys::build(book);
    // The year's natural keys are read only for the year's files.
    let mut kas_keys: Option<crate::kas::KasImport> = None;
    let mut report = ImportReport::default();
    let mut batch: Vec<SavedRow> = Vec::new();
    let today = book.now().date_naive();
    let message = format!("import {kind:?}");
    let mut i = 0;
    while i < rows.len() {
        let end = (i + ROWS_PER_COMMIT).min(rows.len());
        let chunk = &rows[i..end];
        if kind == ImportKind::Iuran {
            import_receipts(book, chunk, &mut keys, &mut report, &mut batch)?;
        } else {
            for row in chunk {
                let mut warnings = Vec::new();
                let result = match kind {
                    ImportKind::Penduduk => {
                        penduduk_row(book, row, &mut keys, today, &mut warnings)
                    }
                    ImportKind::Survei => survei_row(book, row, &mut keys, today, &mut warnings),
                    ImportKind::Donatur => donatur_row(book, row, &mut keys),
                    ImportKind::Santunan => santunan_row(book, row, &mut keys),
                    ImportKind::Pmks => pmks_row(book, row, &mut keys, &mut warnings),
                    ImportKind::Iuran => Ok(Outcome::Present),
                    other => {
                        let keys =
                            kas_keys.get_or_insert_with(|| crate::kas::KasImport::build(book));
                        crate::kas::kas_row(book, other, row, keys)
                    }
                };
                for w in warnings {
                    report.warnings.push(RowIssue {
                        line: row.line,
                        message: w,
                    });
                }
                match result {
                    Ok(Outcome::Stored(what)) => {
                        report.imported += 1;
                        batch.push(SavedRow {
                            line: row.line,
                            what,
                        });
                    }
                    Ok(Outcome::Present) => report.unchanged += 1,
                    Err(RowError::Invalid(message)) => report.rejected.push(RowIssue {
                        line: row.line,
                        message,
                    }),
                    Err(RowError::Book(e)) => return Err(e.into()),
                }
            }
        }
        book.commit(&message)?;
        for s in batch.drain(..) {
            on_saved(&s);
        }
        i = end;
    }
    Ok(report)
}

/// Why a row was not stored.
pub(crate) enum RowError {
    Invalid(String),
    Book(BookError),
}

impl From<BookError> for RowError {
    fn from(e: BookError) -> Self {
        match e {
            BookError::Money(r) => RowError::Invalid(r.to_string()),
            BookError::Field(r) => RowError::Invalid(r.to_string()),
            other => RowError::Book(other),
        }
    }
}

pub(crate) fn invalid(field: &str, e: impl std::fmt::Display) -> RowError {
    RowError::Invalid(format!("{field}: {e}"))
}

pub(crate) fn required<'a>(row: &'a Row, field: &str) -> Result<&'a str, RowError> {
    let v = row.get(field);
    if v.is_empty() {
        Err(RowError::Invalid(format!("{field}: empty")))
    } else {
        Ok(v)
    }
}

pub(crate) fn parse_nik(row: &Row, field: &str) -> Result<rules::Nik, RowError> {
    rules::Nik::parse(required(row, field)?).map_err(|e| invalid(field, e))
}

fn parse_kk(row: &Row, field: &str) -> Result<rules::NoKk, RowError> {
    rules::NoKk::parse(required(row, field)?).map_err(|e| invalid(field, e))
}

fn parse_rt(row: &Row, field: &str) -> Result<u16, RowError> {
    rules::parse_rt(required(row, field)?).map_err(|e| invalid(field, e))
}

fn parse_rw_opt(row: &Row, field: &str, default: u16) -> Result<u16, RowError> {
    match row.get(field) {
        "" => Ok(default),
        v => rules::parse_rw(v).map_err(|e| invalid(field, e)),
    }
}

pub(crate) fn parse_date_opt(row: &Row, field: &str) -> Result<String, RowError> {
    match row.get(field) {
        "" => Ok(String::new()),
        v => rules::parse_date(v)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .map_err(|e| invalid(field, e)),
    }
}

pub(crate) fn parse_money_opt(row: &Row, field: &str) -> Result<Option<rules::Rupiah>, RowError> {
    match row.get(field) {
        "" => Ok(None),
        v => rules::Rupiah::parse(v)
            .map(Some)
            .map_err(|e| invalid(field, e)),
    }
}

/// A canonical label from a lenient parser, or the raw text with a warning.
fn label<T, E>(
    row: &Row,
    field: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    as_str: impl Fn(&T) -> String,
    warnings: &mut Vec<String>,
) -> String {
    let v = row.get(field);
    if v.is_empty() {
        return String::new();
    }
    match parse(v) {
        Ok(t) => as_str(&t),
        Err(_) => {
            warnings.push(format!("{field}: unknown value {v:?}, kept as written"));
            v.to_string()
        }
    }
}

fn paper_consent(book: &Book, today: NaiveDate) -> Consent {
    Consent {
        tanggal: today.format("%Y-%m-%d").to_string(),
        dijelaskan_oleh: book.member_id().to_string(),
        tujuan: "dicatat pada formulir kertas".to_string(),
        masa_simpan: String::new(),
        penanda_tangan: "dicatat pada formulir kertas".to_string(),
    }
}

fn person_from_row(row: &Row, warnings: &mut Vec<String>) -> Result<Person, RowError> {
    let nik = parse_nik(row, "nik")?;
    let nama = required(row, "nama")?.to_string();
    let tanggal_lahir = parse_date_opt(row, "tanggal_lahir")?;
    let jenis_kelamin = label(
        row,
        "jenis_kelamin",
        rules::Sex::parse,
        |s| s.as_str().to_string(),
        warnings,
    );
    let sex = rules::Sex::parse(&jenis_kelamin).ok();
    let born = NaiveDate::parse_from_str(&tanggal_lahir, "%Y-%m-%d").ok();
    for w in nik.check_against(sex, born) {
        warnings.push(format!("nik: {w}"));
    }
    Ok(Person {
        nik: Some(nik),
        nama,
        jenis_kelamin,
        tempat_lahir: row.get("tempat_lahir").to_string(),
        tanggal_lahir,
        hubungan_keluarga: label(
            row,
            "hubungan_keluarga",
            rules::Shdk::parse,
            |s| s.as_str().to_string(),
            warnings,
        ),
        status_perkawinan: label(
            row,
            "status_perkawinan",
            rules::StatusPerkawinan::parse,
            |s| s.as_str().to_string(),
            warnings,
        ),
        pendidikan: label(
            row,
            "pendidikan",
            rules::Pendidikan::parse,
            |s| s.as_str().to_string(),
            warnings,
        ),
        pekerjaan: row.get("pekerjaan").to_string(),
        agama: label(
            row,
            "agama",
            rules::Agama::parse,
            |s| s.as_str().to_string(),
            warnings,
        ),
        kewarganegaraan: match row.get("kewarganegaraan") {
            "" => "WNI".to_string(),
            v => v.to_uppercase(),
        },
        nama_ayah: row.get("nama_ayah").to_string(),
        nama_ibu: row.get("nama_ibu").to_string(),
        ..Default::default()
    })
}

fn penduduk_row(
    book: &mut Book,
    row: &Row,
    keys: &mut Keys,
    today: NaiveDate,
    warnings: &mut Vec<String>,
) -> Result<Outcome, RowError> {
    let no_kk = parse_kk(row, "no_kk")?;
    let rt = parse_rt(row, "rt")?;
    let rw = parse_rw_opt(row, "rw", book.group().map(|g| g.rw).unwrap_or(0))?;
    let person = person_from_row(row, warnings)?;
    let nik = rules::or_blank(&person.nik).to_string();
    if let Some((hid, _)) = keys.person_by_nik.get(&nik) {
        if keys.household_by_kk.get(no_kk.as_str()) == Some(hid) {
            return Ok(Outcome::Present);
        }
        return Err(RowError::Invalid(format!(
            "nik: {nik} is already in another household of the book"
        )));
    }
    let is_head = person.hubungan_keluarga == "Kepala Keluarga";
    let pid = crate::book::new_id();
    let hid = match keys.household_by_kk.get(no_kk.as_str()) {
        Some(hid) => {
            let hid = hid.clone();
            let name = person.nama.clone();
            let p = person;
            let pid2 = pid.clone();
            book.edit_household(&hid, |h| {
                h.anggota.insert(pid2, p);
                if is_head && h.kepala_keluarga.is_empty() {
                    h.kepala_keluarga = name;
                }
            })?;
            hid
        }
        None => {
            let mut h = Household {
                no_kk: Some(no_kk.clone()),
                alamat: row.get("alamat").to_string(),
                rt,
                rw,
                kepala_keluarga: if is_head {
                    person.nama.clone()
                } else {
                    String::new()
                },
                persetujuan: Some(paper_consent(book, today)),
                ..Default::default()
            };
            h.anggota.insert(pid.clone(), person);
            let hid = book.insert_household(h)?;
            keys.household_by_kk.insert(no_kk.to_string(), hid.clone());
            hid
        }
    };
    keys.person_by_nik.insert(nik.clone(), (hid, pid));
    Ok(Outcome::Stored(format!("person {nik}")))
}

fn survey(row: &Row, field: &str, q: rules::SurveyQuestion, warnings: &mut Vec<String>) -> String {
    let a = rules::normalize_answer(q, row.get(field));
    if let Some(w) = a.warning {
        warnings.push(w);
    }
    a.value
}

fn survei_row(
    book: &mut Book,
    row: &Row,
    keys: &mut Keys,
    today: NaiveDate,
    warnings: &mut Vec<String>,
) -> Result<Outcome, RowError> {
    use rules::SurveyQuestion as Q;
    let no_kk = parse_kk(row, "no_kk")?;
    let rt = parse_rt(row, "rt")?;
    let rw = parse_rw_opt(row, "rw", book.group().map(|g| g.rw).unwrap_or(0))?;
    let luas = match row.get("luas_lantai_m2") {
        "" => None,
        v => Some(
            v.replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && *f >= 0.0 && *f < 1.0e6)
                .map(|f| f.round() as u32)
                .ok_or_else(|| invalid("luas_lantai_m2", format!("not a number of m²: {v:?}")))?,
        ),
    };
    let income = parse_money_opt(row, "penghasilan_bulanan")?;
    let apply = |h: &mut Household, warnings: &mut Vec<String>| {
        h.rt = rt;
        h.rw = rw;
        let set = |dst: &mut String, v: &str| {
            if !v.is_empty() {
                *dst = v.to_string();
            }
        };
        set(&mut h.alamat, row.get("alamat"));
        set(&mut h.kepala_keluarga, row.get("kepala_keluarga"));
        if luas.is_some() {
            h.luas_lantai_m2 = luas;
        }
        for (field, q, dst) in [
            ("lantai", Q::Lantai, &mut h.lantai),
            ("dinding", Q::Dinding, &mut h.dinding),
            ("atap", Q::Atap, &mut h.atap),
            ("air_minum", Q::AirMinum, &mut h.air_minum),
            ("penerangan", Q::Penerangan, &mut h.penerangan),
            ("bahan_bakar", Q::BahanBakar, &mut h.bahan_bakar),
            ("fasilitas_bab", Q::FasilitasBab, &mut h.fasilitas_bab),
        ] {
            let v = survey(row, field, q, warnings);
            if !v.is_empty() {
                *dst = v;
            }
        }
        if income.is_some() {
            h.penghasilan_bulanan = income;
        }
        set(&mut h.aset, row.get("aset"));
        set(&mut h.bantuan, row.get("bantuan"));
    };
    match keys.household_by_kk.get(no_kk.as_str()).cloned() {
        Some(hid) => {
            let original = book.household(&hid)?.ok_or_else(|| {
                RowError::Book(BookError::NotFound {
                    kind: "household",
                    id: hid.clone(),
                })
            })?;
            let mut edited = original.clone();
            apply(&mut edited, warnings);
            if edited.surveyed_on.is_empty() {
                edited.surveyed_on = today.format("%Y-%m-%d").to_string();
                edited.surveyed_by = book.member_id().to_string();
            }
            if edited == original {
                return Ok(Outcome::Present);
            }
            book.save_household(&hid, &original, &edited)?;
        }
        None => {
            let mut h = Household {
                no_kk: Some(no_kk.clone()),
                persetujuan: Some(paper_consent(book, today)),
                surveyed_on: today.format("%Y-%m-%d").to_string(),
                surveyed_by: book.member_id().to_string(),
                ..Default::default()
            };
            apply(&mut h, warnings);
            let hid = book.insert_household(h)?;
            keys.household_by_kk.insert(no_kk.to_string(), hid);
        }
    }
    Ok(Outcome::Stored(format!("household {no_kk}")))
}

fn donatur_row(book: &mut Book, row: &Row, keys: &mut Keys) -> Result<Outcome, RowError> {
    let kode = required(row, "kode_donatur")?.to_string();
    let nama = required(row, "nama")?.to_string();
    let rt = match row.get("rt") {
        "" => 0,
        v => rules::parse_rt(v).map_err(|e| invalid("rt", e))?,
    };
    let no_kk = match row.get("no_kk") {
        "" => None,
        _ => Some(parse_kk(row, "no_kk")?),
    };
    let iuran = parse_money_opt(row, "iuran_bulanan")?;
    let jenis = match row.get("jenis") {
        "" => "tetap".to_string(),
        v => v.to_lowercase(),
    };
    let household_id = no_kk
        .as_ref()
        .and_then(|kk| keys.household_by_kk.get(kk.as_str()).cloned());
    match keys.donor_by_kode.get(&kode).cloned() {
        Some(id) => {
            let original = book.donor(&id)?.ok_or_else(|| {
                RowError::Book(BookError::NotFound {
                    kind: "donor",
                    id: id.clone(),
                })
            })?;
            let mut edited = original.clone();
            edited.nama = nama;
            edited.rt = rt;
            edited.no_kk = no_kk;
            if iuran.is_some() {
                edited.iuran_bulanan = iuran;
            }
            if household_id.is_some() {
                edited.household_id = household_id;
            }
            if edited == original {
                return Ok(Outcome::Present);
            }
            book.save_donor(&id, &original, &edited)?;
        }
        None => {
            let id = book.add_donor(Donor {
                kode: kode.clone(),
                nama,
                rt,
                no_kk,
                household_id,
                jenis,
                iuran_bulanan: iuran,
                ..Default::default()
            })?;
            keys.donor_by_kode.insert(kode.clone(), id);
        }
    }
    Ok(Outcome::Stored(format!("donor {kode}")))
}

fn import_receipts(
    book: &mut Book,
    rows: &[Row],
    keys: &mut Keys,
    report: &mut ImportReport,
    saved: &mut Vec<SavedRow>,
) -> Result<(), ImportError> {
    let mut drafts = Vec::new();
    let mut lines = Vec::new();
    for row in rows {
        match receipt_draft(row, keys) {
            Ok(Some((draft, key))) => {
                keys.receipts.insert(key);
                drafts.push(draft);
                lines.push(row.line);
            }
            Ok(None) => report.unchanged += 1,
            Err(message) => report.rejected.push(RowIssue {
                line: row.line,
                message,
            }),
        }
    }
    let issued = book.issue_receipts(&drafts)?;
    report.imported += issued.len();
    for (line, (_, r)) in lines.into_iter().zip(issued) {
        saved.push(SavedRow {
            line,
            what: format!("receipt {}", r.nomor),
        });
    }
    Ok(())
}

/// A receipt of the paper book: when the money came in, and from which donor.
type ReceiptKey = (chrono::DateTime<chrono::Utc>, String);

fn receipt_draft(row: &Row, keys: &Keys) -> Result<Option<(ReceiptDraft, ReceiptKey)>, String> {
    let when = rules::parse_wib_datetime(row.get("diterima_pada_wib"))
        .map_err(|e| format!("diterima_pada_wib: {e}"))?;
    let kode = row.get("kode_donatur").to_string();
    let donor_id =
        keys.donor_by_kode.get(&kode).cloned().ok_or_else(|| {
            format!("kode_donatur: unknown donor {kode:?} (import donatur first)")
        })?;
    let jumlah = rules::Rupiah::parse(row.get("jumlah")).map_err(|e| format!("jumlah: {e}"))?;
    if jumlah.amount().is_zero() {
        return Err("jumlah: must be more than Rp0".to_string());
    }
    let key = (when, kode);
    if keys.receipts.contains(&key) {
        return Ok(None);
    }
    let untuk = match row.get("keterangan") {
        "" => "Iuran".to_string(),
        v => v.to_string(),
    };
    Ok(Some((
        ReceiptDraft {
            donor_id,
            jumlah,
            untuk,
            diterima_pada: when,
            penerima: row.get("penerima").to_string(),
            salinan_buku: true,
        },
        key,
    )))
}

fn santunan_row(book: &mut Book, row: &Row, keys: &mut Keys) -> Result<Outcome, RowError> {
    let tanggal = parse_date_opt(row, "tanggal")?;
    if tanggal.is_empty() {
        return Err(RowError::Invalid("tanggal: empty".into()));
    }
    let nik = parse_nik(row, "nik_penerima")?.to_string();
    let jenis = required(row, "jenis")?.to_lowercase();
    let jumlah =
        rules::Rupiah::parse(required(row, "jumlah")?).map_err(|e| invalid("jumlah", e))?;
    let key = (tanggal.clone(), nik.clone(), jenis.clone());
    if keys.disbursements.contains(&key) {
        return Ok(Outcome::Present);
    }
    if let Ok(d) = rules::parse_date(&tanggal) {
        book.check_open_month(d)?;
    }
    // A recipient not in the book yet (penduduk imported later, or on another device) is
    // kept by NIK and linked when the person arrives.
    let (hid, pid) = match keys.person_by_nik.get(&nik).cloned() {
        Some((h, p)) => (h, Some(p)),
        None => (String::new(), None),
    };
    let meeting_id = match row.get("keputusan") {
        "" => None,
        title => Some(match keys.meeting_by_title.get(title) {
            Some(id) => id.clone(),
            None => {
                let id = book.add_meeting(Meeting {
                    judul: title.to_string(),
                    keputusan: title.to_string(),
                    ..Default::default()
                })?;
                keys.meeting_by_title.insert(title.to_string(), id.clone());
                id
            }
        }),
    };
    book.add_disbursement(Disbursement {
        household_id: hid,
        person_id: pid,
        nik_penerima: crate::rules::Nik::from_stored(&nik),
        pmks_id: keys.pmks_by_person.get(&nik).cloned(),
        jenis,
        jumlah,
        tanggal,
        meeting_id,
        dibayar_oleh: row.get("dibayar_oleh").to_string(),
        ..Default::default()
    })?;
    keys.disbursements.insert(key);
    Ok(Outcome::Stored(format!("santunan {nik}")))
}

fn pmks_row(
    book: &mut Book,
    row: &Row,
    keys: &mut Keys,
    warnings: &mut Vec<String>,
) -> Result<Outcome, RowError> {
    let nik = parse_nik(row, "nik")?.to_string();
    let code: u8 = required(row, "kode_pmks")?
        .parse()
        .map_err(|_| invalid("kode_pmks", "not a number 1–26"))?;
    let code = rules::PmksCode::new(code).map_err(|e| invalid("kode_pmks", e))?;
    let status = match row.get("status") {
        "" => rules::PmksStatus::Teridentifikasi,
        v => rules::PmksStatus::parse(v).map_err(|e| invalid("status", e))?,
    };
    let tanggal = parse_date_opt(row, "tanggal_identifikasi")?;
    let key = (nik.clone(), code.code());
    if keys.pmks.contains(&key) {
        return Ok(Outcome::Present);
    }
    let (hid, pid) = keys.person_by_nik.get(&nik).cloned().ok_or_else(|| {
        RowError::Invalid(format!(
            "nik: no person with NIK {nik} (import penduduk first)"
        ))
    })?;
    let named = row.get("nama_pmks");
    if !named.is_empty() && !named.eq_ignore_ascii_case(code.name()) {
        warnings.push(format!(
            "nama_pmks: {named:?} differs from the name of code {} ({}); the code is kept",
            code.code(),
            code.name()
        ));
    }
    if let Some(h) = book.household(&hid)?
        && let Some(p) = h.anggota.get(&pid)
        && let (Ok(born), Ok(on)) = (
            NaiveDate::parse_from_str(&p.tanggal_lahir, "%Y-%m-%d"),
            NaiveDate::parse_from_str(&tanggal, "%Y-%m-%d"),
        )
        && let Some(age) = on.years_since(born)
        && let Some(w) = code.age_warning(age)
    {
        warnings.push(format!("kode_pmks: {w}"));
    }
    let id = book.add_pmks(Pmks {
        status,
        tag: row.get("tag").to_string(),
        bukti: row.get("keterangan").to_string(),
        tanggal_identifikasi: tanggal,
        ..Pmks::new(hid, Some(pid), code)
    })?;
    keys.pmks.insert(key);
    keys.pmks_by_person.entry(nik.clone()).or_insert(id);
    Ok(Outcome::Stored(format!("pmks {nik} {}", code.code())))
}
