//! How typed record fields are written to and read from the document, so the stored
//! layout stays what books written before typed records hold (`tests/old_layout.rs`
//! style test in `records.rs`): plain strings everywhere.
//!
//! Reading is lenient where a stricter rule would hide a whole record: a stored value
//! that is empty or does not parse reads as "not given" (`None`, or [`unset`] for an
//! instant) and is logged. Saves write only changed fields ([`crate::fieldwise`]), so such
//! a value stays in the document untouched until a person replaces it.

use autosurgeon::Reconciler;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

use crate::rules::{Nik, NoKk};

/// The instant an unstamped field holds: stored as `""`.
pub(crate) fn unset() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

/// Every instant the book writes (stamps, tombstones, receipts, invites' expiry): RFC 3339
/// UTC with milliseconds, so two saves of one record in the same second still differ;
/// [`unset`] is `""`.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    if t == unset() {
        String::new()
    } else {
        t.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

/// Reads a stored instant: RFC 3339 with any offset and precision; `""` or anything
/// unreadable is [`unset`].
pub(crate) fn parse_instant(s: &str) -> DateTime<Utc> {
    let s = s.trim();
    if s.is_empty() {
        return unset();
    }
    DateTime::parse_from_rfc3339(s).map_or_else(
        |e| {
            tracing::warn!("unreadable stored instant {s:?}: {e}");
            unset()
        },
        |t| t.with_timezone(&Utc),
    )
}

/// `#[serde(with)]` and `#[autosurgeon(reconcile)]` for a `DateTime<Utc>` field.
pub(crate) mod instant {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&rfc3339(*t))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(s.as_deref().map_or_else(unset, parse_instant))
    }

    pub(crate) fn reconcile<R: Reconciler>(t: &DateTime<Utc>, mut r: R) -> Result<(), R::Error> {
        r.str(rfc3339(*t))
    }
}

/// A 16-digit number kept as text ([`Nik`], [`NoKk`]).
pub(crate) trait Digits16: Sized {
    fn from_stored(s: &str) -> Option<Self>;
    fn digits(&self) -> &str;
}

impl Digits16 for Nik {
    fn from_stored(s: &str) -> Option<Self> {
        Nik::from_stored(s)
    }
    fn digits(&self) -> &str {
        self.as_str()
    }
}

impl Digits16 for NoKk {
    fn from_stored(s: &str) -> Option<Self> {
        NoKk::from_stored(s)
    }
    fn digits(&self) -> &str {
        self.as_str()
    }
}

/// `#[serde(with)]` and `#[autosurgeon(reconcile)]` for an `Option<Nik>` or `Option<NoKk>`
/// field: `None` is stored as `""`.
pub(crate) mod opt_digits {
    use super::*;

    pub(crate) fn serialize<T: Digits16, S: Serializer>(
        v: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.as_ref().map_or("", Digits16::digits))
    }

    pub(crate) fn deserialize<'de, T: Digits16, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        let s = s.as_deref().unwrap_or("").trim();
        if s.is_empty() {
            return Ok(None);
        }
        let v = T::from_stored(s);
        if v.is_none() {
            tracing::warn!("stored number {s:?} is not 16 digits: read as not given");
        }
        Ok(v)
    }

    pub(crate) fn reconcile<T: Digits16, R: Reconciler>(
        v: &Option<T>,
        mut r: R,
    ) -> Result<(), R::Error> {
        r.str(v.as_ref().map_or("", Digits16::digits))
    }
}

/// `#[serde(with)]` and `#[autosurgeon(reconcile)]` for the group's RT list, stored as
/// comma-separated numbers (`"27,28"`); unreadable items are skipped.
pub(crate) mod rt_list {
    use super::*;

    fn text(rts: &[u16]) -> String {
        rts.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
    }

    pub(crate) fn serialize<S: Serializer>(rts: &[u16], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text(rts))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u16>, D::Error> {
        let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(s.as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(|x| x.trim().parse().ok())
            .collect())
    }

    #[allow(
        clippy::ptr_arg,
        reason = "autosurgeon passes the field as `&Vec<u16>`"
    )]
    pub(crate) fn reconcile<R: Reconciler>(rts: &Vec<u16>, mut r: R) -> Result<(), R::Error> {
        r.str(text(rts))
    }
}

/// `#[serde(with)]` and `#[autosurgeon(reconcile)]` for a list of short codes (member
/// numbers), stored `;`-separated as the paper forms write them; empty items are skipped.
pub(crate) mod codes {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.join(";"))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(parse(s.as_deref().unwrap_or("")))
    }

    /// The codes of a `;`- or `,`-separated text.
    pub(crate) fn parse(s: &str) -> Vec<String> {
        s.split([';', ','])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[allow(
        clippy::ptr_arg,
        reason = "autosurgeon passes the field as `&Vec<String>`"
    )]
    pub(crate) fn reconcile<R: Reconciler>(v: &Vec<String>, mut r: R) -> Result<(), R::Error> {
        r.str(v.join(";"))
    }
}

/// A typed field borrowed for a single-field write ([`crate::fieldwise`]): the same
/// stored form as the record's own reconcile.
pub(crate) struct InstantField<'a>(pub(crate) &'a DateTime<Utc>);
/// See [`InstantField`]: an `Option<Nik>` or `Option<NoKk>`.
pub(crate) struct DigitsField<'a, T>(pub(crate) &'a Option<T>);
/// See [`InstantField`]: the group's RT list.
pub(crate) struct RtListField<'a>(pub(crate) &'a Vec<u16>);
/// See [`InstantField`]: a list of codes.
pub(crate) struct CodesField<'a>(pub(crate) &'a Vec<String>);

impl autosurgeon::Reconcile for CodesField<'_> {
    type Key<'k> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, r: R) -> Result<(), R::Error> {
        codes::reconcile(self.0, r)
    }
}

impl autosurgeon::Reconcile for InstantField<'_> {
    type Key<'k> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, r: R) -> Result<(), R::Error> {
        instant::reconcile(self.0, r)
    }
}

impl<T: Digits16> autosurgeon::Reconcile for DigitsField<'_, T> {
    type Key<'k> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, r: R) -> Result<(), R::Error> {
        opt_digits::reconcile(self.0, r)
    }
}

impl autosurgeon::Reconcile for RtListField<'_> {
    type Key<'k> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, r: R) -> Result<(), R::Error> {
        rt_list::reconcile(self.0, r)
    }
}
