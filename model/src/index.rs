//! The household index: what the list and search screens need, kept in memory and brought
//! up to date on every change (own saves, merges, syncs) by re-reading only the households
//! that changed (Automerge `diff` between the heads it was built at and the current heads).

use std::collections::{BTreeSet, HashMap};

use automerge::{ChangeHash, PatchAction, Prop};

use crate::book::{Book, table};
use crate::records::Household;

/// One live household as the list shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndexEntry {
    /// Household id.
    pub id: String,
    /// RW.
    pub rw: u16,
    /// RT.
    pub rt: u16,
    /// Nomor KK.
    pub no_kk: String,
    /// Head of the family.
    pub kepala_keluarga: String,
    /// Address.
    pub alamat: String,
    /// Number of live people.
    pub people: usize,
    /// Lower-case head, address and every person's name, for search.
    haystack: String,
    /// The KK number and every NIK, space-separated, for search.
    digits: String,
}

/// A household search as a person types it, the one rule of the list screen, `rukun
/// household list --search` and Tinjau: a case-insensitive part of the head's or a
/// person's name or of the address; and, when it holds 4 or more digits, a part of the KK
/// number or of a NIK (shorter digit runs, such as house numbers, match the address only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdSearch {
    lower: String,
    digits: String,
}

impl HouseholdSearch {
    /// The search for `text` (spaces around it ignored; digits inside it joined, so
    /// `3471 1318` finds `34711318…`).
    pub fn new(text: &str) -> HouseholdSearch {
        let lower = text.trim().to_lowercase();
        let digits = lower.chars().filter(char::is_ascii_digit).collect();
        HouseholdSearch { lower, digits }
    }

    /// True when nothing was typed (everything matches).
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }
}

impl IndexEntry {
    /// The list row of household `id`.
    pub(crate) fn of(id: &str, h: &Household) -> IndexEntry {
        let mut hay = format!(
            "{} | {}",
            h.kepala_keluarga.to_lowercase(),
            h.alamat.to_lowercase()
        );
        let mut digits = crate::rules::or_blank(&h.no_kk).to_string();
        let mut people = 0;
        for (_, p) in h.live_people() {
            people += 1;
            hay.push_str(" | ");
            hay.push_str(&p.nama.to_lowercase());
            digits.push(' ');
            digits.push_str(crate::rules::or_blank(&p.nik));
        }
        IndexEntry {
            id: id.to_string(),
            rw: h.rw,
            rt: h.rt,
            no_kk: crate::rules::or_blank(&h.no_kk).to_string(),
            kepala_keluarga: h.kepala_keluarga.clone(),
            alamat: h.alamat.clone(),
            people,
            haystack: hay,
            digits,
        }
    }

    /// Whether this household matches `search` (see [`HouseholdSearch`]).
    pub fn matches(&self, search: &HouseholdSearch) -> bool {
        search.is_empty()
            || (search.digits.len() >= 4 && self.digits.contains(&search.digits))
            || self.haystack.contains(&search.lower)
    }
}

/// Live households in list order (RW, RT, address, id), searchable.
#[derive(Debug, Clone, Default)]
pub struct HouseholdIndex {
    entries: Vec<IndexEntry>,
    heads: Vec<ChangeHash>,
}

impl HouseholdIndex {
    /// All live households, in list order.
    pub fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    /// Live households of one RT (if given) matching `text` ([`HouseholdSearch`]; empty
    /// matches all), in list order.
    pub fn search(&self, rt: Option<u16>, text: &str) -> Vec<&IndexEntry> {
        let search = HouseholdSearch::new(text);
        self.entries
            .iter()
            .filter(|e| rt.is_none_or(|r| e.rt == r))
            .filter(|e| e.matches(&search))
            .collect()
    }

    fn sort(&mut self) {
        self.entries
            .sort_by(|a, b| (a.rw, a.rt, &a.alamat, &a.id).cmp(&(b.rw, b.rt, &b.alamat, &b.id)));
    }
}

/// The index of `households` (all of a book's, read at `heads`).
fn index_of(households: &[(String, Household)], heads: Vec<ChangeHash>) -> HouseholdIndex {
    let mut idx = HouseholdIndex {
        entries: households
            .iter()
            .filter(|(_, h)| h.is_live())
            .map(|(id, h)| IndexEntry::of(id, h))
            .collect(),
        heads,
    };
    idx.sort();
    idx
}

