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
    /// Lower-case names, address, KK and NIKs, for search.
    haystack: String,
}

impl IndexEntry {
    fn of(id: &str, h: &Household) -> IndexEntry {
        let mut hay = format!(
            "{} {} {} ",
            h.kepala_keluarga.to_lowercase(),
            h.alamat.to_lowercase(),
            h.no_kk
        );
        let mut people = 0;
        for (_, p) in h.live_people() {
            people += 1;
            hay.push_str(&p.nama.to_lowercase());
            hay.push(' ');
            hay.push_str(&p.nik);
            hay.push(' ');
        }
        IndexEntry {
            id: id.to_string(),
            rw: h.rw,
            rt: h.rt,
            no_kk: h.no_kk.clone(),
            kepala_keluarga: h.kepala_keluarga.clone(),
            alamat: h.alamat.clone(),
            people,
            haystack: hay,
        }
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

    /// Live households of one RT (if given) whose name, NIK, KK or address contains
    /// `text` (case-insensitive; empty matches all), in list order.
    pub fn search(&self, rt: Option<u16>, text: &str) -> Vec<&IndexEntry> {
        let needle = text.trim().to_lowercase();
        self.entries
            .iter()
            .filter(|e| rt.is_none_or(|r| e.rt == r))
            .filter(|e| needle.is_empty() || e.haystack.contains(&needle))
            .collect()
    }

    fn sort(&mut self) {
        self.entries
            .sort_by(|a, b| (a.rw, a.rt, &a.alamat, &a.id).cmp(&(b.rw, b.rt, &b.alamat, &b.id)));
    }
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

    fn build_index(&self, heads: Vec<ChangeHash>) -> HouseholdIndex {
        let mut idx = HouseholdIndex {
            entries: self
                .households()
                .into_iter()
                .filter(|(_, h)| h.is_live())
                .map(|(id, h)| IndexEntry::of(&id, &h))
                .collect(),
            heads,
        };
        idx.sort();
        idx
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
