//! XML: parsing foreign or generated UBL safely, canonicalisation, and the ZATCA namespaces.

pub mod c14n;

use crate::error::{Error, Result};
use roxmltree::{Document, Node, ParsingOptions};

pub const NS_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
pub const NS_CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
pub const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
pub const NS_EXT: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2";
pub const NS_SIG: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2";
pub const NS_SAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2";
pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const NS_XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";

/// Largest document we accept (ZATCA's own limit on submitted invoices is far lower).
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024 * 1024;
/// Deepest element nesting we accept; UBL invoices need about 10.
pub const MAX_DEPTH: usize = 64;
const MAX_NODES: u32 = 4_000_000;

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
    let options = ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES, ..Default::default() };
    let document = Document::parse_with_options(text, options).map_err(|e| {
        let message = e.to_string();
        if message.contains("DTD") {
            Error::InvalidXml(format!("{message}: DTDs and entity declarations are not accepted"))
        } else {
            Error::InvalidXml(message)
        }
    })?;
    check_depth(&document)?;
    Ok(document)
}

fn check_depth(document: &Document<'_>) -> Result<()> {
    // roxmltree stores nodes in document order, a parent before its children: one pass over
    // that array gives every element's depth from its parent's (no stack, no sibling walks).
    let mut depth: Vec<u8> = Vec::with_capacity(document.descendants().size_hint().0);
    for node in document.descendants() {
        let d = match node.parent() {
            Some(parent) if node.is_element() => depth[parent.id().get() as usize] + 1,
            _ => 0,
        };
        if usize::from(d) > MAX_DEPTH {
            return Err(Error::InvalidXml(format!("elements are nested deeper than {MAX_DEPTH} levels")));
        }
        depth.push(d);
    }
    Ok(())
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
