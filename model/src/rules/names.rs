//! Folding names and addresses for duplicate detection, and a similarity score.
//!
//! Javanese names come in old (Van Ophuijsen / Soewandi) and new (EYD) spellings:
//! "Soedjono" and "Sujono" are the same person's name.

/// Titles and honorifics dropped by [`fold_name`] (compared without punctuation).
const TITLES: &[&str] = &[
    "bpk",
    "bp",
    "bapak",
    "pak",
    "ibu",
    "bu",
    "ib",
    "sdr",
    "sdri",
    "saudara",
    "saudari",
    "tn",
    "ny",
    "nn",
    "nona",
    "nyonya",
    "tuan",
    "mbah",
    "alm",
    "almh",
    "almarhum",
    "almarhumah",
    "h",
    "hj",
    "haji",
    "hajjah",
    "kh",
    "ust",
    "ustadz",
    "ustazah",
    "prof",
    "dr",
    "drs",
    "dra",
    "ir",
    "spd",
    "spdi",
    "sag",
    "sh",
    "se",
    "st",
    "skom",
    "ssos",
    "sip",
    "skm",
    "skep",
    "sked",
    "sfarm",
    "amd",
    "amdkeb",
    "amdkep",
    "mm",
    "mpd",
    "msi",
    "mkes",
    "mh",
    "mag",
    "ma",
    "mt",
    "bsc",
];

fn is_title(token: &str) -> bool {
    let key: String = token.chars().filter(|c| c.is_alphanumeric()).collect();
    !key.is_empty() && TITLES.contains(&key.as_str())
}

/// Folds a person's name for duplicate detection.
///
/// Lowercases; drops titles as whole tokens (Bpk., Bapak, Ibu, Bu, H., Hj., Drs., Dra.,
/// Ir., Dr., S.Pd., …, also glued like `Drs.H.Ahmad`); drops punctuation
/// (`Ma'ruf` = `Maruf`); collapses spaces; then folds old spellings in this order:
/// oe→u, dj→j, tj→c, nj→ny, sj→sy, ch→kh, j→y. So `"Bpk. Soedjono"` and `"Sujono"`
/// both give `"suyono"`. The result is a comparison key, not a name to show.
pub fn fold_name(name: &str) -> String {
    let lowered = name.to_lowercase();
    let mut tokens: Vec<String> = Vec::new();
    for raw in lowered.split(|c: char| c.is_whitespace() || c == ',') {
        if raw.is_empty() || is_title(raw) {
            continue;
        }
        let parts: Vec<&str> = if raw.contains('.') {
            raw.split('.').filter(|p| !is_title(p)).collect()
        } else {
            vec![raw]
        };
        for part in parts {
            let word: String = part.chars().filter(|c| c.is_alphanumeric()).collect();
            if !word.is_empty() {
                tokens.push(word);
            }
        }
    }
    let mut s = tokens.join(" ");
    for (old, new) in [
        ("oe", "u"),
        ("dj", "j"),
        ("tj", "c"),
        ("nj", "ny"),
        ("sj", "sy"),
        ("ch", "kh"),
        ("j", "y"),
    ] {
        s = s.replace(old, new);
    }
    s
}

/// Folds an address for duplicate detection.
///
/// Lowercases; `jalan`/`jln`/`jl.` -> `jl`, `gang`/`gg.` -> `gg`; drops `no`/`no.`/
/// `nomor`; turns punctuation into spaces; splits digits from letters (`101E` =
/// `101.E` = `101 e`); drops leading zeros of numbers; collapses spaces. So
/// `"Jl. Sidokabul 12"` and `"Jl Sidokabul No.12"` both give `"jl sidokabul 12"`.
pub fn fold_address(address: &str) -> String {
    let lowered = address.to_lowercase();
    let mut spaced = String::with_capacity(lowered.len() + 8);
    let mut prev: Option<char> = None;
    for c in lowered.chars() {
        let c = if c.is_alphanumeric() { c } else { ' ' };
        if let Some(p) = prev {
            let boundary = (p.is_ascii_digit() && c.is_alphabetic())
                || (p.is_alphabetic() && c.is_ascii_digit());
            if boundary {
                spaced.push(' ');
            }
        }
        spaced.push(c);
        prev = Some(c);
    }
    let mut out: Vec<String> = Vec::new();
    for token in spaced.split_whitespace() {
        let token = match token {
            "jalan" | "jln" | "jl" => "jl",
            "gang" | "gg" => "gg",
            "no" | "nomor" | "nomer" | "nmr" => continue,
            t => t,
        };
        if token.chars().all(|c| c.is_ascii_digit()) {
            let trimmed = token.trim_start_matches('0');
            out.push(if trimmed.is_empty() { "0" } else { trimmed }.to_string());
        } else {
            out.push(token.to_string());
        }
    }
    out.join(" ")
}

/// Levenshtein distance over characters (two-row dynamic programming).
fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn ratio(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - levenshtein(&a, &b) as f64 / longest as f64
}

