//! The 26 PMKS (Penyandang Masalah Kesejahteraan Sosial; newer texts say PPKS) of
//! Permensos No. 08 Tahun 2012, and the status of a person's PMKS record.
//!
//! Codes are stable and stored; names are for display (docs/domain.md#pmks-the-26-kinds).

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::normalize_key;

/// Official names, index = code - 1 (Permensos 08/2012).
const NAMES: [&str; 26] = [
    "Anak Balita Terlantar",
    "Anak Terlantar",
    "Anak yang Berhadapan dengan Hukum",
    "Anak Jalanan",
    "Anak dengan Kedisabilitasan",
    "Anak Korban Tindak Kekerasan atau Diperlakukan Salah",
    "Anak yang Memerlukan Perlindungan Khusus",
    "Lanjut Usia Terlantar",
    "Penyandang Disabilitas",
    "Tuna Susila",
    "Gelandangan",
    "Pengemis",
    "Pemulung",
    "Kelompok Minoritas",
    "Bekas Warga Binaan Lembaga Pemasyarakatan",
    "Orang dengan HIV/AIDS",
    "Korban Penyalahgunaan NAPZA",
    "Korban Trafficking",
    "Korban Tindak Kekerasan",
    "Pekerja Migran Bermasalah Sosial",
    "Korban Bencana Alam",
    "Korban Bencana Sosial",
    "Perempuan Rawan Sosial Ekonomi",
    "Fakir Miskin",
    "Keluarga Bermasalah Sosial Psikologis",
    "Komunitas Adat Terpencil",
];

/// The local priority tag for children at risk of leaving school (on code 2).
const TAG_PUTUS_SEKOLAH: &str = "rawan putus sekolah";
/// The local priority tag for poor elderly (on code 8).
const TAG_LANSIA_MISKIN: &str = "lansia miskin";

/// Other names accepted by [`PmksCode::from_name`]: abbreviations and older official
/// wording, then the founding study's local names (with the local priority tag, if any).
const ALIASES: &[(&str, u8, Option<&str>)] = &[
    ("ABT", 1, None),
    ("Balita Terlantar", 1, None),
    ("ABH", 3, None),
    ("ADK", 5, None),
    ("Anak dengan Kecacatan", 5, None),
    ("Anak Disabilitas", 5, None),
    ("AMPK", 7, None),
    ("Lansia Terlantar", 8, None),
    ("Penyandang Cacat", 9, None),
    ("Wanita Tuna Susila", 10, None),
    ("BWBLP", 15, None),
    ("ODHA", 16, None),
    ("Orang dengan HIV AIDS", 16, None),
    ("Korban NAPZA", 17, None),
    ("Korban Perdagangan Orang", 18, None),
    ("PMBS", 20, None),
    ("Pekerja Migran Bermasalah", 20, None),
    ("Wanita Rawan Sosial Ekonomi", 23, None),
    ("PRSE", 23, None),
    ("WRSE", 23, None),
    ("KAT", 26, None),
    // The founding study's local names (docs/domain.md#local-names-for-pmks), mapped onto
    // the 26 by this project.
    ("lansia miskin", 8, Some(TAG_LANSIA_MISKIN)),
    ("keluarga miskin", 24, None),
    ("korban narkoba", 17, None),
    ("anak terlantar", 2, None),
    ("anak jalanan", 4, None),
    ("korban kekerasan", 19, None),
    ("keluarga bermasalah", 25, None),
    ("keluarga cacat", 9, None),
    ("anak putus sekolah", 2, Some(TAG_PUTUS_SEKOLAH)),
    ("anak rawan putus sekolah", 2, Some(TAG_PUTUS_SEKOLAH)),
    ("rawan putus sekolah", 2, Some(TAG_PUTUS_SEKOLAH)),
    ("kenakalan anak", 3, None),
];

/// One of the 26 PMKS categories of Permensos No. 08 Tahun 2012, by its number 1..=26.
///
/// Stored as the integer (serde and Automerge); the name is for display only, so a
/// renamed category still reads old records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PmksCode(u8);

