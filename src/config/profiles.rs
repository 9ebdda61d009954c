//! Connection profiles: names for databases, so that URLs (and passwords) stay out of shell history.
//!
//! ```toml
//! [profiles.staging]
//! url = "postgres://app@staging-db:5432/shop"
//! password_env = "STAGING_DB_PASSWORD"   # or password_file = "~/.config/sluice/staging.pw"
//! ```
//!
//! The file is `$SLUICE_PROFILES`, else `profiles.toml` in the user's config directory
//! (`~/.config/sluice/profiles.toml` on Linux).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// A database URL, ideally without a password.
    pub url: String,
    /// Name of an environment variable that holds the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// A file whose first line is the password.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profiles {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

impl Profiles {
    /// `$SLUICE_PROFILES`, when it is set to something (an empty value counts as unset).
    fn env_path() -> Option<PathBuf> {
        std::env::var_os("SLUICE_PROFILES")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }

    /// The default profiles file, if there is a config directory at all.
    pub fn default_path() -> Option<PathBuf> {
        Self::env_path().or_else(|| {
            directories::ProjectDirs::from("", "", "sluice")
                .map(|d| d.config_dir().join("profiles.toml"))
        })
    }

    /// Loads the default file. A file named by `$SLUICE_PROFILES` must exist (as one given with
    /// `--profiles` must); a missing `~/.config/sluice/profiles.toml` is no profiles; a malformed
    /// file is an error either way.
    pub fn load_default() -> Result<Profiles> {
        if let Some(p) = Self::env_path() {
            if !p.exists() {
                return Err(Error::file(
                    &p,
                    "no such profiles file (named by $SLUICE_PROFILES): fix the path or unset the variable",
                ));
            }
            return Self::load(&p);
        }
        match Self::default_path() {
            Some(p) if p.exists() => Self::load(&p),
            _ => Ok(Profiles::default()),
        }
    }

    pub fn load(path: &Path) -> Result<Profiles> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
        let mut p: Profiles = toml::from_str(&text).map_err(|e| {
            Error::file(
                path,
                format!(
                    "not a valid profiles file: {}",
                    crate::error::one_line(&e.to_string())
                ),
            )
        })?;
        if let Some((name, _)) = p
            .profiles
            .iter()
            .find(|(_, q)| q.password_env.is_some() && q.password_file.is_some())
        {
            return Err(Error::file(
                path,
                format!(
                    "profile '{name}' sets both password_env and password_file: keep the one the password should come from"
                ),
            ));
        }
        p.path = Some(path.to_path_buf());
        Ok(p)
    }

    /// The URL for a profile with its password filled in from the environment or a file.
    /// The result is a secret: it is only ever handed to the URL parser.
    pub fn url_for(&self, name: &str) -> Result<Option<SecretString>> {
        let Some(p) = self.profiles.get(name) else {
            return Ok(None);
        };
        if p.password_env.is_some() && p.password_file.is_some() {
            return Err(Error::usage(format!(
                "profile '{name}' sets both password_env and password_file: keep the one the password should come from"
            )));
        }
        let password = if let Some(var) = &p.password_env {
            Some(std::env::var(var).map_err(|_| {
                Error::usage(format!(
                    "profile '{name}' takes its password from ${var}, which is not set"
                ))
            })?)
        } else if let Some(file) = &p.password_file {
            let text = std::fs::read_to_string(file).map_err(|e| {
                Error::file(file, format!("password file of profile '{name}': {e}"))
            })?;
            Some(text.lines().next().unwrap_or("").to_string())
        } else {
            None
        };
        let url = match password {
            None => p.url.clone(),
            Some(pw) => {
                let mut u = url::Url::parse(&p.url).map_err(|_| {
                    Error::usage(format!(
                        "profile '{name}': url is not a URL with a host, so a password cannot be added to it"
                    ))
                })?;
                u.set_password(Some(&pw)).map_err(|_| {
                    Error::usage(format!(
                        "profile '{name}': cannot set a password on this url"
                    ))
                })?;
                u.to_string()
            }
        };
        Ok(Some(SecretString::from(url)))
    }
}

/// Exposes a secret URL to the parser, and to nothing else.
pub fn expose(url: &SecretString) -> &str {
    url.expose_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_from_env() {
        let p: Profiles = toml::from_str(
            r#"
            [profiles.stage]
            url = "postgres://app@db:5432/shop"
            password_env = "SLUICE_TEST_PW_XYZ"
        "#,
        )
        .unwrap();
        // SAFETY: tests in this module do not read this variable concurrently.
        unsafe { std::env::set_var("SLUICE_TEST_PW_XYZ", "p@ss") };
        let url = p.url_for("stage").unwrap().unwrap();
        assert_eq!(expose(&url), "postgres://app:p%40ss@db:5432/shop");
        assert!(p.url_for("nope").unwrap().is_none());
    }
}
