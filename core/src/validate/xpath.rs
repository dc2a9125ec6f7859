//! The XPath string functions the rule conditions use, once for every rule family: an element's
//! string value, `normalize-space`, trimming and `string-length`, and comparisons of a normalised
//! value that allocate nothing (they run for every line of a 500-line invoice).

use crate::xml::Node;
use std::borrow::Cow;

/// XML whitespace (what `normalize-space` and casts strip).
pub(super) fn is_xml_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The text without leading and trailing XML whitespace. Byte by byte (the four characters
/// are ASCII, so every cut is a character boundary): it runs on every value the rules read.
#[inline]
pub(super) fn xtrim(s: &str) -> &str {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|b| !ws(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !ws(b)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// The string value of an element: all its descendant text, untrimmed (borrowed when the
/// element holds one text node, as nearly every value does).
pub(super) fn sv<'a>(n: Node<'a, '_>) -> Cow<'a, str> {
    let mut children = n.children();
    match (children.next(), children.next()) {
        (None, _) => Cow::Borrowed(""),
        (Some(t), None) if t.is_text() => Cow::Borrowed(t.text().unwrap_or("")),
        _ => Cow::Owned(n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect()),
    }
}

/// XPath `normalize-space`: XML whitespace trimmed and every inner run collapsed to one space
/// (borrowed when the text is normal already).
pub(super) fn normalize(s: &str) -> Cow<'_, str> {
    let t = xtrim(s);
    let mut after_space = false;
    let normal = t.bytes().all(|b| {
        let ok = match b {
            b' ' => !after_space,
            b'\t' | b'\n' | b'\r' => false,
            _ => true,
        };
        after_space = b == b' ';
        ok
    });
    if normal {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(t.split(is_xml_ws).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "))
    }
}

/// `normalize-space(s) = target`, without building the normalised text.
pub(super) fn normalized_eq(s: &str, target: &str) -> bool {
    let mut rest = target;
    for (i, word) in s.split(is_xml_ws).filter(|w| !w.is_empty()).enumerate() {
        if i > 0 {
            match rest.strip_prefix(' ') {
                Some(r) => rest = r,
                None => return false,
            }
        }
        match rest.strip_prefix(word) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

/// `upper-case(normalize-space(s)) = target` for an upper-case ASCII `target` ("VAT", "SAR"):
/// an ASCII text compares case-insensitively in place; any other text takes XPath's full
/// Unicode upper-casing.
pub(super) fn upper_normalized_eq(s: &str, target: &str) -> bool {
    let t = xtrim(s);
    if t.eq_ignore_ascii_case(target) {
        // `target` is normal and upper-case ASCII, so `t` is normal and upper-cases to it.
        true
    } else if t.is_ascii() {
        normalize(t).eq_ignore_ascii_case(target)
    } else {
        normalize(&s.to_uppercase()) == target
    }
}

/// XPath `string-length`: characters, not bytes.
pub(super) fn string_length(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_borrows_normal_text_and_collapses_the_rest() {
        assert!(matches!(normalize(" a b "), Cow::Borrowed("a b")));
        assert_eq!(normalize("\ta \n  b\r"), "a b");
        assert_eq!(normalize("a  b"), "a b");
        assert_eq!(normalize(" \n "), "");
    }

    #[test]
    fn xtrim_cuts_exactly_the_xml_whitespace() {
        for s in ["", " ", " \t\r\n ", "a", " a ", "\u{a0}a\u{a0}", " ١٠٠.٠٠\n", "\u{2003}x ", "a b"] {
            assert_eq!(xtrim(s), s.trim_matches(is_xml_ws), "{s:?}");
        }
    }

    #[test]
    fn comparisons_agree_with_normalising_first() {
        let texts =
            ["VAT", " vat ", "V AT", "v\tat", "VATX", "", " ", "VAT ", "ﬆ", "vät", "a  b", "a b", "\na\nb\n"];
        for s in texts {
            for target in ["VAT", "A B", "a b", "", "ST"] {
                assert_eq!(normalized_eq(s, target), normalize(s) == target, "{s:?} = {target:?}");
                if target == target.to_uppercase() {
                    let expected = normalize(&s.to_uppercase()) == target;
                    assert_eq!(upper_normalized_eq(s, target), expected, "{s:?} ~ {target:?}");
                }
            }
        }
    }
}
