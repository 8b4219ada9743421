//! View models: the lists the screens show, built from the book once and kept up to date
//! after each command (incrementally where one record changed), never read per frame.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use rukun_model::rules::{self, PmksStatus, Rupiah, YearMonth};
use rukun_model::{
    Book, Disbursement, Donor, Group, Household, Meeting, Member, MemberId, MoneyInput,
    MoneyRecords, Pmks,
};
use rust_decimal::Decimal;

/// One household row of the Rumah Tangga list: the model's index entry (its search rule
/// is the model's [`rukun_model::HouseholdSearch`]).
pub(crate) type HouseholdRow = rukun_model::IndexEntry;

/// A person, for pickers and PMKS rows.
#[derive(Debug, Clone)]
pub(crate) struct PersonRef {
    pub(crate) household_id: String,
    pub(crate) nama: String,
    pub(crate) tanggal_lahir: String,
    pub(crate) nik: String,
    pub(crate) rt: u16,
}

/// One PMKS identification row.
#[derive(Debug, Clone)]
pub(crate) struct PmksRow {
    pub(crate) id: String,
    pub(crate) record: Pmks,
    /// The person's name, or the head of the household for a whole household.
    pub(crate) nama: String,
    pub(crate) rt: u16,
}

/// One receipt row.
#[derive(Debug, Clone)]
pub(crate) struct ReceiptRow {
    pub(crate) id: String,
    pub(crate) nomor: String,
    pub(crate) donor_id: String,
    pub(crate) dari: String,
    pub(crate) jumlah: Rupiah,
    pub(crate) at: Option<DateTime<Utc>>,
    /// The WIB month the receipt belongs to.
    pub(crate) month: Option<YearMonth>,
    pub(crate) voided: bool,
}

impl ReceiptRow {
    fn of(id: &str, r: &rukun_model::Receipt, voided: bool) -> ReceiptRow {
        let at = Some(r.diterima_pada);
        ReceiptRow {
            id: id.to_string(),
            nomor: r.nomor.clone(),
            donor_id: r.donor_id.clone(),
            dari: r.dari.clone(),
            jumlah: r.jumlah,
            month: at.map(YearMonth::of_instant_wib),
            at,
            voided,
        }
    }
}

/// One santunan row.
#[derive(Debug, Clone)]
pub(crate) struct DisbursementRow {
    pub(crate) id: String,
    pub(crate) record: Disbursement,
    pub(crate) nama: String,
    pub(crate) date: Option<NaiveDate>,
}

/// Money in and out of one WIB month (from the model's [`rukun_model::month_flows`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct MonthTotals {
    pub(crate) masuk: Decimal,
    pub(crate) keluar: Decimal,
    pub(crate) receipts: usize,
    pub(crate) disbursements: usize,
}

/// Everything the screens list, built from the book.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) group: Group,
    pub(crate) me: Option<MemberId>,
    pub(crate) members: Vec<(MemberId, Member)>,
    /// Live households, ordered by RT then address.
    pub(crate) households: Vec<HouseholdRow>,
    pub(crate) people: HashMap<String, PersonRef>,
    pub(crate) pmks: Vec<PmksRow>,
    pub(crate) donors: Vec<(String, Donor)>,
    /// Receipts, newest first.
    pub(crate) receipts: Vec<ReceiptRow>,
    pub(crate) disbursements: Vec<DisbursementRow>,
    pub(crate) meetings: Vec<(String, Meeting)>,
    pub(crate) months: BTreeMap<YearMonth, MonthTotals>,
    /// The receipts, voids and disbursements as records, for the model's money functions
    /// (month totals, balance, donor card): the UI never sums money itself.
    pub(crate) money: MoneyRecords,
    /// Households that share a KK number with another live household (likely duplicates).
    pub(crate) duplicate_kk: Vec<(String, Vec<String>)>,
    /// People whose NIK appears in more than one place.
    pub(crate) duplicate_nik: Vec<(String, Vec<String>)>,
    pub(crate) last_sync: Option<String>,
    /// Payouts approved and not paid (the model's `approved_unpaid`), after the last change.
    pub(crate) unpaid: Vec<rukun_model::Persetujuan>,
    /// Where each loan stands today (the model's `loan_status`), after the last change.
    pub(crate) loan_status: BTreeMap<String, rukun_model::LoanStatus>,
    /// Counts every change of the money records, so screens can keep what they derive
    /// from them (Laporan's buku kas) until the next change instead of per frame.
    pub(crate) money_generation: u64,
}

