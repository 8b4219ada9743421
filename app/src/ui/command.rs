//! What a screen asks for ([`Command`]) and how it is applied after the frame: view-state
//! commands change the session, write commands call the one model function that holds the
//! rule (roles, stamps, sequences) and then refresh the view models. Long work goes to
//! [`crate::jobs`].

use std::path::PathBuf;
use std::sync::Arc;

use rukun_model::rules::{self, Rupiah};
use rukun_model::{Donor, GroupInit, Household, Meeting, MemberId, Pmks, SantunanDraft};

use crate::i18n::tr;
use crate::state::{AppState, Phase, Screen, Session};
use crate::{Lang, screens};

/// What a screen asks for; applied after the frame by [`AppState::apply`].
#[derive(Debug, Clone)]
pub(crate) enum Command {
    Navigate(Screen),
    ToggleNav,
    SetLang(Lang),
    SetIdleMinutes(u32),
    DismissNotice,
    Lock,
    Unlock(String),
    ShowCreate,
    ShowJoin,
    /// Show the "Coba dengan data contoh" form.
    ShowDemo,
    /// Create a book filled with the sample RW (model's `create_demo`).
    CreateDemo {
        member: String,
        passphrase: String,
    },
    BackToStart,
    CreateGroup {
        init: GroupInit,
        passphrase: String,
    },
    NewHousehold,
    OpenHousehold(String),
    CloseHousehold,
    SaveHousehold {
        id: Option<String>,
        original: Option<Box<Household>>,
        edited: Box<Household>,
    },
    StartPmks {
        household_id: String,
        person_id: Option<String>,
    },
    AddPmks(Box<Pmks>),
    SavePmks {
        id: String,
        original: Box<Pmks>,
        edited: Box<Pmks>,
    },
    AddDonor(Box<Donor>),
    IssueReceipt {
        donor_id: String,
        jumlah: Rupiah,
        untuk: String,
    },
    VoidReceipt {
        nomor: String,
        alasan: String,
    },
    AddMeeting(Box<Meeting>),
    /// Record a santunan (the model's `add_santunan` holds the rules).
    AddSantunan(Box<SantunanDraft>),
    /// Record cash from a source other than a donor's iuran, or a loan installment, with
    /// a kuitansi (`issue_income`).
    IssueIncome(Box<rukun_model::IncomeDraft>),
    /// Record an expense (`add_expense`).
    AddExpense(Box<rukun_model::Pengeluaran>),
    /// Void a santunan, an expense or a loan by record id (`void_payment`).
    VoidPayment {
        id: String,
        alasan: String,
    },
    /// Record a meeting and the payouts it approved (`record_meeting`, `approve`).
    RecordMeeting {
        meeting: Box<Meeting>,
        approvals: Vec<rukun_model::Persetujuan>,
    },
    /// "Bayar sesuai keputusan": pay the meeting's approved list (`pay_approved`).
    PayApproved {
        judul: String,
    },
    /// Record a loan (`add_loan`).
    AddLoan(Box<rukun_model::Pinjaman>),
    /// Add or update a person of the register (`put_register_member`).
    PutAnggota(Box<rukun_model::Anggota>),
    /// Close a month of the cash book (`close_month`).
    CloseMonth(rules::YearMonth),
    ExportCsv {
        folder: PathBuf,
    },
    RevokeMember(MemberId),
    /// Sync with the device of this ticket (text form `rukunpeer…`).
    #[cfg_attr(not(feature = "sync"), allow(dead_code))]
    SyncNow(String),
    /// Sync with this member, found nearby.
    #[cfg_attr(not(feature = "sync"), allow(dead_code))]
    SyncMember(MemberId),
    /// Sync with every member found nearby, one after the other.
    SyncAllNearby,
    /// Turn the search for members on this network (mDNS) on or off.
    SetDiscover(bool),
    /// Create a one-time invite (admins) for `role`, valid for `hours`.
    #[cfg_attr(not(feature = "sync"), allow(dead_code))]
    CreateInvite {
        role: rukun_model::Role,
        hours: u32,
    },
    /// First start: join a group with an invite (ticket text or short code).
    JoinGroup {
        invite: String,
        name: String,
        passphrase: String,
    },
    RefreshReview,
    ResolveConflict {
        kind: rukun_model::RecordKind,
        record: String,
        path: String,
        pick: usize,
    },
    MergeHouseholds {
        keep: String,
        other: String,
    },
}

