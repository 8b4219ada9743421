//! The typed records of a book. Each record lives in a map of the document keyed by a
//! stable id (UUID v7 text), never in a list, so concurrent inserts cannot collide.
//!
//! Conventions for every record:
//! - free text (names, addresses) is a plain string scalar, not Automerge Text, so two
//!   spellings of a name stay a visible conflict instead of merging letter by letter;
//! - money is [`Rupiah`] (a `rust_decimal::Decimal` of whole rupiah), stored as a decimal string;
//! - instants are `DateTime<Utc>`, stored as RFC 3339 UTC strings
//!   (`2025-01-01T00:00:00.000Z`; an unset one as `""`); NIK and KK numbers are [`Nik`] and
//!   [`NoKk`] (`None` when unknown, stored as `""`); roles and PMKS codes and statuses are
//!   enums stored as their codes (see `stored.rs`, which keeps the layout of older books);
//!   calendar dates are `YYYY-MM-DD` strings (dates of birth and payment dates have no time zone);
//! - `created_by`/`updated_by` are member ids (the hex iroh endpoint id of the device),
//!   `created_at`/`updated_at` are UTC instants of the writing device's clock (shown,
//!   never used for ordering);
//! - a record is never removed: `deleted` is a tombstone.

use crate::Role;
use crate::rules::{JenisRapat, Nik, NoKk, PmksCode, PmksStatus, Rupiah, SumberDana};
use autosurgeon::Reconcile;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A tombstone: who removed a record, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Tombstone {
    /// Member id of the person who removed it.
    pub by: String,
    /// When (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub at: DateTime<Utc>,
    /// Why (free text, may be empty).
    pub reason: String,
    /// The document heads (hex change hashes) the removal was made at: a change to the
    /// record outside them was made concurrently (or later), so the record is reviewed.
    pub heads: Vec<String>,
}

/// The group (WKSBM) this book belongs to, with its wilayah (Kemendagri kode wilayah).
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Group {
    /// Group id: UUID text, the same on every device of the group.
    pub id: String,
    /// Group name, e.g. "Warga Rukun".
    pub name: String,
    /// Kode wilayah of the kelurahan/desa, dotted, e.g. "34.71.13.1006".
    pub kode_wilayah: String,
    /// Name of the kelurahan or desa, e.g. "Sorosutan".
    pub kelurahan: String,
    /// RW number (1..=999).
    pub rw: u16,
    /// The RTs of the RW that this group serves, e.g. 27..=31 (stored comma-separated,
    /// `"27,28"`).
    #[serde(with = "crate::stored::rt_list")]
    #[autosurgeon(reconcile = "crate::stored::rt_list::reconcile")]
    pub rt_list: Vec<u16>,
    /// Member id of the founding admin.
    pub created_by: String,
    /// When the group was created (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
}

impl Group {
    /// The RT numbers the group serves.
    pub fn rts(&self) -> &[u16] {
        &self.rt_list
    }
}

/// A member: one device of one volunteer, keyed by its iroh endpoint id (64 hex chars).
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Member {
    /// Display name of the volunteer.
    pub name: String,
    /// Role code: `admin`, `bendahara`, `ketua_rt` or `relawan` (see [`crate::Role`]).
    pub role: Role,
    /// The RT this member looks after, if any.
    pub rt: Option<u16>,
    /// Member id of whoever added this member (empty for the founder).
    pub added_by: String,
    /// When added (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub added_at: DateTime<Utc>,
    /// Set when the device is revoked (lost phone). A revocation wins over a concurrent re-add.
    pub revoked: Option<Tombstone>,
}

/// Consent recorded with a household under UU No. 27/2022 (Pelindungan Data Pribadi).
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Consent {
    /// Date consent was given, `YYYY-MM-DD`.
    pub tanggal: String,
    /// Who explained the purpose (member name or id).
    pub dijelaskan_oleh: String,
    /// Purposes told to the person.
    pub tujuan: String,
    /// Retention period told, e.g. "5 tahun".
    pub masa_simpan: String,
    /// Who signed (the parent or guardian for a child).
    pub penanda_tangan: String,
}