impl Index {
    /// Reads every table of the book (once after opening and after a sync).
    pub(crate) fn build(book: &mut Book) -> Index {
        let started = std::time::Instant::now();
        let mut idx = Index {
            group: book.group().unwrap_or_default(),
            me: Some(book.member_id().clone()),
            members: book.members(),
            ..Index::default()
        };
        idx.reload_households(book);
        idx.reload_pmks(book);
        idx.reload_donors(book);
        idx.reload_kas(book);
        idx.reload_receipts(book);
        idx.reload_disbursements(book);
        tracing::debug!(elapsed = ?started.elapsed(), "view models built");
        idx
    }

    pub(crate) fn reload_households(&mut self, book: &mut Book) {
        self.people.clear();
        let households = book.households();
        for (id, h) in households.iter().filter(|(_, h)| h.is_live()) {
            self.add_people(id, h);
        }
        // One read of the table for both: the people here and the model's list rows.
        self.households = book.household_index_from(&households).entries().to_vec();
        self.find_duplicates();
    }

    fn add_people(&mut self, id: &str, h: &Household) {
        for (pid, p) in h.live_people() {
            self.people.insert(
                pid.clone(),
                PersonRef {
                    household_id: id.to_string(),
                    nama: p.nama.clone(),
                    tanggal_lahir: p.tanggal_lahir.clone(),
                    nik: rules::or_blank(&p.nik).to_string(),
                    rt: h.rt,
                },
            );
        }
    }

    /// One household was added or saved: its rows from the model's index (brought up to
    /// date by re-reading only what changed), and its people.
    pub(crate) fn update_household(&mut self, book: &mut Book, id: &str, h: &Household) {
        self.people.retain(|_, p| p.household_id != id);
        if h.is_live() {
            self.add_people(id, h);
        }
        self.households = book.household_index().entries().to_vec();
        self.find_duplicates();
        for row in &mut self.pmks {
            if row.record.household_id == id {
                row.nama = person_or_head(&self.people, &row.record, h);
                row.rt = h.rt;
            }
        }
    }

    fn find_duplicates(&mut self) {
        let mut by_kk: HashMap<&str, Vec<String>> = HashMap::new();
        for r in &self.households {
            if !r.no_kk.is_empty() {
                by_kk.entry(&r.no_kk).or_default().push(r.id.clone());
            }
        }
        let mut kk: Vec<(String, Vec<String>)> = by_kk
            .into_iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        kk.sort();
        self.duplicate_kk = kk;
        let mut by_nik: HashMap<&str, Vec<String>> = HashMap::new();
        for (pid, p) in &self.people {
            if !p.nik.is_empty() {
                by_nik.entry(&p.nik).or_default().push(pid.clone());
            }
        }
        let mut nik: Vec<(String, Vec<String>)> = by_nik
            .into_iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        nik.sort();
        self.duplicate_nik = nik;
    }

    pub(crate) fn household_row(&self, id: &str) -> Option<&HouseholdRow> {
        self.households.iter().find(|r| r.id == id)
    }

    pub(crate) fn reload_pmks(&mut self, book: &Book) {
        let heads: HashMap<&str, (&str, u16)> = self
            .households
            .iter()
            .map(|r| (r.id.as_str(), (r.kepala_keluarga.as_str(), r.rt)))
            .collect();
        let mut rows = Vec::new();
        for (id, p) in book.pmks() {
            if p.deleted.is_some() {
                continue;
            }
            rows.push(self.pmks_row(&id, p, &heads));
        }
        rows.sort_by(|a, b| (a.rt, &a.nama, &a.id).cmp(&(b.rt, &b.nama, &b.id)));
        self.pmks = rows;
    }

    fn pmks_row(&self, id: &str, p: Pmks, heads: &HashMap<&str, (&str, u16)>) -> PmksRow {
        let (head, rt) = heads
            .get(p.household_id.as_str())
            .copied()
            .unwrap_or(("", 0));
        let nama = p
            .person_id
            .as_ref()
            .and_then(|pid| self.people.get(pid))
            .map(|r| r.nama.clone())
            .unwrap_or_else(|| head.to_string());
        PmksRow {
            id: id.to_string(),
            record: p,
            nama,
            rt,
        }
    }

