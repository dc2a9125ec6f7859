//! A native check of the UBL 2.1 XSD set ZATCA ships (`maindoc/UBL-Invoice-2.1.xsd` and the
//! common, extension, signature, xmldsig and XAdES schemas it imports), equivalent to validating
//! with those XSDs: every element's children in the order and numbers its content model allows,
//! unknown elements refused, required attributes present and undeclared ones refused, the text of
//! simple types well-formed (dates, times, decimals, integers, booleans, base64, URIs, languages,
//! IDs — unique across the document — and enumerations), text only where the type allows it.
//!
//! The content models come from tables generated from the XSDs (`schema_gen.py` →
//! `schema_tables.rs`; a test keeps them in step). UBL's aggregates are flat sequences of
//! distinct elements, checked by counting and ordering; the xmldsig / XAdES models with choices
//! and wildcards run as deterministic automata. `ext:ExtensionContent` holds a lax wildcard, so
//! the signature inside is validated against the signature schemas exactly as `xmllint` does.
//! `core/tests/validate_schema_differential.rs` compares the verdict with xmllint's.
//!
//! Finding ids: `XSD-ELEMENT` (element or text not allowed here), `XSD-ORDER`, `XSD-MIN`
//! (required element missing), `XSD-MAX`, `XSD-TYPE` (a value or attribute that does not fit its
//! type: malformed text, missing required or undeclared attribute, duplicate ID).

#[path = "schema_lexical.rs"]
mod lexical;
#[path = "schema_model.rs"]
mod model;
// Generated: formatted by its generator, not by rustfmt.
#[rustfmt::skip]
#[path = "schema_tables.rs"]
mod tables;

use super::{Finding, Severity, path_of, path_under};
use crate::xml::Node;
use model::{Builtin, Content, Edge, NsRule, P, Process, Type, UNBOUNDED, Wild};
use std::borrow::Cow;
use tables::{DECLS, GLOBALS, NAMESPACES, PREFIXES, ROOT, SIMPLE, STATES, TYPES};

/// The schema check ids this module reports (all errors).
pub const SCHEMA_CHECKS: &[&str] = &["XSD-ELEMENT", "XSD-ORDER", "XSD-MIN", "XSD-MAX", "XSD-TYPE"];

const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Checks the document under `root` against the schemas; the findings, in document order.
pub(super) fn check(root: Node<'_, '_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut by_number = [None; 10];
    for uri in NAMESPACES.iter().skip(1) {
        if let Some(n) = crate::xml::known_namespace(uri) {
            by_number[n as usize] = ns_index(Some(uri));
        }
    }
    let mut walker =
        Walker { findings: &mut findings, ids: Vec::new(), by_number, counts: Vec::with_capacity(256) };
    walker.element(root, ROOT);
    findings
}

/// Index of a namespace in `NAMESPACES` (0 = no namespace); `None` for a namespace the schemas
/// do not know (it can still match a wildcard).
fn ns_index(ns: Option<&str>) -> Option<u8> {
    match ns {
        None => Some(0),
        Some(uri) => NAMESPACES.iter().skip(1).position(|n| *n == uri).map(|i| i as u8 + 1),
    }
}

fn matches_decl(decl: u16, ns: Option<u8>, local: &str) -> bool {
    let d = &DECLS[decl as usize];
    Some(d.0) == ns && d.1 == local
}

fn wildcard_accepts(wild: Wild, ns: Option<u8>) -> bool {
    match wild.ns {
        NsRule::Any => true,
        NsRule::Other(own) => ns != Some(own) && ns != Some(0),
    }
}

/// The global declaration of an element name, for wildcards.
fn global(ns: Option<u8>, local: &str) -> Option<u16> {
    let ns = ns?;
    GLOBALS
        .binary_search_by(|&d| {
            let decl = &DECLS[d as usize];
            (decl.0, decl.1).cmp(&(ns, local))
        })
        .ok()
        .map(|i| GLOBALS[i])
}

/// `prefix:name` of a declaration, for messages.
fn decl_name(decl: u16) -> String {
    let d = &DECLS[decl as usize];
    match PREFIXES[d.0 as usize] {
        "" | "inv" => d.1.to_string(),
        prefix => format!("{prefix}:{}", d.1),
    }
}