/// The result of [`PmksCode::from_name`]: the category and, for the founding study's
/// local priorities, a local tag (`"rawan putus sekolah"` on code 2, `"lansia miskin"`
/// on code 8) — a tag, not a 27th category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PmksNameMatch {
    /// The PMKS category.
    pub code: PmksCode,
    /// The local priority tag, if the name was one.
    pub tag: Option<&'static str>,
}

/// Why a PMKS code or name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PmksError {
    /// The number is not 1..=26.
    #[error("PMKS code must be 1 to 26, got {code}")]
    OutOfRange {
        /// The number given.
        code: i64,
    },
    /// The text is not a number.
    #[error("PMKS code must be a number 1 to 26, got \"{input}\"")]
    NotANumber {
        /// The text as given.
        input: String,
    },
    /// The name matches none of the 26 categories or known local names.
    #[error("unknown PMKS category \"{input}\"")]
    UnknownName {
        /// The text as given.
        input: String,
    },
}

impl PmksCode {
    /// The code for a number 1..=26.
    pub fn new(code: u8) -> Result<PmksCode, PmksError> {
        if (1..=26).contains(&code) {
            Ok(PmksCode(code))
        } else {
            Err(PmksError::OutOfRange {
                code: i64::from(code),
            })
        }
    }

    /// Parses a number written as text: `"8"`, `"08"`, `" 24 "`.
    pub fn parse(input: &str) -> Result<PmksCode, PmksError> {
        let s = input.trim();
        if s.is_empty() || s.len() > 18 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(PmksError::NotANumber {
                input: input.to_string(),
            });
        }
        let n: i64 = s.parse().map_err(|_| PmksError::NotANumber {
            input: input.to_string(),
        })?;
        PmksCode::from_i64(n)
    }

    fn from_i64(n: i64) -> Result<PmksCode, PmksError> {
        u8::try_from(n)
            .ok()
            .and_then(|c| PmksCode::new(c).ok())
            .ok_or(PmksError::OutOfRange { code: n })
    }

    /// The number, 1..=26.
    pub fn code(self) -> u8 {
        self.0
    }

    /// The official name (Permensos 08/2012), e.g. code 8 -> `"Lanjut Usia Terlantar"`.
    pub fn name(self) -> &'static str {
        NAMES
            .get(usize::from(self.0).saturating_sub(1))
            .copied()
            .unwrap_or("")
    }

    /// All 26 categories in order.
    pub fn all() -> impl Iterator<Item = PmksCode> {
        (1..=26).map(PmksCode)
    }

    /// Finds a category by name, ignoring case and extra spaces.
    ///
    /// Accepts the official names, some abbreviations and older official wording
    /// (`ODHA`, `Penyandang Cacat`, `Wanita Rawan Sosial Ekonomi`…), and the founding
    /// study's local names as this project maps them: lansia miskin -> 8 (tag
    /// "lansia miskin"), keluarga miskin -> 24, korban narkoba -> 17, anak terlantar -> 2,
    /// anak jalanan -> 4, korban kekerasan -> 19, keluarga bermasalah -> 25, keluarga
    /// cacat -> 9, kenakalan anak -> 3, anak (rawan) putus sekolah -> 2 with tag
    /// "rawan putus sekolah".
    pub fn from_name(input: &str) -> Result<PmksNameMatch, PmksError> {
        let key = normalize_key(input);
        if let Some(i) = NAMES.iter().position(|n| normalize_key(n) == key) {
            let code = u8::try_from(i + 1).unwrap_or(0);
            return Ok(PmksNameMatch {
                code: PmksCode(code),
                tag: None,
            });
        }
        ALIASES
            .iter()
            .find(|(alias, _, _)| normalize_key(alias) == key)
            .map(|&(_, code, tag)| PmksNameMatch {
                code: PmksCode(code),
                tag,
            })
            .ok_or_else(|| PmksError::UnknownName {
                input: input.to_string(),
            })
    }

    /// The age range (inclusive, years) the category is meant for, if it has one
    /// (docs/domain.md#pmks-the-26-kinds): 1: 0–5; 2 and 7: 6–18; 3: 12–17; 5 and 6: 0–17;
    /// 8: 60+; 15: 19+; 23: 18–59.
    pub fn age_range(self) -> Option<(u32, Option<u32>)> {
        match self.0 {
            1 => Some((0, Some(5))),
            2 | 7 => Some((6, Some(18))),
            3 => Some((12, Some(17))),
            5 | 6 => Some((0, Some(17))),
            8 => Some((60, None)),
            15 => Some((19, None)),
            23 => Some((18, Some(59))),
            _ => None,
        }
    }

    /// A warning if `age_years` is outside the category's age rule, else `None`.
    ///
    /// Age rules warn, they never block (docs/domain.md#pmks-the-26-kinds): e.g. code 8 for a
    /// 55-year-old gives "Lanjut Usia Terlantar is for age 60 or older; this person is 55".
    pub fn age_warning(self, age_years: u32) -> Option<String> {
        let (min, max) = self.age_range()?;
        let inside = age_years >= min && max.is_none_or(|m| age_years <= m);
        if inside {
            return None;
        }
        let rule = match (self.0, max) {
            (3, _) => "age 12 to under 18".to_string(),
            (5 | 6, _) => "under 18".to_string(),
            (15, _) => "over 18".to_string(),
            (_, None) => format!("age {min} or older"),
            (_, Some(max)) => format!("age {min} to {max}"),
        };
        Some(format!(
            "{} is for {rule}; this person is {age_years}",
            self.name()
        ))
    }
}

