//! This device's small settings file (language, idle lock time) in the OS config folder.
//! It holds no personal data.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Lang;

/// Default minutes of no input before the app locks itself.
pub(crate) const DEFAULT_IDLE_MINUTES: u32 = 5;

/// Settings remembered between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Language of the screens.
    pub lang: Lang,
    /// Minutes without input before the app locks (0 = never; not offered in the app).
    pub idle_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::Id,
            idle_lock_minutes: DEFAULT_IDLE_MINUTES,
        }
    }
}

impl Settings {
    /// The settings file in the OS config folder (`…/rukun/settings.json`), if there is one.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("id", "Rukun", "rukun")
            .map(|d| d.config_dir().join("settings.json"))
    }

    /// Reads the file; a missing or unreadable file gives the defaults.
    pub fn load(path: &Path) -> Settings {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes the file (through a temporary file and a rename).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_defaults() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("x").join("settings.json");
        assert_eq!(Settings::load(&path), Settings::default());
        let s = Settings {
            lang: Lang::En,
            idle_lock_minutes: 2,
        };
        s.save(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Settings::load(&path), s);
        std::fs::write(&path, b"not json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Settings::load(&path), Settings::default());
    }
}
