//! Places: Kemendagri region codes (kode wilayah), the 38 province codes, and RT/RW
//! numbers (docs/domain.md#rt-rw-and-kode-wilayah).

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The 38 provinces of Indonesia as `(code, name)`, in code order (Kemendagri).
///
/// Includes the 2022 Papua splits: 91 Papua, 92 Papua Barat, 93 Papua Selatan,
/// 94 Papua Tengah, 95 Papua Pegunungan, 96 Papua Barat Daya. The first two digits of
/// a NIK or Nomor KK are one of these codes (the region of first registration; older
/// Papuan NIKs may carry a code whose province has since been renamed).
pub const PROVINCE_CODES: [(&str, &str); 38] = [
    ("11", "Aceh"),
    ("12", "Sumatera Utara"),
    ("13", "Sumatera Barat"),
    ("14", "Riau"),
    ("15", "Jambi"),
    ("16", "Sumatera Selatan"),
    ("17", "Bengkulu"),
    ("18", "Lampung"),
    ("19", "Kepulauan Bangka Belitung"),
    ("21", "Kepulauan Riau"),
    ("31", "DKI Jakarta"),
    ("32", "Jawa Barat"),
    ("33", "Jawa Tengah"),
    ("34", "DI Yogyakarta"),
    ("35", "Jawa Timur"),
    ("36", "Banten"),
    ("51", "Bali"),
    ("52", "Nusa Tenggara Barat"),
    ("53", "Nusa Tenggara Timur"),
    ("61", "Kalimantan Barat"),
    ("62", "Kalimantan Tengah"),
    ("63", "Kalimantan Selatan"),
    ("64", "Kalimantan Timur"),
    ("65", "Kalimantan Utara"),
    ("71", "Sulawesi Utara"),
    ("72", "Sulawesi Tengah"),
    ("73", "Sulawesi Selatan"),
    ("74", "Sulawesi Tenggara"),
    ("75", "Gorontalo"),
    ("76", "Sulawesi Barat"),
    ("81", "Maluku"),
    ("82", "Maluku Utara"),
    ("91", "Papua"),
    ("92", "Papua Barat"),
    ("93", "Papua Selatan"),
    ("94", "Papua Tengah"),
    ("95", "Papua Pegunungan"),
    ("96", "Papua Barat Daya"),
];

/// The name of a province from its two-digit code (`"34"` -> `"DI Yogyakarta"`).
pub fn province_name(code: &str) -> Option<&'static str> {
    PROVINCE_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

/// Why an RT or RW number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtRwError {
    /// Nothing was given.
    #[error("{kind} is empty")]
    Empty {
        /// `"RT"` or `"RW"`.
        kind: &'static str,
    },
    /// The text is not a number (after an optional `RT`/`RW` prefix).
    #[error("{kind} must be a number like 27 or \"{kind} 027\", got \"{input}\"")]
    NotNumber {
        /// `"RT"` or `"RW"`.
        kind: &'static str,
        /// The text as given.
        input: String,
    },
    /// The number is outside 1..=999.
    #[error("{kind} must be 1 to 999, got {value}")]
    OutOfRange {
        /// `"RT"` or `"RW"`.
        kind: &'static str,
        /// The number read.
        value: u64,
    },
}

fn parse_rt_rw(input: &str, kind: &'static str) -> Result<u16, RtRwError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(RtRwError::Empty { kind });
    }
    let not_number = || RtRwError::NotNumber {
        kind,
        input: input.to_string(),
    };
    let mut rest = trimmed;
    if rest.len() >= 2 && rest.is_char_boundary(2) && rest[..2].eq_ignore_ascii_case(kind) {
        rest = rest[2..].trim_start();
        rest = rest.strip_prefix(['.', ':']).unwrap_or(rest).trim_start();
    }
    if rest.is_empty() || rest.len() > 12 || !rest.chars().all(|c| c.is_ascii_digit()) {
        return Err(not_number());
    }
    let value: u64 = rest.parse().map_err(|_| not_number())?;
    match u16::try_from(value) {
        Ok(v) if (1..=999).contains(&v) => Ok(v),
        _ => Err(RtRwError::OutOfRange { kind, value }),
    }
}