impl AppState {
    /// Applies one command.
    pub(crate) fn apply(&mut self, ctx: &egui::Context, cmd: Command) {
        let lang = self.lang();
        match cmd {
            Command::SetLang(l) => {
                self.settings.lang = l;
                self.save_settings();
            }
            Command::SetIdleMinutes(m) => {
                self.settings.idle_lock_minutes = m.max(1);
                self.save_settings();
            }
            Command::DismissNotice => self.notice = None,
            Command::ShowCreate | Command::ShowJoin | Command::ShowDemo | Command::BackToStart => {
                if let Phase::Start(ui) = &mut self.phase {
                    ui.mode = match cmd {
                        Command::ShowCreate => screens::start::StartMode::Create,
                        Command::ShowJoin => screens::start::StartMode::Join,
                        Command::ShowDemo => screens::start::StartMode::Demo,
                        _ => screens::start::StartMode::Choose,
                    };
                    ui.error = None;
                }
            }
            Command::CreateGroup { init, passphrase } => {
                self.create_group(ctx, init, passphrase, false);
            }
            Command::CreateDemo { member, passphrase } => {
                self.create_group(ctx, rukun_model::demo_group(&member), passphrase, true);
            }
            Command::Unlock(pass) => self.unlock(ctx, pass),
            Command::Lock => self.lock(),
            Command::ExportCsv { folder } => self.export(ctx, folder),
            Command::SyncNow(_)
            | Command::SyncMember(_)
            | Command::SyncAllNearby
            | Command::SetDiscover(_)
            | Command::CreateInvite { .. } => self.meeting_command(cmd),
            Command::JoinGroup {
                invite,
                name,
                passphrase,
            } => self.join_group(ctx, invite, name, passphrase),
            other => {
                let Phase::Open(session) = &mut self.phase else {
                    return;
                };
                match apply_to_session(session, other, lang) {
                    Ok(Applied::Done) => {}
                    Ok(Applied::Notice(text)) => self.set_notice(text, false),
                    Ok(Applied::Busy(cmd)) => {
                        self.deferred.push(cmd);
                        ctx.request_repaint_after(std::time::Duration::from_millis(100));
                    }
                    Err(e) => self.set_notice(e, true),
                }
            }
        }
    }
}

enum Applied {
    Done,
    Notice(String),
    /// The book is held by a job: try again next frame.
    Busy(Command),
}

