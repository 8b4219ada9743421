//! `rukun import anggota|musyawarah|keputusan|sumber-dana|natura|pengeluaran|pinjaman|angsuran`:
//! the whole year's files. Each row goes through the write path of [`super::write`]; rows
//! are matched on what they say (their natural key, counted, so two equal rows of one file
//! stay two) and importing a file again adds nothing. A row naming a meeting, a person or
//! a loan not in the book yet is kept, and linked when that record arrives.

use std::collections::HashMap;

use chrono::{NaiveTime, TimeZone};

use super::records::{Anggota, Natura, Pengeluaran, Persetujuan, Pinjaman};
use super::write::IncomeDraft;
use crate::book::Book;
use crate::csvread::Row;
use crate::import::{
    ImportKind, Outcome, RowError, invalid, parse_date_opt, parse_money_opt, parse_nik, required,
};
use crate::records::Meeting;
use crate::rules::{self, Jabatan, JenisRapat, KategoriPengeluaran, Nik, Rupiah, SumberDana};

/// What the book already holds of the year's files, by natural key with how many times.
#[derive(Default)]
pub(crate) struct KasImport {
    seen: HashMap<String, usize>,
    used: HashMap<String, usize>,
}

fn key(parts: &[&str]) -> String {
    parts.join("\u{1f}")
}

fn money(r: Rupiah) -> String {
    r.amount().normalize().to_string()
}

impl KasImport {
    /// Indexes the book's records of the year's kinds.
    pub(crate) fn build(book: &Book) -> KasImport {
        let mut k = KasImport::default();
        let mut add = |s: String| *k.seen.entry(s).or_default() += 1;
        for (_, r) in book.receipts() {
            if r.sumber != SumberDana::Iuran {
                add(income_key(
                    &r.diterima_pada,
                    r.sumber,
                    &r.dari,
                    &r.pinjaman,
                    r.jumlah,
                ));
            }
        }
        for (_, p) in book.approvals() {
            add(key(&[
                "keputusan",
                &p.keputusan,
                rules::or_blank(&p.nik_penerima),
                &p.jenis,
                &money(p.jumlah),
            ]));
        }
        for (_, x) in book.expenses() {
            add(expense_key(&x));
        }
        for (_, n) in book.natura() {
            add(key(&[
                "natura",
                &n.tanggal,
                &n.sumber,
                &n.barang,
                &money(n.taksiran),
            ]));
        }
        k
    }

    /// True when a row with this key is already in the book (one more time than this
    /// file has repeated it so far); counts the row.
    fn present(&mut self, key: String) -> bool {
        let used = self.used.entry(key.clone()).or_default();
        *used += 1;
        *used <= self.seen.get(&key).copied().unwrap_or(0)
    }
}

fn income_key(
    at: &chrono::DateTime<chrono::Utc>,
    sumber: SumberDana,
    dari: &str,
    pinjaman: &str,
    jumlah: Rupiah,
) -> String {
    // A repayment is known by its loan (its payer's name is filled in from the loan).
    let dari = if sumber == SumberDana::Angsuran {
        ""
    } else {
        dari.trim()
    };
    key(&[
        "income",
        &at.timestamp().to_string(),
        sumber.as_str(),
        dari,
        pinjaman.trim(),
        &money(jumlah),
    ])
}

fn expense_key(x: &Pengeluaran) -> String {
    key(&[
        "expense",
        &x.tanggal,
        x.kategori.as_str(),
        x.dibayar_kepada.trim(),
        &money(x.jumlah),
        x.no_nota.trim(),
    ])
}

fn nik_opt(row: &Row, field: &str) -> Result<Option<Nik>, RowError> {
    match row.get(field) {
        "" => Ok(None),
        _ => parse_nik(row, field).map(Some),
    }
}

fn amount(row: &Row, field: &str) -> Result<Rupiah, RowError> {
    Rupiah::parse(required(row, field)?).map_err(|e| invalid(field, e))
}

fn date(row: &Row, field: &str) -> Result<String, RowError> {
    required(row, field)?;
    parse_date_opt(row, field)
}

fn whole(row: &Row, field: &str) -> Result<u32, RowError> {
    required(row, field)?
        .parse()
        .map_err(|_| invalid(field, "not a whole number"))
}

