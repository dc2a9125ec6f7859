//! Keys, identities, CSRs, sample invoices, onboarding and renewal (`qayd::embed`), with the
//! onboarded credentials behind an opaque handle so that their secrets are never printed by
//! accident.

use crate::{Failure, QaydStatus, block, bytes, c_string, guard, json, null, opt_utf8_arg, out, utf8_arg};
use qayd::embed::{self, ClientOptions};
use qayd::onboarding::{EgsCredentials, Progress};
use std::ffi::{c_char, c_void};

/// Reads an identity given as the SDK's `.properties` text or as its JSON form.
pub(crate) unsafe fn identity(text: *const c_char) -> Result<qayd::CsrConfig, Failure> {
    // SAFETY: the caller's contract (NULL or a NUL-terminated string).
    Ok(embed::identity_from_text(unsafe { utf8_arg(text, "identity") }?)?)
}

/// Reads optional client options (NULL = defaults): {"timeout_ms":…,"connect_timeout_ms":…}.
pub(crate) unsafe fn client_options(text: *const c_char) -> Result<ClientOptions, Failure> {
    // SAFETY: the caller's contract (NULL or a NUL-terminated string).
    match unsafe { opt_utf8_arg(text, "options_json") }? {
        None => Ok(ClientOptions::default()),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| Failure(QaydStatus::InvalidInput, format!("client options: {e}"))),
    }
}

/// A new secp256k1 private key, SEC1 PEM (what the SDK's `-csr` writes). It is a secret: free
/// `*out_pem` with qayd_string_free once stored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_generate_private_key_pem(out_pem: *mut *mut c_char) -> QaydStatus {
    guard(|| unsafe {
        let out_pem = out(out_pem, std::ptr::null_mut(), "out_pem")?;
        *out_pem = c_string(embed::generate_private_key_pem()?)?.into_raw();
        Ok(())
    })
}

/// A new master key for sealing credentials (base64 of 32 random bytes): the engine options'
/// `master_key` or QAYD_MASTER_KEY. A secret; free with qayd_string_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_generate_master_key(out_base64: *mut *mut c_char) -> QaydStatus {
    guard(|| unsafe {
        let out_base64 = out(out_base64, std::ptr::null_mut(), "out_base64")?;
        *out_base64 = c_string(qayd::embed::generate_master_key()?)?.into_raw();
        Ok(())
    })
}

/// Reads an EGS identity (the SDK's csr-config `.properties` text, or its JSON form) and writes
/// its JSON form to `*out_identity_json` (free with qayd_string_free): {"common_name":…,
/// "serial_number":…,"organization_identifier":…,…}. Every function taking an `identity`
/// accepts either form.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_identity_from_text(
    text: *const c_char,
    out_identity_json: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_json = out(out_identity_json, std::ptr::null_mut(), "out_identity_json")?;
        *out_json = json(&identity(text)?)?.into_raw();
        Ok(())
    })
}

/// Builds the CSR of `identity` for `environment` ("developer-portal", "simulation", "core" or
/// a base URL), signed with `private_key` (PEM, DER or the SDK's base64). `*out_csr_json`
/// (free with qayd_string_free): {"pem":"-----BEGIN CERTIFICATE REQUEST-----…","base64":"…"}
/// where `base64` is the `csr` field of `POST /compliance`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_build_csr(
    identity_text: *const c_char,
    private_key: *const u8,
    private_key_len: usize,
    environment: *const c_char,
    out_csr_json: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_json = out(out_csr_json, std::ptr::null_mut(), "out_csr_json")?;
        let identity = identity(identity_text)?;
        let key = bytes(private_key, private_key_len, "private_key")?;
        let environment = utf8_arg(environment, "environment")?;
        *out_json = json(&embed::build_csr(&identity, key, environment)?)?.into_raw();
        Ok(())
    })
}

/// A sample invoice of `identity` (the seller), issued now, in the model's JSON form (what
/// qayd_generate, qayd_stamp_invoice and qayd_engine_issue take). `kind`: "standard" or
/// "simplified"; `document_type`: "invoice", "credit_note" or "debit_note". Free with
/// qayd_string_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_sample_invoice(
    identity_text: *const c_char,
    kind: *const c_char,
    document_type: *const c_char,
    out_invoice_json: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_json = out(out_invoice_json, std::ptr::null_mut(), "out_invoice_json")?;
        let identity = identity(identity_text)?;
        let kind = utf8_arg(kind, "kind")?;
        let document_type = utf8_arg(document_type, "document_type")?;
        *out_json = c_string(embed::sample_invoice_json(&identity, kind, document_type)?)?.into_raw();
        Ok(())
    })
}

/// Deprecated: the earlier name of qayd_sample_invoice (same arguments, same result). Kept so
/// that programs written against it still link; new code calls qayd_sample_invoice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_sample_invoice_json(
    identity_text: *const c_char,
    kind: *const c_char,
    document_type: *const c_char,
    out_invoice_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as for qayd_sample_invoice.
    unsafe { qayd_sample_invoice(identity_text, kind, document_type, out_invoice_json) }
}

// ---------------------------------------------------------------------------------------------
// Credentials

/// An onboarded EGS unit's credentials: identity, private key, compliance and production CSIDs.
/// Holds secrets; only qayd_credentials_to_json reveals them. Immutable: may be shared between
/// threads.
pub struct QaydCredentials(pub(crate) EgsCredentials);