/// A person listed on a Kartu Keluarga, kept inside their household keyed by a person id.
///
/// The enumerated fields hold the canonical Indonesian labels (e.g. `Kepala Keluarga`,
/// `Tamat SD`); see [`crate::rules`] for the lists and parsers.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Person {
    /// NIK (validated on entry; `None` when unknown, stored as `""`).
    #[serde(with = "crate::stored::opt_digits")]
    #[autosurgeon(reconcile = "crate::stored::opt_digits::reconcile")]
    pub nik: Option<Nik>,
    /// Full name.
    pub nama: String,
    /// Jenis kelamin: `L` or `P` (empty when unknown).
    pub jenis_kelamin: String,
    /// Tempat lahir (place of birth).
    pub tempat_lahir: String,
    /// Tanggal lahir `YYYY-MM-DD` (empty when unknown).
    pub tanggal_lahir: String,
    /// Status hubungan dalam keluarga (SHDK).
    pub hubungan_keluarga: String,
    /// Status perkawinan.
    pub status_perkawinan: String,
    /// Pendidikan terakhir.
    pub pendidikan: String,
    /// Pekerjaan.
    pub pekerjaan: String,
    /// Agama.
    pub agama: String,
    /// Kewarganegaraan, `WNI` or `WNA`.
    pub kewarganegaraan: String,
    /// Nama ayah.
    pub nama_ayah: String,
    /// Nama ibu.
    pub nama_ibu: String,
    /// Schooling status (e.g. `Masih sekolah`, `Putus sekolah`); survey answer.
    pub status_sekolah: String,
    /// Disability answer (specific personal data; needs consent).
    pub disabilitas: String,
    /// Chronic illness answer (specific personal data; needs consent).
    pub penyakit_kronis: String,
    /// Member id of the writer of the first version.
    pub created_by: String,
    /// First written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
    /// Member id of the last writer.
    pub updated_by: String,
    /// Last written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub updated_at: DateTime<Utc>,
    /// Tombstone when the person left the household (moved, died) or was entered by mistake.
    pub deleted: Option<Tombstone>,
}

/// A household (rumah tangga): one Kartu Keluarga with its door-to-door survey.
///
/// Survey answers hold a canonical option of [`crate::rules::SurveyQuestion`] or
/// `Lainnya: <text>`.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Household {
    /// Nomor KK (`None` when unknown, stored as `""`).
    #[serde(with = "crate::stored::opt_digits")]
    #[autosurgeon(reconcile = "crate::stored::opt_digits::reconcile")]
    pub no_kk: Option<NoKk>,
    /// Alamat (street address).
    pub alamat: String,
    /// RT number.
    pub rt: u16,
    /// RW number.
    pub rw: u16,
    /// Name of the kepala keluarga as surveyed.
    pub kepala_keluarga: String,
    /// Floor area in m².
    pub luas_lantai_m2: Option<u32>,
    /// Main floor material.
    pub lantai: String,
    /// Main wall material.
    pub dinding: String,
    /// Main roof material.
    pub atap: String,
    /// Source of drinking water.
    pub air_minum: String,
    /// Source of lighting.
    pub penerangan: String,
    /// Cooking fuel.
    pub bahan_bakar: String,
    /// Toilet facility.
    pub fasilitas_bab: String,
    /// Monthly income of the household in whole rupiah (specific personal data).
    pub penghasilan_bulanan: Option<Rupiah>,
    /// Assets owned (free text).
    pub aset: String,
    /// Aid already received: any of PKH, BPNT, BLT, PBI-JKN, comma-separated.
    pub bantuan: String,
    /// The people on the KK, keyed by person id.
    pub anggota: BTreeMap<String, Person>,
    /// Consent recorded for this household (UU 27/2022).
    pub persetujuan: Option<Consent>,
    /// Member id of the surveyor.
    pub surveyed_by: String,
    /// Date of the survey `YYYY-MM-DD`.
    pub surveyed_on: String,
    /// Member id of the writer of the first version.
    pub created_by: String,
    /// First written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
    /// Member id of the last writer.
    pub updated_by: String,
    /// Last written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub updated_at: DateTime<Utc>,
    /// Tombstone when removed.
    pub deleted: Option<Tombstone>,
    /// Set when merged into another household (its id): this one is then a tombstone too.
    pub merged_into: Option<String>,
}

