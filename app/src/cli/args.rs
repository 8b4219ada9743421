//! The command line as clap parses it: every subcommand and its arguments, with the help
//! text people read. What each one does is in [`super`] and its modules.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[cfg(feature = "sync")]
use super::peers;
use super::{kas, money, review};

/// Rukun: the book of a community welfare group (WKSBM), kept on every volunteer's device
/// and merged peer to peer.
#[derive(Debug, Parser)]
#[command(name = "rukun", version, about)]
pub(crate) struct Cli {
    /// The book folder (one folder is one device's copy of one group's book).
    /// Default: the OS data folder.
    #[arg(long, global = true, env = "RUKUN_BOOK")]
    pub(super) book: Option<PathBuf>,
    /// Use a very cheap key derivation when creating a book. For tests only: a stolen
    /// book made this way is easy to brute-force.
    #[arg(
        long,
        global = true,
        hide = true,
        env = "RUKUN_INSECURE_FAST_KDF",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub(super) insecure_fast_kdf: bool,
    /// Where the app's Sinkron screen listens (default: all interfaces, `0.0.0.0:0`, for the
    /// meeting's Wi-Fi or hotspot); e.g. `127.0.0.1:0` to keep two windows on one machine.
    #[arg(long, global = true, env = "RUKUN_APP_BIND")]
    pub(super) app_bind: Option<std::net::SocketAddr>,
    #[command(subcommand)]
    pub(super) command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Found a new group in an empty book folder; this device becomes its first admin.
    Init {
        /// Group name, e.g. "Warga Rukun".
        #[arg(long)]
        name: String,
        /// Kelurahan or desa name.
        #[arg(long)]
        kelurahan: String,
        /// Kode wilayah (Kemendagri), e.g. 34.71.13.1006.
        #[arg(long)]
        kode_wilayah: String,
        /// RW number.
        #[arg(long)]
        rw: String,
        /// RT numbers served, comma-separated, e.g. 27,28,29.
        #[arg(long, value_delimiter = ',')]
        rt: Vec<String>,
        /// Your name (the founding member).
        #[arg(long)]
        member: String,
    },
    /// Create a new book filled with the sample RW (RW 08 Sorosutan, year 2025, invented
    /// people: the files of `data/rw08`, built in), to try Rukun in one step.
    Demo {
        /// Your name (the founding admin of the sample book).
        #[arg(long, default_value = "Admin Contoh")]
        member: String,
    },
    /// Import a CSV file of the paper book (or its Excel copy).
    Import {
        /// What the file holds: penduduk, survei, donatur, iuran, santunan, pmks, anggota,
        /// musyawarah, keputusan, sumber-dana, natura, pengeluaran, pinjaman or angsuran.
        #[arg(value_parser = import_kind)]
        kind: rukun_model::ImportKind,
        /// The CSV file.
        file: PathBuf,
    },
    /// Counts of live records.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fill the book with a deterministic kelurahan-size data set (tests, benchmarks).
    Generate {
        /// Number of households (about 4 people each).
        #[arg(long, default_value_t = 5000)]
        households: usize,
        /// Seed: the same seed gives the same records.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Households: list, show, add, edit.
    Household {
        #[command(subcommand)]
        command: HouseholdCommand,
    },
    /// Export the whole book to a folder.
    Export {
        /// csv (Excel), json, or automerge (one standard Automerge file).
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The folder to write into (created if needed).
        #[arg(long)]
        out: PathBuf,
    },
    /// The meeting's review: conflicts, duplicates, deletions that raced an edit.
    Review {
        #[command(subcommand)]
        command: review::ReviewCommand,
    },
    /// Settle a conflicting field: `--value V` (one of the listed values or a new one) or
    /// `--pick N` (the N-th listed value).
    Resolve {
        /// Record id (household, PMKS, donor or santunan).
        record: String,
        /// Field, e.g. `lantai` or `anggota.<person id>.nama`, or `kode` of a PMKS record.
        field: String,
        /// The value to keep.
        #[arg(long)]
        value: Option<String>,
        /// The number of a listed value (from 1).
        #[arg(long)]
        pick: Option<usize>,
    },
    /// Merge household OTHER into KEEP (undo with `rukun unmerge`).
    MergeHouseholds {
        /// Surviving household id.
        keep: String,
        /// Household merged away.
        other: String,
    },
    /// Undo a merge (its id, or the id of the household merged away).
    Unmerge {
        /// Merge id or merged household id.
        id: String,
    },
    /// A person's data (UU 27/2022).
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// Change the book's passphrase (new one from RUKUN_NEW_PASSPHRASE or a prompt).
    Passphrase {
        /// Also re-encrypt every file under a new data key, so an old copy of the header
        /// with the old passphrase opens nothing (crash-safe; takes a few seconds).
        #[arg(long)]
        rotate: bool,
    },
    /// Receipts (kuitansi): issue offline, void, show.
    Receipt {
        #[command(subcommand)]
        command: money::ReceiptCommand,
    },
    /// Aid paid (santunan).
    Santunan {
        #[command(subcommand)]
        command: money::SantunanCommand,
    },
    /// Donors: add (code scoped to this device), list.
    Donor {
        #[command(subcommand)]
        command: money::DonorCommand,
    },
    /// Cash from a source other than a donor's iuran (usaha, hibah, kps, pengurus, spontan,
    /// iuran_wajib), with a kuitansi from this device's numbering; prints its number.
    Income {
        /// The source kind.
        #[arg(long)]
        source: String,
        /// The source's name, e.g. "Dinas Sosial Kota Yogyakarta".
        #[arg(long)]
        from: String,
        /// Amount in whole rupiah.
        #[arg(long)]
        amount: String,
        /// What for (default: the source kind).
        #[arg(long = "for", default_value = "")]
        untuk: String,
        /// Who received it (default: this member's name).
        #[arg(long)]
        receiver: Option<String>,
        /// For iuran_wajib: the member number.
        #[arg(long)]
        member: Option<String>,
    },
    /// Expenses to any payee: add, void.
    Expense {
        #[command(subcommand)]
        command: kas::ExpenseCommand,
    },
    /// Meetings (musyawarah): add, approve a payout, pay what was approved.
    Meeting {
        #[command(subcommand)]
        command: kas::MeetingCommand,
    },
    /// Business loans: add, repay.
    Loan {
        #[command(subcommand)]
        command: kas::LoanCommand,
    },
    /// The register of members: add.
    Anggota {
        #[command(subcommand)]
        command: kas::AnggotaCommand,
    },
    /// Close a month of the cash book (YYYY-MM): later changes dated in it are refused.
    CloseMonth {
        /// The month, e.g. 2025-03.
        month: String,
        /// The meeting at which it was closed.
        #[arg(long, default_value = "")]
        decision: String,
    },
    /// The buku kas umum of one month (derived, never stored).
    Kas(money::KasArgs),
    /// The report of a year or quarter: JSON, printable HTML, CSV.
    Report(money::ReportArgs),
    /// A donor's card (kartu donatur) for one year.
    DonorCard(money::DonorCardArgs),
    #[cfg(feature = "sync")]
    #[command(flatten)]
    Peer(peers::PeerCommand),
}

#[derive(Debug, Subcommand)]
pub(super) enum PersonCommand {
    /// Everything the book holds about one person, with who recorded or changed what and
    /// when, as JSON and a readable page.
    Export {
        /// The person's NIK.
        nik: String,
        /// Folder to write into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

/// An import kind by its name (`sumber-dana`).
fn import_kind(s: &str) -> Result<rukun_model::ImportKind, String> {
    rukun_model::ImportKind::parse(s).ok_or_else(|| {
        let names: Vec<&str> = rukun_model::ImportKind::ALL
            .iter()
            .map(|k| k.name())
            .collect();
        format!("unknown kind {s:?}; one of: {}", names.join(", "))
    })
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum ExportFormat {
    Csv,
    Json,
    Automerge,
    /// An hledger journal of the cash book (`<group>.journal`).
    Hledger,
    /// What the app's "Ekspor" writes: the CSV files, the hledger journal and this year's
    /// printable report.
    Bundle,
}

#[derive(Debug, Subcommand)]
pub(super) enum HouseholdCommand {
    /// Delete a household (a tombstone; a concurrent edit elsewhere is kept for review).
    Delete {
        /// Household id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Restore a deleted household.
    Restore {
        /// Household id.
        id: String,
    },
    /// List live households.
    List {
        /// Only this RT.
        #[arg(long)]
        rt: Option<u16>,
        /// Part of a name, NIK, KK number or address.
        #[arg(long)]
        search: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one household with its people.
    Show {
        /// Household id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a household; prints its id.
    Add {
        /// Nomor KK (16 digits).
        #[arg(long)]
        kk: String,
        /// RT.
        #[arg(long)]
        rt: String,
        /// Address.
        #[arg(long)]
        alamat: String,
        /// Name of the kepala keluarga.
        #[arg(long)]
        kepala: String,
        /// RW (default: the group's RW).
        #[arg(long)]
        rw: Option<String>,
    },
    /// Edit fields of a household (names as in the CSV export header); one save.
    Edit {
        /// Household id.
        id: String,
        /// FIELD=VALUE, repeatable.
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
    },
}
