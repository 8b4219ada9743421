//! The write path of the cash book and its governance: each function holds its rule
//! (who may, what must be given, the closed months) and stamps the record with this
//! member and `book.now()`. Screens and the CLI call these, never the document.

use chrono::{DateTime, NaiveDate, Utc};

use super::records::{Anggota, Natura, Pengeluaran, Persetujuan, Pinjaman, TutupBuku};
use crate::book::{Book, BookError, Role, new_id, table};
use crate::money::{Keputusan, Penerima, SantunanDraft};
use crate::records::{Meeting, Receipt, Void};
use crate::refusal::MoneyRefusal;
use crate::rules::{Rupiah, SumberDana, YearMonth, parse_date};

/// What a person gives to record cash that is not a donor's iuran: a grant, a shop's gift,
/// a KPS group's collection, a board member's gift, a one-off gift, a member's iuran wajib
/// or a loan repayment. It gets a kuitansi from this device's numbering.
#[derive(Debug, Clone, Default)]
pub struct IncomeDraft {
    /// Where it comes from (not [`SumberDana::Iuran`]: a donor's iuran is
    /// [`Book::issue_receipts`]).
    pub sumber: SumberDana,
    /// The source's name as written ("Dinas Sosial Kota Yogyakarta", "Hamba Allah").
    pub dari: String,
    /// Amount (more than Rp0).
    pub jumlah: Rupiah,
    /// What for; a text by kind when empty.
    pub untuk: String,
    /// When the money was received.
    pub diterima_pada: DateTime<Utc>,
    /// Who received it (name or position); this member's name when empty.
    pub penerima: String,
    /// For a repayment: the loan's code (kept even when the loan is not in the book yet).
    pub pinjaman: String,
    /// For an iuran wajib: the member number.
    pub no_anggota: String,
    /// Copied from the paper book (import).
    pub salinan_buku: bool,
}

/// A payment date `YYYY-MM-DD` (or as people write it), normalised.
fn payment_date(text: &str) -> Result<NaiveDate, BookError> {
    parse_date(text).map_err(|e| MoneyRefusal::Date(e).into())
}

fn positive(r: Rupiah) -> Result<(), BookError> {
    if r.is_zero() {
        Err(MoneyRefusal::ZeroAmount.into())
    } else {
        Ok(())
    }
}

impl Book {
    /// Refuses a change dated in a closed month ([`Book::close_month`]).
    pub(crate) fn check_open_month(&self, date: NaiveDate) -> Result<(), BookError> {
        let bulan = YearMonth::of_date(date);
        if self.month_closing(bulan).is_some() {
            return Err(MoneyRefusal::MonthClosed { bulan }.into());
        }
        Ok(())
    }

    /// Checks that this device's role is one of `roles` before `action`.
    fn require_role(&self, roles: &[Role], action: &'static str) -> Result<(), BookError> {
        match self.my_role() {
            Some(r) if roles.contains(&r) => Ok(()),
            other => Err(BookError::NotAllowed {
                action,
                needed: "an admin or a bendahara",
                role: other.map_or_else(|| "not a member".to_string(), |r| r.as_str().to_string()),
            }),
        }
    }

    fn require_treasurer(&self, action: &'static str) -> Result<(), BookError> {
        self.require_role(&[Role::Admin, Role::Bendahara], action)
    }

    /// Records cash from a source other than a donor's iuran with a kuitansi numbered from
    /// this device's sequence (the caller commits). It belongs to no RT (`rt` 0), so it is the
    /// treasurer's (admin or bendahara): an RT head's receipts are those of their RT.
    ///
    /// Errors: not allowed; [`MoneyRefusal`] for a donor's iuran, no source name, Rp0, a
    /// repayment with no loan code, an iuran wajib with no member number, a closed month;
    /// storage errors.
    pub fn issue_income(&mut self, d: &IncomeDraft) -> Result<(String, Receipt), BookError> {
        self.require_treasurer("record income")?;
        if d.sumber == SumberDana::Iuran {
            return Err(MoneyRefusal::IuranNeedsDonor.into());
        }
        if d.dari.trim().is_empty() {
            return Err(MoneyRefusal::NoSourceName.into());
        }
        positive(d.jumlah)?;
        if d.sumber == SumberDana::Angsuran && d.pinjaman.trim().is_empty() {
            return Err(MoneyRefusal::NoLoanCode.into());
        }
        if d.sumber == SumberDana::IuranWajib && d.no_anggota.trim().is_empty() {
            return Err(MoneyRefusal::NoMemberNumber.into());
        }
        let untuk = match d.untuk.trim() {
            "" if d.sumber == SumberDana::Angsuran => format!("Angsuran {}", d.pinjaman.trim()),
            "" => d.sumber.label().to_string(),
            u => u.to_string(),
        };
        let penerima = match d.penerima.trim() {
            "" => self.my_name(),
            p => p.to_string(),
        };
        let receipt = Receipt {
            dari: d.dari.trim().to_string(),
            rt: 0,
            jumlah: d.jumlah,
            untuk,
            diterima_pada: d.diterima_pada,
            penerima,
            salinan_buku: d.salinan_buku,
            sumber: d.sumber,
            pinjaman: d.pinjaman.trim().to_string(),
            no_anggota: d.no_anggota.trim().to_string(),
            ..Default::default()
        };
        let mut out = self.write_receipts(vec![receipt])?;
        out.pop().ok_or_else(|| MoneyRefusal::NoSourceName.into())
    }

