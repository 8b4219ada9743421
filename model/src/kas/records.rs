//! The records of the group's cash and governance beyond receipts and santunan: expenses
//! to any payee, the decisions of a meeting, loans, the register of members, goods
//! received in kind, and the closing of a month. Conventions as in `records.rs`: keyed by
//! id in their table, plain string scalars, never edited in place where money is concerned
//! (a wrong expense is voided, like a receipt).
//!
//! Records name other records by the natural key people write on paper (a meeting by its
//! title, a person by NIK, a loan by its code) and are linked when read, so an import in
//! any order, or on devices that sync in any order, keeps every row and links it once the
//! record it names arrives.

use autosurgeon::Reconcile;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::rules::{Jabatan, KategoriPengeluaran, Nik, Rupiah, YearMonth};

/// An expense (pengeluaran): cash paid out that is not a per-person santunan.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Pengeluaran {
    /// What it was for.
    pub kategori: KategoriPengeluaran,
    /// Payment date `YYYY-MM-DD` (WIB calendar date).
    pub tanggal: String,
    /// Who was paid: a person in the book or any named party (a shop, a school).
    pub dibayar_kepada: String,
    /// The person helped, when there is one (a death donation's family member).
    #[serde(with = "crate::stored::opt_digits")]
    #[autosurgeon(reconcile = "crate::stored::opt_digits::reconcile")]
    pub nik_terkait: Option<Nik>,
    /// Amount in whole rupiah.
    pub jumlah: Rupiah,
    /// The payee's receipt or shop note number, if any.
    pub no_nota: String,
    /// The title of the meeting whose decision approved it, if any.
    pub keputusan: String,
    /// Notes.
    pub keterangan: String,
    /// Member id of the writer.
    pub created_by: String,
    /// When written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
}

impl Default for KategoriPengeluaran {
    /// Anything else.
    fn default() -> Self {
        KategoriPengeluaran::Lainnya
    }
}

/// One payout a meeting approved (persetujuan), as in `keputusan-santunan-2025.csv`:
/// paid later by a santunan with the same meeting, NIK, kind and amount.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Persetujuan {
    /// The title of the meeting that approved it.
    pub keputusan: String,
    /// The recipient.
    #[serde(with = "crate::stored::opt_digits")]
    #[autosurgeon(reconcile = "crate::stored::opt_digits::reconcile")]
    pub nik_penerima: Option<Nik>,
    /// Kind of aid: `sembako`, `tunai`, `spp`.
    pub jenis: String,
    /// Amount approved, whole rupiah.
    pub jumlah: Rupiah,
    /// Member id of the writer.
    pub created_by: String,
    /// When written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
}

/// A productive-business loan (pinjaman modal usaha), without interest: `jumlah =
/// tenor_bulan × angsuran_bulanan`. Paid out in cash on `tanggal`; repaid by receipts of
/// source `angsuran` naming its code.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Pinjaman {
    /// The loan's code, e.g. `PJ-2025-01` (unique in the book).
    pub kode: String,
    /// Date paid out `YYYY-MM-DD` (WIB).
    pub tanggal: String,
    /// The borrower.
    #[serde(with = "crate::stored::opt_digits")]
    #[autosurgeon(reconcile = "crate::stored::opt_digits::reconcile")]
    pub nik_peminjam: Option<Nik>,
    /// The borrower's name as written (shown while the person is not in the book).
    pub nama: String,
    /// The business, e.g. `warung kelontong`.
    pub usaha: String,
    /// Amount lent, whole rupiah.
    pub jumlah: Rupiah,
    /// Number of monthly installments.
    pub tenor_bulan: u32,
    /// One installment, whole rupiah; installment k is due k months after `tanggal`.
    pub angsuran_bulanan: Rupiah,
    /// The title of the meeting that approved it.
    pub keputusan: String,
    /// Member id of the writer.
    pub created_by: String,
    /// When written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
}

/// A person in the group's register of members (anggota kelompok): not a device. A member
/// may have no device; a device ([`crate::Member`]) may name its person here.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Anggota {
    /// Member number, e.g. `WR-001` (unique in the book; in joining order).
    pub no_anggota: String,
    /// NIK.
    #[serde(with = "crate::stored::opt_digits")]
    #[autosurgeon(reconcile = "crate::stored::opt_digits::reconcile")]
    pub nik: Option<Nik>,
    /// Name.
    pub nama: String,
    /// RT.
    pub rt: u16,
    /// Position on the board, or `Anggota`.
    pub jabatan: Jabatan,
    /// Date joined `YYYY-MM-DD`.
    pub tanggal_masuk: String,
    /// The compulsory monthly due pledged (iuran wajib), if any.
    pub iuran_wajib_bulanan: Option<Rupiah>,
    /// The member id of this person's device, if they have one.
    pub perangkat: String,
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
}

/// Goods received in kind (natura) with an estimated value: shown in reports, never
/// counted in the cash balance.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Serialize, Deserialize)]
#[serde(default)]
pub struct Natura {
    /// Date received `YYYY-MM-DD`.
    pub tanggal: String,
    /// From whom.
    pub sumber: String,
    /// What, e.g. `Beras`.
    pub barang: String,
    /// How much, as written (`50`, `2,5`).
    pub banyaknya: String,
    /// Unit, e.g. `kg`.
    pub satuan: String,
    /// Estimated value (taksiran), whole rupiah.
    pub taksiran: Rupiah,
    /// Notes.
    pub keterangan: String,
    /// Member id of the writer.
    pub created_by: String,
    /// When written (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
}

/// The closing of a month of the cash book (tutup buku), usually at the meeting: keyed by
/// the month (`2025-03`), so two devices closing the same month make one record.
#[derive(Debug, Clone, PartialEq, Reconcile, Serialize, Deserialize)]
pub struct TutupBuku {
    /// The month closed.
    pub bulan: YearMonth,
    /// The closing balance the meeting saw, whole rupiah.
    #[serde(default)]
    pub saldo: Rupiah,
    /// The meeting at which it was closed (title), if any.
    #[serde(default)]
    pub keputusan: String,
    /// Member id of who closed it.
    #[serde(default)]
    pub created_by: String,
    /// When (UTC): an entry of the month written after this (on a device that had not heard
    /// of the closing) is shown in the next open month, with a note.
    #[serde(default)]
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: DateTime<Utc>,
}
