//! Personal data under UU No. 27 Tahun 2022 (Pelindungan Data Pribadi): recorded consent
//! before specific personal data is saved, and a person's data with its processing history
//! on request.

use std::collections::{BTreeMap, HashMap};

use automerge::{ReadDoc, legacy};
use chrono::{TimeZone, Utc};

use crate::book::{Book, BookError, MemberId, table};
use crate::export::PERSONAL_DATA_NOTICE;
use crate::records::{Disbursement, Household, Person, Pmks};

/// PMKS codes whose identification is specific personal data (Permensos 08/2012 codes
/// 16 Orang dengan HIV/AIDS and 17 Korban Penyalahgunaan NAPZA; health data under UU 27/2022
/// Pasal 4).
pub const SENSITIVE_PMKS_CODES: [u8; 2] = [16, 17];

/// Whether a household carries a usable consent record (a date and a signer).
pub fn has_consent(h: &Household) -> bool {
    h.persetujuan
        .as_ref()
        .is_some_and(|c| !c.tanggal.trim().is_empty() && !c.penanda_tangan.trim().is_empty())
}

/// The specific-personal-data fields that `edited` sets or changes relative to `original`
/// (`None` for a new household): income, and each person's disability and chronic illness.
pub fn sensitive_changes(original: Option<&Household>, edited: &Household) -> Vec<String> {
    let mut out = Vec::new();
    let before_income = original.and_then(|o| o.penghasilan_bulanan);
    if edited.penghasilan_bulanan.is_some() && edited.penghasilan_bulanan != before_income {
        out.push("penghasilan_bulanan".to_string());
    }
    for (pid, p) in &edited.anggota {
        let before: Option<&Person> = original.and_then(|o| o.anggota.get(pid));
        for (field, now, then) in [
            (
                "disabilitas",
                &p.disabilitas,
                before.map(|b| &b.disabilitas),
            ),
            (
                "penyakit_kronis",
                &p.penyakit_kronis,
                before.map(|b| &b.penyakit_kronis),
            ),
        ] {
            if !now.trim().is_empty() && Some(now) != then {
                out.push(format!("anggota.{pid}.{field}"));
            }
        }
    }
    out
}

/// Refuses a save that sets specific personal data on a household without consent.
pub(crate) fn check_household_consent(
    original: Option<&Household>,
    edited: &Household,
) -> Result<(), BookError> {
    if has_consent(edited) {
        return Ok(());
    }
    match sensitive_changes(original, edited).into_iter().next() {
        Some(field) => Err(BookError::ConsentMissing { field }),
        None => Ok(()),
    }
}

/// One entry of a person's processing history: who recorded or changed what, and when.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryEntry {
    /// When the change was saved (UTC RFC 3339, from the writing device's clock).
    pub at: String,
    /// The member who wrote it, when recorded.
    pub member: Option<MemberId>,
    /// That member's name.
    pub member_name: Option<String>,
    /// The commit message (what kind of save it was).
    pub message: String,
    /// Which record: `person`, `pmks/<id>` or `santunan/<id>`.
    pub record: String,
    /// Fields written, with their new values (text form).
    pub fields: BTreeMap<String, String>,
}

/// Everything the book holds about one person, with its processing history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonExport {
    /// The personal-data notice.
    pub notice: String,
    /// The person's NIK.
    pub nik: String,
    /// Household id.
    pub household_id: String,
    /// Person id inside the household.
    pub person_id: String,
    /// The person record.
    pub person: Person,
    /// The household's KK number, address, RT/RW and consent (not the other people).
    pub household: serde_json::Value,
    /// PMKS identifications of the person.
    pub pmks: Vec<(String, Pmks)>,
    /// Aid paid to the person.
    pub santunan: Vec<(String, Disbursement)>,
    /// Processing history, oldest first.
    pub history: Vec<HistoryEntry>,
}