impl fmt::Display for PmksCode {
    /// `8 Lanjut Usia Terlantar`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.name())
    }
}

impl FromStr for PmksCode {
    type Err = PmksError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PmksCode::parse(s)
    }
}

impl TryFrom<u8> for PmksCode {
    type Error = PmksError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        PmksCode::new(value)
    }
}

impl Serialize for PmksCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for PmksCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = PmksCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a PMKS code 1 to 26")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PmksCode, E> {
                PmksCode::from_i64(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PmksCode, E> {
                let v = i64::try_from(v).unwrap_or(i64::MAX);
                PmksCode::from_i64(v).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PmksCode, E> {
                PmksCode::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Reconcile for PmksCode {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.u64(u64::from(self.0))
    }
}

impl Hydrate for PmksCode {
    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        PmksCode::from_i64(i)
            .map_err(|e| HydrateError::unexpected("a PMKS code 1 to 26", e.to_string()))
    }
    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        Self::hydrate_int(i64::try_from(u).unwrap_or(i64::MAX))
    }
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        PmksCode::parse(s)
            .map_err(|e| HydrateError::unexpected("a PMKS code 1 to 26", e.to_string()))
    }
}

/// A PMKS status outside the list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {field} \"{input}\" (expected one of: {expected})")]
pub struct PmksStatusError {
    /// Always `"PMKS status"`.
    pub field: &'static str,
    /// The text as given.
    pub input: String,
    /// The codes, comma-separated.
    pub expected: String,
}

code_enum! {
    /// Where a person's PMKS record stands, in order: identified in the field, verified
    /// by the board, made a priority at the monthly musyawarah, being served, done.
    /// Stored as the lowercase code (`"dilayani"`).
    PmksStatus, field = "PMKS status", error = PmksStatusError {
        /// Identified (found in the survey or reported).
        Teridentifikasi => "teridentifikasi", "Teridentifikasi", [],
        /// Verified by the board.
        Terverifikasi => "terverifikasi", "Terverifikasi", [],
        /// Chosen as a priority at the musyawarah.
        Prioritas => "prioritas", "Prioritas", [],
        /// Receiving services.
        Dilayani => "dilayani", "Dilayani", [],
        /// Finished (no longer needs service).
        Selesai => "selesai", "Selesai", [],
    }
}

