//! Recording a disbursement of aid (santunan) with its checks (issue 4, item 2).

use crate::book::{Book, BookError};
use crate::records::{Disbursement, Meeting};
use crate::rules::{Nik, Rupiah, parse_date};

/// What a treasurer gives to record one santunan.
#[derive(Debug, Clone)]
pub struct SantunanDraft {
    /// The recipient's NIK (16 digits; spaces and dots are ignored). The person must be in
    /// a live household of the book.
    pub nik: String,
    /// Kind: `sembako`, `tunai`, `spp` or another word (stored in lower case).
    pub jenis: String,
    /// Amount in whole rupiah, more than Rp0.
    pub jumlah: Rupiah,
    /// Payment date, as a person types it (`28/03/2025` or `2025-03-28`): a WIB calendar
    /// date.
    pub tanggal: String,
    /// The meeting decision that approved it, by title (e.g. `Musyawarah Q1/2025`): an
    /// existing meeting with that title is linked, otherwise one is recorded. `None` when
    /// there is none.
    pub keputusan: Option<String>,
    /// Who paid it out (name).
    pub dibayar_oleh: String,
}

impl Book {
    /// Records a santunan (the caller commits): finds the recipient by NIK, links the
    /// person's PMKS identification where there is one (the first live one by id), links
    /// or records the approving meeting, and stores the disbursement.
    ///
    /// Returns the new disbursement's id. Errors ([`BookError::Invalid`]): NIK not valid
    /// or not in the book, empty kind, amount Rp0, unreadable date.
    pub fn add_santunan(&mut self, draft: &SantunanDraft) -> Result<String, BookError> {
        let invalid = |field: &str, message: String| BookError::Invalid {
            field: field.to_string(),
            message,
        };
        let nik = Nik::parse(&draft.nik)
            .map_err(|e| invalid("nik_penerima", e.to_string()))?
            .to_string();
        let jenis = draft.jenis.trim().to_lowercase();
        if jenis.is_empty() {
            return Err(invalid(
                "jenis",
                "kind is empty (e.g. sembako, tunai, spp)".into(),
            ));
        }
        if draft.jumlah.is_zero() {
            return Err(invalid("jumlah", "must be more than Rp0".into()));
        }
        let tanggal = parse_date(&draft.tanggal)
            .map_err(|e| invalid("tanggal", e.to_string()))?
            .format("%Y-%m-%d")
            .to_string();
        let (hid, pid) = self
            .households()
            .into_iter()
            .filter(|(_, h)| h.is_live())
            .find_map(|(hid, h)| {
                h.live_people()
                    .find(|(_, p)| p.nik == nik)
                    .map(|(pid, _)| (hid.clone(), pid.clone()))
            })
            .ok_or_else(|| invalid("nik_penerima", format!("no person with NIK {nik}")))?;
        let mut pmks: Vec<(String, crate::records::Pmks)> = self
            .pmks()
            .into_iter()
            .filter(|(_, p)| {
                p.deleted.is_none()
                    && p.household_id == hid
                    && p.person_id.as_deref() == Some(pid.as_str())
            })
            .collect();
        pmks.sort_by(|a, b| a.0.cmp(&b.0));
        let pmks_id = pmks.into_iter().next().map(|(id, _)| id);
        let meeting_id = match draft.keputusan.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(title) => Some(
                match self
                    .meetings()
                    .into_iter()
                    .find(|(_, m)| m.judul.trim() == title)
                {
                    Some((id, _)) => id,
                    None => self.add_meeting(Meeting {
                        judul: title.to_string(),
                        keputusan: title.to_string(),
                        ..Default::default()
                    })?,
                },
            ),
        };
        self.add_disbursement(Disbursement {
            household_id: hid,
            person_id: Some(pid),
            nik_penerima: nik,
            pmks_id,
            jenis,
            jumlah: draft.jumlah,
            tanggal,
            meeting_id,
            dibayar_oleh: draft.dibayar_oleh.trim().to_string(),
            ..Default::default()
        })
    }
}