    /// Records an expense to any payee (the caller commits). Admin or bendahara.
    ///
    /// Errors: not allowed; no payee, Rp0, an unreadable date, a closed month.
    pub fn add_expense(&mut self, mut e: Pengeluaran) -> Result<String, BookError> {
        self.require_treasurer("record an expense")?;
        if e.dibayar_kepada.trim().is_empty() {
            return Err(MoneyRefusal::NoPayee.into());
        }
        positive(e.jumlah)?;
        let date = payment_date(&e.tanggal)?;
        self.check_open_month(date)?;
        e.tanggal = date.format("%Y-%m-%d").to_string();
        e.dibayar_kepada = e.dibayar_kepada.trim().to_string();
        e.keputusan = e.keputusan.trim().to_string();
        let (by, at) = self.stamp();
        e.created_by = by;
        e.created_at = at;
        let id = new_id();
        self.insert(table::EXPENSES, &id, &e)?;
        Ok(id)
    }

    /// All expenses, by id (voided ones included; see [`Book::voids`]).
    pub fn expenses(&self) -> Vec<(String, Pengeluaran)> {
        self.read_all(table::EXPENSES)
    }

    /// Voids a santunan, an expense or a loan by its record id, with a reason (the caller
    /// commits): nothing is edited or removed; the void names it, as a receipt's does.
    /// Admin or bendahara.
    ///
    /// Errors: not allowed; no reason; no such payment; already voided.
    pub fn void_payment(&mut self, id: &str, alasan: &str) -> Result<Void, BookError> {
        self.require_treasurer("void a payment")?;
        if alasan.trim().is_empty() {
            return Err(MoneyRefusal::NoReason.into());
        }
        let bukti = if self.record_obj(table::DISBURSEMENTS, id).is_some() {
            crate::money::disbursement_bukti(id)
        } else if self.record_obj(table::EXPENSES, id).is_some() {
            super::expense_bukti(id)
        } else if let Some(l) = self.read::<Pinjaman>(table::LOANS, id)? {
            l.kode
        } else {
            return Err(BookError::NotFound {
                kind: "payment",
                id: id.to_string(),
            });
        };
        if self.voids().iter().any(|(vid, _)| vid == id) {
            return Err(MoneyRefusal::AlreadyVoided { nomor: bukti }.into());
        }
        let (me, now) = self.stamp();
        let v = Void {
            nomor: bukti,
            alasan: alasan.trim().to_string(),
            created_by: me,
            created_at: now,
        };
        self.insert(table::VOIDS, id, &v)?;
        Ok(v)
    }

    /// Records a meeting (the caller commits). Admin or bendahara. A meeting already in the
    /// book under the same title (made when a payment named it first) is completed with
    /// what it lacks instead of doubled. Returns its id, and whether anything was written.
    ///
    /// Errors: not allowed; no title; an unreadable date.
    pub fn record_meeting(&mut self, mut m: Meeting) -> Result<(String, bool), BookError> {
        self.require_treasurer("record a meeting")?;
        m.judul = m.judul.trim().to_string();
        if m.judul.is_empty() {
            return Err(MoneyRefusal::NoTitle.into());
        }
        if !m.tanggal.trim().is_empty() {
            m.tanggal = payment_date(&m.tanggal)?.format("%Y-%m-%d").to_string();
        }
        let existing = self
            .meetings()
            .into_iter()
            .find(|(_, x)| x.judul == m.judul);
        match existing {
            None => Ok((self.add_meeting(m)?, true)),
            Some((id, old)) => {
                let mut merged = old.clone();
                let fill = |dst: &mut String, src: &str| {
                    if dst.trim().is_empty() {
                        *dst = src.to_string();
                    }
                };
                fill(&mut merged.tanggal, &m.tanggal);
                fill(&mut merged.tempat, &m.tempat);
                fill(&mut merged.agenda, &m.agenda);
                if merged.keputusan.trim().is_empty() || merged.keputusan == merged.judul {
                    merged.keputusan.clone_from(&m.keputusan);
                }
                if merged.hadir.is_empty() {
                    merged.hadir.clone_from(&m.hadir);
                }
                if merged.tanggal == m.tanggal {
                    merged.jenis = m.jenis;
                }
                let changed = merged != old;
                if changed {
                    self.update(table::MEETINGS, &id, &old, &merged)?;
                }
                Ok((id, changed))
            }
        }
    }

