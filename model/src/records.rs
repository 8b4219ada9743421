//! The typed records of a book. Each record lives in a map of the document keyed by a
//! stable id (UUID v7 text), never in a list, so concurrent inserts cannot collide.
//!
//! Conventions for every record:
//! - free text (names, addresses) is a plain string scalar, not Automerge Text, so two
//!   spellings of a name stay a visible conflict instead of merging letter by letter;
//! - money is [`Rupiah`] (a `rust_decimal::Decimal` of whole rupiah), stored as a decimal string;
//! - instants are RFC 3339 UTC strings (`2025-01-01T00:00:00Z`), calendar dates are
//!   `YYYY-MM-DD` strings (dates of birth and payment dates have no time zone);
//! - `created_by`/`updated_by` are member ids (the hex iroh endpoint id of the device),
//!   `created_at`/`updated_at` are UTC instants of the writing device's clock (shown,
//!   never used for ordering);
//! - a record is never removed: `deleted` is a tombstone.

use crate::rules::Rupiah;
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A tombstone: who removed a record, when (UTC, RFC 3339) and why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Tombstone {
    /// Member id of the person who removed it.
    #[autosurgeon(missing = "Default::default")]
    pub by: String,
    /// When, UTC RFC 3339.
    #[autosurgeon(missing = "Default::default")]
    pub at: String,
    /// Why (free text, may be empty).
    #[autosurgeon(missing = "Default::default")]
    pub reason: String,
    /// The document heads (hex change hashes) the removal was made at: a change to the
    /// record outside them was made concurrently (or later), so the record is reviewed.
    #[autosurgeon(missing = "Default::default")]
    pub heads: Vec<String>,
}

/// The group (WKSBM) this book belongs to, with its wilayah (Kemendagri kode wilayah).
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Group {
    /// Group id: UUID text, the same on every device of the group.
    #[autosurgeon(missing = "Default::default")]
    pub id: String,
    /// Group name, e.g. "Warga Rukun".
    #[autosurgeon(missing = "Default::default")]
    pub name: String,
    /// Kode wilayah of the kelurahan/desa, dotted, e.g. "34.71.13.1006".
    #[autosurgeon(missing = "Default::default")]
    pub kode_wilayah: String,
    /// Name of the kelurahan or desa, e.g. "Sorosutan".
    #[autosurgeon(missing = "Default::default")]
    pub kelurahan: String,
    /// RW number (1..=999).
    #[autosurgeon(missing = "Default::default")]
    pub rw: u16,
    /// The RTs of the RW that this group serves, e.g. 27..=31, comma-separated ("27,28").
    #[autosurgeon(missing = "Default::default")]
    pub rt_list: String,
    /// Member id of the founding admin.
    #[autosurgeon(missing = "Default::default")]
    pub created_by: String,
    /// When the group was created (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub created_at: String,
}

impl Group {
    /// The RT numbers of `rt_list`, skipping anything unreadable.
    pub fn rts(&self) -> Vec<u16> {
        self.rt_list
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    }
}

/// A member: one device of one volunteer, keyed by its iroh endpoint id (64 hex chars).
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Member {
    /// Display name of the volunteer.
    #[autosurgeon(missing = "Default::default")]
    pub name: String,
    /// Role code: `admin`, `bendahara`, `ketua_rt` or `relawan` (see [`crate::Role`]).
    #[autosurgeon(missing = "Default::default")]
    pub role: String,
    /// The RT this member looks after, if any.
    pub rt: Option<u16>,
    /// Member id of whoever added this member (empty for the founder).
    #[autosurgeon(missing = "Default::default")]
    pub added_by: String,
    /// When added (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub added_at: String,
    /// Set when the device is revoked (lost phone). A revocation wins over a concurrent re-add.
    pub revoked: Option<Tombstone>,
}

/// Consent recorded with a household under UU No. 27/2022 (Pelindungan Data Pribadi).
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Consent {
    /// Date consent was given, `YYYY-MM-DD`.
    #[autosurgeon(missing = "Default::default")]
    pub tanggal: String,
    /// Who explained the purpose (member name or id).
    #[autosurgeon(missing = "Default::default")]
    pub dijelaskan_oleh: String,
    /// Purposes told to the person.
    #[autosurgeon(missing = "Default::default")]
    pub tujuan: String,
    /// Retention period told, e.g. "5 tahun".
    #[autosurgeon(missing = "Default::default")]
    pub masa_simpan: String,
    /// Who signed (the parent or guardian for a child).
    #[autosurgeon(missing = "Default::default")]
    pub penanda_tangan: String,
}

