//! NIK (Nomor Induk Kependudukan), the 16-digit national identity number
//! `PPKKCC DDMMYY SSSS` (docs/domain.md#nik).

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{DigitsError, Sex, clean_16_digits, province_name, today_wib};

/// A NIK: 16 digits `PPKKCC DDMMYY SSSS` — region of first registration (province,
/// kabupaten/kota, kecamatan), birth date with 40 added to the day for women, serial.
///
/// [`Nik::parse`] validates fully. Values read back from storage (serde, Automerge) are
/// only checked to be 16 digits, so records saved under older rules always load;
/// accessors that need a valid date return `Option`.
/// The region need not match the current address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nik(String);

/// Why a NIK was refused. Messages have no field name (`"nik: {err}"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
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
    /// The birth day is not 01–31 (men) or 41–71 (women).
    #[error("birth day {day:02} is not 01-31 (men) or 41-71 (women)")]
    Day {
        /// The two digits read, as a number.
        day: u32,
    },
    /// The birth month is not 01–12.
    #[error("birth month {month:02} is not 01-12")]
    Month {
        /// The two digits read, as a number.
        month: u32,
    },
    /// Day and month do not form a real date (31 February).
    #[error("birth date {day:02}-{month:02}-{year:02} is not a real date")]
    Date {
        /// Day of month (40 already subtracted for women).
        day: u32,
        /// Month.
        month: u32,
        /// Two-digit year.
        year: u32,
    },
    /// The birth date lies in the future in either century.
    #[error("birth date {date} is in the future")]
    Future {
        /// The date read (latest century).
        date: NaiveDate,
    },
    /// The serial is 0000.
    #[error("serial number 0000 is not allowed")]
    Serial,
}

/// A disagreement between a NIK and the sex or birth date entered for the person.
///
/// A warning, not an error: the NIK may be right and the entry wrong, or the other way
/// round (docs/domain.md#nik).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NikWarning {
    /// The NIK's day field says one sex, the entered sex is the other.
    #[error("NIK says sex {from_nik}, but {entered} was entered")]
    SexMismatch {
        /// Sex from the NIK (day > 40 is female).
        from_nik: Sex,
        /// Sex entered on the form.
        entered: Sex,
    },
    /// The NIK's DDMMYY differs from the entered birth date.
    #[error("NIK says born {nik_ddmmyy} (DDMMYY), but {entered} was entered")]
    BirthDateMismatch {
        /// The NIK's birth date digits, 40 removed for women, e.g. `"120661"`.
        nik_ddmmyy: String,
        /// The birth date entered on the form.
        entered: NaiveDate,
    },
    /// The NIK's stored digits no longer form a valid date, so nothing could be compared.
    #[error("NIK birth date digits are not a valid date")]
    UnreadableDate,
}

/// Picks the century for a two-digit year: the latest date (20yy, then 19yy) that is a
/// real date not after `today`. Shared by NIK and Nomor KK.
pub(crate) fn resolve_century(
    day: u32,
    month: u32,
    yy: u32,
    today: NaiveDate,
) -> Result<NaiveDate, Option<NaiveDate>> {
    let candidates = [2000 + yy as i32, 1900 + yy as i32];
    let mut latest_real = None;
    for year in candidates {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
            if date <= today {
                return Ok(date);
            }
            latest_real.get_or_insert(date);
        }
    }
    Err(latest_real)
}

