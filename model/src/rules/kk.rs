//! Nomor KK, the 16-digit number of a Kartu Keluarga: issuing region (6) +
//! registration date DDMMYY (no +40) + serial (4) (docs/domain.md#nomor-kk).

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::nik::{resolve_century, two};
use super::{DigitsError, clean_16_digits, province_name, today_wib};

/// A Nomor KK (family card number): 16 digits `PPKKCC DDMMYY SSSS`.
///
/// It changes when the head of family changes; one address can hold several KK.
/// [`NoKk::parse`] validates fully; values read back from storage are only checked to
/// be 16 digits, so old records always load.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NoKk(String);

/// Why a Nomor KK was refused. Messages have no field name (`"no_kk: {err}"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KkError {
    /// Nothing was given.
    #[error("is empty")]
    Empty,
    /// Excel wrote the number as `3,47113E+15`: the digits are lost; refuse the row.
    #[error("lost data: Excel scientific notation \"{input}\"")]
    ScientificNotation {
        /// The text as given.
        input: String,
    },
    /// A character other than a digit, space or dot.
    #[error("must contain only digits, got '{found}'")]
    NonDigit {
        /// The first offending character.
        found: char,
    },
    /// Not exactly 16 digits.
    #[error("must be 16 digits, got {len}")]
    Length {
        /// How many digits there were (after removing spaces and dots).
        len: usize,
    },
    /// The first two digits are not one of the 38 province codes.
    #[error("unknown province code {code}")]
    Province {
        /// The two digits read.
        code: String,
    },
    /// Digits 7–12 are not a real date DDMMYY (no +40 for a KK).
    #[error("registration date {day:02}-{month:02}-{year:02} is not a real date")]
    Date {
        /// Day as read.
        day: u32,
        /// Month as read.
        month: u32,
        /// Two-digit year.
        year: u32,
    },
    /// The registration date lies in the future in either century.
    #[error("registration date {date} is in the future")]
    Future {
        /// The date read (latest century).
        date: NaiveDate,
    },
    /// The serial is 0000.
    #[error("serial number 0000 is not allowed")]
    Serial,
}

impl NoKk {
    /// Parses and validates a Nomor KK against today's WIB date (device clock).
    pub fn parse(input: &str) -> Result<NoKk, KkError> {
        NoKk::parse_at(input, today_wib())
    }

    /// Parses and validates a Nomor KK, taking `today` for the century.
    ///
    /// Strips spaces and dots; refuses Excel scientific notation; requires 16 digits, a
    /// known province code, a real registration date DDMMYY not after `today` (century
    /// 20yy unless that is in the future) and serial 0001–9999.
    pub fn parse_at(input: &str, today: NaiveDate) -> Result<NoKk, KkError> {
        let digits = clean_16_digits(input).map_err(|e| match e {
            DigitsError::Empty => KkError::Empty,
            DigitsError::Scientific => KkError::ScientificNotation {
                input: input.trim().to_string(),
            },
            DigitsError::NonDigit(found) => KkError::NonDigit { found },
            DigitsError::Length(len) => KkError::Length { len },
        })?;
        let province = digits.get(0..2).unwrap_or("");
        if province_name(province).is_none() {
            return Err(KkError::Province {
                code: province.to_string(),
            });
        }
        let (day, month, year) = (two(&digits, 6), two(&digits, 8), two(&digits, 10));
        match resolve_century(day, month, year, today) {
            Ok(_) => {}
            Err(Some(date)) => return Err(KkError::Future { date }),
            Err(None) => return Err(KkError::Date { day, month, year }),
        }
        if digits.get(12..16) == Some("0000") {
            return Err(KkError::Serial);
        }
        Ok(NoKk(digits))
    }

    /// Accepts any 16 ASCII digits without checking region, date or serial: for values
    /// read back from storage, and fixtures. What a person types goes through
    /// [`NoKk::parse`].
    pub fn from_stored(s: &str) -> Option<NoKk> {
        (s.len() == 16 && s.chars().all(|c| c.is_ascii_digit())).then(|| NoKk(s.to_string()))
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Province code, the first two digits (e.g. `"34"`).
    pub fn province(&self) -> &str {
        self.0.get(0..2).unwrap_or("")
    }

    /// Issuing region: province, kabupaten/kota, kecamatan (6 digits, e.g. `"347113"`).
    pub fn region_code(&self) -> &str {
        self.0.get(0..6).unwrap_or("")
    }

    /// The registration date, century chosen against today's WIB date; `None` if the
    /// stored digits are not a valid date.
    pub fn registration_date(&self) -> Option<NaiveDate> {
        self.registration_date_at(today_wib())
    }

    /// The registration date, with the century chosen so that it is not after `today`.
    pub fn registration_date_at(&self, today: NaiveDate) -> Option<NaiveDate> {
        resolve_century(two(&self.0, 6), two(&self.0, 8), two(&self.0, 10), today).ok()
    }

    /// The serial number, the last four digits (1..=9999 for a valid number).
    pub fn serial(&self) -> u16 {
        self.0.get(12..16).and_then(|s| s.parse().ok()).unwrap_or(0)
    }
}

impl fmt::Display for NoKk {
    /// The 16 digits, ungrouped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for NoKk {
    type Err = KkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NoKk::parse(s)
    }
}