/// A person listed on a Kartu Keluarga, kept inside their household keyed by a person id.
///
/// The enumerated fields hold the canonical Indonesian labels (e.g. `Kepala Keluarga`,
/// `Tamat SD`); see [`crate::rules`] for the lists and parsers.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Person {
    /// NIK, 16 digits (validated on entry; may be empty when unknown).
    #[autosurgeon(missing = "Default::default")]
    pub nik: String,
    /// Full name.
    #[autosurgeon(missing = "Default::default")]
    pub nama: String,
    /// Jenis kelamin: `L` or `P` (empty when unknown).
    #[autosurgeon(missing = "Default::default")]
    pub jenis_kelamin: String,
    /// Tempat lahir (place of birth).
    #[autosurgeon(missing = "Default::default")]
    pub tempat_lahir: String,
    /// Tanggal lahir `YYYY-MM-DD` (empty when unknown).
    #[autosurgeon(missing = "Default::default")]
    pub tanggal_lahir: String,
    /// Status hubungan dalam keluarga (SHDK).
    #[autosurgeon(missing = "Default::default")]
    pub hubungan_keluarga: String,
    /// Status perkawinan.
    #[autosurgeon(missing = "Default::default")]
    pub status_perkawinan: String,
    /// Pendidikan terakhir.
    #[autosurgeon(missing = "Default::default")]
    pub pendidikan: String,
    /// Pekerjaan.
    #[autosurgeon(missing = "Default::default")]
    pub pekerjaan: String,
    /// Agama.
    #[autosurgeon(missing = "Default::default")]
    pub agama: String,
    /// Kewarganegaraan, `WNI` or `WNA`.
    #[autosurgeon(missing = "Default::default")]
    pub kewarganegaraan: String,
    /// Nama ayah.
    #[autosurgeon(missing = "Default::default")]
    pub nama_ayah: String,
    /// Nama ibu.
    #[autosurgeon(missing = "Default::default")]
    pub nama_ibu: String,
    /// Schooling status (e.g. `Masih sekolah`, `Putus sekolah`); survey answer.
    #[autosurgeon(missing = "Default::default")]
    pub status_sekolah: String,
    /// Disability answer (specific personal data; needs consent).
    #[autosurgeon(missing = "Default::default")]
    pub disabilitas: String,
    /// Chronic illness answer (specific personal data; needs consent).
    #[autosurgeon(missing = "Default::default")]
    pub penyakit_kronis: String,
    /// Member id of the writer of the first version.
    #[autosurgeon(missing = "Default::default")]
    pub created_by: String,
    /// First written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub created_at: String,
    /// Member id of the last writer.
    #[autosurgeon(missing = "Default::default")]
    pub updated_by: String,
    /// Last written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub updated_at: String,
    /// Tombstone when the person left the household (moved, died) or was entered by mistake.
    pub deleted: Option<Tombstone>,
}