/// Parses an RT number: `"27"`, `"027"`, `"RT 27"`, `"rt.027"`, `"RT:27"` -> 27.
///
/// RT and RW have no national code: they are small integers, 1..=999
/// (docs/domain.md#rt-rw-and-kode-wilayah).
/// A text starting with `RW` is refused.
pub fn parse_rt(input: &str) -> Result<u16, RtRwError> {
    parse_rt_rw(input, "RT")
}

/// Parses an RW number: `"8"`, `"008"`, `"RW 08"`, `"rw.008"` -> 8 (1..=999).
pub fn parse_rw(input: &str) -> Result<u16, RtRwError> {
    parse_rt_rw(input, "RW")
}

/// `"RT 027"`: an RT number zero-padded to three digits.
pub fn format_rt(rt: u16) -> String {
    format!("RT {rt:03}")
}

/// `"RW 008"`: an RW number zero-padded to three digits.
pub fn format_rw(rw: u16) -> String {
    format!("RW {rw:03}")
}

/// `"RT 027 / RW 008"` (docs/domain.md#rt-rw-and-kode-wilayah).
pub fn format_rt_rw(rt: u16, rw: u16) -> String {
    format!("{} / {}", format_rt(rt), format_rw(rw))
}

/// Why a kode wilayah was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WilayahError {
    /// Nothing was given.
    #[error("region code is empty")]
    Empty,
    /// Not `PP.KK.CC.DDDD` nor 10 digits.
    #[error("region code must look like 34.71.13.1006 (10 digits), got \"{input}\"")]
    Format {
        /// The text as given.
        input: String,
    },
    /// The first two digits are not one of the 38 province codes.
    #[error("unknown province code {code}")]
    Province {
        /// The two digits read.
        code: String,
    },
    /// The kabupaten/kota or kecamatan part is `00`.
    #[error("{part} code must not be 00")]
    ZeroPart {
        /// `"kabupaten/kota"` or `"kecamatan"`.
        part: &'static str,
    },
    /// The village part does not start with 1 (kelurahan) or 2 (desa), or is x000.
    #[error(
        "village code must start with 1 (kelurahan) or 2 (desa) and not end in 000, got {code}"
    )]
    Village {
        /// The four digits read.
        code: String,
    },
}

/// A Kemendagri code of a desa or kelurahan, e.g. `34.71.13.1006` (Sorosutan).
///
/// Levels: provinsi `34` (DI Yogyakarta), kabupaten/kota `34.71` (Kota Yogyakarta),
/// kecamatan `34.71.13` (Umbulharjo), desa/kelurahan `34.71.13.1006`. Village codes
/// starting with 1 are kelurahan, with 2 desa
/// (docs/domain.md#rt-rw-and-kode-wilayah).
/// Displayed and stored with dots.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KodeWilayah(String);

