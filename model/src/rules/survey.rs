//! Door-to-door household survey: closed answer lists modelled on the Regsosek 2022
//! form (BPS) and the "14 kriteria rumah tangga miskin" (docs/domain.md#household-survey).

use super::normalize_key;

const LANTAI: &[&str] = &[
    "Marmer/granit",
    "Keramik",
    "Parket/vinil/karpet",
    "Ubin/tegel/teraso",
    "Kayu/papan",
    "Semen/bata merah",
    "Bambu",
    "Tanah",
    "Lainnya",
];

const DINDING: &[&str] = &[
    "Tembok",
    "Plesteran anyaman bambu/kawat",
    "Kayu/papan/gypsum/GRC",
    "Anyaman bambu",
    "Batang kayu",
    "Bambu",
    "Lainnya",
];

const ATAP: &[&str] = &[
    "Beton",
    "Genteng",
    "Seng",
    "Asbes",
    "Kayu/sirap",
    "Bambu",
    "Jerami/ijuk/daun/rumbia",
    "Lainnya",
];

const AIR_MINUM: &[&str] = &[
    "Air kemasan bermerk",
    "Isi ulang",
    "Leding",
    "PDAM",
    "Sumur bor/pompa",
    "Sumur terlindung",
    "Sumur tak terlindung",
    "Mata air terlindung",
    "Mata air tak terlindung",
    "Air permukaan",
    "Air hujan",
    "Lainnya",
];

const PENERANGAN: &[&str] = &[
    "PLN dengan meteran",
    "PLN tanpa meteran",
    "Non-PLN",
    "Bukan listrik",
];

const BAHAN_BAKAR: &[&str] = &[
    "Listrik",
    "Gas elpiji 5,5 kg/blue gaz",
    "Gas elpiji 12 kg",
    "Gas elpiji 3 kg",
    "Gas kota/meteran PGN",
    "Biogas",
    "Minyak tanah",
    "Briket",
    "Arang",
    "Kayu bakar",
    "Lainnya",
    "Tidak memasak di rumah",
];

const FASILITAS_BAB: &[&str] = &[
    "Sendiri",
    "Bersama rumah tangga tertentu",
    "MCK komunal",
    "MCK umum",
    "Ada tapi tidak dipakai",
    "Tidak ada",
];

/// A closed-list question of the household survey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SurveyQuestion {
    /// Widest floor material.
    Lantai,
    /// Widest wall material.
    Dinding,
    /// Widest roof material.
    Atap,
    /// Main source of drinking water.
    AirMinum,
    /// Main source of lighting.
    Penerangan,
    /// Main cooking fuel (Regsosek 2022 list).
    BahanBakar,
    /// Toilet (defecation) facility.
    FasilitasBab,
}

/// A survey answer after [`normalize_answer`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyAnswer {
    /// The canonical option, `""` for no answer, or `"Lainnya: <text>"`.
    pub value: String,
    /// Set when the text was not one of the options and was kept as `Lainnya: <text>`.
    pub warning: Option<String>,
}

impl SurveyQuestion {
    /// All questions, in form order.
    pub fn all() -> impl Iterator<Item = SurveyQuestion> {
        [
            SurveyQuestion::Lantai,
            SurveyQuestion::Dinding,
            SurveyQuestion::Atap,
            SurveyQuestion::AirMinum,
            SurveyQuestion::Penerangan,
            SurveyQuestion::BahanBakar,
            SurveyQuestion::FasilitasBab,
        ]
        .into_iter()
    }

    /// The answer options, exactly as in docs/domain.md#household-survey (cooking fuel:
    /// Regsosek 2022's list).
    pub fn options(self) -> &'static [&'static str] {
        match self {
            SurveyQuestion::Lantai => LANTAI,
            SurveyQuestion::Dinding => DINDING,
            SurveyQuestion::Atap => ATAP,
            SurveyQuestion::AirMinum => AIR_MINUM,
            SurveyQuestion::Penerangan => PENERANGAN,
            SurveyQuestion::BahanBakar => BAHAN_BAKAR,
            SurveyQuestion::FasilitasBab => FASILITAS_BAB,
        }
    }

    /// The CSV column name, e.g. `"air_minum"`.
    pub fn csv_name(self) -> &'static str {
        match self {
            SurveyQuestion::Lantai => "lantai",
            SurveyQuestion::Dinding => "dinding",
            SurveyQuestion::Atap => "atap",
            SurveyQuestion::AirMinum => "air_minum",
            SurveyQuestion::Penerangan => "penerangan",
            SurveyQuestion::BahanBakar => "bahan_bakar",
            SurveyQuestion::FasilitasBab => "fasilitas_bab",
        }
    }

    /// The question from its CSV column name.
    pub fn from_csv_name(name: &str) -> Option<SurveyQuestion> {
        SurveyQuestion::all().find(|q| q.csv_name() == name.trim())
    }

    /// The question as asked, in Indonesian.
    pub fn label(self) -> &'static str {
        match self {
            SurveyQuestion::Lantai => "Jenis lantai terluas",
            SurveyQuestion::Dinding => "Jenis dinding terluas",
            SurveyQuestion::Atap => "Jenis atap terluas",
            SurveyQuestion::AirMinum => "Sumber air minum utama",
            SurveyQuestion::Penerangan => "Sumber penerangan utama",
            SurveyQuestion::BahanBakar => "Bahan bakar utama untuk memasak",
            SurveyQuestion::FasilitasBab => "Fasilitas tempat buang air besar",
        }
    }
}