impl Default for PmksStatus {
    /// The first stage: identified.
    fn default() -> Self {
        PmksStatus::Teridentifikasi
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{csv_rows, hydrate_from, roundtrip, rw08_file, stored_scalar};

    fn c(n: u8) -> PmksCode {
        PmksCode::new(n).unwrap()
    }

    #[test]
    fn codes_and_names() {
        assert_eq!(PmksCode::all().count(), 26);
        assert_eq!(c(1).name(), "Anak Balita Terlantar");
        assert_eq!(c(8).name(), "Lanjut Usia Terlantar");
        assert_eq!(c(24).name(), "Fakir Miskin");
        assert_eq!(c(26).name(), "Komunitas Adat Terpencil");
        assert_eq!(c(8).code(), 8);
        assert_eq!(c(8).to_string(), "8 Lanjut Usia Terlantar");
        assert_eq!(PmksCode::new(0), Err(PmksError::OutOfRange { code: 0 }));
        assert_eq!(PmksCode::new(27), Err(PmksError::OutOfRange { code: 27 }));
        assert_eq!(PmksCode::parse(" 08 "), Ok(c(8)));
        assert_eq!("24".parse::<PmksCode>(), Ok(c(24)));
        assert!(matches!(
            PmksCode::parse("x"),
            Err(PmksError::NotANumber { .. })
        ));
        assert!(matches!(
            PmksCode::parse("-1"),
            Err(PmksError::NotANumber { .. })
        ));
        assert!(matches!(
            PmksCode::parse("300"),
            Err(PmksError::OutOfRange { code: 300 })
        ));
        assert!(PmksCode::parse("99999999999999999999999").is_err());
        assert_eq!(PmksCode::try_from(9u8), Ok(c(9)));
        for code in PmksCode::all() {
            assert!(!code.name().is_empty());
            assert_eq!(PmksCode::from_name(code.name()).unwrap().code, code);
        }
    }

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(PmksCode::from_name("fakir miskin").unwrap().code, c(24));
        assert_eq!(
            PmksCode::from_name("  LANJUT  usia terlantar ")
                .unwrap()
                .code,
            c(8)
        );
        assert_eq!(
            PmksCode::from_name("orang dengan hiv / aids").unwrap().code,
            c(16)
        );
        assert!(matches!(
            PmksCode::from_name("Pengangguran"),
            Err(PmksError::UnknownName { .. })
        ));
        assert!(PmksCode::from_name("").is_err());
    }

    #[test]
    fn founding_study_names() {
        let m = |s: &str| {
            let r = PmksCode::from_name(s).unwrap();
            (r.code.code(), r.tag)
        };
        assert_eq!(m("lansia miskin"), (8, Some("lansia miskin")));
        assert_eq!(m("keluarga miskin"), (24, None));
        assert_eq!(m("korban narkoba"), (17, None));
        assert_eq!(m("anak terlantar"), (2, None));
        assert_eq!(m("anak jalanan"), (4, None));
        assert_eq!(m("korban kekerasan"), (19, None));
        assert_eq!(m("keluarga bermasalah"), (25, None));
        assert_eq!(m("keluarga cacat"), (9, None));
        assert_eq!(m("anak putus sekolah"), (2, Some("rawan putus sekolah")));
        assert_eq!(
            m("Anak Rawan Putus Sekolah"),
            (2, Some("rawan putus sekolah"))
        );
        assert_eq!(m("kenakalan anak"), (3, None));
    }

    #[test]
    fn age_rules_warn() {
        assert_eq!(c(1).age_warning(5), None);
        assert!(c(1).age_warning(6).is_some());
        assert_eq!(c(2).age_warning(6), None);
        assert_eq!(c(2).age_warning(18), None);
        assert!(c(2).age_warning(5).is_some());
        assert!(c(2).age_warning(19).is_some());
        assert_eq!(c(3).age_warning(12), None);
        assert_eq!(c(3).age_warning(17), None);
        assert!(c(3).age_warning(11).is_some());
        assert!(c(3).age_warning(18).is_some());
        assert_eq!(c(5).age_warning(17), None);
        assert!(c(5).age_warning(18).is_some());
        assert!(c(6).age_warning(18).is_some());
        assert!(c(7).age_warning(19).is_some());
        assert_eq!(c(8).age_warning(60), None);
        assert_eq!(c(8).age_warning(95), None);
        assert_eq!(
            c(8).age_warning(55).as_deref(),
            Some("Lanjut Usia Terlantar is for age 60 or older; this person is 55")
        );
        assert!(c(15).age_warning(18).is_some());
        assert_eq!(c(15).age_warning(19), None);
        assert_eq!(c(23).age_warning(18), None);
        assert_eq!(c(23).age_warning(59), None);
        assert_eq!(
            c(23).age_warning(60).as_deref(),
            Some("Perempuan Rawan Sosial Ekonomi is for age 18 to 59; this person is 60")
        );
        assert_eq!(
            c(3).age_warning(18).as_deref(),
            Some("Anak yang Berhadapan dengan Hukum is for age 12 to under 18; this person is 18")
        );
        assert_eq!(c(24).age_warning(0), None);
        assert_eq!(c(24).age_warning(u32::MAX), None);
    }

