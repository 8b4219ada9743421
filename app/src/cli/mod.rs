//! The command line: parsing (clap) and one function per subcommand.

mod money;
#[cfg(feature = "sync")]
mod peers;
mod review;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use rukun_model::{
    Book, GenerateSpec, GroupInit, Household, ImportKind, rules, set_household_field,
    storage::{BookStore, KdfParams},
};

/// Exit status when some imported rows were rejected.
const EXIT_ROWS_REJECTED: u8 = 3;
/// Exit status when the input file cannot be read.
const EXIT_UNREADABLE: u8 = 2;

/// Rukun: the book of a community welfare group (WKSBM), kept on every volunteer's device
/// and merged peer to peer.
#[derive(Debug, Parser)]
#[command(name = "rukun", version, about)]
pub(crate) struct Cli {
    /// The book folder (one folder is one device's copy of one group's book).
    /// Default: the OS data folder.
    #[arg(long, global = true, env = "RUKUN_BOOK")]
    book: Option<PathBuf>,
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
    insecure_fast_kdf: bool,
    /// Where the app's Sinkron screen listens (default: all interfaces, `0.0.0.0:0`, for the
    /// meeting's Wi-Fi or hotspot); e.g. `127.0.0.1:0` to keep two windows on one machine.
    #[arg(long, global = true, env = "RUKUN_APP_BIND")]
    app_bind: Option<std::net::SocketAddr>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
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
        /// What the file holds.
        kind: KindArg,
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
    Passphrase,
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
enum PersonCommand {
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

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Penduduk,
    Survei,
    Donatur,
    Iuran,
    Santunan,
    Pmks,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
    Automerge,
    /// An hledger journal of the cash book (`<group>.journal`).
    Hledger,
}

#[derive(Debug, Subcommand)]
enum HouseholdCommand {
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

/// Name of the notice written into every export folder (it holds personal data).
const NOTICE_FILE: &str = "PERHATIAN-DATA-PRIBADI.txt";

/// Writes the personal-data notice (UU 27/2022) into the folder of `path`.
pub(crate) fn write_notice_beside(path: &Path) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let notice = dir.join(NOTICE_FILE);
    std::fs::write(&notice, format!("{}\n", rukun_model::PERSONAL_DATA_NOTICE))
        .with_context(|| format!("writing {}", notice.display()))
}

/// Parses the command line and runs it; errors are printed with their causes.
pub(crate) fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUKUN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rukun: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn default_book_dir() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("id", "Rukun", "rukun")
        .context("cannot find the OS data folder; pass --book DIR")?;
    Ok(dirs.data_dir().join("book"))
}

fn book_dir(cli: &Cli) -> Result<PathBuf> {
    match &cli.book {
        Some(p) => Ok(p.clone()),
        None => default_book_dir(),
    }
}

/// The passphrase from `RUKUN_PASSPHRASE`, or asked on the terminal.
pub(crate) fn passphrase(confirm: bool) -> Result<String> {
    if let Ok(p) = std::env::var("RUKUN_PASSPHRASE") {
        if p.is_empty() {
            bail!("RUKUN_PASSPHRASE is set but empty");
        }
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase: set RUKUN_PASSPHRASE or run rukun in a terminal");
    }
    let p = rpassword::prompt_password("Kata sandi buku (passphrase): ")?;
    if confirm {
        let again = rpassword::prompt_password("Ulangi kata sandi: ")?;
        if again != p {
            bail!("the two passphrases differ");
        }
    }
    if p.len() < 4 {
        bail!("the passphrase is too short (at least 4 characters)");
    }
    Ok(p)
}

