//! The surface every binding offers, named once: each operation and type with its name in each
//! language, in that language's own case convention. The README's naming table and
//! `tests/conformance/surface.json` are rendered from here (a test keeps both current), and
//! each binding's test suite checks that every name of its column exists, so an operation
//! added here is missing nowhere without a failing test.

use serde::Serialize;

/// How a call behaves across languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Style {
    /// Returns at once (CPU work; Python releases the GIL).
    Blocking,
    /// Waits on the network or the worker: `async`/`Promise`/`suspend` in Python (as the
    /// `_async` twin of a blocking name), Node and Kotlin; blocking in C.
    Network,
}

/// One operation of the surface. A name is a path from the language's module: `Signer.stamp`
/// is a method, `Signer` a constructor. `None`: the language does not need it (said why in
/// `note`).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Operation {
    pub what: &'static str,
    pub style: Style,
    pub rust: &'static str,
    pub python: Option<&'static str>,
    pub node: Option<&'static str>,
    pub kotlin: Option<&'static str>,
    pub c: Option<&'static str>,
    pub note: &'static str,
}

/// One type of the surface: records, enums, classes, in each language (`None`: not a named
/// type there — C hands records over as JSON text).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Type {
    pub what: &'static str,
    pub rust: &'static str,
    pub python: Option<&'static str>,
    pub node: Option<&'static str>,
    pub kotlin: Option<&'static str>,
    pub c: Option<&'static str>,
}

