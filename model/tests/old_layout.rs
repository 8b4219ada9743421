//! Typed records (`Nik`, `NoKk`, `Role`, `PmksCode`, `PmksStatus`, `DateTime<Utc>`) keep the
//! stored layout of the document. `data/book-before-typed-records.automerge` was written
//! by the app before records were typed (`rukun demo`, one receipt issued and one voided,
//! two households merged; `rukun export --format automerge`, commit 98d122d).
//!
//! Every record of that book must read back, and serialise to exactly what is stored
//! (instants compared as instants: new writes carry milliseconds); an edit must write
//! only the fields it changes; a record written now must have the same keys with the
//! same kinds of values as one written then.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use automerge::{AutoCommit, ObjType, ReadDoc, ScalarValue, Value};
use rukun_model::{Book, Device, Household, Person};
use serde_json::{Map, Value as Json};

const OLD: &[u8] = include_bytes!("data/book-before-typed-records.automerge");

/// Fields records gained after that book was written (the whole year: a receipt's source,
/// a meeting's kind, place, attendance and agenda): absent from its records, read as their
/// defaults.
const ADDED_SINCE: [&str; 7] = [
    "sumber",
    "pinjaman",
    "no_anggota",
    "jenis",
    "tempat",
    "hadir",
    "agenda",
];

/// The stored form of a value, as JSON (scalars as they are stored).
fn value(doc: &AutoCommit, v: Value<'_>, id: &automerge::ObjId) -> Json {
    match v {
        Value::Object(ObjType::Map) => raw(doc, id),
        Value::Object(ObjType::List) => Json::Array(
            (0..doc.length(id))
                .filter_map(|i| doc.get(id, i).ok().flatten())
                .map(|(v, vid)| value(doc, v, &vid))
                .collect(),
        ),
        Value::Object(t) => panic!("unexpected {t:?} in a record"),
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(t) => Json::String(t.to_string()),
            ScalarValue::Int(i) => Json::from(*i),
            ScalarValue::Uint(u) => Json::from(*u),
            ScalarValue::Boolean(b) => Json::Bool(*b),
            ScalarValue::Null => Json::Null,
            other => panic!("unexpected scalar {other:?}"),
        },
    }
}

/// The stored form of a map, as JSON.
fn raw(doc: &AutoCommit, obj: &automerge::ObjId) -> Json {
    let mut m = Map::new();
    for key in doc.keys(obj) {
        if let Ok(Some((v, id))) = doc.get(obj, key.as_str()) {
            m.insert(key, value(doc, v, &id));
        }
    }
    Json::Object(m)
}

/// Every record of a table, raw, by id.
fn raw_table(doc: &AutoCommit, table: &str) -> BTreeMap<String, Json> {
    let Ok(Some((_, tbl))) = doc.get(automerge::ROOT, table) else {
        return BTreeMap::new();
    };
    doc.keys(&tbl)
        .filter_map(|k| {
            let (_, id) = doc.get(&tbl, k.as_str()).ok()??;
            Some((k, raw(doc, &id)))
        })
        .collect()
}

fn is_instant_key(key: &str) -> bool {
    key == "at" || key.ends_with("_at") || key == "diterima_pada"
}

/// Asserts that `typed` (a record serialised by this version) is what is stored in `raw`:
/// the same keys and values, instants equal as instants. Returns how many instants were
/// compared.
fn assert_same(path: &str, raw: &Json, typed: &Json) -> usize {
    match (raw, typed) {
        (Json::Object(r), Json::Object(t)) => {
            let rk: Vec<_> = r.keys().collect();
            let tk: Vec<_> = t
                .keys()
                .filter(|k| {
                    r.contains_key(*k) || !(t[*k].is_null() || ADDED_SINCE.contains(&k.as_str()))
                })
                .collect();
            assert_eq!(rk, tk, "{path}: keys");
            r.iter()
                .map(|(k, rv)| assert_same(&format!("{path}.{k}"), rv, &t[k]))
                .sum()
        }
        (Json::String(r), Json::String(t)) if is_instant_key(path.rsplit('.').next().unwrap()) => {
            if r.is_empty() || t.is_empty() {
                assert_eq!(r, t, "{path}");
                return 0;
            }
            let r = chrono::DateTime::parse_from_rfc3339(r)
                .unwrap_or_else(|e| panic!("{path}: {r}: {e}"));
            let t = chrono::DateTime::parse_from_rfc3339(t).unwrap();
            assert_eq!(r, t, "{path}");
            1
        }
        _ => {
            assert_eq!(raw, typed, "{path}");
            0
        }
    }
}