impl Book {
    /// The household index, brought up to date first: the first call reads every household;
    /// later calls re-read only the households changed since (by any device).
    pub fn household_index(&mut self) -> &HouseholdIndex {
        let now = self.doc.get_heads();
        let stale = self.index.as_ref().map(|i| i.heads != now).unwrap_or(true);
        if stale {
            let updated = match self.index.take() {
                Some(old) => self.update_index(old, &now),
                None => self.build_index(now),
            };
            self.index = Some(updated);
        }
        self.index.get_or_insert_with(HouseholdIndex::default)
    }

    /// [`Book::household_index`] for a caller that has just read every household of this
    /// book (`households`, from [`Book::households`] at its current heads, e.g. to build
    /// other view models from them): a first index is built from those instead of reading
    /// the whole table again; a later one is brought up to date as usual.
    pub fn household_index_from(&mut self, households: &[(String, Household)]) -> &HouseholdIndex {
        if self.index.is_none() {
            let heads = self.doc.get_heads();
            self.index = Some(index_of(households, heads));
        }
        self.household_index()
    }

    fn build_index(&self, heads: Vec<ChangeHash>) -> HouseholdIndex {
        index_of(&self.households(), heads)
    }

    fn update_index(&mut self, mut idx: HouseholdIndex, now: &[ChangeHash]) -> HouseholdIndex {
        let Some(tbl) = self.table_obj(table::HOUSEHOLDS) else {
            return self.build_index(now.to_vec());
        };
        let patches = self.doc.diff(&idx.heads, now);
        let mut changed: BTreeSet<String> = BTreeSet::new();
        for p in &patches {
            if p.obj == tbl {
                if let PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } = &p.action
                {
                    changed.insert(key.clone());
                }
            } else if let Some((_, Prop::Map(id))) = p.path.iter().find(|(o, _)| *o == tbl) {
                changed.insert(id.clone());
            }
        }
        if changed.is_empty() {
            idx.heads = now.to_vec();
            return idx;
        }
        let mut pos: HashMap<String, usize> = idx
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let mut removed = BTreeSet::new();
        for id in &changed {
            let fresh = self
                .household(id)
                .ok()
                .flatten()
                .filter(Household::is_live)
                .map(|h| IndexEntry::of(id, &h));
            match (fresh, pos.get(id)) {
                (Some(e), Some(&i)) => idx.entries[i] = e,
                (Some(e), None) => {
                    pos.insert(id.clone(), idx.entries.len());
                    idx.entries.push(e);
                }
                (None, Some(_)) => {
                    removed.insert(id.clone());
                }
                (None, None) => {}
            }
        }
        if !removed.is_empty() {
            idx.entries.retain(|e| !removed.contains(&e.id));
        }
        idx.sort();
        idx.heads = now.to_vec();
        idx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Person;

    fn karto() -> IndexEntry {
        let mut h = Household {
            no_kk: crate::rules::NoKk::from_stored("3471131804080001"),
            kepala_keluarga: "Karto Wiyono".into(),
            alamat: "Gg. Mawar No. 12".into(),
            rt: 27,
            ..Default::default()
        };
        h.anggota.insert(
            "p1".into(),
            Person {
                nama: "Sumirah".into(),
                nik: crate::rules::Nik::from_stored("3471135203550002"),
                ..Default::default()
            },
        );
        IndexEntry::of("h1", &h)
    }

    /// One rule for the list screen, the CLI and Tinjau: names and address by any part,
    /// KK and NIK by 4 or more digits (typed with spaces or not), house numbers by address.
    #[test]
    fn the_search_rule() {
        let e = karto();
        let hit = |t: &str| e.matches(&HouseholdSearch::new(t));
        assert!(hit(""));
        assert!(hit("  karto "));
        assert!(hit("SUMI"));
        assert!(hit("mawar no. 12"));
        assert!(hit("3471 1352"), "a NIK by part, typed with a space");
        assert!(hit("0800"), "a KK number by 4 digits");
        assert!(!hit("52"), "2 digits do not match inside a NIK");
        assert!(hit("12"), "but do match the house number");
        assert!(!hit("budi"));
    }
}
