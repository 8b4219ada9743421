//! The monthly meeting's review: conflicts, deletions that raced an edit, likely duplicate
//! households, and merging two households (undoably). People decide; nothing is lost.
//!
//! - A *conflict* is a field of a live record holding concurrent values (Automerge keeps
//!   them all). Resolving writes the chosen value as an ordinary edit, which syncs.
//! - A deletion is a tombstone that remembers the heads it was made at; a record whose
//!   content changed outside those heads was edited concurrently (or later) and is listed.
//! - Duplicates: same NIK, same no KK, or the same head name (old spellings folded) in the
//!   same RT with a similar address.

use std::collections::{BTreeMap, HashMap};

use automerge::{ObjId, ObjType, ReadDoc, ValueRef};

use crate::book::{Book, BookError, MemberId, table};
use crate::conflicts::{FieldValue, RecordKind};
use crate::records::{Household, Tombstone};
use crate::refusal::FieldRefusal;
use crate::rules::{address_similarity, fold_name};

/// Fields that every save stamps; their concurrent values are bookkeeping, not a
/// disagreement between people, so they are not listed (they settle with the next save).
const STAMP_FIELDS: [&str; 4] = ["updated_by", "updated_at", "created_by", "created_at"];

/// One field holding concurrent values.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conflict {
    /// Kind of record.
    pub kind: RecordKind,
    /// Record id.
    pub record: String,
    /// Field path inside the record (`lantai`, `anggota.<person id>.nama`).
    pub field: String,
    /// A short label of the record for people (head name and RT, donor name…).
    pub label: String,
    /// The concurrent values, each with its author and when it was written (UTC RFC 3339,
    /// from the writer's stamp; device clocks may be wrong).
    pub values: Vec<ConflictValue>,
}

/// One of the concurrent values of a field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConflictValue {
    /// The value (text, number, null, or an object).
    pub value: serde_json::Value,
    /// Member who wrote it, when known.
    pub author: Option<MemberId>,
    /// That member's name, when known.
    pub author_name: Option<String>,
    /// When it was written (the writer's `updated_at` stamp in the same save), if known.
    pub at: Option<String>,
}

/// A tombstoned record that was edited concurrently with (or after) its deletion.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeletedButEdited {
    /// Kind of record.
    pub kind: RecordKind,
    /// Record id.
    pub record: String,
    /// Short label.
    pub label: String,
    /// The tombstone.
    pub deleted: Tombstone,
}

/// What a person decides for a conflict.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// Keep one of the listed values (index into [`Conflict::values`]).
    Pick(usize),
    /// Write a new value, typed as text.
    Value(String),
}

/// Evidence connecting two households.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Evidence {
    /// The same nomor KK.
    SameKk {
        /// The KK number.
        no_kk: String,
    },
    /// A person with the same NIK in both.
    SameNik {
        /// The NIK.
        nik: String,
    },
    /// Same head name (old spellings folded) in the same RT, with a similar address.
    SameHeadSimilarAddress {
        /// Folded name key shared by both heads.
        name_key: String,
        /// Address similarity 0..=1.
        address_similarity: f64,
    },
}

/// A likely duplicate pair of households with its evidence and a score 0..=1.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DuplicatePair {
    /// First household id (the older one by id).
    pub a: String,
    /// Second household id.
    pub b: String,
    /// Labels of both for people.
    pub labels: [String; 2],
    /// Why they look alike.
    pub evidence: Vec<Evidence>,
    /// 0..=1, higher is surer.
    pub score: f64,
}

/// A merge of two households, stored in the book so it can be undone.
#[derive(
    Debug, Clone, PartialEq, Default, autosurgeon::Reconcile, serde::Serialize, serde::Deserialize,
)]
#[serde(default)]
pub struct MergeRecord {
    /// Surviving household id.
    pub keep: String,
    /// Household merged away (now a tombstone naming `keep`).
    pub other: String,
    /// Person ids of `other` copied into `keep`.
    pub moved_people: Vec<String>,
    /// Pairs `other person id -> keep person id` of the same NIK, united.
    pub united_people: BTreeMap<String, String>,
    /// Fields of `keep` filled from `other` (they were empty), with their old value.
    pub filled_fields: BTreeMap<String, String>,
    /// References moved: `kind/id` of PMKS, donors and disbursements.
    pub moved_refs: Vec<String>,
    /// Fields where both had different values: the survivor's was kept; listed for people.
    pub differing_fields: Vec<String>,
    /// Member id of who merged.
    pub created_by: String,
    /// When (UTC).
    #[serde(with = "crate::stored::instant")]
    #[autosurgeon(reconcile = "crate::stored::instant::reconcile")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Set when undone.
    pub undone: Option<Tombstone>,
}

