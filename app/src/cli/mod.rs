//! The command line: parsing (clap) and one function per subcommand.

mod args;
mod kas;
mod money;
#[cfg(feature = "sync")]
mod peers;
mod review;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;

use args::Cli;
use args::{Command, ExportFormat, HouseholdCommand, PersonCommand};
use rukun_model::{
    Book, GenerateSpec, GroupInit, Household, ImportKind, rules, set_household_field,
    storage::{BookStore, KdfParams},
};

/// Exit status when some imported rows were rejected.
const EXIT_ROWS_REJECTED: u8 = 3;
/// Exit status when the input file cannot be read.
const EXIT_UNREADABLE: u8 = 2;

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
        Command::Passphrase { rotate } => {
            review::change_passphrase(&dir, cli.insecure_fast_kdf, rotate)
        }
        Command::Receipt { command } => money::receipt(&dir, command),
        Command::Santunan { command } => money::santunan(&dir, command),
        Command::Donor { command } => money::donor(&dir, command),
        Command::Income {
            source,
            from,
            amount,
            untuk,
            receiver,
            member,
        } => kas::income(&dir, &source, &from, &amount, &untuk, receiver, member),
        Command::Expense { command } => kas::expense(&dir, command),
        Command::Meeting { command } => kas::meeting(&dir, command),
        Command::Loan { command } => kas::loan(&dir, command),
        Command::Anggota { command } => kas::anggota(&dir, command),
        Command::CloseMonth { month, decision } => kas::close_month(&dir, &month, &decision),
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
                ExportFormat::Bundle => {
                    rukun_model::export_bundle(&book, rukun_model::rules::wib_date(book.now()))?
                }
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

fn import(dir: &Path, kind: ImportKind, file: &Path) -> Result<ExitCode> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rukun: cannot read {}: {e}", file.display());
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
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
                        rules::or_blank(&hh.no_kk),
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
                println!("  No. KK          : {}", rules::or_blank(&h.no_kk));
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
                        rules::or_blank(&p.nik),
                        p.nama,
                        p.jenis_kelamin,
                        p.tanggal_lahir,
                        p.hubungan_keluarga
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
            // The model refuses a KK number already in the book.
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