impl KodeWilayah {
    /// Parses `"34.71.13.1006"` or `"3471131006"` (surrounding spaces allowed).
    pub fn parse(input: &str) -> Result<KodeWilayah, WilayahError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(WilayahError::Empty);
        }
        let format = || WilayahError::Format {
            input: input.to_string(),
        };
        if !trimmed.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(format());
        }
        let digits: String = if trimmed.contains('.') {
            let parts: Vec<&str> = trimmed.split('.').collect();
            let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
            if lens != [2, 2, 2, 4] {
                return Err(format());
            }
            parts.concat()
        } else {
            trimmed.to_string()
        };
        if digits.len() != 10 {
            return Err(format());
        }
        let province = &digits[0..2];
        if province_name(province).is_none() {
            return Err(WilayahError::Province {
                code: province.to_string(),
            });
        }
        if &digits[2..4] == "00" {
            return Err(WilayahError::ZeroPart {
                part: "kabupaten/kota",
            });
        }
        if &digits[4..6] == "00" {
            return Err(WilayahError::ZeroPart { part: "kecamatan" });
        }
        let village = &digits[6..10];
        if !(village.starts_with('1') || village.starts_with('2')) || &village[1..] == "000" {
            return Err(WilayahError::Village {
                code: village.to_string(),
            });
        }
        Ok(KodeWilayah(digits))
    }

    fn part(&self, from: usize, to: usize) -> &str {
        self.0.get(from..to).unwrap_or("")
    }

    /// Province code, e.g. `"34"`.
    pub fn provinsi(&self) -> &str {
        self.part(0, 2)
    }

    /// Province name, e.g. `"DI Yogyakarta"`.
    pub fn province_name(&self) -> &'static str {
        province_name(self.provinsi()).unwrap_or("")
    }

    /// Kabupaten/kota code with dots, e.g. `"34.71"`.
    pub fn kota(&self) -> String {
        format!("{}.{}", self.provinsi(), self.part(2, 4))
    }

    /// True if the second level is a kota (codes 71–99), false for a kabupaten (01–70).
    pub fn is_kota(&self) -> bool {
        self.part(2, 4) >= "71"
    }

    /// Kecamatan code with dots, e.g. `"34.71.13"`.
    pub fn kecamatan(&self) -> String {
        format!("{}.{}", self.kota(), self.part(4, 6))
    }

    /// The full desa/kelurahan code with dots, e.g. `"34.71.13.1006"`.
    pub fn desa(&self) -> String {
        format!("{}.{}", self.kecamatan(), self.part(6, 10))
    }

    /// True for a kelurahan (village code starting with 1), false for a desa (2).
    pub fn is_kelurahan(&self) -> bool {
        self.part(6, 7) == "1"
    }

    /// The 10 digits without dots, e.g. `"3471131006"`.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KodeWilayah {
    /// `34.71.13.1006`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.desa())
    }
}

impl FromStr for KodeWilayah {
    type Err = WilayahError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KodeWilayah::parse(s)
    }
}

impl Serialize for KodeWilayah {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for KodeWilayah {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        KodeWilayah::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Reconcile for KodeWilayah {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.to_string())
    }
}