fn check_table<T: serde::Serialize>(
    doc: &AutoCommit,
    table: &str,
    typed: Vec<(String, T)>,
) -> (usize, usize) {
    let raw = raw_table(doc, table);
    assert_eq!(
        raw.len(),
        typed.len(),
        "{table}: every stored record reads back"
    );
    let mut instants = 0;
    for (id, rec) in typed {
        let t = serde_json::to_value(&rec).unwrap();
        instants += assert_same(&format!("{table}.{id}"), &raw[&id], &t);
    }
    (raw.len(), instants)
}

fn old_book() -> Book {
    Book::from_document_bytes(Device::from_seed(41), OLD).expect("the old book loads")
}

#[test]
fn a_book_written_before_typed_records_reads_back_to_its_stored_values() {
    let doc = AutoCommit::load(OLD).unwrap();
    let book = old_book();
    let mut counts = BTreeMap::new();
    counts.insert(
        "households",
        check_table(&doc, "households", book.households()),
    );
    counts.insert("pmks", check_table(&doc, "pmks", book.pmks()));
    counts.insert("donors", check_table(&doc, "donors", book.donors()));
    counts.insert("receipts", check_table(&doc, "receipts", book.receipts()));
    counts.insert("voids", check_table(&doc, "voids", book.voids()));
    counts.insert(
        "disbursements",
        check_table(&doc, "disbursements", book.disbursements()),
    );
    counts.insert("meetings", check_table(&doc, "meetings", book.meetings()));
    counts.insert("merges", check_table(&doc, "merges", book.merges()));
    let members: Vec<(String, _)> = book
        .members()
        .into_iter()
        .map(|(id, m)| (id.to_string(), m))
        .collect();
    counts.insert("members", check_table(&doc, "members", members));
    let (_, gobj) = doc.get(automerge::ROOT, "group").unwrap().unwrap();
    assert_same(
        "group",
        &raw(&doc, &gobj),
        &serde_json::to_value(book.group().unwrap()).unwrap(),
    );
    eprintln!("records (count, instants compared): {counts:?}");
    assert_eq!(counts["households"].0, 238);
    assert_eq!(counts["receipts"].0, 797);
    assert_eq!(counts["voids"].0, 1);
    assert_eq!(counts["merges"].0, 1);
    assert!(counts["receipts"].1 >= 2 * 797, "receipt instants compared");
    // The typed values are what they say.
    let (_, h) = book
        .households()
        .into_iter()
        .find(|(_, h)| h.is_live())
        .unwrap();
    assert_eq!(h.no_kk.as_ref().map(|k| k.as_str().len()), Some(16));
    let p = h.anggota.values().next().unwrap();
    assert!(p.nik.is_some(), "NIK typed");
    assert!(p.created_at.timestamp() > 1_700_000_000, "created_at typed");
}

#[test]
fn an_edit_of_an_old_record_writes_only_what_changed_in_the_old_layout() {
    let mut book = old_book();
    let (id, h) = book
        .households()
        .into_iter()
        .find(|(_, h)| h.is_live())
        .unwrap();
    let before = serde_json::to_value(&h).unwrap();
    let mut edited = h.clone();
    edited.lantai = "Keramik baru".into();
    book.save_household(&id, &h, &edited).unwrap();
    book.commit("edit").unwrap();
    let doc = AutoCommit::load(&book.save_document()).unwrap();
    let after = raw_table(&doc, "households").remove(&id).unwrap();
    let old = raw_table(&AutoCommit::load(OLD).unwrap(), "households")
        .remove(&id)
        .unwrap();
    let changed: Vec<&String> = old
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| after[k.as_str()] != **v)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(changed, ["lantai", "updated_at", "updated_by"], "{before}");
    // Untouched instants keep their stored text (seconds, as the old app wrote them).
    assert_eq!(after["created_at"], old["created_at"]);
    assert_eq!(after["anggota"], old["anggota"]);
}

