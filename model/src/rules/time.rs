//! Time in Yogyakarta: WIB (UTC+07:00, `Asia/Jakarta`, no daylight saving), Indonesian
//! date formats, month and day names (docs/domain.md#time-wib).
//!
//! Instants are stored in UTC; a receipt belongs to the month of its WIB date.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc, Weekday,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const WIB_OFFSET: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+07:00 is a valid offset"),
};

const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

const MONTHS_SHORT: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];

/// Why a date, time or month was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Nothing was given.
    #[error("date is empty")]
    Empty,
    /// Not a date in an accepted format, or not a real date (31/02/2025).
    #[error("not a date: \"{input}\" (expected e.g. 17/08/2025 or 2025-08-17)")]
    Date {
        /// The text as given.
        input: String,
    },
    /// Not a date and time in an accepted format, or not a real one.
    #[error(
        "not a date and time: \"{input}\" (expected e.g. 17/08/2025 10.00 or 2025-08-17T10:00:00+07:00)"
    )]
    DateTime {
        /// The text as given.
        input: String,
    },
    /// Not a year and month like `2025-08`.
    #[error("not a month: \"{input}\" (expected e.g. 2025-08)")]
    YearMonth {
        /// The text as given.
        input: String,
    },
}

/// The WIB offset, UTC+07:00 (Asia/Jakarta has no daylight saving).
pub fn wib() -> FixedOffset {
    WIB_OFFSET
}

/// The WIB calendar date of an instant: 2025-08-31T23:30Z is 1 September in WIB, and
/// 06:30 WIB on the 1st is still the previous day in UTC.
pub fn wib_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&WIB_OFFSET).date_naive()
}

/// Today's date in WIB according to this device's clock (not to be trusted for ordering).
pub fn today_wib() -> NaiveDate {
    wib_date(Utc::now())
}

/// Splits `d/m/yyyy`, `dd-mm-yyyy` or `yyyy-mm-dd` into a date; the year must have four
/// digits (two-digit years are refused as ambiguous).
fn parse_date_parts(s: &str) -> Option<NaiveDate> {
    let sep = if s.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let all_digits =
        |p: &str| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit());
    if !(all_digits(a) && all_digits(b) && all_digits(c)) {
        return None;
    }
    let (y, m, d) = if a.len() == 4 && sep == '-' {
        (*a, *b, *c)
    } else if c.len() == 4 {
        (*c, *b, *a)
    } else {
        return None;
    };
    if m.len() > 2 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Parses `HH.MM`, `HH:MM`, `HH.MM.SS` or `HH:MM:SS` (one separator kind throughout).
fn parse_time_parts(s: &str) -> Option<NaiveTime> {
    let sep = if s.contains(':') { ':' } else { '.' };
    let parts: Vec<&str> = s.split(sep).collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let h = parts.first()?.parse().ok()?;
    let m = parts.get(1)?.parse().ok()?;
    let sec = match parts.get(2) {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    NaiveTime::from_hms_opt(h, m, sec)
}

/// Parses a calendar date: `yyyy-mm-dd`, `dd/mm/yyyy`, `d/m/yyyy` or `dd-mm-yyyy`.
pub fn parse_date(input: &str) -> Result<NaiveDate, TimeError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TimeError::Empty);
    }
    parse_date_parts(trimmed).ok_or_else(|| TimeError::Date {
        input: input.to_string(),
    })
}

/// Parses an instant and returns it in UTC.
///
/// Accepts RFC 3339 with an offset (`2025-01-01T06:37:00+07:00`, `...Z`), and local WIB
/// times without offset: `dd/mm/yyyy HH.MM`, `dd/mm/yyyy HH:MM`, `dd/mm/yyyy HH.MM.SS`,
/// `yyyy-mm-dd HH:MM[:SS]`, `yyyy-mm-ddTHH:MM[:SS]`, optionally followed by `WIB`.
pub fn parse_wib_datetime(input: &str) -> Result<DateTime<Utc>, TimeError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TimeError::Empty);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(dt.with_timezone(&Utc));
    }
    let err = || TimeError::DateTime {
        input: input.to_string(),
    };
    let local = trimmed
        .strip_suffix("WIB")
        .or_else(|| trimmed.strip_suffix("wib"))
        .unwrap_or(trimmed)
        .trim_end();
    let (date, time) = local
        .split_once('T')
        .or_else(|| local.split_once(' '))
        .ok_or_else(err)?;
    let date = parse_date_parts(date.trim()).ok_or_else(err)?;
    let time = time.trim();
    let time = time.strip_prefix("pukul ").unwrap_or(time).trim();
    let time = parse_time_parts(time).ok_or_else(err)?;
    let naive = NaiveDateTime::new(date, time);
    naive
        .and_local_timezone(WIB_OFFSET)
        .single()
        .map(|dt| dt.with_timezone(&Utc))
        .ok_or_else(err)
}