impl Household {
    /// Whether the household is live (neither deleted nor merged away).
    pub fn is_live(&self) -> bool {
        self.deleted.is_none() && self.merged_into.is_none()
    }

    /// Live people of the household, with their ids, in id order.
    pub fn live_people(&self) -> impl Iterator<Item = (&String, &Person)> {
        self.anggota.iter().filter(|(_, p)| p.deleted.is_none())
    }
}

/// One PMKS identification: a person (or a whole household) with one of the 26 PMKS codes of
/// Permensos No. 08 Tahun 2012.
#[derive(Debug, Clone, PartialEq, Reconcile, Serialize, Deserialize)]
pub struct Pmks {
    /// Household id.
    #[serde(default)]
    pub household_id: String,
    /// Person id inside the household, or `None` when the whole household is identified.
    #[serde(default)]
    pub person_id: Option<String>,
    /// PMKS code 1..=26 (Permensos 08/2012).
    pub kode: PmksCode,
    /// Where the identification stands (stored as its code, e.g. `dilayani`).
    #[serde(default)]
    pub status: PmksStatus,
    /// Local priority tags, comma-separated (e.g. `rawan putus sekolah`, `lansia miskin`).
    #[serde(default)]
    pub tag: String,
    /// Evidence / notes.
    #[serde(default)]
    pub bukti: String,
    /// Date of identification `YYYY-MM-DD`.
    #[serde(default)]
    pub tanggal_identifikasi: String,
    /// Member id of the writer of the first version.
    #[serde(default)]
    pub created_by: String,
    /// First written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    #[serde(default)]
    pub created_at: DateTime<Utc>,
    /// Member id of the last writer.
    #[serde(default)]
    pub updated_by: String,
    /// Last written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    #[serde(default)]
    pub updated_at: DateTime<Utc>,
    /// Tombstone when removed.
    #[serde(default)]
    pub deleted: Option<Tombstone>,
}

impl Pmks {
    /// A new identification of `kode` for a household (and a person in it), with the other
    /// fields empty and the status `teridentifikasi`.
    pub fn new(household_id: String, person_id: Option<String>, kode: PmksCode) -> Pmks {
        Pmks {
            household_id,
            person_id,
            kode,
            status: PmksStatus::default(),
            tag: String::new(),
            bukti: String::new(),
            tanggal_identifikasi: String::new(),
            created_by: String::new(),
            created_at: crate::stored::unset(),
            updated_by: String::new(),
            updated_at: crate::stored::unset(),
            deleted: None,
        }
    }
}

/// A donor (donatur): a regular monthly donor, a one-off donor, a KPS group, a business…
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Donor {
    /// Donor code, unique in the book, e.g. `D001` (imported) or `D-K7QX-0003` (created
    /// offline on a device, scoped by the device's short id).
    pub kode: String,
    /// Name.
    pub nama: String,
    /// RT of the donor.
    pub rt: u16,
    /// Nomor KK of the donor's household, when known.
    #[serde(with = "crate::stored::opt_digits")]
    #[autosurgeon(reconcile = "crate::stored::opt_digits::reconcile")]
    pub no_kk: Option<NoKk>,
    /// Household id, when the donor is a surveyed household.
    pub household_id: Option<String>,
    /// Kind: `tetap` (monthly), `insidental`, `kps`, `usaha`, `pengurus`, `hibah`.
    pub jenis: String,
    /// Monthly pledge in whole rupiah, for regular donors.
    pub iuran_bulanan: Option<Rupiah>,
    /// Member id of the writer of the first version.
    pub created_by: String,
    /// First written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
    /// Member id of the last writer.
    pub updated_by: String,
    /// Last written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub updated_at: DateTime<Utc>,
    /// Tombstone when removed.
    pub deleted: Option<Tombstone>,
}

