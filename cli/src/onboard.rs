//! `qayd csr`, `qayd onboard`, `qayd renew`: keys, CSRs and CSIDs, with the files they leave.

use crate::settings::{Settings, parse_environment};
use crate::{Failure, io_failure, print_json};
use qayd::onboarding::{EgsCredentials, Progress};
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Writes a file readable by its owner only (0600 on Unix), replacing an existing one.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| io_failure(path, e))?;
        // An existing file keeps its mode on open: tighten it.
        file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(|e| io_failure(path, e))?;
        file.write_all(bytes).map_err(|e| io_failure(path, e))
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, bytes).map_err(|e| io_failure(path, e))
    }
}

fn write_public(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| io_failure(path, e))
}

/// Reads a CSR config: the SDK's `.properties`, or JSON with either qayd's field names
/// (`common_name`, …) or the SDK's keys (`csr.common.name`, …).
pub(crate) fn read_csr_config(path: &Path) -> Result<qayd::CsrConfig, Failure> {
    let bytes = crate::read_input(path)?;
    let text =
        String::from_utf8(bytes).map_err(|_| Failure::input(format!("{}: not UTF-8", path.display())))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('{') {
        return Ok(qayd::CsrConfig::from_properties(&text)?);
    }
    let value: serde_json::Value =
        serde_json::from_str(trimmed).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    let sdk_keys = value.as_object().is_some_and(|m| m.keys().any(|k| k.starts_with("csr.")));
    if sdk_keys {
        let mut properties = String::new();
        for (key, value) in value.as_object().into_iter().flatten() {
            let value = value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
            properties.push_str(&format!("{key}={}\n", value.replace('\\', "\\\\")));
        }
        return Ok(qayd::CsrConfig::from_properties(&properties)?);
    }
    serde_json::from_value(value).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
}

/// The SDK's timestamp suffix for default file names: `yyyyMMddHHmmss`.
fn stamp_suffix() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(time::macros::format_description!("[year][month][day][hour][minute][second]"))
        .unwrap_or_default()
}

/// The PEM body without armour or line breaks (the SDK's key files without `-pem`).
fn bare(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().concat()
}

pub(crate) struct CsrArgs {
    pub config: Option<PathBuf>,
    pub env: Option<String>,
    pub key_out: Option<PathBuf>,
    pub csr_out: Option<PathBuf>,
    pub pem: bool,
}

/// `qayd csr`.
pub(crate) fn csr(args: CsrArgs, settings: &Settings, json_output: bool) -> Result<u8, Failure> {
    let config_path = args.config.or_else(|| settings.csr_config.clone()).ok_or_else(|| {
        Failure::input("no CSR config: give --config FILE.properties|FILE.json (or QAYD_CSR_CONFIG)".into())
    })?;
    let environment =
        parse_environment(args.env.as_deref().or(settings.env.as_deref()).unwrap_or("developer-portal"))?;
    let config = read_csr_config(&config_path)?;
    let key = qayd::generate_private_key()?;
    let csr = qayd::build_csr(&config, &key, &environment)?;
    let suffix = stamp_suffix();
    let key_out =
        args.key_out.unwrap_or_else(|| PathBuf::from(format!("generated-private-key-{suffix}.key")));
    let csr_out = args.csr_out.unwrap_or_else(|| PathBuf::from(format!("generated-csr-{suffix}.csr")));
    let key_pem = key.to_sec1_pem()?;
    let (key_text, csr_text) =
        if args.pem { (key_pem, csr.to_pem()) } else { (bare(&key_pem), csr.to_api_base64()) };
    write_private(&key_out, key_text.as_bytes())?;
    write_public(&csr_out, csr_text.as_bytes())?;
    if json_output {
        print_json(json!({
            "environment": environment.name(),
            "template_name": environment.certificate_template_name(),
            "invoice_type": config.invoice_type,
            "key_out": key_out,
            "csr_out": csr_out,
            "pem": args.pem,
            "csr": csr.to_api_base64(),
        }));
    } else {
        say!("private key: {} (keep it secret)", key_out.display());
        say!(
            "CSR:         {} ({}, template {})",
            csr_out.display(),
            environment,
            environment.certificate_template_name()
        );
    }
    Ok(0)
}