impl Book {
    /// Everything about the person with `nik`, with the history of who recorded or changed
    /// it and when (UU 27/2022: access to one's data and its processing history).
    ///
    /// Errors: [`BookError::NotFound`] when no person has that NIK.
    pub fn person_export(&mut self, nik: &str) -> Result<PersonExport, BookError> {
        let nik = nik.trim();
        let (hid, pid, h) = self
            .households()
            .into_iter()
            .find_map(|(hid, h)| {
                let pid = h
                    .anggota
                    .iter()
                    .find(|(_, p)| crate::rules::or_blank(&p.nik) == nik)
                    .map(|(pid, _)| pid.clone())?;
                Some((hid, pid, h))
            })
            .ok_or_else(|| BookError::NotFound {
                kind: "person",
                id: nik.to_string(),
            })?;
        let person = h.anggota.get(&pid).cloned().unwrap_or_default();
        let pmks: Vec<(String, Pmks)> = self
            .pmks()
            .into_iter()
            .filter(|(_, p)| p.household_id == hid && p.person_id.as_deref() == Some(pid.as_str()))
            .collect();
        let santunan: Vec<(String, Disbursement)> = self
            .disbursements()
            .into_iter()
            .filter(|(_, d)| {
                d.person_id.as_deref() == Some(pid.as_str())
                    || crate::rules::or_blank(&d.nik_penerima) == nik
            })
            .collect();
        // Objects whose changes belong to the person's history.
        let mut targets: HashMap<legacy::ObjectId, String> = HashMap::new();
        let mut created: HashMap<(legacy::ObjectId, String), String> = HashMap::new();
        let to_legacy = |id: &automerge::ObjId| match id {
            automerge::ObjId::Id(counter, actor, _) => {
                Some(legacy::ObjectId::Id(legacy::OpId(*counter, actor.clone())))
            }
            automerge::ObjId::Root => None,
        };
        if let Some(hobj) = self.record_obj(table::HOUSEHOLDS, &hid)
            && let Ok(Some((_, people))) = self.doc.get(&hobj, "anggota")
            && let Ok(Some((_, pobj))) = self.doc.get(&people, pid.as_str())
        {
            if let Some(l) = to_legacy(&pobj) {
                targets.insert(l, "person".into());
            }
            if let Some(l) = to_legacy(&people) {
                created.insert((l, pid.clone()), "person".into());
            }
        }
        for (kind, tbl, ids) in [
            (
                "pmks",
                table::PMKS,
                pmks.iter().map(|(i, _)| i.clone()).collect::<Vec<_>>(),
            ),
            (
                "santunan",
                table::DISBURSEMENTS,
                santunan.iter().map(|(i, _)| i.clone()).collect(),
            ),
        ] {
            let tobj = self.table_obj(tbl);
            for id in ids {
                if let Some(o) = self.record_obj(tbl, &id).and_then(|o| to_legacy(&o)) {
                    targets.insert(o, format!("{kind}/{id}"));
                }
                if let Some(l) = tobj.as_ref().and_then(to_legacy) {
                    created.insert((l, id.clone()), format!("{kind}/{id}"));
                }
            }
        }
        let actors: HashMap<String, MemberId> = self.actors().into_iter().collect();
        let names: HashMap<MemberId, String> = self
            .members()
            .into_iter()
            .map(|(id, m)| (id, m.name))
            .collect();
        let mut history = Vec::new();
        for change in self.doc.get_changes(&[]) {
            let expanded = change.decode();
            let mut per_record: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
            for op in &expanded.operations {
                let key = match &op.key {
                    legacy::Key::Map(k) => k.to_string(),
                    legacy::Key::Seq(_) => continue,
                };
                let value = match &op.action {
                    legacy::OpType::Put(v) => v.to_string(),
                    legacy::OpType::Make(_) => "(baru)".to_string(),
                    legacy::OpType::Delete => "(dihapus)".to_string(),
                    _ => continue,
                };
                if let Some(rec) = targets.get(&op.obj) {
                    per_record
                        .entry(rec.clone())
                        .or_default()
                        .insert(key, value);
                } else if let Some(rec) = created.get(&(op.obj.clone(), key.clone())) {
                    per_record
                        .entry(rec.clone())
                        .or_default()
                        .insert("(dibuat)".into(), value);
                }
            }
            if per_record.is_empty() {
                continue;
            }
            let member = actors.get(&expanded.actor_id.to_hex_string()).cloned();
            let at = Utc
                .timestamp_millis_opt(expanded.time)
                .single()
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default();
            for (record, fields) in per_record {
                history.push(HistoryEntry {
                    at: at.clone(),
                    member_name: member.as_ref().and_then(|m| names.get(m).cloned()),
                    member: member.clone(),
                    message: expanded.message.clone().unwrap_or_default(),
                    record,
                    fields,
                });
            }
        }
        let household = serde_json::json!({
            "no_kk": h.no_kk,
            "alamat": h.alamat,
            "rt": h.rt,
            "rw": h.rw,
            "persetujuan": h.persetujuan,
        });
        Ok(PersonExport {
            notice: PERSONAL_DATA_NOTICE.to_string(),
            nik: nik.to_string(),
            household_id: hid,
            person_id: pid,
            person,
            household,
            pmks,
            santunan,
            history,
        })
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A readable HTML page of a person export (Bahasa Indonesia).
pub fn person_export_html(e: &PersonExport) -> String {
    let mut out = String::new();
    out.push_str(
        "<!doctype html><html lang=\"id\"><meta charset=\"utf-8\"><title>Data pribadi</title>",
    );
    out.push_str("<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}td,th{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}table{border-collapse:collapse}</style>");
    out.push_str(&format!(
        "<h1>Data pribadi: {}</h1><p><em>{}</em></p>",
        esc(&e.person.nama),
        esc(&e.notice)
    ));
    let p = serde_json::to_value(&e.person).unwrap_or_default();
    out.push_str("<h2>Data diri</h2><table>");
    if let Some(m) = p.as_object() {
        for (k, v) in m {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            out.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                esc(k),
                esc(&text)
            ));
        }
    }
    out.push_str("</table><h2>Rumah tangga</h2><pre>");
    out.push_str(&esc(
        &serde_json::to_string_pretty(&e.household).unwrap_or_default()
    ));
    out.push_str("</pre><h2>PMKS</h2><ul>");
    for (_, p) in &e.pmks {
        out.push_str(&format!(
            "<li>{} {} — {} ({})</li>",
            p.kode.code(),
            esc(p.kode.name()),
            esc(p.status.as_str()),
            esc(&p.tanggal_identifikasi)
        ));
    }
    out.push_str("</ul><h2>Santunan</h2><ul>");
    for (_, d) in &e.santunan {
        out.push_str(&format!(
            "<li>{} {} {}</li>",
            esc(&d.tanggal),
            esc(&d.jenis),
            d.jumlah
        ));
    }
    out.push_str("</ul><h2>Riwayat pemrosesan</h2><table><tr><th>Waktu (UTC)</th><th>Oleh</th><th>Catatan</th><th>Data</th></tr>");
    for h in &e.history {
        let who = h
            .member_name
            .clone()
            .or_else(|| h.member.as_ref().map(|m| m.to_string()))
            .unwrap_or_else(|| "?".into());
        let fields: Vec<String> = h.fields.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{} ({})</td><td>{}</td></tr>",
            esc(&h.at),
            esc(&who),
            esc(&h.message),
            esc(&h.record),
            esc(&fields.join("; "))
        ));
    }
    out.push_str("</table></html>\n");
    out
}
