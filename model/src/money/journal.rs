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

use super::{Amount, EntryKind, Ledger, MoneyInput, person_names};
use crate::rules::format_signed;

/// Account of the group's cash: its balance is the report's closing balance.
const KAS: &str = "aset:kas";

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

/// The whole ledger (all years) as an hledger journal.
///
/// Accounts: `aset:kas` (cash; its balance is the closing balance of the buku kas umum),
/// `pendapatan:iuran:rtNNN` (receipts by RT), `beban:santunan:<kind>` (disbursements by
/// kind). Each receipt is a transaction dated by its WIB date, with its number as the
/// code; a voided receipt is followed by a reversing transaction on the same date
/// (nothing erased). Amounts are whole rupiah as `Rp75.000` under the declared commodity
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
    let _ = writeln!(out, "account {KAS}");
    let mut rts: Vec<u16> = input.receipts.iter().map(|(_, r)| r.rt).collect();
    rts.sort_unstable();
    rts.dedup();
    for rt in &rts {
        let _ = writeln!(out, "account pendapatan:iuran:rt{rt:03}");
    }
    let mut kinds: Vec<String> = input
        .disbursements
        .iter()
        .filter(|(_, d)| d.deleted.is_none())
        .map(|(_, d)| account_part(&d.jenis))
        .collect();
    kinds.sort();
    kinds.dedup();
    for k in &kinds {
        let _ = writeln!(out, "account beban:santunan:{k}");
    }
    for e in &ledger.entries {
        let date = e.date.format("%Y-%m-%d");
        let amount = format_signed(e.amount.0);
        if let Some(r) = e.receipt {
            let income = format!("pendapatan:iuran:rt{:03}", r.rt);
            let _ = writeln!(
                out,
                "\n{date} ({}) {} | {}",
                clean(&e.bukti),
                clean(&r.dari),
                clean(&r.untuk)
            );
            let _ = writeln!(out, "    ; donatur: {}", clean(&r.kode_donatur));
            let _ = writeln!(out, "    {KAS}    {amount}");
            let _ = writeln!(out, "    {income}");
            if let EntryKind::Receipt { void: Some(alasan) } = &e.kind {
                let _ = writeln!(
                    out,
                    "\n{date} ({}) Pembatalan kuitansi | {}",
                    clean(&e.bukti),
                    clean(alasan)
                );
                let _ = writeln!(out, "    {income}    {amount}");
                let _ = writeln!(out, "    {KAS}");
            }
        } else if let Some(d) = e.disbursement {
            let nama = d
                .person_id
                .as_deref()
                .and_then(|pid| names.get(&(d.household_id.as_str(), pid)))
                .copied()
                .unwrap_or("penerima");
            let _ = writeln!(
                out,
                "\n{date} ({}) {} | Santunan {}",
                clean(&e.bukti),
                clean(nama),
                clean(&d.jenis)
            );
            if let Some(judul) = d.meeting_id.as_deref().and_then(|m| meetings.get(m)) {
                let _ = writeln!(out, "    ; keputusan: {}", clean(judul));
            }
            let _ = writeln!(
                out,
                "    beban:santunan:{}    {amount}",
                account_part(&d.jenis)
            );
            let _ = writeln!(out, "    {KAS}");
        }
    }
    let closing = ledger
        .entries
        .iter()
        .fold(Amount::zero(), |acc, e| acc + e.effect());
    let _ = writeln!(out, "\n; Saldo kas akhir: {closing}");
    out
}
