//! Counts of live records (`rukun stats --json`).

use crate::book::Book;

/// Counts of live records: tombstoned households, people and records and voided receipts
/// are not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Stats {
    /// Live households.
    pub households: usize,
    /// Live people in live households.
    pub persons: usize,
    /// Live donors.
    pub donors: usize,
    /// Receipts not voided (every source: iuran, other income, loan repayments).
    pub receipts: usize,
    /// Live disbursements (santunan), not voided.
    pub disbursements: usize,
    /// Live PMKS identifications.
    pub pmks: usize,
    /// Expenses not voided.
    pub expenses: usize,
    /// Loans not voided.
    pub loans: usize,
    /// Payouts approved at meetings.
    pub approvals: usize,
    /// People in the register of members.
    pub anggota: usize,
    /// Goods received in kind.
    pub natura: usize,
}

impl Book {
    /// Counts of live records.
    pub fn stats(&self) -> Stats {
        let started = std::time::Instant::now();
        let mut s = Stats::default();
        for (_, h) in self.households() {
            if h.is_live() {
                s.households += 1;
                s.persons += h.live_people().count();
            }
        }
        tracing::debug!(elapsed = ?started.elapsed(), "households counted");
        s.donors = self
            .donors()
            .iter()
            .filter(|(_, d)| d.deleted.is_none())
            .count();
        let voided: std::collections::HashSet<String> =
            self.voids().into_iter().map(|(id, _)| id).collect();
        tracing::debug!(elapsed = ?started.elapsed(), "voids read");
        s.receipts = self
            .receipts()
            .iter()
            .filter(|(id, _)| !voided.contains(id))
            .count();
        s.disbursements = self
            .disbursements()
            .iter()
            .filter(|(id, d)| d.deleted.is_none() && !voided.contains(id))
            .count();
        s.expenses = self
            .expenses()
            .iter()
            .filter(|(id, _)| !voided.contains(id))
            .count();
        s.loans = self
            .loans()
            .iter()
            .filter(|(id, _)| !voided.contains(id))
            .count();
        s.approvals = self.approvals().len();
        s.anggota = self.register().len();
        s.natura = self.natura().len();
        s.pmks = self
            .pmks()
            .iter()
            .filter(|(_, p)| p.deleted.is_none())
            .count();
        s
    }
}