/// `prefix:name` of a document element, for messages.
fn node_name(node: Node<'_, '_>) -> String {
    let name = node.tag_name();
    match ns_index(name.namespace()).map(|i| PREFIXES[i as usize]) {
        Some("" | "inv") => name.name().to_string(),
        Some(prefix) => format!("{prefix}:{}", name.name()),
        None => format!("{{{}}}{}", name.namespace().unwrap_or(""), name.name()),
    }
}

fn list(names: impl Iterator<Item = String>) -> String {
    let names: Vec<String> = names.collect();
    if names.len() > 8 {
        format!("{}, … ({} in all)", names[..8].join(", "), names.len())
    } else {
        names.join(", ")
    }
}

/// Whether the text is XML whitespace only. Branch-free so that it vectorises: it runs over
/// every indentation text node of the document.
fn is_xml_space(s: &str) -> bool {
    s.bytes().fold(true, |ok, b| ok & ((b == b' ') | (b == b'\t') | (b == b'\n') | (b == b'\r')))
}

/// The text content of an element (its text children joined; comments and PIs skipped).
fn text_of<'a>(node: Node<'a, '_>) -> Cow<'a, str> {
    let mut texts = node.children().filter(Node::is_text);
    let Some(first) = texts.next() else { return Cow::Borrowed("") };
    let first = first.text().unwrap_or("");
    match texts.next() {
        None => Cow::Borrowed(first),
        Some(second) => {
            let mut s = format!("{first}{}", second.text().unwrap_or(""));
            texts.for_each(|t| s.push_str(t.text().unwrap_or("")));
            Cow::Owned(s)
        }
    }
}

/// What a value of a simple type should look like, for the fix hint.
fn expected(base: Builtin) -> &'static str {
    match base {
        Builtin::Decimal => "a decimal number such as 10.00",
        Builtin::Integer => "a whole number",
        Builtin::Boolean => "true or false",
        Builtin::Date => "a date YYYY-MM-DD",
        Builtin::Time => "a time hh:mm:ss",
        Builtin::DateTime => "a date and time YYYY-MM-DDThh:mm:ss",
        Builtin::Base64Binary => "base64 data",
        Builtin::AnyUri => "a URI",
        Builtin::Language => "a language code such as ar or en-US",
        Builtin::Id => "a name starting with a letter or _ (no spaces or colons)",
        Builtin::String | Builtin::NormalizedString => "text",
    }
}

struct Walker<'c, 'a> {
    findings: &'c mut Vec<Finding>,
    /// The xs:ID values seen so far (they must be unique in the document).
    ids: Vec<&'a str>,
    /// [`ns_index`] of each known namespace number ([`Node::ns_number`]), so elements in the
    /// namespaces ZATCA uses are placed without comparing URIs.
    by_number: [Option<u8>; 10],
    /// How often each particle of the open sequences has matched so far: a stack, each open
    /// element's counts above its ancestors' (one buffer for the whole walk).
    counts: Vec<u32>,
}

