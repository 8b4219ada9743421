//! Recording a disbursement of aid (santunan) with its checks (issue 4, item 2).

use crate::book::{Book, BookError};
use crate::records::{Disbursement, Meeting};
use crate::refusal::MoneyRefusal;
use crate::rules::{Nik, Rupiah, parse_date};

/// Who receives a santunan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Penerima {
    /// The live person with this NIK (16 digits; spaces and dots are ignored), as the CLI
    /// and files name a recipient.
    Nik(String),
    /// A person picked on a screen (who may have no NIK yet).
    Orang {
        /// The household's record id.
        household_id: String,
        /// The person's id inside it.
        person_id: String,
    },
}

/// The musyawarah decision that approved a santunan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Keputusan {
    /// None recorded (screens warn: aid should follow a meeting's decision).
    #[default]
    Tidak,
    /// An existing meeting, by record id (picked on a screen).
    Rapat(String),
    /// A meeting by title (e.g. `Musyawarah Q1/2025`): an existing meeting with that title
    /// is linked, otherwise one is recorded.
    Judul(String),
}

/// What a treasurer gives to record one santunan: the same from the Santunan screen and
/// from `rukun santunan add`.
#[derive(Debug, Clone)]
pub struct SantunanDraft {
    /// The recipient. The person must be in a live household of the book.
    pub penerima: Penerima,
    /// Kind: `sembako`, `tunai`, `spp` or another word (stored in lower case).
    pub jenis: String,
    /// Amount in whole rupiah, more than Rp0.
    pub jumlah: Rupiah,
    /// Payment date, as a person types it (`28/03/2025` or `2025-03-28`): a WIB calendar
    /// date.
    pub tanggal: String,
    /// The meeting decision that approved it.
    pub keputusan: Keputusan,
    /// The PMKS identification it answers (a live one of this person); `None`: the
    /// person's first live identification by id, if any.
    pub pmks_id: Option<String>,
    /// Who paid it out (name).
    pub dibayar_oleh: String,
}

impl Book {
    /// Records a santunan (the caller commits): finds the recipient, links the person's
    /// PMKS identification, links or records the approving meeting, and stores the
    /// disbursement stamped with this device.
    ///
    /// Returns the new disbursement's id. Errors ([`BookError::Money`] naming the field):
    /// NIK not valid or not in the book, person not in a live household, empty kind, amount
    /// Rp0, unreadable date, unknown meeting or PMKS identification.
    pub fn add_santunan(&mut self, draft: &SantunanDraft) -> Result<String, BookError> {
        let jenis = draft.jenis.trim().to_lowercase();
        if jenis.is_empty() {
            return Err(MoneyRefusal::NoKind.into());
        }
        if draft.jumlah.is_zero() {
            return Err(MoneyRefusal::ZeroAmount.into());
        }
        let day = parse_date(&draft.tanggal).map_err(MoneyRefusal::Date)?;
        self.check_open_month(day)?;
        let tanggal = day.format("%Y-%m-%d").to_string();
        let households = self.households();
        let live = households.iter().filter(|(_, h)| h.is_live());
        let (hid, pid, nik) = match &draft.penerima {
            Penerima::Nik(text) => {
                let nik = Nik::parse(text).map_err(MoneyRefusal::Nik)?;
                live.into_iter()
                    .find_map(|(hid, h)| {
                        h.live_people()
                            .find(|(_, p)| p.nik.as_ref() == Some(&nik))
                            .map(|(pid, _)| (hid.clone(), pid.clone(), Some(nik.clone())))
                    })
                    .ok_or_else(|| MoneyRefusal::NikNotInBook(nik.clone()))?
            }
            Penerima::Orang {
                household_id,
                person_id,
            } => live
                .into_iter()
                .filter(|(hid, _)| hid == household_id)
                .find_map(|(hid, h)| {
                    h.live_people()
                        .find(|(pid, _)| *pid == person_id)
                        .map(|(pid, p)| (hid.clone(), pid.clone(), p.nik.clone()))
                })
                .ok_or_else(|| MoneyRefusal::NoSuchPerson {
                    household_id: household_id.clone(),
                    person_id: person_id.clone(),
                })?,
        };
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
        let pmks_id = match &draft.pmks_id {
            Some(want) => Some(
                pmks.into_iter()
                    .map(|(id, _)| id)
                    .find(|id| id == want)
                    .ok_or_else(|| MoneyRefusal::NotTheirPmks(want.clone()))?,
            ),
            None => pmks.into_iter().next().map(|(id, _)| id),
        };
        let meeting_id = match &draft.keputusan {
            Keputusan::Tidak => None,
            Keputusan::Rapat(id) => {
                if !self.meetings().iter().any(|(m, _)| m == id) {
                    return Err(MoneyRefusal::NoSuchMeeting(id.clone()).into());
                }
                Some(id.clone())
            }
            Keputusan::Judul(title) if title.trim().is_empty() => None,
            Keputusan::Judul(title) => {
                let title = title.trim();
                Some(
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
                )
            }
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
