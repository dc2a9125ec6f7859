//! The Fatoora API client (`qayd::embed::ApiClient`): the six calls, blocking, each answer as
//! the JSON form of `ApiAnswer` plus, for submissions, the cleared document's bytes.

use crate::onboard::client_options;
use crate::{Failure, QaydStatus, block, bytes, give_bytes, guard, json, null, out, reset, utf8_arg};
use qayd::embed::{ApiAnswer, ApiClient};
use std::ffi::c_char;

/// A client of one Fatoora environment. Immutable: may be used from many threads at once.
pub struct QaydApiClient(ApiClient);

/// A client of `environment` ("developer-portal", "simulation", "core" or a base URL).
/// `options_json` may be NULL: {"timeout_ms":…,"connect_timeout_ms":…}. Free `*out_client`
/// with qayd_api_client_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_api_client_new(
    environment: *const c_char,
    options_json: *const c_char,
    out_client: *mut *mut QaydApiClient,
) -> QaydStatus {
    guard(|| unsafe {
        let out_client = out(out_client, std::ptr::null_mut(), "out_client")?;
        let environment = utf8_arg(environment, "environment")?;
        let client = ApiClient::new(environment, &client_options(options_json)?)?;
        *out_client = Box::into_raw(Box::new(QaydApiClient(client)));
        Ok(())
    })
}

/// Frees a client. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_api_client_free(client: *mut QaydApiClient) {
    // SAFETY: NULL or a handle from qayd_api_client_new.
    unsafe { crate::free_box(client) }
}

/// Writes an answer: its JSON to `out_answer_json`, the cleared XML (if asked for and present)
/// to `out_cleared`.
fn give_answer(
    answer: ApiAnswer,
    out_answer_json: &mut *mut c_char,
    out_cleared: Option<(&mut *mut u8, &mut usize)>,
) -> Result<(), Failure> {
    let text = json(&answer)?;
    if let (Some((data, len)), Some(xml)) = (out_cleared, answer.cleared_xml) {
        give_bytes(xml, data, len);
    }
    *out_answer_json = text.into_raw();
    Ok(())
}

/// The shape of the three submission calls: credentials, signed XML, answer (+ cleared XML).
#[allow(clippy::too_many_arguments)]
unsafe fn submit<'a, F>(
    client: *const QaydApiClient,
    token: *const c_char,
    secret: *const c_char,
    signed_xml: *const u8,
    signed_xml_len: usize,
    out_answer_json: *mut *mut c_char,
    out_cleared_xml: *mut *mut u8,
    out_cleared_len: *mut usize,
    call: impl FnOnce(&'a ApiClient, &'a str, &'a str, &'a [u8]) -> F,
) -> QaydStatus
where
    F: std::future::Future<Output = qayd::Result<ApiAnswer>>,
{
    guard(|| unsafe {
        reset(out_cleared_xml, std::ptr::null_mut());
        reset(out_cleared_len, 0);
        let out_json = out(out_answer_json, std::ptr::null_mut(), "out_answer_json")?;
        let client: &'a QaydApiClient = client.as_ref().ok_or_else(|| null("client"))?;
        let token = utf8_arg(token, "token")?;
        let secret = utf8_arg(secret, "secret")?;
        let xml = bytes(signed_xml, signed_xml_len, "signed_xml")?;
        let cleared = match (out_cleared_xml.as_mut(), out_cleared_len.as_mut()) {
            (Some(data), Some(len)) => Some((data, len)),
            (None, None) => None,
            (None, Some(_)) => return Err(null("out_cleared_xml")),
            (Some(_), None) => return Err(null("out_cleared_len")),
        };
        let answer = block(call(&client.0, token, secret, xml))??;
        give_answer(answer, out_json, cleared)
    })
}

/// `POST /compliance`: a compliance CSID for `csr_base64` (the CSR's `base64` form) and `otp`.
/// `*out_answer_json` (free with qayd_string_free) is the answer:
/// {"outcome":"accepted"|"accepted_with_warnings"|"rejected"|"duplicate"|"retryable"|
/// "unauthorized"|"compliance_required","http_status":200|null,"response":{…}|null,
/// "messages":[{"type":…,"code":…,"category":…,"message":…,"status":…}],"reason":…|null,
/// "retry_after_ms":…|null}. The response holds the CSID's `secret`: it is the caller's, never
/// log it. A refused OTP is QAYD_STATUS_API_REJECTED with qayd_last_http_status() 400.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_api_compliance_csid(
    client: *const QaydApiClient,
    csr_base64: *const c_char,
    otp: *const c_char,
    out_answer_json: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_json = out(out_answer_json, std::ptr::null_mut(), "out_answer_json")?;
        let client = client.as_ref().ok_or_else(|| null("client"))?;
        let csr = utf8_arg(csr_base64, "csr_base64")?;
        let otp = utf8_arg(otp, "otp")?;
        give_answer(block(client.0.compliance_csid(csr, otp))??, out_json, None)
    })
}

