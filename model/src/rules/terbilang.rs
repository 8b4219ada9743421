//! Amounts in Indonesian words ("terbilang"), as written on a kuitansi in the
//! "Uang sejumlah" line (docs/domain.md#terbilang: "tujuh puluh lima ribu rupiah").

use super::Rupiah;

const UNITS: [&str; 12] = [
    "", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
    "sebelas",
];

/// The amount in Indonesian words, lower case, ending in "rupiah".
///
/// `Rp75.000` -> `"tujuh puluh lima ribu rupiah"`, `Rp0` -> `"nol rupiah"`.
/// Uses "se-" for 100 and 1.000 only (seratus, seribu), "satu juta", "satu milyar"
/// (the spelling common on receipts; KBBI prefers "miliar") and "triliun"; amounts of
/// a thousand triliun or more repeat the scale ("seribu triliun").
pub fn terbilang(amount: &Rupiah) -> String {
    let n = u64::try_from(amount.whole()).unwrap_or(0);
    if n == 0 {
        return "nol rupiah".to_string();
    }
    format!("{} rupiah", words(n))
}

/// Words for `n > 0`.
fn words(n: u64) -> String {
    const RIBU: u64 = 1_000;
    const JUTA: u64 = 1_000_000;
    const MILYAR: u64 = 1_000_000_000;
    const TRILIUN: u64 = 1_000_000_000_000;
    let (head, rest) = match n {
        0 => return String::new(),
        1..=11 => return UNITS.get(n as usize).copied().unwrap_or("").to_string(),
        12..=19 => return format!("{} belas", words(n - 10)),
        20..=99 => (format!("{} puluh", words(n / 10)), n % 10),
        100..=199 => ("seratus".to_string(), n - 100),
        200..=999 => (format!("{} ratus", words(n / 100)), n % 100),
        1_000..=1_999 => ("seribu".to_string(), n - RIBU),
        2_000..=999_999 => (format!("{} ribu", words(n / RIBU)), n % RIBU),
        1_000_000..=999_999_999 => (format!("{} juta", words(n / JUTA)), n % JUTA),
        1_000_000_000..=999_999_999_999 => (format!("{} milyar", words(n / MILYAR)), n % MILYAR),
        _ => (format!("{} triliun", words(n / TRILIUN)), n % TRILIUN),
    };
    if rest == 0 {
        head
    } else {
        format!("{head} {}", words(rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: i64) -> String {
        terbilang(&Rupiah::from_whole(v).unwrap())
    }

    #[test]
    fn small_numbers() {
        assert_eq!(t(0), "nol rupiah");
        assert_eq!(t(1), "satu rupiah");
        assert_eq!(t(10), "sepuluh rupiah");
        assert_eq!(t(11), "sebelas rupiah");
        assert_eq!(t(12), "dua belas rupiah");
        assert_eq!(t(19), "sembilan belas rupiah");
        assert_eq!(t(20), "dua puluh rupiah");
        assert_eq!(t(21), "dua puluh satu rupiah");
        assert_eq!(t(99), "sembilan puluh sembilan rupiah");
        assert_eq!(t(100), "seratus rupiah");
        assert_eq!(t(111), "seratus sebelas rupiah");
        assert_eq!(t(115), "seratus lima belas rupiah");
        assert_eq!(t(250), "dua ratus lima puluh rupiah");
    }

    #[test]
    fn thousands_and_up() {
        assert_eq!(t(1_000), "seribu rupiah");
        assert_eq!(t(1_001), "seribu satu rupiah");
        assert_eq!(t(10_000), "sepuluh ribu rupiah");
        assert_eq!(t(11_000), "sebelas ribu rupiah");
        assert_eq!(t(75_000), "tujuh puluh lima ribu rupiah");
        assert_eq!(t(100_000), "seratus ribu rupiah");
        assert_eq!(t(101_000), "seratus satu ribu rupiah");
        assert_eq!(t(1_000_000), "satu juta rupiah");
        assert_eq!(t(2_500_000), "dua juta lima ratus ribu rupiah");
        assert_eq!(
            t(1_011_111),
            "satu juta sebelas ribu seratus sebelas rupiah"
        );
        assert_eq!(t(5_000_000), "lima juta rupiah");
        assert_eq!(
            t(1_250_000_000),
            "satu milyar dua ratus lima puluh juta rupiah"
        );
        assert_eq!(t(1_000_000_000_000), "satu triliun rupiah");
        assert_eq!(t(2_000_000_001_000), "dua triliun seribu rupiah");
        assert_eq!(t(1_000_000_000_000_000), "seribu triliun rupiah");
    }

    /// The examples of issue 4's acceptance, in one place. "satu juta" (not "sejuta") is
    /// the spelling this module uses on receipts (see [`terbilang`]).
    #[test]
    fn issue_4_examples() {
        assert_eq!(t(1_000), "seribu rupiah");
        assert_eq!(t(11), "sebelas rupiah");
        assert_eq!(t(100), "seratus rupiah");
        assert_eq!(t(111), "seratus sebelas rupiah");
        assert_eq!(t(1_000_000), "satu juta rupiah");
        assert_eq!(t(2_500_000), "dua juta lima ratus ribu rupiah");
        assert_eq!(t(1_000_000_000), "satu milyar rupiah");
        assert_eq!(
            t(3_011_100_001),
            "tiga milyar sebelas juta seratus ribu satu rupiah"
        );
        assert_eq!(
            t(999_999_999_999),
            "sembilan ratus sembilan puluh sembilan milyar sembilan ratus sembilan puluh \
             sembilan juta sembilan ratus sembilan puluh sembilan ribu sembilan ratus \
             sembilan puluh sembilan rupiah"
        );
        assert_eq!(t(111_000), "seratus sebelas ribu rupiah");
        assert_eq!(t(1_100), "seribu seratus rupiah");
    }

    #[test]
    fn largest_amount_does_not_panic() {
        let s = t(i64::MAX);
        assert!(s.starts_with("sembilan juta dua ratus dua puluh tiga ribu"));
        assert!(s.ends_with("delapan ratus tujuh rupiah"));
    }
}