pub(crate) fn open_book(dir: &Path) -> Result<Book> {
    if !BookStore::exists(dir) {
        bail!(
            "no book in {} (create one with `rukun init`, or pass --book DIR)",
            dir.display()
        );
    }
    let pass = passphrase(false)?;
    let book = Book::open(dir, &pass).with_context(|| format!("opening {}", dir.display()))?;
    for w in book.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(book)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let dir = book_dir(&cli)?;
    let Some(command) = cli.command else {
        // No subcommand: the app on this book (locked), or its first start when there is
        // no book yet ("Buat kelompok baru" / "Gabung dengan undangan").
        rukun_ui::run_native(rukun_ui::AppOptions {
            book_dir: Some(dir),
            settings_path: rukun_ui::Settings::default_path(),
            fast_kdf: cli.insecure_fast_kdf,
            bind: cli
                .app_bind
                .unwrap_or_else(|| std::net::SocketAddr::from(([0, 0, 0, 0], 0))),
            ..Default::default()
        })
        .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))?;
        return Ok(ExitCode::SUCCESS);
    };
    match command {
        Command::Init {
            name,
            kelurahan,
            kode_wilayah,
            rw,
            rt,
            member,
        } => {
            let kode = rules::KodeWilayah::parse(&kode_wilayah)
                .map_err(|e| anyhow::anyhow!("--kode-wilayah: {e}"))?;
            let rw = rules::parse_rw(&rw).map_err(|e| anyhow::anyhow!("--rw: {e}"))?;
            let rts = rt
                .iter()
                .map(|r| rules::parse_rt(r).map_err(|e| anyhow::anyhow!("--rt: {e}")))
                .collect::<Result<Vec<_>>>()?;
            if BookStore::exists(&dir) {
                bail!("{} already holds a book", dir.display());
            }
            let pass = passphrase(true)?;
            let kdf = kdf_params(cli.insecure_fast_kdf);
            let mut book = Book::create(
                &dir,
                &pass,
                kdf,
                &GroupInit {
                    name,
                    kelurahan,
                    kode_wilayah: kode.to_string(),
                    rw,
                    rts,
                    member_name: member,
                },
            )?;
            let group = book.group()?;
            println!("group {}", group.id);
            println!("member {}", book.member_id());
            eprintln!(
                "Buku \"{}\" dibuat di {} ({}).",
                group.name,
                dir.display(),
                rules::format_rw(group.rw)
            );
            book.compact()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { member } => {
            if BookStore::exists(&dir) {
                bail!("{} already holds a book", dir.display());
            }
            let pass = passphrase(true)?;
            let kdf = kdf_params(cli.insecure_fast_kdf);
            let (book, report) =
                rukun_model::create_demo(&dir, &pass, kdf, &member, &mut |_, _, file| {
                    if !file.is_empty() {
                        eprintln!("mengimpor {file}…");
                    }
                })?;
            let group = book.group()?;
            println!("group {}", group.id);
            println!("member {}", book.member_id());
            for (file, r) in &report.files {
                eprintln!(
                    "{file}: {} imported, {} rejected, {} warnings",
                    r.imported,
                    r.rejected.len(),
                    r.warnings.len()
                );
            }
            println!("{}", serde_json::to_string(&book.stats())?);
            eprintln!(
                "Buku contoh \"{}\" dibuat di {}. Buka dengan: rukun --book {}",
                group.name,
                dir.display(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { kind, file } => import(&dir, kind, &file),
        Command::Stats { json } => {
            let book = open_book(&dir)?;
            let s = book.stats();
            if json {
                println!("{}", serde_json::to_string(&s)?);
            } else {
                println!("Rumah tangga : {}", s.households);
                println!("Penduduk     : {}", s.persons);
                println!("Donatur      : {}", s.donors);
                println!("Kuitansi     : {}", s.receipts);
                println!("Santunan     : {}", s.disbursements);
                println!("PMKS         : {}", s.pmks);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate { households, seed } => {
            let mut book = open_book(&dir)?;
            let started = std::time::Instant::now();
            let report = rukun_model::generate(&mut book, GenerateSpec { households, seed })?;
            println!("{}", serde_json::to_string(&report)?);
            eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
        Command::Household { command } => household(&dir, command),
        #[cfg(feature = "sync")]
        Command::Peer(command) => peers::run(&dir, cli.insecure_fast_kdf, command),
        Command::Review { command } => review::review(&dir, command),
        Command::Resolve {
            record,
            field,
            value,
            pick,
        } => review::resolve(&dir, &record, &field, value, pick),
        Command::MergeHouseholds { keep, other } => review::merge_households(&dir, &keep, &other),
        Command::Unmerge { id } => review::unmerge(&dir, &id),
        Command::Person {
            command: PersonCommand::Export { nik, out },
        } => review::person_export(&dir, &nik, &out),
        Command::Passphrase => review::change_passphrase(&dir, cli.insecure_fast_kdf),
        Command::Receipt { command } => money::receipt(&dir, command),
        Command::Santunan { command } => money::santunan(&dir, command),
        Command::Donor { command } => money::donor(&dir, command),
        Command::Kas(args) => money::kas(&dir, args),
        Command::Report(args) => money::report(&dir, args),
        Command::DonorCard(args) => money::card(&dir, args),
        Command::Export { format, out } => {
            let mut book = open_book(&dir)?;
            let files = match format {
                ExportFormat::Csv => rukun_model::export_csv(&book)?,
                ExportFormat::Json => rukun_model::export_json(&book)?,
                ExportFormat::Automerge => rukun_model::export_automerge(&mut book),
                ExportFormat::Hledger => money::hledger_files(&book)?,
            };
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let has_notice = files.iter().any(|f| f.name == NOTICE_FILE);
            if !has_notice {
                write_notice_beside(&out.join(NOTICE_FILE))?;
            }
            for f in files {
                let path = out.join(&f.name);
                std::fs::write(&path, &f.bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                println!("{}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Key-derivation settings of a new book or passphrase: the real ones, or cheap ones for
/// tests (`--insecure-fast-kdf`).
pub(super) fn kdf_params(fast: bool) -> KdfParams {
    if fast {
        KdfParams::insecure_fast()
    } else {
        KdfParams::default()
    }
}

fn import(dir: &Path, kind: KindArg, file: &Path) -> Result<ExitCode> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rukun: cannot read {}: {e}", file.display());
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    let kind = match kind {
        KindArg::Penduduk => ImportKind::Penduduk,
        KindArg::Survei => ImportKind::Survei,
        KindArg::Donatur => ImportKind::Donatur,
        KindArg::Iuran => ImportKind::Iuran,
        KindArg::Santunan => ImportKind::Santunan,
        KindArg::Pmks => ImportKind::Pmks,
    };
    let mut book = open_book(dir)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = rukun_model::import_csv(&mut book, kind, &bytes, &mut |saved| {
        // One line per row durably saved, flushed at once (scripts and the crash test rely on it).
        let _ = writeln!(out, "saved line {}: {}", saved.line, saved.what);
        let _ = out.flush();
    });
    let report = match result {
        Ok(r) => r,
        Err(rukun_model::ImportError::Csv(e)) => {
            eprintln!("rukun: {}: {e}", file.display());
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
        Err(e) => return Err(e.into()),
    };
    book.compact()?;
    let name = file.display();
    for w in &report.warnings {
        eprintln!("{name}:{}: warning: {}", w.line, w.message);
    }
    for r in &report.rejected {
        eprintln!("{name}:{}: rejected: {}", r.line, r.message);
    }
    eprintln!(
        "{name}: {} imported, {} already present, {} rejected, {} warnings",
        report.imported,
        report.unchanged,
        report.rejected.len(),
        report.warnings.len()
    );
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_ROWS_REJECTED)
    })
}

fn household(dir: &Path, command: HouseholdCommand) -> Result<ExitCode> {
    match command {
        HouseholdCommand::List { rt, search, json } => {
            let book = open_book(dir)?;
            let hits = book.search_households(rt, search.as_deref());
            if json {
                println!("{}", serde_json::to_string(&hits)?);
            } else {
                for h in &hits {
                    let hh = &h.household;
                    println!(
                        "{}  KK {}  {}  {:<28} {} ({} orang)",
                        h.id,
                        hh.no_kk,
                        rules::format_rt_rw(hh.rt, hh.rw),
                        hh.kepala_keluarga,
                        hh.alamat,
                        hh.live_people().count()
                    );
                }
                eprintln!("{} rumah tangga", hits.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        HouseholdCommand::Show { id, json } => {
            let book = open_book(dir)?;
            let h = book
                .household(&id)?
                .with_context(|| format!("no household with id {id}"))?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({"id": id, "household": h}))?
                );
            } else {
                println!("Rumah tangga {id}");
                println!("  No. KK          : {}", h.no_kk);
                println!(
                    "  Alamat          : {}, {}",
                    h.alamat,
                    rules::format_rt_rw(h.rt, h.rw)
                );
                println!("  Kepala keluarga : {}", h.kepala_keluarga);
                for (field, v) in [
                    ("Lantai", &h.lantai),
                    ("Dinding", &h.dinding),
                    ("Atap", &h.atap),
                    ("Air minum", &h.air_minum),
                    ("Penerangan", &h.penerangan),
                    ("Fasilitas BAB", &h.fasilitas_bab),
                ] {
                    println!("  {field:<16}: {v}");
                }
                if let Some(p) = h.penghasilan_bulanan {
                    println!("  Penghasilan     : {p} per bulan");
                }
                if h.deleted.is_some() || h.merged_into.is_some() {
                    println!("  (dihapus / digabung)");
                }
                println!("  Anggota:");
                for (_, p) in h.live_people() {
                    println!(
                        "    {}  {:<28} {} {}  {}",
                        p.nik, p.nama, p.jenis_kelamin, p.tanggal_lahir, p.hubungan_keluarga
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        HouseholdCommand::Add {
            kk,
            rt,
            alamat,
            kepala,
            rw,
        } => {
            let mut book = open_book(dir)?;
            let mut h = Household::default();
            let group_rw = book.group()?.rw.to_string();
            for (field, value) in [
                ("no_kk", kk.as_str()),
                ("rt", rt.as_str()),
                ("rw", rw.as_deref().unwrap_or(&group_rw)),
                ("alamat", alamat.as_str()),
                ("kepala_keluarga", kepala.as_str()),
            ] {
                set_household_field(&mut h, field, value)?;
            }
            if book
                .households()
                .iter()
                .any(|(_, o)| o.is_live() && o.no_kk == h.no_kk)
            {
                bail!(
                    "no_kk: a household with KK {} is already in the book",
                    h.no_kk
                );
            }
            let id = book.add_household(h)?;
            book.commit("household add")?;
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
        HouseholdCommand::Delete { id, reason } => {
            let mut book = open_book(dir)?;
            book.delete_household(&id, &reason)?;
            book.commit("household delete")?;
            eprintln!("dihapus (tombstone)");
            Ok(ExitCode::SUCCESS)
        }
        HouseholdCommand::Restore { id } => {
            let mut book = open_book(dir)?;
            book.restore_household(&id)?;
            book.commit("household restore")?;
            eprintln!("dipulihkan");
            Ok(ExitCode::SUCCESS)
        }
        HouseholdCommand::Edit { id, set } => {
            let mut book = open_book(dir)?;
            let original = book
                .household(&id)?
                .with_context(|| format!("no household with id {id}"))?;
            let mut edited = original.clone();
            for s in &set {
                let (field, value) = s
                    .split_once('=')
                    .with_context(|| format!("--set {s}: expected FIELD=VALUE"))?;
                if let Some(w) = set_household_field(&mut edited, field.trim(), value)? {
                    eprintln!("warning: {w}");
                }
            }
            let n = book.save_household(&id, &original, &edited)?;
            book.commit("household edit")?;
            eprintln!("{n} field(s) saved");
            Ok(ExitCode::SUCCESS)
        }
    }
}