    /// Records one payout a meeting approved (the caller commits). Admin or bendahara. The
    /// meeting and the person are named by title and NIK and need not be in the book yet.
    ///
    /// Errors: not allowed; no meeting title; no kind; Rp0.
    pub fn approve(&mut self, mut p: Persetujuan) -> Result<String, BookError> {
        self.require_treasurer("record a decision")?;
        p.keputusan = p.keputusan.trim().to_string();
        if p.keputusan.is_empty() {
            return Err(MoneyRefusal::NoTitle.into());
        }
        p.jenis = p.jenis.trim().to_lowercase();
        if p.jenis.is_empty() {
            return Err(MoneyRefusal::NoKind.into());
        }
        positive(p.jumlah)?;
        let (by, at) = self.stamp();
        p.created_by = by;
        p.created_at = at;
        let id = new_id();
        self.insert(table::APPROVALS, &id, &p)?;
        Ok(id)
    }

    /// Every approved payout, by id.
    pub fn approvals(&self) -> Vec<(String, Persetujuan)> {
        self.read_all(table::APPROVALS)
    }

    /// "Bayar sesuai keputusan": pays every approved payout of the meeting `judul` that is
    /// not paid yet, each as its own santunan linked to the meeting (the caller commits).
    /// Returns the new santunan ids, in the approvals' order.
    ///
    /// Errors: not allowed; an approval whose person is not in the book (nothing is paid
    /// then); the santunan rules ([`Book::add_santunan`]).
    pub fn pay_approved(
        &mut self,
        judul: &str,
        tanggal: &str,
        dibayar_oleh: &str,
    ) -> Result<Vec<String>, BookError> {
        self.require_treasurer("pay a decision")?;
        let date = payment_date(tanggal)?;
        self.check_open_month(date)?;
        let dibayar_oleh = match dibayar_oleh.trim() {
            "" => self.my_name(),
            p => p.to_string(),
        };
        let unpaid: Vec<Persetujuan> = super::approved_unpaid(&self.money_records().input())
            .into_iter()
            .filter(|p| p.keputusan == judul.trim())
            .collect();
        // Every recipient must be in the book before anything is paid (an approval is
        // always imported with a NIK).
        let known: std::collections::HashSet<crate::rules::Nik> = self
            .households()
            .iter()
            .filter(|(_, h)| h.is_live())
            .flat_map(|(_, h)| h.live_people().filter_map(|(_, p)| p.nik.clone()))
            .collect();
        let mut drafts = Vec::with_capacity(unpaid.len());
        for p in &unpaid {
            let nik = p
                .nik_penerima
                .clone()
                .ok_or(MoneyRefusal::Nik(crate::rules::NikError::Empty))?;
            if !known.contains(&nik) {
                return Err(MoneyRefusal::NikNotInBook(nik).into());
            }
            drafts.push(SantunanDraft {
                penerima: Penerima::Nik(nik.to_string()),
                keputusan: Keputusan::Judul(p.keputusan.clone()),
                jenis: p.jenis.clone(),
                jumlah: p.jumlah,
                tanggal: date.format("%Y-%m-%d").to_string(),
                dibayar_oleh: dibayar_oleh.clone(),
                pmks_id: None,
            });
        }
        drafts.iter().map(|d| self.add_santunan(d)).collect()
    }

    /// Records a loan (the caller commits). Admin or bendahara. The code is unique; the
    /// amount is the installments' sum (no interest).
    ///
    /// Errors: not allowed; no code or a code in use; Rp0; no term; an amount that is not
    /// term × installment; an unreadable date; a closed month.
    pub fn add_loan(&mut self, mut l: Pinjaman) -> Result<String, BookError> {
        self.require_treasurer("record a loan")?;
        l.kode = l.kode.trim().to_string();
        if l.kode.is_empty() {
            return Err(MoneyRefusal::NoLoanCode.into());
        }
        if self
            .loans()
            .iter()
            .any(|(_, x)| x.kode.eq_ignore_ascii_case(&l.kode))
        {
            return Err(MoneyRefusal::LoanCodeTaken { kode: l.kode }.into());
        }
        positive(l.jumlah)?;
        positive(l.angsuran_bulanan)?;
        let expected = l.angsuran_bulanan.amount() * rust_decimal::Decimal::from(l.tenor_bulan);
        if l.tenor_bulan == 0 || expected != l.jumlah.amount() {
            return Err(MoneyRefusal::LoanTerms {
                jumlah: l.jumlah,
                tenor_bulan: l.tenor_bulan,
                angsuran_bulanan: l.angsuran_bulanan,
            }
            .into());
        }
        let date = payment_date(&l.tanggal)?;
        self.check_open_month(date)?;
        l.tanggal = date.format("%Y-%m-%d").to_string();
        let (by, at) = self.stamp();
        l.created_by = by;
        l.created_at = at;
        let id = new_id();
        self.insert(table::LOANS, &id, &l)?;
        Ok(id)
    }

