//! Receipt (kuitansi) numbers that are unique without a server, and issuing receipts.
//!
//! A number is `RT-SHORTID-SEQ` (e.g. `27-K7QX-0042`): the RT, a short id of the issuing
//! device (the first letters of the base32 of its endpoint id, widened while it collides
//! with another member's) and that device's own sequence (reserved durably before use, so
//! it never repeats after a crash; past 9999 it widens to five digits rather than wrap).

use crate::book::{Book, BookError, MemberId, new_id};
use crate::records::{Receipt, Void};
use crate::rules::{Rupiah, terbilang};
use chrono::{DateTime, SecondsFormat, Utc};

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
    /// Errors: unknown donor, zero amount, or the sequence could not be reserved.
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
                return Err(BookError::Invalid {
                    field: "jumlah".into(),
                    message: "must be more than Rp0".into(),
                });
            }
            donors.push(donor);
        }
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let first = self.reserve_receipt_seq(drafts.len() as u64)?;
        let short = self.receipt_short_id();
        let (me, now) = self.stamp();
        let mut out = Vec::with_capacity(drafts.len());
        for (i, (d, donor)) in drafts.iter().zip(donors).enumerate() {
            let r = Receipt {
                nomor: receipt_number(donor.rt, &short, first + i as u64),
                donor_id: d.donor_id.clone(),
                kode_donatur: donor.kode.clone(),
                dari: donor.nama.clone(),
                rt: donor.rt,
                jumlah: d.jumlah,
                terbilang: terbilang(&d.jumlah),
                untuk: d.untuk.clone(),
                diterima_pada: d.diterima_pada.to_rfc3339_opts(SecondsFormat::Secs, true),
                penerima: d.penerima.clone(),
                salinan_buku: d.salinan_buku,
                created_by: me.clone(),
                created_at: now.clone(),
            };
            let id = new_id();
            self.insert_receipt(&id, &r)?;
            out.push((id, r));
        }
        Ok(out)
    }

    /// Voids a receipt by its number, with a reason (the caller commits). A receipt is
    /// never edited or removed; a void record names it.
    ///
    /// Errors: no receipt has that number; the reason is empty; it is already voided.
    pub fn void_receipt(&mut self, nomor: &str, alasan: &str) -> Result<Void, BookError> {
        if alasan.trim().is_empty() {
            return Err(BookError::Invalid {
                field: "alasan".into(),
                message: "a void needs a reason".into(),
            });
        }
        let (id, r) = self
            .receipts()
            .into_iter()
            .find(|(_, r)| r.nomor == nomor)
            .ok_or_else(|| BookError::NotFound {
                kind: "receipt",
                id: nomor.to_string(),
            })?;
        if self.voids().iter().any(|(rid, _)| *rid == id) {
            return Err(BookError::Invalid {
                field: "nomor".into(),
                message: format!("receipt {nomor} is already voided"),
            });
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
    fn sequence_widens_past_9999() {
        assert_eq!(receipt_number(27, "K7QX", 42), "27-K7QX-0042");
        assert_eq!(receipt_number(27, "K7QX", 10000), "27-K7QX-10000");
    }
}