#[test]
fn a_record_written_now_has_the_old_records_keys_and_kinds() {
    let old_doc = AutoCommit::load(OLD).unwrap();
    let old = raw_table(&old_doc, "households");
    let old_h = old.values().next().unwrap();
    let mut book = old_book();
    let mut h = Household {
        no_kk: "3471131804089991".parse().ok(),
        alamat: "Gg. Mawar 1".into(),
        rt: 27,
        rw: 8,
        kepala_keluarga: "Karto".into(),
        ..Default::default()
    };
    h.anggota.insert(
        "p1".into(),
        Person {
            nik: "3471131206619606".parse().ok(),
            nama: "Karto".into(),
            ..Default::default()
        },
    );
    let id = book.add_household(h).unwrap();
    book.commit("new").unwrap();
    let doc = AutoCommit::load(&book.save_document()).unwrap();
    let new = raw_table(&doc, "households").remove(&id).unwrap();
    fn kinds(v: &Json) -> BTreeMap<String, &'static str> {
        v.as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let kind = match v {
                    Json::String(_) => "str",
                    Json::Number(_) => "num",
                    Json::Bool(_) => "bool",
                    Json::Object(_) => "map",
                    _ => "other",
                };
                (k.clone(), kind)
            })
            .collect()
    }
    let same_kinds = |old: &Json, new: &Json, what: &str| {
        let (o, n) = (kinds(old), kinds(new));
        for (k, kind) in &n {
            assert!(old.get(k).is_some(), "{what}: {k} is a new key");
            if let Some(ok) = o.get(k) {
                assert_eq!(ok, kind, "{what}: {k}");
            }
        }
        n.len()
    };
    assert!(same_kinds(old_h, &new, "household") > 15);
    assert_eq!(new["no_kk"], "3471131804089991");
    let person = &new["anggota"]["p1"];
    assert_eq!(person["nik"], "3471131206619606");
    let old_person = old_h["anggota"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert!(same_kinds(old_person, person, "person") > 10);
    // An unknown NIK is stored as "" as before, never as null.
    let mut book2 = old_book();
    let id2 = book2
        .add_household(Household {
            alamat: "Gg. Mawar 2".into(),
            rt: 27,
            rw: 8,
            ..Default::default()
        })
        .unwrap();
    book2.commit("no kk").unwrap();
    let doc2 = AutoCommit::load(&book2.save_document()).unwrap();
    assert_eq!(raw_table(&doc2, "households")[&id2]["no_kk"], "");
}

/// A book made before the whole year's tables: two devices add the first goods in kind
/// (creating the table each on its own) at the same time; after they sync, both records
/// are there on both.
#[test]
fn a_new_table_made_on_two_devices_at_once_keeps_both_records() {
    let mut a = old_book();
    let mut b = a.replica_for(Device::from_seed(42));
    for (book, barang) in [(&mut a, "Beras"), (&mut b, "Minyak goreng")] {
        book.add_natura(rukun_model::Natura {
            tanggal: "2025-03-20".into(),
            sumber: "Hamba Allah".into(),
            barang: barang.into(),
            taksiran: rukun_model::rules::Rupiah::from_whole(100_000).unwrap(),
            ..Default::default()
        })
        .unwrap();
        book.commit("natura").unwrap();
    }
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    for book in [&a, &b] {
        let mut got: Vec<String> = book.natura().into_iter().map(|(_, n)| n.barang).collect();
        got.sort();
        assert_eq!(got, ["Beras", "Minyak goreng"]);
    }
}
