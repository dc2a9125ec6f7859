//! Lexical checks of the XSD built-in types the UBL 2.1 schemas use, after the whitespace
//! handling each type prescribes (`preserve` for xs:string, `replace` for xs:normalizedString,
//! `collapse` for the rest: surrounding whitespace is ignored, inner whitespace is significant).
//!
//! Where the XSD 1.0 specification and libxml2 (the `xmllint` oracle of the differential test)
//! disagree, these follow the specification: decimals and integers of any length, dates and
//! times with surrounding whitespace, base64 with characters outside its alphabet (rejected).
//! For `xs:anyURI`, whose lexical space the specification leaves open, they follow libxml2's
//! RFC 3986 parser so that both accept the same references.

use super::model::Builtin;

/// The value with surrounding XML whitespace removed (`collapse`, for types without spaces).
pub(crate) fn collapse(s: &str) -> &str {
    // Byte-wise: the four characters are ASCII, so the cuts fall on character boundaries.
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !space(b)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// Whether `raw` (the element text or attribute value) is in the lexical space of `base`.
pub(crate) fn valid(base: Builtin, raw: &str) -> bool {
    match base {
        Builtin::String | Builtin::NormalizedString => true,
        Builtin::Decimal => decimal(collapse(raw)),
        Builtin::Integer => integer(collapse(raw)),
        Builtin::Boolean => matches!(collapse(raw), "true" | "false" | "1" | "0"),
        Builtin::Date => date(collapse(raw)),
        Builtin::Time => time(collapse(raw)),
        Builtin::DateTime => date_time(collapse(raw)),
        Builtin::Base64Binary => base64(raw),
        Builtin::AnyUri => any_uri(collapse(raw)),
        Builtin::Language => language(collapse(raw)),
        Builtin::Id => ncname(collapse(raw)),
    }
}

fn digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

/// `[+-]?(\d+(\.\d*)?|\.\d+)`.
fn decimal(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    match body.iter().position(|&b| b == b'.') {
        None => digits(body),
        Some(dot) => {
            let (int, frac) = (&body[..dot], &body[dot + 1..]);
            (!int.is_empty() || !frac.is_empty())
                && int.iter().all(u8::is_ascii_digit)
                && frac.iter().all(u8::is_ascii_digit)
        }
    }
}

/// `[+-]?\d+`.
fn integer(s: &str) -> bool {
    digits(s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes())
}

fn two(b: &[u8]) -> Option<u32> {
    (b.len() == 2 && digits(b)).then(|| u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'))
}

/// Optional time zone: `Z` or `±hh:mm` with at most 14:00.
fn zone(z: &[u8]) -> bool {
    match z {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => match (two(&[*h1, *h2]), two(&[*m1, *m2])) {
            (Some(h), Some(m)) => m < 60 && (h < 14 || (h == 14 && m == 0)),
            _ => false,
        },
        _ => false,
    }
}

/// Splits a trailing time zone off (`Z`, or `±hh:mm` at the end).
fn split_zone(b: &[u8]) -> (&[u8], &[u8]) {
    if b.last() == Some(&b'Z') {
        return b.split_at(b.len() - 1);
    }
    if b.len() >= 6 && matches!(b[b.len() - 6], b'+' | b'-') && b[b.len() - 3] == b':' {
        return b.split_at(b.len() - 6);
    }
    (b, &[])
}

fn leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// `-?YYYY-MM-DD` without a zone: at least four year digits, no leading zero beyond four, no
/// year 0000, a day that exists in the month.
fn date_part(b: &[u8]) -> bool {
    let (negative, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let Some(dash) = b.iter().position(|&c| c == b'-') else { return false };
    let (year, rest) = (&b[..dash], &b[dash..]);
    if year.len() < 4
        || !digits(year)
        || (year.len() > 4 && year[0] == b'0')
        || year.iter().all(|&c| c == b'0')
    {
        return false;
    }
    let [b'-', m1, m2, b'-', d1, d2] = rest else { return false };
    let (Some(month), Some(day)) = (two(&[*m1, *m2]), two(&[*d1, *d2])) else { return false };
    let y: i64 = std::str::from_utf8(year).ok().and_then(|y| y.parse().ok()).unwrap_or(1);
    let y = if negative { -y } else { y };
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(y) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// `hh:mm:ss(.s+)?` without a zone; `24:00:00` is midnight at the end of the day.
fn time_part(b: &[u8]) -> bool {
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(s)) = (two(&b[0..2]), two(&b[3..5]), two(&b[6..8])) else { return false };
    let fraction = &b[8..];
    let fraction_ok = match fraction.split_first() {
        None => true,
        Some((b'.', f)) => digits(f),
        _ => false,
    };
    let midnight = h == 24 && m == 0 && s == 0 && fraction.iter().skip(1).all(|&c| c == b'0');
    fraction_ok && ((h < 24 && m < 60 && s < 60) || midnight)
}

fn date(s: &str) -> bool {
    let (d, z) = split_zone(s.as_bytes());
    date_part(d) && zone(z)
}

fn time(s: &str) -> bool {
    let (t, z) = split_zone(s.as_bytes());
    time_part(t) && zone(z)
}

fn date_time(s: &str) -> bool {
    let (dt, z) = split_zone(s.as_bytes());
    let Some(t) = dt.iter().position(|&c| c == b'T') else { return false };
    date_part(&dt[..t]) && time_part(&dt[t + 1..]) && zone(z)
}

/// Base64 digit values; `WS` for XML whitespace, `PAD` for `=`, `BAD` for the rest.
const WS: u8 = 64;
const PAD: u8 = 65;
const BAD: u8 = 66;
static B64: [u8; 256] = {
    let mut t = [BAD; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    t[b'+' as usize] = 62;
    t[b'/' as usize] = 63;
    t[b'=' as usize] = PAD;
    t[b' ' as usize] = WS;
    t[b'\t' as usize] = WS;
    t[b'\n' as usize] = WS;
    t[b'\r' as usize] = WS;
    t
};

/// Base64 with whitespace anywhere, length a multiple of four, at most two `=` at the end and
/// the unused bits before the padding zero.
fn base64(s: &str) -> bool {
    // Fast path, branch-free so that it vectorises: no whitespace, padding only at the end.
    let b = s.as_bytes();
    let body = b.strip_suffix(b"==").or_else(|| b.strip_suffix(b"=")).unwrap_or(b);
    let alphabet = |c: u8| c.is_ascii_alphanumeric() | (c == b'+') | (c == b'/');
    if b.len().is_multiple_of(4) && body.iter().fold(true, |ok, &c| ok & alphabet(c)) {
        let last = body.last().map_or(0, |&c| B64[c as usize]);
        return match b.len() - body.len() {
            0 => true,
            1 => last & 0b11 == 0,
            _ => last & 0b1111 == 0,
        };
    }
    let mut count = 0usize;
    let mut pad = 0usize;
    let mut last = 0u8;
    for &b in s.as_bytes() {
        match B64[b as usize] {
            WS => {}
            PAD => {
                pad += 1;
                count += 1;
            }
            BAD => return false,
            v if pad == 0 => {
                last = v;
                count += 1;
            }
            _ => return false,
        }
    }
    count.is_multiple_of(4)
        && match pad {
            0 => true,
            1 => last & 0b11 == 0,
            2 => last & 0b1111 == 0,
            _ => false,
        }
}

/// `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
fn language(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (1..=8).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// An XML name without colons (the lexical space of xs:ID).
pub(crate) fn ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(name_start) && chars.all(|c| {
        name_start(c)
            || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    })
}

// ---- xs:anyURI, as libxml2 checks it -------------------------------------------------------------
//
// libxml2 first replaces the characters a URI may not contain (controls, non-ASCII, space and
// `<>"{}|\^`'`) by `_`, then parses an RFC 3986 URI-reference, with two deviations kept here:
// a port after `:` needs at least one digit, and an IP literal is anything between `[` and `]`.

fn unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

fn sub_delim(c: u8) -> bool {
    matches!(c, b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=')
}

fn mapped(c: u8) -> u8 {
    if !(32..127).contains(&c)
        || matches!(c, b' ' | b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'`' | b'\'')
    {
        b'_'
    } else {
        c
    }
}

struct Uri<'s> {
    b: &'s [u8],
    i: usize,
}

impl Uri<'_> {
    fn at(&self, k: usize) -> u8 {
        self.b.get(self.i + k).map_or(0, |&c| mapped(c))
    }
    /// Consumes one `pct-encoded` or one character accepted by `ok`.
    fn take(&mut self, ok: impl Fn(u8) -> bool) -> bool {
        let c = self.at(0);
        if c == b'%' && self.at(1).is_ascii_hexdigit() && self.at(2).is_ascii_hexdigit() {
            self.i += 3;
            true
        } else if c != 0 && c != b'%' && ok(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn many(&mut self, ok: impl Fn(u8) -> bool + Copy) -> usize {
        let start = self.i;
        while self.take(ok) {}
        self.i - start
    }
    fn pchar(c: u8) -> bool {
        unreserved(c) || sub_delim(c) || c == b':' || c == b'@'
    }
    fn segments(&mut self) {
        while self.at(0) == b'/' {
            self.i += 1;
            self.many(Self::pchar);
        }
    }
    fn authority(&mut self) -> bool {
        let start = self.i;
        self.many(|c| unreserved(c) || sub_delim(c) || c == b':');
        if self.at(0) == b'@' {
            self.i += 1;
        } else {
            self.i = start;
        }
        if self.at(0) == b'[' {
            match self.b[self.i..].iter().position(|&c| c == b']') {
                Some(end) => self.i += end + 1,
                None => return false,
            }
        } else {
            self.many(|c| unreserved(c) || sub_delim(c));
        }
        if self.at(0) == b':' {
            self.i += 1;
            let digits = self.b[self.i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return false;
            }
            self.i += digits;
        }
        true
    }
    /// `[ "?" query ] [ "#" fragment ]` and the end of the input.
    fn tail(&mut self) -> bool {
        if self.at(0) == b'?' {
            self.i += 1;
            self.many(|c| Self::pchar(c) || c == b'/' || c == b'?');
        }
        if self.at(0) == b'#' {
            self.i += 1;
            self.many(|c| Self::pchar(c) || matches!(c, b'/' | b'?' | b'[' | b']'));
        }
        self.i == self.b.len()
    }
    /// `scheme ":" hier-part [ "?" query ] [ "#" fragment ]`.
    fn absolute(&mut self) -> bool {
        if !self.at(0).is_ascii_alphabetic() {
            return false;
        }
        while self.at(0).is_ascii_alphanumeric() || matches!(self.at(0), b'+' | b'-' | b'.') {
            self.i += 1;
        }
        if self.at(0) != b':' {
            return false;
        }
        self.i += 1;
        if self.at(0) == b'/' && self.at(1) == b'/' {
            self.i += 2;
            if !self.authority() {
                return false;
            }
            self.segments();
        } else {
            // path-absolute, path-rootless or path-empty
            self.many(Self::pchar);
            self.segments();
        }
        self.tail()
    }
    /// `relative-part [ "?" query ] [ "#" fragment ]`.
    fn relative(&mut self) -> bool {
        if self.at(0) == b'/' && self.at(1) == b'/' {
            self.i += 2;
            if !self.authority() {
                return false;
            }
            self.segments();
        } else {
            // path-absolute, path-noscheme or path-empty
            self.many(|c| unreserved(c) || sub_delim(c) || c == b'@');
            self.segments();
        }
        self.tail()
    }
}

fn any_uri(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty() || Uri { b, i: 0 }.absolute() || Uri { b, i: 0 }.relative()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(base: Builtin, good: &[&str], bad: &[&str]) {
        for g in good {
            assert!(valid(base, g), "{base:?} should accept {g:?}");
        }
        for b in bad {
            assert!(!valid(base, b), "{base:?} should reject {b:?}");
        }
    }

    // The cases below were checked against xmllint (libxml2 2.9.14) unless marked "spec".
    #[test]
    fn decimals_and_integers() {
        ok(
            Builtin::Decimal,
            &[
                "4.60",
                " 4.60 \n",
                "+4.",
                ".5",
                "-.5",
                "000004.60",
                "1234567890123456789012345678901234567890",
            ],
            &["", ".", "-", "4 .60", "1e3", "15%", "١٢", "4,5", "+-1"],
        );
        ok(
            Builtin::Integer,
            &["+0012", "12", "-3", "379112742831380471835263969587287663520528387"],
            &["", "1.0", "1 2", "a"],
        );
    }

    #[test]
    fn dates_times_and_zones() {
        ok(
            Builtin::Date,
            &[
                "2024-02-29",
                "2000-02-29",
                "-0001-01-01",
                "12022-01-01",
                "2022-09-07Z",
                "2022-09-07+14:00",
                "2022-09-07-13:59",
                " 2022-09-07\n", /* spec */
            ],
            &[
                "2022-02-29",
                "1900-02-29",
                "0000-01-01",
                "02022-01-01",
                "222-01-01",
                "2022-09-07+14:01",
                "2022-09-07+15:00",
                "2022-09-07+05:60",
                "2022-13-07",
                "2022-09-31",
                "2022-09-00",
                "2022-9-7",
                "",
                "2022-09-07T",
            ],
        );
        ok(
            Builtin::Time,
            &["12:21:28", "24:00:00", "12:21:28.123456789012", "12:21:28Z", "12:21:28+03:00", "12:21:28.5Z"],
            &["24:00:01", "23:59:60", "12:21:28.", "1:21:28", "12:60:28", "12:21:60.5", "12:21", ""],
        );
        ok(
            Builtin::DateTime,
            &["2025-07-22T15:38:47", "2025-07-22T24:00:00", "2025-07-22T15:38:47.5+03:00"],
            &["2025-07-22", "2025-07-22 15:38:47", "2025-07-22T15:38"],
        );
    }

    #[test]
    fn booleans_languages_ids() {
        ok(Builtin::Boolean, &["true", " false ", "0", "1"], &["FALSE", "", "no", "yes"]);
        ok(
            Builtin::Language,
            &["en-US", " en ", "ar", "a-12345678"],
            &["en_US", "", "abcdefghi", "e1", "en-", "1a", "a-123456789"],
        );
        ok(Builtin::Id, &["signature", " signature ", "_a.b-c", "توقيع"], &["1sig", "a:b", "", "a b"]);
    }

    #[test]
    fn base64() {
        ok(
            Builtin::Base64Binary,
            &["", "V4U5qlZ3yXQ/Si1AC/R8SLc3F+iNy27wdVe8IWRqFAQ=", "V4U5 qlZ3\nFA==", "FAQ= \t", "AAAA"],
            &["FAR=", "FB==", "F=AQ", "AAA", "AAAAA", "AAA====", "MEU=AAAA", "AAA!" /* spec */],
        );
    }

    #[test]
    fn uris_as_libxml2_reads_them() {
        ok(
            Builtin::AnyUri,
            &[
                "",
                "  ",
                "http://x/a?b#c",
                "//host:80/p",
                "a b c",
                "http://[::1]/x",
                "é",
                "a%2F",
                "http://h:99999/",
                "#a?b/c:d@",
                "http://h/a b",
                "http://[zz]/",
                "a:",
                "http://h/%41",
                "http://h/#",
                "urn:oasis:names:specification:ubl:dsig:enveloped:xades",
                "#xadesSignedProperties",
            ],
            &[
                "%zz",
                "http://a b/[x]#a#b",
                ":",
                "a:b:c//[]",
                "http://[::1",
                "#a%",
                "1abc:x",
                "a%2",
                "http://u@h:x/",
                "a[b",
                "?a[b",
                "a:b%",
                "http://h:/",
                "http://a@b@c/",
                "://x",
                "http://h/##",
            ],
        );
    }
}