/// A household (rumah tangga): one Kartu Keluarga with its door-to-door survey.
///
/// Survey answers hold a canonical option of [`crate::rules::SurveyQuestion`] or
/// `Lainnya: <text>`.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Household {
    /// Nomor KK, 16 digits.
    #[autosurgeon(missing = "Default::default")]
    pub no_kk: String,
    /// Alamat (street address).
    #[autosurgeon(missing = "Default::default")]
    pub alamat: String,
    /// RT number.
    #[autosurgeon(missing = "Default::default")]
    pub rt: u16,
    /// RW number.
    #[autosurgeon(missing = "Default::default")]
    pub rw: u16,
    /// Name of the kepala keluarga as surveyed.
    #[autosurgeon(missing = "Default::default")]
    pub kepala_keluarga: String,
    /// Floor area in m².
    pub luas_lantai_m2: Option<u32>,
    /// Main floor material.
    #[autosurgeon(missing = "Default::default")]
    pub lantai: String,
    /// Main wall material.
    #[autosurgeon(missing = "Default::default")]
    pub dinding: String,
    /// Main roof material.
    #[autosurgeon(missing = "Default::default")]
    pub atap: String,
    /// Source of drinking water.
    #[autosurgeon(missing = "Default::default")]
    pub air_minum: String,
    /// Source of lighting.
    #[autosurgeon(missing = "Default::default")]
    pub penerangan: String,
    /// Cooking fuel.
    #[autosurgeon(missing = "Default::default")]
    pub bahan_bakar: String,
    /// Toilet facility.
    #[autosurgeon(missing = "Default::default")]
    pub fasilitas_bab: String,
    /// Monthly income of the household in whole rupiah (specific personal data).
    pub penghasilan_bulanan: Option<Rupiah>,
    /// Assets owned (free text).
    #[autosurgeon(missing = "Default::default")]
    pub aset: String,
    /// Aid already received: any of PKH, BPNT, BLT, PBI-JKN, comma-separated.
    #[autosurgeon(missing = "Default::default")]
    pub bantuan: String,
    /// The people on the KK, keyed by person id.
    #[autosurgeon(missing = "Default::default")]
    pub anggota: BTreeMap<String, Person>,
    /// Consent recorded for this household (UU 27/2022).
    pub persetujuan: Option<Consent>,
    /// Member id of the surveyor.
    #[autosurgeon(missing = "Default::default")]
    pub surveyed_by: String,
    /// Date of the survey `YYYY-MM-DD`.
    #[autosurgeon(missing = "Default::default")]
    pub surveyed_on: String,
    /// Member id of the writer of the first version.
    #[autosurgeon(missing = "Default::default")]
    pub created_by: String,
    /// First written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub created_at: String,
    /// Member id of the last writer.
    #[autosurgeon(missing = "Default::default")]
    pub updated_by: String,
    /// Last written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub updated_at: String,
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
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Pmks {
    /// Household id.
    #[autosurgeon(missing = "Default::default")]
    pub household_id: String,
    /// Person id inside the household, or `None` when the whole household is identified.
    pub person_id: Option<String>,
    /// PMKS code 1..=26 (Permensos 08/2012).
    #[autosurgeon(missing = "Default::default")]
    pub kode: u8,
    /// Status code: `teridentifikasi`, `terverifikasi`, `prioritas`, `dilayani`, `selesai`.
    #[autosurgeon(missing = "Default::default")]
    pub status: String,
    /// Local priority tags, comma-separated (e.g. `rawan putus sekolah`, `lansia miskin`).
    #[autosurgeon(missing = "Default::default")]
    pub tag: String,
    /// Evidence / notes.
    #[autosurgeon(missing = "Default::default")]
    pub bukti: String,
    /// Date of identification `YYYY-MM-DD`.
    #[autosurgeon(missing = "Default::default")]
    pub tanggal_identifikasi: String,
    /// Member id of the writer of the first version.
    #[autosurgeon(missing = "Default::default")]
    pub created_by: String,
    /// First written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub created_at: String,
    /// Member id of the last writer.
    #[autosurgeon(missing = "Default::default")]
    pub updated_by: String,
    /// Last written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub updated_at: String,
    /// Tombstone when removed.
    pub deleted: Option<Tombstone>,
}

/// A donor (donatur): a regular monthly donor, a one-off donor, a KPS group, a business…
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Donor {
    /// Donor code, unique in the book, e.g. `D001` (imported) or `D-K7QX-0003` (created
    /// offline on a device, scoped by the device's short id).
    #[autosurgeon(missing = "Default::default")]
    pub kode: String,
    /// Name.
    #[autosurgeon(missing = "Default::default")]
    pub nama: String,
    /// RT of the donor.
    #[autosurgeon(missing = "Default::default")]
    pub rt: u16,
    /// Nomor KK of the donor's household, when known.
    #[autosurgeon(missing = "Default::default")]
    pub no_kk: String,
    /// Household id, when the donor is a surveyed household.
    pub household_id: Option<String>,
    /// Kind: `tetap` (monthly), `insidental`, `kps`, `usaha`, `pengurus`, `hibah`.
    #[autosurgeon(missing = "Default::default")]
    pub jenis: String,
    /// Monthly pledge in whole rupiah, for regular donors.
    pub iuran_bulanan: Option<Rupiah>,
    /// Member id of the writer of the first version.
    #[autosurgeon(missing = "Default::default")]
    pub created_by: String,
    /// First written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub created_at: String,
    /// Member id of the last writer.
    #[autosurgeon(missing = "Default::default")]
    pub updated_by: String,
    /// Last written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub updated_at: String,
    /// Tombstone when removed.
    pub deleted: Option<Tombstone>,
}