/// Maps a typed answer onto the question's options.
///
/// Matching ignores case and extra spaces (also around `/`, `-`, `,`) and gives the
/// canonical option. Empty input gives an empty value. Text already written as
/// `Lainnya: <text>` is kept (canonical prefix, no warning). Anything else is kept as
/// `"Lainnya: <text>"` with a warning naming the question (docs/domain.md#household-survey).
pub fn normalize_answer(question: SurveyQuestion, input: &str) -> SurveyAnswer {
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return SurveyAnswer {
            value: String::new(),
            warning: None,
        };
    }
    let key = normalize_key(&text);
    if let Some(option) = question.options().iter().find(|o| normalize_key(o) == key) {
        return SurveyAnswer {
            value: (*option).to_string(),
            warning: None,
        };
    }
    if let Some((head, rest)) = text.split_once(':') {
        let rest = rest.trim();
        if head.trim().eq_ignore_ascii_case("lainnya") && !rest.is_empty() {
            return SurveyAnswer {
                value: format!("Lainnya: {rest}"),
                warning: None,
            };
        }
    }
    SurveyAnswer {
        value: format!("Lainnya: {text}"),
        warning: Some(format!(
            "{}: \"{text}\" is not one of the options; kept as \"Lainnya: {text}\"",
            question.csv_name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{csv_rows, rw08_file};

    #[test]
    fn option_lists() {
        assert_eq!(SurveyQuestion::all().count(), 7);
        assert_eq!(SurveyQuestion::Lantai.options().len(), 9);
        assert_eq!(SurveyQuestion::Dinding.options().len(), 7);
        assert_eq!(SurveyQuestion::Atap.options().len(), 8);
        assert_eq!(SurveyQuestion::AirMinum.options().len(), 12);
        assert_eq!(SurveyQuestion::Penerangan.options().len(), 4);
        assert_eq!(SurveyQuestion::BahanBakar.options().len(), 12);
        assert_eq!(SurveyQuestion::FasilitasBab.options().len(), 6);
        for q in SurveyQuestion::all() {
            assert_eq!(SurveyQuestion::from_csv_name(q.csv_name()), Some(q));
            assert!(!q.label().is_empty());
            for o in q.options() {
                assert_eq!(normalize_answer(q, o).value, *o);
                assert_eq!(normalize_answer(q, &o.to_uppercase()).value, *o);
            }
        }
        assert_eq!(SurveyQuestion::from_csv_name("x"), None);
    }

    #[test]
    fn normalizing() {
        let a = normalize_answer(SurveyQuestion::Lantai, "  keramik ");
        assert_eq!(
            a,
            SurveyAnswer {
                value: "Keramik".into(),
                warning: None
            }
        );
        let a = normalize_answer(SurveyQuestion::AirMinum, "sumur  bor / pompa");
        assert_eq!(a.value, "Sumur bor/pompa");
        let a = normalize_answer(SurveyQuestion::Penerangan, "non - pln");
        assert_eq!(a.value, "Non-PLN");
        let a = normalize_answer(SurveyQuestion::BahanBakar, "gas elpiji 5,5 kg/blue gaz");
        assert_eq!(a.value, "Gas elpiji 5,5 kg/blue gaz");
        let a = normalize_answer(SurveyQuestion::Lantai, "");
        assert_eq!(
            a,
            SurveyAnswer {
                value: String::new(),
                warning: None
            }
        );
        let a = normalize_answer(SurveyQuestion::Lantai, "   ");
        assert_eq!(a.value, "");
    }

    #[test]
    fn outside_the_list() {
        let a = normalize_answer(SurveyQuestion::Atap, "Terpal");
        assert_eq!(a.value, "Lainnya: Terpal");
        assert_eq!(
            a.warning.as_deref(),
            Some("atap: \"Terpal\" is not one of the options; kept as \"Lainnya: Terpal\"")
        );
        let a = normalize_answer(SurveyQuestion::Atap, "lainnya:  terpal ");
        assert_eq!(
            a,
            SurveyAnswer {
                value: "Lainnya: terpal".into(),
                warning: None
            }
        );
        let a = normalize_answer(SurveyQuestion::Atap, "Lainnya");
        assert_eq!(
            a,
            SurveyAnswer {
                value: "Lainnya".into(),
                warning: None
            }
        );
        let a = normalize_answer(SurveyQuestion::FasilitasBab, "Lainnya:");
        assert!(a.warning.is_some());
    }

    #[test]
    fn reference_data_answers_are_known() {
        let rows = csv_rows(&rw08_file("rw08-survei-rumah.csv"));
        assert!(rows.len() > 200);
        let mut checked = 0;
        for r in &rows {
            for q in SurveyQuestion::all() {
                if let Some(v) = r.get(q.csv_name()) {
                    let a = normalize_answer(q, v);
                    assert_eq!(a.warning, None, "{}: {v}", q.csv_name());
                    assert!(q.options().contains(&a.value.as_str()) || a.value.is_empty());
                    checked += 1;
                }
            }
        }
        assert!(checked >= rows.len() * 6);
    }
}
