//! Canonical XML: inclusive C14N 1.1 and exclusive C14N 1.0, both without comments.
//!
//! Written for ZATCA's needs rather than as a general XMLDSig engine: the document subsets ZATCA
//! hashes are "the whole document minus some subtrees", so a node set is expressed as a predicate
//! that excludes whole element subtrees. For such subsets C14N 1.0 and 1.1 give the same bytes
//! (they differ only in how `xml:*` attributes are inherited into orphaned nodes), which ZATCA's
//! own samples confirm. The walk is iterative, so nesting depth cannot overflow the stack.

use super::tree::{Node, NodeType};

/// Which canonicalisation to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Inclusive C14N (1.0 / 1.1): every in-scope namespace is rendered where it first applies.
    Inclusive,
    /// Exclusive C14N 1.0: a namespace is rendered only where an element or attribute uses it.
    Exclusive,
}

/// Canonicalises the subtree rooted at `apex` (an element, or the document root node), leaving
/// out every element for which `exclude` returns true together with its descendants.
pub fn canonicalize<'a, 'i: 'a>(
    apex: Node<'a, 'i>,
    mode: Mode,
    exclude: &dyn Fn(Node<'_, '_>) -> bool,
    out: &mut Vec<u8>,
) {
    let input = apex.document().input_text();
    // Namespace bindings rendered by each open output element: (prefix, uri), prefix "" = default.
    let mut rendered: Vec<Vec<(&'a str, &'a str)>> = Vec::new();
    let document_level = apex.node_type() == NodeType::Root;
    let mut seen_root_element = false;
    let close = |element: Node<'a, 'i>, rendered: &mut Vec<Vec<(&'a str, &'a str)>>, out: &mut Vec<u8>| {
        rendered.pop();
        out.extend_from_slice(b"</");
        out.extend_from_slice(element.qname().as_bytes());
        out.push(b'>');
    };
    // Depth first through the links (first child, next sibling, parent): no stack of pending
    // nodes to fill and empty.
    let mut node = apex;
    'walk: loop {
        let descend = match node.node_type() {
            NodeType::Root => true,
            NodeType::Element => {
                if exclude(node) {
                    false
                } else {
                    if node.parent().is_some_and(|p| p.is_root()) {
                        seen_root_element = true;
                    }
                    start_tag(node, mode, input, &mut rendered, out);
                    true
                }
            }
            NodeType::Text => {
                // Outside the document element only markup counts, never whitespace.
                if !(document_level && node.parent().is_some_and(|p| p.is_root())) {
                    escape_text(node.text().unwrap_or(""), out);
                }
                false
            }
            NodeType::PI => {
                let at_top = node.parent().is_some_and(|p| p.is_root());
                if at_top && seen_root_element {
                    out.push(b'\n');
                }
                if let Some(pi) = node.pi() {
                    out.extend_from_slice(b"<?");
                    out.extend_from_slice(pi.target.as_bytes());
                    if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                        out.push(b' ');
                        out.extend_from_slice(value.as_bytes());
                    }
                    out.extend_from_slice(b"?>");
                }
                if at_top && !seen_root_element {
                    out.push(b'\n');
                }
                false
            }
            NodeType::Comment => false,
        };
        if descend {
            if let Some(child) = node.first_child() {
                node = child;
                continue;
            }
            if node.is_element() {
                close(node, &mut rendered, out);
            }
        }
        // The subtree of `node` is done: on to its next sibling, closing the elements left.
        loop {
            if node == apex {
                break 'walk;
            }
            if let Some(sibling) = node.next_sibling() {
                node = sibling;
                continue 'walk;
            }
            node = node.parent().expect("a node below the apex has a parent");
            if node.is_element() {
                close(node, &mut rendered, out);
            }
        }
    }
}

