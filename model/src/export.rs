//! Exports of the whole book: CSV (Excel-friendly, columns named as in the paper book's
//! files so an export imports back), JSON, and the standard Automerge file.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::book::Book;
use crate::rules::{SumberDana, or_blank, wib};

/// The notice written beside every export: it holds personal data (UU No. 27/2022).
pub const PERSONAL_DATA_NOTICE: &str = "Berkas ini memuat data pribadi warga, termasuk data pribadi yang bersifat spesifik \
(UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi). Simpan dengan aman, jangan dibagikan \
kepada pihak yang tidak berhak, dan hapus bila tidak diperlukan lagi. / This export holds \
personal data, including specific personal data under Indonesian law No. 27/2022: keep it \
safe, share it with no one not entitled to it, and delete it when no longer needed.";

/// One exported file: its name in the export folder and its bytes.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// File name, e.g. `penduduk.csv`.
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Errors of an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing the CSV failed.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// Encoding JSON failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

fn wib_text(utc: &DateTime<Utc>) -> String {
    utc.with_timezone(&wib())
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

struct Csv {
    w: csv::Writer<Vec<u8>>,
}

impl Csv {
    fn new(header: &[&str]) -> Result<Csv, ExportError> {
        // A UTF-8 BOM makes Excel read the file as UTF-8.
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(header)?;
        Ok(Csv { w })
    }
    fn row<I: IntoIterator<Item = String>>(&mut self, cells: I) -> Result<(), ExportError> {
        self.w.write_record(cells)?;
        Ok(())
    }
    fn finish(self, name: &str) -> Result<ExportFile, ExportError> {
        let bytes = self
            .w
            .into_inner()
            .map_err(|e| ExportError::Csv(csv::Error::from(e.into_error())))?;
        Ok(ExportFile {
            name: name.to_string(),
            bytes,
        })
    }
}

/// Column names of the household survey CSV (as `rw08-survei-rumah.csv`, plus extra
/// fields); also the field names `rukun household edit --set` accepts.
pub const SURVEI_COLUMNS: &[&str] = &[
    "no_kk",
    "rt",
    "rw",
    "alamat",
    "kepala_keluarga",
    "luas_lantai_m2",
    "lantai",
    "dinding",
    "atap",
    "air_minum",
    "penerangan",
    "bahan_bakar",
    "fasilitas_bab",
    "penghasilan_bulanan",
    "aset",
    "bantuan",
    "id",
];

/// Column names of the people CSV (as `rw08-penduduk.csv`, plus extra fields).
pub const PENDUDUK_COLUMNS: &[&str] = &[
    "no_kk",
    "nik",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "hubungan_keluarga",
    "status_perkawinan",
    "pendidikan",
    "pekerjaan",
    "agama",
    "alamat",
    "rt",
    "rw",
    "kelurahan",
    "kewarganegaraan",
    "nama_ayah",
    "nama_ibu",
    "status_sekolah",
    "disabilitas",
    "penyakit_kronis",
];

/// The export a treasurer hands out, the same from the app's "Ekspor" and `rukun export
/// --format bundle`: every live record as CSV ([`export_csv`], with the personal-data
/// notice), the cash book as an hledger journal for an auditor, and the printable report
/// (Bahasa Indonesia) of the year of `today` (WIB).
pub fn export_bundle(
    book: &Book,
    today: chrono::NaiveDate,
) -> Result<Vec<ExportFile>, ExportError> {
    let mut files = export_csv(book)?;
    let group = book.group().unwrap_or_default();
    let records = book.money_records();
    let input = records.input();
    files.push(ExportFile {
        name: crate::money::journal_file_name(&group.name),
        bytes: crate::money::hledger_journal(&input, &group.name).into_bytes(),
    });
    if let Ok(period) = crate::money::Period::year(chrono::Datelike::year(&today)) {
        let report = crate::money::period_report(&input, &group.name, &period);
        files.push(ExportFile {
            name: format!("laporan-{}.html", period.year),
            bytes: crate::money::report_html(&report, &group, today).into_bytes(),
        });
    }
    Ok(files)
}

/// Every live record as CSV files: `survei-rumah.csv`, `penduduk.csv`, `donatur.csv`,
/// `iuran.csv` (with the receipt number and void), `santunan.csv`, `pmks.csv`, plus the
/// personal-data notice `PERHATIAN-DATA-PRIBADI.txt`.
pub fn export_csv(book: &Book) -> Result<Vec<ExportFile>, ExportError> {
    let kelurahan = book.group().map(|g| g.kelurahan).unwrap_or_default();
    let households = book.households();
    let mut nik_of: HashMap<(String, String), String> = HashMap::new();
    let mut survei = Csv::new(SURVEI_COLUMNS)?;
    let mut penduduk = Csv::new(PENDUDUK_COLUMNS)?;
    for (id, h) in households.iter().filter(|(_, h)| h.is_live()) {
        survei.row([
            or_blank(&h.no_kk).to_string(),
            h.rt.to_string(),
            h.rw.to_string(),
            h.alamat.clone(),
            h.kepala_keluarga.clone(),
            h.luas_lantai_m2.map(|v| v.to_string()).unwrap_or_default(),
            h.lantai.clone(),
            h.dinding.clone(),
            h.atap.clone(),
            h.air_minum.clone(),
            h.penerangan.clone(),
            h.bahan_bakar.clone(),
            h.fasilitas_bab.clone(),
            h.penghasilan_bulanan
                .map(|v| v.whole().to_string())
                .unwrap_or_default(),
            h.aset.clone(),
            h.bantuan.clone(),
            id.clone(),
        ])?;
        for (pid, p) in h.live_people() {
            nik_of.insert((id.clone(), pid.clone()), or_blank(&p.nik).to_string());
            penduduk.row([
                or_blank(&h.no_kk).to_string(),
                or_blank(&p.nik).to_string(),
                p.nama.clone(),
                p.jenis_kelamin.clone(),
                p.tempat_lahir.clone(),
                p.tanggal_lahir.clone(),
                p.hubungan_keluarga.clone(),
                p.status_perkawinan.clone(),
                p.pendidikan.clone(),
                p.pekerjaan.clone(),
                p.agama.clone(),
                h.alamat.clone(),
                h.rt.to_string(),
                h.rw.to_string(),
                kelurahan.clone(),
                p.kewarganegaraan.clone(),
                p.nama_ayah.clone(),
                p.nama_ibu.clone(),
                p.status_sekolah.clone(),
                p.disabilitas.clone(),
                p.penyakit_kronis.clone(),
            ])?;
        }
    }
    let mut donatur = Csv::new(&[
        "kode_donatur",
        "nama",
        "rt",
        "no_kk",
        "iuran_bulanan",
        "jenis",
    ])?;
    for (_, d) in book
        .donors()
        .into_iter()
        .filter(|(_, d)| d.deleted.is_none())
    {
        donatur.row([
            d.kode,
            d.nama,
            d.rt.to_string(),
            or_blank(&d.no_kk).to_string(),
            d.iuran_bulanan
                .map(|v| v.whole().to_string())
                .unwrap_or_default(),
            d.jenis,
        ])?;
    }
    let voids: HashMap<String, String> = book
        .voids()
        .into_iter()
        .map(|(rid, v)| (rid, v.alasan))
        .collect();
    let mut receipts = book.receipts();
    receipts.sort_by(|a, b| {
        a.1.diterima_pada
            .cmp(&b.1.diterima_pada)
            .then(a.1.nomor.cmp(&b.1.nomor))
    });
    let mut iuran = Csv::new(&[
        "diterima_pada_wib",
        "kode_donatur",
        "rt",
        "jumlah",
        "penerima",
        "keterangan",
        "nomor",
        "dibatalkan",
        "alasan_batal",
    ])?;
    for (id, r) in receipts
        .iter()
        .filter(|(_, r)| r.sumber == SumberDana::Iuran)
    {
        let void = voids.get(id);
        iuran.row([
            wib_text(&r.diterima_pada),
            r.kode_donatur.clone(),
            r.rt.to_string(),
            r.jumlah.whole().to_string(),
            r.penerima.clone(),
            r.untuk.clone(),
            r.nomor.clone(),
            if void.is_some() {
                "ya".into()
            } else {
                String::new()
            },
            void.cloned().unwrap_or_default(),
        ])?;
    }
    let meetings: HashMap<String, String> = book
        .meetings()
        .into_iter()
        .map(|(id, m)| (id, m.judul))
        .collect();
    let mut santunan = Csv::new(&[
        "tanggal",
        "nik_penerima",
        "jenis",
        "jumlah",
        "keputusan",
        "dibayar_oleh",
    ])?;
    let mut disb = book.disbursements();
    disb.sort_by(|a, b| a.1.tanggal.cmp(&b.1.tanggal));
    for (_, d) in disb.into_iter().filter(|(_, d)| d.deleted.is_none()) {
        santunan.row([
            d.tanggal,
            or_blank(&d.nik_penerima).to_string(),
            d.jenis,
            d.jumlah.whole().to_string(),
            d.meeting_id
                .and_then(|m| meetings.get(&m).cloned())
                .unwrap_or_default(),
            d.dibayar_oleh,
        ])?;
    }
    let mut pmks = Csv::new(&[
        "nik",
        "kode_pmks",
        "nama_pmks",
        "status",
        "tanggal_identifikasi",
        "tag",
        "keterangan",
    ])?;
    for (_, p) in book.pmks().into_iter().filter(|(_, p)| p.deleted.is_none()) {
        let nik = p
            .person_id
            .as_ref()
            .and_then(|pid| nik_of.get(&(p.household_id.clone(), pid.clone())).cloned())
            .unwrap_or_default();
        pmks.row([
            nik,
            p.kode.code().to_string(),
            p.kode.name().to_string(),
            p.status.to_string(),
            p.tanggal_identifikasi,
            p.tag,
            p.bukti,
        ])?;
    }
    Ok(vec![
        survei.finish("survei-rumah.csv")?,
        penduduk.finish("penduduk.csv")?,
        donatur.finish("donatur.csv")?,
        iuran.finish("iuran.csv")?,
        santunan.finish("santunan.csv")?,
        pmks.finish("pmks.csv")?,
    ]
    .into_iter()
    .chain(year_files(book, &receipts, &voids)?)
    .chain([notice_file()])
    .collect())
}

/// The whole year's files, with the columns of `rukun import`'s files of the same names
/// (so an export imports back): the register, meetings, approvals, other income, goods in
/// kind, expenses, loans and repayments. Voided payments and receipts are left out.
fn year_files(
    book: &Book,
    receipts: &[(String, crate::records::Receipt)],
    voids: &HashMap<String, String>,
) -> Result<Vec<ExportFile>, ExportError> {
    let rp = |r: crate::rules::Rupiah| r.whole().to_string();
    let mut anggota = Csv::new(&[
        "no_anggota",
        "nik",
        "nama",
        "rt",
        "jabatan",
        "tanggal_masuk",
        "iuran_wajib_bulanan",
    ])?;
    let mut register = book.register();
    register.sort_by(|a, b| a.1.no_anggota.cmp(&b.1.no_anggota));
    for (_, a) in register {
        anggota.row([
            a.no_anggota,
            or_blank(&a.nik).to_string(),
            a.nama,
            a.rt.to_string(),
            a.jabatan.to_string(),
            a.tanggal_masuk,
            a.iuran_wajib_bulanan.map(rp).unwrap_or_default(),
        ])?;
    }
    let mut musyawarah = Csv::new(&[
        "id",
        "tanggal",
        "jenis",
        "tempat",
        "hadir",
        "agenda",
        "keputusan",
    ])?;
    let mut meetings = book.meetings();
    meetings.sort_by(|a, b| (&a.1.tanggal, &a.1.judul).cmp(&(&b.1.tanggal, &b.1.judul)));
    let mut seen = std::collections::HashSet::new();
    for (_, m) in meetings.into_iter().filter(|(_, m)| !m.tanggal.is_empty()) {
        if !seen.insert(m.judul.clone()) {
            continue;
        }
        musyawarah.row([
            m.judul,
            m.tanggal,
            m.jenis.to_string(),
            m.tempat,
            m.hadir.join(";"),
            m.agenda,
            m.keputusan,
        ])?;
    }
    let mut keputusan = Csv::new(&["musyawarah_id", "nik_penerima", "jenis", "jumlah"])?;
    let mut approvals = book.approvals();
    approvals.sort_by(|a, b| a.1.keputusan.cmp(&b.1.keputusan));
    for (_, p) in approvals {
        keputusan.row([
            p.keputusan,
            or_blank(&p.nik_penerima).to_string(),
            p.jenis,
            rp(p.jumlah),
        ])?;
    }
    let mut sumber = Csv::new(&[
        "diterima_pada_wib",
        "jenis_sumber",
        "nama_sumber",
        "jumlah",
        "penerima",
        "keterangan",
    ])?;
    let mut angsuran = Csv::new(&["tanggal", "pinjaman_id", "jumlah"])?;
    for (id, r) in receipts {
        if voids.contains_key(id) {
            continue;
        }
        match r.sumber {
            SumberDana::Iuran => {}
            SumberDana::Angsuran => angsuran.row([
                crate::rules::wib_date(r.diterima_pada).to_string(),
                r.pinjaman.clone(),
                rp(r.jumlah),
            ])?,
            other => sumber.row([
                wib_text(&r.diterima_pada),
                other.to_string(),
                r.dari.clone(),
                rp(r.jumlah),
                r.penerima.clone(),
                r.untuk.clone(),
            ])?,
        }
    }
    let voided: std::collections::HashSet<String> =
        book.voids().into_iter().map(|(id, _)| id).collect();
    let mut natura = Csv::new(&[
        "tanggal",
        "sumber",
        "barang",
        "banyaknya",
        "satuan",
        "taksiran_rupiah",
        "keterangan",
    ])?;
    let mut goods = book.natura();
    goods.sort_by(|a, b| a.1.tanggal.cmp(&b.1.tanggal));
    for (_, n) in goods {
        natura.row([
            n.tanggal,
            n.sumber,
            n.barang,
            n.banyaknya,
            n.satuan,
            rp(n.taksiran),
            n.keterangan,
        ])?;
    }
    let mut pengeluaran = Csv::new(&[
        "tanggal",
        "kategori",
        "dibayar_kepada",
        "nik_terkait",
        "jumlah",
        "no_nota",
        "keputusan",
        "keterangan",
    ])?;
    let mut expenses = book.expenses();
    expenses.sort_by(|a, b| a.1.tanggal.cmp(&b.1.tanggal));
    for (_, x) in expenses.into_iter().filter(|(id, _)| !voided.contains(id)) {
        pengeluaran.row([
            x.tanggal,
            x.kategori.to_string(),
            x.dibayar_kepada,
            or_blank(&x.nik_terkait).to_string(),
            rp(x.jumlah),
            x.no_nota,
            x.keputusan,
            x.keterangan,
        ])?;
    }
    let mut pinjaman = Csv::new(&[
        "id",
        "tanggal",
        "nik_peminjam",
        "usaha",
        "jumlah",
        "tenor_bulan",
        "angsuran_bulanan",
        "keputusan",
    ])?;
    let mut loans = book.loans();
    loans.sort_by(|a, b| a.1.kode.cmp(&b.1.kode));
    for (_, l) in loans.into_iter().filter(|(id, _)| !voided.contains(id)) {
        pinjaman.row([
            l.kode,
            l.tanggal,
            or_blank(&l.nik_peminjam).to_string(),
            l.usaha,
            rp(l.jumlah),
            l.tenor_bulan.to_string(),
            rp(l.angsuran_bulanan),
            l.keputusan,
        ])?;
    }
    Ok(vec![
        anggota.finish("anggota.csv")?,
        musyawarah.finish("musyawarah.csv")?,
        keputusan.finish("keputusan-santunan.csv")?,
        sumber.finish("sumber-dana.csv")?,
        natura.finish("natura.csv")?,
        pengeluaran.finish("pengeluaran.csv")?,
        pinjaman.finish("pinjaman.csv")?,
        angsuran.finish("angsuran.csv")?,
    ])
}

fn notice_file() -> ExportFile {
    ExportFile {
        name: "PERHATIAN-DATA-PRIBADI.txt".to_string(),
        bytes: format!("{PERSONAL_DATA_NOTICE}\n").into_bytes(),
    }
}

/// Every record (including tombstones, which are part of the book) as JSON files, one per
/// kind, each `{"notice": …, "records": {id: record}}`, plus the notice file.
pub fn export_json(book: &Book) -> Result<Vec<ExportFile>, ExportError> {
    fn file<T: serde::Serialize>(
        name: &str,
        records: Vec<(String, T)>,
    ) -> Result<ExportFile, ExportError> {
        let map: serde_json::Map<String, serde_json::Value> = records
            .into_iter()
            .map(|(k, v)| serde_json::to_value(v).map(|v| (k, v)))
            .collect::<Result<_, _>>()?;
        let value = serde_json::json!({ "notice": PERSONAL_DATA_NOTICE, "records": map });
        Ok(ExportFile {
            name: name.to_string(),
            bytes: serde_json::to_vec_pretty(&value)?,
        })
    }
    let group = book.group().ok();
    Ok(vec![
        ExportFile {
            name: "group.json".into(),
            bytes: serde_json::to_vec_pretty(&serde_json::json!({
                "notice": PERSONAL_DATA_NOTICE,
                "group": group,
                "members": book.members(),
            }))?,
        },
        file("households.json", book.households())?,
        file("pmks.json", book.pmks())?,
        file("donors.json", book.donors())?,
        file("receipts.json", book.receipts())?,
        file("voids.json", book.voids())?,
        file("disbursements.json", book.disbursements())?,
        file("meetings.json", book.meetings())?,
        notice_file(),
    ])
}

/// The whole book as one standard Automerge file `book.automerge`, plus the notice file.
pub fn export_automerge(book: &mut Book) -> Vec<ExportFile> {
    vec![
        ExportFile {
            name: "book.automerge".into(),
            bytes: book.save_document(),
        },
        notice_file(),
    ]
}
