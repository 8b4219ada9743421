//! Closed-list fields of the Kartu Keluarga (docs/domain.md#kartu-keluarga-fields; labels as
//! printed by Dukcapil). Each is stored by its canonical label and parsed leniently.

/// A value outside the closed list of a Kartu Keluarga field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {field} \"{input}\" (expected one of: {expected})")]
pub struct KkFieldError {
    /// Which field, e.g. `"jenis kelamin"`, `"SHDK"`, `"pendidikan"`.
    pub field: &'static str,
    /// The text as given.
    pub input: String,
    /// The canonical values, comma-separated.
    pub expected: String,
}

code_enum! {
    /// Jenis kelamin (sex) as on the Kartu Keluarga: `L` (laki-laki) or `P` (perempuan).
    /// Stored as `"L"`/`"P"`; accepts `Laki-laki`, `Pria`, `Perempuan`, `Wanita`.
    Sex, field = "jenis kelamin", error = KkFieldError {
        /// Laki-laki (male).
        L => "L", "Laki-laki", ["Laki laki", "Lelaki", "Pria", "LK", "M", "Male"],
        /// Perempuan (female).
        P => "P", "Perempuan", ["Wanita", "PR", "F", "Female"],
    }
}

code_enum! {
    /// Status hubungan dalam keluarga (SHDK): the person's relation to the head of the
    /// family, in the Dukcapil order (docs/domain.md#kartu-keluarga-fields).
    Shdk, field = "SHDK", error = KkFieldError {
        /// Kepala Keluarga (head of family).
        KepalaKeluarga => "Kepala Keluarga", "Kepala Keluarga", ["Kepala", "KK", "KRT"],
        /// Suami (husband).
        Suami => "Suami", "Suami", [],
        /// Istri (wife).
        Istri => "Istri", "Istri", ["Isteri"],
        /// Anak (child, incl. adopted and step-children).
        Anak => "Anak", "Anak", ["Anak Kandung", "Anak Angkat", "Anak Tiri"],
        /// Menantu (child-in-law).
        Menantu => "Menantu", "Menantu", [],
        /// Cucu (grandchild).
        Cucu => "Cucu", "Cucu", [],
        /// Orang Tua (parent).
        OrangTua => "Orang Tua", "Orang Tua", ["Orangtua", "Ayah", "Ibu"],
        /// Mertua (parent-in-law).
        Mertua => "Mertua", "Mertua", [],
        /// Famili Lain (other relative).
        FamiliLain => "Famili Lain", "Famili Lain", ["Famili", "Keluarga Lain"],
        /// Pembantu (household help).
        Pembantu => "Pembantu", "Pembantu", ["Pembantu Rumah Tangga", "ART"],
        /// Lainnya (other).
        Lainnya => "Lainnya", "Lainnya", ["Lain-lain", "Lain"],
    }
}

code_enum! {
    /// Pendidikan terakhir (highest schooling) as on the Kartu Keluarga
    /// (docs/domain.md#kartu-keluarga-fields).
    /// Accepts the Dukcapil long forms (`Tamat SD/Sederajat`, `SLTP/Sederajat`,
    /// `Diploma IV/Strata I`, …) and common short forms (`SMP`, `SMA`, `S1`, `D3`).
    Pendidikan, field = "pendidikan", error = KkFieldError {
        /// Tidak/Belum Sekolah (never or not yet at school).
        TidakBelumSekolah => "Tidak/Belum Sekolah", "Tidak/Belum Sekolah",
            ["Tidak Sekolah", "Belum Sekolah", "Tidak/Blm Sekolah"],
        /// Belum Tamat SD (primary school not completed).
        BelumTamatSd => "Belum Tamat SD", "Belum Tamat SD",
            ["Belum Tamat SD/Sederajat", "Blm Tamat SD", "Tidak Tamat SD"],
        /// Tamat SD (primary school completed).
        TamatSd => "Tamat SD", "Tamat SD", ["Tamat SD/Sederajat", "SD", "SD/Sederajat", "SD/MI"],
        /// SLTP (junior secondary: SMP, MTs).
        Sltp => "SLTP", "SLTP", ["SLTP/Sederajat", "SMP", "SMP/Sederajat", "MTs", "SMP/MTs"],
        /// SLTA (senior secondary: SMA, SMK, MA).
        Slta => "SLTA", "SLTA",
            ["SLTA/Sederajat", "SMA", "SMK", "SMA/Sederajat", "SMA/SMK", "MA", "SMU", "STM"],
        /// Diploma I/II.
        Diploma12 => "Diploma I/II", "Diploma I/II", ["D1", "D2", "D-I", "D-II", "D1/D2"],
        /// Akademi/Diploma III/Sarjana Muda.
        Akademi => "Akademi/D-III/Sarjana Muda", "Akademi/D-III/Sarjana Muda",
            ["Akademi/Diploma III/S. Muda", "Akademi/Diploma III/Sarjana Muda", "D3", "D-III",
             "Diploma III", "Sarjana Muda"],
        /// Diploma IV/Strata I (bachelor).
        S1 => "D-IV/S1", "D-IV/S1", ["Diploma IV/Strata I", "S1", "D4", "D-IV", "Strata I", "Sarjana"],
        /// Strata II (master).
        S2 => "S2", "S2", ["Strata II", "S-2", "Magister"],
        /// Strata III (doctorate).
        S3 => "S3", "S3", ["Strata III", "S-3", "Doktor"],
    }
}

