//! Receipt (kuitansi) numbers that are unique without a server, and issuing receipts.
//!
//! A number is `RT-SHORTID-SEQ` (e.g. `27-K7QX-0042`): the RT, a short id of the issuing
//! device (the first letters of the base32 of its endpoint id, widened while it collides
//! with another member's) and that device's own sequence (reserved durably before use, so
//! it never repeats after a crash; past 9999 it widens to five digits rather than wrap).

use crate::book::{Book, BookError, MemberId, new_id};
use crate::records::{Donor, Receipt, Void};
use crate::refusal::MoneyRefusal;
use crate::rules::{Rupiah, SumberDana, terbilang};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Shortest length of a device short id.
const SHORT_ID_MIN: usize = 4;

/// The short id of `me` among `others`: the shortest prefix (at least 4 letters) of the
/// base32 endpoint id that no other member's id shares.
pub fn short_id(me: &MemberId, others: &[MemberId]) -> String {
    let mine = me.base32();
    let mut len = SHORT_ID_MIN;
    for other in others.iter().filter(|o| *o != me) {
        let theirs = other.base32();
        while len < mine.len() && mine[..len] == theirs[..len] {
            len += 1;
        }
    }
    mine[..len].to_string()
}

/// Formats a receipt number: `RT-SHORTID-SEQ` with the sequence zero-padded to 4 digits.
pub fn receipt_number(rt: u16, short: &str, seq: u64) -> String {
    format!("{rt}-{short}-{seq:04}")
}

/// What a person gives to issue a receipt.
#[derive(Debug, Clone)]
pub struct ReceiptDraft {
    /// Donor record id.
    pub donor_id: String,
    /// Amount in whole rupiah (must be more than zero).
    pub jumlah: Rupiah,
    /// Purpose, e.g. "Iuran Agustus 2025".
    pub untuk: String,
    /// When the money was received (UTC).
    pub diterima_pada: DateTime<Utc>,
    /// Receiver name, e.g. "Ketua RT 27".
    pub penerima: String,
    /// Copied from the paper book (import) rather than issued on the spot.
    pub salinan_buku: bool,
}

impl Book {
    /// This device's receipt short id, widened against the members the book knows.
    pub fn receipt_short_id(&self) -> String {
        let others: Vec<MemberId> = self.members().into_iter().map(|(id, _)| id).collect();
        short_id(self.member_id(), &others)
    }

    /// Issues receipts for several drafts in one change (the caller commits): reserves the
    /// sequence numbers durably first, then writes each receipt. Returns `(id, receipt)`
    /// pairs in draft order.
    ///
    /// Errors: unknown donor, zero amount, empty purpose, or the sequence could not be
    /// reserved.
    pub fn issue_receipts(
        &mut self,
        drafts: &[ReceiptDraft],
    ) -> Result<Vec<(String, Receipt)>, BookError> {
        let mut donors = Vec::with_capacity(drafts.len());
        for d in drafts {
            let donor = self
                .donor(&d.donor_id)?
                .ok_or_else(|| BookError::NotFound {
                    kind: "donor",
                    id: d.donor_id.clone(),
                })?;
            if d.jumlah.amount().is_zero() {
                return Err(MoneyRefusal::ZeroAmount.into());
            }
            if d.untuk.trim().is_empty() {
                return Err(MoneyRefusal::EmptyPurpose.into());
            }
            donors.push(donor);
        }
        let receipts = drafts
            .iter()
            .zip(donors)
            .map(|(d, donor)| Receipt {
                donor_id: d.donor_id.clone(),
                kode_donatur: donor.kode.clone(),
                dari: donor.nama.clone(),
                rt: donor.rt,
                jumlah: d.jumlah,
                untuk: d.untuk.trim().to_string(),
                diterima_pada: d.diterima_pada,
                penerima: d.penerima.trim().to_string(),
                salinan_buku: d.salinan_buku,
                sumber: SumberDana::Iuran,
                ..Default::default()
            })
            .collect();
        self.write_receipts(receipts)
    }

