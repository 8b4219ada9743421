//! `rukun review`, `resolve`, `merge-households`, `unmerge`, `household delete|restore`,
//! `person export`, `passphrase`: the meeting's review and the person's rights.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use rukun_model::{Book, RecordKind, Resolution, person_export_html};

use super::open_book;

/// What to review.
#[derive(Debug, Subcommand)]
pub(crate) enum ReviewCommand {
    /// Fields holding concurrent values, each with its author and time.
    Conflicts {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Likely duplicate households (same NIK, same KK, or same head name and RT with a
    /// similar address), with evidence and a score.
    Duplicates {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Deleted households that another device edited concurrently.
    Deleted {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `rukun review …`.
pub(crate) fn review(dir: &Path, command: ReviewCommand) -> Result<ExitCode> {
    let book = open_book(dir)?;
    match command {
        ReviewCommand::Conflicts { json } => {
            let list = book.conflicts();
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for c in &list {
                    println!(
                        "{} {} — {} [{}]",
                        kind_name(c.kind),
                        c.record,
                        c.field,
                        c.label
                    );
                    for (i, v) in c.values.iter().enumerate() {
                        println!(
                            "   {}) {}   oleh {} {}",
                            i + 1,
                            v.value,
                            v.author_name.clone().unwrap_or_else(|| "?".into()),
                            v.at.clone().unwrap_or_default()
                        );
                    }
                }
                eprintln!("{} konflik", list.len());
            }
        }
        ReviewCommand::Duplicates { json } => {
            let list = book.duplicate_households();
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for d in &list {
                    println!("{:.2}  {}  {}", d.score, d.a, d.b);
                    println!("      {}\n      {}", d.labels[0], d.labels[1]);
                    println!("      {}", serde_json::to_string(&d.evidence)?);
                }
                eprintln!("{} pasangan kemungkinan ganda", list.len());
            }
        }
        ReviewCommand::Deleted { json } => {
            let list = book.deleted_but_edited();
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for d in &list {
                    println!(
                        "{} {} — dihapus oleh {} ({}), lalu diubah di perangkat lain",
                        kind_name(d.kind),
                        d.record,
                        d.deleted.by,
                        d.deleted.reason
                    );
                }
                eprintln!("{} catatan perlu ditinjau", list.len());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn kind_name(k: RecordKind) -> &'static str {
    match k {
        RecordKind::Household => "rumah-tangga",
        RecordKind::Pmks => "pmks",
        RecordKind::Donor => "donatur",
        RecordKind::Disbursement => "santunan",
    }
}

/// `rukun resolve RECORD FIELD --value V | --pick N`.
pub(crate) fn resolve(
    dir: &Path,
    record: &str,
    field: &str,
    value: Option<String>,
    pick: Option<usize>,
) -> Result<ExitCode> {
    let mut book = open_book(dir)?;
    let conflict = book
        .conflicts()
        .into_iter()
        .find(|c| c.record == record && c.field == field);
    let kind = match &conflict {
        Some(c) => c.kind,
        None => find_kind(&book, record)
            .with_context(|| format!("no record {record} (household, PMKS, donor or santunan)"))?,
    };
    let resolution = match (value, pick) {
        (Some(v), None) => {
            // A value equal to one of the listed ones is that pick.
            match conflict.as_ref().and_then(|c| {
                c.values
                    .iter()
                    .position(|x| x.value.as_str() == Some(v.as_str()) || x.value == v.as_str())
            }) {
                Some(i) => Resolution::Pick(i),
                None => Resolution::Value(v),
            }
        }
        (None, Some(n)) if n >= 1 => Resolution::Pick(n - 1),
        _ => bail!("give either --value V or --pick N (N from `rukun review conflicts`, from 1)"),
    };
    book.resolve_conflict(kind, record, field, resolution)?;
    book.commit(&format!("resolve {field}"))?;
    eprintln!("{field} diputuskan / resolved");
    Ok(ExitCode::SUCCESS)
}

fn find_kind(book: &Book, id: &str) -> Option<RecordKind> {
    if book.household(id).ok().flatten().is_some() {
        return Some(RecordKind::Household);
    }
    if book.pmks_record(id).ok().flatten().is_some() {
        return Some(RecordKind::Pmks);
    }
    if book.donor(id).ok().flatten().is_some() {
        return Some(RecordKind::Donor);
    }
    if book.disbursements().iter().any(|(d, _)| d == id) {
        return Some(RecordKind::Disbursement);
    }
    None
}

/// `rukun merge-households KEEP OTHER`.
pub(crate) fn merge_households(dir: &Path, keep: &str, other: &str) -> Result<ExitCode> {
    let mut book = open_book(dir)?;
    let (id, rec) = book.merge_households(keep, other)?;
    book.commit("merge households")?;
    println!("{id}");
    eprintln!(
        "digabung: {} orang dipindah, {} orang sama (NIK), {} rujukan dipindah",
        rec.moved_people.len(),
        rec.united_people.len(),
        rec.moved_refs.len()
    );
    for f in &rec.differing_fields {
        eprintln!("  berbeda (nilai {keep} dipakai): {f}");
    }
    if !rec.differing_fields.is_empty() {
        eprintln!("  ubah dengan `rukun household edit {keep} --set FIELD=VALUE` bila perlu");
    }
    Ok(ExitCode::SUCCESS)
}

/// `rukun unmerge ID`.
pub(crate) fn unmerge(dir: &Path, id: &str) -> Result<ExitCode> {
    let mut book = open_book(dir)?;
    let rec = book.unmerge(id)?;
    book.commit("unmerge households")?;
    eprintln!("penggabungan {} ke {} dibatalkan", rec.other, rec.keep);
    Ok(ExitCode::SUCCESS)
}

/// `rukun person export NIK --out DIR`.
pub(crate) fn person_export(dir: &Path, nik: &str, out: &Path) -> Result<ExitCode> {
    let mut book = open_book(dir)?;
    let e = book.person_export(nik)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let json = out.join(format!("person-{}.json", e.nik));
    std::fs::write(&json, serde_json::to_vec_pretty(&e)?)?;
    let html = out.join(format!("person-{}.html", e.nik));
    std::fs::write(&html, person_export_html(&e))?;
    std::fs::write(
        out.join("PERHATIAN-DATA-PRIBADI.txt"),
        format!("{}\n", rukun_model::PERSONAL_DATA_NOTICE),
    )?;
    println!("{}", json.display());
    println!("{}", html.display());
    Ok(ExitCode::SUCCESS)
}

/// `rukun passphrase [--rotate]`: re-wraps the book's key under a new passphrase (no book
/// file is rewritten), or with `--rotate` re-encrypts everything under a new key
/// ([`Book::rotate_key`]). The new one comes from `RUKUN_NEW_PASSPHRASE` or a prompt.
pub(crate) fn change_passphrase(dir: &Path, fast_kdf: bool, rotate: bool) -> Result<ExitCode> {
    let old = super::passphrase(false)?;
    let new = match std::env::var("RUKUN_NEW_PASSPHRASE") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let p = rpassword::prompt_password("Kata sandi baru: ")?;
            let again = rpassword::prompt_password("Ulangi kata sandi baru: ")?;
            if p != again {
                bail!("the two passphrases differ");
            }
            p
        }
    };
    let kdf = super::kdf_params(fast_kdf);
    let started = std::time::Instant::now();
    if rotate {
        Book::rotate_key(dir, &old, &new, kdf, &mut |done, total, what| {
            eprintln!("[{done}/{total}] {what}");
        })?;
        eprintln!(
            "kunci buku diganti dan semua berkas dienkripsi ulang ({:.2} s)",
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    Book::change_passphrase(dir, &old, &new, kdf)?;
    eprintln!(
        "kata sandi diganti ({:.2} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
