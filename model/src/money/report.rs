//! A period's report (laporan): opening balance, receipts by month, RT and donor,
//! disbursements by kind, quarters, closing balance, PMKS counts by code and status and
//! households by RT (issue 4, item 3).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::{Amount, Ledger, MoneyInput, OrderedMap, Period, month_of};
use crate::rules::{PmksStatus, SumberDana, parse_date, wib_date};

/// One quarter's line of the report: `closing = opening + cash_in − cash_out`, all in
/// whole rupiah, net of voids, months by WIB date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarterRow {
    /// 1..=4.
    pub quarter: u8,
    /// Balance at the start of the quarter (everything before it, all years).
    pub opening: Amount,
    /// Donors' iuran receipts of the quarter (not voided): part of `cash_in`.
    pub receipts: Amount,
    /// Santunan of the quarter: part of `cash_out`.
    pub disbursements: Amount,
    /// Every receipt of the quarter: iuran, other sources, loan repayments.
    pub cash_in: Amount,
    /// Every payment of the quarter: santunan, expenses, loans paid out.
    pub cash_out: Amount,
    /// Balance at the end of the quarter.
    pub closing: Amount,
}

/// One month's line: `closing = opening + cash_in − cash_out`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthRow {
    /// 1..=12.
    pub month: u32,
    /// Balance at the start of the month.
    pub opening: Amount,
    /// Every receipt of the month.
    pub cash_in: Amount,
    /// Every payment of the month.
    pub cash_out: Amount,
    /// Balance at the end of the month.
    pub closing: Amount,
}

/// A payout approved at a meeting and not paid yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovedUnpaid {
    /// The meeting's title.
    pub musyawarah_id: String,
    /// The recipient's NIK.
    pub nik_penerima: String,
    /// Kind.
    pub jenis: String,
    /// Amount approved.
    pub jumlah: Amount,
}

/// What one donor gave in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DonorTotal {
    /// Donor code (`D001`, `D-K7QX-0003`), or the code written on the receipt when the
    /// donor record is gone.
    pub kode: String,
    /// Name.
    pub nama: String,
    /// RT.
    pub rt: u16,
    /// Receipts counted (not voided).
    pub receipts: usize,
    /// Their total.
    pub total: Amount,
}