impl AsRef<str> for NoKk {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for NoKk {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NoKk {
    /// Accepts any 16-digit string (see [`NoKk`]).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        NoKk::from_stored(&s).ok_or_else(|| serde::de::Error::custom("Nomor KK must be 16 digits"))
    }
}

impl Reconcile for NoKk {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(&self.0)
    }
}

impl Hydrate for NoKk {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        NoKk::from_stored(s)
            .ok_or_else(|| HydrateError::unexpected("a 16-digit Nomor KK", s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{csv_rows, hydrate_from, roundtrip, rw08_file};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2025, 8, 17)
    }

    #[test]
    fn valid_number() {
        let kk = NoKk::parse_at("3471131804080001", today()).unwrap();
        assert_eq!(kk.as_str(), "3471131804080001");
        assert_eq!(kk.province(), "34");
        assert_eq!(kk.region_code(), "347113");
        assert_eq!(kk.registration_date_at(today()), Some(d(2008, 4, 18)));
        assert!(kk.registration_date().is_some());
        assert_eq!(kk.serial(), 1);
        assert_eq!(kk.to_string(), "3471131804080001");
        let kk = NoKk::parse_at("3471 1318 0408 0001", today()).unwrap();
        assert_eq!(kk.as_str(), "3471131804080001");
        // A registration in 1998.
        let kk = NoKk::parse_at("3471131804980001", today()).unwrap();
        assert_eq!(kk.registration_date_at(today()), Some(d(1998, 4, 18)));
    }

    #[test]
    fn refused() {
        let p = |s: &str| NoKk::parse_at(s, today());
        assert_eq!(p(""), Err(KkError::Empty));
        assert!(matches!(
            p("3,47113E+15"),
            Err(KkError::ScientificNotation { .. })
        ));
        assert!(matches!(
            p("3.47113E+15"),
            Err(KkError::ScientificNotation { .. })
        ));
        assert_eq!(p("347113180408000a"), Err(KkError::NonDigit { found: 'a' }));
        assert_eq!(p("34711318040800"), Err(KkError::Length { len: 14 }));
        assert_eq!(
            p("0071131804080001"),
            Err(KkError::Province { code: "00".into() })
        );
        // No +40 on a KK.
        assert_eq!(
            p("3471135804080001"),
            Err(KkError::Date {
                day: 58,
                month: 4,
                year: 8
            })
        );
        assert_eq!(
            p("3471133102080001"),
            Err(KkError::Date {
                day: 31,
                month: 2,
                year: 8
            })
        );
        assert_eq!(
            p("3471131813080001"),
            Err(KkError::Date {
                day: 18,
                month: 13,
                year: 8
            })
        );
        assert_eq!(p("3471131804080000"), Err(KkError::Serial));
        assert_eq!(
            NoKk::parse_at("3471131804080001", d(1907, 1, 1)),
            Err(KkError::Future {
                date: d(2008, 4, 18)
            })
        );
        assert_eq!(
            p("3471133102080001").unwrap_err().to_string(),
            "registration date 31-02-08 is not a real date"
        );
    }

    #[test]
    fn storage() {
        let kk = NoKk::parse_at("3471131804080001", today()).unwrap();
        assert_eq!(serde_json::to_string(&kk).unwrap(), "\"3471131804080001\"");
        assert_eq!(
            serde_json::from_str::<NoKk>("\"3471131804080001\"").unwrap(),
            kk
        );
        assert!(serde_json::from_str::<NoKk>("\"x\"").is_err());
        assert_eq!(roundtrip(&kk), kk);
        let old = hydrate_from::<NoKk>("3471133102080000").unwrap();
        assert_eq!(old.registration_date_at(today()), None);
        assert!(hydrate_from::<NoKk>("3,47113E+15").is_err());
    }

    #[test]
    fn reference_data_numbers_are_valid() {
        let people = csv_rows(&rw08_file("rw08-penduduk.csv"));
        let survey = csv_rows(&rw08_file("rw08-survei-rumah.csv"));
        let donors = csv_rows(&rw08_file("donatur.csv"));
        for r in people.iter().chain(&survey).chain(&donors) {
            if !r["no_kk"].is_empty() {
                NoKk::parse_at(&r["no_kk"], d(2025, 12, 31)).unwrap();
            }
        }
    }
}
