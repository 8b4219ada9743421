//! What the screens say when the book refuses a change: one text per error variant, in the
//! person's language (the model's `Display` texts are English, for logs and the CLI). The
//! UI matches variants here, never strings.

use rukun_model::rules::{KkError, NikError};
use rukun_model::storage::StorageError;
use rukun_model::{BookError, FieldRefusal, MoneyRefusal};

use crate::Lang;
use crate::i18n::tr;

/// The message for a refused or failed change.
pub(crate) fn book_error(e: &BookError, lang: Lang) -> String {
    match e {
        BookError::NotAllowed { .. } => tr!(lang, "galat.tidak_boleh").into_owned(),
        BookError::DuplicateKk { no_kk, kepala, .. } => {
            tr!(lang, "galat.kk_ganda", kk = no_kk, kepala = kepala).into_owned()
        }
        BookError::RevokeSelf => tr!(lang, "galat.cabut_diri").into_owned(),
        BookError::NotFound { .. } => tr!(lang, "notice.not_found").into_owned(),
        BookError::ConsentMissing { field } => {
            tr!(lang, "galat.persetujuan", field = field).into_owned()
        }
        BookError::Money(r) => money_refusal(r, lang),
        BookError::Field(FieldRefusal::MergeIntoItself) => {
            tr!(lang, "galat.gabung_sendiri").into_owned()
        }
        BookError::Field(FieldRefusal::UnknownField { field, .. }) => {
            tr!(lang, "galat.isian_tak_dikenal", field = field).into_owned()
        }
        BookError::Field(r) => tr!(lang, "galat.isian", field = r.field(), e = r).into_owned(),
        BookError::Storage(StorageError::Full { needed, .. }) => storage_full(*needed, lang),
        BookError::Storage(StorageError::Locked { .. }) => tr!(lang, "galat.terkunci").into_owned(),
        other => tr!(lang, "galat.lain", e = other).into_owned(),
    }
}

/// A receipt, void, donor or santunan refused.
fn money_refusal(r: &MoneyRefusal, lang: Lang) -> String {
    match r {
        MoneyRefusal::ZeroAmount => tr!(lang, "galat.nol"),
        MoneyRefusal::EmptyPurpose => tr!(lang, "galat.untuk_kosong"),
        MoneyRefusal::NoReason => tr!(lang, "galat.alasan_kosong"),
        MoneyRefusal::AlreadyVoided { nomor } => tr!(lang, "galat.sudah_batal", nomor = nomor),
        MoneyRefusal::SharedNumber { nomor, widened } => tr!(
            lang,
            "galat.nomor_ganda",
            nomor = nomor,
            pilihan = widened.join(", ")
        ),
        MoneyRefusal::NoDonorName => tr!(lang, "galat.nama_kosong"),
        MoneyRefusal::DonorCodeTaken { kode } => tr!(lang, "galat.kode_dipakai", kode = kode),
        MoneyRefusal::NoKind => tr!(lang, "galat.jenis_kosong"),
        MoneyRefusal::Date(_) => tr!(lang, "form.date_format"),
        MoneyRefusal::Nik(e) => return nik_error(e, lang),
        MoneyRefusal::NikNotInBook(nik) => tr!(lang, "galat.nik_tak_ada", nik = nik),
        MoneyRefusal::NoSuchPerson { .. } => tr!(lang, "galat.penerima_tak_ada"),
        MoneyRefusal::NotTheirPmks(_) => tr!(lang, "galat.pmks_lain"),
        MoneyRefusal::NoSuchMeeting(_) => tr!(lang, "galat.rapat_tak_ada"),
        MoneyRefusal::IuranNeedsDonor => tr!(lang, "galat.iuran_donatur"),
        MoneyRefusal::NoSourceName => tr!(lang, "galat.sumber_kosong"),
        MoneyRefusal::NoLoanCode => tr!(lang, "galat.kode_pinjaman_kosong"),
        MoneyRefusal::LoanCodeTaken { kode } => {
            tr!(lang, "galat.kode_pinjaman_dipakai", kode = kode)
        }
        MoneyRefusal::LoanTerms {
            jumlah,
            tenor_bulan,
            angsuran_bulanan,
        } => tr!(
            lang,
            "galat.syarat_pinjaman",
            jumlah = rukun_model::rules::format_signed(jumlah.amount()),
            tenor = tenor_bulan,
            angsuran = rukun_model::rules::format_signed(angsuran_bulanan.amount())
        ),
        MoneyRefusal::NoMemberNumber => tr!(lang, "galat.no_anggota_kosong"),
        MoneyRefusal::NoName => tr!(lang, "galat.nama_kosong"),
        MoneyRefusal::NoPayee => tr!(lang, "galat.penerima_kosong"),
        MoneyRefusal::NoTitle => tr!(lang, "galat.judul_kosong"),
        MoneyRefusal::NoGoods => tr!(lang, "galat.barang_kosong"),
        MoneyRefusal::MonthClosed { bulan } => {
            tr!(lang, "galat.bulan_ditutup", bulan = bulan.label())
        }
    }
    .into_owned()
}