    /// One PMKS record was added or saved.
    pub(crate) fn update_pmks(&mut self, id: &str, p: Pmks) {
        self.pmks.retain(|r| r.id != id);
        if p.deleted.is_none() {
            let heads: HashMap<&str, (&str, u16)> = self
                .households
                .iter()
                .filter(|r| r.id == p.household_id)
                .map(|r| (r.id.as_str(), (r.kepala_keluarga.as_str(), r.rt)))
                .collect();
            let row = self.pmks_row(id, p, &heads);
            self.pmks.push(row);
        }
        self.pmks
            .sort_by(|a, b| (a.rt, &a.nama, &a.id).cmp(&(b.rt, &b.nama, &b.id)));
    }

    pub(crate) fn reload_donors(&mut self, book: &Book) {
        let mut donors: Vec<(String, Donor)> = book
            .donors()
            .into_iter()
            .filter(|(_, d)| d.deleted.is_none())
            .collect();
        donors.sort_by(|a, b| (a.1.rt, &a.1.nama, &a.0).cmp(&(b.1.rt, &b.1.nama, &b.0)));
        self.donors = donors;
    }

    pub(crate) fn reload_receipts(&mut self, book: &Book) {
        self.money.receipts = book.receipts();
        self.money.voids = book.voids();
        let voided: HashSet<&str> = self.money.voids.iter().map(|(id, _)| id.as_str()).collect();
        let mut rows: Vec<ReceiptRow> = self
            .money
            .receipts
            .iter()
            .map(|(id, r)| ReceiptRow::of(id, r, voided.contains(id.as_str())))
            .collect();
        rows.sort_by(|a, b| (b.at, &b.nomor).cmp(&(a.at, &a.nomor)));
        self.receipts = rows;
        self.recount_months();
    }

    /// A receipt was issued on this device.
    pub(crate) fn add_receipt(&mut self, id: &str, r: &rukun_model::Receipt) {
        self.receipts.insert(0, ReceiptRow::of(id, r, false));
        let new = (id.to_string(), r.clone());
        // Only the new receipt's month changes: its flow (the model's rules, for this one
        // record) is added, instead of the whole ledger rebuilt on every tap.
        let one = std::slice::from_ref(&new);
        let flows = rukun_model::month_flows(&MoneyInput {
            receipts: one,
            ..MoneyInput::default()
        });
        for (m, f) in flows {
            let t = self.months.entry(m).or_default();
            t.masuk += f.masuk.0;
            t.receipts += f.receipts;
        }
        self.money.receipts.push(new);
        self.money_generation += 1;
    }

    /// A receipt was voided on this device: the voids are read again (the model matches a
    /// void to its receipt by record id).
    pub(crate) fn reload_voids(&mut self, book: &Book) {
        self.money.voids = book.voids();
        let voided: HashSet<&str> = self.money.voids.iter().map(|(id, _)| id.as_str()).collect();
        for r in &mut self.receipts {
            r.voided = voided.contains(r.id.as_str());
        }
        self.recount_months();
    }

    pub(crate) fn reload_disbursements(&mut self, book: &Book) {
        self.money.disbursements = book.disbursements();
        self.money.meetings = book.meetings();
        self.meetings = self.money.meetings.clone();
        self.meetings
            .sort_by(|a, b| (&b.1.tanggal, &b.0).cmp(&(&a.1.tanggal, &a.0)));
        let mut rows: Vec<DisbursementRow> = book
            .disbursements()
            .into_iter()
            .filter(|(_, d)| d.deleted.is_none())
            .map(|(id, d)| self.disbursement_row(id, d))
            .collect();
        rows.sort_by(|a, b| (b.date, &b.id).cmp(&(a.date, &a.id)));
        self.disbursements = rows;
        self.recount_months();
    }

    fn disbursement_row(&self, id: String, d: Disbursement) -> DisbursementRow {
        let nama = d
            .person_id
            .as_ref()
            .and_then(|p| self.people.get(p))
            .map(|p| p.nama.clone())
            .or_else(|| {
                self.household_row(&d.household_id)
                    .map(|h| h.kepala_keluarga.clone())
            })
            .unwrap_or_default();
        DisbursementRow {
            date: rules::parse_date(&d.tanggal).ok(),
            id,
            record: d,
            nama,
        }
    }