impl<'a> Walker<'_, 'a> {
    /// Records a schema finding (always an error).
    fn report(&mut self, id: &'static str, path: String, message_en: &str, message_ar: &str, fix: String) {
        self.findings.push(Finding {
            rule: id.into(),
            severity: Severity::Error,
            path,
            message_en: message_en.into(),
            message_ar: message_ar.into(),
            fix,
        });
    }

    /// [`ns_index`] of an element's namespace.
    #[inline]
    fn ns(&self, node: Node<'_, '_>) -> Option<u8> {
        match node.ns_number() {
            n @ 2..=9 => self.by_number[n as usize],
            _ => ns_index(node.tag_name().namespace()),
        }
    }

    /// Validates `node` against declaration `decl` and, recursively, its descendants.
    fn element(&mut self, node: Node<'a, '_>, decl: u16) {
        let ty = &TYPES[DECLS[decl as usize].2 as usize];
        self.attributes(node, ty);
        match ty.content {
            Content::Simple(simple) => self.simple_content(node, simple),
            Content::Any => self.lax_children(node),
            Content::Seq { mixed, particles } => self.sequence(node, particles, mixed),
            Content::Dfa { mixed, start } => self.automaton(node, start, mixed),
        }
    }

    /// A child matched by a wildcard.
    fn wildcard(&mut self, node: Node<'a, '_>, process: Process) {
        let name = node.tag_name();
        let decl = global(self.ns(node), name.name());
        match (process, decl) {
            (_, Some(decl)) => self.element(node, decl),
            (Process::Lax, None) => self.lax_children(node),
            (Process::Strict, None) => self.report(
                "XSD-ELEMENT",
                path_of(node),
                "This element is not allowed here by the UBL 2.1 schema.",
                "هذا العنصر غير مسموح به في هذا الموضع وفق مخطط UBL 2.1.",
                format!(
                    "remove <{}>: no schema declares it, and this position requires one",
                    node_name(node)
                ),
            ),
        }
    }

    /// Children of an element without a declaration (xs:anyType): assessed laxly.
    fn lax_children(&mut self, node: Node<'a, '_>) {
        for child in node.children().filter(Node::is_element) {
            self.wildcard(child, Process::Lax);
        }
    }

    #[cold]
    fn no_text(&mut self, node: Node<'a, '_>) {
        {
            self.report(
                "XSD-ELEMENT",
                path_of(node),
                "Text is not allowed directly inside this element by the UBL 2.1 schema.",
                "لا يسمح مخطط UBL 2.1 بنص مباشر داخل هذا العنصر.",
                format!("remove the text \"{}\" from {}", text_of(node).trim(), node_name(node)),
            );
        }
    }

    fn simple_content(&mut self, node: Node<'a, '_>, simple: u16) {
        if let Some(child) = node.children().find(Node::is_element) {
            self.report(
                "XSD-ELEMENT",
                path_of(child),
                "This element holds a value and may not contain other elements.",
                "هذا العنصر يحمل قيمة ولا يجوز أن يحتوي على عناصر أخرى.",
                format!("remove <{}> from {}", node_name(child), node_name(node)),
            );
        }
        let text = text_of(node);
        if !self.value_ok(simple, &text) {
            let st = &SIMPLE[simple as usize];
            let want =
                if st.enums.is_empty() { expected(st.base).to_string() } else { st.enums.join(" or ") };
            self.report(
                "XSD-TYPE",
                path_of(node),
                "A value does not have the data type the UBL 2.1 schema requires.",
                "قيمة لا تطابق نوع البيانات الذي يشترطه مخطط UBL 2.1.",
                format!("write {want} (found \"{}\")", text.trim()),
            );
        }
    }

    /// Whether `value` is valid for simple type `simple`; records xs:ID values.
    fn value_ok(&mut self, simple: u16, value: &str) -> bool {
        let st = &SIMPLE[simple as usize];
        lexical::valid(st.base, value)
            && (st.enums.is_empty() || {
                let v = if st.base == Builtin::String { value } else { lexical::collapse(value) };
                st.enums.contains(&v)
            })
    }

    fn attributes(&mut self, node: Node<'a, '_>, ty: &Type) {
        for attr in node.attributes() {
            let name = attr.name();
            let declared = match attr.namespace() {
                None => ty.attrs.binary_search_by(|a| a.0.cmp(name)).ok(),
                Some(_) => None,
            };
            let problem = match (attr.namespace(), declared) {
                (Some(NS_XSI), _) => match name {
                    "schemaLocation" | "noNamespaceSchemaLocation" => None,
                    "nil" => Some("no element of these schemas is nillable; remove xsi:nil".to_string()),
                    _ => Some(format!("remove xsi:{name}: ZATCA documents do not use it")),
                },
                (_, Some(i)) => {
                    let simple = ty.attrs[i].2;
                    if self.value_ok(simple, attr.value()) {
                        self.check_id(simple, node, name, attr.value());
                        None
                    } else {
                        Some(format!(
                            "write {} in {name} (found \"{}\")",
                            expected(SIMPLE[simple as usize].base),
                            attr.value()
                        ))
                    }
                }
                (ns, None) => match ty.any_attr {
                    Some(w) if w.process != Process::Strict && wildcard_accepts(w, ns_index(ns)) => None,
                    _ => Some(format!("remove the attribute {name} from {}", node_name(node))),
                },
            };
            if let Some(fix) = problem {
                self.report(
                    "XSD-TYPE",
                    format!("{}/@{name}", path_of(node)),
                    "This attribute is not allowed here, or its value does not fit its type.",
                    "هذه السمة غير مسموح بها هنا، أو أن قيمتها لا تطابق نوعها.",
                    fix,
                );
            }
        }
        for a in ty.attrs.iter().filter(|a| a.1) {
            if !node.has_attribute(a.0) {
                self.report(
                    "XSD-TYPE",
                    format!("{}/@{}", path_of(node), a.0),
                    "A required attribute is missing.",
                    "سمة إلزامية مفقودة.",
                    format!("add the {} attribute to {}", a.0, node_name(node)),
                );
            }
        }
    }

    /// xs:ID values must be unique in the document.
    fn check_id(&mut self, simple: u16, node: Node<'a, '_>, name: &str, value: &'a str) {
        if SIMPLE[simple as usize].base != Builtin::Id {
            return;
        }
        let value = lexical::collapse(value);
        if self.ids.contains(&value) {
            self.report(
                "XSD-TYPE",
                format!("{}/@{name}", path_of(node)),
                "An ID value is used twice in the document.",
                "قيمة المعرّف (ID) مستخدمة مرتين في المستند.",
                format!("give {name}=\"{value}\" a value no other Id attribute uses"),
            );
        } else {
            self.ids.push(value);
        }
    }

    /// A flat sequence of distinct element particles: every child must be one of them, in
    /// particle order, each within its bounds.
    fn sequence(&mut self, node: Node<'a, '_>, particles: &'static [P], mixed: bool) {
        // This element's counts sit on top of the walker's stack, above its ancestors'.
        let base = self.counts.len();
        self.counts.resize(base + particles.len(), 0);
        let mut last = 0usize;
        let mut disordered = false;
        let mut stray_text = false;
        for child in node.children() {
            if !child.is_element() {
                stray_text |= !mixed && child.is_text() && !is_xml_space(child.text().unwrap_or(""));
                continue;
            }
            let ns = self.ns(child);
            let local = child.tag_name().name();
            let found =
                (last..particles.len()).chain(0..last).find(|&i| matches_decl(particles[i].0, ns, local));
            let Some(i) = found else {
                self.not_allowed(node, child, particles.iter().map(|p| decl_name(p.0)));
                continue;
            };
            let count = &mut self.counts[base + i];
            *count += 1;
            let count = *count;
            if i < last {
                disordered = true;
            } else {
                last = i;
            }
            if particles[i].2 != UNBOUNDED && count == u32::from(particles[i].2) + 1 {
                let max = particles[i].2;
                self.report(
                    "XSD-MAX",
                    path_of(child),
                    "An element occurs more often than the UBL 2.1 schema allows.",
                    "يتكرر عنصر أكثر مما يسمح به مخطط UBL 2.1.",
                    format!(
                        "{} may occur at most {} here; remove the extra ones",
                        node_name(child),
                        if max == 1 { "once".to_string() } else { format!("{max} times") }
                    ),
                );
            }
            self.element(child, particles[i].0);
        }
        if stray_text {
            self.no_text(node);
        }
        if disordered {
            self.report_order(node, particles);
        }
        for (i, p) in particles.iter().enumerate() {
            if self.counts[base + i] < u32::from(p.1) {
                let before = particles[i + 1..].iter().find(|q| counts_of(node, q.0) > 0);
                let place = match before {
                    Some(q) => format!(" before {}", decl_name(q.0)),
                    None => String::new(),
                };
                self.report(
                    "XSD-MIN",
                    path_under(node, &decl_name(p.0)),
                    "A required element of the UBL 2.1 schema is missing.",
                    "عنصر إلزامي في مخطط UBL 2.1 مفقود.",
                    format!("add {}{place}", decl_name(p.0)),
                );
            }
        }
        self.counts.truncate(base);
    }

    /// Names the children that break the order: those outside a longest run of children in
    /// non-decreasing particle order, each with where it belongs.
    fn report_order(&mut self, node: Node<'a, '_>, particles: &'static [P]) {
        let children: Vec<(Node<'a, '_>, usize)> = node
            .children()
            .filter(Node::is_element)
            .filter_map(|c| {
                let ns = ns_index(c.tag_name().namespace());
                particles.iter().position(|p| matches_decl(p.0, ns, c.tag_name().name())).map(|i| (c, i))
            })
            .collect();
        let keep = longest_ordered(&children.iter().map(|c| c.1).collect::<Vec<_>>());
        for (k, &(child, i)) in children.iter().enumerate() {
            if keep[k] {
                continue;
            }
            let after = children.iter().zip(&keep).rfind(|(c, kept)| **kept && c.1 <= i);
            let fix = match after {
                Some((c, _)) => format!("move {} after {}", node_name(child), node_name(c.0)),
                None => match children.iter().zip(&keep).find(|(_, kept)| **kept) {
                    Some((c, _)) => format!("move {} before {}", node_name(child), node_name(c.0)),
                    None => format!("move {}", node_name(child)),
                },
            };
            self.report(
                "XSD-ORDER",
                path_of(child),
                "The elements are not in the order of the UBL 2.1 schema.",
                "العناصر ليست بالترتيب الذي يحدده مخطط UBL 2.1.",
                fix,
            );
        }
    }

    fn not_allowed(
        &mut self,
        parent: Node<'a, '_>,
        child: Node<'a, '_>,
        allowed: impl Iterator<Item = String>,
    ) {
        let allowed = list(allowed);
        let fix = if allowed.is_empty() {
            format!("remove <{}>: {} has no child elements", node_name(child), node_name(parent))
        } else {
            format!("remove <{}> or use an element {} allows: {allowed}", node_name(child), node_name(parent))
        };
        self.report(
            "XSD-ELEMENT",
            path_of(child),
            "This element is not allowed here by the UBL 2.1 schema.",
            "هذا العنصر غير مسموح به في هذا الموضع وفق مخطط UBL 2.1.",
            fix,
        );
    }

    /// A content model run as a deterministic automaton.
    fn automaton(&mut self, node: Node<'a, '_>, start: u16, mixed: bool) {
        let mut state = start as usize;
        let mut stray_text = false;
        for child in node.children() {
            if !child.is_element() {
                stray_text |= !mixed && child.is_text() && !is_xml_space(child.text().unwrap_or(""));
                continue;
            }
            let name = child.tag_name();
            let ns = self.ns(child);
            let edge = STATES[state].edges.iter().find(|e| match e {
                Edge::Elem(decl, _) => matches_decl(*decl, ns, name.name()),
                Edge::Any(wild, _) => wildcard_accepts(*wild, ns),
            });
            match edge {
                Some(Edge::Elem(decl, to)) => {
                    state = *to as usize;
                    self.element(child, *decl);
                }
                Some(Edge::Any(wild, to)) => {
                    state = *to as usize;
                    self.wildcard(child, wild.process);
                }
                None if in_model(start, ns, name.name()) => {
                    let fix = format!(
                        "{} is not expected at this point; expected {}",
                        node_name(child),
                        expectations(state)
                    );
                    self.report(
                        "XSD-ORDER",
                        path_of(child),
                        "The elements are not in the order of the UBL 2.1 schema.",
                        "العناصر ليست بالترتيب الذي يحدده مخطط UBL 2.1.",
                        fix,
                    );
                }
                None => {
                    let allowed = reachable(start)
                        .into_iter()
                        .flat_map(|s| STATES[s].edges.iter())
                        .filter_map(|e| match e {
                            Edge::Elem(d, _) => Some(decl_name(*d)),
                            Edge::Any(..) => None,
                        })
                        .fold(Vec::new(), |mut v, n| {
                            if !v.contains(&n) {
                                v.push(n);
                            }
                            v
                        });
                    self.not_allowed(node, child, allowed.into_iter());
                }
            }
        }
        if stray_text {
            self.no_text(node);
        }
        if !STATES[state].accept {
            self.report(
                "XSD-MIN",
                path_of(node),
                "A required element of the UBL 2.1 schema is missing.",
                "عنصر إلزامي في مخطط UBL 2.1 مفقود.",
                format!("{} is incomplete: add {}", node_name(node), expectations(state)),
            );
        }
    }
}