/// The report of one period (a year or a quarter), as `rukun report --json` prints it.
///
/// Money: whole rupiah as JSON integers ([`Amount`]). Receipts are counted net of voids, by
/// the WIB date of `diterima_pada`; disbursements by their `tanggal`. PMKS counts are "as
/// recorded at the end of the period": identifications dated on or before the last day
/// (undated ones always count) and not removed by then, each with the status it holds
/// in the book now (the book keeps no dated status history). Households, people and donors
/// are the live records now. Rule sources: issue 4 item 3;
/// docs/domain.md#buku-kas-umum-and-kuitansi and #time-wib.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReport {
    /// Group name.
    pub group: String,
    /// The year.
    pub year: i32,
    /// The quarter for a quarter report, `null` for a year.
    pub quarter: Option<u8>,
    /// First day (WIB), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day (WIB), included.
    pub to: NaiveDate,
    /// Live households.
    pub households: usize,
    /// Live people in live households.
    pub persons: usize,
    /// Live donors.
    pub donors: usize,
    /// Live households by RT (`"27": 48`).
    pub households_by_rt: OrderedMap<usize>,
    /// Balance at the start of the period.
    pub opening: Amount,
    /// Number of receipts counted (not voided).
    pub receipts: usize,
    /// Their total.
    pub receipts_total: Amount,
    /// Receipts by month number of the period (`"1"`..`"12"` for a year; zero months
    /// included).
    pub receipts_by_month: OrderedMap<Amount>,
    /// Receipts by the RT they were collected in (RTs with receipts, ascending).
    pub receipts_by_rt: OrderedMap<Amount>,
    /// Receipts by donor, by code.
    pub receipts_by_donor: Vec<DonorTotal>,
    /// Receipts of the period that were voided.
    pub voided: usize,
    /// Their total (not in any other figure).
    pub voided_total: Amount,
    /// Number of live disbursements.
    pub disbursements: usize,
    /// Their total.
    pub disbursements_total: Amount,
    /// Disbursements by kind (`sembako`, `tunai`, `spp`, …), by name.
    pub disbursements_by_kind: OrderedMap<Amount>,
    /// The quarters of the period (four for a year, one for a quarter).
    pub quarters: Vec<QuarterRow>,
    /// Balance at the end of the period.
    pub closing: Amount,
    /// PMKS identifications counted.
    pub pmks: usize,
    /// PMKS by code (`"8": 11`), codes ascending, present codes only.
    pub pmks_by_code: OrderedMap<usize>,
    /// PMKS by status code (`"dilayani": 22`), in the status order, present ones only.
    pub pmks_by_status: OrderedMap<usize>,
    /// Every receipt of the period, not voided.
    pub cash_in_total: Amount,
    /// By source (`iuran`, `hibah`, `angsuran`, …), sources with money only.
    pub cash_in_by_kind: OrderedMap<Amount>,
    /// Every payment of the period, not voided.
    pub cash_out_total: Amount,
    /// By kind: `santunan_<kind>`, each expense category, `pinjaman` (loans paid out).
    pub cash_out_by_kind: OrderedMap<Amount>,
    /// The months of the period.
    pub months: Vec<MonthRow>,
    /// Goods in kind received in the period (not cash).
    pub natura_rows: usize,
    /// Their estimated value.
    pub natura_total_taksiran: Amount,
    /// Meetings held in the period's year.
    pub meetings: crate::kas::MeetingCounts,
    /// Payouts approved at meetings (all).
    pub approvals: usize,
    /// Those not paid yet (names the recipients' NIK: dropped by `--anonim`).
    pub approved_unpaid: Vec<ApprovedUnpaid>,
    /// Distinct people served in each quarter of the period's year.
    pub people_served_by_quarter: OrderedMap<usize>,
    /// The register of members by position.
    pub members: crate::kas::MemberCounts,
    /// The board by position (`"Ketua": "Ahmad Hidayat"`), for the signature lines.
    pub pengurus: OrderedMap<String>,
    /// Loans at the end of the period (and repaid within its year), by code; in JSON under
    /// `loans` with the year in the keys (`outstanding_end_2025`).
    #[serde(skip)]
    pub loans: BTreeMap<String, crate::kas::LoanStatus>,
    /// Records that could not be counted (unreadable dates), in Indonesian.
    pub warnings: Vec<String>,
}

impl PeriodReport {
    /// The report without anything that names a person (`rukun report --anonim`, UU
    /// 27/2022): the per-donor totals and the warnings (which may name donors) are dropped;
    /// counts and totals by month, RT, kind, PMKS code and status stay.
    pub fn anonymized(mut self) -> PeriodReport {
        self.receipts_by_donor.clear();
        self.warnings.clear();
        self.approved_unpaid.clear();
        self
    }

    /// The report as JSON, with one more key `closing_balance_<year>` (e.g.
    /// `closing_balance_2025`) equal to `closing`, the name the reference figures use.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(m) = &mut v {
            m.extend(self.year_keys());
        }
        v
    }

    /// The keys named by the year: `closing_balance_2025`, `loans` (each with
    /// `repaid_2025`, `outstanding_end_2025`, `months_in_arrears_end_2025`) and
    /// `loans_outstanding_end_2025`.
    fn year_keys(&self) -> BTreeMap<String, serde_json::Value> {
        let y = self.year;
        let j = |a: Amount| serde_json::to_value(a).unwrap_or(serde_json::Value::Null);
        let loans: serde_json::Map<String, serde_json::Value> = self
            .loans
            .iter()
            .map(|(kode, l)| {
                (
                    kode.clone(),
                    serde_json::json!({
                        "jumlah": j(l.jumlah),
                        format!("repaid_{y}"): j(l.repaid),
                        format!("outstanding_end_{y}"): j(l.outstanding),
                        format!("months_in_arrears_end_{y}"): l.months_in_arrears,
                    }),
                )
            })
            .collect();
        let outstanding = self
            .loans
            .values()
            .fold(Amount::zero(), |acc, l| acc + l.outstanding);
        BTreeMap::from([
            (format!("closing_balance_{y}"), j(self.closing)),
            ("loans".to_string(), serde_json::Value::Object(loans)),
            (format!("loans_outstanding_end_{y}"), j(outstanding)),
        ])
    }
}

