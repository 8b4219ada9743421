//! Rupiah amounts: whole, non-negative rupiah (sen are not used in practice).
//!
//! Written `Rp75.000` (dot thousands, comma decimals; `Rp75.000,00` in formal papers),
//! per docs/domain.md#rupiah.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A whole, non-negative amount of rupiah (at most `i64::MAX`).
///
/// Invariant: the inner value is an integer `>= 0` that fits in an `i64`.
/// Shown as `Rp75.000`; stored (serde and Automerge) as the decimal string `"75000"`.
/// A balance that may go negative is a plain signed [`Decimal`], shown with
/// [`format_signed`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rupiah(Decimal);

/// Why a text or number is not a valid [`Rupiah`] amount.
///
/// Messages have no field name: the caller prefixes it (`"jumlah: {err}"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RupiahError {
    /// The input was empty or only `Rp`.
    #[error("amount is empty")]
    Empty,
    /// The amount is below zero.
    #[error("amount must not be negative, got \"{input}\"")]
    Negative {
        /// The text (or number) as given.
        input: String,
    },
    /// The amount has sen (a non-zero part after the decimal comma), e.g. `75.000,5`.
    #[error("amount must be whole rupiah (no sen), got \"{input}\"")]
    Fraction {
        /// The text as given.
        input: String,
    },
    /// Excel wrote the number in scientific notation (`3,47113E+15`): digits are lost.
    #[error("lost data: Excel scientific notation \"{input}\"")]
    ScientificNotation {
        /// The text as given.
        input: String,
    },
    /// A comma followed by three or more digits (`75,000`): Western thousands or sen?
    #[error("ambiguous amount \"{input}\": write thousands with dots, e.g. 75.000")]
    Ambiguous {
        /// The text as given.
        input: String,
    },
    /// Not a number in any accepted form (letters, misplaced dots, ...).
    #[error("not a rupiah amount: \"{input}\" (expected e.g. 75000, 75.000 or Rp75.000)")]
    Invalid {
        /// The text as given.
        input: String,
    },
    /// The amount does not fit in 64 bits.
    #[error("amount too large: \"{input}\"")]
    TooLarge {
        /// The text as given.
        input: String,
    },
}

impl Rupiah {
    /// Zero rupiah.
    pub fn zero() -> Rupiah {
        Rupiah(Decimal::ZERO)
    }

    /// An amount of whole rupiah; negative numbers are refused.
    pub fn from_whole(value: i64) -> Result<Rupiah, RupiahError> {
        if value < 0 {
            return Err(RupiahError::Negative {
                input: value.to_string(),
            });
        }
        Ok(Rupiah(Decimal::from(value)))
    }

    /// An amount from a decimal: must be whole (`75000` or `75000.00`), non-negative,
    /// and fit in an `i64`.
    pub fn from_decimal(value: Decimal) -> Result<Rupiah, RupiahError> {
        let input = value.to_string();
        if value.is_sign_negative() && !value.is_zero() {
            return Err(RupiahError::Negative { input });
        }
        if !value.fract().is_zero() {
            return Err(RupiahError::Fraction { input });
        }
        let whole = i64::try_from(value.trunc()).map_err(|_| RupiahError::TooLarge {
            input: input.clone(),
        })?;
        Rupiah::from_whole(whole)
    }