/// Where the OTP comes from: `--otp-file` (`-`: standard input), `--otp-env VAR`, `--otp`, else
/// `QAYD_OTP`.
pub(crate) struct OtpArgs {
    pub otp_env: Option<String>,
    pub otp_file: Option<PathBuf>,
    pub otp: Option<String>,
}

impl OtpArgs {
    pub(crate) fn resolve(&self, settings: &Settings) -> Result<String, Failure> {
        let otp = if let Some(path) = self.otp_file.as_ref().or(settings.otp_file.as_ref()) {
            let bytes = crate::read_input(path)?;
            String::from_utf8(bytes).map_err(|_| Failure::input(format!("{}: not text", path.display())))?
        } else if let Some(var) = self.otp_env.as_ref().or(settings.otp_env.as_ref()) {
            std::env::var(var).map_err(|_| {
                Failure::input(format!("--otp-env {var}: the environment variable {var} is not set"))
            })?
        } else if let Some(otp) = &self.otp {
            otp.clone()
        } else if let Ok(otp) = std::env::var("QAYD_OTP") {
            otp
        } else {
            return Err(Failure::input(
                "no OTP: use --otp-env VAR (a variable holding it) or --otp-file FILE; the OTP comes from the Fatoora portal".into(),
            ));
        };
        let otp = otp.trim().to_owned();
        if otp.is_empty() || !otp.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Failure::input("the OTP must be the digits shown in the Fatoora portal".into()));
        }
        Ok(otp)
    }
}