/// Similarity of two strings in `0.0..=1.0` (1.0 = equal), compared as given: pass
/// keys from [`fold_name`] or [`fold_address`] (or use [`name_similarity`] /
/// [`address_similarity`]).
///
/// The larger of the normalized Levenshtein ratio of the strings and of their words
/// sorted, so word order does not matter ("Santoso Budi" ~ "Budi Santoso").
/// Two empty strings are equal (1.0); empty vs non-empty is 0.0.
pub fn similarity(a: &str, b: &str) -> f64 {
    let direct = ratio(a, b);
    let sorted = |s: &str| {
        let mut words: Vec<&str> = s.split_whitespace().collect();
        words.sort_unstable();
        words.join(" ")
    };
    direct.max(ratio(&sorted(a), &sorted(b))).clamp(0.0, 1.0)
}

/// [`similarity`] of two names after [`fold_name`].
pub fn name_similarity(a: &str, b: &str) -> f64 {
    similarity(&fold_name(a), &fold_name(b))
}

/// [`similarity`] of two addresses after [`fold_address`].
pub fn address_similarity(a: &str, b: &str) -> f64 {
    similarity(&fold_address(a), &fold_address(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn old_spellings_fold_together() {
        assert_eq!(fold_name("Soedjono"), fold_name("Sujono"));
        assert_eq!(fold_name("Soedjono"), "suyono");
        assert_eq!(fold_name("Tjipto"), fold_name("Cipto"));
        assert_eq!(fold_name("Soekarno"), fold_name("Sukarno"));
        assert_eq!(fold_name("Djoko"), fold_name("Joko"));
        assert_eq!(fold_name("Njoman"), fold_name("Nyoman"));
        assert_eq!(fold_name("Sjahrir"), fold_name("Syahrir"));
        assert_eq!(fold_name("Chairul"), fold_name("Khairul"));
        assert_eq!(fold_name("Jusuf"), fold_name("Yusuf"));
        assert_eq!(fold_name("Soeharto"), "suharto");
    }

    #[test]
    fn titles_and_punctuation() {
        assert_eq!(fold_name("Bpk. Sutrisno"), "sutrisno");
        assert_eq!(fold_name("Bapak Sutrisno"), "sutrisno");
        assert_eq!(fold_name("Ibu Siti Aminah"), "siti aminah");
        assert_eq!(fold_name("Bu Siti"), "siti");
        assert_eq!(fold_name("Hj. Siti Aminah"), "siti aminah");
        assert_eq!(fold_name("H. Ahmad Dahlan"), "ahmad dahlan");
        assert_eq!(fold_name("Drs. H. Ahmad"), "ahmad");
        assert_eq!(fold_name("Drs.H.Ahmad"), "ahmad");
        assert_eq!(fold_name("Dra. Sri Lestari, M.Pd."), "sri lestari");
        assert_eq!(fold_name("Ir. Bambang, S.T."), "bambang");
        assert_eq!(fold_name("dr. Budi"), "budi");
        assert_eq!(fold_name("Siti Rahayu, S.Pd."), "siti rahayu");
        assert_eq!(fold_name("Ma'ruf"), fold_name("Maruf"));
        assert_eq!(fold_name("  SUTRISNO   santoso "), "sutrisno santoso");
        assert_eq!(fold_name(""), "");
        assert_eq!(fold_name("Bpk."), "");
        // A name is not a title just because it starts like one.
        assert_eq!(fold_name("Hartono"), "hartono");
        assert_eq!(fold_name("Ibnu"), "ibnu");
    }

    #[test]
    fn addresses() {
        assert_eq!(
            fold_address("Jl. Sidokabul 12"),
            fold_address("Jl Sidokabul No.12")
        );
        assert_eq!(fold_address("Jl. Sidokabul 12"), "jl sidokabul 12");
        assert_eq!(fold_address("Jalan Sidokabul No. 12"), "jl sidokabul 12");
        assert_eq!(fold_address("JLN SIDOKABUL NO 012"), "jl sidokabul 12");
        assert_eq!(
            fold_address("Gg. Mawar No. 101.E"),
            fold_address("Gang Mawar 101E")
        );
        assert_eq!(fold_address("Gg. Mawar No. 101.E"), "gg mawar 101 e");
        assert_eq!(fold_address("Jl. Tegalturi No. 79"), "jl tegalturi 79");
        assert_eq!(fold_address(""), "");
        assert_eq!(fold_address("No. 0"), "0");
    }

    #[test]
    fn similarity_scores() {
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("abc", ""), 0.0);
        assert_eq!(similarity("sutrisno", "sutrisno"), 1.0);
        assert!((similarity("kitten", "sitting") - (1.0 - 3.0 / 7.0)).abs() < 1e-9);
        assert_eq!(similarity("budi santoso", "santoso budi"), 1.0);
        assert!(similarity("budi", "siti") < 0.5);
        assert_eq!(name_similarity("Bpk. Soedjono", "Sujono"), 1.0);
        assert!(name_similarity("Sutrisno Santoso", "Sutrisna Santoso") > 0.9);
        assert!(name_similarity("Bambang", "Siti Aminah") < 0.4);
        assert_eq!(
            address_similarity("Jl. Sidokabul 12", "Jl Sidokabul No.12"),
            1.0
        );
        assert!(address_similarity("Jl. Sidokabul 12", "Jl. Sidokabul 14") > 0.9);
    }

    proptest! {
        #[test]
        fn similarity_in_range_and_symmetric(a in "\\PC{0,20}", b in "\\PC{0,20}") {
            let s = similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert!((s - similarity(&b, &a)).abs() < 1e-12);
            prop_assert_eq!(name_similarity(&a, &a), 1.0);
            let _ = fold_address(&a);
        }
    }
}
