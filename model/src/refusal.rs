//! Why the book refused a change because of what was given: one enum per operation, each
//! variant with its field ([`field`](MoneyRefusal::field), as in the CSV headers) and what
//! was wrong as typed data. Screens match the variants and say them in the person's
//! language (`app/src/ui/errors.rs`); `Display` is English for logs, the CLI and import
//! reports, always `field: what is wrong`.

use crate::rules::{Nik, NikError, Rupiah, TimeError, YearMonth};

/// Why a receipt, a void, a donor or a santunan was refused ([`crate::Book::issue_receipts`],
/// [`crate::Book::void_receipt`], [`crate::Book::add_new_donor`], [`crate::Book::add_santunan`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MoneyRefusal {
    /// An amount of Rp0.
    #[error("jumlah: must be more than Rp0")]
    ZeroAmount,
    /// A receipt with no purpose ("Untuk pembayaran").
    #[error("untuk: the purpose is empty (e.g. \"Iuran Agustus 2025\")")]
    EmptyPurpose,
    /// A void with no reason.
    #[error("alasan: a void needs a reason")]
    NoReason,
    /// The receipt is voided already.
    #[error("nomor: receipt {nomor} is already voided")]
    AlreadyVoided {
        /// The receipt's number.
        nomor: String,
    },
    /// Several receipts carry this number (made on two devices before their short ids were
    /// told apart): one of the widened numbers must be named.
    #[error("nomor: {} receipts share number {nomor}; use one of: {}", widened.len(), widened.join(", "))]
    SharedNumber {
        /// The number given.
        nomor: String,
        /// The widened numbers that tell them apart.
        widened: Vec<String>,
    },
    /// A donor with no name.
    #[error("nama: a donor needs a name")]
    NoDonorName,
    /// A live donor already has this code.
    #[error("kode: donor code {kode} is already used")]
    DonorCodeTaken {
        /// The code.
        kode: String,
    },
    /// A santunan with no kind.
    #[error("jenis: kind is empty (e.g. sembako, tunai, spp)")]
    NoKind,
    /// A payment date that does not read.
    #[error("tanggal: {0}")]
    Date(TimeError),
    /// A recipient's NIK that does not read.
    #[error("nik_penerima: {0}")]
    Nik(NikError),
    /// Nobody in a live household of the book has this NIK.
    #[error("nik_penerima: no person with NIK {0}")]
    NikNotInBook(Nik),
    /// The chosen person is not in that live household.
    #[error("penerima: no person {person_id} in a live household {household_id}")]
    NoSuchPerson {
        /// The household named.
        household_id: String,
        /// The person named.
        person_id: String,
    },
    /// The PMKS identification named is not the recipient's.
    #[error("pmks_id: {0} is not this person's identification")]
    NotTheirPmks(String),
    /// The meeting named is not in the book.
    #[error("meeting_id: no meeting {0}")]
    NoSuchMeeting(String),
    /// A donor's iuran recorded as other income (it needs the donor: a receipt).
    #[error("jenis_sumber: a donor's iuran is a receipt of the donor")]
    IuranNeedsDonor,
    /// Income with no source named.
    #[error("nama_sumber: the source is empty (e.g. \"Dinas Sosial\")")]
    NoSourceName,
    /// A loan, or a repayment, with no loan code.
    #[error("pinjaman_id: the loan code is empty")]
    NoLoanCode,
    /// A loan code already used.
    #[error("pinjaman_id: loan {kode} is already in the book")]
    LoanCodeTaken {
        /// The code.
        kode: String,
    },
    /// A loan whose amount is not its term times its installment (no interest).
    #[error("jumlah: {jumlah} is not {tenor_bulan} × {angsuran_bulanan}")]
    LoanTerms {
        /// The amount lent.
        jumlah: Rupiah,
        /// The term in months.
        tenor_bulan: u32,
        /// The monthly installment.
        angsuran_bulanan: Rupiah,
    },
    /// No member number.
    #[error("no_anggota: the member number is empty")]
    NoMemberNumber,
    /// No name.
    #[error("nama: the name is empty")]
    NoName,
    /// An expense with no payee.
    #[error("dibayar_kepada: the payee is empty")]
    NoPayee,
    /// A meeting (or a decision) with no title.
    #[error("keputusan: the meeting's title is empty")]
    NoTitle,
    /// Goods in kind with nothing named.
    #[error("barang: what was received is empty")]
    NoGoods,
    /// A change dated in a month the meeting closed.
    #[error("tanggal: {bulan} is closed; record it in an open month")]
    MonthClosed {
        /// The closed month.
        bulan: YearMonth,
    },
}