const fn op(
    what: &'static str,
    style: Style,
    rust: &'static str,
    [python, node, kotlin, c]: [&'static str; 4],
    note: &'static str,
) -> Operation {
    Operation {
        what,
        style,
        rust,
        python: some(python),
        node: some(node),
        kotlin: some(kotlin),
        c: some(c),
        note,
    }
}

const fn ty(what: &'static str, rust: &'static str, [python, node, kotlin, c]: [&'static str; 4]) -> Type {
    Type { what, rust, python: some(python), node: some(node), kotlin: some(kotlin), c: some(c) }
}

/// An empty name in the tables below: the language has no such item.
const fn some(name: &'static str) -> Option<&'static str> {
    if name.is_empty() { None } else { Some(name) }
}

use Style::{Blocking, Network};

/// Every operation, in the README's order.
pub const OPERATIONS: &[Operation] = &[
    // Documents, no store.
    op(
        "UBL XML from an invoice model",
        Blocking,
        "embed::generate",
        ["generate", "generate", "generate", "qayd_generate"],
        "",
    ),
    op(
        "signer from a certificate and its private key",
        Blocking,
        "Signer::new",
        ["Signer", "Signer", "Signer", "qayd_signer_new"],
        "",
    ),
    op(
        "stamp an invoice model (the fast path: no re-parse)",
        Blocking,
        "embed::stamp_invoice",
        ["Signer.stamp_invoice", "Signer.stampInvoice", "Signer.stampInvoice", "qayd_stamp_invoice"],
        "",
    ),
    op(
        "stamp XML written elsewhere",
        Blocking,
        "embed::stamp",
        ["Signer.stamp", "Signer.stamp", "Signer.stamp", "qayd_stamp"],
        "",
    ),
    op(
        "the signer's certificate",
        Blocking,
        "Signer::certificate",
        ["Signer.certificate", "Signer.certificate", "Signer.certificate", "qayd_signer_certificate_json"],
        "",
    ),
    op(
        "invoice hash of a document",
        Blocking,
        "invoice_hash",
        ["invoice_hash", "invoiceHash", "invoiceHash", "qayd_invoice_hash"],
        "",
    ),
    op("verify a stamped document", Blocking, "verify", ["verify", "verify", "verify", "qayd_verify"], ""),
    op(
        "validate against ZATCA's rules",
        Blocking,
        "validate",
        ["validate", "validate", "validate", "qayd_validate"],
        "",
    ),
    op("PDF/A-3 of a document, XML embedded", Blocking, "pdf::render", ["pdf", "pdf", "pdf", "qayd_pdf"], ""),
    op(
        "decode a QR payload",
        Blocking,
        "qr::decode",
        ["qr_decode", "qrDecode", "qrDecode", "qayd_qr_decode"],
        "",
    ),
    op("QR payload as SVG", Blocking, "qr::svg", ["qr_svg", "qrSvg", "qrSvg", "qayd_qr_svg"], ""),
    op(
        "QR payload as PNG",
        Blocking,
        "qr::png",
        ["qr_png", "qrPng", "qrPng", "qayd_qr_png"],
        "scale 8 by default",
    ),
    op(
        "QR payload as terminal text",
        Blocking,
        "qr::text",
        ["qr_text", "qrText", "qrText", "qayd_qr_text"],
        "",
    ),
    // Keys, identity, onboarding.
    op(
        "new secp256k1 private key (PEM)",
        Blocking,
        "embed::generate_private_key_pem",
        [
            "generate_private_key_pem",
            "generatePrivateKeyPem",
            "generatePrivateKeyPem",
            "qayd_generate_private_key_pem",
        ],
        "",
    ),
    op(
        "new master key (base64)",
        Blocking,
        "embed::generate_master_key",
        ["generate_master_key", "generateMasterKey", "generateMasterKey", "qayd_generate_master_key"],
        "",
    ),
    op(
        "EGS identity from csr-config text or JSON",
        Blocking,
        "embed::identity_from_text",
        ["identity_from_text", "identityFromText", "identityFromText", "qayd_identity_from_text"],
        "",
    ),
    op(
        "CSR of an identity",
        Blocking,
        "embed::build_csr",
        ["build_csr", "buildCsr", "buildCsr", "qayd_build_csr"],
        "",
    ),
    op(
        "sample invoice model for an identity",
        Blocking,
        "embed::sample_invoice_json",
        ["sample_invoice", "sampleInvoice", "sampleInvoice", "qayd_sample_invoice"],
        "the model in the language's form: dict, object, JSON text",
    ),
    op(
        "onboard a unit (OTP → production CSID)",
        Network,
        "embed::onboard",
        ["onboard", "onboard", "onboard", "qayd_onboard"],
        "",
    ),
    op(
        "renew a unit's production CSID",
        Network,
        "embed::renew",
        ["renew", "renew", "renew", "qayd_renew"],
        "",
    ),
    op(
        "credentials from their JSON form",
        Blocking,
        "EgsCredentials::from_json",
        [
            "Credentials.from_json",
            "Credentials.fromJson",
            "Credentials.fromJson",
            "qayd_credentials_from_json",
        ],
        "",
    ),
    op(
        "credentials to their JSON form (holds secrets)",
        Blocking,
        "EgsCredentials::to_json",
        ["Credentials.to_json", "Credentials.toJson", "Credentials.toJson", "qayd_credentials_to_json"],
        "",
    ),
    // The Fatoora API, call by call.
    op(
        "API client for an environment",
        Blocking,
        "embed::ApiClient::new",
        ["ApiClient", "ApiClient", "ApiClient", "qayd_api_client_new"],
        "",
    ),
    op(
        "POST /compliance",
        Network,
        "embed::ApiClient::compliance_csid",
        [
            "ApiClient.compliance_csid",
            "ApiClient.complianceCsid",
            "ApiClient.complianceCsid",
            "qayd_api_compliance_csid",
        ],
        "",
    ),
    op(
        "POST /compliance/invoices",
        Network,
        "embed::ApiClient::compliance_invoice",
        [
            "ApiClient.compliance_invoice",
            "ApiClient.complianceInvoice",
            "ApiClient.complianceInvoice",
            "qayd_api_compliance_invoice",
        ],
        "",
    ),
    op(
        "POST /production/csids",
        Network,
        "embed::ApiClient::production_csid",
        [
            "ApiClient.production_csid",
            "ApiClient.productionCsid",
            "ApiClient.productionCsid",
            "qayd_api_production_csid",
        ],
        "",
    ),
    op(
        "PATCH /production/csids",
        Network,
        "embed::ApiClient::renew_production_csid",
        [
            "ApiClient.renew_production_csid",
            "ApiClient.renewProductionCsid",
            "ApiClient.renewProductionCsid",
            "qayd_api_renew_production_csid",
        ],
        "",
    ),
    op(
        "POST /invoices/clearance/single",
        Network,
        "embed::ApiClient::clearance",
        ["ApiClient.clearance", "ApiClient.clearance", "ApiClient.clearance", "qayd_api_clearance"],
        "",
    ),
    op(
        "POST /invoices/reporting/single",
        Network,
        "embed::ApiClient::reporting",
        ["ApiClient.reporting", "ApiClient.reporting", "ApiClient.reporting", "qayd_api_reporting"],
        "",
    ),
    // The durable engine.
    op(
        "open an engine on a store",
        Blocking,
        "embed::EngineHandle::open",
        ["Engine", "Engine", "Engine", "qayd_engine_open"],
        "options: store (required), environment, master_key (else QAYD_MASTER_KEY), …",
    ),
    op(
        "close: stop the worker, wait for it, release the store",
        Network,
        "embed::EngineHandle::stop",
        ["Engine.close", "Engine.close", "Engine.close", "qayd_engine_free"],
        "Python and Kotlin: also `with` / `use {}`",
    ),
    op(
        "register a unit",
        Blocking,
        "embed::EngineHandle::register_egs",
        ["Engine.register_egs", "Engine.registerEgs", "Engine.registerEgs", "qayd_engine_register_egs"],
        "",
    ),
    op(
        "store a unit's credentials (sealed)",
        Blocking,
        "embed::EngineHandle::set_credentials",
        [
            "Engine.set_credentials",
            "Engine.setCredentials",
            "Engine.setCredentials",
            "qayd_engine_set_credentials",
        ],
        "",
    ),
    op(
        "issue: next ICV, PIH, stamp, store as pending",
        Blocking,
        "embed::EngineHandle::issue",
        ["Engine.issue", "Engine.issue", "Engine.issue", "qayd_engine_issue"],
        "",
    ),
    op(
        "issue a batch in one transaction (per-entry results)",
        Blocking,
        "embed::EngineHandle::issue_many",
        ["Engine.issue_many", "Engine.issueMany", "Engine.issueMany", "qayd_engine_issue_many"],
        "each entry: the document, or the error that refused it",
    ),
    op(
        "issue a standard invoice and wait for clearance",
        Network,
        "embed::EngineHandle::clear",
        ["Engine.clear", "Engine.clear", "Engine.clear", "qayd_engine_clear"],
        "",
    ),
    op(
        "one pass over the outbox",
        Network,
        "embed::EngineHandle::drain",
        ["Engine.drain", "Engine.drain", "Engine.drain", "qayd_engine_drain"],
        "",
    ),
    op(
        "renew a stored unit's CSID",
        Network,
        "embed::EngineHandle::renew_egs",
        ["Engine.renew_egs", "Engine.renewEgs", "Engine.renewEgs", "qayd_engine_renew_egs"],
        "",
    ),
    op(
        "start the background worker",
        Blocking,
        "embed::EngineHandle::start",
        ["Engine.start", "Engine.start", "Engine.start", "qayd_engine_start"],
        "",
    ),
    op(
        "stop the background worker and wait",
        Network,
        "embed::EngineHandle::stop",
        ["Engine.stop", "Engine.stop", "Engine.stop", "qayd_engine_stop"],
        "",
    ),
    op(
        "whether the worker runs",
        Blocking,
        "embed::EngineHandle::is_running",
        ["Engine.is_running", "Engine.isRunning", "Engine.isRunning", "qayd_engine_is_running"],
        "",
    ),
    op(
        "the worker's health",
        Blocking,
        "embed::EngineHandle::worker_health",
        ["Engine.worker_health", "Engine.workerHealth", "Engine.workerHealth", "qayd_engine_worker_health"],
        "",
    ),
    op(
        "the store's and the worker's metrics, Prometheus text",
        Blocking,
        "embed::EngineHandle::metrics",
        ["Engine.metrics", "Engine.metrics", "Engine.metrics", "qayd_engine_metrics"],
        "for the application's web server to serve at /metrics",
    ),
    op(
        "events after a cursor (lifecycle, deadlines, certificates)",
        Blocking,
        "embed::EngineHandle::events",
        ["Engine.events", "Engine.events", "Engine.events", "qayd_engine_events"],
        "cursor 0, limit 100 by default",
    ),
    op(
        "one stored document with its bytes",
        Blocking,
        "embed::EngineHandle::document",
        ["Engine.document", "Engine.document", "Engine.document", "qayd_engine_document"],
        "",
    ),
    op(
        "a stored document by UUID",
        Blocking,
        "embed::EngineHandle::document_by_uuid",
        [
            "Engine.document_by_uuid",
            "Engine.documentByUuid",
            "Engine.documentByUuid",
            "qayd_engine_document_by_uuid",
        ],
        "",
    ),
    op(
        "the QR payload to print for a stored document",
        Blocking,
        "embed::EngineHandle::document_qr",
        ["Engine.document_qr", "Engine.documentQr", "Engine.documentQr", "qayd_engine_document_qr"],
        "from the cleared XML once cleared",
    ),
    op(
        "a unit's documents, chain order",
        Blocking,
        "embed::EngineHandle::documents",
        ["Engine.documents", "Engine.documents", "Engine.documents", "qayd_engine_documents"],
        "",
    ),
    op(
        "documents in a status",
        Blocking,
        "embed::EngineHandle::documents_by_status",
        [
            "Engine.documents_by_status",
            "Engine.documentsByStatus",
            "Engine.documentsByStatus",
            "qayd_engine_documents_by_status",
        ],
        "",
    ),
    op(
        "how many documents in each status",
        Blocking,
        "embed::EngineHandle::status_counts",
        ["Engine.status_counts", "Engine.statusCounts", "Engine.statusCounts", "qayd_engine_status_counts"],
        "",
    ),
    op(
        "every unit with its chain head",
        Blocking,
        "embed::EngineHandle::egs_units",
        ["Engine.egs_units", "Engine.egsUnits", "Engine.egsUnits", "qayd_engine_egs_units"],
        "",
    ),
    op(
        "send a dead document again",
        Blocking,
        "embed::EngineHandle::requeue",
        ["Engine.requeue", "Engine.requeue", "Engine.requeue", "qayd_engine_requeue"],
        "",
    ),
    op(
        "let a stopped unit send again",
        Blocking,
        "embed::EngineHandle::resume_egs",
        ["Engine.resume_egs", "Engine.resumeEgs", "Engine.resumeEgs", "qayd_engine_resume_egs"],
        "",
    ),
    op(
        "recover documents a killed process left in flight",
        Blocking,
        "embed::EngineHandle::recover",
        ["Engine.recover", "Engine.recover", "Engine.recover", "qayd_engine_recover"],
        "",
    ),
    op(
        "the audit log as JSON lines",
        Blocking,
        "embed::EngineHandle::export_audit",
        ["Engine.export_audit", "Engine.exportAudit", "Engine.exportAudit", "qayd_engine_export_audit"],
        "",
    ),
    op(
        "check the hash-linked audit log",
        Blocking,
        "embed::EngineHandle::verify_audit",
        ["Engine.verify_audit", "Engine.verifyAudit", "Engine.verifyAudit", "qayd_engine_verify_audit"],
        "",
    ),
    // Constants.
    op(
        "the library version",
        Blocking,
        "env!(\"CARGO_PKG_VERSION\")",
        ["__version__", "version", "version", "qayd_version"],
        "",
    ),
    op(
        "the first document's PIH",
        Blocking,
        "GENESIS_PIH",
        ["GENESIS_PIH", "GENESIS_PIH", "genesisPih", "qayd_genesis_pih"],
        "",
    ),
    op(
        "every error code",
        Blocking,
        "ERROR_CODES",
        ["ERROR_CODES", "ERROR_CODES", "errorCodes", ""],
        "C: the qayd_status enum",
    ),
    op(
        "end the library's threads (leak checkers)",
        Blocking,
        "embed::shutdown_runtime",
        ["", "", "", "qayd_shutdown"],
        "the other languages' runtimes end with the process",
    ),
];

/// Every named type. Records keep the core's field names, in each language's case (`egs_id`,
/// `egsId`); enum values are the snake_case strings of the core (`accepted_with_warnings`)
/// in Python (`str` enums) and Node (string unions), and enum constants in Kotlin
/// (`ACCEPTED_WITH_WARNINGS`) and C.
pub const TYPES: &[Type] = &[
    ty(
        "where a stored document stands",
        "embed::DocumentStatus",
        ["DocumentStatus", "DocumentStatus", "DocumentStatus", ""],
    ),
    ty("what clear ended in", "embed::ClearOutcome", ["ClearOutcome", "ClearOutcome", "ClearOutcome", ""]),
    ty(
        "how the platform answered a call",
        "embed::ApiOutcome",
        ["ApiOutcome", "ApiOutcome", "ApiOutcome", ""],
    ),
    ty("what an event says", "embed::EventKind", ["EventKind", "EventKind", "EventKind", ""]),
    ty("a finding's severity", "Severity", ["Severity", "Severity", "Severity", ""]),
    ty(
        "a stamped document",
        "StampedInvoice",
        ["StampedInvoice", "StampedInvoice", "StampedInvoice", "qayd_stamped"],
    ),
    ty("a certificate's facts", "Certificate", ["Certificate", "CertificateInfo", "CertificateInfo", ""]),
    ty(
        "verification report",
        "VerificationReport",
        ["VerificationReport", "VerificationReport", "VerificationReport", ""],
    ),
    ty("one verification check", "Check", ["Check", "Check", "Check", ""]),
    ty(
        "validation report",
        "ValidationReport",
        ["ValidationReport", "ValidationReport", "ValidationReport", ""],
    ),
    ty("one rule finding", "Finding", ["Finding", "Finding", "Finding", ""]),
    ty("one QR field", "qr::Field", ["QrField", "QrField", "QrField", ""]),
    ty("an EGS identity (CSR values)", "CsrConfig", ["Identity", "Identity", "Identity", ""]),
    ty("a CSR, PEM and base64", "embed::CsrOutput", ["Csr", "Csr", "CsrOutput", ""]),
    ty(
        "a unit's credentials (secrets redacted when printed)",
        "EgsCredentials",
        ["Credentials", "Credentials", "Credentials", "qayd_credentials"],
    ),
    ty("onboarding progress", "onboarding::Progress", ["Progress", "Progress", "Progress", ""]),
    ty("client options", "embed::ClientOptions", ["ClientOptions", "ClientOptions", "ClientOptions", ""]),
    ty("one API answer", "embed::ApiAnswer", ["ApiAnswer", "ApiAnswer", "ApiAnswer", ""]),
    ty("one platform message", "api::ValidationMessage", ["ApiMessage", "ApiMessage", "ApiMessage", ""]),
    ty("engine options", "embed::EngineOptions", ["EngineOptions", "EngineOptions", "EngineOptions", ""]),
    ty(
        "a stored document with its bytes",
        "embed::Document",
        ["Document", "Document", "Document", "qayd_document"],
    ),
    ty(
        "a stored document, no bytes",
        "embed::DocumentInfo",
        ["DocumentInfo", "DocumentInfo", "DocumentInfo", ""],
    ),
    ty("what clear returned", "embed::ClearResult", ["ClearResult", "ClearResult", "ClearResult", ""]),
    ty("what a drain pass did", "embed::DrainReport", ["DrainReport", "DrainReport", "DrainReport", ""]),
    ty(
        "a renewal's outcome",
        "engine::RenewalOutcome",
        ["RenewalOutcome", "RenewalOutcome", "RenewalOutcome", ""],
    ),
    ty("one engine event", "embed::Event", ["Event", "EngineEvent", "Event", ""]),
    ty("a unit and its chain head", "embed::EgsInfo", ["EgsInfo", "EgsInfo", "EgsInfo", ""]),
    ty("the worker's health", "engine::WorkerHealth", ["WorkerHealth", "WorkerHealth", "WorkerHealth", ""]),
    ty("the audit log's integrity", "embed::AuditCheck", ["AuditCheck", "AuditCheck", "AuditCheck", ""]),
    ty(
        "an error (code, message, rule, HTTP status)",
        "Error",
        ["QaydError", "QaydError", "QaydException", "qayd_status"],
    ),
];

/// The fields of the engine's records (snake_case, as the core serialises them) that hold a time,
/// seconds since the Unix epoch: each binding hands them over as its native time (`datetime`,
/// `Date`, `Instant`).
pub const TIME_FIELDS: [&str; 8] = [
    "issued_at",
    "next_attempt_at",
    "finished_at",
    "at",
    "certificate_expiry",
    "last_pass_at",
    "not_after",
    "previous_not_after",
];

/// The whole surface as JSON: what the bindings' tests read (`tests/conformance/surface.json`).
pub fn to_json() -> String {
    #[derive(Serialize)]
    struct Surface {
        operations: &'static [Operation],
        types: &'static [Type],
        error_codes: &'static [&'static str],
        document_statuses: Vec<&'static str>,
        clear_outcomes: Vec<&'static str>,
        api_outcomes: Vec<&'static str>,
        event_kinds: Vec<&'static str>,
        severities: Vec<&'static str>,
        time_fields: &'static [&'static str],
    }
    let surface = Surface {
        operations: OPERATIONS,
        types: TYPES,
        error_codes: crate::ERROR_CODES,
        document_statuses: super::DocumentStatus::ALL.iter().map(|s| s.as_str()).collect(),
        clear_outcomes: super::ClearOutcome::ALL.iter().map(|s| s.as_str()).collect(),
        api_outcomes: super::ApiOutcome::ALL.iter().map(|s| s.as_str()).collect(),
        event_kinds: super::EventKind::ALL.iter().map(|s| s.as_str()).collect(),
        severities: crate::Severity::ALL.iter().map(|s| s.as_str()).collect(),
        time_fields: &TIME_FIELDS,
    };
    let mut text = serde_json::to_string_pretty(&surface).unwrap_or_default();
    text.push('\n');
    text
}

/// The README's naming table (Markdown).
pub fn to_markdown() -> String {
    let cell = |name: Option<&str>| name.map_or_else(|| "—".to_owned(), |n| format!("`{n}`"));
    let mut out =
        String::from("| operation | Rust | Python | Node | Kotlin | C |\n|---|---|---|---|---|---|\n");
    for o in OPERATIONS {
        let what = match (o.style, o.note.is_empty()) {
            (Style::Network, true) => format!("{} ⏳", o.what),
            (Style::Network, false) => format!("{} ⏳ ({})", o.what, o.note),
            (Style::Blocking, true) => o.what.to_owned(),
            (Style::Blocking, false) => format!("{} ({})", o.what, o.note),
        };
        out += &format!(
            "| {what} | `{}` | {} | {} | {} | {} |\n",
            o.rust,
            cell(o.python),
            cell(o.node),
            cell(o.kotlin),
            cell(o.c)
        );
    }
    out += "\n| type | Rust | Python | Node | Kotlin | C |\n|---|---|---|---|---|---|\n";
    for t in TYPES {
        out += &format!(
            "| {} | `{}` | {} | {} | {} | {} |\n",
            t.what,
            t.rust,
            cell(t.python),
            cell(t.node),
            cell(t.kotlin),
            t.c.map_or_else(|| "JSON".to_owned(), |n| format!("`{n}`"))
        );
    }
    out
}