    /// Numbers and writes receipts filled in by their issuing function (the caller
    /// commits): refuses one dated in a closed month, reserves the sequence numbers durably
    /// first, then stamps and writes each receipt with its words (terbilang).
    pub(crate) fn write_receipts(
        &mut self,
        receipts: Vec<Receipt>,
    ) -> Result<Vec<(String, Receipt)>, BookError> {
        for r in &receipts {
            self.check_open_month(crate::rules::wib_date(r.diterima_pada))?;
        }
        if receipts.is_empty() {
            return Ok(Vec::new());
        }
        let first = self.reserve_receipt_seq(receipts.len() as u64)?;
        let short = self.receipt_short_id();
        let (me, now) = self.stamp();
        let mut out = Vec::with_capacity(receipts.len());
        for (i, mut r) in receipts.into_iter().enumerate() {
            r.nomor = receipt_number(r.rt, &short, first + i as u64);
            r.terbilang = terbilang(&r.jumlah);
            r.created_by.clone_from(&me);
            r.created_at = now;
            let id = new_id();
            self.insert_receipt(&id, &r)?;
            out.push((id, r));
        }
        Ok(out)
    }

    /// Voids a receipt by its number, with a reason (the caller commits). A receipt is
    /// never edited or removed; a void record names it (keyed by the receipt's record id,
    /// so two devices voiding the same receipt concurrently still make one void). The
    /// number may be the stored one or the widened one shown after a collision
    /// ([`Book::find_receipt`]). Rule: docs/domain.md#buku-kas-umum-and-kuitansi (numbers
    /// are never reused; a cancelled receipt is voided, not deleted).
    ///
    /// Errors: no receipt has that number, or two share it ([`Book::find_receipt`]); the
    /// reason is empty; it is already voided.
    pub fn void_receipt(&mut self, nomor: &str, alasan: &str) -> Result<Void, BookError> {
        if alasan.trim().is_empty() {
            return Err(MoneyRefusal::NoReason.into());
        }
        let (id, r) = self.find_receipt(nomor)?;
        if self.voids().iter().any(|(rid, _)| *rid == id) {
            return Err(MoneyRefusal::AlreadyVoided {
                nomor: nomor.to_string(),
            }
            .into());
        }
        let (me, now) = self.stamp();
        let v = Void {
            nomor: r.nomor,
            alasan: alasan.trim().to_string(),
            created_by: me,
            created_at: now,
        };
        self.insert_void(&id, &v)?;
        Ok(v)
    }
}

/// Device blob holding the next donor sequence number of this device (never synced).
const DONOR_SEQ_BLOB: &str = "donor_seq";

/// Formats a donor code created on a device: `D-SHORTID-SEQ`, e.g. `D-K7QX-0003` (the
/// sequence zero-padded to 4 digits, wider past 9999). Imported codes (`D001`) keep their
/// paper form; codes made offline are scoped by the device's short id so two devices never
/// both create the same code (issue 4, item 1).
pub fn donor_code(short: &str, seq: u64) -> String {
    format!("D-{short}-{seq:04}")
}

/// The parts of a receipt number `RT-SHORTID-SEQ`: `(rt, short id, sequence)`, or `None`
/// when the text has another shape (e.g. a number typed by hand).
pub fn parse_receipt_number(nomor: &str) -> Option<(u16, &str, u64)> {
    let mut parts = nomor.trim().splitn(3, '-');
    let rt = parts.next()?.parse().ok()?;
    let short = parts.next()?;
    let seq_text = parts.next()?;
    if short.is_empty() || !short.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if seq_text.is_empty() || !seq_text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((rt, short, seq_text.parse().ok()?))
}

