//! XML: parsing foreign or generated UBL safely, canonicalisation, and the ZATCA namespaces.

mod build;
pub mod c14n;
mod parser;
pub mod tree;

use crate::error::{Error, Result};
pub(crate) use build::{TreeBuilder, same_tree};
pub use tree::{Document, Node, NodeType};

pub const NS_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
pub const NS_CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
pub const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
pub const NS_EXT: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2";
pub const NS_SIG: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2";
pub const NS_SAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2";
pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const NS_XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// The namespaces XML itself reserves.
pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";
pub const NS_XMLNS: &str = "http://www.w3.org/2000/xmlns/";

/// The small number of a namespace ZATCA documents use (see [`Node::ns_number`]); `None` for
/// any other. Numbers are 2..=9; 1 is "other or none", 0 "not an element".
#[inline]
pub fn known_namespace(uri: &str) -> Option<u8> {
    Some(match uri {
        NS_CAC => 2,
        NS_CBC => 3,
        NS_EXT => 4,
        NS_INVOICE => 5,
        NS_SIG => 6,
        NS_SAC => 7,
        NS_DS => 8,
        NS_XADES => 9,
        _ => return None,
    })
}

/// Largest document we accept (ZATCA's own limit on submitted invoices is far lower).
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024 * 1024;
/// Deepest element nesting we accept; UBL invoices need about 10.
pub const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 4_000_000;

/// Decodes the bytes as UTF-8 and parses them; DTDs (and so entity tricks) are refused.
pub fn parse(bytes: &[u8]) -> Result<Document<'_>> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::InvalidXml(format!(
            "document is {} bytes; the limit is {MAX_DOCUMENT_BYTES}",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| Error::InvalidXml(format!("not UTF-8 ({e})")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let limits = parser::Limits { max_depth: MAX_DEPTH, max_nodes: MAX_NODES };
    parser::parse(text, &limits).map_err(|e| {
        let message = e.to_string();
        if message.contains("DTD") {
            Error::InvalidXml(format!("{message}: DTDs and entity declarations are not accepted"))
        } else {
            Error::InvalidXml(message)
        }
    })
}

/// Whether `node` is the element `{namespace}local`.
pub fn is(node: Node<'_, '_>, namespace: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local && node.tag_name().namespace() == Some(namespace)
}

/// The first child element `{namespace}local` of `node`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, namespace: &str, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, namespace, local))
}

/// Follows a path of `(namespace, local)` steps through first matching children.
pub fn path<'a, 'i>(node: Node<'a, 'i>, steps: &[(&str, &str)]) -> Option<Node<'a, 'i>> {
    steps.iter().try_fold(node, |n, (ns, local)| child(n, ns, local))
}

/// The text of the first matching descendant along `steps`, trimmed.
pub fn path_text<'a>(node: Node<'a, '_>, steps: &[(&str, &str)]) -> Option<&'a str> {
    path(node, steps).and_then(|n| n.text()).map(str::trim)
}

/// Byte offset just past the `>` of the element's start tag.
pub fn start_tag_end(input: &str, node: Node<'_, '_>) -> usize {
    let bytes = input.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate().skip(node.range().start) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return i + 1,
            None => {}
        }
    }
    node.range().end
}