    /// Parses an amount as people type it.
    ///
    /// Accepts `75000`, `75.000`, `Rp 75.000`, `Rp75.000`, `Rp75.000,00`, `rp. 75.000`,
    /// `Rp75.000,-`, `75 000` and surrounding spaces. Refuses sen (`75.000,5`, `75,5`),
    /// negatives (`-5`), empty input, letters, misplaced dots (`75.00`), a comma with
    /// three digits (`75,000`, ambiguous) and Excel scientific notation (`3,47113E+15`).
    pub fn parse(input: &str) -> Result<Rupiah, RupiahError> {
        let invalid = || RupiahError::Invalid {
            input: input.to_string(),
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(RupiahError::Empty);
        }
        if super::looks_scientific(trimmed) {
            return Err(RupiahError::ScientificNotation {
                input: input.to_string(),
            });
        }
        let mut rest = trimmed;
        let negative_before = rest.starts_with('-');
        if negative_before {
            rest = rest[1..].trim_start();
        }
        // Optional currency prefix: "Rp", "Rp.", "IDR".
        let lower = rest.to_ascii_lowercase();
        if lower.starts_with("rp") {
            rest = rest[2..].trim_start();
            rest = rest.strip_prefix('.').unwrap_or(rest).trim_start();
        } else if lower.starts_with("idr") {
            rest = rest[3..].trim_start();
        }
        if rest.starts_with('-') || negative_before {
            return Err(RupiahError::Negative {
                input: input.to_string(),
            });
        }
        if rest.is_empty() {
            return Err(RupiahError::Empty);
        }
        // "Rp75.000,-" means a whole amount.
        let rest = rest.strip_suffix(",-").unwrap_or(rest).trim_end();
        let (int_part, frac_part) = match rest.split_once(',') {
            Some((i, f)) => (i, Some(f)),
            None => (rest, None),
        };
        if let Some(frac) = frac_part {
            if frac.is_empty() || !frac.chars().all(|c| c.is_ascii_digit()) {
                return Err(invalid());
            }
            if frac.len() > 2 {
                return Err(RupiahError::Ambiguous {
                    input: input.to_string(),
                });
            }
            if frac.chars().any(|c| c != '0') {
                return Err(RupiahError::Fraction {
                    input: input.to_string(),
                });
            }
        }
        let groups: Vec<&str> = int_part.split(['.', ' ']).collect();
        if groups
            .iter()
            .any(|g| g.is_empty() || !g.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(invalid());
        }
        if groups.len() > 1 {
            let first_ok = groups.first().is_some_and(|g| g.len() <= 3);
            let rest_ok = groups.iter().skip(1).all(|g| g.len() == 3);
            if !first_ok || !rest_ok {
                return Err(invalid());
            }
        }
        let mut value: i64 = 0;
        for c in groups.concat().chars() {
            let digit = i64::from(c.to_digit(10).ok_or_else(invalid)?);
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit))
                .ok_or_else(|| RupiahError::TooLarge {
                    input: input.to_string(),
                })?;
        }
        Rupiah::from_whole(value)
    }

    /// The amount as a [`Decimal`] (always whole and non-negative).
    pub fn amount(self) -> Decimal {
        self.0
    }

    /// The amount in whole rupiah.
    pub fn whole(self) -> i64 {
        // The invariant guarantees the value fits in an i64, so the fallback is unused.
        i64::try_from(self.0).unwrap_or(0)
    }

    /// True for Rp0.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// `self + other`, or `None` if the sum would not fit in an `i64`.
    pub fn checked_add(self, other: Rupiah) -> Option<Rupiah> {
        self.whole()
            .checked_add(other.whole())
            .map(|v| Rupiah(Decimal::from(v)))
    }

    /// `self - other`, or `None` if the result would be negative.
    pub fn checked_sub(self, other: Rupiah) -> Option<Rupiah> {
        if other > self {
            return None;
        }
        Some(Rupiah(Decimal::from(self.whole() - other.whole())))
    }

    /// `self - other` as a signed [`Decimal`] (for balances, which may be negative).
    pub fn signed_sub(self, other: Rupiah) -> Decimal {
        Decimal::from(self.whole()) - Decimal::from(other.whole())
    }

    /// The sum of many amounts, or `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Rupiah>>(items: I) -> Option<Rupiah> {
        items
            .into_iter()
            .try_fold(Rupiah::zero(), |acc, x| acc.checked_add(x))
    }

    /// `self * count` (e.g. 11 × Rp40.000), or `None` on overflow.
    pub fn checked_mul(self, count: u32) -> Option<Rupiah> {
        self.whole()
            .checked_mul(i64::from(count))
            .map(|v| Rupiah(Decimal::from(v)))
    }

    /// True if a receipt for this amount needs a Rp10.000 meterai (stamp duty): only
    /// above Rp5.000.000 (UU 10/2020 Bea Meterai;
    /// docs/domain.md#buku-kas-umum-and-kuitansi).
    pub fn needs_meterai(self) -> bool {
        self.whole() > 5_000_000
    }

    /// Formal form for printed papers: `Rp75.000,00`.
    pub fn format_formal(self) -> String {
        format!("{self},00")
    }
}