/// Reads credentials from their JSON form (what qayd_credentials_to_json wrote). Free
/// `*out_credentials` with qayd_credentials_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_credentials_from_json(
    credentials_json: *const c_char,
    out_credentials: *mut *mut QaydCredentials,
) -> QaydStatus {
    guard(|| unsafe {
        let out_credentials = out(out_credentials, std::ptr::null_mut(), "out_credentials")?;
        let text = utf8_arg(credentials_json, "credentials_json")?;
        let credentials = EgsCredentials::from_json(text)?;
        *out_credentials = Box::into_raw(Box::new(QaydCredentials(credentials)));
        Ok(())
    })
}

/// The JSON form of the credentials. It HOLDS THE PRIVATE KEY AND THE SECRETS: store it sealed
/// (qayd_engine_set_credentials) or readable by its owner only, never log it. Free with
/// qayd_string_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_credentials_to_json(
    credentials: *const QaydCredentials,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_json = out(out_json, std::ptr::null_mut(), "out_json")?;
        let credentials = credentials.as_ref().ok_or_else(|| null("credentials"))?;
        *out_json = c_string(credentials.0.to_json()?)?.into_raw();
        Ok(())
    })
}

/// What may be printed or logged about the credentials (no key, token or secret), as JSON:
/// {"environment":…,"common_name":…,"vat_number":…,"certificate_expiry":…,
/// "certificate_expiry_utc":…,"compliance_request_id":…,"production_request_id":…,"samples":[…]}.
/// Free with qayd_string_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_credentials_summary_json(
    credentials: *const QaydCredentials,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_json = out(out_json, std::ptr::null_mut(), "out_json")?;
        let credentials = credentials.as_ref().ok_or_else(|| null("credentials"))?;
        *out_json = json(&credentials.0.summary())?.into_raw();
        Ok(())
    })
}

/// The production certificate's end of validity, seconds since the Unix epoch (0 for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_credentials_certificate_expiry(credentials: *const QaydCredentials) -> i64 {
    // SAFETY: NULL or a handle from this library.
    unsafe { credentials.as_ref() }.map_or(0, |c| c.0.certificate_expiry)
}

/// Frees credentials. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_credentials_free(credentials: *mut QaydCredentials) {
    // SAFETY: NULL or a handle from this library.
    unsafe { crate::free_box(credentials) }
}

// ---------------------------------------------------------------------------------------------
// Onboarding

/// Called before each onboarding step: `step` ("generate key", "build CSR", "compliance CSID",
/// "compliance: standard invoice", …, "production CSID") is borrowed for the duration of the
/// call; `index` is 1-based, of `total`. Runs on the thread that called qayd_onboard or
/// qayd_renew, before that call returns.
pub type QaydProgressFn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, step: *const c_char, index: usize, total: usize)>;

/// The caller's callback and its user data; the callback runs on the caller's own thread
/// (block_on drives the future there), so handing the pointer along is sound.
struct Progressor(QaydProgressFn, *mut c_void);
// SAFETY: only used on the thread that created it (see above); the C caller owns user_data.
unsafe impl Send for Progressor {}

impl Progressor {
    fn report(&mut self, progress: Progress) {
        if let Some(callback) = self.0 {
            let step = std::ffi::CString::new(progress.step.replace('\0', " ")).unwrap_or_default();
            // SAFETY: the caller supplied a valid function pointer and its own user data.
            unsafe { callback(self.1, step.as_ptr(), progress.index, progress.total) };
        }
    }
}

/// Onboards an EGS unit: new key → CSR → compliance CSID with `otp` → the compliance samples →
/// production CSID, against `environment` ("developer-portal", "simulation", "core" or a base
/// URL). Blocks until done. `options_json` may be NULL: {"timeout_ms":…,"connect_timeout_ms":…}.
/// `progress` may be NULL. Free `*out_credentials` with qayd_credentials_free. A refused OTP is
/// QAYD_STATUS_API_REJECTED (qayd_last_http_status() gives 400).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_onboard(
    identity_text: *const c_char,
    otp: *const c_char,
    environment: *const c_char,
    options_json: *const c_char,
    progress: QaydProgressFn,
    user_data: *mut c_void,
    out_credentials: *mut *mut QaydCredentials,
) -> QaydStatus {
    guard(|| unsafe {
        let out_credentials = out(out_credentials, std::ptr::null_mut(), "out_credentials")?;
        let identity = identity(identity_text)?;
        let otp = utf8_arg(otp, "otp")?;
        let environment = utf8_arg(environment, "environment")?;
        let options = client_options(options_json)?;
        let mut progressor = Progressor(progress, user_data);
        let mut report = |p: Progress| progressor.report(p);
        let credentials = block(embed::onboard(&identity, otp, environment, &options, &mut report))??;
        *out_credentials = Box::into_raw(Box::new(QaydCredentials(credentials)));
        Ok(())
    })
}

/// Renews the production CSID of `current` with a new `otp` (same environment). Blocks.
/// `options_json` and `progress` may be NULL. Free `*out_credentials` with qayd_credentials_free;
/// `current` stays valid and unchanged.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_renew(
    current: *const QaydCredentials,
    otp: *const c_char,
    options_json: *const c_char,
    progress: QaydProgressFn,
    user_data: *mut c_void,
    out_credentials: *mut *mut QaydCredentials,
) -> QaydStatus {
    guard(|| unsafe {
        let out_credentials = out(out_credentials, std::ptr::null_mut(), "out_credentials")?;
        let current = current.as_ref().ok_or_else(|| null("current"))?;
        let otp = utf8_arg(otp, "otp")?;
        let options = client_options(options_json)?;
        let mut progressor = Progressor(progress, user_data);
        let mut report = |p: Progress| progressor.report(p);
        let credentials = block(embed::renew(&current.0, otp, &options, &mut report))??;
        *out_credentials = Box::into_raw(Box::new(QaydCredentials(credentials)));
        Ok(())
    })
}