/// Two ASCII digits at `at` as a number (the caller guarantees 16 digits).
pub(crate) fn two(digits: &str, at: usize) -> u32 {
    digits
        .get(at..at + 2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

impl Nik {
    /// Parses and validates a NIK against today's WIB date (device clock).
    ///
    /// See [`Nik::parse_at`] for the rules.
    pub fn parse(input: &str) -> Result<Nik, NikError> {
        Nik::parse_at(input, today_wib())
    }

    /// Parses and validates a NIK, taking `today` for the century of the birth year.
    ///
    /// Strips spaces and dots; refuses Excel scientific notation; requires 16 digits,
    /// one of the 38 province codes, day 01–31 or 41–71 (women), month 01–12, a real
    /// date, and serial 0001–9999. The century is the one that puts the birth date not
    /// after `today` (docs/domain.md#nik; a person over 100 is read as a child, unavoidably).
    pub fn parse_at(input: &str, today: NaiveDate) -> Result<Nik, NikError> {
        let digits = clean_16_digits(input).map_err(|e| match e {
            DigitsError::Empty => NikError::Empty,
            DigitsError::Scientific => NikError::ScientificNotation {
                input: input.trim().to_string(),
            },
            DigitsError::NonDigit(found) => NikError::NonDigit { found },
            DigitsError::Length(len) => NikError::Length { len },
        })?;
        let province = digits.get(0..2).unwrap_or("");
        if province_name(province).is_none() {
            return Err(NikError::Province {
                code: province.to_string(),
            });
        }
        let raw_day = two(&digits, 6);
        let day = match raw_day {
            1..=31 => raw_day,
            41..=71 => raw_day - 40,
            _ => return Err(NikError::Day { day: raw_day }),
        };
        let month = two(&digits, 8);
        if !(1..=12).contains(&month) {
            return Err(NikError::Month { month });
        }
        let year = two(&digits, 10);
        match resolve_century(day, month, year, today) {
            Ok(_) => {}
            Err(Some(date)) => return Err(NikError::Future { date }),
            Err(None) => return Err(NikError::Date { day, month, year }),
        }
        if digits.get(12..16) == Some("0000") {
            return Err(NikError::Serial);
        }
        Ok(Nik(digits))
    }

    /// Accepts any 16 ASCII digits without checking region, date or serial: for values
    /// read back from storage, and fixtures. What a person types goes through
    /// [`Nik::parse`].
    pub fn from_stored(s: &str) -> Option<Nik> {
        (s.len() == 16 && s.chars().all(|c| c.is_ascii_digit())).then(|| Nik(s.to_string()))
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Province code, the first two digits (e.g. `"34"`).
    pub fn province(&self) -> &str {
        self.0.get(0..2).unwrap_or("")
    }

    /// Region of first registration: province, kabupaten/kota, kecamatan (6 digits,
    /// e.g. `"347113"`).
    pub fn region_code(&self) -> &str {
        self.0.get(0..6).unwrap_or("")
    }

    /// True if the day field is above 40 (women have 40 added to the birth day).
    pub fn is_female(&self) -> bool {
        two(&self.0, 6) > 40
    }

    /// The sex the NIK encodes.
    pub fn sex(&self) -> Sex {
        if self.is_female() { Sex::P } else { Sex::L }
    }

    /// Birth day, month and two-digit year, with 40 removed from a woman's day.
    fn ddmmyy(&self) -> (u32, u32, u32) {
        let raw = two(&self.0, 6);
        let day = if raw > 40 { raw - 40 } else { raw };
        (day, two(&self.0, 8), two(&self.0, 10))
    }

    /// The birth date, with the century chosen against today's WIB date; `None` if the
    /// stored digits are not a valid date.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.birth_date_at(today_wib())
    }

    /// The birth date, with the century chosen so that it is not after `today`.
    pub fn birth_date_at(&self, today: NaiveDate) -> Option<NaiveDate> {
        let (d, m, y) = self.ddmmyy();
        resolve_century(d, m, y, today).ok()
    }

    /// The serial number, the last four digits (1..=9999 for a valid NIK).
    pub fn serial(&self) -> u16 {
        self.0.get(12..16).and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    /// Compares the NIK with the sex and birth date entered for the person.
    ///
    /// Returns warnings (never errors): disagreement is shown to the user, not blocked.
    /// Birth dates are compared on day, month and two-digit year, so the century guess
    /// never causes a warning.
    pub fn check_against(
        &self,
        sex: Option<Sex>,
        birth_date: Option<NaiveDate>,
    ) -> Vec<NikWarning> {
        let mut warnings = Vec::new();
        if let Some(entered) = sex {
            let from_nik = self.sex();
            if entered != from_nik {
                warnings.push(NikWarning::SexMismatch { from_nik, entered });
            }
        }
        if let Some(entered) = birth_date {
            let (d, m, y) = self.ddmmyy();
            let valid = (1..=12).contains(&m)
                && NaiveDate::from_ymd_opt(2000 + y as i32, m, d)
                    .or_else(|| NaiveDate::from_ymd_opt(1900 + y as i32, m, d))
                    .is_some();
            if !valid {
                warnings.push(NikWarning::UnreadableDate);
            } else if (
                entered.day(),
                entered.month(),
                entered.year().rem_euclid(100) as u32,
            ) != (d, m, y)
            {
                warnings.push(NikWarning::BirthDateMismatch {
                    nik_ddmmyy: format!("{d:02}{m:02}{y:02}"),
                    entered,
                });
            }
        }
        warnings
    }
}

impl fmt::Display for Nik {
    /// The 16 digits, ungrouped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Nik {
    type Err = NikError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nik::parse(s)
    }
}

impl AsRef<str> for Nik {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Nik {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Nik {
    /// Accepts any 16-digit string (see [`Nik`]).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Nik::from_stored(&s).ok_or_else(|| serde::de::Error::custom("NIK must be 16 digits"))
    }
}

impl Reconcile for Nik {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(&self.0)
    }
}

impl Hydrate for Nik {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Nik::from_stored(s).ok_or_else(|| HydrateError::unexpected("a 16-digit NIK", s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{csv_rows, hydrate_from, roundtrip, rw08_file};
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2025, 8, 17)
    }

    fn nik(s: &str) -> Nik {
        Nik::parse_at(s, today()).unwrap()
    }

    #[test]
    fn man_from_reference_data() {
        let n = nik("3471131206619606");
        assert_eq!(n.as_str(), "3471131206619606");
        assert_eq!(n.province(), "34");
        assert_eq!(n.region_code(), "347113");
        assert!(!n.is_female());
        assert_eq!(n.sex(), Sex::L);
        assert_eq!(n.birth_date_at(today()), Some(d(1961, 6, 12)));
        assert_eq!(n.serial(), 9606);
        assert_eq!(n.to_string(), "3471131206619606");
        assert!(n.birth_date().is_some());
    }

    #[test]
    fn woman_day_plus_forty() {
        let n = nik("3402114406635502");
        assert!(n.is_female());
        assert_eq!(n.sex(), Sex::P);
        assert_eq!(n.birth_date_at(today()), Some(d(1963, 6, 4)));
        let n = nik("3471137112990001"); // day 71 -> 31 December
        assert_eq!(n.birth_date_at(today()), Some(d(1999, 12, 31)));
        let n = nik("3471134101250001"); // day 41 -> 1 January 2025
        assert_eq!(n.birth_date_at(today()), Some(d(2025, 1, 1)));
    }

    #[test]
    fn century_is_not_in_the_future() {
        assert_eq!(
            nik("3471131708250001").birth_date_at(today()),
            Some(d(2025, 8, 17))
        );
        assert_eq!(
            nik("3471131808250001").birth_date_at(today()),
            Some(d(1925, 8, 18))
        );
        assert_eq!(
            nik("3471130101000001").birth_date_at(today()),
            Some(d(2000, 1, 1))
        );
        assert_eq!(
            nik("3471130101990001").birth_date_at(today()),
            Some(d(1999, 1, 1))
        );
        // 29 Feb 1900 is not a date, 29 Feb 2000 is.
        assert_eq!(
            nik("3471132902000001").birth_date_at(today()),
            Some(d(2000, 2, 29))
        );
        // Before 29 Feb 2000 neither century works.
        assert_eq!(
            Nik::parse_at("3471132902000001", d(1999, 1, 1)),
            Err(NikError::Future {
                date: d(2000, 2, 29)
            })
        );
    }

    #[test]
    fn cleaning() {
        assert_eq!(nik(" 3471 1312 0661 9606 ").as_str(), "3471131206619606");
        assert_eq!(nik("34.71.13.120661.9606").as_str(), "3471131206619606");
        assert_eq!(
            "3471131206619606".parse::<Nik>().unwrap(),
            nik("3471131206619606")
        );
    }

    #[test]
    fn refused() {
        let p = |s: &str| Nik::parse_at(s, today());
        assert_eq!(p(""), Err(NikError::Empty));
        assert_eq!(p("  "), Err(NikError::Empty));
        assert_eq!(
            p("3,47113E+15"),
            Err(NikError::ScientificNotation {
                input: "3,47113E+15".into()
            })
        );
        assert!(matches!(
            p("3.47113E+15"),
            Err(NikError::ScientificNotation { .. })
        ));
        assert_eq!(
            p("34711312066196O6"),
            Err(NikError::NonDigit { found: 'O' })
        );
        assert_eq!(
            p("3471-1312-0661-9606"),
            Err(NikError::NonDigit { found: '-' })
        );
        assert_eq!(p("347113120661960"), Err(NikError::Length { len: 15 }));
        assert_eq!(p("34711312066196061"), Err(NikError::Length { len: 17 }));
        assert_eq!(
            p("9971131206619606"),
            Err(NikError::Province { code: "99".into() })
        );
        assert_eq!(
            p("2071131206619606"),
            Err(NikError::Province { code: "20".into() })
        );
        assert_eq!(p("3471130006619606"), Err(NikError::Day { day: 0 }));
        assert_eq!(p("3471133206619606"), Err(NikError::Day { day: 32 }));
        assert_eq!(p("3471134006619606"), Err(NikError::Day { day: 40 }));
        assert_eq!(p("3471137206619606"), Err(NikError::Day { day: 72 }));
        assert_eq!(p("3471131200619606"), Err(NikError::Month { month: 0 }));
        assert_eq!(p("3471131213619606"), Err(NikError::Month { month: 13 }));
        assert_eq!(
            p("3471133102619606"),
            Err(NikError::Date {
                day: 31,
                month: 2,
                year: 61
            })
        );
        assert_eq!(
            p("3471137102619606"),
            Err(NikError::Date {
                day: 31,
                month: 2,
                year: 61
            })
        );
        assert_eq!(
            p("3471133104619606"),
            Err(NikError::Date {
                day: 31,
                month: 4,
                year: 61
            })
        );
        assert_eq!(p("3471131206610000"), Err(NikError::Serial));
    }

    #[test]
    fn messages() {
        let p = |s: &str| Nik::parse_at(s, today()).unwrap_err().to_string();
        assert_eq!(p("347113120661960"), "must be 16 digits, got 15");
        assert_eq!(
            p("3,47113E+15"),
            "lost data: Excel scientific notation \"3,47113E+15\""
        );
        assert_eq!(p("3471131206610000"), "serial number 0000 is not allowed");
        assert_eq!(
            p("3471133102619606"),
            "birth date 31-02-61 is not a real date"
        );
        assert_eq!(p("9971131206619606"), "unknown province code 99");
    }

    #[test]
    fn warnings() {
        let man = nik("3471131206619606");
        assert!(
            man.check_against(Some(Sex::L), Some(d(1961, 6, 12)))
                .is_empty()
        );
        assert!(man.check_against(None, None).is_empty());
        assert_eq!(
            man.check_against(Some(Sex::P), None),
            vec![NikWarning::SexMismatch {
                from_nik: Sex::L,
                entered: Sex::P
            }]
        );
        let w = man.check_against(None, Some(d(1961, 6, 13)));
        assert_eq!(
            w,
            vec![NikWarning::BirthDateMismatch {
                nik_ddmmyy: "120661".into(),
                entered: d(1961, 6, 13)
            }]
        );
        assert_eq!(
            w[0].to_string(),
            "NIK says born 120661 (DDMMYY), but 1961-06-13 was entered"
        );
        let woman = nik("3402114406635502");
        assert!(
            woman
                .check_against(Some(Sex::P), Some(d(1963, 6, 4)))
                .is_empty()
        );
        assert_eq!(
            woman
                .check_against(Some(Sex::L), Some(d(1963, 6, 44 - 40)))
                .len(),
            1
        );
        // A centenarian: NIK century guess differs, but no warning.
        let old = nik("3471131808250001");
        assert!(old.check_against(None, Some(d(1925, 8, 18))).is_empty());
        let stored = hydrate_from::<Nik>("3471133102619606").unwrap();
        assert_eq!(
            stored.check_against(None, Some(d(1961, 2, 28))),
            vec![NikWarning::UnreadableDate]
        );
    }

    #[test]
    fn storage_keeps_old_values() {
        let n = nik("3471131206619606");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"3471131206619606\"");
        assert_eq!(
            serde_json::from_str::<Nik>("\"3471131206619606\"").unwrap(),
            n
        );
        assert!(serde_json::from_str::<Nik>("\"347113120661960\"").is_err());
        assert_eq!(roundtrip(&n), n);
        // Not a valid date any more, but 16 digits: still reads.
        let old = hydrate_from::<Nik>("3471133102610000").unwrap();
        assert_eq!(old.as_str(), "3471133102610000");
        assert_eq!(old.birth_date_at(today()), None);
        assert_eq!(old.serial(), 0);
        assert!(hydrate_from::<Nik>("3,47113E+15").is_err());
        assert!(hydrate_from::<Nik>("34711312066196０6").is_err());
        assert!(hydrate_from::<Nik>(3471131206619606i64).is_err());
    }

    #[test]
    fn reference_data_niks_are_valid() {
        let rows = csv_rows(&rw08_file("rw08-penduduk.csv"));
        let mut seen = std::collections::HashSet::new();
        for r in &rows {
            let n = Nik::parse_at(&r["nik"], d(2025, 12, 31)).unwrap();
            let sex = Sex::parse(&r["jenis_kelamin"]).unwrap();
            let born = crate::rules::parse_date(&r["tanggal_lahir"]).unwrap();
            assert_eq!(
                n.check_against(Some(sex), Some(born)),
                vec![],
                "{}",
                r["nik"]
            );
            assert_eq!(n.birth_date_at(d(2025, 12, 31)), Some(born), "{}", r["nik"]);
            assert!(seen.insert(n), "duplicate NIK");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Nik::parse_at(&s, today());
        }

        #[test]
        fn parse_never_panics_on_digits(s in "[0-9 .eE+,]{0,24}", y in 1990i32..2100, m in 1u32..=12) {
            let today = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
            if let Ok(n) = Nik::parse_at(&s, today) {
                prop_assert_eq!(n.as_str().len(), 16);
                prop_assert!(n.birth_date_at(today).is_some());
                prop_assert!(n.serial() >= 1);
            }
        }
    }
}
