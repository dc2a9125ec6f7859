//! The document indexed once for the rule families: every element's namespace as a small
//! number, its local name and links to its first child element and next sibling element.
//!
//! The rules look children up by name hundreds of times per document (`cac:InvoiceLine`,
//! `cac:Price/cbc:PriceAmount`, …). Through roxmltree each lookup walks every sibling, text nodes
//! included, and compares namespace URIs; here it hops over elements only and compares a byte
//! and the local name. Built in one pass in document order; lookups allocate nothing.

use crate::xml::{Document, Node, known_namespace};

/// Namespace numbers ([`Node::ns_number`]: 1 is a namespace not listed, or none); `NOT_ELEMENT`
/// marks the other nodes; `UNKNOWN` is what a query for an unlisted namespace gets (it matches
/// nothing, so a lookup can never confuse two unlisted namespaces).
const NOT_ELEMENT: u8 = 0;
const UNKNOWN: u8 = u8::MAX;

/// The number a query for `uri` compares with (constant-folded for the `NS_*` constants).
#[inline(always)]
fn query(uri: &str) -> u8 {
    known_namespace(uri).unwrap_or(UNKNOWN)
}

/// The namespace number of a step prefix (`cac`, `cbc`, `ext`; none is the Invoice namespace).
#[inline]
fn prefix_number(prefix: &str) -> u8 {
    match prefix {
        "cac" => 2,
        "cbc" => 3,
        "ext" => 4,
        _ => 5,
    }
}

/// One node: element name and links (0 = none; node 0 is the document, never a child).
#[derive(Clone, Copy)]
struct Rec<'i> {
    local: &'i str,
    ns: u8,
    /// Inside an `ext:UBLExtensions` (or one itself): left out of [`Index::elements`].
    hidden: bool,
    first: u32,
    next: u32,
    /// The next sibling element with another name (0 = none): a lookup by name hops over a
    /// run of same-named siblings at once — the 500 `cac:InvoiceLine`s between the root's
    /// header elements and what a rule looks for after them.
    skip: u32,
    /// The last child element seen while building.
    last: u32,
    /// The first of the children in the current run of same-named children, while building.
    run: u32,
}

const EMPTY: Rec<'static> =
    Rec { local: "", ns: NOT_ELEMENT, hidden: false, first: 0, next: 0, skip: 0, last: 0, run: 0 };

