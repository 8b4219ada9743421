//! The book as an hledger journal (plain text accounting), so a treasurer or auditor can
//! check it with a standard tool: `hledger -f warga-rukun.journal balance` (issue 4,
//! item 5).
//!
//! Amounts are written the Indonesian way (`Rp940.000`), and the journal declares the
//! commodity format first (`commodity Rp1.000,00`: dot thousands, comma decimals) so that
//! hledger 1.25, as Debian ships it, reads `Rp940.000` as nine hundred forty thousand
//! rather than 940 with three decimals.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{Amount, Entry, Ledger, MoneyInput, person_names};
use crate::rules::SumberDana;
use crate::rules::format_signed;

/// Account of the group's cash: its balance is the report's closing balance.
const KAS: &str = "aset:kas";

/// Account of the loans out: paid out from cash, repaid into cash.
const PIUTANG: &str = "aset:piutang:pinjaman";

/// The journal file name for a group: its name in lower case with `-` for anything but
/// letters and digits, plus `.journal` (`Warga Rukun` -> `warga-rukun.journal`;
/// `rukun.journal` when nothing is left).
pub fn journal_file_name(group_name: &str) -> String {
    let mut slug = String::new();
    for c in group_name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "rukun.journal".to_string()
    } else {
        format!("{slug}.journal")
    }
}

/// Text safe on one journal line: no line breaks, no `;` (which starts a comment).
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            ';' => ',',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// An account name part: lower case, letters and digits, `-` for the rest.
fn account_part(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "lainnya".to_string()
    } else {
        out
    }
}

/// The account on the other side of the cash account for a ledger entry: income by its
/// source (a donor's iuran by RT), santunan by kind, expenses by category; a loan paid out
/// and its repayments go through `aset:piutang:pinjaman` (a receivable, not an expense).
fn counter_account(e: &Entry<'_>) -> String {
    if let Some(r) = e.receipt {
        match r.sumber {
            SumberDana::Iuran => format!("pendapatan:iuran:rt{:03}", r.rt),
            SumberDana::Angsuran => PIUTANG.to_string(),
            other => format!("pendapatan:{}", account_part(other.as_str())),
        }
    } else if let Some(d) = e.disbursement {
        format!("beban:santunan:{}", account_part(&d.jenis))
    } else if let Some(x) = e.expense {
        format!("beban:{}", account_part(x.kategori.as_str()))
    } else {
        PIUTANG.to_string()
    }
}

/// The whole ledger (all years) as an hledger journal.
///
/// Accounts: `aset:kas` (cash; its balance is the closing balance of the buku kas umum),
/// `pendapatan:iuran:rtNNN` (donors' receipts by RT), `pendapatan:<source>` (grants,
/// shops, KPS groups, board members, one-off gifts, iuran wajib), `beban:santunan:<kind>`,
/// `beban:<category>` (expenses), `aset:piutang:pinjaman` (loans out and repaid). Each
/// movement is a transaction dated by its WIB date, with its bukti number as the code; a
/// voided one is followed by a reversing transaction on the same date (nothing erased). Amounts are whole rupiah as `Rp75.000` under the declared commodity
/// format `Rp1.000,00`.
pub fn hledger_journal(input: &MoneyInput<'_>, group_name: &str) -> String {
    let ledger = Ledger::build(input);
    let names = person_names(input.households);
    let meetings: HashMap<&str, &str> = input
        .meetings
        .iter()
        .map(|(id, m)| (id.as_str(), m.judul.as_str()))
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "; Buku kas {} — diekspor oleh Rukun dari kuitansi, pembatalan dan santunan.",
        clean(group_name)
    );
    let _ = writeln!(
        out,
        "; Rupiah utuh; tanggal menurut WIB. Saldo {KAS} = saldo kas."
    );
    let _ = writeln!(out, "\ncommodity Rp1.000,00\n");
    let accounts: Vec<String> = {
        let mut v: Vec<String> = ledger.entries.iter().map(counter_account).collect();
        v.sort();
        v.dedup();
        v
    };
    let _ = writeln!(out, "account {KAS}");
    for a in &accounts {
        let _ = writeln!(out, "account {a}");
    }
    for e in &ledger.entries {
        let date = e.date.format("%Y-%m-%d");
        let amount = format_signed(e.amount.0);
        let other = counter_account(e);
        let (who, what) = if let Some(r) = e.receipt {
            (r.dari.clone(), r.untuk.clone())
        } else if let Some(d) = e.disbursement {
            let nama = super::recipient_name(d, &names).unwrap_or("penerima");
            (nama.to_string(), format!("Santunan {}", d.jenis))
        } else if let Some(x) = e.expense {
            (x.dibayar_kepada.clone(), x.kategori.label().to_string())
        } else if let Some(l) = e.loan {
            (l.nama.clone(), format!("Pinjaman modal usaha {}", l.usaha))
        } else {
            continue;
        };
        let _ = writeln!(
            out,
            "\n{date} ({}) {} | {}",
            clean(&e.bukti),
            clean(&who),
            clean(&what)
        );
        if let Some(r) = e.receipt.filter(|r| !r.kode_donatur.is_empty()) {
            let _ = writeln!(out, "    ; donatur: {}", clean(&r.kode_donatur));
        }
        let judul = e
            .disbursement
            .and_then(|d| d.meeting_id.as_deref())
            .and_then(|m| meetings.get(m).copied())
            .or_else(|| e.expense.map(|x| x.keputusan.as_str()))
            .or_else(|| e.loan.map(|l| l.keputusan.as_str()))
            .filter(|j| !j.trim().is_empty());
        if let Some(judul) = judul {
            let _ = writeln!(out, "    ; keputusan: {}", clean(judul));
        }
        let (debit, credit) = if e.is_in() {
            (KAS, other.as_str())
        } else {
            (other.as_str(), KAS)
        };
        let _ = writeln!(out, "    {debit}    {amount}");
        let _ = writeln!(out, "    {credit}");
        if let Some(alasan) = &e.void {
            let _ = writeln!(
                out,
                "\n{date} ({}) Pembatalan | {}",
                clean(&e.bukti),
                clean(alasan)
            );
            let _ = writeln!(out, "    {credit}    {amount}");
            let _ = writeln!(out, "    {debit}");
        }
    }
    let closing = ledger
        .entries
        .iter()
        .fold(Amount::zero(), |acc, e| acc + e.effect());
    let _ = writeln!(out, "\n; Saldo kas akhir: {closing}");
    out
}