fn apply_to_session(s: &mut Session, cmd: Command, lang: Lang) -> Result<Applied, String> {
    match cmd {
        Command::Navigate(screen) => {
            s.screen = screen;
            s.nav_open = false;
            return Ok(Applied::Done);
        }
        Command::ToggleNav => {
            s.nav_open = !s.nav_open;
            return Ok(Applied::Done);
        }
        Command::NewHousehold => {
            s.households.form = Some(screens::household_form::HouseholdForm::new(&s.idx));
            s.screen = Screen::RumahTangga;
            return Ok(Applied::Done);
        }
        Command::CloseHousehold => {
            s.households.form = None;
            return Ok(Applied::Done);
        }
        Command::StartPmks {
            household_id,
            person_id,
        } => {
            s.pmks.start_form(&s.idx, &household_id, person_id);
            s.screen = Screen::Pmks;
            return Ok(Applied::Done);
        }
        _ => {}
    }
    let book_arc = Arc::clone(&s.book);
    let Ok(mut guard) = book_arc.try_lock() else {
        return Ok(Applied::Busy(cmd));
    };
    let book = guard.book_mut();
    if !matches!(cmd, Command::OpenHousehold(_)) {
        // Every other command below writes: the review is read again when shown.
        s.review = None;
    }
    let err = |e: rukun_model::BookError| crate::errors::book_error(&e, lang);
    match cmd {
        Command::OpenHousehold(id) => {
            let h = book
                .household(&id)
                .map_err(err)?
                .ok_or_else(|| tr!(lang, "notice.not_found").into_owned())?;
            s.households.form = Some(screens::household_form::HouseholdForm::from_household(
                &id, &h,
            ));
            s.households.selected = Some(id);
            s.screen = Screen::RumahTangga;
            Ok(Applied::Done)
        }
        Command::SaveHousehold {
            id,
            original,
            edited,
        } => {
            let id = match (id, original) {
                (Some(id), Some(original)) => {
                    book.save_household(&id, &original, &edited).map_err(err)?;
                    id
                }
                _ => book.add_household((*edited).clone()).map_err(err)?,
            };
            book.commit("simpan rumah tangga").map_err(err)?;
            let saved = book.household(&id).map_err(err)?.unwrap_or(*edited);
            s.idx.update_household(book, &id, &saved);
            s.households.refilter(&s.idx);
            s.households.form = Some(screens::household_form::HouseholdForm::from_household(
                &id, &saved,
            ));
            s.households.selected = Some(id);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::AddPmks(p) => {
            let id = book.add_pmks((*p).clone()).map_err(err)?;
            book.commit("identifikasi PMKS").map_err(err)?;
            s.idx.update_pmks(&id, *p);
            s.pmks.form = None;
            s.pmks.refilter(&s.idx);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::SavePmks {
            id,
            original,
            edited,
        } => {
            book.save_pmks(&id, &original, &edited).map_err(err)?;
            book.commit("ubah status PMKS").map_err(err)?;
            let saved = book.pmks_record(&id).map_err(err)?.unwrap_or(*edited);
            s.idx.update_pmks(&id, saved);
            s.pmks.refilter(&s.idx);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::AddDonor(d) => {
            // The model numbers the code from this device's durable sequence and refuses a
            // code already in use.
            let (id, _kode) = book.add_new_donor(*d).map_err(err)?;
            book.commit("tambah donatur").map_err(err)?;
            s.idx.reload_donors(book);
            s.donors.after_add_donor(id);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::IssueReceipt {
            donor_id,
            jumlah,
            untuk,
        } => {
            let penerima = s
                .idx
                .me
                .as_ref()
                .map(|m| s.idx.member_name(m.as_str()))
                .unwrap_or_default();
            let now = book.now();
            let issued = book
                .issue_receipts(&[rukun_model::ReceiptDraft {
                    donor_id,
                    jumlah,
                    untuk,
                    diterima_pada: now,
                    penerima,
                    salinan_buku: false,
                }])
                .map_err(err)?;
            book.commit("terbitkan kuitansi").map_err(err)?;
            if let Some((id, r)) = issued.into_iter().next() {
                s.idx.add_receipt(&id, &r);
                s.donors.after_issue(r);
            }
            Ok(Applied::Done)
        }
        Command::VoidReceipt { nomor, alasan } => {
            book.void_receipt(&nomor, &alasan).map_err(err)?;
            book.commit("batalkan kuitansi").map_err(err)?;
            s.idx.reload_voids(book);
            s.donors.void = None;
            Ok(Applied::Notice(
                tr!(lang, "notice.voided", nomor = nomor).into_owned(),
            ))
        }
        Command::AddMeeting(m) => {
            let id = book.add_meeting(*m).map_err(err)?;
            book.commit("catat musyawarah").map_err(err)?;
            s.idx.reload_disbursements(book);
            s.santunan.meeting_added(id);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::AddSantunan(d) => {
            let id = book.add_santunan(&d).map_err(err)?;
            book.commit("bayar santunan").map_err(err)?;
            s.idx.reload_disbursements(book);
            tracing::debug!(%id, "santunan recorded");
            s.santunan.form_saved();
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::IssueIncome(d) => {
            let mut d = *d;
            d.diterima_pada = book.now();
            let (_, r) = book.issue_income(&d).map_err(err)?;
            book.commit("catat pemasukan").map_err(err)?;
            s.idx.reload_receipts(book);
            s.kas.saved();
            Ok(Applied::Notice(
                tr!(lang, "kas.kuitansi_terbit", nomor = r.nomor).into_owned(),
            ))
        }
        Command::AddExpense(x) => {
            book.add_expense(*x).map_err(err)?;
            book.commit("catat pengeluaran").map_err(err)?;
            s.idx.reload_kas(book);
            s.kas.saved();
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::VoidPayment { id, alasan } => {
            let v = book.void_payment(&id, &alasan).map_err(err)?;
            book.commit("batalkan pembayaran").map_err(err)?;
            s.idx.reload_kas(book);
            s.idx.reload_disbursements(book);
            s.kas.saved();
            Ok(Applied::Notice(
                tr!(lang, "notice.voided", nomor = v.nomor).into_owned(),
            ))
        }
        Command::RecordMeeting { meeting, approvals } => {
            let judul = meeting.judul.trim().to_string();
            book.record_meeting(*meeting).map_err(err)?;
            for mut p in approvals {
                p.keputusan.clone_from(&judul);
                book.approve(p).map_err(err)?;
            }
            book.commit("catat musyawarah").map_err(err)?;
            s.idx.reload_kas(book);
            s.kas.saved();
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::PayApproved { judul } => {
            let today = rules::wib_date(book.now()).to_string();
            let paid = book.pay_approved(&judul, &today, "").map_err(err)?;
            book.commit("bayar sesuai keputusan").map_err(err)?;
            s.idx.reload_disbursements(book);
            s.idx.reload_kas(book);
            Ok(Applied::Notice(
                tr!(lang, "kas.terbayar", n = paid.len(), judul = judul).into_owned(),
            ))
        }
        Command::AddLoan(l) => {
            book.add_loan(*l).map_err(err)?;
            book.commit("catat pinjaman").map_err(err)?;
            s.idx.reload_kas(book);
            s.kas.saved();
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::PutAnggota(a) => {
            book.put_register_member(*a).map_err(err)?;
            book.commit("daftar anggota").map_err(err)?;
            s.idx.reload_kas(book);
            s.kas.saved();
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::CloseMonth(bulan) => {
            book.close_month(bulan, "").map_err(err)?;
            book.commit("tutup buku").map_err(err)?;
            s.idx.reload_kas(book);
            Ok(Applied::Notice(
                tr!(lang, "kas.ditutup", bulan = bulan.label()).into_owned(),
            ))
        }
        Command::RevokeMember(id) => {
            book.revoke_member(&id, &tr!(lang, "sinkron.revoke_reason"))
                .map_err(|e| match e {
                    rukun_model::BookError::NotAllowed { .. } => {
                        tr!(lang, "sinkron.hanya_admin").into_owned()
                    }
                    other => crate::errors::book_error(&other, lang),
                })?;
            s.idx.members = book.members();
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::RefreshReview => {
            s.review = Some(screens::tinjau::ReviewVm::build(book));
            Ok(Applied::Done)
        }
        Command::ResolveConflict {
            kind,
            record,
            path,
            pick,
        } => {
            book.resolve_conflict(kind, &record, &path, rukun_model::Resolution::Pick(pick))
                .map_err(err)?;
            book.commit("tinjau: pilih nilai").map_err(err)?;
            match kind {
                rukun_model::RecordKind::Household => {
                    s.idx.reload_households(book);
                    s.households.refilter(&s.idx);
                }
                rukun_model::RecordKind::Pmks => {
                    s.idx.reload_pmks(book);
                    s.pmks.refilter(&s.idx);
                }
                rukun_model::RecordKind::Donor => s.idx.reload_donors(book),
                rukun_model::RecordKind::Disbursement => s.idx.reload_disbursements(book),
            }
            s.review = Some(screens::tinjau::ReviewVm::build(book));
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::MergeHouseholds { keep, other } => {
            book.merge_households(&keep, &other).map_err(err)?;
            book.commit("tinjau: gabungkan rumah tangga").map_err(err)?;
            s.idx.reload_households(book);
            s.idx.reload_pmks(book);
            s.idx.reload_donors(book);
            s.idx.reload_disbursements(book);
            s.households.refilter(&s.idx);
            s.pmks.refilter(&s.idx);
            s.review = Some(screens::tinjau::ReviewVm::build(book));
            Ok(Applied::Notice(tr!(lang, "tinjau.digabung").into_owned()))
        }
        _ => Ok(Applied::Done),
    }
}

/// "Iuran Agustus 2025": the default purpose of a receipt issued today (WIB).
pub(crate) fn default_purpose(lang: Lang) -> String {
    let today = rules::today_wib();
    let ym = rules::YearMonth::of_date(today);
    tr!(
        lang,
        "donatur.iuran_bulan",
        bulan = rules::month_name(ym.month()),
        tahun = ym.year()
    )
    .into_owned()
}
