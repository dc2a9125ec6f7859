//! The parsed document: every node in one array in document order, linked by index.
//!
//! Built by [`super::parser`] in one pass over the bytes; read through [`Node`], whose methods
//! follow the names of roxmltree (the tree the crate used before, and the one its tests still
//! compare against) so the rule code reads the same. Two additions serve the hot paths: each
//! element carries the small number of its namespace among the ones ZATCA uses
//! ([`Node::ns_number`]), and each node knows where its subtree ends, so descendants are a range.

use std::borrow::Cow;
use std::ops::Range;

/// "No node": index 0 is the document node, which is never a child or a sibling.
pub(super) const NONE: u32 = 0;
/// The namespace slot of an element or attribute with no namespace.
pub(super) const NO_URI: u16 = u16::MAX;
/// The [`NodeData::text`] of a text node whose text is its range of the input as written (no
/// reference decoded, no line end normalised): most text, read without a second lookup.
pub(super) const RAW_TEXT: u32 = u32::MAX;

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeType {
    Root,
    Element,
    PI,
    Comment,
    Text,
}

#[derive(Debug, PartialEq)]
pub(super) struct NodeData<'i> {
    pub kind: NodeType,
    /// The element's namespace as a [`super::known_namespace`] number (0 for other nodes).
    pub ns: u8,
    pub uri: u16,
    pub parent: u32,
    pub prev: u32,
    pub next: u32,
    pub first: u32,
    pub last: u32,
    /// One past the last node of the subtree (ids are in document order).
    pub end: u32,
    pub range: (u32, u32),
    /// The element's local name or the PI's target.
    pub name: &'i str,
    /// The length of the element's prefix as written (0 for none).
    pub prefix_len: u16,
    pub attributes: (u32, u32),
    /// The element's in-scope namespaces: a range of [`Document::scopes`].
    pub scope: (u32, u32),
    /// Text of a text or comment node, value of a PI: an index of [`Document::texts`] (0 = ""),
    /// or [`RAW_TEXT`].
    pub text: u32,
}

impl NodeData<'_> {
    /// A node of `kind` with no links, name, attributes or text yet.
    pub(super) fn blank(kind: NodeType) -> Self {
        NodeData {
            kind,
            ns: 0,
            uri: NO_URI,
            parent: NONE,
            prev: NONE,
            next: NONE,
            first: NONE,
            last: NONE,
            end: 0,
            range: (0, 0),
            name: "",
            prefix_len: 0,
            attributes: (0, 0),
            scope: (0, 0),
            text: 0,
        }
    }
}

#[derive(Debug, PartialEq)]
pub(super) struct AttributeData<'i> {
    pub uri: u16,
    pub name: &'i str,
    pub qname: (u32, u32),
    pub value: Cow<'i, str>,
}

/// A parsed, well-formed XML document (see [`super::parse`]).
pub struct Document<'i> {
    pub(super) text: &'i str,
    pub(super) nodes: Vec<NodeData<'i>>,
    pub(super) attributes: Vec<AttributeData<'i>>,
    /// Namespace URIs, each once.
    pub(super) uris: Vec<Cow<'i, str>>,
    /// In-scope namespace bindings, (prefix or "" for the default, URI slot); elements that
    /// declare nothing share their parent's range.
    pub(super) scopes: Vec<(&'i str, u16)>,
    /// The texts of text, comment and PI nodes; the first is "".
    pub(super) texts: Vec<Cow<'i, str>>,
}

impl<'i> Document<'i> {
    fn node<'a>(&'a self, id: u32) -> Node<'a, 'i> {
        Node { doc: self, id, d: &self.nodes[id as usize] }
    }

    /// The document node (parent of the root element).
    pub fn root(&self) -> Node<'_, 'i> {
        self.node(0)
    }

    /// The document element.
    pub fn root_element(&self) -> Node<'_, 'i> {
        self.root().children().find(|n| n.is_element()).expect("a parsed document has a root element")
    }

    /// The text the document was parsed from.
    pub fn input_text(&self) -> &'i str {
        self.text
    }

    /// Every node in document order, the document node first.
    pub fn descendants(&self) -> impl DoubleEndedIterator<Item = Node<'_, 'i>> + '_ {
        (0..self.nodes.len() as u32).map(move |id| self.node(id))
    }

    /// The node with this [`Node::index`].
    pub fn get_node(&self, index: usize) -> Option<Node<'_, 'i>> {
        (index < self.nodes.len()).then(|| self.node(index as u32))
    }

    /// How many nodes the document has.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Never true: a parsed document has at least its document node and root element.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn uri(&self, slot: u16) -> Option<&str> {
        (slot != NO_URI).then(|| self.uris[slot as usize].as_ref())
    }
}

/// A node of a [`Document`]. Cheap to copy; equal when it is the same node.
#[derive(Clone, Copy)]
pub struct Node<'a, 'i> {
    doc: &'a Document<'i>,
    id: u32,
    d: &'a NodeData<'i>,
}

