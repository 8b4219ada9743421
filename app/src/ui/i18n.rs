//! The language of the screens, held in app state (never a process-global), so that tests
//! with different languages run in parallel. Texts live in `app/locales/*.yml`.

use serde::{Deserialize, Serialize};

/// A language of the screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// Bahasa Indonesia (the default).
    #[default]
    #[serde(rename = "id")]
    Id,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The locale code of the translation files.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// The language's own name, as shown in the language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Id => "Bahasa Indonesia",
            Lang::En => "English",
        }
    }

    /// Every language, Bahasa Indonesia first.
    pub fn all() -> [Lang; 2] {
        [Lang::Id, Lang::En]
    }
}

/// `tr!(lang, "key")` or `tr!(lang, "key", name = value, …)`: the text of `key` in `lang`.
macro_rules! tr {
    ($lang:expr, $key:literal) => {
        rust_i18n::t!($key, locale = $lang.code())
    };
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        rust_i18n::t!($key, locale = $lang.code(), $($name = $value),+)
    };
    ($lang:expr, $key:ident, $($name:ident = $value:expr),+ $(,)?) => {
        rust_i18n::t!($key, locale = $lang.code(), $($name = $value),+)
    };
}
pub(crate) use tr;