/// Writes the start tag of `node` with the namespaces it must render and its attributes in
/// canonical order, and records the namespaces rendered.
fn start_tag<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    mode: Mode,
    input: &'i str,
    rendered: &mut Vec<Vec<(&'a str, &'a str)>>,
    out: &mut Vec<u8>,
) {
    let qname = node.qname();
    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    let declared = namespaces_to_render(node, qname, mode, input, rendered);
    for (prefix, uri) in &declared {
        if prefix.is_empty() {
            out.extend_from_slice(b" xmlns=\"");
        } else {
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(prefix.as_bytes());
            out.extend_from_slice(b"=\"");
        }
        escape_attribute(uri, out);
        out.push(b'"');
    }
    let write = |attribute: super::tree::Attribute<'_, '_>, out: &mut Vec<u8>| {
        out.push(b' ');
        out.extend_from_slice(input[attribute.range_qname()].as_bytes());
        out.extend_from_slice(b"=\"");
        escape_attribute(attribute.value(), out);
        out.push(b'"');
    };
    let attributes = node.attributes();
    if attributes.len() < 2 {
        // Nothing to order (most elements): no list to build.
        attributes.for_each(|a| write(a, out));
    } else {
        let mut sorted: Vec<_> = attributes.collect();
        sorted.sort_unstable_by(|a, b| {
            (a.namespace().unwrap_or(""), a.name()).cmp(&(b.namespace().unwrap_or(""), b.name()))
        });
        sorted.into_iter().for_each(|a| write(a, out));
    }
    out.push(b'>');
    rendered.push(declared);
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map(|(p, _)| p).unwrap_or("")
}

/// The binding of `prefix` in effect in the output at the innermost rendered ancestor.
fn rendered_binding<'a>(rendered: &[Vec<(&'a str, &'a str)>], prefix: &str) -> Option<&'a str> {
    rendered.iter().rev().flat_map(|level| level.iter()).find(|(p, _)| *p == prefix).map(|(_, uri)| *uri)
}

fn namespaces_to_render<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    qname: &'i str,
    mode: Mode,
    input: &'i str,
    rendered: &[Vec<(&'a str, &'a str)>],
) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&'a str, &'a str)> = Vec::new();
    if mode == Mode::Inclusive && inherits_namespaces_unchanged(node) {
        return out;
    }
    // In-scope namespaces of this element, prefix "" for the default namespace.
    let in_scope: Vec<(&'a str, &'a str)> = node
        .namespaces()
        .filter(|ns| ns.name() != Some("xml"))
        .map(|ns| (ns.name().unwrap_or(""), ns.uri()))
        .collect();
    match mode {
        Mode::Inclusive => {
            for &(prefix, uri) in &in_scope {
                let shown = rendered_binding(rendered, prefix);
                let needed = if prefix.is_empty() {
                    // An empty default namespace only matters to undo an inherited one.
                    if uri.is_empty() { shown.is_some_and(|u| !u.is_empty()) } else { shown != Some(uri) }
                } else {
                    shown != Some(uri)
                };
                if needed {
                    out.push((prefix, uri));
                }
            }
            if !in_scope.iter().any(|(p, _)| p.is_empty())
                && rendered_binding(rendered, "").is_some_and(|u| !u.is_empty())
            {
                out.push(("", ""));
            }
        }
        Mode::Exclusive => {
            let mut used: Vec<&str> = vec![prefix_of(qname)];
            for attribute in node.attributes() {
                let attribute_qname = &input[attribute.range_qname()];
                if attribute_qname.contains(':') {
                    used.push(prefix_of(attribute_qname));
                }
            }
            for prefix in used {
                if prefix == "xml" || out.iter().any(|(p, _)| *p == prefix) {
                    continue;
                }
                let uri = in_scope.iter().find(|(p, _)| *p == prefix).map(|(_, u)| *u).unwrap_or("");
                let shown = rendered_binding(rendered, prefix);
                let needed = if uri.is_empty() {
                    prefix.is_empty() && shown.is_some_and(|u| !u.is_empty())
                } else {
                    shown != Some(uri)
                };
                if needed {
                    out.push((prefix, uri));
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(b.0));
    out
}

/// True when the element declares no namespace of its own (it shares its parent's bindings).
/// Inclusive C14N renders nothing for such elements (their parent is always rendered in the
/// subsets we canonicalise), and this is the common case.
fn inherits_namespaces_unchanged(node: Node<'_, '_>) -> bool {
    node.inherits_namespaces()
}

fn escape_text(text: &str, out: &mut Vec<u8>) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#xD;",
            _ => continue,
        };
        out.extend_from_slice(&text.as_bytes()[last..i]);
        out.extend_from_slice(replacement);
        last = i + 1;
    }
    out.extend_from_slice(&text.as_bytes()[last..]);
}

fn escape_attribute(value: &str, out: &mut Vec<u8>) {
    let mut last = 0;
    for (i, b) in value.bytes().enumerate() {
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'"' => b"&quot;",
            b'\t' => b"&#x9;",
            b'\n' => b"&#xA;",
            b'\r' => b"&#xD;",
            _ => continue,
        };
        out.extend_from_slice(&value.as_bytes()[last..i]);
        out.extend_from_slice(replacement);
        last = i + 1;
    }
    out.extend_from_slice(&value.as_bytes()[last..]);
}