fn household_label(h: &Household) -> String {
    format!("{} (RT {:03}, {})", h.kepala_keluarga, h.rt, h.alamat)
}

impl Book {
    fn record_label(&self, kind: RecordKind, id: &str) -> String {
        match kind {
            RecordKind::Household => self
                .household(id)
                .ok()
                .flatten()
                .map(|h| household_label(&h))
                .unwrap_or_default(),
            RecordKind::Donor => self
                .donor(id)
                .ok()
                .flatten()
                .map(|d| format!("{} {}", d.kode, d.nama))
                .unwrap_or_default(),
            RecordKind::Pmks => self
                .pmks_record(id)
                .ok()
                .flatten()
                .map(|p| format!("PMKS {} ({})", p.kode, p.status))
                .unwrap_or_default(),
            RecordKind::Disbursement => self
                .read::<crate::records::Disbursement>(table::DISBURSEMENTS, id)
                .ok()
                .flatten()
                .map(|d| format!("santunan {} {} {}", d.tanggal, d.jenis, d.jumlah))
                .unwrap_or_default(),
        }
    }

    /// Every field of a live record that holds concurrent values, in a stable order
    /// (kind, record id, field), the same on every device holding the same changes.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut out = Vec::new();
        let names: HashMap<MemberId, String> = self
            .members()
            .into_iter()
            .map(|(id, m)| (id, m.name))
            .collect();
        for kind in [
            RecordKind::Household,
            RecordKind::Pmks,
            RecordKind::Donor,
            RecordKind::Disbursement,
        ] {
            let Some(tbl) = self.table_obj(kind.table()) else {
                continue;
            };
            for item in self.doc.map_range(&tbl, ..) {
                if !matches!(item.value, ValueRef::Object(ObjType::Map)) {
                    continue;
                }
                let rid = item.key.to_string();
                let obj = item.id();
                if !self.is_live_obj(&obj) {
                    continue;
                }
                let mut paths = Vec::new();
                self.conflicting_paths(&obj, "", &mut paths);
                for path in paths {
                    if let Ok(values) = self.field_values(kind, &rid, &path) {
                        let stamps = self.stamp_times(kind, &rid, &path);
                        out.push(Conflict {
                            kind,
                            label: self.record_label(kind, &rid),
                            record: rid.clone(),
                            field: path,
                            values: values
                                .into_iter()
                                .map(|v: FieldValue| ConflictValue {
                                    at: stamps.get(&v.actor).cloned(),
                                    author_name: v
                                        .author
                                        .as_ref()
                                        .and_then(|a| names.get(a).cloned()),
                                    author: v.author,
                                    value: v.value,
                                })
                                .collect(),
                        });
                    }
                }
            }
        }
        out.sort_by(|a, b| {
            (kind_order(a.kind), &a.record, &a.field).cmp(&(
                kind_order(b.kind),
                &b.record,
                &b.field,
            ))
        });
        out
    }

    fn is_live_obj(&self, obj: &ObjId) -> bool {
        let null_or_missing = |key: &str| match self.doc.get(obj, key) {
            Ok(None) => true,
            Ok(Some((automerge::Value::Scalar(s), _))) => {
                matches!(s.as_ref(), automerge::ScalarValue::Null)
            }
            _ => false,
        };
        null_or_missing("deleted") && null_or_missing("merged_into")
    }

    /// Paths of conflicting fields under `obj` (people inside households included).
    fn conflicting_paths(&self, obj: &ObjId, prefix: &str, out: &mut Vec<String>) {
        for item in self.doc.map_range(obj, ..) {
            let key = item.key.to_string();
            if STAMP_FIELDS.contains(&key.as_str()) {
                continue;
            }
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if item.conflict {
                out.push(path);
                continue;
            }
            // Descend into the people of a household (and into each live person).
            if let ValueRef::Object(ObjType::Map) = item.value
                && prefix.is_empty()
                && key == "anggota"
            {
                {
                    let people = item.id();
                    for p in self.doc.map_range(&people, ..) {
                        if let ValueRef::Object(ObjType::Map) = p.value {
                            let pobj = p.id();
                            if p.conflict {
                                out.push(format!("anggota.{}", p.key));
                            } else if self.is_live_obj(&pobj) {
                                self.conflicting_paths(&pobj, &format!("anggota.{}", p.key), out);
                            }
                        }
                    }
                }
            }
        }
    }

    /// actor hex -> `updated_at` written by that actor, for the record (or person) holding
    /// `path`.
    fn stamp_times(&self, kind: RecordKind, id: &str, path: &str) -> HashMap<String, String> {
        let stamp_path = match path.rsplit_once('.') {
            Some((parent, _)) => format!("{parent}.updated_at"),
            None => "updated_at".to_string(),
        };
        self.field_values(kind, id, &stamp_path)
            .map(|vs| {
                vs.into_iter()
                    .filter_map(|v| v.value.as_str().map(|t| (v.actor, t.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Settles a conflict by writing the chosen value (an ordinary edit; commit afterwards).
    /// A new value is typed like the field's current value (text or number) and validated
    /// as an edit of that field would be.
    ///
    /// Errors: [`BookError::NotFound`] for an unknown record or field; [`BookError::Invalid`]
    /// for a pick out of range or a value of the wrong type.
    pub fn resolve_conflict(
        &mut self,
        kind: RecordKind,
        id: &str,
        path: &str,
        resolution: Resolution,
    ) -> Result<(), BookError> {
        let values = self.field_values(kind, id, path)?;
        let invalid = |reason: String| {
            BookError::from(FieldRefusal::Resolution {
                path: path.to_string(),
                reason,
            })
        };
        let chosen: serde_json::Value = match resolution {
            Resolution::Pick(i) => values.get(i).map(|v| v.value.clone()).ok_or_else(|| {
                invalid(format!(
                    "there are {} values; {} is not one",
                    values.len(),
                    i + 1
                ))
            })?,
            Resolution::Value(text) => {
                let sample = values
                    .first()
                    .map(|v| v.value.clone())
                    .unwrap_or(serde_json::Value::Null);
                match sample {
                    serde_json::Value::Number(_) => serde_json::Value::Number(
                        text.trim()
                            .parse::<u64>()
                            .map_err(|_| invalid(format!("{text:?} is not a whole number")))?
                            .into(),
                    ),
                    _ => serde_json::Value::String(text),
                }
            }
        };
        // Validate through the typed record: the record with the chosen value must decode.
        let obj = self
            .record_obj(kind.table(), id)
            .ok_or_else(|| BookError::NotFound {
                kind: kind.table(),
                id: id.to_string(),
            })?;
        let mut json = crate::read::object_json(&self.doc, &obj, ObjType::Map);
        set_json_path(&mut json, path, chosen.clone());
        if kind == RecordKind::Pmks && path == "kode" {
            let code = chosen.as_u64().unwrap_or(0);
            crate::rules::PmksCode::new(code.min(255) as u8).map_err(|e| invalid(e.to_string()))?;
        }
        let typed_ok = match kind {
            RecordKind::Household => serde_json::from_value::<Household>(json).is_ok(),
            RecordKind::Pmks => serde_json::from_value::<crate::records::Pmks>(json).is_ok(),
            RecordKind::Donor => serde_json::from_value::<crate::records::Donor>(json).is_ok(),
            RecordKind::Disbursement => {
                serde_json::from_value::<crate::records::Disbursement>(json).is_ok()
            }
        };
        if !typed_ok {
            return Err(invalid(format!(
                "{chosen} is not a valid value for this field"
            )));
        }
        // Write the field (and the stamps of its record) in its parent map.
        let (parent_path, field) = match path.rsplit_once('.') {
            Some((p, f)) => (Some(p), f),
            None => (None, path),
        };
        let mut parent = obj;
        if let Some(pp) = parent_path {
            for part in pp.split('.') {
                match self.doc.get(&parent, part)? {
                    Some((automerge::Value::Object(ObjType::Map), o)) => parent = o,
                    _ => {
                        return Err(BookError::NotFound {
                            kind: kind.table(),
                            id: format!("{id} ({path})"),
                        });
                    }
                }
            }
        }
        let write = |doc: &mut automerge::AutoCommit, key: &str, v: &serde_json::Value| {
            autosurgeon::reconcile_prop(doc, &parent, key, JsonScalar(v))
        };
        let (by, at) = self.stamp();
        let doc = &mut self.doc;
        let err = |e| BookError::Write {
            kind: kind.table(),
            id: id.to_string(),
            source: Box::new(e),
        };
        write(doc, field, &chosen).map_err(err)?;
        write(doc, "updated_by", &serde_json::Value::String(by)).map_err(err)?;
        write(
            doc,
            "updated_at",
            &serde_json::Value::String(crate::book::rfc3339(at)),
        )
        .map_err(err)?;
        Ok(())
    }

    /// Records that were tombstoned while (or after) another device edited them: the edit
    /// was kept and a person should decide (restore, or confirm the deletion).
    pub fn deleted_but_edited(&self) -> Vec<DeletedButEdited> {
        let mut out = Vec::new();
        for (id, h) in self.households() {
            let Some(t) = &h.deleted else { continue };
            if self.edited_since(RecordKind::Household, &id, t) {
                out.push(DeletedButEdited {
                    kind: RecordKind::Household,
                    label: household_label(&h),
                    record: id,
                    deleted: t.clone(),
                });
            }
        }
        out
    }

    /// Whether the record's content differs from what it was at the tombstone's heads.
    fn edited_since(&self, kind: RecordKind, id: &str, t: &Tombstone) -> bool {
        let heads: Vec<automerge::ChangeHash> =
            t.heads.iter().filter_map(|h| h.parse().ok()).collect();
        if heads.is_empty() {
            return false;
        }
        let Some(obj) = self.record_obj(kind.table(), id) else {
            return false;
        };
        let strip = |mut v: serde_json::Value| {
            if let Some(m) = v.as_object_mut() {
                for k in ["deleted", "updated_by", "updated_at"] {
                    m.remove(k);
                }
            }
            v
        };
        let now = strip(crate::read::object_json(&self.doc, &obj, ObjType::Map));
        let then = strip(crate::read::object_json_at(&self.doc, &obj, &heads));
        now != then
    }

    /// Deletes a household (tombstone remembering the current heads). Commit afterwards.
    pub fn delete_household(&mut self, id: &str, reason: &str) -> Result<(), BookError> {
        let heads = self.heads();
        let (by, at) = self.stamp();
        self.edit_household(id, |h| {
            h.deleted = Some(Tombstone {
                by,
                at,
                reason: reason.to_string(),
                heads,
            })
        })?;
        Ok(())
    }

    /// Restores a tombstoned household. Commit afterwards.
    pub fn restore_household(&mut self, id: &str) -> Result<(), BookError> {
        self.edit_household(id, |h| {
            h.deleted = None;
            h.merged_into = None;
        })?;
        Ok(())
    }

    /// Likely duplicate households among the live ones, surest first.
    pub fn duplicate_households(&self) -> Vec<DuplicatePair> {
        let live: Vec<(String, Household)> = self
            .households()
            .into_iter()
            .filter(|(_, h)| h.is_live())
            .collect();
        let mut pairs: BTreeMap<(usize, usize), Vec<Evidence>> = BTreeMap::new();
        let mut add = |i: usize, j: usize, e: Evidence| {
            let key = if i < j { (i, j) } else { (j, i) };
            let list = pairs.entry(key).or_default();
            if !list.contains(&e) {
                list.push(e);
            }
        };
        let mut by_kk: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_nik: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_head: HashMap<(u16, u16, String), Vec<usize>> = HashMap::new();
        for (i, (_, h)) in live.iter().enumerate() {
            if let Some(kk) = &h.no_kk {
                by_kk.entry(kk.as_str()).or_default().push(i);
            }
            for (_, p) in h.live_people() {
                if let Some(nik) = &p.nik {
                    let v = by_nik.entry(nik.as_str()).or_default();
                    if v.last() != Some(&i) {
                        v.push(i);
                    }
                }
            }
            let key = fold_name(&h.kepala_keluarga);
            if !key.is_empty() {
                by_head.entry((h.rw, h.rt, key)).or_default().push(i);
            }
        }
        for (kk, v) in &by_kk {
            for (x, &i) in v.iter().enumerate() {
                for &j in &v[x + 1..] {
                    add(
                        i,
                        j,
                        Evidence::SameKk {
                            no_kk: (*kk).to_string(),
                        },
                    );
                }
            }
        }
        for (nik, v) in &by_nik {
            for (x, &i) in v.iter().enumerate() {
                for &j in &v[x + 1..] {
                    add(
                        i,
                        j,
                        Evidence::SameNik {
                            nik: (*nik).to_string(),
                        },
                    );
                }
            }
        }
        for ((_, _, key), v) in &by_head {
            for (x, &i) in v.iter().enumerate() {
                for &j in &v[x + 1..] {
                    let sim = address_similarity(&live[i].1.alamat, &live[j].1.alamat);
                    if sim >= ADDRESS_SIMILARITY_MIN {
                        add(
                            i,
                            j,
                            Evidence::SameHeadSimilarAddress {
                                name_key: key.clone(),
                                address_similarity: (sim * 100.0).round() / 100.0,
                            },
                        );
                    }
                }
            }
        }
        let mut out: Vec<DuplicatePair> = pairs
            .into_iter()
            .map(|((i, j), evidence)| {
                let score = evidence
                    .iter()
                    .map(|e| match e {
                        Evidence::SameKk { .. } => 1.0,
                        Evidence::SameNik { .. } => 0.95,
                        Evidence::SameHeadSimilarAddress {
                            address_similarity, ..
                        } => 0.5 + 0.4 * address_similarity,
                    })
                    .fold(0.0f64, |acc, s| 1.0 - (1.0 - acc) * (1.0 - s));
                let (a, b) = if live[i].0 <= live[j].0 {
                    (i, j)
                } else {
                    (j, i)
                };
                DuplicatePair {
                    a: live[a].0.clone(),
                    b: live[b].0.clone(),
                    labels: [household_label(&live[a].1), household_label(&live[b].1)],
                    evidence,
                    score: (score * 100.0).round() / 100.0,
                }
            })
            .collect();
        out.sort_by(|x, y| {
            y.score
                .partial_cmp(&x.score)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
        });
        out
    }

    /// Merges household `other` into `keep` (commit afterwards): people are united (a
    /// person present in both by NIK once), empty fields of `keep` are filled from `other`,
    /// fields where both differ keep the survivor's value and are listed in the record,
    /// every PMKS identification, donor and disbursement pointing at `other` moves to
    /// `keep`, and `other` becomes a tombstone naming `keep`. Returns the merge id (for
    /// [`Book::unmerge`]) and the record.
    ///
    /// Errors: either household missing or not live, or both the same.
    pub fn merge_households(
        &mut self,
        keep: &str,
        other: &str,
    ) -> Result<(String, MergeRecord), BookError> {
        if keep == other {
            return Err(FieldRefusal::MergeIntoItself.into());
        }
        let k = self.live_household(keep)?;
        let o = self.live_household(other)?;
        let (me, now) = self.stamp();
        let mut rec = MergeRecord {
            keep: keep.to_string(),
            other: other.to_string(),
            created_by: me,
            created_at: now,
            ..Default::default()
        };
        let mut edited = k.clone();
        // Fields: fill empty ones, list differing ones.
        let kj = serde_json::to_value(&k).map_err(|e| self.json_err(e))?;
        let oj = serde_json::to_value(&o).map_err(|e| self.json_err(e))?;
        for field in crate::export::SURVEI_COLUMNS.iter().filter(|f| **f != "id") {
            let kv = &kj[*field];
            let ov = &oj[*field];
            let empty = |v: &serde_json::Value| v.is_null() || v.as_str() == Some("");
            if empty(ov) || kv == ov {
                continue;
            }
            if empty(kv) {
                rec.filled_fields
                    .insert((*field).to_string(), kv.as_str().unwrap_or("").to_string());
                let text = match ov {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                crate::query::set_household_field(&mut edited, field, &text)?;
            } else {
                rec.differing_fields.push(format!("{field}: {kv} / {ov}"));
            }
        }
        // People.
        let nik_in_keep: HashMap<&str, &String> = k
            .live_people()
            .filter_map(|(id, p)| p.nik.as_ref().map(|n| (n.as_str(), id)))
            .collect();
        for (pid, p) in o.live_people() {
            match p.nik.as_ref().and_then(|n| nik_in_keep.get(n.as_str())) {
                Some(kpid) => {
                    rec.united_people.insert(pid.clone(), (*kpid).clone());
                }
                _ => {
                    edited.anggota.insert(pid.clone(), p.clone());
                    rec.moved_people.push(pid.clone());
                }
            }
        }
        self.save_household(keep, &k, &edited)?;
        // References.
        let person_map = rec.united_people.clone();
        rec.moved_refs = self.move_references(other, keep, &person_map)?;
        // The other household becomes a tombstone naming the survivor.
        let heads = self.heads();
        let (by, at) = self.stamp();
        let keep_id = keep.to_string();
        self.edit_household(other, |h| {
            h.merged_into = Some(keep_id);
            h.deleted = Some(Tombstone {
                by,
                at,
                reason: "digabung (merged)".into(),
                heads,
            });
        })?;
        let id = crate::book::new_id();
        self.insert(table::MERGES, &id, &rec)?;
        Ok((id, rec))
    }

    fn json_err(&self, e: serde_json::Error) -> BookError {
        FieldRefusal::Value {
            field: "household".into(),
            reason: e.to_string(),
        }
        .into()
    }

    fn live_household(&self, id: &str) -> Result<Household, BookError> {
        match self.household(id)? {
            Some(h) if h.is_live() => Ok(h),
            _ => Err(BookError::NotFound {
                kind: "household",
                id: id.to_string(),
            }),
        }
    }

    /// Points PMKS identifications, donors and disbursements of household `from` at `to`
    /// (person ids mapped through `people`); returns `kind/id` of each moved record.
    fn move_references(
        &mut self,
        from: &str,
        to: &str,
        people: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, BookError> {
        let mut moved = Vec::new();
        let map_person = |p: &Option<String>| {
            p.as_ref()
                .map(|id| people.get(id).cloned().unwrap_or_else(|| id.clone()))
        };
        for (id, p) in self.pmks() {
            if p.household_id == from {
                let mut e = p.clone();
                e.household_id = to.to_string();
                e.person_id = map_person(&p.person_id);
                self.save_pmks(&id, &p, &e)?;
                moved.push(format!("pmks/{id}"));
            }
        }
        for (id, d) in self.donors() {
            if d.household_id.as_deref() == Some(from) {
                let mut e = d.clone();
                e.household_id = Some(to.to_string());
                self.save_donor(&id, &d, &e)?;
                moved.push(format!("donors/{id}"));
            }
        }
        for (id, d) in self.disbursements() {
            if d.household_id == from {
                let mut e = d.clone();
                e.household_id = to.to_string();
                e.person_id = map_person(&d.person_id);
                self.save_stamped(table::DISBURSEMENTS, &id, &d, &e)?;
                moved.push(format!("disbursements/{id}"));
            }
        }
        Ok(moved)
    }

    /// The merges recorded in the book, by id.
    pub fn merges(&self) -> Vec<(String, MergeRecord)> {
        self.read_all(table::MERGES)
    }

    /// Undoes a merge, given its id or the id of the household merged away (commit
    /// afterwards): the other household is live again, the copied people are tombstoned in
    /// the survivor, filled fields get their old values, and references move back.
    ///
    /// Errors: no such merge, or it was already undone.
    pub fn unmerge(&mut self, id: &str) -> Result<MergeRecord, BookError> {
        let (mid, rec) = self
            .merges()
            .into_iter()
            .filter(|(_, r)| r.undone.is_none())
            .find(|(mid, r)| mid == id || r.other == id)
            .ok_or_else(|| BookError::NotFound {
                kind: "merge",
                id: id.to_string(),
            })?;
        let (by, at) = self.stamp();
        let heads = self.heads();
        // Survivor: tombstone copied people, restore filled fields.
        let k = self
            .household(&rec.keep)?
            .ok_or_else(|| BookError::NotFound {
                kind: "household",
                id: rec.keep.clone(),
            })?;
        let mut edited = k.clone();
        for pid in &rec.moved_people {
            if let Some(p) = edited.anggota.get_mut(pid) {
                p.deleted = Some(Tombstone {
                    by: by.clone(),
                    at,
                    reason: "penggabungan dibatalkan (unmerged)".into(),
                    heads: heads.clone(),
                });
            }
        }
        for (field, old) in &rec.filled_fields {
            crate::query::set_household_field(&mut edited, field, old)?;
        }
        self.save_household(&rec.keep, &k, &edited)?;
        // References back.
        let back: BTreeMap<String, String> = rec
            .united_people
            .iter()
            .map(|(o, k)| (k.clone(), o.clone()))
            .collect();
        for r in &rec.moved_refs {
            let Some((kind, rid)) = r.split_once('/') else {
                continue;
            };
            match kind {
                "pmks" => {
                    if let Some(p) = self.pmks_record(rid)? {
                        let mut e = p.clone();
                        e.household_id = rec.other.clone();
                        e.person_id = p
                            .person_id
                            .as_ref()
                            .map(|x| back.get(x).cloned().unwrap_or_else(|| x.clone()));
                        self.save_pmks(rid, &p, &e)?;
                    }
                }
                "donors" => {
                    if let Some(d) = self.donor(rid)? {
                        let mut e = d.clone();
                        e.household_id = Some(rec.other.clone());
                        self.save_donor(rid, &d, &e)?;
                    }
                }
                "disbursements" => {
                    if let Some(d) =
                        self.read::<crate::records::Disbursement>(table::DISBURSEMENTS, rid)?
                    {
                        let mut e = d.clone();
                        e.household_id = rec.other.clone();
                        e.person_id = d
                            .person_id
                            .as_ref()
                            .map(|x| back.get(x).cloned().unwrap_or_else(|| x.clone()));
                        self.save_stamped(table::DISBURSEMENTS, rid, &d, &e)?;
                    }
                }
                _ => {}
            }
        }
        self.edit_household(&rec.other, |h| {
            h.merged_into = None;
            h.deleted = None;
        })?;
        let mut done = rec.clone();
        done.undone = Some(Tombstone {
            by,
            at,
            reason: String::new(),
            heads,
        });
        let obj = self
            .record_obj(table::MERGES, &mid)
            .ok_or_else(|| BookError::NotFound {
                kind: "merge",
                id: mid.clone(),
            })?;
        autosurgeon::reconcile_prop(&mut self.doc, &obj, "undone", &done.undone).map_err(|e| {
            BookError::Write {
                kind: table::MERGES,
                id: mid.clone(),
                source: Box::new(e),
            }
        })?;
        Ok(done)
    }
}

/// Minimum address similarity for same-head-same-RT households to count as duplicates.
const ADDRESS_SIMILARITY_MIN: f64 = 0.75;

fn kind_order(k: RecordKind) -> u8 {
    match k {
        RecordKind::Household => 0,
        RecordKind::Pmks => 1,
        RecordKind::Donor => 2,
        RecordKind::Disbursement => 3,
    }
}

fn set_json_path(json: &mut serde_json::Value, path: &str, v: serde_json::Value) {
    let mut cur = json;
    let parts: Vec<&str> = path.split('.').collect();
    for p in &parts[..parts.len().saturating_sub(1)] {
        cur = &mut cur[*p];
    }
    if let Some(last) = parts.last() {
        cur[*last] = v;
    }
}

/// A JSON scalar written as the matching Automerge scalar (objects as maps).
struct JsonScalar<'a>(&'a serde_json::Value);

impl autosurgeon::Reconcile for JsonScalar<'_> {
    type Key<'k> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::MapReconciler;
        match self.0 {
            serde_json::Value::Null => r.none(),
            serde_json::Value::Bool(b) => r.boolean(*b),
            serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => r.u64(u),
                (None, Some(i)) => r.i64(i),
                _ => r.f64(n.as_f64().unwrap_or(0.0)),
            },
            serde_json::Value::String(s) => r.str(s),
            serde_json::Value::Array(_) => r.none(),
            serde_json::Value::Object(m) => {
                let mut map = r.map()?;
                for (k, v) in m {
                    map.put(k, JsonScalar(v))?;
                }
                Ok(())
            }
        }
    }
}
