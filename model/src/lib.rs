//! # rukun-model: the book of a WKSBM group
//!
//! One [`Book`] is the whole record of one community welfare group (WKSBM, *Wahana
//! Kesejahteraan Sosial Berbasis Masyarakat*): households surveyed door to door, PMKS
//! identifications (Permensos No. 08 Tahun 2012), donors, receipts (kuitansi), aid paid
//! (santunan) and meeting decisions. It is one Automerge document, so the books of several
//! volunteers merge without a server; this crate knows nothing of networks or pixels.
//!
//! ```
//! use rukun_model::{Book, Device, GroupInit, Household};
//!
//! let init = GroupInit {
//!     name: "Warga Rukun".into(),
//!     kelurahan: "Sorosutan".into(),
//!     kode_wilayah: "34.71.13.1006".into(),
//!     rw: 8,
//!     rts: vec![27, 28],
//!     member_name: "Bu Sri".into(),
//! };
//! let mut book = Book::new_in_memory(Device::from_seed(1), &init)?;
//! let id = book.add_household(Household {
//!     no_kk: "3471131804080001".parse().ok(),
//!     alamat: "Gg. Mawar No. 101.E".into(),
//!     rt: 27,
//!     rw: 8,
//!     ..Default::default()
//! })?;
//! book.commit("survey")?;
//! assert_eq!(book.household(&id)?.map(|h| h.rt), Some(27));
//! # Ok::<(), rukun_model::BookError>(())
//! ```

mod book;
mod conflicts;
mod csvread;
mod demo;
mod export;
mod fieldwise;
mod generate;
mod import;
mod index;
mod kas;
mod money;
mod privacy;
mod query;
mod read;
mod receipts;
mod records;
mod refusal;
mod replica;
mod review;
pub mod rules;
mod stats;
pub mod storage;
mod stored;

pub use book::{Book, BookError, Device, GroupInit, MemberId, Role, SCHEMA_VERSION, new_id};
pub use conflicts::{FieldValue, RecordKind};
pub use csvread::CsvError;
pub use demo::{DemoError, DemoReport, create_demo, demo_group, fill_demo};
pub use export::{
    ExportError, ExportFile, PENDUDUK_COLUMNS, PERSONAL_DATA_NOTICE, SURVEI_COLUMNS,
    export_automerge, export_bundle, export_csv, export_json,
};
pub use generate::{GenerateReport, GenerateSpec, generate};
pub use import::{ImportError, ImportKind, ImportReport, RowIssue, SavedRow, import_csv};
pub use index::{HouseholdIndex, HouseholdSearch, IndexEntry};
pub use kas::{
    Anggota, IncomeDraft, LoanStatus, MeetingCounts, MemberCounts, Natura, Pengeluaran,
    Persetujuan, Pinjaman, TutupBuku, approved_unpaid, loan_status, meeting_counts, member_counts,
    people_served_by_quarter,
};
pub use money::{
    Amount, CardReceipt, DonorCard, DonorMonth, DonorTotal, KasBook, KasRow, Keputusan, MoneyError,
    MoneyInput, MoneyRecords, MonthFlow, OrderedMap, Penerima, Period, PeriodReport, QuarterRow,
    SantunanDraft, buku_kas, donor_card, hledger_journal, journal_file_name, kas_csv, month_flows,
    period_report, report_csv, report_html,
};
pub use privacy::{
    HistoryEntry, PersonExport, SENSITIVE_PMKS_CODES, has_consent, person_export_html,
    sensitive_changes,
};
pub use query::{HouseholdHit, set_household_field};
pub use receipts::{
    ReceiptDraft, donor_code, parse_receipt_number, receipt_number, short_id,
    widened_receipt_numbers,
};
pub use records::{
    Consent, Disbursement, Donor, Group, Household, Meeting, Member, Person, Pmks, Receipt,
    Tombstone, Void,
};
pub use refusal::{FieldRefusal, MoneyRefusal, PeerRefusal};
pub use replica::{
    Invite, InviteRefusal, InviteSecret, MAX_WRONG_INVITE_ATTEMPTS, MemberStatus, PeerSyncStates,
    SHORT_SECRET_BITS, SYNC_STATE_BLOB_PREFIX, short_secret_of,
};
pub use review::{
    Conflict, ConflictValue, DeletedButEdited, DuplicatePair, Evidence, MergeRecord, Resolution,
};
pub use stats::Stats;