/// How many children of `node` match declaration `decl` (error path only).
fn counts_of(node: Node<'_, '_>, decl: u16) -> usize {
    node.children()
        .filter(|c| {
            c.is_element() && matches_decl(decl, ns_index(c.tag_name().namespace()), c.tag_name().name())
        })
        .count()
}

/// What state `state` accepts next, for messages.
fn expectations(state: usize) -> String {
    let names = STATES[state].edges.iter().map(|e| match e {
        Edge::Elem(d, _) => decl_name(*d),
        Edge::Any(Wild { ns: NsRule::Any, .. }, _) => "any element".to_string(),
        Edge::Any(Wild { ns: NsRule::Other(ns), .. }, _) => {
            format!("an element outside the {} namespace", PREFIXES[*ns as usize])
        }
    });
    let text = list(names);
    if text.is_empty() { "nothing more".to_string() } else { format!("one of: {text}") }
}

/// The states reachable from `start` (error path only).
fn reachable(start: u16) -> Vec<usize> {
    let mut seen = vec![start as usize];
    let mut next = 0;
    while next < seen.len() {
        for e in STATES[seen[next]].edges {
            let to = match e {
                Edge::Elem(_, to) | Edge::Any(_, to) => *to as usize,
            };
            if !seen.contains(&to) {
                seen.push(to);
            }
        }
        next += 1;
    }
    seen
}