/// The Indonesian month name, `1` -> `"Januari"` … `12` -> `"Desember"`; `""` outside 1..=12.
pub fn month_name(month: u32) -> &'static str {
    month
        .checked_sub(1)
        .and_then(|i| MONTHS.get(i as usize))
        .copied()
        .unwrap_or("")
}

/// The short month name, `8` -> `"Agu"`; `""` outside 1..=12.
pub fn month_short(month: u32) -> &'static str {
    month
        .checked_sub(1)
        .and_then(|i| MONTHS_SHORT.get(i as usize))
        .copied()
        .unwrap_or("")
}

/// The Indonesian day name: Senin, Selasa, Rabu, Kamis, Jumat, Sabtu, Minggu.
pub fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

/// `"Minggu, 17 Agustus 2025"`.
pub fn format_date_long(date: NaiveDate) -> String {
    format!(
        "{}, {} {} {}",
        day_name(date.weekday()),
        date.day(),
        month_name(date.month()),
        date.year()
    )
}

/// `"17/08/2025"`.
pub fn format_date_short(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

/// The WIB clock time of an instant: `"pukul 10.00 WIB"`.
pub fn format_time_wib(instant: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&WIB_OFFSET);
    format!("pukul {:02}.{:02} WIB", local.hour(), local.minute())
}

/// `"Minggu, 17 Agustus 2025 pukul 10.00 WIB"`.
pub fn format_date_time_wib(instant: DateTime<Utc>) -> String {
    format!(
        "{} {}",
        format_date_long(wib_date(instant)),
        format_time_wib(instant)
    )
}

/// The quarter (1–4) of a month (1–12); months outside 1..=12 are clamped into range.
///
/// The group reports every 3 months (docs/domain.md#time-wib: Q1 = Januari–Maret).
pub fn quarter_of(month: u32) -> u8 {
    let m = month.clamp(1, 12);
    ((m - 1) / 3 + 1) as u8
}

/// A calendar month, e.g. August 2025: the period of iuran, the monthly closing of the
/// Buku Kas Umum, a receipt's month (by its WIB date).
///
/// Shown and stored as `"2025-08"`; [`YearMonth::label`] gives `"Agustus 2025"`.
/// Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// A month; `month` must be 1..=12 and `year` 1..=9999.
    pub fn new(year: i32, month: u32) -> Result<YearMonth, TimeError> {
        if !(1..=12).contains(&month) || !(1..=9999).contains(&year) {
            return Err(TimeError::YearMonth {
                input: format!("{year}-{month:02}"),
            });
        }
        Ok(YearMonth { year, month })
    }

    /// Parses `"2025-08"` (also `"2025-8"`, `"08/2025"`, `"8/2025"`).
    pub fn parse(input: &str) -> Result<YearMonth, TimeError> {
        let err = || TimeError::YearMonth {
            input: input.to_string(),
        };
        let s = input.trim();
        let (y, m) = if let Some((y, m)) = s.split_once('-') {
            (y, m)
        } else if let Some((m, y)) = s.split_once('/') {
            (y, m)
        } else {
            return Err(err());
        };
        let ok = |p: &str, max: usize| {
            !p.is_empty() && p.len() <= max && p.chars().all(|c| c.is_ascii_digit())
        };
        if y.len() != 4 || !ok(y, 4) || !ok(m, 2) {
            return Err(err());
        }
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        YearMonth::new(year, month).map_err(|_| err())
    }

    /// The month containing `date`.
    pub fn of_date(date: NaiveDate) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The month of an instant's WIB date (how receipts are assigned to months).
    pub fn of_instant_wib(instant: DateTime<Utc>) -> YearMonth {
        YearMonth::of_date(wib_date(instant))
    }

    /// The year, e.g. 2025.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The quarter, 1..=4.
    pub fn quarter(self) -> u8 {
        quarter_of(self.month)
    }

    /// `"Agustus 2025"` (as in "iuran Agustus 2025").
    pub fn label(self) -> String {
        format!("{} {}", month_name(self.month), self.year)
    }

    /// The first day of the month, or `None` outside chrono's date range.
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    /// The last day of the month, or `None` outside chrono's date range.
    pub fn last_day(self) -> Option<NaiveDate> {
        self.next()?.first_day()?.pred_opt()
    }

    /// True if `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        YearMonth::of_date(date) == self
    }

    /// The following month, or `None` after December 9999.
    pub fn next(self) -> Option<YearMonth> {
        if self.month == 12 {
            YearMonth::new(self.year + 1, 1).ok()
        } else {
            YearMonth::new(self.year, self.month + 1).ok()
        }
    }

    /// The previous month, or `None` before January of year 1.
    pub fn prev(self) -> Option<YearMonth> {
        if self.month == 1 {
            YearMonth::new(self.year - 1, 12).ok()
        } else {
            YearMonth::new(self.year, self.month - 1).ok()
        }
    }
}