/// A receipt (kuitansi), keyed by its number. Written once, never edited: a mistake is a
/// [`Void`] plus, if needed, a new receipt.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Receipt {
    /// Receipt number `RT-SHORTID-SEQ`, e.g. `27-K7QX-0042`.
    #[autosurgeon(missing = "Default::default")]
    pub nomor: String,
    /// Donor record id.
    #[autosurgeon(missing = "Default::default")]
    pub donor_id: String,
    /// Donor code at the time of issue (for the paper trail).
    #[autosurgeon(missing = "Default::default")]
    pub kode_donatur: String,
    /// Name the money was received from ("Telah terima dari").
    #[autosurgeon(missing = "Default::default")]
    pub dari: String,
    /// RT the money was collected in.
    #[autosurgeon(missing = "Default::default")]
    pub rt: u16,
    /// Amount in whole rupiah.
    #[autosurgeon(missing = "Default::default")]
    pub jumlah: Rupiah,
    /// Amount in words, e.g. "sepuluh ribu rupiah".
    #[autosurgeon(missing = "Default::default")]
    pub terbilang: String,
    /// Purpose ("Untuk pembayaran"), e.g. "Iuran Agustus 2025".
    #[autosurgeon(missing = "Default::default")]
    pub untuk: String,
    /// When the money was received, UTC RFC 3339 (shown in WIB; the month is the WIB month).
    #[autosurgeon(missing = "Default::default")]
    pub diterima_pada: String,
    /// Who received it (name or role, e.g. "Ketua RT 27").
    #[autosurgeon(missing = "Default::default")]
    pub penerima: String,
    /// True when copied from the paper book (imported), with the original time.
    #[autosurgeon(missing = "Default::default")]
    pub salinan_buku: bool,
    /// Member id of the issuing device.
    #[autosurgeon(missing = "Default::default")]
    pub created_by: String,
    /// When written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub created_at: String,
}

/// A void of a receipt (pembatalan), keyed by the receipt number.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Void {
    /// The voided receipt's number.
    #[autosurgeon(missing = "Default::default")]
    pub nomor: String,
    /// Why it was voided.
    #[autosurgeon(missing = "Default::default")]
    pub alasan: String,
    /// Member id of who voided it.
    #[autosurgeon(missing = "Default::default")]
    pub created_by: String,
    /// When (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub created_at: String,
}

/// A disbursement of aid (santunan).
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Disbursement {
    /// Household of the recipient.
    #[autosurgeon(missing = "Default::default")]
    pub household_id: String,
    /// Recipient person id (inside the household).
    pub person_id: Option<String>,
    /// The recipient's NIK at the time of payment (paper trail).
    #[autosurgeon(missing = "Default::default")]
    pub nik_penerima: String,
    /// The PMKS identification this aid serves, where there is one.
    pub pmks_id: Option<String>,
    /// Kind: `sembako`, `tunai`, `spp` or another word.
    #[autosurgeon(missing = "Default::default")]
    pub jenis: String,
    /// Amount in whole rupiah.
    #[autosurgeon(missing = "Default::default")]
    pub jumlah: Rupiah,
    /// Payment date `YYYY-MM-DD` (WIB calendar date).
    #[autosurgeon(missing = "Default::default")]
    pub tanggal: String,
    /// The meeting whose decision approved it.
    pub meeting_id: Option<String>,
    /// Who paid it out (name).
    #[autosurgeon(missing = "Default::default")]
    pub dibayar_oleh: String,
    /// Member id of the writer of the first version.
    #[autosurgeon(missing = "Default::default")]
    pub created_by: String,
    /// First written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub created_at: String,
    /// Member id of the last writer.
    #[autosurgeon(missing = "Default::default")]
    pub updated_by: String,
    /// Last written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub updated_at: String,
    /// Tombstone when removed (a paid santunan should rather be reversed by the treasurer).
    pub deleted: Option<Tombstone>,
}

/// A meeting (musyawarah) and its decision, e.g. who gets santunan this quarter.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(default)]
pub struct Meeting {
    /// Title, e.g. "Musyawarah Q1/2025".
    #[autosurgeon(missing = "Default::default")]
    pub judul: String,
    /// Date `YYYY-MM-DD`, when known.
    #[autosurgeon(missing = "Default::default")]
    pub tanggal: String,
    /// The decisions taken (free text).
    #[autosurgeon(missing = "Default::default")]
    pub keputusan: String,
    /// Member id of the writer.
    #[autosurgeon(missing = "Default::default")]
    pub created_by: String,
    /// When written (UTC RFC 3339).
    #[autosurgeon(missing = "Default::default")]
    pub created_at: String,
}