impl PartialEq for Node<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::ptr::eq(self.doc, other.doc)
    }
}
impl Eq for Node<'_, '_> {}

impl std::fmt::Debug for Node<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}#{} {}", self.d.kind, self.id, self.d.name)
    }
}

/// An element's or attribute's namespace and local name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpandedName<'a, 'i> {
    namespace: Option<&'a str>,
    name: &'i str,
}

impl<'a, 'i> ExpandedName<'a, 'i> {
    pub fn namespace(&self) -> Option<&'a str> {
        self.namespace
    }
    pub fn name(&self) -> &'i str {
        self.name
    }
}

/// An attribute of an element (namespace declarations are not attributes).
#[derive(Clone, Copy)]
pub struct Attribute<'a, 'i> {
    doc: &'a Document<'i>,
    d: &'a AttributeData<'i>,
}

impl<'a, 'i> Attribute<'a, 'i> {
    pub fn namespace(&self) -> Option<&'a str> {
        self.doc.uri(self.d.uri)
    }
    pub fn name(&self) -> &'i str {
        self.d.name
    }
    /// The value after XML's attribute-value normalisation.
    pub fn value(&self) -> &'a str {
        &self.d.value
    }
    /// Where the qualified name is in the input.
    pub fn range_qname(&self) -> Range<usize> {
        self.d.qname.0 as usize..self.d.qname.1 as usize
    }
}

/// An in-scope namespace binding.
#[derive(Clone, Copy)]
pub struct Namespace<'a> {
    prefix: &'a str,
    uri: &'a str,
}

impl<'a> Namespace<'a> {
    /// The prefix, `None` for the default namespace.
    pub fn name(&self) -> Option<&'a str> {
        (!self.prefix.is_empty()).then_some(self.prefix)
    }
    pub fn uri(&self) -> &'a str {
        self.uri
    }
}

/// A processing instruction's target and value.
pub struct PI<'a> {
    pub target: &'a str,
    pub value: Option<&'a str>,
}