impl fmt::Display for YearMonth {
    /// `2025-08`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        YearMonth::parse(s)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        YearMonth::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Reconcile for YearMonth {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.to_string())
    }
}

impl Hydrate for YearMonth {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        YearMonth::parse(s)
            .map_err(|e| HydrateError::unexpected("a month like 2025-08", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{hydrate_from, roundtrip};
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
    }

    #[test]
    fn wib_is_plus_seven() {
        assert_eq!(wib().local_minus_utc(), 7 * 3600);
        assert!(today_wib() > d(2024, 1, 1));
    }

    #[test]
    fn wib_date_crosses_midnight() {
        // 06:30 WIB on 1 September is still 31 August in UTC.
        let t = parse_wib_datetime("2025-09-01T06:30:00+07:00").unwrap();
        assert_eq!(t, utc(2025, 8, 31, 23, 30));
        assert_eq!(t.date_naive(), d(2025, 8, 31));
        assert_eq!(wib_date(t), d(2025, 9, 1));
        assert_eq!(YearMonth::of_instant_wib(t).to_string(), "2025-09");
        // 1 January 06:37 WIB belongs to January 2025, not December 2024.
        let t = parse_wib_datetime("2025-01-01T06:37:00+07:00").unwrap();
        assert_eq!(wib_date(t), d(2025, 1, 1));
        assert_eq!(t.date_naive(), d(2024, 12, 31));
        assert_eq!(wib_date(utc(2025, 8, 17, 16, 59)), d(2025, 8, 17));
        assert_eq!(wib_date(utc(2025, 8, 17, 17, 0)), d(2025, 8, 18));
    }

    #[test]
    fn datetime_formats() {
        let expected = utc(2025, 8, 17, 3, 0); // 10.00 WIB
        for s in [
            "2025-08-17T10:00:00+07:00",
            "2025-08-17T03:00:00Z",
            "2025-08-17T10:00:00",
            "2025-08-17T10:00",
            "2025-08-17 10:00",
            "2025-08-17 10:00:00",
            "17/08/2025 10.00",
            "17/08/2025 10:00",
            "17/08/2025 10.00.00",
            "17/08/2025 10:00:00",
            "17/8/2025 10.00",
            "17/08/2025 10.00 WIB",
            "17/08/2025 pukul 10.00 WIB",
            "  17/08/2025 10.00  ",
        ] {
            assert_eq!(parse_wib_datetime(s), Ok(expected), "{s}");
        }
        assert_eq!(
            parse_wib_datetime("01/01/2025 06.37"),
            Ok(utc(2024, 12, 31, 23, 37))
        );
    }

    #[test]
    fn datetime_refused() {
        assert_eq!(parse_wib_datetime(""), Err(TimeError::Empty));
        for s in [
            "17/08/2025",
            "31/02/2025 10.00",
            "17/08/2025 25.00",
            "17/08/2025 10.60",
            "17/08/25 10.00",
            "kemarin",
            "2025-08-17T10",
            "17/08/2025 10.00:00",
            "2025-08-17T10:00:00+25:00",
        ] {
            assert!(
                matches!(parse_wib_datetime(s), Err(TimeError::DateTime { .. })),
                "{s}"
            );
        }
    }

    #[test]
    fn date_formats() {
        for s in [
            "2025-08-17",
            "17/08/2025",
            "17/8/2025",
            "17-08-2025",
            " 17-8-2025 ",
        ] {
            assert_eq!(parse_date(s), Ok(d(2025, 8, 17)), "{s}");
        }
        assert_eq!(parse_date("1/2/2025"), Ok(d(2025, 2, 1)));
        assert_eq!(parse_date("29/02/2024"), Ok(d(2024, 2, 29)));
        assert_eq!(parse_date(""), Err(TimeError::Empty));
        for s in [
            "31/02/2025",
            "29/02/2025",
            "17/08/25",
            "2025/08/17",
            "08-17",
            "17.08.2025",
            "2025-13-01",
            "abc",
            "17/008/2025",
        ] {
            assert!(matches!(parse_date(s), Err(TimeError::Date { .. })), "{s}");
        }
    }

    #[test]
    fn names_and_formats() {
        assert_eq!(month_name(1), "Januari");
        assert_eq!(month_name(8), "Agustus");
        assert_eq!(month_name(12), "Desember");
        assert_eq!(month_name(0), "");
        assert_eq!(month_name(13), "");
        assert_eq!(month_short(8), "Agu");
        assert_eq!(month_short(0), "");
        assert_eq!(day_name(Weekday::Mon), "Senin");
        assert_eq!(day_name(Weekday::Fri), "Jumat");
        assert_eq!(day_name(Weekday::Sun), "Minggu");
        assert_eq!(format_date_long(d(2025, 8, 17)), "Minggu, 17 Agustus 2025");
        assert_eq!(format_date_long(d(2025, 1, 1)), "Rabu, 1 Januari 2025");
        assert_eq!(format_date_short(d(2025, 8, 17)), "17/08/2025");
        assert_eq!(format_date_short(d(2025, 1, 5)), "05/01/2025");
        assert_eq!(format_time_wib(utc(2025, 8, 17, 3, 0)), "pukul 10.00 WIB");
        assert_eq!(
            format_time_wib(utc(2024, 12, 31, 23, 37)),
            "pukul 06.37 WIB"
        );
        assert_eq!(
            format_date_time_wib(utc(2024, 12, 31, 23, 37)),
            "Rabu, 1 Januari 2025 pukul 06.37 WIB"
        );
    }

    #[test]
    fn quarters() {
        assert_eq!(quarter_of(1), 1);
        assert_eq!(quarter_of(3), 1);
        assert_eq!(quarter_of(4), 2);
        assert_eq!(quarter_of(9), 3);
        assert_eq!(quarter_of(12), 4);
        assert_eq!(quarter_of(0), 1);
        assert_eq!(quarter_of(99), 4);
    }

    #[test]
    fn year_month() {
        let ym = YearMonth::parse("2025-08").unwrap();
        assert_eq!((ym.year(), ym.month()), (2025, 8));
        assert_eq!(ym.to_string(), "2025-08");
        assert_eq!(ym.label(), "Agustus 2025");
        assert_eq!(ym.quarter(), 3);
        assert_eq!(YearMonth::parse("2025-8"), Ok(ym));
        assert_eq!(YearMonth::parse("08/2025"), Ok(ym));
        assert_eq!("2025-08".parse::<YearMonth>(), Ok(ym));
        assert_eq!(ym.first_day(), Some(d(2025, 8, 1)));
        assert_eq!(ym.last_day(), Some(d(2025, 8, 31)));
        assert_eq!(
            YearMonth::new(2024, 2).unwrap().last_day(),
            Some(d(2024, 2, 29))
        );
        assert_eq!(
            YearMonth::new(2025, 12).unwrap().next(),
            YearMonth::new(2026, 1).ok()
        );
        assert_eq!(
            YearMonth::new(2025, 1).unwrap().prev(),
            YearMonth::new(2024, 12).ok()
        );
        assert_eq!(YearMonth::new(9999, 12).unwrap().next(), None);
        assert_eq!(YearMonth::new(1, 1).unwrap().prev(), None);
        assert!(ym.contains(d(2025, 8, 31)));
        assert!(!ym.contains(d(2025, 9, 1)));
        assert!(YearMonth::new(2024, 12).unwrap() < YearMonth::new(2025, 1).unwrap());
        for s in [
            "2025-13",
            "2025-00",
            "25-08",
            "2025",
            "",
            "2025-08-01",
            "abcd-ef",
            "2025-+8",
        ] {
            assert!(YearMonth::parse(s).is_err(), "{s}");
        }
        assert!(YearMonth::new(2025, 0).is_err());
    }

    #[test]
    fn year_month_storage() {
        let ym = YearMonth::new(2025, 8).unwrap();
        assert_eq!(serde_json::to_string(&ym).unwrap(), "\"2025-08\"");
        assert_eq!(
            serde_json::from_str::<YearMonth>("\"2025-08\"").unwrap(),
            ym
        );
        assert_eq!(roundtrip(&ym), ym);
        assert!(hydrate_from::<YearMonth>("2025-13").is_err());
    }
}