code_enum! {
    /// Status perkawinan (marital status) as on the Kartu Keluarga
    /// (docs/domain.md#kartu-keluarga-fields).
    /// `Kawin Tercatat`/`Kawin Belum Tercatat` read as `Kawin` (the KK's newer wording).
    StatusPerkawinan, field = "status perkawinan", error = KkFieldError {
        /// Belum Kawin (never married).
        BelumKawin => "Belum Kawin", "Belum Kawin", ["Belum Menikah", "Lajang", "BK"],
        /// Kawin (married).
        Kawin => "Kawin", "Kawin",
            ["Kawin Tercatat", "Kawin Belum Tercatat", "Kawin Tidak Tercatat", "Menikah", "K"],
        /// Cerai Hidup (divorced).
        CeraiHidup => "Cerai Hidup", "Cerai Hidup",
            ["Cerai Hidup Tercatat", "Cerai Hidup Belum Tercatat", "Cerai", "CH"],
        /// Cerai Mati (widowed).
        CeraiMati => "Cerai Mati", "Cerai Mati", ["CM"],
    }
}

code_enum! {
    /// Agama (religion) as on the Kartu Keluarga; `Kepercayaan` is "Kepercayaan
    /// Terhadap Tuhan YME" (Dukcapil list since 2017).
    Agama, field = "agama", error = KkFieldError {
        /// Islam.
        Islam => "Islam", "Islam", [],
        /// Kristen (Protestant).
        Kristen => "Kristen", "Kristen", ["Kristen Protestan", "Protestan"],
        /// Katolik (Catholic).
        Katolik => "Katolik", "Katolik", ["Katholik", "Kristen Katolik"],
        /// Hindu.
        Hindu => "Hindu", "Hindu", [],
        /// Buddha.
        Buddha => "Buddha", "Buddha", ["Budha", "Budda"],
        /// Konghucu (Confucian).
        Konghucu => "Konghucu", "Konghucu", ["Khonghucu", "Kong Hu Cu", "Konghuchu"],
        /// Kepercayaan Terhadap Tuhan YME (indigenous belief).
        Kepercayaan => "Kepercayaan", "Kepercayaan Terhadap Tuhan YME",
            ["Kepercayaan Terhadap Tuhan Yang Maha Esa", "Penghayat Kepercayaan"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{csv_rows, hydrate_from, roundtrip, rw08_file, stored_scalar};

    #[test]
    fn canonical_round_trip() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: Vec<T>,
            as_str: fn(T) -> &'static str,
            label: fn(T) -> &'static str,
            parse: fn(&str) -> Result<T, KkFieldError>,
        ) {
            for v in all {
                assert_eq!(parse(as_str(v)), Ok(v));
                assert_eq!(parse(label(v)), Ok(v));
                assert_eq!(parse(&as_str(v).to_uppercase()), Ok(v));
                assert_eq!(parse(&format!("  {}  ", as_str(v).to_lowercase())), Ok(v));
            }
        }
        check(Sex::all().collect(), Sex::as_str, Sex::label, Sex::parse);
        check(
            Shdk::all().collect(),
            Shdk::as_str,
            Shdk::label,
            Shdk::parse,
        );
        check(
            Pendidikan::all().collect(),
            Pendidikan::as_str,
            Pendidikan::label,
            Pendidikan::parse,
        );
        check(
            StatusPerkawinan::all().collect(),
            StatusPerkawinan::as_str,
            StatusPerkawinan::label,
            StatusPerkawinan::parse,
        );
        check(
            Agama::all().collect(),
            Agama::as_str,
            Agama::label,
            Agama::parse,
        );
        assert_eq!(Sex::all().count(), 2);
        assert_eq!(Shdk::all().count(), 11);
        assert_eq!(Pendidikan::all().count(), 10);
        assert_eq!(StatusPerkawinan::all().count(), 4);
        assert_eq!(Agama::all().count(), 7);
    }

    #[test]
    fn aliases() {
        assert_eq!(Sex::parse("laki-laki"), Ok(Sex::L));
        assert_eq!(Sex::parse("Laki - laki"), Ok(Sex::L));
        assert_eq!(Sex::parse("PEREMPUAN"), Ok(Sex::P));
        assert_eq!(Sex::parse("p"), Ok(Sex::P));
        assert_eq!(Sex::L.label(), "Laki-laki");
        assert_eq!(Shdk::parse("isteri"), Ok(Shdk::Istri));
        assert_eq!(Shdk::parse("famili  lain"), Ok(Shdk::FamiliLain));
        assert_eq!(Pendidikan::parse("SLTP/Sederajat"), Ok(Pendidikan::Sltp));
        assert_eq!(
            Pendidikan::parse("Tamat SD/Sederajat"),
            Ok(Pendidikan::TamatSd)
        );
        assert_eq!(
            Pendidikan::parse("Belum Tamat SD/Sederajat"),
            Ok(Pendidikan::BelumTamatSd)
        );
        assert_eq!(
            Pendidikan::parse("tidak / belum sekolah"),
            Ok(Pendidikan::TidakBelumSekolah)
        );
        assert_eq!(Pendidikan::parse("Diploma IV/Strata I"), Ok(Pendidikan::S1));
        assert_eq!(
            Pendidikan::parse("Akademi/Diploma III/S. Muda"),
            Ok(Pendidikan::Akademi)
        );
        assert_eq!(Pendidikan::parse("Diploma I/II"), Ok(Pendidikan::Diploma12));
        assert_eq!(Pendidikan::parse("Strata II"), Ok(Pendidikan::S2));
        assert_eq!(Pendidikan::parse("SMA"), Ok(Pendidikan::Slta));
        assert_eq!(
            StatusPerkawinan::parse("Kawin Tercatat"),
            Ok(StatusPerkawinan::Kawin)
        );
        assert_eq!(
            StatusPerkawinan::parse("Kawin Belum Tercatat"),
            Ok(StatusPerkawinan::Kawin)
        );
        assert_eq!(
            StatusPerkawinan::parse("cerai mati"),
            Ok(StatusPerkawinan::CeraiMati)
        );
        assert_eq!(Agama::parse("Budha"), Ok(Agama::Buddha));
        assert_eq!(Agama::parse("Kristen Protestan"), Ok(Agama::Kristen));
        assert_eq!(Agama::Kepercayaan.label(), "Kepercayaan Terhadap Tuhan YME");
    }

    #[test]
    fn unknown_values() {
        let err = Sex::parse("X").unwrap_err();
        assert_eq!(err.field, "jenis kelamin");
        assert_eq!(
            err.to_string(),
            "unknown jenis kelamin \"X\" (expected one of: L, P)"
        );
        assert!(Sex::parse("").is_err());
        assert!(Shdk::parse("Tetangga").is_err());
        assert!(Pendidikan::parse("Diploma").is_err());
        assert!(Agama::parse("Jedi").is_err());
        assert!(StatusPerkawinan::parse("Janda").is_err());
    }

    #[test]
    fn storage() {
        assert_eq!(
            serde_json::to_string(&Shdk::KepalaKeluarga).unwrap(),
            "\"Kepala Keluarga\""
        );
        assert_eq!(serde_json::from_str::<Sex>("\"P\"").unwrap(), Sex::P);
        assert_eq!(
            serde_json::from_str::<Pendidikan>("\"SLTP/Sederajat\"").unwrap(),
            Pendidikan::Sltp
        );
        assert!(serde_json::from_str::<Sex>("\"Q\"").is_err());
        assert_eq!(
            stored_scalar(&Pendidikan::S1),
            automerge::ScalarValue::Str("D-IV/S1".into())
        );
        for v in Pendidikan::all() {
            assert_eq!(roundtrip(&v), v);
        }
        assert_eq!(hydrate_from::<Agama>("Budha").unwrap(), Agama::Buddha);
        assert!(hydrate_from::<Agama>("Jedi").is_err());
        assert!(hydrate_from::<Agama>(3i64).is_err());
        assert_eq!(Shdk::OrangTua.to_string(), "Orang Tua");
        assert_eq!("Cucu".parse::<Shdk>(), Ok(Shdk::Cucu));
    }

    #[test]
    fn every_value_in_reference_data_parses() {
        let rows = csv_rows(&rw08_file("rw08-penduduk.csv"));
        assert!(rows.len() > 800);
        for r in &rows {
            Sex::parse(&r["jenis_kelamin"]).unwrap();
            Shdk::parse(&r["hubungan_keluarga"]).unwrap();
            StatusPerkawinan::parse(&r["status_perkawinan"]).unwrap();
            Pendidikan::parse(&r["pendidikan"]).unwrap();
            Agama::parse(&r["agama"]).unwrap();
        }
    }
}
