//! Finding households and editing one field by its CSV name (`rukun household edit`).

use crate::book::{Book, BookError};
use crate::records::Household;
use crate::refusal::FieldRefusal;
use crate::rules::{self, SurveyQuestion};

/// A household found by [`Book::search_households`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct HouseholdHit {
    /// Household id.
    pub id: String,
    /// The household.
    pub household: Household,
}

impl Book {
    /// Live households, optionally only of one RT and/or matching `text` (the one search
    /// rule, [`crate::HouseholdSearch`]), ordered by RT, then address.
    pub fn search_households(&self, rt: Option<u16>, text: Option<&str>) -> Vec<HouseholdHit> {
        let search = crate::index::HouseholdSearch::new(text.unwrap_or_default());
        let mut hits: Vec<HouseholdHit> = self
            .households()
            .into_iter()
            .filter(|(_, h)| h.is_live())
            .filter(|(_, h)| rt.is_none_or(|r| h.rt == r))
            .filter(|(id, h)| crate::index::IndexEntry::of(id, h).matches(&search))
            .map(|(id, household)| HouseholdHit { id, household })
            .collect();
        hits.sort_by(|a, b| {
            (a.household.rw, a.household.rt, &a.household.alamat, &a.id).cmp(&(
                b.household.rw,
                b.household.rt,
                &b.household.alamat,
                &b.id,
            ))
        });
        hits
    }
}

/// Sets one field of a household by its export-CSV column name (see
/// [`crate::SURVEI_COLUMNS`]), validating the value as the importer does.
///
/// Returns a warning (naming the field) when a survey answer is kept as `Lainnya: …`.
/// Errors: [`BookError::Field`] naming the field for an unknown field or a bad value.
pub fn set_household_field(
    h: &mut Household,
    field: &str,
    value: &str,
) -> Result<Option<String>, BookError> {
    let bad = |e: &dyn std::fmt::Display| {
        BookError::from(FieldRefusal::Value {
            field: field.to_string(),
            reason: e.to_string(),
        })
    };
    let v = value.trim();
    let survey = |q: SurveyQuestion, dst: &mut String| {
        let a = rules::normalize_answer(q, v);
        *dst = a.value;
        a.warning
    };
    let warning = match field {
        "no_kk" => {
            h.no_kk = Some(rules::NoKk::parse(v).map_err(|e| bad(&e))?);
            None
        }
        "rt" => {
            h.rt = rules::parse_rt(v).map_err(|e| bad(&e))?;
            None
        }
        "rw" => {
            h.rw = rules::parse_rw(v).map_err(|e| bad(&e))?;
            None
        }
        "alamat" => {
            h.alamat = v.to_string();
            None
        }
        "kepala_keluarga" => {
            h.kepala_keluarga = v.to_string();
            None
        }
        "luas_lantai_m2" => {
            h.luas_lantai_m2 = if v.is_empty() {
                None
            } else {
                Some(v.parse().map_err(|_| bad(&"a whole number of m²"))?)
            };
            None
        }
        "lantai" => survey(SurveyQuestion::Lantai, &mut h.lantai),
        "dinding" => survey(SurveyQuestion::Dinding, &mut h.dinding),
        "atap" => survey(SurveyQuestion::Atap, &mut h.atap),
        "air_minum" => survey(SurveyQuestion::AirMinum, &mut h.air_minum),
        "penerangan" => survey(SurveyQuestion::Penerangan, &mut h.penerangan),
        "bahan_bakar" => survey(SurveyQuestion::BahanBakar, &mut h.bahan_bakar),
        "fasilitas_bab" => survey(SurveyQuestion::FasilitasBab, &mut h.fasilitas_bab),
        "penghasilan_bulanan" => {
            h.penghasilan_bulanan = if v.is_empty() {
                None
            } else {
                Some(rules::Rupiah::parse(v).map_err(|e| bad(&e))?)
            };
            None
        }
        "aset" => {
            h.aset = v.to_string();
            None
        }
        "bantuan" => {
            h.bantuan = v.to_string();
            None
        }
        _ => {
            return Err(FieldRefusal::UnknownField {
                field: field.to_string(),
                expected: crate::export::SURVEI_COLUMNS
                    .iter()
                    .filter(|c| **c != "id")
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
            }
            .into());
        }
    };
    Ok(warning)
}
