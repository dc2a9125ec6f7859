//! The core's public modules are a deliberate list: this test reads the module tree from
//! `core/src` (from `lib.rs` down, following `mod` declarations and `#[path]`) and compares the
//! modules a user can name — every module on the path declared `pub` — with the list below. A
//! private implementation module made `pub` again (`pub mod xades;`, `pub mod worker_loop;`)
//! fails here, and so does a public module that is no longer declared, so the list stays true.
//! What is API of a private module is re-exported by its parent (`pub use`), which this test does
//! not restrict. The modules that are public but not API (`__internal` and two old paths) must be
//! `#[doc(hidden)]`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The public modules, with the features that enable them.
const PUBLIC: &[&str] = &[
    "api",             // feature api: the Fatoora client
    "clock",           // the clock the engine and the rules read
    "csr",             // CSR building and parsing
    "embed",           // features api + store: the one surface the bindings wrap
    "embed::surface",  // the surface table (README naming table, tests/conformance/surface.json)
    "engine",          // feature store: the durable engine
    "engine::metrics", // feature api: the Prometheus exposition and the health verdict
    "model",           // the typed invoice
    "onboarding",      // feature api
    "pdf",             // feature pdf
    "qr",
    "secrets",  // the master key and its providers
    "store",    // feature store
    "validate", // the rule book
];

/// Public but not API: hidden from the documentation, no stability.
const HIDDEN: &[&str] = &["__internal", "__internal::xml", "__internal::stamp", "__internal::model"];

/// One `mod` declaration: its path, whether it is declared `pub`, whether `#[doc(hidden)]`.
#[derive(Debug)]
struct Declared {
    path: String,
    public: bool,
    hidden: bool,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Reads the module declarations of `file` (module path `prefix`), and of the files they name.
fn walk(file: &Path, prefix: &str, out: &mut Vec<Declared>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    // Where the files of this file's child modules live.
    let is_dir_owner = matches!(file.file_name().and_then(|n| n.to_str()), Some("lib.rs" | "mod.rs"));
    let dir = if is_dir_owner { file.parent().unwrap().to_path_buf() } else { file.with_extension("") };
    // Inline modules open at this point: (indentation, path).
    let mut inline: Vec<(usize, String)> = Vec::new();
    let mut attributes: Vec<String> = Vec::new();
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if inline.last().is_some_and(|(open, _)| *open == indent && trimmed == "}") {
            inline.pop();
        }
        if trimmed.starts_with("#[") {
            attributes.push(trimmed.to_owned());
            continue;
        }
        if trimmed.starts_with("//") || trimmed.is_empty() {
            continue;
        }
        let attrs = std::mem::take(&mut attributes);
        let Some((visibility, rest)) = declaration(trimmed) else { continue };
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let after = rest[name.len()..].trim();
        let parent = inline.last().map_or(prefix.to_owned(), |(_, path)| path.clone());
        let path = if parent.is_empty() { name.clone() } else { format!("{parent}::{name}") };
        if attrs.iter().any(|a| a == "#[cfg(test)]") {
            continue;
        }
        out.push(Declared {
            path: path.clone(),
            public: visibility == "pub",
            hidden: attrs.iter().any(|a| a == "#[doc(hidden)]"),
        });
        if after.starts_with('{') {
            if !after.ends_with('}') {
                inline.push((indent, path));
            }
        } else if after.starts_with(';') && inline.is_empty() {
            let explicit = attrs.iter().find_map(|a| {
                // `#[path]` outside inline modules is relative to the declaring file's directory.
                a.strip_prefix("#[path = \"")
                    .and_then(|p| p.strip_suffix("\"]"))
                    .map(|p| file.with_file_name(p))
            });
            let child = explicit.unwrap_or_else(|| {
                let flat = dir.join(format!("{name}.rs"));
                if flat.exists() { flat } else { dir.join(&name).join("mod.rs") }
            });
            walk(&child, &path, out);
        }
    }
}

/// `(visibility, rest after "mod ")` when the line declares a module.
fn declaration(line: &str) -> Option<(&str, &str)> {
    for visibility in ["pub(crate) ", "pub(super) ", "pub ", ""] {
        if let Some(rest) = line.strip_prefix(visibility).and_then(|r| r.strip_prefix("mod ")) {
            return Some((visibility.trim(), rest));
        }
    }
    None
}