/// Receipt numbers as shown and printed, unique in the book even when two devices' short
/// ids collided while they were offline.
///
/// A stored number is never edited (a receipt is written once). When the book holds two or
/// more receipts with the same stored number, each is shown with its issuing device's
/// short id widened (more letters of the base32 of its `created_by` member id) until the
/// numbers differ: `27-K7QX-0003` becomes `27-K7QXA-0003` and `27-K7QXM-0003`. The same
/// widening a device applies to its own future numbers once it sees the collision
/// ([`short_id`]), so a widened number never meets a later one. Two receipts with the same
/// number from one device (which only a restored backup of the device key could make) are
/// told apart by a `/` and the first letters of their record ids.
///
/// Returns `receipt id -> shown number` for the receipts whose number had to be widened
/// only; every other receipt is shown with its stored `nomor`.
pub fn widened_receipt_numbers(receipts: &[(String, Receipt)]) -> HashMap<String, String> {
    let mut by_number: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, r)) in receipts.iter().enumerate() {
        by_number.entry(r.nomor.as_str()).or_default().push(i);
    }
    let mut out = HashMap::new();
    for (nomor, idx) in by_number {
        if idx.len() < 2 {
            continue;
        }
        let creators: Vec<String> = idx
            .iter()
            .filter_map(|&i| receipts.get(i))
            .map(|(_, r)| {
                MemberId::parse(&r.created_by)
                    .map(|m| m.base32())
                    .unwrap_or_else(|| r.created_by.to_ascii_uppercase())
            })
            .collect();
        let parsed = parse_receipt_number(nomor);
        let short_len = parsed.map(|(_, s, _)| s.len()).unwrap_or(SHORT_ID_MIN);
        let mut len = short_len + 1;
        let longest = creators.iter().map(String::len).max().unwrap_or(0);
        while len < longest && !distinct_prefixes(&creators, len) {
            len += 1;
        }
        for (&i, creator) in idx.iter().zip(&creators) {
            let Some((id, r)) = receipts.get(i) else {
                continue;
            };
            let prefix: String = creator.chars().take(len).collect();
            let same_device = creators
                .iter()
                .filter(|c| c.chars().take(len).eq(prefix.chars()))
                .count()
                > 1;
            let mut shown = match parsed {
                Some((rt, short, seq)) if prefix.starts_with(short) => {
                    receipt_number(rt, &prefix, seq)
                }
                _ => r.nomor.clone(),
            };
            if same_device || shown == r.nomor {
                let tail: String = id.chars().filter(|c| *c != '-').take(8).collect();
                shown = format!("{shown}/{tail}");
            }
            out.insert(id.clone(), shown);
        }
    }
    out
}

fn distinct_prefixes(all: &[String], len: usize) -> bool {
    let mut seen = std::collections::HashSet::new();
    all.iter()
        .all(|c| seen.insert(c.chars().take(len).collect::<String>()))
}

impl Book {
    /// Finds a receipt by the number a person reads off the paper: its stored number, or
    /// the widened number shown when two devices' numbers collided
    /// ([`widened_receipt_numbers`]). Spaces around it and letter case are ignored.
    ///
    /// Returns `(receipt id, receipt)`. Errors: [`BookError::NotFound`] when no receipt has
    /// that number; [`BookError::Invalid`] when the stored number is shared by two receipts
    /// (the message lists the widened numbers to use instead).
    pub fn find_receipt(&self, nomor: &str) -> Result<(String, Receipt), BookError> {
        let wanted = nomor.trim().to_ascii_uppercase();
        let receipts = self.receipts();
        let widened = widened_receipt_numbers(&receipts);
        if let Some((id, _)) = widened
            .iter()
            .find(|(_, n)| n.to_ascii_uppercase() == wanted)
        {
            let id = id.clone();
            if let Some(found) = receipts.into_iter().find(|(rid, _)| *rid == id) {
                return Ok(found);
            }
            return Err(BookError::NotFound {
                kind: "receipt",
                id: nomor.to_string(),
            });
        }
        let mut hits: Vec<(String, Receipt)> = receipts
            .into_iter()
            .filter(|(_, r)| r.nomor.to_ascii_uppercase() == wanted)
            .collect();
        match hits.len() {
            0 => Err(BookError::NotFound {
                kind: "receipt",
                id: nomor.to_string(),
            }),
            1 => Ok(hits.remove(0)),
            _ => {
                let mut names: Vec<String> = hits
                    .iter()
                    .filter_map(|(id, _)| widened.get(id).cloned())
                    .collect();
                names.sort();
                Err(MoneyRefusal::SharedNumber {
                    nomor: nomor.to_string(),
                    widened: names,
                }
                .into())
            }
        }
    }