/// What is wrong with a NIK, for a form or a refusal.
pub(crate) fn nik_error(e: &NikError, lang: Lang) -> String {
    match e {
        NikError::Empty => tr!(lang, "form.required").into_owned(),
        NikError::ScientificNotation { .. } => tr!(lang, "form.scientific").into_owned(),
        NikError::NonDigit { found } => tr!(lang, "form.digits_only", c = found).into_owned(),
        NikError::Length { len } => tr!(lang, "form.len16", n = len).into_owned(),
        NikError::Province { code } => tr!(lang, "form.province", code = code).into_owned(),
        NikError::Serial => tr!(lang, "form.serial").into_owned(),
        _ => tr!(lang, "form.nik_date").into_owned(),
    }
}

/// What is wrong with a KK number, for a form or a refusal.
pub(crate) fn kk_error(e: &KkError, lang: Lang) -> String {
    match e {
        KkError::Empty => tr!(lang, "form.required").into_owned(),
        KkError::ScientificNotation { .. } => tr!(lang, "form.scientific").into_owned(),
        KkError::NonDigit { found } => tr!(lang, "form.digits_only", c = found).into_owned(),
        KkError::Length { len } => tr!(lang, "form.len16", n = len).into_owned(),
        KkError::Province { code } => tr!(lang, "form.province", code = code).into_owned(),
        KkError::Serial => tr!(lang, "form.serial").into_owned(),
        _ => tr!(lang, "form.kk_date").into_owned(),
    }
}

/// "Penyimpanan penuh" with about how much to free, in whole megabytes (at least 1): for a
/// save, a sync or a join.
pub(crate) fn storage_full(needed: u64, lang: Lang) -> String {
    let mb = needed.div_ceil(1_000_000).max(1);
    tr!(lang, "galat.penuh", mb = mb).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each refusal a volunteer can meet reads in Bahasa Indonesia, not as the model's
    /// English log text.
    #[test]
    fn refusals_are_told_in_the_persons_language() {
        let cases = [
            BookError::NotAllowed {
                action: "revoke a member",
                needed: "an admin",
                role: "relawan".into(),
            },
            BookError::DuplicateKk {
                no_kk: "3471131804080001".parse().unwrap(),
                household_id: "h1".into(),
                kepala: "Karto".into(),
            },
            BookError::RevokeSelf,
            BookError::Storage(StorageError::Full {
                path: "/x".into(),
                needed: 2_500_000,
            }),
        ];
        let id: Vec<String> = cases.iter().map(|e| book_error(e, Lang::Id)).collect();
        assert!(id[0].contains("Hanya"), "{}", id[0]);
        assert!(
            id[1].contains("3471131804080001") && id[1].contains("sudah ada"),
            "{}",
            id[1]
        );
        assert!(id[2].contains("Perangkat ini sendiri"), "{}", id[2]);
        assert!(
            id[3].contains("3 MB") && id[3].contains("penuh"),
            "{}",
            id[3]
        );
        for (e, text) in cases.iter().zip(&id) {
            assert_ne!(*text, e.to_string(), "not the English log text");
        }
        assert!(book_error(&cases[2], Lang::En).contains("This device itself"));
    }
}
