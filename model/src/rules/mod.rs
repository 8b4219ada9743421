//! Domain rules for Rukun: money, identity numbers, places, time, PMKS categories,
//! Kartu Keluarga fields, the door-to-door survey and name folding.
//!
//! Everything here is pure (no I/O, no document access) and never panics on input.
//! Parsing functions return per-operation error enums whose messages are short plain
//! English without the field name, so a caller can write `"nik: {err}"`, e.g.
//! `nik: must be 16 digits, got 15`.
//!
//! The facts come from `docs/domain.md` and the regulations it cites
//! (`docs/domain.md#regulations-cited`); each item says where its rule comes from.

/// Defines a closed enum stored as a canonical Indonesian string, with lenient parsing.
///
/// Generates `as_str`, `label`, `parse`, `all`, `Display`, `FromStr`, serde (as the
/// canonical string) and autosurgeon (`Reconcile` as a string scalar, `Hydrate` by the
/// lenient `parse`, so aliases stored by older versions still read).
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, field = $field:literal, error = $err:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => $code:literal, $label:literal, [$($alias:literal),* $(,)?]
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
        }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical code, as written in CSV files and stored in the document.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// A human-readable Indonesian label for screens and printed reports.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// Every value, in the official order.
            pub fn all() -> impl Iterator<Item = $name> {
                Self::ALL.iter().copied()
            }

            /// Lenient parse: trims, ignores case and repeated spaces (and spaces around
            /// `/`), and accepts the canonical code, the label and common aliases.
            pub fn parse(input: &str) -> Result<$name, $err> {
                let key = $crate::rules::normalize_key(input);
                $(
                    if key == $crate::rules::normalize_key($code)
                        || key == $crate::rules::normalize_key($label)
                        $(|| key == $crate::rules::normalize_key($alias))*
                    {
                        return Ok($name::$variant);
                    }
                )+
                Err($err {
                    field: $field,
                    input: input.to_string(),
                    expected: Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).map_err(::serde::de::Error::custom)
            }
        }

        impl ::autosurgeon::Reconcile for $name {
            type Key<'a> = ::autosurgeon::reconcile::NoKey;
            fn reconcile<R: ::autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.as_str())
            }
        }

        impl ::autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, ::autosurgeon::HydrateError> {
                $name::parse(s).map_err(|e| {
                    ::autosurgeon::HydrateError::unexpected(
                        concat!("a ", $field, " code"),
                        e.to_string(),
                    )
                })
            }
        }
    };
}

mod kas;
mod kk;
mod kk_fields;
mod names;
mod nik;
mod pmks;
mod rupiah;
mod survey;
mod terbilang;
mod time;
mod wilayah;

#[cfg(test)]
mod test_support;

pub use kas::{Jabatan, JenisRapat, KasCodeError, KategoriPengeluaran, SumberDana};
pub use kk::{KkError, NoKk};
pub use kk_fields::{Agama, KkFieldError, Pendidikan, Sex, Shdk, StatusPerkawinan};
pub use names::{address_similarity, fold_address, fold_name, name_similarity, similarity};
pub use nik::{Nik, NikError, NikWarning};
pub use pmks::{PmksCode, PmksError, PmksNameMatch, PmksStatus, PmksStatusError};
pub use rupiah::{Rupiah, RupiahError, format_signed};
pub use survey::{SurveyAnswer, SurveyQuestion, normalize_answer};
pub use terbilang::terbilang;
pub use time::{
    TimeError, YearMonth, day_name, format_date_long, format_date_short, format_date_time_wib,
    format_time_wib, month_name, month_short, parse_date, parse_wib_datetime, quarter_of,
    today_wib, wib, wib_date,
};
pub use wilayah::{
    KodeWilayah, PROVINCE_CODES, RtRwError, WilayahError, format_rt, format_rt_rw, format_rw,
    parse_rt, parse_rw, province_name,
};

