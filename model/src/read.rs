//! Reading records fast: one pass over each record's map (`map_range`) into JSON, then
//! serde into the typed record. Automerge 0.12 answers a `get` per field by seeking in its
//! compressed columns, which is an order of magnitude slower at kelurahan scale.

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValueRef, ValueRef};
use serde_json::{Map, Value as Json};

/// The JSON value of a scalar (money and text are strings; counters and times numbers).
fn scalar(s: &ScalarValueRef<'_>) -> Json {
    match s {
        ScalarValueRef::Str(t) => Json::String(t.to_string()),
        ScalarValueRef::Int(i) | ScalarValueRef::Counter(i) | ScalarValueRef::Timestamp(i) => {
            Json::from(*i)
        }
        ScalarValueRef::Uint(u) => Json::from(*u),
        ScalarValueRef::F64(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        ScalarValueRef::Boolean(b) => Json::Bool(*b),
        ScalarValueRef::Null | ScalarValueRef::Bytes(_) | ScalarValueRef::Unknown { .. } => {
            Json::Null
        }
    }
}

/// The JSON value of an owned scalar.
pub(crate) fn scalar_json(s: &automerge::ScalarValue) -> Json {
    use automerge::ScalarValue as S;
    match s {
        S::Str(t) => Json::String(t.to_string()),
        S::Int(i) | S::Timestamp(i) => Json::from(*i),
        S::Counter(c) => Json::from(i64::from(c)),
        S::Uint(u) => Json::from(*u),
        S::F64(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        S::Boolean(b) => Json::Bool(*b),
        S::Null | S::Bytes(_) | S::Unknown { .. } => Json::Null,
    }
}

/// The winning values of an object (map, list or text), recursively, as JSON.
pub(crate) fn object_json(doc: &AutoCommit, obj: &ObjId, typ: ObjType) -> Json {
    match typ {
        ObjType::Map | ObjType::Table => {
            let mut m = Map::new();
            for item in doc.map_range(obj, ..) {
                let v = match &item.value {
                    ValueRef::Scalar(s) => scalar(s),
                    ValueRef::Object(t) => object_json(doc, &item.id(), *t),
                };
                m.insert(item.key.into_owned(), v);
            }
            Json::Object(m)
        }
        ObjType::List => Json::Array(
            doc.list_range(obj, ..)
                .map(|item| match &item.value {
                    ValueRef::Scalar(s) => scalar(s),
                    ValueRef::Object(t) => object_json(doc, &item.id(), *t),
                })
                .collect(),
        ),
        ObjType::Text => Json::String(doc.text(obj).unwrap_or_default()),
    }
}

/// Like [`object_json`] for a map, as it was at `heads`.
pub(crate) fn object_json_at(
    doc: &AutoCommit,
    obj: &ObjId,
    heads: &[automerge::ChangeHash],
) -> Json {
    let mut m = Map::new();
    for item in doc.map_range_at(obj, .., heads) {
        let v = match &item.value {
            ValueRef::Scalar(s) => scalar(s),
            ValueRef::Object(ObjType::Map) => object_json_at(doc, &item.id(), heads),
            ValueRef::Object(t) => object_json(doc, &item.id(), *t),
        };
        m.insert(item.key.into_owned(), v);
    }
    Json::Object(m)
}

/// Reads every record of a table map as `T`; records that do not decode (written by a
/// newer app, or damaged) are logged and skipped.
pub(crate) fn read_table<T: serde::de::DeserializeOwned>(
    doc: &AutoCommit,
    table: &ObjId,
    kind: &str,
) -> Vec<(String, T)> {
    let mut out = Vec::new();
    for item in doc.map_range(table, ..) {
        let ValueRef::Object(t) = item.value else {
            continue;
        };
        let json = object_json(doc, &item.id(), t);
        match serde_json::from_value::<T>(json) {
            Ok(r) => out.push((item.key.into_owned(), r)),
            Err(e) => tracing::warn!("skipping unreadable {kind} {}: {e}", item.key),
        }
    }
    out
}
