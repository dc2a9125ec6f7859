//! Defaults for the common options from a settings file and `QAYD_*` environment variables.
//!
//! Precedence: command-line flag > `QAYD_*` variable > settings file > built-in default.
//! The settings file is JSON, named by `--settings FILE` or `QAYD_SETTINGS`; every key optional,
//! unknown keys refused:
//!
//! ```json
//! { "env": "simulation", "csr_config": "egs.properties", "out": "egs-1",
//!   "otp_env": "FATOORA_OTP", "gateway_port": 8443, "demo_dir": "demo", "timeout_secs": 30,
//!   "store": "qayd.db", "master_key_file": "/etc/qayd/master.key",
//!   "retry_base_ms": 1000, "retry_cap_ms": 300000, "max_attempts": 10,
//!   "max_submission_bytes": 2097152 }
//! ```
//!
//! | variable | option |
//! |---|---|
//! | `QAYD_SETTINGS` | the settings file |
//! | `QAYD_ENV` | `--env` of `csr`, `onboard`, `renew` |
//! | `QAYD_CSR_CONFIG` | `--config` of `csr`, `onboard` |
//! | `QAYD_OUT` | `--out` of `onboard` (the credentials folder), `--dir` of `renew` |
//! | `QAYD_OTP_ENV` | `--otp-env` of `onboard`, `renew` (the *name* of the variable holding the OTP) |
//! | `QAYD_OTP_FILE` | `--otp-file` of `onboard`, `renew` |
//! | `QAYD_GATEWAY_PORT` | `--port` of `gateway` |
//! | `QAYD_DEMO_DIR` | `--dir` of `demo` |
//! | `QAYD_TIMEOUT` | HTTP timeout in seconds for `onboard`, `renew` (default 30) |
//! | `QAYD_NO_PROGRESS` | any value: never draw progress bars |
//! | `QAYD_INSECURE_HTTP` | `true`: `--insecure-http` (plain `http://` to a host that is not loopback) |
//! | `QAYD_STORE` | `--store` of the engine commands (`egs`, `issue`, `submit`, `queue`, `events`, `audit`) |
//! | `QAYD_MASTER_KEY_FILE` | `--master-key-file` of the engine commands |
//! | `QAYD_MASTER_KEY` | the master key itself (base64 of 32 bytes), when no key file is named |
//!
//! Secrets never go into the settings file: it names where the OTP and the master key are, not
//! the OTP or the key.

use crate::Failure;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Settings {
    pub env: Option<String>,
    pub csr_config: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub otp_env: Option<String>,
    pub otp_file: Option<PathBuf>,
    pub gateway_port: Option<u16>,
    pub demo_dir: Option<PathBuf>,
    pub timeout_secs: Option<u64>,
    /// The engine's store: an SQLite file, `:memory:` or a `postgres://` URL.
    pub store: Option<String>,
    /// A file holding the master key (base64 of 32 bytes).
    pub master_key_file: Option<PathBuf>,
    /// The engine's retry policy: first delay and longest delay (ms), attempts before dead.
    pub retry_base_ms: Option<u64>,
    pub retry_cap_ms: Option<u64>,
    pub max_attempts: Option<u32>,
    /// Allow plain `http://` to a host that is not loopback (credentials in clear text).
    pub allow_insecure_http: Option<bool>,
    /// The largest submission request (bytes) a document may make; larger ones are refused at
    /// issue, before they take an ICV (default 2 MiB; ZATCA states no limit).
    pub max_submission_bytes: Option<usize>,
    /// Where `submit` delivers each accepted document (`--deliver DIR`).
    pub deliver_dir: Option<PathBuf>,
    /// With `deliver_dir`: a PDF beside each delivered document (`--deliver-pdf`).
    pub deliver_pdf: Option<bool>,
}

impl Settings {
    /// Reads the settings file, if one is named.
    pub(crate) fn load(path: Option<&Path>) -> Result<Settings, Failure> {
        let Some(path) = path else { return Ok(Settings::default()) };
        let text = std::fs::read_to_string(path).map_err(|e| crate::io_failure(path, e))?;
        serde_json::from_str(&text)
            .map_err(|e| Failure::input(format!("settings file {}: {e}", path.display())))
    }

    /// The API client's settings: the timeout, and whether plain `http://` may leave this
    /// machine (`--insecure-http`, `QAYD_INSECURE_HTTP=1` or `allow_insecure_http` in the file).
    pub(crate) fn client_config(&self) -> Result<qayd::api::ClientConfig, Failure> {
        Ok(qayd::api::ClientConfig {
            timeout: self.timeout()?,
            allow_insecure_http: self.allow_insecure_http.unwrap_or(false),
            ..Default::default()
        })
    }

    /// The HTTP timeout: `QAYD_TIMEOUT`, then the file, then 30 s.
    pub(crate) fn timeout(&self) -> Result<std::time::Duration, Failure> {
        let seconds = match std::env::var("QAYD_TIMEOUT") {
            Ok(v) => v.trim().parse::<u64>().map_err(|_| {
                Failure::input(format!("QAYD_TIMEOUT must be a number of seconds, not '{v}'"))
            })?,
            Err(_) => self.timeout_secs.unwrap_or(30),
        };
        Ok(std::time::Duration::from_secs(seconds.max(1)))
    }
}

/// Reads the environment name or URL: `developer-portal` (also `sandbox`), `simulation`, `core`
/// (also `production`), or an `http(s)://` base URL (checked for form by the core: a malformed
/// URL is bad input, exit 2).
pub(crate) fn parse_environment(text: &str) -> Result<qayd::Environment, Failure> {
    Ok(text.parse::<qayd::Environment>()?)
}