/// Whether an element name occurs anywhere in the automaton starting at `start`.
fn in_model(start: u16, ns: Option<u8>, local: &str) -> bool {
    reachable(start)
        .into_iter()
        .any(|s| STATES[s].edges.iter().any(|e| matches!(e, Edge::Elem(d, _) if matches_decl(*d, ns, local))))
}

/// Marks a longest non-decreasing subsequence of `xs` (patience method, O(n log n)).
fn longest_ordered(xs: &[usize]) -> Vec<bool> {
    let mut tails: Vec<usize> = Vec::new(); // index into xs of the smallest tail per length
    let mut prev = vec![usize::MAX; xs.len()];
    for (k, &x) in xs.iter().enumerate() {
        let len = tails.partition_point(|&t| xs[t] <= x);
        if len > 0 {
            prev[k] = tails[len - 1];
        }
        if len == tails.len() {
            tails.push(k);
        } else {
            tails[len] = k;
        }
    }
    let mut keep = vec![false; xs.len()];
    let mut k = tails.last().copied().unwrap_or(usize::MAX);
    while k != usize::MAX {
        keep[k] = true;
        k = prev[k];
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_the_generator() {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/validate/schema_gen.py");
        let out = std::process::Command::new("python3").arg(&script).arg("--check").output().expect(
            "python3 is needed to check that schema_tables.rs matches the XSDs (apt-get install python3)",
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    #[test]
    fn the_root_is_the_invoice_declaration() {
        let root = &DECLS[ROOT as usize];
        assert_eq!((NAMESPACES[root.0 as usize], root.1), (crate::xml::NS_INVOICE, "Invoice"));
        assert!(GLOBALS.windows(2).all(|w| {
            let (a, b) = (&DECLS[w[0] as usize], &DECLS[w[1] as usize]);
            (a.0, a.1) < (b.0, b.1)
        }));
        assert!(TYPES.iter().all(|t| match t.content {
            Content::Seq { particles, .. } => particles.len() <= 128,
            _ => true,
        }));
    }

    #[test]
    fn order_findings_name_the_misplaced_element() {
        assert_eq!(longest_ordered(&[3, 15, 5, 7, 8]), vec![true, false, true, true, true]);
        assert_eq!(longest_ordered(&[2, 1]).iter().filter(|k| **k).count(), 1);
        assert_eq!(longest_ordered(&[]), Vec::<bool>::new());
        assert_eq!(longest_ordered(&[4, 4, 4]), vec![true; 3]);
    }
}