/// Groups a string of ASCII digits in thousands with dots: `75000` -> `75.000`.
fn group_thousands(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Formats a signed balance in rupiah: `Rp5.000`, `-Rp5.000`, `Rp0`.
///
/// Any fraction is rounded to whole rupiah (half away from zero); never panics.
pub fn format_signed(amount: Decimal) -> String {
    let rounded =
        amount.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let text = rounded.abs().to_string();
    let digits = text.split('.').next().unwrap_or("0");
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}Rp{}", group_thousands(digits))
}

impl fmt::Display for Rupiah {
    /// `Rp75.000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rp{}", group_thousands(&self.whole().to_string()))
    }
}

impl FromStr for Rupiah {
    type Err = RupiahError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rupiah::parse(s)
    }
}

impl TryFrom<Decimal> for Rupiah {
    type Error = RupiahError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Rupiah::from_decimal(value)
    }
}

impl From<Rupiah> for Decimal {
    fn from(value: Rupiah) -> Self {
        value.0
    }
}

impl Serialize for Rupiah {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.whole().to_string())
    }
}

impl<'de> Deserialize<'de> for Rupiah {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Rupiah;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("whole rupiah as a string like \"75000\" or an integer")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Rupiah, E> {
                Rupiah::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Rupiah, E> {
                Rupiah::from_whole(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Rupiah, E> {
                let v = i64::try_from(v).map_err(|_| {
                    E::custom(RupiahError::TooLarge {
                        input: v.to_string(),
                    })
                })?;
                Rupiah::from_whole(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Reconcile for Rupiah {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.whole().to_string())
    }
}

impl Hydrate for Rupiah {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Rupiah::parse(s).map_err(|e| HydrateError::unexpected("whole rupiah", e.to_string()))
    }
    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        Rupiah::from_whole(i).map_err(|e| HydrateError::unexpected("whole rupiah", e.to_string()))
    }
    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        i64::try_from(u)
            .ok()
            .and_then(|v| Rupiah::from_whole(v).ok())
            .ok_or_else(|| HydrateError::unexpected("whole rupiah", format!("{u} (too large)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{hydrate_from, roundtrip, stored_scalar};
    use proptest::prelude::*;

    fn rp(v: i64) -> Rupiah {
        Rupiah::from_whole(v).unwrap()
    }

    #[test]
    fn accepted_inputs() {
        for s in [
            "75000",
            "75.000",
            "Rp 75.000",
            "Rp75.000",
            "Rp75.000,00",
            "rp. 75.000",
            "RP.75.000",
            "  75.000  ",
            "Rp  75000",
            "Rp75.000,-",
            "75 000",
            "75.000,0",
            "IDR 75.000",
        ] {
            assert_eq!(Rupiah::parse(s), Ok(rp(75_000)), "{s}");
        }
        assert_eq!(Rupiah::parse("0"), Ok(Rupiah::zero()));
        assert_eq!(Rupiah::parse("Rp0"), Ok(Rupiah::zero()));
        assert_eq!(Rupiah::parse("1.250.000.000"), Ok(rp(1_250_000_000)));
        assert_eq!(Rupiah::parse("5"), Ok(rp(5)));
        assert_eq!(Rupiah::parse("075000"), Ok(rp(75_000)));
    }

    #[test]
    fn refused_inputs() {
        use RupiahError as E;
        type Check = fn(&RupiahError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("75.000,5", |e| matches!(e, E::Fraction { .. })),
            ("75,5", |e| matches!(e, E::Fraction { .. })),
            ("-5", |e| matches!(e, E::Negative { .. })),
            ("-Rp5.000", |e| matches!(e, E::Negative { .. })),
            ("Rp -5.000", |e| matches!(e, E::Negative { .. })),
            ("", |e| matches!(e, E::Empty)),
            ("   ", |e| matches!(e, E::Empty)),
            ("Rp", |e| matches!(e, E::Empty)),
            ("abc", |e| matches!(e, E::Invalid { .. })),
            ("75rb", |e| matches!(e, E::Invalid { .. })),
            ("3,47113E+15", |e| matches!(e, E::ScientificNotation { .. })),
            ("3.47113E+15", |e| matches!(e, E::ScientificNotation { .. })),
            ("75,000", |e| matches!(e, E::Ambiguous { .. })),
            ("75.00", |e| matches!(e, E::Invalid { .. })),
            ("7.5000", |e| matches!(e, E::Invalid { .. })),
            ("1000.000", |e| matches!(e, E::Invalid { .. })),
            ("75..000", |e| matches!(e, E::Invalid { .. })),
            ("75.000,", |e| matches!(e, E::Invalid { .. })),
            ("75,00,00", |e| matches!(e, E::Invalid { .. })),
            ("99999999999999999999", |e| matches!(e, E::TooLarge { .. })),
            ("+5", |e| matches!(e, E::Invalid { .. })),
        ];
        for (input, check) in cases {
            let err = Rupiah::parse(input).unwrap_err();
            assert!(check(&err), "{input}: {err:?}");
        }
    }

    #[test]
    fn error_messages_are_plain() {
        assert_eq!(
            Rupiah::parse("75.000,5").unwrap_err().to_string(),
            "amount must be whole rupiah (no sen), got \"75.000,5\""
        );
        assert_eq!(
            Rupiah::parse("3,47113E+15").unwrap_err().to_string(),
            "lost data: Excel scientific notation \"3,47113E+15\""
        );
    }

    #[test]
    fn display_and_formal() {
        assert_eq!(rp(75_000).to_string(), "Rp75.000");
        assert_eq!(rp(0).to_string(), "Rp0");
        assert_eq!(rp(500).to_string(), "Rp500");
        assert_eq!(rp(1_000).to_string(), "Rp1.000");
        assert_eq!(rp(1_250_000_000).to_string(), "Rp1.250.000.000");
        assert_eq!(rp(75_000).format_formal(), "Rp75.000,00");
        assert_eq!(rp(i64::MAX).to_string(), "Rp9.223.372.036.854.775.807");
    }

    #[test]
    fn signed_balances() {
        assert_eq!(format_signed(Decimal::from(-5000)), "-Rp5.000");
        assert_eq!(format_signed(Decimal::from(5000)), "Rp5.000");
        assert_eq!(format_signed(Decimal::ZERO), "Rp0");
        assert_eq!(format_signed(Decimal::new(-4, 1)), "Rp0");
        assert_eq!(format_signed(Decimal::new(12345, 1)), "Rp1.235");
        assert_eq!(format_signed(Decimal::new(100000, 2)), "Rp1.000");
        assert_eq!(
            format_signed(Decimal::MIN),
            "-Rp79.228.162.514.264.337.593.543.950.335"
        );
        assert_eq!(rp(5_000).signed_sub(rp(10_000)), Decimal::from(-5000));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(rp(40_000).checked_add(rp(35_000)), Some(rp(75_000)));
        assert_eq!(rp(i64::MAX).checked_add(rp(1)), None);
        assert_eq!(rp(10).checked_sub(rp(3)), Some(rp(7)));
        assert_eq!(rp(3).checked_sub(rp(10)), None);
        assert_eq!(Rupiah::checked_sum([rp(1), rp(2), rp(3)]), Some(rp(6)));
        assert_eq!(Rupiah::checked_sum(Vec::new()), Some(Rupiah::zero()));
        assert_eq!(rp(40_000).checked_mul(11), Some(rp(440_000)));
        assert_eq!(rp(i64::MAX).checked_mul(2), None);
        assert_eq!(rp(75_000).amount(), Decimal::from(75_000));
        assert_eq!(rp(75_000).whole(), 75_000);
        assert!(Rupiah::zero().is_zero());
        assert!(!rp(5_000_000).needs_meterai());
        assert!(rp(5_000_001).needs_meterai());
        assert_eq!(Rupiah::default(), Rupiah::zero());
    }

    #[test]
    fn constructors() {
        assert!(matches!(
            Rupiah::from_whole(-1),
            Err(RupiahError::Negative { .. })
        ));
        assert_eq!(
            Rupiah::from_decimal(Decimal::new(7500000, 2)),
            Ok(rp(75_000))
        );
        assert!(matches!(
            Rupiah::from_decimal(Decimal::new(755, 1)),
            Err(RupiahError::Fraction { .. })
        ));
        assert!(matches!(
            Rupiah::from_decimal(Decimal::from(-1)),
            Err(RupiahError::Negative { .. })
        ));
        assert!(matches!(
            Rupiah::from_decimal(Decimal::MAX),
            Err(RupiahError::TooLarge { .. })
        ));
        assert_eq!(Rupiah::try_from(Decimal::from(5)), Ok(rp(5)));
        assert_eq!("Rp5.000".parse::<Rupiah>(), Ok(rp(5_000)));
    }

    #[test]
    fn serde_as_string() {
        assert_eq!(serde_json::to_string(&rp(75_000)).unwrap(), "\"75000\"");
        assert_eq!(
            serde_json::from_str::<Rupiah>("\"75000\"").unwrap(),
            rp(75_000)
        );
        assert_eq!(serde_json::from_str::<Rupiah>("75000").unwrap(), rp(75_000));
        assert!(serde_json::from_str::<Rupiah>("\"-5\"").is_err());
        assert!(serde_json::from_str::<Rupiah>("-5").is_err());
        assert!(serde_json::from_str::<Rupiah>("1.5").is_err());
    }

    #[test]
    fn automerge_as_string_scalar() {
        assert_eq!(
            stored_scalar(&rp(75_000)),
            automerge::ScalarValue::Str("75000".into())
        );
        assert_eq!(roundtrip(&rp(75_000)), rp(75_000));
        assert_eq!(hydrate_from::<Rupiah>("75000").unwrap(), rp(75_000));
        assert_eq!(hydrate_from::<Rupiah>(75_000i64).unwrap(), rp(75_000));
        assert_eq!(hydrate_from::<Rupiah>(75_000u64).unwrap(), rp(75_000));
        assert!(hydrate_from::<Rupiah>(-1i64).is_err());
        assert!(hydrate_from::<Rupiah>(u64::MAX).is_err());
        assert!(hydrate_from::<Rupiah>("abc").is_err());
        assert!(hydrate_from::<Rupiah>(true).is_err());
    }

    proptest! {
        #[test]
        fn display_parse_roundtrip(v in 0i64..=i64::MAX) {
            let r = rp(v);
            prop_assert_eq!(Rupiah::parse(&r.to_string()), Ok(r));
            prop_assert_eq!(Rupiah::parse(&r.format_formal()), Ok(r));
            prop_assert_eq!(Rupiah::parse(&r.whole().to_string()), Ok(r));
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Rupiah::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_number_like(s in "[Rrp. 0-9,+eE-]{0,30}") {
            if let Ok(r) = Rupiah::parse(&s) {
                prop_assert!(r.whole() >= 0);
            }
        }
    }
}
