//! Money commands: `receipt issue|void|show|list`, `santunan add|list`, `donor add|list`,
//! `kas --month`, `report --year [--quarter]`, `donor-card`, and the hledger export.
//!
//! Slightly over 500 lines: the money commands share the kuitansi printer and the rupiah
//! parsing of their arguments; the rules are the model's (`rukun_model::money`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use rukun_model::{
    Book, Donor, ExportFile, Keputusan, Penerima, Period, ReceiptDraft, SantunanDraft, buku_kas,
    donor_card, hledger_journal, journal_file_name, kas_csv, period_report, report_csv,
    report_html, rules,
};

use super::open_book;

/// `rukun receipt …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ReceiptCommand {
    /// Issue a receipt (kuitansi) on this device, offline; prints it with its number.
    Issue {
        /// Donor code (e.g. D001 or D-K7QX-0003).
        #[arg(long)]
        donor: String,
        /// Amount in whole rupiah: 10000, 10.000 or Rp10.000.
        #[arg(long)]
        amount: String,
        /// Purpose ("Untuk pembayaran"), e.g. "Iuran Agustus 2025".
        #[arg(long = "for")]
        untuk: String,
        /// When the money was received, WIB (e.g. "17/08/2025 10.00"); default now.
        #[arg(long)]
        at: Option<String>,
        /// Who received it (default: this member's name).
        #[arg(long)]
        receiver: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Void a receipt by its number, with a reason (the receipt stays, marked void).
    Void {
        /// The receipt number, e.g. 27-K7QX-0042.
        number: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Show one receipt as a kuitansi.
    Show {
        /// The receipt number.
        number: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `rukun santunan …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SantunanCommand {
    /// Record aid paid to a person (linked to their PMKS identification where there is one).
    Add {
        /// The recipient's NIK.
        #[arg(long)]
        nik: String,
        /// Kind: sembako, tunai, spp or another word.
        #[arg(long)]
        jenis: String,
        /// Amount in whole rupiah.
        #[arg(long)]
        amount: String,
        /// Payment date (28/03/2025 or 2025-03-28); default today (WIB).
        #[arg(long)]
        date: Option<String>,
        /// The meeting decision that approved it, e.g. "Musyawarah Q1/2025".
        #[arg(long)]
        keputusan: Option<String>,
        /// Who paid it out (default: this member's name).
        #[arg(long)]
        paid_by: Option<String>,
    },
}

/// `rukun donor …`.
#[derive(Debug, Subcommand)]
pub(crate) enum DonorCommand {
    /// Add a donor; its code is scoped to this device (D-SHORTID-0001), so two devices
    /// offline never make the same code. Prints the code.
    Add {
        /// Name.
        #[arg(long)]
        name: String,
        /// RT.
        #[arg(long)]
        rt: String,
        /// Kind: tetap, insidental, kps, usaha, pengurus, hibah.
        #[arg(long, default_value = "tetap")]
        jenis: String,
        /// Monthly pledge in whole rupiah.
        #[arg(long)]
        pledge: Option<String>,
    },
    /// List live donors.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `rukun kas --month 2025-08`.
#[derive(Debug, Args)]
pub(crate) struct KasArgs {
    /// The month, e.g. 2025-08.
    #[arg(long)]
    month: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Also write it as CSV (Excel, `;`) to this file.
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// `rukun report --year 2025 [--quarter Q]`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The year.
    #[arg(long)]
    year: i32,
    /// A quarter 1–4 (default: the whole year).
    #[arg(long)]
    quarter: Option<u8>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Write the printable report (HTML) to this file.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Write the report as CSV (Excel, `;`) to this file.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Anonymous: counts and totals only, no names or NIKs (for a public notice board).
    #[arg(long)]
    anonim: bool,
}

/// `rukun donor-card CODE --year 2025`.
#[derive(Debug, Args)]
pub(crate) struct DonorCardArgs {
    /// Donor code.
    code: String,
    /// The year.
    #[arg(long)]
    year: i32,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn member_name(book: &Book) -> String {
    book.my_name()
}

fn amount(text: &str, flag: &str) -> Result<rules::Rupiah> {
    rules::Rupiah::parse(text).map_err(|e| anyhow::anyhow!("{flag}: {e}"))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("ditulis: {}", path.display());
    Ok(())
}

fn print_kuitansi(book: &Book, r: &rukun_model::Receipt, voided: Option<&rukun_model::Void>) {
    let kelurahan = book.group().map(|g| g.kelurahan).unwrap_or_default();
    let when = rules::format_date_time_wib(r.diterima_pada);
    println!("KUITANSI No. {}", r.nomor);
    println!(
        "  Telah terima dari : {} ({}, RT {:03})",
        r.dari, r.kode_donatur, r.rt
    );
    println!("  Uang sejumlah     : {}", r.terbilang);
    println!("  Untuk pembayaran  : {}", r.untuk);
    println!("  Jumlah            : {}", r.jumlah);
    println!("  {kelurahan}, {when}");
    println!("  Penerima          : {}", r.penerima);
    if r.jumlah.needs_meterai() {
        println!("  (di atas Rp5.000.000: bubuhkan meterai Rp10.000)");
    }
    if let Some(v) = voided {
        println!("  DIBATALKAN: {}", v.alasan);
    }
}

/// Runs `rukun receipt …`.
pub(crate) fn receipt(dir: &Path, command: ReceiptCommand) -> Result<ExitCode> {
    match command {
        ReceiptCommand::Issue {
            donor,
            amount: amount_text,
            untuk,
            at,
            receiver,
            json,
        } => {
            let mut book = open_book(dir)?;
            let (donor_id, _) = book.find_donor(&donor)?;
            let jumlah = amount(&amount_text, "--amount")?;
            let diterima_pada = match at {
                Some(t) => {
                    rules::parse_wib_datetime(&t).map_err(|e| anyhow::anyhow!("--at: {e}"))?
                }
                None => book.now(),
            };
            let penerima = receiver.unwrap_or_else(|| member_name(&book));
            let issued = book.issue_receipts(&[ReceiptDraft {
                donor_id,
                jumlah,
                untuk,
                diterima_pada,
                penerima,
                salinan_buku: false,
            }])?;
            book.commit("receipt issue")?;
            for (id, r) in &issued {
                if json {
                    println!(
                        "{}",
                        serde_json::to_string(&serde_json::json!({"id": id, "receipt": r}))?
                    );
                } else {
                    print_kuitansi(&book, r, None);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ReceiptCommand::Void { number, reason } => {
            let mut book = open_book(dir)?;
            let v = book.void_receipt(&number, &reason)?;
            book.commit("receipt void")?;
            println!("kuitansi {} dibatalkan: {}", v.nomor, v.alasan);
            Ok(ExitCode::SUCCESS)
        }
        ReceiptCommand::Show { number, json } => {
            let book = open_book(dir)?;
            let (id, r) = book.find_receipt(&number)?;
            let void = book.voids().into_iter().find(|(rid, _)| *rid == id);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "id": id, "receipt": r, "void": void.map(|(_, v)| v)
                    }))?
                );
            } else {
                print_kuitansi(&book, &r, void.as_ref().map(|(_, v)| v));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `rukun santunan …`.
pub(crate) fn santunan(dir: &Path, command: SantunanCommand) -> Result<ExitCode> {
    match command {
        SantunanCommand::Add {
            nik,
            jenis,
            amount: amount_text,
            date,
            keputusan,
            paid_by,
        } => {
            let mut book = open_book(dir)?;
            let jumlah = amount(&amount_text, "--amount")?;
            let tanggal =
                date.unwrap_or_else(|| rules::wib_date(book.now()).format("%Y-%m-%d").to_string());
            let dibayar_oleh = paid_by.unwrap_or_else(|| member_name(&book));
            let id = book.add_santunan(&SantunanDraft {
                penerima: Penerima::Nik(nik),
                jenis,
                jumlah,
                tanggal,
                keputusan: keputusan.map_or(Keputusan::Tidak, Keputusan::Judul),
                pmks_id: None,
                dibayar_oleh,
            })?;
            book.commit("santunan add")?;
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `rukun donor …`.
pub(crate) fn donor(dir: &Path, command: DonorCommand) -> Result<ExitCode> {
    match command {
        DonorCommand::Add {
            name,
            rt,
            jenis,
            pledge,
        } => {
            let mut book = open_book(dir)?;
            let rt = rules::parse_rt(&rt).map_err(|e| anyhow::anyhow!("--rt: {e}"))?;
            let iuran_bulanan = pledge.map(|p| amount(&p, "--pledge")).transpose()?;
            let (_, kode) = book.add_new_donor(Donor {
                nama: name,
                rt,
                jenis,
                iuran_bulanan,
                ..Default::default()
            })?;
            book.commit("donor add")?;
            println!("{kode}");
            Ok(ExitCode::SUCCESS)
        }
        DonorCommand::List { json } => {
            let book = open_book(dir)?;
            let mut donors: Vec<(String, Donor)> = book
                .donors()
                .into_iter()
                .filter(|(_, d)| d.deleted.is_none())
                .collect();
            donors.sort_by(|a, b| a.1.kode.cmp(&b.1.kode));
            if json {
                let list: Vec<serde_json::Value> = donors
                    .iter()
                    .map(|(id, d)| serde_json::json!({"id": id, "donor": d}))
                    .collect();
                println!("{}", serde_json::to_string(&list)?);
            } else {
                for (_, d) in &donors {
                    let pledge = d.iuran_bulanan.map(|p| p.to_string()).unwrap_or_default();
                    println!(
                        "{:<14} RT {:03}  {:<30} {:<10} {pledge}",
                        d.kode, d.rt, d.nama, d.jenis
                    );
                }
                eprintln!("{} donatur", donors.len());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `rukun kas --month YYYY-MM`.
pub(crate) fn kas(dir: &Path, args: KasArgs) -> Result<ExitCode> {
    let month =
        rules::YearMonth::parse(&args.month).map_err(|e| anyhow::anyhow!("--month: {e}"))?;
    let period = Period::month(month)?;
    let book = open_book(dir)?;
    let records = book.money_records();
    let k = buku_kas(&records.input(), &period);
    if let Some(path) = &args.csv {
        write_file(path, &kas_csv(&k)?)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&k)?);
    } else {
        println!("BUKU KAS UMUM — {}", month.label());
        println!(
            "{:>4}  {:<10}  {:<22}  {:<60}  {:>12}  {:>12}  {:>12}",
            "No", "Tanggal", "No. Bukti", "Uraian", "Penerimaan", "Pengeluaran", "Saldo"
        );
        println!(
            "{:>4}  {:<10}  {:<22}  {:<60}  {:>12}  {:>12}  {:>12}",
            "",
            rules::format_date_short(period.from),
            "",
            "Saldo awal",
            "",
            "",
            k.opening.to_string()
        );
        for r in &k.rows {
            let uraian: String = r.uraian.chars().take(60).collect();
            println!(
                "{:>4}  {:<10}  {:<22}  {:<60}  {:>12}  {:>12}  {:>12}",
                r.no,
                rules::format_date_short(r.tanggal),
                r.bukti,
                uraian,
                r.penerimaan.map(|a| a.to_string()).unwrap_or_default(),
                r.pengeluaran.map(|a| a.to_string()).unwrap_or_default(),
                r.saldo.to_string()
            );
        }
        println!(
            "{:>4}  {:<10}  {:<22}  {:<60}  {:>12}  {:>12}  {:>12}",
            "",
            rules::format_date_short(period.to),
            "",
            "Jumlah / saldo akhir",
            k.total_penerimaan.to_string(),
            k.total_pengeluaran.to_string(),
            k.closing.to_string()
        );
    }
    for w in &k.warnings {
        eprintln!("peringatan: {w}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `rukun report --year Y [--quarter Q]`.
pub(crate) fn report(dir: &Path, args: ReportArgs) -> Result<ExitCode> {
    let period = Period::of(args.year, args.quarter)?;
    let book = open_book(dir)?;
    let group = book.group()?;
    let records = book.money_records();
    let mut r = period_report(&records.input(), &group.name, &period);
    if args.anonim {
        r = r.anonymized();
    }
    if let Some(path) = &args.html {
        let html = report_html(&r, &group, rules::wib_date(book.now()));
        write_file(path, html.as_bytes())?;
        if !args.anonim {
            super::write_notice_beside(path)?;
        }
    }
    if let Some(path) = &args.csv {
        write_file(path, &report_csv(&r)?)?;
        if !args.anonim {
            super::write_notice_beside(path)?;
        }
    }
    if args.json {
        println!("{}", r.to_json_pretty()?);
    } else {
        println!("LAPORAN {} — {}", period.title().to_uppercase(), group.name);
        println!("  {}", period.range_text());
        println!("  Saldo awal          : {}", r.opening);
        println!(
            "  Penerimaan          : {} ({} kuitansi)",
            r.receipts_total, r.receipts
        );
        println!(
            "  Pengeluaran         : {} ({} santunan)",
            r.disbursements_total, r.disbursements
        );
        println!("  Saldo akhir         : {}", r.closing);
        if r.voided > 0 {
            println!(
                "  Dibatalkan          : {} ({} kuitansi, tidak dihitung)",
                r.voided_total, r.voided
            );
        }
        for q in &r.quarters {
            println!(
                "  Triwulan {}: saldo awal {}, penerimaan {}, pengeluaran {}, saldo akhir {}",
                q.quarter, q.opening, q.receipts, q.disbursements, q.closing
            );
        }
        println!("  Penerimaan per bulan:");
        for (m, a) in r.receipts_by_month.iter() {
            let name = m.parse::<u32>().map(rules::month_name).unwrap_or("");
            println!("    {name:<10} {a:>12}");
        }
        println!("  Penerimaan per RT:");
        for (rt, a) in r.receipts_by_rt.iter() {
            println!("    RT {rt:0>3}     {a:>12}");
        }
        println!("  PMKS: {} (per kode {:?})", r.pmks, r.pmks_by_code.0);
    }
    for w in &r.warnings {
        eprintln!("peringatan: {w}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `rukun donor-card CODE --year Y`.
pub(crate) fn card(dir: &Path, args: DonorCardArgs) -> Result<ExitCode> {
    let book = open_book(dir)?;
    let records = book.money_records();
    let c = donor_card(&records.input(), &args.code, args.year)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&c)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("KARTU DONATUR {} — {}", c.year, c.kode);
    println!("  Nama  : {} (RT {:03}, {})", c.nama, c.rt, c.jenis);
    if let Some(p) = c.iuran_bulanan {
        println!("  Iuran : {p} per bulan");
    }
    for m in &c.months {
        let status = if m.paid { "lunas" } else { "belum" };
        let numbers: Vec<String> = m
            .receipts
            .iter()
            .map(|r| match &r.dibatalkan {
                Some(_) => format!("{} (batal)", r.nomor),
                None => r.nomor.clone(),
            })
            .collect();
        println!(
            "  {:<10} {:<6} {:>10}  {}",
            m.label,
            status,
            m.total.to_string(),
            numbers.join(", ")
        );
    }
    println!("  Jumlah {} bulan: {}", c.months_paid, c.total);
    Ok(ExitCode::SUCCESS)
}

/// The files of `rukun export --format hledger`: `<group name>.journal`.
pub(crate) fn hledger_files(book: &Book) -> Result<Vec<ExportFile>> {
    let name = book.group()?.name;
    let records = book.money_records();
    Ok(vec![ExportFile {
        name: journal_file_name(&name),
        bytes: hledger_journal(&records.input(), &name).into_bytes(),
    }])
}
