//! The whole year on the command line: `income`, `expense add|void`, `meeting
//! add|approve|pay`, `loan add|repay`, `anggota add`, `close-month`. Each parses its
//! arguments and calls the model function the Kas screen calls (`rukun_model::kas`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::Subcommand;
use rukun_model::rules::{self, Jabatan, JenisRapat, KategoriPengeluaran, Nik, Rupiah, SumberDana};
use rukun_model::{Anggota, Book, IncomeDraft, Meeting, Pengeluaran, Persetujuan, Pinjaman};

use super::open_book;

/// `rukun expense …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ExpenseCommand {
    /// Record cash paid out to any payee (not a per-person santunan); prints its id.
    Add {
        /// sumbangan_kematian, bantuan_musibah, administrasi, konsumsi_rapat,
        /// pembelian_sembako, spp or lainnya.
        #[arg(long)]
        category: String,
        /// Who was paid (a shop, a school, a family).
        #[arg(long)]
        to: String,
        /// Amount in whole rupiah.
        #[arg(long)]
        amount: String,
        /// Payment date; default today (WIB).
        #[arg(long)]
        date: Option<String>,
        /// NIK of the resident helped, if any.
        #[arg(long)]
        nik: Option<String>,
        /// The payee's note number.
        #[arg(long, default_value = "")]
        nota: String,
        /// The meeting whose decision approved it.
        #[arg(long, default_value = "")]
        decision: String,
        /// Notes.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Void a santunan, an expense or a loan by its id, with a reason.
    Void {
        /// The record id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// `rukun meeting …`.
#[derive(Debug, Subcommand)]
pub(crate) enum MeetingCommand {
    /// Record a meeting (musyawarah); one already named by a payment is completed.
    Add {
        /// Its title, e.g. "Musyawarah 2025-08".
        #[arg(long)]
        title: String,
        /// Date; default today (WIB).
        #[arg(long)]
        date: Option<String>,
        /// bulanan or triwulan.
        #[arg(long, default_value = "bulanan")]
        kind: String,
        /// Where.
        #[arg(long, default_value = "")]
        place: String,
        /// The agenda.
        #[arg(long, default_value = "")]
        agenda: String,
        /// The decisions (free text).
        #[arg(long, default_value = "")]
        decisions: String,
        /// Member numbers present, `;`-separated.
        #[arg(long, default_value = "")]
        attended: String,
    },
    /// Record one payout the meeting approved.
    Approve {
        /// The meeting's title.
        #[arg(long)]
        meeting: String,
        /// The recipient's NIK.
        #[arg(long)]
        nik: String,
        /// sembako, tunai, spp …
        #[arg(long)]
        jenis: String,
        /// Amount in whole rupiah.
        #[arg(long)]
        amount: String,
    },
    /// "Bayar sesuai keputusan": pay every approved, unpaid payout of the meeting.
    Pay {
        /// The meeting's title.
        title: String,
        /// Payment date; default today (WIB).
        #[arg(long)]
        date: Option<String>,
    },
}

/// `rukun loan …`.
#[derive(Debug, Subcommand)]
pub(crate) enum LoanCommand {
    /// Record a business loan paid out (no interest).
    Add {
        /// Its code, e.g. PJ-2025-01.
        #[arg(long)]
        code: String,
        /// The borrower's NIK.
        #[arg(long)]
        nik: String,
        /// The borrower's name.
        #[arg(long)]
        name: String,
        /// The business.
        #[arg(long, default_value = "")]
        business: String,
        /// Amount lent.
        #[arg(long)]
        amount: String,
        /// Term in months.
        #[arg(long)]
        months: u32,
        /// Monthly installment; default amount ÷ months.
        #[arg(long)]
        installment: Option<String>,
        /// Date paid out; default today (WIB).
        #[arg(long)]
        date: Option<String>,
        /// The meeting that approved it.
        #[arg(long, default_value = "")]
        decision: String,
    },
    /// Record an installment received, with a kuitansi.
    Repay {
        /// The loan's code.
        code: String,
        /// Amount received.
        #[arg(long)]
        amount: String,
    },
}

/// `rukun anggota …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AnggotaCommand {
    /// Add a person to the register of members (or update the one with that number).
    Add {
        /// Member number, e.g. WR-041.
        #[arg(long)]
        no: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// NIK.
        #[arg(long)]
        nik: Option<String>,
        /// RT.
        #[arg(long)]
        rt: Option<String>,
        /// Ketua, Wakil Ketua, Sekretaris I, … Penasihat or Anggota.
        #[arg(long, default_value = "Anggota")]
        position: String,
        /// Date joined; default today.
        #[arg(long)]
        joined: Option<String>,
        /// Monthly compulsory due.
        #[arg(long)]
        dues: Option<String>,
    },
}

fn rupiah(text: &str, flag: &str) -> Result<Rupiah> {
    Rupiah::parse(text).map_err(|e| anyhow!("{flag}: {e}"))
}

fn nik(text: &str, flag: &str) -> Result<Nik> {
    Nik::parse(text).map_err(|e| anyhow!("{flag}: {e}"))
}

fn date_or_today(book: &Book, date: Option<String>) -> String {
    date.unwrap_or_else(|| rules::wib_date(book.now()).to_string())
}

fn commit(mut book: Book, message: &str) -> Result<ExitCode> {
    book.commit(message)?;
    Ok(ExitCode::SUCCESS)
}

/// `rukun income`: cash from a source other than a donor's iuran.
pub(crate) fn income(
    dir: &Path,
    source: &str,
    from: &str,
    amount: &str,
    untuk: &str,
    receiver: Option<String>,
    member: Option<String>,
) -> Result<ExitCode> {
    let sumber = SumberDana::parse(source).map_err(|e| anyhow!("--source: {e}"))?;
    let mut book = open_book(dir)?;
    let d = IncomeDraft {
        sumber,
        dari: from.to_string(),
        jumlah: rupiah(amount, "--amount")?,
        untuk: untuk.to_string(),
        diterima_pada: book.now(),
        penerima: receiver.unwrap_or_default(),
        no_anggota: member.unwrap_or_default(),
        ..Default::default()
    };
    let (_, r) = book.issue_income(&d)?;
    println!("{}", r.nomor);
    commit(book, "catat pemasukan")
}

pub(crate) fn expense(dir: &Path, cmd: ExpenseCommand) -> Result<ExitCode> {
    let mut book = open_book(dir)?;
    match cmd {
        ExpenseCommand::Add {
            category,
            to,
            amount,
            date,
            nik: nik_text,
            nota,
            decision,
            note,
        } => {
            let x = Pengeluaran {
                kategori: KategoriPengeluaran::parse(&category)
                    .map_err(|e| anyhow!("--category: {e}"))?,
                tanggal: date_or_today(&book, date),
                dibayar_kepada: to,
                nik_terkait: nik_text.map(|t| nik(&t, "--nik")).transpose()?,
                jumlah: rupiah(&amount, "--amount")?,
                no_nota: nota,
                keputusan: decision,
                keterangan: note,
                ..Default::default()
            };
            let id = book.add_expense(x)?;
            println!("{id}");
            commit(book, "catat pengeluaran")
        }
        ExpenseCommand::Void { id, reason } => {
            let v = book.void_payment(&id, &reason)?;
            println!("{} dibatalkan: {}", v.nomor, v.alasan);
            commit(book, "batalkan pembayaran")
        }
    }
}

pub(crate) fn meeting(dir: &Path, cmd: MeetingCommand) -> Result<ExitCode> {
    let mut book = open_book(dir)?;
    match cmd {
        MeetingCommand::Add {
            title,
            date,
            kind,
            place,
            agenda,
            decisions,
            attended,
        } => {
            let m = Meeting {
                judul: title,
                tanggal: date_or_today(&book, date),
                jenis: JenisRapat::parse(&kind).map_err(|e| anyhow!("--kind: {e}"))?,
                tempat: place,
                agenda,
                keputusan: decisions,
                hadir: attended
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                ..Default::default()
            };
            book.record_meeting(m)?;
            commit(book, "catat musyawarah")
        }
        MeetingCommand::Approve {
            meeting,
            nik: nik_text,
            jenis,
            amount,
        } => {
            book.approve(Persetujuan {
                keputusan: meeting,
                nik_penerima: Some(nik(&nik_text, "--nik")?),
                jenis,
                jumlah: rupiah(&amount, "--amount")?,
                ..Default::default()
            })?;
            commit(book, "catat musyawarah")
        }
        MeetingCommand::Pay { title, date } => {
            let date = date_or_today(&book, date);
            let paid = book.pay_approved(&title, &date, "")?;
            println!("{} santunan dibayar sesuai keputusan {title}", paid.len());
            commit(book, "bayar sesuai keputusan")
        }
    }
}

pub(crate) fn loan(dir: &Path, cmd: LoanCommand) -> Result<ExitCode> {
    let mut book = open_book(dir)?;
    match cmd {
        LoanCommand::Add {
            code,
            nik: nik_text,
            name,
            business,
            amount,
            months,
            installment,
            date,
            decision,
        } => {
            let jumlah = rupiah(&amount, "--amount")?;
            let angsuran = match installment {
                Some(t) => rupiah(&t, "--installment")?,
                None => Rupiah::from_decimal(
                    jumlah.amount() / rust_decimal::Decimal::from(months.max(1)),
                )
                .map_err(|e| anyhow!("--installment: {e}"))?,
            };
            book.add_loan(Pinjaman {
                kode: code,
                tanggal: date_or_today(&book, date),
                nik_peminjam: Some(nik(&nik_text, "--nik")?),
                nama: name.trim().to_string(),
                usaha: business.trim().to_string(),
                jumlah,
                tenor_bulan: months,
                angsuran_bulanan: angsuran,
                keputusan: decision,
                ..Default::default()
            })?;
            commit(book, "catat pinjaman")
        }
        LoanCommand::Repay { code, amount } => {
            let nama = book
                .loans()
                .into_iter()
                .find(|(_, l)| l.kode == code)
                .map(|(_, l)| l.nama)
                .ok_or_else(|| anyhow!("no loan {code}"))?;
            let d = IncomeDraft {
                sumber: SumberDana::Angsuran,
                dari: nama,
                jumlah: rupiah(&amount, "--amount")?,
                diterima_pada: book.now(),
                pinjaman: code,
                ..Default::default()
            };
            let (_, r) = book.issue_income(&d)?;
            println!("{}", r.nomor);
            commit(book, "catat pemasukan")
        }
    }
}

pub(crate) fn anggota(dir: &Path, cmd: AnggotaCommand) -> Result<ExitCode> {
    let mut book = open_book(dir)?;
    let AnggotaCommand::Add {
        no,
        name,
        nik: nik_text,
        rt,
        position,
        joined,
        dues,
    } = cmd;
    let a = Anggota {
        no_anggota: no,
        nama: name,
        nik: nik_text.map(|t| nik(&t, "--nik")).transpose()?,
        rt: rt
            .map(|t| rules::parse_rt(&t).map_err(|e| anyhow!("--rt: {e}")))
            .transpose()?
            .unwrap_or(0),
        jabatan: Jabatan::parse(&position).map_err(|e| anyhow!("--position: {e}"))?,
        tanggal_masuk: rules::parse_date(&date_or_today(&book, joined))
            .map_err(|e| anyhow!("--joined: {e}"))?
            .to_string(),
        iuran_wajib_bulanan: dues.map(|t| rupiah(&t, "--dues")).transpose()?,
        ..Default::default()
    };
    book.put_register_member(a)?;
    commit(book, "daftar anggota")
}

/// `rukun close-month YYYY-MM`.
pub(crate) fn close_month(dir: &Path, month: &str, decision: &str) -> Result<ExitCode> {
    let bulan = rules::YearMonth::parse(month).map_err(|e| anyhow!("MONTH: {e}"))?;
    let mut book = open_book(dir)?;
    let t = book.close_month(bulan, decision)?;
    println!("{} ditutup, saldo {}", t.bulan.label(), t.saldo);
    commit(book, "tutup buku")
}