/// `POST /compliance/invoices` with the compliance CSID (`token`, `secret`). The answer as for
/// qayd_api_compliance_csid. When `out_cleared_xml` and `out_cleared_len` are not NULL they
/// receive the cleared document of a standard invoice (NULL / 0 when there is none); free it with
/// qayd_bytes_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_api_compliance_invoice(
    client: *const QaydApiClient,
    token: *const c_char,
    secret: *const c_char,
    signed_xml: *const u8,
    signed_xml_len: usize,
    out_answer_json: *mut *mut c_char,
    out_cleared_xml: *mut *mut u8,
    out_cleared_len: *mut usize,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe {
        submit(
            client,
            token,
            secret,
            signed_xml,
            signed_xml_len,
            out_answer_json,
            out_cleared_xml,
            out_cleared_len,
            |c, t, s, x| c.compliance_invoice(t, s, x),
        )
    }
}

/// `POST /production/csids`: the production CSID, with the compliance CSID (`token`, `secret`)
/// and the compliance answer's `requestID`. The answer as for qayd_api_compliance_csid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_api_production_csid(
    client: *const QaydApiClient,
    token: *const c_char,
    secret: *const c_char,
    compliance_request_id: *const c_char,
    out_answer_json: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_json = out(out_answer_json, std::ptr::null_mut(), "out_answer_json")?;
        let client = client.as_ref().ok_or_else(|| null("client"))?;
        let token = utf8_arg(token, "token")?;
        let secret = utf8_arg(secret, "secret")?;
        let request_id = utf8_arg(compliance_request_id, "compliance_request_id")?;
        give_answer(block(client.0.production_csid(token, secret, request_id))??, out_json, None)
    })
}

/// `PATCH /production/csids` (renewal) with the current production CSID, a new CSR (`base64`
/// form) and `otp`. The answer as for qayd_api_compliance_csid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_api_renew_production_csid(
    client: *const QaydApiClient,
    token: *const c_char,
    secret: *const c_char,
    csr_base64: *const c_char,
    otp: *const c_char,
    out_answer_json: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_json = out(out_answer_json, std::ptr::null_mut(), "out_answer_json")?;
        let client = client.as_ref().ok_or_else(|| null("client"))?;
        let token = utf8_arg(token, "token")?;
        let secret = utf8_arg(secret, "secret")?;
        let csr = utf8_arg(csr_base64, "csr_base64")?;
        let otp = utf8_arg(otp, "otp")?;
        give_answer(block(client.0.renew_production_csid(token, secret, csr, otp))??, out_json, None)
    })
}

/// `POST /invoices/clearance/single` with the production CSID: clears a signed standard
/// invoice. The answer as for qayd_api_compliance_csid; when `out_cleared_xml` and
/// `out_cleared_len` are not NULL they receive ZATCA's cleared document (NULL / 0 when the answer
/// has none); free it with qayd_bytes_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_api_clearance(
    client: *const QaydApiClient,
    token: *const c_char,
    secret: *const c_char,
    signed_xml: *const u8,
    signed_xml_len: usize,
    out_answer_json: *mut *mut c_char,
    out_cleared_xml: *mut *mut u8,
    out_cleared_len: *mut usize,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe {
        submit(
            client,
            token,
            secret,
            signed_xml,
            signed_xml_len,
            out_answer_json,
            out_cleared_xml,
            out_cleared_len,
            |c, t, s, x| c.clearance(t, s, x),
        )
    }
}

/// `POST /invoices/reporting/single` with the production CSID: reports a signed simplified
/// invoice. The answer as for qayd_api_compliance_csid (a rate limit is outcome "retryable" with
/// "http_status":429 and "retry_after_ms"; a wrong secret is "unauthorized" with 401).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_api_reporting(
    client: *const QaydApiClient,
    token: *const c_char,
    secret: *const c_char,
    signed_xml: *const u8,
    signed_xml_len: usize,
    out_answer_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe {
        submit(
            client,
            token,
            secret,
            signed_xml,
            signed_xml_len,
            out_answer_json,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            |c, t, s, x| c.reporting(t, s, x),
        )
    }
}