/// Declares [`Anywhere`] from one list of names: the enum, their count, their names for the tests
/// and the lookup by name the index is built with.
macro_rules! anywhere_names {
    ($($name:ident in $ns:literal,)*) => {
        /// Element names the rules look for anywhere in the document (`//cac:AllowanceCharge`).
        /// Their elements are listed while the index is built, so such a query reads its own few
        /// elements instead of scanning all of them (a dozen scans of every element per
        /// document, before).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Anywhere {
            $($name,)*
        }

        impl Anywhere {
            const COUNT: usize = [$(Anywhere::$name,)*].len();

            /// Each name with its namespace number (2 cac, 3 cbc) and local name.
            #[cfg(test)]
            const ALL: [(Anywhere, u8, &'static str); Anywhere::COUNT] =
                [$((Anywhere::$name, $ns, stringify!($name)),)*];

            /// Which of these an element `{ns}local` is (`ns` its namespace number).
            #[inline]
            fn of(ns: u8, local: &str) -> Option<Anywhere> {
                match (ns, local) {
                    $(($ns, stringify!($name)) => Some(Anywhere::$name),)*
                    _ => None,
                }
            }
        }
    };
}

// Namespace numbers: 2 cac, 3 cbc ([`crate::xml::known_namespace`]).
anywhere_names! {
    AllowanceCharge in 2,
    BillingReference in 2,
    ClassifiedTaxCategory in 2,
    DocumentCurrencyCode in 3,
    IdentificationCode in 3,
    InvoiceLine in 2,
    LegalMonetaryTotal in 2,
    PaymentMeans in 2,
    Percent in 3,
    TaxCategory in 2,
    TaxCurrencyCode in 3,
    TaxExemptionReasonCode in 3,
}

pub(crate) struct Index<'a, 'i> {
    doc: &'a Document<'i>,
    recs: Vec<Rec<'i>>,
    /// By node id: the string value of an element whose content is one text node or nothing
    /// (the leaves the rules read: amounts, codes, names); `None` for any other node. Read
    /// here, the rules touch this compact table, not the tree's nodes: on a 500-line document
    /// that saves most of the cache misses of reading values.
    values: Vec<Option<&'a str>>,
    /// Every element outside `ext:UBLExtensions`, in document order.
    pub elements: Vec<Node<'a, 'i>>,
    /// The ids of [`Self::elements`] of each [`Anywhere`] name, in document order.
    anywhere: [Vec<u32>; Anywhere::COUNT],
}

impl<'a, 'i> Index<'a, 'i> {
    pub(crate) fn new(doc: &'a Document<'i>) -> Self {
        let mut recs: Vec<Rec<'i>> = Vec::with_capacity(doc.len());
        let mut values = vec![None; doc.len()];
        let mut elements = Vec::with_capacity(512);
        let mut anywhere: [Vec<u32>; Anywhere::COUNT] = Default::default();
        for node in doc.descendants() {
            let id = node.index();
            if id >= recs.len() {
                recs.resize(id + 1, EMPTY);
            }
            if !node.is_element() {
                continue;
            }
            values[id] = match node.first_child() {
                None => Some(""),
                Some(only) if only.is_text() && only.next_sibling().is_none() => only.text(),
                Some(_) => None,
            };
            let name = node.tag_name();
            let ns = node.ns_number();
            let parent = node.parent().map(|p| p.index()).unwrap_or(0);
            let hidden = recs[parent].hidden || (ns == 4 && name.name() == "UBLExtensions");
            recs[id] = Rec { local: name.name(), ns, hidden, ..EMPTY };
            let last = recs[parent].last as usize;
            if last == 0 {
                recs[parent].first = id as u32;
                recs[parent].run = id as u32;
            } else {
                recs[last].next = id as u32;
                if recs[last].ns != ns || recs[last].local != name.name() {
                    // The run of the previous name ends here: each of it skips to this one.
                    let mut member = recs[parent].run as usize;
                    while member != 0 {
                        recs[member].skip = id as u32;
                        member = if member == last { 0 } else { recs[member].next as usize };
                    }
                    recs[parent].run = id as u32;
                }
            }
            recs[parent].last = id as u32;
            // The document node's children (the root element) are not "elements" of a rule.
            if parent == 0 || !hidden {
                elements.push(node);
                if let Some(name) = Anywhere::of(ns, name.name()) {
                    anywhere[name as usize].push(id as u32);
                }
            }
        }
        Index { doc, recs, values, elements, anywhere }
    }

    /// The elements named `name` anywhere in [`Self::elements`], in document order: what
    /// filtering those by name gives.
    pub(crate) fn anywhere(&self, name: Anywhere) -> impl Iterator<Item = Node<'a, 'i>> + '_ {
        self.anywhere[name as usize].iter().map(|&id| self.node(id))
    }

    /// XPath `string(n)` ([`super::xpath::sv`]), from the table of leaf values when it can.
    #[inline]
    pub(crate) fn sv(&self, n: Node<'a, 'i>) -> std::borrow::Cow<'a, str> {
        match self.values.get(n.index()) {
            Some(Some(value)) => std::borrow::Cow::Borrowed(value),
            _ => super::xpath::sv(n),
        }
    }

    fn node(&self, id: u32) -> Node<'a, 'i> {
        self.doc.get_node(id as usize).expect("an id of this document")
    }

    fn rec(&self, node: Node<'_, '_>) -> &Rec<'i> {
        &self.recs[node.index()]
    }

    /// Whether `node` is the element `{ns}local`.
    #[inline]
    pub(crate) fn is(&self, node: Node<'_, '_>, ns: &str, local: &str) -> bool {
        let r = self.rec(node);
        r.ns == query(ns) && r.local == local
    }

    /// Whether `node` is an element of namespace `ns`.
    #[inline]
    pub(crate) fn in_ns(&self, node: Node<'_, '_>, ns: &str) -> bool {
        self.rec(node).ns == query(ns)
    }

    /// The local name of an element ("" for other nodes).
    #[inline]
    pub(crate) fn local(&self, node: Node<'_, '_>) -> &'i str {
        self.rec(node).local
    }

    /// The first child element `{ns}local` of `node`.
    #[inline]
    pub(crate) fn child(&self, node: Node<'a, 'i>, ns: &str, local: &str) -> Option<Node<'a, 'i>> {
        self.child_id(self.rec(node).first, query(ns), local).map(|id| self.node(id))
    }

    /// The first of `id` and its following siblings named `{ns}local`.
    fn child_id(&self, mut id: u32, ns: u8, local: &str) -> Option<u32> {
        while id != 0 {
            let r = &self.recs[id as usize];
            if r.ns == ns && r.local.len() == local.len() && r.local == local {
                return Some(id);
            }
            // The rest of this run has this one's name, not the one sought.
            id = r.skip;
        }
        None
    }

    /// The child elements `{ns}local` of `node`, in order.
    pub(crate) fn children<'s>(
        &'s self,
        node: Node<'a, 'i>,
        ns: &str,
        local: &'s str,
    ) -> impl Iterator<Item = Node<'a, 'i>> + 's {
        let ns = query(ns);
        let mut id = self.rec(node).first;
        std::iter::from_fn(move || {
            let found = self.child_id(id, ns, local)?;
            id = self.recs[found as usize].next;
            Some(self.node(found))
        })
    }

    /// Follows `steps` of `cac:`/`cbc:` names ("cac:Party/cbc:Name" style) through first
    /// children.
    pub(crate) fn at(&self, node: Node<'a, 'i>, steps: &str) -> Option<Node<'a, 'i>> {
        let mut id = node.index() as u32;
        let mut rest = steps;
        loop {
            let (step, more) = match rest.as_bytes().iter().position(|&b| b == b'/') {
                Some(slash) => (&rest[..slash], Some(&rest[slash + 1..])),
                None => (rest, None),
            };
            let (ns, local) = match step.as_bytes() {
                [b'c', b'a', b'c', b':', ..] => (2, &step[4..]),
                [b'c', b'b', b'c', b':', ..] => (3, &step[4..]),
                _ => match step.split_once(':') {
                    Some((prefix, local)) => (prefix_number(prefix), local),
                    None => (prefix_number(""), step),
                },
            };
            id = self.child_id(self.recs[id as usize].first, ns, local)?;
            match more {
                Some(m) => rest = m,
                None => return Some(self.node(id)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lookups by name across runs of same-named siblings (the skip links) find every match, in
    /// order, and nothing else; the leaf values table reads what `string()` reads.
    #[test]
    fn lookups_hop_over_runs_and_find_every_match() {
        const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
        let xml = format!(
            "<r xmlns:cbc=\"{CBC}\"><cbc:A>1</cbc:A><cbc:A>2</cbc:A><cbc:B>x</cbc:B><cbc:A>3</cbc:A>\
             <cbc:C/><cbc:C>y</cbc:C><cbc:A>4<!--c--></cbc:A><cbc:D>z</cbc:D></r>"
        );
        let doc = crate::xml::parse(xml.as_bytes()).unwrap();
        let ix = Index::new(&doc);
        let root = doc.root_element();
        let values =
            |local: &str| ix.children(root, CBC, local).map(|n| ix.sv(n).into_owned()).collect::<Vec<_>>();
        assert_eq!(values("A"), ["1", "2", "3", "4"]);
        assert_eq!(values("B"), ["x"]);
        assert_eq!(values("C"), ["", "y"]);
        assert_eq!(values("D"), ["z"]);
        assert!(values("E").is_empty());
        assert_eq!(ix.child(root, CBC, "D").map(|n| ix.sv(n).into_owned()).as_deref(), Some("z"));
        // Another namespace with the same local name matches nothing.
        assert!(ix.child(root, "urn:other", "A").is_none());
    }

    /// The lists of names looked for anywhere hold exactly what scanning the rules' elements
    /// finds: nested at any depth, in document order, none inside `ext:UBLExtensions`, none of
    /// another namespace.
    #[test]
    fn names_anywhere_are_what_a_scan_of_the_elements_finds() {
        use crate::xml::{NS_CAC, NS_CBC, NS_EXT, NS_INVOICE};
        let mut body = String::new();
        for (_, ns, local) in Anywhere::ALL {
            let prefix = if ns == 2 { "cac" } else { "cbc" };
            let other = if ns == 2 { "cbc" } else { "cac" };
            body.push_str(&format!(
                "<{prefix}:{local}>1</{prefix}:{local}><cac:Wrap><{prefix}:{local}>2</{prefix}:{local}>\
                 <{other}:{local}>x</{other}:{local}></cac:Wrap>\
                 <ext:UBLExtensions><{prefix}:{local}>hidden</{prefix}:{local}></ext:UBLExtensions>"
            ));
        }
        let xml = format!(
            "<Invoice xmlns=\"{NS_INVOICE}\" xmlns:cac=\"{NS_CAC}\" xmlns:cbc=\"{NS_CBC}\" \
             xmlns:ext=\"{NS_EXT}\">{body}</Invoice>"
        );
        let doc = crate::xml::parse(xml.as_bytes()).unwrap();
        let ix = Index::new(&doc);
        for (name, ns, local) in Anywhere::ALL {
            let ns = if ns == 2 { NS_CAC } else { NS_CBC };
            let listed: Vec<usize> = ix.anywhere(name).map(|n| n.index()).collect();
            let scanned: Vec<usize> =
                ix.elements.iter().filter(|n| ix.is(**n, ns, local)).map(|n| n.index()).collect();
            assert_eq!(listed, scanned, "{local}");
            assert_eq!(listed.len(), 2, "{local}: the top one and the nested one");
        }
    }
}
