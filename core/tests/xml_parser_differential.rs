//! Our XML parser (`qayd::__internal::xml::parse`) against roxmltree, the parser it replaced: on every XML
//! file of the repository and on thousands of seeded byte-level mutations of them, both must
//! accept the same inputs and, where they accept, build the same tree — node kinds, names,
//! namespaces, attributes after normalisation, text after reference and line-end decoding,
//! in-scope namespaces. The only differences allowed are where ours follows the XML
//! specification more strictly; each is named in `stricter_by_design`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn xml_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![repo().join("tests"), repo().join("core/tests/fixtures")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xml" || e == "xsd") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// One line per node, in document order: what both parsers must agree on.
fn ours(text: &str) -> Result<Vec<String>, String> {
    let doc = qayd::__internal::xml::parse(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(doc
        .descendants()
        .map(|n| {
            use qayd::__internal::xml::NodeType;
            match n.node_type() {
                NodeType::Root => "root".to_string(),
                NodeType::Element => {
                    let mut attributes: Vec<String> = n
                        .attributes()
                        .map(|a| format!("{{{}}}{}={:?}", a.namespace().unwrap_or("-"), a.name(), a.value()))
                        .collect();
                    attributes.sort();
                    let scope: BTreeSet<String> =
                        n.namespaces().map(|s| format!("{}={}", s.name().unwrap_or(""), s.uri())).collect();
                    format!(
                        "element {{{}}}{} {attributes:?} {scope:?} {:?}",
                        n.tag_name().namespace().unwrap_or("-"),
                        n.tag_name().name(),
                        n.range()
                    )
                }
                NodeType::Text => format!("text {:?}", n.text().unwrap()),
                NodeType::Comment => format!("comment {:?}", n.text().unwrap()),
                NodeType::PI => {
                    let pi = n.pi().unwrap();
                    format!("pi {} {:?}", pi.target, pi.value)
                }
            }
        })
        .collect())
}

fn theirs(text: &str) -> Result<Vec<String>, String> {
    // `qayd::__internal::xml::parse` reads the text after a byte-order mark: give roxmltree the same text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| e.to_string())?;
    Ok(doc
        .descendants()
        .map(|n| match n.node_type() {
            roxmltree::NodeType::Root => "root".to_string(),
            roxmltree::NodeType::Element => {
                let mut attributes: Vec<String> = n
                    .attributes()
                    .map(|a| format!("{{{}}}{}={:?}", a.namespace().unwrap_or("-"), a.name(), a.value()))
                    .collect();
                attributes.sort();
                let scope: BTreeSet<String> = n
                    .namespaces()
                    .filter(|s| s.name() != Some("xml"))
                    .map(|s| format!("{}={}", s.name().unwrap_or(""), s.uri()))
                    .collect();
                format!(
                    "element {{{}}}{} {attributes:?} {scope:?} {:?}",
                    n.tag_name().namespace().unwrap_or("-"),
                    n.tag_name().name(),
                    n.range()
                )
            }
            roxmltree::NodeType::Text => format!("text {:?}", n.text().unwrap()),
            roxmltree::NodeType::Comment => format!("comment {:?}", n.text().unwrap()),
            roxmltree::NodeType::PI => {
                let pi = n.pi().unwrap();
                format!("pi {} {:?}", pi.target, pi.value)
            }
        })
        .collect())
}

/// Inputs roxmltree accepts that the XML specification forbids, and ours refuses.
fn stricter_by_design(text: &str, our_error: &str) -> bool {
    // A character reference to a surrogate or other non-character (roxmltree reads U+FFFD).
    (our_error.contains("malformed entity reference") && text.contains("&#xD800;"))
        // The same namespace declared twice on one element (a duplicated attribute).
        || our_error.contains("is declared twice")
        // A name that starts with a colon: a Name, but no QName (roxmltree reads an empty prefix).
        || (our_error.contains("invalid name") && (text.contains("<:") || text.contains(" :")))
        // A declaration of the reserved prefix `xmlns` itself.
        || our_error.contains("the prefix 'xmlns' may not be declared")
        // A processing instruction named `xml` (reserved), or a stray declaration.
        || our_error.contains("XML declaration")
}

fn compare(label: &str, text: &str, failures: &mut Vec<String>) -> bool {
    let (a, b) = (ours(text), theirs(text));
    match (&a, &b) {
        (Ok(a), Ok(b)) if a == b => true,
        (Err(_), Err(_)) => false,
        (Err(e), Ok(_)) if stricter_by_design(text, e) => false,
        (Ok(a), Ok(b)) => {
            let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            failures.push(format!(
                "{label}: trees differ at node {at}: ours {:?} roxmltree {:?}",
                a.get(at),
                b.get(at)
            ));
            true
        }
        _ => {
            failures.push(format!("{label}: ours {:?} roxmltree {:?}", a.err(), b.err()));
            false
        }
    }
}

#[test]
fn every_repository_xml_file_parses_to_the_same_tree() {
    let files = xml_files();
    assert!(files.len() > 60, "expected the samples and conformance files, found {}", files.len());
    let mut failures = Vec::new();
    let mut accepted = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        accepted += usize::from(compare(&path.display().to_string(), text, &mut failures));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(accepted > 60, "only {accepted} files parsed");
}

/// Small pieces that exercise the parser's edges, in any position.
const SPLICES: &[&str] = &[
    "<",
    ">",
    "&",
    ";",
    "\"",
    "'",
    "=",
    ":",
    "/",
    "?",
    "!",
    "-",
    "]]>",
    "\r",
    "\r\n",
    "\n",
    "\t",
    " ",
    "&amp;",
    "&lt;",
    "&#x41;",
    "&#65;",
    "&#xD;",
    "&#13;",
    "&#x0;",
    "&#xD800;",
    "&#xFFFE;",
    "&bogus;",
    "&#x;",
    "<!--x-->",
    "<!-- - -->",
    "<!---->",
    "<!-- -- -->",
    "<?pi data?>",
    "<?xml x?>",
    "<?xml?>",
    "<![CDATA[a\r\nb]]>",
    "<![CDATA[",
    "<!DOCTYPE a>",
    "<a/>",
    "<a>",
    "</a>",
    "<p:a/>",
    " xmlns=\"\"",
    " xmlns:p=\"u\"",
    " xmlns:p=\"\"",
    " xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"",
    " xmlns:xmlns=\"x\"",
    " a=\"1\"",
    " a='1'",
    " a=\"1\" a=\"2\"",
    " p:a=\"1\"",
    " xml:lang=\"ar\"",
    "\u{0}",
    "\u{1}",
    "\u{b}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{feff}",
    "é",
    "ع",
    "\u{10000}",
    "<é/>",
    "<1/>",
    "<-/>",
    "<a:b:c/>",
    "<:a/>",
    "<a:/>",
    "\u{b7}",
    "\u{300}",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Seeded mutations (`QAYD_XML_MUTATIONS`, default 6,000): splice, delete or duplicate a span.
#[test]
fn mutated_documents_are_accepted_and_read_alike() {
    let count: usize = std::env::var("QAYD_XML_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(6_000);
    let seed: u64 = std::env::var("QAYD_XML_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed_1234);
    let bases: Vec<String> = xml_files()
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .filter_map(|p| String::from_utf8(std::fs::read(p).ok()?).ok())
        .filter(|t| t.len() < 40_000)
        .collect();
    let mut rng = Rng(seed | 1);
    let mut failures = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..count {
        let mut text = bases[rng.below(bases.len())].clone();
        for _ in 0..1 + rng.below(3) {
            let at = char_boundary(&text, rng.below(text.len() + 1));
            match rng.below(4) {
                0 | 1 => text.insert_str(at, SPLICES[rng.below(SPLICES.len())]),
                2 => {
                    let end = char_boundary(&text, (at + 1 + rng.below(12)).min(text.len()));
                    text.replace_range(at..end, "");
                }
                _ => {
                    let end = char_boundary(&text, (at + 1 + rng.below(40)).min(text.len()));
                    let span = text[at..end].to_string();
                    text.insert_str(end, &span);
                }
            }
        }
        if compare(&format!("mutation {i} (seed {seed})"), &text, &mut failures) {
            accepted += 1;
        } else {
            refused += 1;
        }
        if failures.len() > 20 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Both outcomes must be exercised, or the comparison proves little.
    assert!(accepted > count / 10 && refused > count / 10, "accepted {accepted}, refused {refused}");
}