    /// The whole year's records (expenses, loans, decisions, register, goods in kind,
    /// closed months, meetings): read again after any of them changes.
    pub(crate) fn reload_kas(&mut self, book: &Book) {
        self.money.expenses = book.expenses();
        self.money
            .expenses
            .sort_by(|a, b| (&b.1.tanggal, &b.0).cmp(&(&a.1.tanggal, &a.0)));
        self.money.loans = book.loans();
        self.money.loans.sort_by(|a, b| a.1.kode.cmp(&b.1.kode));
        self.money.approvals = book.approvals();
        self.money.register = book.register();
        self.money
            .register
            .sort_by(|a, b| a.1.no_anggota.cmp(&b.1.no_anggota));
        self.money.natura = book.natura();
        self.money.closings = book.closings();
        self.money.voids = book.voids();
        self.money.meetings = book.meetings();
        self.meetings = self.money.meetings.clone();
        self.meetings
            .sort_by(|a, b| (&b.1.tanggal, &b.0).cmp(&(&a.1.tanggal, &a.0)));
        self.recount_months();
    }

    /// The records the money functions read (donors included, for the donor card).
    pub(crate) fn money_input(&self) -> MoneyInput<'_> {
        MoneyInput {
            receipts: &self.money.receipts,
            voids: &self.money.voids,
            disbursements: &self.money.disbursements,
            donors: &self.donors,
            meetings: &self.money.meetings,
            expenses: &self.money.expenses,
            loans: &self.money.loans,
            approvals: &self.money.approvals,
            register: &self.money.register,
            natura: &self.money.natura,
            closings: &self.money.closings,
            households: &[],
            pmks: &[],
        }
    }

    fn recount_months(&mut self) {
        self.money_generation += 1;
        self.unpaid = rukun_model::approved_unpaid(&self.money_input());
        self.loan_status = rukun_model::loan_status(&self.money_input(), None, rules::today_wib());
        self.months = rukun_model::month_flows(&self.money_input())
            .into_iter()
            .map(|(m, f)| {
                let t = MonthTotals {
                    masuk: f.masuk.0,
                    keluar: f.keluar.0,
                    receipts: f.receipts,
                    disbursements: f.disbursements,
                };
                (m, t)
            })
            .collect();
    }

    /// Fund balance: the sum of every month's flow (the model's ledger rules).
    pub(crate) fn balance(&self) -> Decimal {
        self.months.values().map(|t| t.masuk - t.keluar).sum()
    }

    /// Balance at the end of the month before `m`.
    pub(crate) fn balance_before(&self, m: YearMonth) -> Decimal {
        self.months
            .range(..m)
            .map(|(_, t)| t.masuk - t.keluar)
            .sum()
    }

    pub(crate) fn people_count(&self) -> usize {
        self.people.len()
    }

    pub(crate) fn households_per_rt(&self) -> BTreeMap<u16, usize> {
        let mut m = BTreeMap::new();
        for r in &self.households {
            *m.entry(r.rt).or_insert(0) += 1;
        }
        m
    }

    pub(crate) fn pmks_per_status(&self) -> Vec<(PmksStatus, usize)> {
        PmksStatus::all()
            .map(|s| (s, self.pmks.iter().filter(|r| r.record.status == s).count()))
            .collect()
    }

    pub(crate) fn member_name(&self, id: &str) -> String {
        self.members
            .iter()
            .find(|(m, _)| m.as_str() == id)
            .map(|(_, m)| m.name.clone())
            .unwrap_or_else(|| id.chars().take(8).collect())
    }

    /// The RTs to offer: the group's list, plus any RT households already use.
    pub(crate) fn rts(&self) -> Vec<u16> {
        let mut rts = self.group.rts().to_vec();
        for r in &self.households {
            if !rts.contains(&r.rt) {
                rts.push(r.rt);
            }
        }
        rts.sort_unstable();
        rts
    }
}

fn person_or_head(people: &HashMap<String, PersonRef>, p: &Pmks, h: &Household) -> String {
    p.person_id
        .as_ref()
        .and_then(|pid| people.get(pid))
        .map(|r| r.nama.clone())
        .unwrap_or_else(|| h.kepala_keluarga.clone())
}