/// The report with its `closing_balance_<year>` key, serialized in field order.
#[derive(Serialize)]
struct WithClosing<'a> {
    #[serde(flatten)]
    report: &'a PeriodReport,
    #[serde(flatten)]
    extra: BTreeMap<String, serde_json::Value>,
}

impl PeriodReport {
    /// The same JSON as [`PeriodReport::to_json`], pretty-printed with the keys in field
    /// order and months and RTs in calendar and number order (as `rukun report --json`
    /// prints it). Errors: only if serde_json fails, which it does not for this type.
    pub fn to_json_pretty(&self) -> Result<String, serde_json::Error> {
        let extra = self.year_keys();
        serde_json::to_string_pretty(&WithClosing {
            report: self,
            extra,
        })
    }
}

/// Builds the report of `period` (a year or a quarter; a month works too) from plain
/// records. Pure and deterministic: the same records in any order give the same report,
/// so every device reports the same after a merge.
///
/// `group_name` is printed on the report. Never fails on bad records: receipts or
/// disbursements with unreadable dates are left out and listed in `warnings`.
pub fn period_report(input: &MoneyInput<'_>, group_name: &str, period: &Period) -> PeriodReport {
    let ledger = Ledger::build(input);
    let opening = ledger.balance_before(period.from);
    let months = period.months();
    let mut by_month: BTreeMap<u32, Amount> = months.iter().map(|m| (*m, Amount::zero())).collect();
    let mut by_rt: BTreeMap<u16, Amount> = BTreeMap::new();
    let mut by_donor: HashMap<&str, (usize, Amount, &str)> = HashMap::new();
    let mut by_kind: BTreeMap<String, Amount> = BTreeMap::new();
    let quarter_numbers: Vec<u8> = match period.quarter {
        Some(q) => vec![q],
        None => {
            let mut qs: Vec<u8> = months
                .iter()
                .map(|m| crate::rules::quarter_of(*m))
                .collect();
            qs.dedup();
            qs
        }
    };
    // Per quarter and per month: (iuran receipts, santunan, cash in, cash out).
    let mut q_in: BTreeMap<u8, [Amount; 4]> = quarter_numbers
        .iter()
        .map(|q| (*q, [Amount::zero(); 4]))
        .collect();
    let mut m_in: BTreeMap<u32, [Amount; 2]> =
        months.iter().map(|m| (*m, [Amount::zero(); 2])).collect();
    let mut in_by_kind: BTreeMap<SumberDana, Amount> = BTreeMap::new();
    let mut out_by_kind: BTreeMap<(u8, String), Amount> = BTreeMap::new();
    let (mut receipts, mut receipts_total) = (0usize, Amount::zero());
    let (mut voided, mut voided_total) = (0usize, Amount::zero());
    let (mut disbursements, mut disbursements_total) = (0usize, Amount::zero());
    for e in ledger.entries.iter().filter(|e| period.contains(e.date)) {
        let month = month_of(e.date);
        let q = crate::rules::quarter_of(month);
        if e.is_voided() {
            if e.receipt.is_some() {
                voided += 1;
                voided_total += e.amount;
            }
            continue;
        }
        let slot = q_in.entry(q).or_insert([Amount::zero(); 4]);
        let mslot = m_in.entry(month).or_insert([Amount::zero(); 2]);
        if let Some(r) = e.receipt {
            slot[2] += e.amount;
            mslot[0] += e.amount;
            *in_by_kind.entry(r.sumber).or_default() += e.amount;
            if r.sumber != SumberDana::Iuran {
                continue;
            }
            receipts += 1;
            receipts_total += e.amount;
            slot[0] += e.amount;
            *by_month.entry(month).or_default() += e.amount;
            *by_rt.entry(r.rt).or_default() += e.amount;
            let key = if r.donor_id.is_empty() {
                r.kode_donatur.as_str()
            } else {
                r.donor_id.as_str()
            };
            let d = by_donor
                .entry(key)
                .or_insert((0, Amount::zero(), r.kode_donatur.as_str()));
            d.0 += 1;
            d.1 += e.amount;
        } else {
            slot[3] += e.amount;
            mslot[1] += e.amount;
            let out_key = if let Some(d) = e.disbursement {
                disbursements += 1;
                disbursements_total += e.amount;
                slot[1] += e.amount;
                let kind = match d.jenis.trim() {
                    "" => "lainnya".to_string(),
                    k => k.to_lowercase(),
                };
                *by_kind.entry(kind.clone()).or_default() += e.amount;
                (0, format!("santunan_{kind}"))
            } else if let Some(x) = e.expense {
                (1 + x.kategori as u8, x.kategori.as_str().to_string())
            } else {
                (u8::MAX, "pinjaman".to_string())
            };
            *out_by_kind.entry(out_key).or_default() += e.amount;
        }
    }
    let mut quarters = Vec::new();
    let mut running = opening;
    for (q, [rin, rout, cin, cout]) in &q_in {
        // A quarter report's opening is the period opening; a year's quarters chain on.
        let closing = running + *cin - *cout;
        quarters.push(QuarterRow {
            quarter: *q,
            opening: running,
            receipts: *rin,
            disbursements: *rout,
            cash_in: *cin,
            cash_out: *cout,
            closing,
        });
        running = closing;
    }
    let mut month_rows = Vec::new();
    let mut running = opening;
    for (m, [cin, cout]) in &m_in {
        let closing = running + *cin - *cout;
        month_rows.push(MonthRow {
            month: *m,
            opening: running,
            cash_in: *cin,
            cash_out: *cout,
            closing,
        });
        running = closing;
    }
    let cash_in_total = in_by_kind.values().fold(Amount::zero(), |a, b| a + *b);
    let cash_out_total = out_by_kind.values().fold(Amount::zero(), |a, b| a + *b);
    let closing = opening + cash_in_total - cash_out_total;
    let natura: Vec<_> = input
        .natura
        .iter()
        .filter(|(_, n)| parse_date(&n.tanggal).is_ok_and(|d| period.contains(d)))
        .collect();
    let approved_unpaid = crate::kas::approved_unpaid(input)
        .into_iter()
        .map(|p| ApprovedUnpaid {
            musyawarah_id: p.keputusan,
            nik_penerima: crate::rules::or_blank(&p.nik_penerima).to_string(),
            jenis: p.jenis,
            jumlah: Amount::of(p.jumlah),
        })
        .collect();
    let year_start = NaiveDate::from_ymd_opt(period.year, 1, 1);

    let donors_by_id: HashMap<&str, &crate::records::Donor> = input
        .donors
        .iter()
        .map(|(id, d)| (id.as_str(), d))
        .collect();
    let mut receipts_by_donor: Vec<DonorTotal> = by_donor
        .into_iter()
        .map(|(key, (n, total, kode))| {
            let d = donors_by_id.get(key);
            DonorTotal {
                kode: d.map_or_else(|| kode.to_string(), |d| d.kode.clone()),
                nama: d.map(|d| d.nama.clone()).unwrap_or_default(),
                rt: d.map_or(0, |d| d.rt),
                receipts: n,
                total,
            }
        })
        .collect();
    receipts_by_donor.sort_by(|a, b| a.kode.cmp(&b.kode).then(a.nama.cmp(&b.nama)));

    let (households, persons, households_by_rt) = household_counts(input);
    let donors = input
        .donors
        .iter()
        .filter(|(_, d)| d.deleted.is_none())
        .count();
    let (pmks, pmks_by_code, pmks_by_status) = pmks_counts(input, period.to);

    PeriodReport {
        group: group_name.to_string(),
        year: period.year,
        quarter: period.quarter,
        from: period.from,
        to: period.to,
        households,
        persons,
        donors,
        households_by_rt,
        opening,
        receipts,
        receipts_total,
        receipts_by_month: OrderedMap(
            by_month
                .into_iter()
                .map(|(m, a)| (m.to_string(), a))
                .collect(),
        ),
        receipts_by_rt: OrderedMap(
            by_rt
                .into_iter()
                .map(|(rt, a)| (rt.to_string(), a))
                .collect(),
        ),
        receipts_by_donor,
        voided,
        voided_total,
        disbursements,
        disbursements_total,
        disbursements_by_kind: OrderedMap(by_kind.into_iter().collect()),
        quarters,
        closing,
        pmks,
        pmks_by_code,
        pmks_by_status,
        cash_in_total,
        cash_in_by_kind: OrderedMap(
            in_by_kind
                .into_iter()
                .map(|(k, a)| (k.as_str().to_string(), a))
                .collect(),
        ),
        cash_out_total,
        cash_out_by_kind: OrderedMap(out_by_kind.into_iter().map(|((_, k), a)| (k, a)).collect()),
        months: month_rows,
        natura_rows: natura.len(),
        natura_total_taksiran: natura
            .iter()
            .fold(Amount::zero(), |a, (_, n)| a + Amount::of(n.taksiran)),
        meetings: crate::kas::meeting_counts(input, period.year),
        approvals: input.approvals.len(),
        approved_unpaid,
        people_served_by_quarter: crate::kas::people_served_by_quarter(input, period.year),
        members: crate::kas::member_counts(input),
        pengurus: {
            let mut board: Vec<&crate::kas::Anggota> = input
                .register
                .iter()
                .map(|(_, a)| a)
                .filter(|a| {
                    !matches!(
                        a.jabatan,
                        crate::rules::Jabatan::Anggota | crate::rules::Jabatan::Penasihat
                    )
                })
                .collect();
            board.sort_by_key(|a| (a.jabatan, a.no_anggota.clone()));
            OrderedMap(
                board
                    .into_iter()
                    .map(|a| (a.jabatan.as_str().to_string(), a.nama.clone()))
                    .collect(),
            )
        },
        loans: crate::kas::loan_status(input, year_start, period.to),
        warnings: ledger.problems,
    }
}

