//! The tree of a document we write ourselves, recorded as it is written, so that judging it does
//! not parse it back.
//!
//! The invoice writer tells a [`TreeBuilder`] where each element, attribute and text run starts
//! and ends in its output; [`TreeBuilder::document`] then gives the [`Document`] that
//! [`super::parse`] would build from that output, node for node (the tests and every debug build
//! compare the two: [`same_tree`]). Names are the writer's static strings; texts borrow the
//! output, or are decoded where the writer escaped them.

use super::known_namespace;
use super::tree::{AttributeData, Document, NO_URI, NONE, NodeData, NodeType, RAW_TEXT};
use std::borrow::Cow;

/// A text or attribute value: where it is, and whether the writer escaped part of it.
#[derive(Clone, Copy)]
struct Value {
    range: (u32, u32),
    escaped: bool,
}

struct Attribute {
    name: &'static str,
    qname: (u32, u32),
    value: Value,
}

/// Records a document's tree from its writer's offsets (module docs).
pub(crate) struct TreeBuilder {
    nodes: Vec<NodeData<'static>>,
    attributes: Vec<Attribute>,
    /// The text nodes the writer escaped part of, in order: their texts are decoded (the others
    /// are their range as written, [`RAW_TEXT`]).
    escaped: Vec<u32>,
    uris: Vec<&'static str>,
    /// [`known_namespace`] of each URI slot (1 for others), as the parser numbers them.
    uri_numbers: Vec<u8>,
    scopes: Vec<(&'static str, u16)>,
    open: Vec<u32>,
    /// The text node the next text run extends (none after markup), as the parser merges runs.
    merging: Option<u32>,
}

impl TreeBuilder {
    /// A builder for a document of about `elements` elements.
    pub(crate) fn with_capacity(elements: usize) -> Self {
        let mut nodes = Vec::with_capacity(2 * elements + 2);
        nodes.push(NodeData::blank(NodeType::Root));
        TreeBuilder {
            nodes,
            attributes: Vec::new(),
            escaped: Vec::new(),
            uris: Vec::new(),
            uri_numbers: Vec::new(),
            scopes: Vec::new(),
            open: Vec::with_capacity(16),
            merging: None,
        }
    }

    /// Declares namespaces on the next element opened: `(prefix, uri)`, "" for the default.
    /// The writer declares them on the root element only.
    pub(crate) fn declare(&mut self, declarations: &[(&'static str, &'static str)]) {
        for &(prefix, uri) in declarations {
            let slot = match self.uris.iter().position(|u| *u == uri) {
                Some(i) => i,
                None => {
                    self.uris.push(uri);
                    self.uri_numbers.push(known_namespace(uri).unwrap_or(1));
                    self.uris.len() - 1
                }
            };
            self.scopes.push((prefix, slot as u16));
        }
    }

    /// Opens the element `tag` (`prefix:local` or `local`) whose `<` is at `start`.
    pub(crate) fn open(&mut self, tag: &'static str, start: usize) {
        // Inline byte loops, not `split_once` and `==`: prefixes are three letters or so, and a
        // library call per element opened was a measurable part of writing 500 lines.
        let (prefix, local) = match tag.bytes().position(|b| b == b':') {
            Some(colon) => (&tag[..colon], &tag[colon + 1..]),
            None => ("", tag),
        };
        let same = |p: &str| p.len() == prefix.len() && p.bytes().zip(prefix.bytes()).all(|(a, b)| a == b);
        // Every element of ours is in the scope of the root's declarations.
        let scope = (0, self.scopes.len() as u32);
        let uri = self.scopes.iter().find(|(p, _)| same(p)).map_or(NO_URI, |&(_, slot)| slot);
        let ns = match uri {
            NO_URI => 1,
            slot => self.uri_numbers[slot as usize],
        };
        let first_attribute = self.attributes.len() as u32;
        let node = NodeData {
            ns,
            uri,
            range: (start as u32, start as u32),
            name: local,
            prefix_len: prefix.len() as u16,
            attributes: (first_attribute, first_attribute),
            scope,
            ..NodeData::blank(NodeType::Element)
        };
        let id = self.append(node);
        self.open.push(id);
        self.merging = None;
    }

    /// An attribute of the element just opened: its name at `name_at`, its value's range, and
    /// whether the writer escaped part of the value.
    pub(crate) fn attribute(
        &mut self,
        name: &'static str,
        name_at: usize,
        value: (usize, usize),
        escaped: bool,
    ) {
        self.attributes.push(Attribute {
            name,
            qname: (name_at as u32, (name_at + name.len()) as u32),
            value: Value { range: (value.0 as u32, value.1 as u32), escaped },
        });
        let id = *self.open.last().expect("an attribute follows an opened element");
        self.nodes[id as usize].attributes.1 = self.attributes.len() as u32;
    }

    /// A run of text from `start` to `end`; `escaped` when the writer escaped part of it.
    pub(crate) fn text(&mut self, start: usize, end: usize, escaped: bool) {
        if start == end {
            return;
        }
        let id = match self.merging {
            Some(id) => {
                self.nodes[id as usize].range.1 = end as u32;
                id
            }
            None => {
                let node = NodeData {
                    range: (start as u32, end as u32),
                    text: RAW_TEXT,
                    ..NodeData::blank(NodeType::Text)
                };
                let id = self.append(node);
                self.merging = Some(id);
                id
            }
        };
        if escaped && self.escaped.last() != Some(&id) {
            self.escaped.push(id);
        }
    }

    /// Closes the innermost open element; its end tag ends just before `end`.
    pub(crate) fn close(&mut self, end: usize) {
        let id = self.open.pop().expect("close follows open");
        let next = self.nodes.len() as u32;
        let node = &mut self.nodes[id as usize];
        node.range.1 = end as u32;
        node.end = next;
        self.merging = None;
    }

