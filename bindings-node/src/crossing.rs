//! Strings and the stamp's arguments crossing the napi boundary in their cheapest form.
//!
//! Chosen by measurement (callgrind and wall clock, README "Benchmarks"), because these
//! conversions run on every stamp:
//! - napi-rs reads a JS string with two `napi_get_value_string_utf8` passes (about 20
//!   instructions a character, 52,000 for the 2.3 KB benchmark model). Here a string is read as
//!   UTF-16 — a widening copy of V8's one-byte strings — and narrowed in Rust (19,000).
//! - A document, certificate or key arrives as a borrowed slice of the caller's Buffer
//!   ([`Data`]): napi-rs's owned `Buffer` argument creates, weakens and deletes a Node-API
//!   reference on every call.
//! - A stamp's result leaves as one array of its six values ([`StampedParts`]), which `index.js`
//!   names in an object literal: a `#[napi(object)]` sets each property from C++ (the key
//!   internalised and a map transition taken, one property at a time), which cost about as much
//!   as the 16 KB Buffer it carries. Its strings, all ASCII (base64, a UUID, a time), are made
//!   as Latin-1, which V8 copies without decoding.

use napi::bindgen_prelude::*;

use crate::Bytes;

/// A document, certificate or key: a Buffer/Uint8Array, borrowed for the call, or a string
/// (taken as UTF-8).
pub type Data<'env> = Either<BufferSlice<'env>, Text>;

/// The bytes of a [`Data`].
pub fn bytes<'a>(data: &'a Data<'_>) -> &'a [u8] {
    match data {
        Either::A(slice) => slice,
        Either::B(text) => text.0.as_bytes(),
    }
}

/// A JS string, read through UTF-16 (see the module doc). Lone surrogates become U+FFFD, as in
/// napi's own UTF-8 conversion.
pub struct Text(pub String);

impl TypeName for Text {
    fn type_name() -> &'static str {
        "String"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ValidateNapiValue for Text {}

impl FromNapiValue for Text {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let mut length = 0;
        // SAFETY: a live env and value (napi-rs's contract); without a buffer napi only reports
        // the length in UTF-16 code units.
        let status =
            unsafe { sys::napi_get_value_string_utf16(env, value, std::ptr::null_mut(), 0, &mut length) };
        check_status!(status, "expected a string")?;
        // One more unit for the terminating NUL napi writes; not zeroed, as napi overwrites it.
        let mut units: Vec<u16> = Vec::with_capacity(length + 1);
        let mut written = 0;
        // SAFETY: `units` has room for `length + 1` code units, which napi does not exceed.
        let status = unsafe {
            sys::napi_get_value_string_utf16(env, value, units.as_mut_ptr(), length + 1, &mut written)
        };
        check_status!(status, "cannot read a string of {length} characters")?;
        // SAFETY: napi wrote `written` (≤ `length`) initialised code units.
        unsafe { units.set_len(written.min(length)) };
        Ok(Text(utf8_of_utf16(&units)))
    }
}

/// UTF-8 of UTF-16 code units. Runs of ASCII (all of a JSON model but its names and
/// addresses, all of a document's markup) are narrowed unit by unit, which the compiler
/// vectorises; the rest goes through the standard decoder, which is several times slower.
fn utf8_of_utf16(units: &[u16]) -> String {
    let mut utf8 = Vec::with_capacity(units.len() + units.len() / 2);
    let mut rest = units;
    while !rest.is_empty() {
        let ascii = ascii_prefix(rest);
        utf8.extend(rest[..ascii].iter().map(|&unit| unit as u8));
        rest = &rest[ascii..];
        let other = rest.iter().position(|&unit| unit < 0x80).unwrap_or(rest.len());
        for decoded in char::decode_utf16(rest[..other].iter().copied()) {
            let character = decoded.unwrap_or(char::REPLACEMENT_CHARACTER);
            utf8.extend_from_slice(character.encode_utf8(&mut [0; 4]).as_bytes());
        }
        rest = &rest[other..];
    }
    // Valid by construction; the fallback only keeps this free of a panic path.
    String::from_utf8(utf8).unwrap_or_else(|_| String::from_utf16_lossy(units))
}

/// How many units at the start of `units` are ASCII: tested 16 at a time by a fold the
/// compiler vectorises, then one by one within the first block that is not all ASCII.
fn ascii_prefix(units: &[u16]) -> usize {
    const BLOCK: usize = 16;
    let blocks = units
        .chunks_exact(BLOCK)
        .take_while(|block| block.iter().fold(0, |seen, &unit| seen | unit) < 0x80)
        .count();
    let start = blocks * BLOCK;
    start + units[start..].iter().position(|&unit| unit >= 0x80).unwrap_or(units.len() - start)
}

/// A stamp's values in the order `index.js` names them: `[xml, invoiceHash, uuid, signature, qr,
/// signingTime]` (see the module doc).
pub struct StampedParts(pub qayd::StampedInvoice);

impl TypeName for StampedParts {
    fn type_name() -> &'static str {
        "Array"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for StampedParts {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        let stamped = value.0;
        // SAFETY (all calls below): a live env from napi-rs; every out-pointer is a local.
        let values = [
            unsafe { Bytes::to_napi_value(env, Bytes(stamped.xml)) }?,
            unsafe { string(env, &stamped.invoice_hash) }?,
            unsafe { string(env, &stamped.uuid) }?,
            unsafe { string(env, &stamped.signature) }?,
            unsafe { string(env, &stamped.qr) }?,
            unsafe { string(env, &stamped.signing_time) }?,
        ];
        let mut array = std::ptr::null_mut();
        let status = unsafe { sys::napi_create_array_with_length(env, values.len(), &mut array) };
        check_status!(status, "cannot create the stamp's array")?;
        for (index, value) in (0..).zip(values) {
            let status = unsafe { sys::napi_set_element(env, array, index, value) };
            check_status!(status, "cannot fill the stamp's array")?;
        }
        Ok(array)
    }
}

/// A JS string of `text`: Latin-1 when it is ASCII (the same bytes, copied as they are), else
/// decoded from UTF-8.
///
/// # Safety
/// `env` must be a live napi env.
unsafe fn string(env: sys::napi_env, text: &str) -> Result<sys::napi_value> {
    let mut value = std::ptr::null_mut();
    let (pointer, length) = (text.as_ptr().cast(), text.len() as isize);
    // SAFETY: `text` is valid for `length` bytes during the call, which copies them.
    let status = unsafe {
        if text.is_ascii() {
            sys::napi_create_string_latin1(env, pointer, length, &mut value)
        } else {
            sys::napi_create_string_utf8(env, pointer, length, &mut value)
        }
    };
    check_status!(status, "cannot create a string of {} bytes", text.len())?;
    Ok(value)
}