impl<'a, 'i: 'a> Node<'a, 'i> {
    fn at(&self, id: u32) -> Option<Node<'a, 'i>> {
        (id != NONE).then(|| self.doc.node(id))
    }

    /// The position of this node in [`Document::descendants`] order.
    pub fn index(&self) -> usize {
        self.id as usize
    }

    pub fn document(&self) -> &'a Document<'i> {
        self.doc
    }

    pub fn node_type(&self) -> NodeType {
        self.d.kind
    }
    pub fn is_element(&self) -> bool {
        self.d.kind == NodeType::Element
    }
    pub fn is_text(&self) -> bool {
        self.d.kind == NodeType::Text
    }
    pub fn is_root(&self) -> bool {
        self.d.kind == NodeType::Root
    }

    /// The namespace number of an element among the ones ZATCA uses
    /// ([`super::known_namespace`]); 1 for any other namespace or none, 0 for other nodes.
    #[inline]
    pub fn ns_number(&self) -> u8 {
        self.d.ns
    }

    /// The element's name (empty for other nodes).
    pub fn tag_name(&self) -> ExpandedName<'a, 'i> {
        ExpandedName { namespace: self.doc.uri(self.d.uri), name: self.d.name }
    }

    /// The element's qualified name as written (`cbc:ID`).
    pub fn qname(&self) -> &'i str {
        let (start, _) = self.d.range;
        let prefix = usize::from(self.d.prefix_len);
        let len = if prefix == 0 { 0 } else { prefix + 1 } + self.d.name.len();
        &self.doc.text[start as usize + 1..start as usize + 1 + len]
    }

    /// The element's prefix as written ("" for none).
    pub fn prefix(&self) -> &'i str {
        let start = self.d.range.0 as usize + 1;
        &self.doc.text[start..start + usize::from(self.d.prefix_len)]
    }

    fn own_text(&self) -> &'a str {
        match self.d.text {
            RAW_TEXT => &self.doc.text[self.d.range.0 as usize..self.d.range.1 as usize],
            i => &self.doc.texts[i as usize],
        }
    }

    /// The value of the attribute `name` that has no namespace.
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        self.attribute_data().iter().find(|a| a.uri == NO_URI && a.name == name).map(|a| a.value.as_ref())
    }

    /// Whether the element has the attribute `name` with no namespace.
    pub fn has_attribute(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    fn attribute_data(&self) -> &'a [AttributeData<'i>] {
        &self.doc.attributes[self.d.attributes.0 as usize..self.d.attributes.1 as usize]
    }

    pub fn attributes(&self) -> impl ExactSizeIterator<Item = Attribute<'a, 'i>> + use<'a, 'i> {
        let doc = self.doc;
        self.attribute_data().iter().map(move |d| Attribute { doc, d })
    }

    /// The in-scope namespaces of an element (the `xml` prefix excluded).
    pub fn namespaces(&self) -> impl ExactSizeIterator<Item = Namespace<'a>> + use<'a, 'i> {
        let doc = self.doc;
        doc.scopes[self.d.scope.0 as usize..self.d.scope.1 as usize]
            .iter()
            .map(move |&(prefix, slot)| Namespace { prefix, uri: &doc.uris[slot as usize] })
    }

    /// Whether this element declares no namespace of its own (it shares its parent's bindings).
    pub fn inherits_namespaces(&self) -> bool {
        self.parent().is_some_and(|p| p.is_element() && p.d.scope == self.d.scope)
    }

    /// The URI bound to `prefix` (`None` = the default namespace) at this element.
    pub fn lookup_namespace_uri(&self, prefix: Option<&str>) -> Option<&'a str> {
        let prefix = prefix.unwrap_or("");
        if prefix == "xml" {
            return Some(super::NS_XML);
        }
        self.namespaces().find(|n| n.prefix == prefix).map(|n| n.uri).filter(|u| !u.is_empty())
    }

    /// For an element, the text of its first child if that is text; for text and comments,
    /// their text.
    pub fn text(&self) -> Option<&'a str> {
        match self.d.kind {
            NodeType::Element => self.first_child().filter(|c| c.is_text()).map(|c| c.own_text()),
            NodeType::Text | NodeType::Comment => Some(self.own_text()),
            _ => None,
        }
    }

    /// The text right after this node (its next sibling, when that is text).
    pub fn tail(&self) -> Option<&'a str> {
        self.next_sibling().filter(|n| n.is_text()).map(|n| n.own_text())
    }

    pub fn pi(&self) -> Option<PI<'a>> {
        (self.d.kind == NodeType::PI)
            .then(|| PI { target: self.d.name, value: Some(self.own_text()).filter(|v| !v.is_empty()) })
    }

    /// Where the node is in the input: an element from `<` to the end of its end tag.
    pub fn range(&self) -> Range<usize> {
        self.d.range.0 as usize..self.d.range.1 as usize
    }

    pub fn parent(&self) -> Option<Node<'a, 'i>> {
        (self.id != 0).then(|| self.doc.node(self.d.parent))
    }
    pub fn parent_element(&self) -> Option<Node<'a, 'i>> {
        self.parent().filter(|p| p.is_element())
    }
    pub fn first_child(&self) -> Option<Node<'a, 'i>> {
        self.at(self.d.first)
    }
    pub fn last_child(&self) -> Option<Node<'a, 'i>> {
        self.at(self.d.last)
    }
    pub fn next_sibling(&self) -> Option<Node<'a, 'i>> {
        self.at(self.d.next)
    }
    pub fn prev_sibling(&self) -> Option<Node<'a, 'i>> {
        self.at(self.d.prev)
    }
    pub fn first_element_child(&self) -> Option<Node<'a, 'i>> {
        self.children().find(|n| n.is_element())
    }
    pub fn next_sibling_element(&self) -> Option<Node<'a, 'i>> {
        std::iter::successors(self.next_sibling(), |n| n.next_sibling()).find(|n| n.is_element())
    }

    pub fn children(&self) -> Siblings<'a, 'i> {
        Siblings { doc: self.doc, next: self.d.first, back: self.d.last }
    }

    /// This node and the ones before it among its siblings, nearest first.
    pub fn prev_siblings(&self) -> impl Iterator<Item = Node<'a, 'i>> + use<'a, 'i> {
        std::iter::successors(Some(*self), |n| n.prev_sibling())
    }

    /// This node and the ones after it among its siblings, in order.
    pub fn next_siblings(&self) -> impl Iterator<Item = Node<'a, 'i>> + use<'a, 'i> {
        std::iter::successors(Some(*self), |n| n.next_sibling())
    }

    /// This node and its ancestors, nearest first.
    pub fn ancestors(&self) -> impl Iterator<Item = Node<'a, 'i>> + use<'a, 'i> {
        std::iter::successors(Some(*self), |n| n.parent())
    }

    /// This node and everything inside it, in document order.
    pub fn descendants(&self) -> impl DoubleEndedIterator<Item = Node<'a, 'i>> + use<'a, 'i> {
        let doc = self.doc;
        (self.id..self.d.end).map(move |id| doc.node(id))
    }
}

/// The children of a node, in order (either end).
pub struct Siblings<'a, 'i> {
    doc: &'a Document<'i>,
    next: u32,
    back: u32,
}

impl<'a, 'i> Iterator for Siblings<'a, 'i> {
    type Item = Node<'a, 'i>;
    #[inline]
    fn next(&mut self) -> Option<Node<'a, 'i>> {
        if self.next == NONE {
            return None;
        }
        let node = self.doc.node(self.next);
        if self.next == self.back {
            self.next = NONE;
            self.back = NONE;
        } else {
            self.next = node.d.next;
        }
        Some(node)
    }
}

impl DoubleEndedIterator for Siblings<'_, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.back == NONE {
            return None;
        }
        let node = self.doc.node(self.back);
        if self.next == self.back {
            self.next = NONE;
            self.back = NONE;
        } else {
            self.back = node.d.prev;
        }
        Some(node)
    }
}