    fn append(&mut self, mut node: NodeData<'static>) -> u32 {
        let id = self.nodes.len() as u32;
        let parent = self.open.last().copied().unwrap_or(0);
        node.parent = parent;
        let last = self.nodes[parent as usize].last;
        node.prev = last;
        if last == NONE {
            self.nodes[parent as usize].first = id;
        } else {
            self.nodes[last as usize].next = id;
        }
        self.nodes[parent as usize].last = id;
        node.end = id + 1;
        self.nodes.push(node);
        id
    }

    /// The document of `text`, the output the offsets were recorded in (what
    /// [`super::parse`]`(text)` builds).
    pub(crate) fn document(self, text: &str) -> Document<'_> {
        debug_assert!(self.open.is_empty(), "every element is closed");
        let value = |v: Value| -> Cow<'_, str> {
            let raw = &text[v.range.0 as usize..v.range.1 as usize];
            if v.escaped { Cow::Owned(unescape(raw)) } else { Cow::Borrowed(raw) }
        };
        let mut nodes = self.nodes;
        nodes[0].range = (0, text.len() as u32);
        nodes[0].end = nodes.len() as u32;
        let mut texts = Vec::with_capacity(self.escaped.len() + 1);
        texts.push(Cow::Borrowed(""));
        for id in self.escaped {
            let node = &mut nodes[id as usize];
            texts.push(Cow::Owned(unescape(&text[node.range.0 as usize..node.range.1 as usize])));
            node.text = (texts.len() - 1) as u32;
        }
        Document {
            text,
            nodes,
            attributes: self
                .attributes
                .into_iter()
                .map(|a| AttributeData { uri: NO_URI, name: a.name, qname: a.qname, value: value(a.value) })
                .collect(),
            uris: self.uris.into_iter().map(Cow::Borrowed).collect(),
            scopes: self.scopes,
            texts,
        }
    }
}

/// The text an escaped run stands for: the references the writer writes (`&amp; &lt; &gt;
/// &quot;` and `&#xD; &#x9; &#xA;`) replaced by their characters.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let reference = &rest[at..];
        let (c, len) = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#xD;", '\r'),
            ("&#x9;", '\t'),
            ("&#xA;", '\n'),
        ]
        .into_iter()
        .find(|(r, _)| reference.starts_with(r))
        .map(|(r, c)| (c, r.len()))
        .expect("the writer writes only these references");
        out.push(c);
        rest = &reference[len..];
    }
    out.push_str(rest);
    out
}

/// Where two documents differ (kinds, names, namespaces, links, ranges, attributes, in-scope
/// namespaces, texts), or `Ok` when they are the same tree of the same text.
pub(crate) fn same_tree(a: &Document<'_>, b: &Document<'_>) -> Result<(), String> {
    if a.text != b.text {
        return Err("the texts differ".into());
    }
    if a.nodes.len() != b.nodes.len() {
        return Err(format!("{} nodes against {}", a.nodes.len(), b.nodes.len()));
    }
    if let Some(i) = (0..a.nodes.len()).find(|&i| a.nodes[i] != b.nodes[i]) {
        return Err(format!("node {i}: {:?} against {:?}", a.nodes[i], b.nodes[i]));
    }
    if a.attributes != b.attributes {
        return Err("the attributes differ".into());
    }
    if a.uris != b.uris || a.scopes != b.scopes {
        return Err("the namespaces differ".into());
    }
    if let Some(i) = (0..a.texts.len().max(b.texts.len())).find(|&i| a.texts.get(i) != b.texts.get(i)) {
        return Err(format!("text {i}: {:?} against {:?}", a.texts.get(i), b.texts.get(i)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small document written by hand with its tree recorded; `flawed` records one text run
    /// as unescaped although it was escaped.
    fn written(flawed: bool) -> (String, TreeBuilder) {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let mut tree = TreeBuilder::with_capacity(4);
        tree.declare(&[("", "urn:example:a"), ("p", "urn:example:b")]);
        tree.open("r", out.len());
        out.push_str("<r xmlns=\"urn:example:a\" xmlns:p=\"urn:example:b\">");
        let run = |out: &mut String, tree: &mut TreeBuilder, text: &str, escaped: bool| {
            let from = out.len();
            out.push_str(text);
            tree.text(from, out.len(), escaped);
        };
        run(&mut out, &mut tree, "\n  ", false);
        tree.open("p:x", out.len());
        out.push_str("<p:x ");
        let name_at = out.len();
        out.push_str("k=\"");
        let from = out.len();
        out.push_str("a&amp;b&#x9;c");
        tree.attribute("k", name_at, (from, out.len()), true);
        out.push_str("\">");
        run(&mut out, &mut tree, "1 &lt; 2&#xD;", !flawed);
        out.push_str("</p:x>");
        tree.close(out.len());
        run(&mut out, &mut tree, "\n", false);
        run(&mut out, &mut tree, "  ", false);
        out.push_str("</r>");
        tree.close(out.len());
        out.push('\n');
        (out, tree)
    }

    #[test]
    fn a_recorded_tree_is_the_parsed_tree() {
        let (text, tree) = written(false);
        let parsed = crate::xml::parse(text.as_bytes()).unwrap();
        assert_eq!(same_tree(&tree.document(&text), &parsed), Ok(()));
    }

    #[test]
    fn a_wrong_record_is_told_apart() {
        let (text, tree) = written(true);
        let parsed = crate::xml::parse(text.as_bytes()).unwrap();
        let difference = same_tree(&tree.document(&text), &parsed).unwrap_err();
        assert!(difference.starts_with("node 4:"), "{difference}");
    }
}