    /// Reserves the next donor sequence number of this device durably (a device blob, never
    /// synced) and returns the new donor code `D-SHORTID-SEQ` ([`donor_code`]).
    ///
    /// The sequence is the larger of the stored one and one past the highest code of this
    /// short id already in the book, so it never repeats, not after a crash and not in an
    /// in-memory book. Errors: the blob could not be read or written.
    pub fn next_donor_code(&mut self) -> Result<String, BookError> {
        let short = self.receipt_short_id();
        // A missing, damaged or rolled-back blob falls back to the codes in the book.
        let stored = match self.read_device_blob(DONOR_SEQ_BLOB) {
            Ok(Some(b)) => std::str::from_utf8(&b)
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .unwrap_or(1),
            Ok(None) => 1,
            Err(e) => {
                tracing::warn!(error = %e, "the donor sequence blob is unusable; recovering it from the book");
                1
            }
        };
        let prefix = format!("D-{short}-");
        let seen = self
            .donors()
            .iter()
            .filter_map(|(_, d)| d.kode.strip_prefix(&prefix)?.parse::<u64>().ok())
            .max()
            .map_or(1, |m| m.saturating_add(1));
        let seq = stored.max(seen);
        self.write_device_blob(DONOR_SEQ_BLOB, seq.saturating_add(1).to_string().as_bytes())?;
        Ok(donor_code(&short, seq))
    }

    /// Adds a donor created on this device (the caller commits): gives it a new scoped code
    /// ([`Book::next_donor_code`]) unless `d.kode` is already set, and checks the name.
    ///
    /// Returns `(donor id, code)`. Errors: empty name; a code already used by a live donor;
    /// the sequence could not be reserved.
    pub fn add_new_donor(&mut self, mut d: Donor) -> Result<(String, String), BookError> {
        if d.nama.trim().is_empty() {
            return Err(MoneyRefusal::NoDonorName.into());
        }
        d.nama = d.nama.trim().to_string();
        if d.kode.trim().is_empty() {
            d.kode = self.next_donor_code()?;
        } else {
            d.kode = d.kode.trim().to_string();
            if self
                .donors()
                .iter()
                .any(|(_, o)| o.deleted.is_none() && o.kode.eq_ignore_ascii_case(&d.kode))
            {
                return Err(MoneyRefusal::DonorCodeTaken { kode: d.kode }.into());
            }
        }
        d.jenis = match d.jenis.trim().to_lowercase() {
            j if j.is_empty() => "tetap".into(),
            j => j,
        };
        let kode = d.kode.clone();
        let id = self.add_donor(d)?;
        Ok((id, kode))
    }

    /// Finds a live donor by its code (case-insensitive) or record id.
    ///
    /// Errors: [`BookError::NotFound`] when no live donor has that code or id.
    pub fn find_donor(&self, kode_or_id: &str) -> Result<(String, Donor), BookError> {
        let wanted = kode_or_id.trim();
        self.donors()
            .into_iter()
            .filter(|(_, d)| d.deleted.is_none())
            .find(|(id, d)| id == wanted || d.kode.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| BookError::NotFound {
                kind: "donor",
                id: wanted.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_id_widens_on_collision() {
        let a = MemberId::from_bytes(&[0u8; 32]);
        let mut b_bytes = [0u8; 32];
        b_bytes[3] = 1; // shares the first 4 base32 letters (20 bits) with `a`
        let b = MemberId::from_bytes(&b_bytes);
        let sa = short_id(&a, &[a.clone(), b.clone()]);
        let sb = short_id(&b, &[a.clone(), b.clone()]);
        assert!(sa.len() > 4, "{sa}");
        assert_ne!(sa, sb);
        assert_eq!(short_id(&a, std::slice::from_ref(&a)).len(), 4);
    }

    #[test]
    fn numbers_and_codes_parse_back() {
        assert_eq!(parse_receipt_number("27-K7QX-0042"), Some((27, "K7QX", 42)));
        assert_eq!(
            parse_receipt_number("31-K7QXA-10000"),
            Some((31, "K7QXA", 10000))
        );
        assert_eq!(parse_receipt_number("27-K7QX"), None);
        assert_eq!(parse_receipt_number("x-K7QX-1"), None);
        assert_eq!(parse_receipt_number("27-K7QX-12a"), None);
        assert_eq!(parse_receipt_number("27--0001"), None);
        assert_eq!(donor_code("K7QX", 3), "D-K7QX-0003");
        assert_eq!(donor_code("K7QX", 12345), "D-K7QX-12345");
    }

    #[test]
    fn sequence_widens_past_9999() {
        assert_eq!(receipt_number(27, "K7QX", 42), "27-K7QX-0042");
        assert_eq!(receipt_number(27, "K7QX", 10000), "27-K7QX-10000");
    }
}