/// Progress of the onboarding steps: a bar on a terminal, nothing otherwise.
pub(crate) struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    pub(crate) fn new(json_output: bool) -> Bar {
        let show =
            !json_output && std::io::stderr().is_terminal() && std::env::var_os("QAYD_NO_PROGRESS").is_none();
        if !show {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::new(1);
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
            bar.set_style(style);
        }
        Bar(Some(bar))
    }

    /// A bar counting `total` items (files, documents); drawn only when it helps: on a
    /// terminal, not with `--json`, for more than one item.
    pub(crate) fn counter(json_output: bool, total: u64) -> Bar {
        let bar = if total > 1 { Bar::new(json_output) } else { Bar(None) };
        if let Some(bar) = &bar.0 {
            bar.set_length(total);
        }
        bar
    }

    /// One item done.
    pub(crate) fn step(&self, message: String) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
            bar.set_message(message);
        }
    }

    /// The callback for [`qayd::onboarding`].
    pub(crate) fn callback(&self) -> impl FnMut(Progress) + Send + use<> {
        let bar = self.0.clone();
        move |p: Progress| {
            if let Some(bar) = &bar {
                bar.set_length(p.total as u64);
                bar.set_position(p.index as u64 - 1);
                bar.set_message(p.step);
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The files an onboarded EGS unit leaves in its folder.
pub(crate) fn write_credentials(
    dir: &Path,
    credentials: &EgsCredentials,
) -> Result<serde_json::Value, Failure> {
    std::fs::create_dir_all(dir).map_err(|e| io_failure(dir, e))?;
    let key = dir.join("private-key.pem");
    let csr = dir.join("csr.pem");
    let compliance = dir.join("compliance-certificate.pem");
    let production = dir.join("production-certificate.pem");
    let file = dir.join("credentials.json");
    write_private(&key, credentials.private_key.as_bytes())?;
    write_public(&csr, credentials.csr.as_bytes())?;
    let pem = |csid: &qayd::onboarding::Csid| -> Result<String, Failure> {
        Ok(qayd::csr::pem("CERTIFICATE", csid.certificate()?.der()))
    };
    write_public(&compliance, pem(&credentials.compliance)?.as_bytes())?;
    write_public(&production, pem(&credentials.production)?.as_bytes())?;
    write_private(&file, credentials.to_json()?.as_bytes())?;
    Ok(json!({
        "private_key": key,
        "csr": csr,
        "compliance_certificate": compliance,
        "production_certificate": production,
        "credentials": file,
    }))
}

pub(crate) struct OnboardArgs {
    pub config: Option<PathBuf>,
    pub env: Option<String>,
    pub out: Option<PathBuf>,
    pub otp: OtpArgs,
    pub force: bool,
}

pub(crate) fn client(
    environment: &qayd::Environment,
    settings: &Settings,
) -> Result<qayd::api::Client, Failure> {
    Ok(qayd::api::Client::with_config(environment.clone(), settings.client_config()?)?)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))
}

fn report(credentials: &EgsCredentials, files: serde_json::Value, verb: &str, json_output: bool) {
    if json_output {
        let mut summary = credentials.summary();
        summary["files"] = files;
        print_json(summary);
        return;
    }
    say!(
        "{verb} {} (VAT {}) with {}",
        credentials.identity.common_name,
        credentials.identity.organization_identifier,
        credentials.environment
    );
    for sample in &credentials.samples {
        say!("  compliance {:<24} {}", sample.document, sample.status);
    }
    say!(
        "  production CSID request {}; certificate expires {}",
        credentials.production.request_id.as_deref().unwrap_or("?"),
        qayd::onboarding::utc_text(credentials.certificate_expiry)
    );
    for (name, path) in files.as_object().into_iter().flatten() {
        say!("  {name:<24} {}", path.as_str().unwrap_or(""));
    }
}

/// `qayd onboard`.
pub(crate) fn onboard(args: OnboardArgs, settings: &Settings, json_output: bool) -> Result<u8, Failure> {
    let config_path = args.config.or_else(|| settings.csr_config.clone()).ok_or_else(|| {
        Failure::input("no CSR config: give --config FILE.properties|FILE.json (or QAYD_CSR_CONFIG)".into())
    })?;
    let env = args.env.or_else(|| settings.env.clone()).ok_or_else(|| {
        Failure::input("no environment: give --env developer-portal|simulation|core|URL (or QAYD_ENV)".into())
    })?;
    let environment = parse_environment(&env)?;
    let out = args
        .out
        .or_else(|| settings.out.clone())
        .ok_or_else(|| Failure::input("no output folder: give --out DIR (or QAYD_OUT)".into()))?;
    if out.join("credentials.json").exists() && !args.force {
        return Err(Failure::input(format!(
            "{} already holds credentials; use `qayd renew --dir {}` or --force to replace them",
            out.display(),
            out.display()
        )));
    }
    let identity = read_csr_config(&config_path)?;
    identity.validate()?;
    let otp = args.otp.resolve(settings)?;
    let client = client(&environment, settings)?;
    let bar = Bar::new(json_output);
    let mut progress = bar.callback();
    let result =
        runtime()?.block_on(qayd::onboarding::onboard(&client, &environment, &identity, &otp, &mut progress));
    bar.finish();
    let credentials = result?;
    let files = write_credentials(&out, &credentials)?;
    report(&credentials, files, "Onboarded", json_output);
    Ok(0)
}

pub(crate) struct RenewArgs {
    pub dir: Option<PathBuf>,
    pub env: Option<String>,
    pub otp: OtpArgs,
}

/// `qayd renew`: a new key and production CSID for the EGS unit in `--dir`.
pub(crate) fn renew(args: RenewArgs, settings: &Settings, json_output: bool) -> Result<u8, Failure> {
    let dir = args.dir.or_else(|| settings.out.clone()).ok_or_else(|| {
        Failure::input("no credentials folder: give --dir DIR (the --out of `qayd onboard`)".into())
    })?;
    let path = dir.join("credentials.json");
    let text = std::fs::read_to_string(&path).map_err(|e| io_failure(&path, e))?;
    let current = EgsCredentials::from_json(&text)?;
    let environment = match args.env.or_else(|| settings.env.clone()) {
        Some(env) => parse_environment(&env)?,
        None => current.environment.clone(),
    };
    current.check_environment(&environment)?;
    let otp = args.otp.resolve(settings)?;
    let client = client(&environment, settings)?;
    let bar = Bar::new(json_output);
    let mut progress = bar.callback();
    let result = runtime()?.block_on(qayd::onboarding::renew(&client, &current, &otp, &mut progress));
    bar.finish();
    let renewed = result?;
    // Keep the previous credentials until the new ones are written.
    write_private(&dir.join("credentials.previous.json"), text.as_bytes())?;
    let files = write_credentials(&dir, &renewed)?;
    report(&renewed, files, "Renewed", json_output);
    Ok(0)
}