fn declared() -> Vec<Declared> {
    let mut out = Vec::new();
    walk(&src().join("lib.rs"), "", &mut out);
    out
}

/// The modules a user can name: declared `pub`, and every enclosing module too.
fn nameable(all: &[Declared]) -> BTreeSet<String> {
    let public: BTreeSet<&str> = all.iter().filter(|d| d.public).map(|d| d.path.as_str()).collect();
    all.iter()
        .filter(|d| {
            let segments: Vec<&str> = d.path.split("::").collect();
            (1..=segments.len()).all(|n| public.contains(segments[..n].join("::").as_str()))
        })
        .map(|d| d.path.clone())
        .collect()
}

#[test]
fn the_public_modules_are_the_listed_ones() {
    let all = declared();
    assert!(all.len() > 40, "the walk found only {} modules: is it still reading core/src?", all.len());
    for expected in ["stamp::xades", "engine::worker_loop", "xml::c14n", "model::write"] {
        assert!(all.iter().any(|d| d.path == expected), "the walk missed {expected}");
    }
    let found = nameable(&all);
    let listed: BTreeSet<String> = PUBLIC.iter().chain(HIDDEN).map(|s| s.to_string()).collect();
    let unexpected: Vec<&String> = found.difference(&listed).collect();
    let missing: Vec<&String> = listed.difference(&found).collect();
    assert!(
        unexpected.is_empty(),
        "public modules not in the API list (make them private and re-export what is API, or add \
         them to PUBLIC in core/tests/public_api.rs deliberately): {unexpected:?}"
    );
    assert!(missing.is_empty(), "listed public modules that are no longer public: {missing:?}");
}

#[test]
fn what_is_public_but_not_api_is_hidden() {
    let all = declared();
    // Hidden: declared `#[doc(hidden)]`, or inside a module that is.
    let hidden = |path: &str| {
        let segments: Vec<&str> = path.split("::").collect();
        (1..=segments.len()).any(|n| {
            let prefix = segments[..n].join("::");
            all.iter().any(|d| d.path == prefix && d.hidden)
        })
    };
    for path in HIDDEN {
        assert!(hidden(path), "{path} is not API and must be #[doc(hidden)]");
    }
    for path in PUBLIC {
        assert!(!hidden(path), "{path} is API: why is it hidden?");
    }
}

/// The paths the README, the bindings and the CLI use, named once here so that narrowing the
/// API further is a decision, not an accident (this compiles only while they resolve).
#[test]
fn the_documented_paths_resolve() {
    let _ =
        (qayd::generate, qayd::stamp, qayd::verify, qayd::validate, qayd::invoice_hash, qayd::qr_of_document);
    let _ = (qayd::build_csr, qayd::parse_csr, qayd::generate_private_key);
    let _: Option<(qayd::Signer, qayd::Certificate, qayd::PrivateKey, qayd::CsrConfig, qayd::Environment)> =
        None;
    let _: Option<(qayd::StampOptions, qayd::StampedInvoice, qayd::VerificationReport, qayd::Check)> = None;
    let _: Option<(qayd::ValidationReport, qayd::Finding, qayd::Severity, qayd::Error, qayd::ErrorKind)> =
        None;
    let _ = (qayd::ERROR_CODES, qayd::GENESIS_PIH, qayd::VERSION);
    let _ = qayd::model::Invoice::from_json;
    let _ = (qayd::validate::validate_at, qayd::validate::rule_info, qayd::validate::IMPLEMENTED_RULES);
    let _ = (qayd::qr::decode, qayd::qr::render_png, qayd::qr::render_svg, qayd::qr::render_text);
    let _ = qayd::secrets::MasterKey::generate;
    let _ = (qayd::store::open, qayd::engine::Engine::new, qayd::engine::shutdown_signal);
    let _: Option<(qayd::engine::ClearOutcome, qayd::engine::RenewalOutcome, qayd::engine::WorkerHealth)> =
        None;
    let _: Option<(qayd::engine::AuditEntry, qayd::engine::DrainSummary, qayd::store::SubmissionStatus)> =
        None;
    let _: Option<(qayd::embed::EngineHandle, qayd::embed::ApiClient, qayd::embed::DocumentStatus)> = None;
    let _ = (qayd::api::Client::new, qayd::onboarding::onboard);
}