/// Imports one row of a year's file.
pub(crate) fn kas_row(
    book: &mut Book,
    kind: ImportKind,
    row: &Row,
    keys: &mut KasImport,
) -> Result<Outcome, RowError> {
    match kind {
        ImportKind::Anggota => {
            let no = required(row, "no_anggota")?.to_string();
            let jabatan = match row.get("jabatan") {
                "" => Jabatan::Anggota,
                v => Jabatan::parse(v).map_err(|e| invalid("jabatan", e))?,
            };
            let a = Anggota {
                no_anggota: no.clone(),
                nik: nik_opt(row, "nik")?,
                nama: required(row, "nama")?.to_string(),
                rt: match row.get("rt") {
                    "" => 0,
                    v => rules::parse_rt(v).map_err(|e| invalid("rt", e))?,
                },
                jabatan,
                tanggal_masuk: parse_date_opt(row, "tanggal_masuk")?,
                iuran_wajib_bulanan: parse_money_opt(row, "iuran_wajib_bulanan")?,
                ..Default::default()
            };
            let (_, changed) = book.put_register_member(a)?;
            Ok(if changed {
                Outcome::Stored(format!("anggota {no}"))
            } else {
                Outcome::Present
            })
        }
        ImportKind::Musyawarah => {
            let judul = required(row, "id")?.to_string();
            let m = Meeting {
                judul: judul.clone(),
                tanggal: date(row, "tanggal")?,
                jenis: match row.get("jenis") {
                    "" => JenisRapat::Bulanan,
                    v => JenisRapat::parse(v).map_err(|e| invalid("jenis", e))?,
                },
                tempat: row.get("tempat").to_string(),
                hadir: crate::stored::codes::parse(row.get("hadir")),
                agenda: row.get("agenda").to_string(),
                keputusan: row.get("keputusan").to_string(),
                ..Default::default()
            };
            let (_, changed) = book.record_meeting(m)?;
            Ok(if changed {
                Outcome::Stored(format!("musyawarah {judul}"))
            } else {
                Outcome::Present
            })
        }
        ImportKind::Keputusan => {
            let p = Persetujuan {
                keputusan: required(row, "musyawarah_id")?.to_string(),
                nik_penerima: Some(parse_nik(row, "nik_penerima")?),
                jenis: required(row, "jenis")?.to_lowercase(),
                jumlah: amount(row, "jumlah")?,
                ..Default::default()
            };
            let k = key(&[
                "keputusan",
                &p.keputusan,
                rules::or_blank(&p.nik_penerima),
                &p.jenis,
                &money(p.jumlah),
            ]);
            if keys.present(k) {
                return Ok(Outcome::Present);
            }
            let what = format!(
                "keputusan {} {}",
                p.keputusan,
                rules::or_blank(&p.nik_penerima)
            );
            book.approve(p)?;
            Ok(Outcome::Stored(what))
        }
        ImportKind::SumberDana => {
            let at = rules::parse_wib_datetime(required(row, "diterima_pada_wib")?)
                .map_err(|e| invalid("diterima_pada_wib", e))?;
            let sumber = SumberDana::parse(required(row, "jenis_sumber")?)
                .map_err(|e| invalid("jenis_sumber", e))?;
            let d = IncomeDraft {
                sumber,
                dari: required(row, "nama_sumber")?.to_string(),
                jumlah: amount(row, "jumlah")?,
                untuk: row.get("keterangan").to_string(),
                diterima_pada: at,
                penerima: row.get("penerima").to_string(),
                salinan_buku: true,
                ..Default::default()
            };
            income(book, keys, d)
        }
        ImportKind::Angsuran => {
            let day =
                rules::parse_date(required(row, "tanggal")?).map_err(|e| invalid("tanggal", e))?;
            // A repayment's paper row has a date only: noon WIB of that day.
            let at = rules::wib()
                .from_local_datetime(
                    &day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()),
                )
                .single()
                .map(|t| t.with_timezone(&chrono::Utc))
                .ok_or_else(|| invalid("tanggal", "not a time in WIB"))?;
            let pinjaman = required(row, "pinjaman_id")?.to_string();
            let d = IncomeDraft {
                sumber: SumberDana::Angsuran,
                dari: loan_borrower(book, &pinjaman),
                jumlah: amount(row, "jumlah")?,
                diterima_pada: at,
                pinjaman,
                salinan_buku: true,
                ..Default::default()
            };
            income(book, keys, d)
        }
        ImportKind::Natura => {
            let n = Natura {
                tanggal: date(row, "tanggal")?,
                sumber: row.get("sumber").to_string(),
                barang: required(row, "barang")?.to_string(),
                banyaknya: row.get("banyaknya").to_string(),
                satuan: row.get("satuan").to_string(),
                taksiran: amount(row, "taksiran_rupiah")?,
                keterangan: row.get("keterangan").to_string(),
                ..Default::default()
            };
            let k = key(&[
                "natura",
                &n.tanggal,
                &n.sumber,
                &n.barang,
                &money(n.taksiran),
            ]);
            if keys.present(k) {
                return Ok(Outcome::Present);
            }
            let what = format!("natura {} {}", n.tanggal, n.barang);
            book.add_natura(n)?;
            Ok(Outcome::Stored(what))
        }
        ImportKind::Pengeluaran => {
            let x = Pengeluaran {
                kategori: KategoriPengeluaran::parse(required(row, "kategori")?)
                    .map_err(|e| invalid("kategori", e))?,
                tanggal: date(row, "tanggal")?,
                dibayar_kepada: required(row, "dibayar_kepada")?.to_string(),
                nik_terkait: nik_opt(row, "nik_terkait")?,
                jumlah: amount(row, "jumlah")?,
                no_nota: row.get("no_nota").to_string(),
                keputusan: row.get("keputusan").to_string(),
                keterangan: row.get("keterangan").to_string(),
                ..Default::default()
            };
            if keys.present(expense_key(&x)) {
                return Ok(Outcome::Present);
            }
            let what = format!("pengeluaran {} {}", x.tanggal, x.dibayar_kepada);
            book.add_expense(x)?;
            Ok(Outcome::Stored(what))
        }
        ImportKind::Pinjaman => {
            let kode = required(row, "id")?.to_string();
            if book.loans().iter().any(|(_, l)| l.kode == kode) {
                return Ok(Outcome::Present);
            }
            let nik = parse_nik(row, "nik_peminjam")?;
            let l = Pinjaman {
                kode: kode.clone(),
                tanggal: date(row, "tanggal")?,
                nama: person_name(book, &nik),
                nik_peminjam: Some(nik),
                usaha: row.get("usaha").to_string(),
                jumlah: amount(row, "jumlah")?,
                tenor_bulan: whole(row, "tenor_bulan")?,
                angsuran_bulanan: amount(row, "angsuran_bulanan")?,
                keputusan: row.get("keputusan").to_string(),
                ..Default::default()
            };
            book.add_loan(l)?;
            Ok(Outcome::Stored(format!("pinjaman {kode}")))
        }
        _ => Ok(Outcome::Present),
    }
}

fn income(book: &mut Book, keys: &mut KasImport, d: IncomeDraft) -> Result<Outcome, RowError> {
    if keys.present(income_key(
        &d.diterima_pada,
        d.sumber,
        &d.dari,
        &d.pinjaman,
        d.jumlah,
    )) {
        return Ok(Outcome::Present);
    }
    let (_, r) = book.issue_income(&d)?;
    Ok(Outcome::Stored(format!("receipt {}", r.nomor)))
}

/// The name of the person with this NIK, or the NIK itself while they are not in the book.
fn person_name(book: &Book, nik: &Nik) -> String {
    book.households()
        .iter()
        .find_map(|(_, h)| {
            h.live_people()
                .find(|(_, p)| p.nik.as_ref() == Some(nik))
                .map(|(_, p)| p.nama.clone())
        })
        .unwrap_or_else(|| nik.to_string())
}

/// Who repays a loan: the borrower's name, or the loan's code while the loan is not in the
/// book.
fn loan_borrower(book: &Book, kode: &str) -> String {
    book.loans()
        .into_iter()
        .find(|(_, l)| l.kode == kode)
        .map_or_else(|| format!("Peminjam {kode}"), |(_, l)| l.nama)
}