/// The text of an optional number ([`Nik`], [`NoKk`]), `""` when it is not given: for
/// tables, CSV cells and form fields.
pub fn or_blank<T: AsRef<str>>(v: &Option<T>) -> &str {
    v.as_ref().map_or("", AsRef::as_ref)
}

/// Normalises a free-text code for comparison: trims, lowercases, collapses runs of
/// whitespace to one space and removes spaces around `/`, `-` and `,`.
pub(crate) fn normalize_key(input: &str) -> String {
    let lowered = input.trim().to_lowercase();
    let collapsed = lowered.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(collapsed.len());
    let chars: Vec<char> = collapsed.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
            let next = chars.get(i + 1).copied();
            let glue = |x: Option<char>| matches!(x, Some('/') | Some('-') | Some(','));
            if glue(prev) || glue(next) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Why a 16-digit identity number (NIK or Nomor KK) failed the shape check.
#[derive(Debug)]
pub(crate) enum DigitsError {
    Empty,
    Scientific,
    NonDigit(char),
    Length(usize),
}

/// Strips spaces and dots and checks the result is exactly 16 ASCII digits.
///
/// A value like `3,47113E+15` (Excel scientific notation) is reported separately: the
/// digits are lost and the row must be refused (docs/domain.md#numbers-excel-has-mangled).
pub(crate) fn clean_16_digits(input: &str) -> Result<String, DigitsError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(DigitsError::Empty);
    }
    if looks_scientific(trimmed) {
        return Err(DigitsError::Scientific);
    }
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if let Some(bad) = cleaned.chars().find(|c| !c.is_ascii_digit()) {
        return Err(DigitsError::NonDigit(bad));
    }
    let len = cleaned.chars().count();
    if len != 16 {
        return Err(DigitsError::Length(len));
    }
    Ok(cleaned)
}

/// True for numbers Excel wrote in scientific notation: `3,47113E+15`, `3.47113e15`.
pub(crate) fn looks_scientific(input: &str) -> bool {
    let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(pos) = s.find(['e', 'E']) else {
        return false;
    };
    let (mantissa, exponent) = s.split_at(pos);
    let exponent = &exponent[1..];
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    !mantissa.is_empty()
        && mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == '-')
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_key_examples() {
        assert_eq!(
            normalize_key("  Tidak / Belum   Sekolah "),
            "tidak/belum sekolah"
        );
        assert_eq!(normalize_key("D - IV / S1"), "d-iv/s1");
        assert_eq!(normalize_key("Gas elpiji 5, 5 kg"), "gas elpiji 5,5 kg");
    }

    #[test]
    fn scientific_detection() {
        assert!(looks_scientific("3,47113E+15"));
        assert!(looks_scientific("3.47113E+15"));
        assert!(looks_scientific("3.47113e15"));
        assert!(looks_scientific(" 3,47113E+15 "));
        assert!(!looks_scientific("3471131206619606"));
        assert!(!looks_scientific("E+15"));
        assert!(!looks_scientific("Rp 5.000"));
        assert!(!looks_scientific("abcE+15"));
    }

    #[test]
    fn clean_digits() {
        assert_eq!(
            clean_16_digits("3471 1312 0661 9606").ok().as_deref(),
            Some("3471131206619606")
        );
        assert_eq!(
            clean_16_digits("34.71.13.1206619606").ok().as_deref(),
            Some("3471131206619606")
        );
        assert!(matches!(clean_16_digits(""), Err(DigitsError::Empty)));
        assert!(matches!(
            clean_16_digits("3,47113E+15"),
            Err(DigitsError::Scientific)
        ));
        assert!(matches!(
            clean_16_digits("34711312066196x6"),
            Err(DigitsError::NonDigit('x'))
        ));
        assert!(matches!(
            clean_16_digits("347113120661960"),
            Err(DigitsError::Length(15))
        ));
    }
}