impl Hydrate for KodeWilayah {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        KodeWilayah::parse(s).map_err(|e| HydrateError::unexpected("a kode wilayah", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{hydrate_from, roundtrip};

    #[test]
    fn province_list() {
        assert_eq!(PROVINCE_CODES.len(), 38);
        let mut codes: Vec<&str> = PROVINCE_CODES.iter().map(|(c, _)| *c).collect();
        codes.dedup();
        assert_eq!(codes.len(), 38);
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(province_name("11"), Some("Aceh"));
        assert_eq!(province_name("34"), Some("DI Yogyakarta"));
        assert_eq!(province_name("96"), Some("Papua Barat Daya"));
        assert_eq!(province_name("20"), None);
        assert_eq!(province_name("54"), None);
    }

    #[test]
    fn rt_rw_parsing() {
        for s in ["27", "027", "RT 27", "rt.027", "RT. 027", "RT:27", " Rt27 "] {
            assert_eq!(parse_rt(s), Ok(27), "{s}");
        }
        for s in ["8", "008", "RW 08", "rw.008"] {
            assert_eq!(parse_rw(s), Ok(8), "{s}");
        }
        assert_eq!(parse_rt(""), Err(RtRwError::Empty { kind: "RT" }));
        assert_eq!(
            parse_rt("0"),
            Err(RtRwError::OutOfRange {
                kind: "RT",
                value: 0
            })
        );
        assert_eq!(
            parse_rt("1000"),
            Err(RtRwError::OutOfRange {
                kind: "RT",
                value: 1000
            })
        );
        assert_eq!(parse_rt("999"), Ok(999));
        assert!(matches!(
            parse_rt("RW 08"),
            Err(RtRwError::NotNumber { .. })
        ));
        assert!(matches!(parse_rt("-1"), Err(RtRwError::NotNumber { .. })));
        assert!(matches!(parse_rt("2a"), Err(RtRwError::NotNumber { .. })));
        assert!(matches!(
            parse_rt("99999999999999999999"),
            Err(RtRwError::NotNumber { .. })
        ));
        assert!(matches!(parse_rt("é"), Err(RtRwError::NotNumber { .. })));
        assert!(matches!(parse_rt("éé"), Err(RtRwError::NotNumber { .. })));
        assert_eq!(
            parse_rt("0").unwrap_err().to_string(),
            "RT must be 1 to 999, got 0"
        );
    }

    #[test]
    fn rt_rw_formatting() {
        assert_eq!(format_rt_rw(27, 8), "RT 027 / RW 008");
        assert_eq!(format_rt(5), "RT 005");
        assert_eq!(format_rw(120), "RW 120");
    }

    #[test]
    fn kode_wilayah_levels() {
        let k = KodeWilayah::parse("34.71.13.1006").unwrap();
        assert_eq!(k.provinsi(), "34");
        assert_eq!(k.province_name(), "DI Yogyakarta");
        assert_eq!(k.kota(), "34.71");
        assert!(k.is_kota());
        assert_eq!(k.kecamatan(), "34.71.13");
        assert_eq!(k.desa(), "34.71.13.1006");
        assert!(k.is_kelurahan());
        assert_eq!(k.digits(), "3471131006");
        assert_eq!(k.to_string(), "34.71.13.1006");
        assert_eq!(KodeWilayah::parse("3471131006"), Ok(k.clone()));
        assert_eq!(" 34.71.13.1006 ".parse::<KodeWilayah>(), Ok(k));
        let desa = KodeWilayah::parse("34.02.11.2001").unwrap();
        assert!(!desa.is_kelurahan());
        assert!(!desa.is_kota());
    }

    #[test]
    fn kode_wilayah_refused() {
        assert_eq!(KodeWilayah::parse(""), Err(WilayahError::Empty));
        assert!(matches!(
            KodeWilayah::parse("34.71.13"),
            Err(WilayahError::Format { .. })
        ));
        assert!(matches!(
            KodeWilayah::parse("347113100"),
            Err(WilayahError::Format { .. })
        ));
        assert!(matches!(
            KodeWilayah::parse("3.471.13.1006"),
            Err(WilayahError::Format { .. })
        ));
        assert!(matches!(
            KodeWilayah::parse("34-71-13-1006"),
            Err(WilayahError::Format { .. })
        ));
        assert!(matches!(
            KodeWilayah::parse("34.7a.13.1006"),
            Err(WilayahError::Format { .. })
        ));
        assert_eq!(
            KodeWilayah::parse("99.71.13.1006"),
            Err(WilayahError::Province { code: "99".into() })
        );
        assert!(matches!(
            KodeWilayah::parse("34.00.13.1006"),
            Err(WilayahError::ZeroPart { .. })
        ));
        assert!(matches!(
            KodeWilayah::parse("34.71.00.1006"),
            Err(WilayahError::ZeroPart { .. })
        ));
        assert!(matches!(
            KodeWilayah::parse("34.71.13.3006"),
            Err(WilayahError::Village { .. })
        ));
        assert!(matches!(
            KodeWilayah::parse("34.71.13.1000"),
            Err(WilayahError::Village { .. })
        ));
    }

    #[test]
    fn kode_wilayah_storage() {
        let k = KodeWilayah::parse("3471131006").unwrap();
        assert_eq!(serde_json::to_string(&k).unwrap(), "\"34.71.13.1006\"");
        assert_eq!(
            serde_json::from_str::<KodeWilayah>("\"3471131006\"").unwrap(),
            k
        );
        assert_eq!(roundtrip(&k), k);
        assert!(hydrate_from::<KodeWilayah>("nope").is_err());
    }
}
