//! Concurrent values of one field (Automerge conflicts), with who wrote each.

use automerge::{ObjId as ExId, ObjType, ReadDoc, Value};

use crate::book::{Book, BookError, MemberId, table};

/// The kinds of record whose fields can hold concurrent values. Receipts are immutable and
/// cannot conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A household (and, by path `anggota.<person id>.<field>`, its people).
    Household,
    /// A PMKS identification.
    Pmks,
    /// A donor.
    Donor,
    /// A disbursement (santunan).
    Disbursement,
}

impl RecordKind {
    pub(crate) fn table(self) -> &'static str {
        match self {
            RecordKind::Household => table::HOUSEHOLDS,
            RecordKind::Pmks => table::PMKS,
            RecordKind::Donor => table::DONORS,
            RecordKind::Disbursement => table::DISBURSEMENTS,
        }
    }
}

/// One of the values a field holds: the value (as JSON: text, number, null, or an object
/// for a nested record), the Automerge actor that wrote it, and the member that actor
/// belongs to (when recorded).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldValue {
    /// The value.
    pub value: serde_json::Value,
    /// The writing actor id (hex).
    pub actor: String,
    /// The member the actor belongs to.
    pub author: Option<MemberId>,
}

impl Book {
    /// Every value a field of a record currently holds: one when settled, several when
    /// devices wrote it concurrently (ordered by actor for a stable display). `path` is the
    /// field name, or `anggota.<person id>.<field>` for a person's field of a household.
    ///
    /// Errors: [`BookError::NotFound`] when the record or the nested object does not exist.
    pub fn field_values(
        &self,
        kind: RecordKind,
        id: &str,
        path: &str,
    ) -> Result<Vec<FieldValue>, BookError> {
        let not_found = || BookError::NotFound {
            kind: kind.table(),
            id: format!("{id} ({path})"),
        };
        let mut obj = self.record_obj(kind.table(), id).ok_or_else(not_found)?;
        let parts: Vec<&str> = path.split('.').collect();
        let (last, parents) = parts.split_last().ok_or_else(not_found)?;
        for p in parents {
            match self.doc().get(&obj, *p)? {
                Some((Value::Object(ObjType::Map), o)) => obj = o,
                _ => return Err(not_found()),
            }
        }
        let mut out: Vec<FieldValue> = self
            .doc()
            .get_all(&obj, *last)?
            .into_iter()
            .map(|(v, vid)| {
                let value = match &v {
                    Value::Scalar(s) => crate::read::scalar_json(s.as_ref()),
                    Value::Object(t) => crate::read::object_json(self.doc(), &vid, *t),
                };
                let actor = match &vid {
                    ExId::Id(_, a, _) => a.to_hex_string(),
                    ExId::Root => String::new(),
                };
                let author = self.actor_member(&actor);
                FieldValue {
                    value,
                    actor,
                    author,
                }
            })
            .collect();
        out.sort_by(|a, b| a.actor.cmp(&b.actor));
        Ok(out)
    }
}