/// A receipt (kuitansi), keyed by its number. Written once, never edited: a mistake is a
/// [`Void`] plus, if needed, a new receipt.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Receipt {
    /// Receipt number `RT-SHORTID-SEQ`, e.g. `27-K7QX-0042`.
    pub nomor: String,
    /// Donor record id.
    pub donor_id: String,
    /// Donor code at the time of issue (for the paper trail).
    pub kode_donatur: String,
    /// Name the money was received from ("Telah terima dari").
    pub dari: String,
    /// RT the money was collected in.
    pub rt: u16,
    /// Amount in whole rupiah.
    pub jumlah: Rupiah,
    /// Amount in words, e.g. "sepuluh ribu rupiah".
    pub terbilang: String,
    /// Purpose ("Untuk pembayaran"), e.g. "Iuran Agustus 2025".
    pub untuk: String,
    /// When the money was received (shown in WIB; the month is the WIB month).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub diterima_pada: DateTime<Utc>,
    /// Who received it (name or role, e.g. "Ketua RT 27").
    pub penerima: String,
    /// True when copied from the paper book (imported), with the original time.
    pub salinan_buku: bool,
    /// Where the money came from: a donor's iuran (every receipt written before sources
    /// were recorded), a member's iuran wajib, a business, a grant, a KPS group, a board
    /// member, a one-off gift or a loan repayment. Only `iuran` belongs to an RT.
    pub sumber: SumberDana,
    /// For a loan repayment (`angsuran`): the loan's code, e.g. `PJ-2025-01`.
    pub pinjaman: String,
    /// For an `iuran_wajib`: the member number in the register, e.g. `WR-007`.
    pub no_anggota: String,
    /// Member id of the issuing device.
    pub created_by: String,
    /// When written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
}

/// A void of a receipt (pembatalan), keyed by the receipt number.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Void {
    /// The voided receipt's number.
    pub nomor: String,
    /// Why it was voided.
    pub alasan: String,
    /// Member id of who voided it.
    pub created_by: String,
    /// When (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
}

/// A disbursement of aid (santunan).
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Disbursement {
    /// Household of the recipient.
    pub household_id: String,
    /// Recipient person id (inside the household).
    pub person_id: Option<String>,
    /// The recipient's NIK at the time of payment (paper trail).
    #[serde(with = "crate::stored::opt_digits")]
    #[autosurgeon(reconcile = "crate::stored::opt_digits::reconcile")]
    pub nik_penerima: Option<Nik>,
    /// The PMKS identification this aid serves, where there is one.
    pub pmks_id: Option<String>,
    /// Kind: `sembako`, `tunai`, `spp` or another word.
    pub jenis: String,
    /// Amount in whole rupiah.
    pub jumlah: Rupiah,
    /// Payment date `YYYY-MM-DD` (WIB calendar date).
    pub tanggal: String,
    /// The meeting whose decision approved it.
    pub meeting_id: Option<String>,
    /// Who paid it out (name).
    pub dibayar_oleh: String,
    /// Member id of the writer of the first version.
    pub created_by: String,
    /// First written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
    /// Member id of the last writer.
    pub updated_by: String,
    /// Last written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub updated_at: DateTime<Utc>,
    /// Tombstone when removed (a paid santunan should rather be reversed by the treasurer).
    pub deleted: Option<Tombstone>,
}

/// A meeting (musyawarah) and its decision, e.g. who gets santunan this quarter.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Meeting {
    /// Title, e.g. "Musyawarah Q1/2025": the name decisions and payments cite it by.
    pub judul: String,
    /// Date `YYYY-MM-DD`, when known.
    pub tanggal: String,
    /// The decisions taken (free text).
    pub keputusan: String,
    /// Monthly or quarterly.
    pub jenis: JenisRapat,
    /// Where it was held.
    pub tempat: String,
    /// Who attended: member numbers of the register (`WR-001`), stored `;`-separated.
    #[serde(with = "crate::stored::codes")]
    #[autosurgeon(reconcile = "crate::stored::codes::reconcile")]
    pub hadir: Vec<String>,
    /// The agenda (free text).
    pub agenda: String,
    /// Member id of the writer.
    pub created_by: String,
    /// When written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
}