fn household_counts(input: &MoneyInput<'_>) -> (usize, usize, OrderedMap<usize>) {
    let mut by_rt: BTreeMap<u16, usize> = BTreeMap::new();
    let (mut households, mut persons) = (0, 0);
    for (_, h) in input.households.iter().filter(|(_, h)| h.is_live()) {
        households += 1;
        persons += h.live_people().count();
        *by_rt.entry(h.rt).or_default() += 1;
    }
    (
        households,
        persons,
        OrderedMap(
            by_rt
                .into_iter()
                .map(|(rt, n)| (rt.to_string(), n))
                .collect(),
        ),
    )
}

/// PMKS as recorded at the end of the period (see [`PeriodReport`]).
fn pmks_counts(
    input: &MoneyInput<'_>,
    end: NaiveDate,
) -> (usize, OrderedMap<usize>, OrderedMap<usize>) {
    let mut by_code: BTreeMap<u8, usize> = BTreeMap::new();
    let mut by_status: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut total = 0;
    for (_, p) in input.pmks {
        if let Some(t) = &p.deleted {
            let removed = (t.at != crate::stored::unset()).then(|| wib_date(t.at));
            // Removed on or before the last day (or at an unknown time): not counted.
            if removed.is_none_or(|d| d <= end) {
                continue;
            }
        }
        if let Ok(d) = parse_date(&p.tanggal_identifikasi)
            && d > end
        {
            continue;
        }
        total += 1;
        *by_code.entry(p.kode.code()).or_default() += 1;
        let key = (
            PmksStatus::all()
                .position(|x| x == p.status)
                .unwrap_or(usize::MAX),
            p.status.as_str().to_string(),
        );
        *by_status.entry(key).or_default() += 1;
    }
    (
        total,
        OrderedMap(
            by_code
                .into_iter()
                .map(|(c, n)| (c.to_string(), n))
                .collect(),
        ),
        OrderedMap(by_status.into_iter().map(|((_, s), n)| (s, n)).collect()),
    )
}