    /// All loans, by id (voided ones included).
    pub fn loans(&self) -> Vec<(String, Pinjaman)> {
        self.read_all(table::LOANS)
    }

    /// Adds a person to the register of members, or updates the one with the same member
    /// number field by field (the caller commits). Admin or bendahara. Returns the id, and
    /// whether anything was written.
    ///
    /// Errors: not allowed; no member number; no name.
    pub fn put_register_member(&mut self, mut a: Anggota) -> Result<(String, bool), BookError> {
        self.require_treasurer("keep the register of members")?;
        a.no_anggota = a.no_anggota.trim().to_string();
        a.nama = a.nama.trim().to_string();
        if a.no_anggota.is_empty() {
            return Err(MoneyRefusal::NoMemberNumber.into());
        }
        if a.nama.is_empty() {
            return Err(MoneyRefusal::NoName.into());
        }
        let (by, at) = self.stamp();
        match self
            .register()
            .into_iter()
            .find(|(_, x)| x.no_anggota == a.no_anggota)
        {
            Some((id, old)) => {
                a.created_by.clone_from(&old.created_by);
                a.created_at = old.created_at;
                a.updated_by.clone_from(&old.updated_by);
                a.updated_at = old.updated_at;
                let changed = a != old;
                if changed {
                    a.updated_by = by;
                    a.updated_at = at;
                    self.update(table::REGISTER, &id, &old, &a)?;
                }
                Ok((id, changed))
            }
            None => {
                a.created_by.clone_from(&by);
                a.created_at = at;
                a.updated_by = by;
                a.updated_at = at;
                let id = new_id();
                self.insert(table::REGISTER, &id, &a)?;
                Ok((id, true))
            }
        }
    }

    /// The register of members, by id.
    pub fn register(&self) -> Vec<(String, Anggota)> {
        self.read_all(table::REGISTER)
    }

    /// Records goods received in kind (the caller commits). Not cash: in no balance.
    ///
    /// Errors: nothing named; an unreadable date.
    pub fn add_natura(&mut self, mut n: Natura) -> Result<String, BookError> {
        if n.barang.trim().is_empty() {
            return Err(MoneyRefusal::NoGoods.into());
        }
        n.tanggal = payment_date(&n.tanggal)?.format("%Y-%m-%d").to_string();
        let (by, at) = self.stamp();
        n.created_by = by;
        n.created_at = at;
        let id = new_id();
        self.insert(table::NATURA, &id, &n)?;
        Ok(id)
    }

    /// Goods received in kind, by id.
    pub fn natura(&self) -> Vec<(String, Natura)> {
        self.read_all(table::NATURA)
    }

    /// Closes month `bulan` of the cash book (the caller commits), with its closing balance
    /// as the book holds it now. Admin or bendahara. After this, a change dated in that
    /// month is refused; one written on a device that had not heard of the closing is shown
    /// in the next open month with a note. Closing twice keeps the first closing.
    ///
    /// Errors: not allowed.
    pub fn close_month(
        &mut self,
        bulan: YearMonth,
        keputusan: &str,
    ) -> Result<TutupBuku, BookError> {
        self.require_treasurer("close a month")?;
        if let Some(t) = self.month_closing(bulan) {
            return Ok(t);
        }
        let records = self.money_records();
        let saldo = crate::money::month_flows(&records.input())
            .range(..=bulan)
            .fold(crate::money::Amount::zero(), |acc, (_, f)| {
                acc + f.masuk - f.keluar
            });
        let (by, at) = self.stamp();
        let t = TutupBuku {
            bulan,
            saldo: Rupiah::from_decimal(saldo.0).unwrap_or_else(|_| Rupiah::zero()),
            keputusan: keputusan.trim().to_string(),
            created_by: by,
            created_at: at,
        };
        self.insert(table::CLOSINGS, &bulan.to_string(), &t)?;
        Ok(t)
    }

    /// The closing of `bulan`, if it is closed.
    pub fn month_closing(&self, bulan: YearMonth) -> Option<TutupBuku> {
        self.read(table::CLOSINGS, &bulan.to_string())
            .ok()
            .flatten()
    }

    /// Every month closing, by month (`2025-03`).
    pub fn closings(&self) -> Vec<(String, TutupBuku)> {
        self.read_all(table::CLOSINGS)
    }
}