impl MoneyRefusal {
    /// The field refused, as in the CSV headers.
    pub fn field(&self) -> &'static str {
        match self {
            MoneyRefusal::ZeroAmount => "jumlah",
            MoneyRefusal::EmptyPurpose => "untuk",
            MoneyRefusal::NoReason => "alasan",
            MoneyRefusal::AlreadyVoided { .. } | MoneyRefusal::SharedNumber { .. } => "nomor",
            MoneyRefusal::NoDonorName => "nama",
            MoneyRefusal::DonorCodeTaken { .. } => "kode",
            MoneyRefusal::NoKind => "jenis",
            MoneyRefusal::Date(_) => "tanggal",
            MoneyRefusal::Nik(_) | MoneyRefusal::NikNotInBook(_) => "nik_penerima",
            MoneyRefusal::NoSuchPerson { .. } => "penerima",
            MoneyRefusal::NotTheirPmks(_) => "pmks_id",
            MoneyRefusal::NoSuchMeeting(_) => "meeting_id",
            MoneyRefusal::IuranNeedsDonor => "jenis_sumber",
            MoneyRefusal::NoSourceName => "nama_sumber",
            MoneyRefusal::NoLoanCode | MoneyRefusal::LoanCodeTaken { .. } => "pinjaman_id",
            MoneyRefusal::LoanTerms { .. } => "jumlah",
            MoneyRefusal::NoMemberNumber => "no_anggota",
            MoneyRefusal::NoName => "nama",
            MoneyRefusal::NoPayee => "dibayar_kepada",
            MoneyRefusal::NoTitle => "keputusan",
            MoneyRefusal::NoGoods => "barang",
            MoneyRefusal::MonthClosed { .. } => "tanggal",
        }
    }
}

/// Why an edit of a household field, a conflict's resolution or a merge was refused
/// ([`crate::set_household_field`], [`crate::Book::resolve`],
/// [`crate::Book::merge_households`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FieldRefusal {
    /// No such field.
    #[error("{field}: unknown field; use one of {expected}")]
    UnknownField {
        /// The name given.
        field: String,
        /// The fields there are, comma-separated.
        expected: String,
    },
    /// The value does not read for the field (the field's own rule says why).
    #[error("{field}: {reason}")]
    Value {
        /// The field.
        field: String,
        /// Why, from the field's parser.
        reason: String,
    },
    /// A conflict resolution named a value that is not one of the conflict's.
    #[error("{path}: {reason}")]
    Resolution {
        /// The record and field (`households/<id>/lantai`).
        path: String,
        /// What was wrong with the choice.
        reason: String,
    },
    /// A household merged into itself.
    #[error("OTHER: a household cannot be merged into itself")]
    MergeIntoItself,
}

impl FieldRefusal {
    /// The field refused.
    pub fn field(&self) -> &str {
        match self {
            FieldRefusal::UnknownField { field, .. } | FieldRefusal::Value { field, .. } => field,
            FieldRefusal::Resolution { path, .. } => path,
            FieldRefusal::MergeIntoItself => "OTHER",
        }
    }
}

/// Why bytes from a peer (a sync message, a whole book) or an invite were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PeerRefusal {
    /// A sync message that does not decode or apply.
    #[error("sync message: {0}")]
    SyncMessage(String),
    /// A book received whole (at join) that is not a group's book.
    #[error("book: {0}")]
    NotABook(String),
    /// An invite that cannot be made or kept.
    #[error("invite: {0}")]
    Invite(String),
}