    #[test]
    fn status() {
        assert_eq!(PmksStatus::all().count(), 5);
        assert_eq!(PmksStatus::Dilayani.as_str(), "dilayani");
        assert_eq!(PmksStatus::Dilayani.label(), "Dilayani");
        assert_eq!(
            PmksStatus::parse("Terverifikasi"),
            Ok(PmksStatus::Terverifikasi)
        );
        assert_eq!(PmksStatus::parse(" SELESAI "), Ok(PmksStatus::Selesai));
        let err = PmksStatus::parse("batal").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown PMKS status \"batal\" (expected one of: teridentifikasi, terverifikasi, prioritas, dilayani, selesai)"
        );
        assert!(PmksStatus::Teridentifikasi < PmksStatus::Selesai);
    }

    #[test]
    fn storage() {
        assert_eq!(serde_json::to_string(&c(8)).unwrap(), "8");
        assert_eq!(serde_json::from_str::<PmksCode>("8").unwrap(), c(8));
        assert_eq!(serde_json::from_str::<PmksCode>("\"8\"").unwrap(), c(8));
        assert!(serde_json::from_str::<PmksCode>("27").is_err());
        assert!(serde_json::from_str::<PmksCode>("-1").is_err());
        assert_eq!(stored_scalar(&c(8)), automerge::ScalarValue::Uint(8));
        assert_eq!(roundtrip(&c(26)), c(26));
        assert_eq!(hydrate_from::<PmksCode>(8i64).unwrap(), c(8));
        assert_eq!(hydrate_from::<PmksCode>("8").unwrap(), c(8));
        assert!(hydrate_from::<PmksCode>(0u64).is_err());
        assert!(hydrate_from::<PmksCode>(u64::MAX).is_err());
        assert!(hydrate_from::<PmksCode>(-3i64).is_err());

        assert_eq!(
            serde_json::to_string(&PmksStatus::Prioritas).unwrap(),
            "\"prioritas\""
        );
        assert_eq!(
            serde_json::from_str::<PmksStatus>("\"dilayani\"").unwrap(),
            PmksStatus::Dilayani
        );
        assert_eq!(
            stored_scalar(&PmksStatus::Selesai),
            automerge::ScalarValue::Str("selesai".into())
        );
        assert_eq!(roundtrip(&PmksStatus::Dilayani), PmksStatus::Dilayani);
        let err = hydrate_from::<PmksStatus>("ditolak").unwrap_err();
        assert!(matches!(err, HydrateError::Unexpected(_)));
        assert!(hydrate_from::<PmksStatus>(2i64).is_err());
    }

    #[test]
    fn reference_data() {
        for r in csv_rows(&rw08_file("pmks-2025.csv")) {
            let code = PmksCode::parse(&r["kode_pmks"]).unwrap();
            assert_eq!(code.name(), r["nama_pmks"]);
            assert_eq!(PmksCode::from_name(&r["nama_pmks"]).unwrap().code, code);
            PmksStatus::parse(&r["status"]).unwrap();
            if !r["tag"].is_empty() {
                let m = PmksCode::from_name(&r["tag"]).unwrap();
                assert_eq!(m.code, code);
                assert_eq!(m.tag, Some(r["tag"].as_str()));
            }
        }
    }
}
