//! The shapes of the generated schema tables (`schema_tables.rs`, written by `schema_gen.py`
//! from the UBL 2.1 XSDs): plain `'static` data, indexed by small integers, so that the walk in
//! `schema.rs` allocates nothing per element.

/// `maxOccurs="unbounded"` in a [`P`] particle.
pub(crate) const UNBOUNDED: u8 = 255;

/// An element declaration: namespace index (into `NAMESPACES`), local name, type index.
pub(crate) struct Decl(pub u8, pub &'static str, pub u16);

/// An element particle of a flat sequence: declaration index, minOccurs, maxOccurs.
pub(crate) struct P(pub u16, pub u8, pub u8);

/// An attribute declaration (all attributes of these schemas are unqualified): name, required,
/// simple type index.
pub(crate) struct A(pub &'static str, pub bool, pub u16);

/// A complex type (or a simple type used as an element type, as simple content without
/// attributes).
pub(crate) struct Type {
    /// Sorted by name.
    pub attrs: &'static [A],
    /// `xs:anyAttribute`, if the type has one.
    pub any_attr: Option<Wild>,
    pub content: Content,
}

pub(crate) enum Content {
    /// Text of a simple type (index into `SIMPLE`); no child elements.
    Simple(u16),
    /// `xs:anyType`: any attributes, text and children (children assessed laxly).
    Any,
    /// A sequence of element particles with distinct names: valid iff every child is one of
    /// them, the children follow the particle order and each count is within its bounds.
    Seq { mixed: bool, particles: &'static [P] },
    /// Any other content model, as a deterministic automaton starting at `STATES[start]`.
    Dfa { mixed: bool, start: u16 },
}

/// One automaton state: whether the content may end here, and the transitions (named elements
/// before wildcards).
pub(crate) struct State {
    pub accept: bool,
    pub edges: &'static [Edge],
}

pub(crate) enum Edge {
    /// Child element matching declaration `.0` goes to state `.1`.
    Elem(u16, u16),
    /// Child element matching the wildcard goes to state `.1`.
    Any(Wild, u16),
}

/// An `xs:any` / `xs:anyAttribute` wildcard.
#[derive(Clone, Copy)]
pub(crate) struct Wild {
    pub ns: NsRule,
    pub process: Process,
}

#[derive(Clone, Copy)]
pub(crate) enum NsRule {
    /// `##any`.
    Any,
    /// `##other`: any namespace but this one (an index into `NAMESPACES`) and no namespace.
    Other(u8),
}

/// `processContents`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Process {
    /// A global declaration must exist and is validated.
    Strict,
    /// Validated if a global declaration exists, otherwise its content is assessed laxly.
    /// (`skip` does not occur in these schemas.)
    Lax,
}

/// A simple type: a built-in base and, if the schema restricts it, an enumeration.
pub(crate) struct Simple {
    pub base: Builtin,
    pub enums: &'static [&'static str],
}

/// The XSD built-in types these schemas use.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Builtin {
    String,
    NormalizedString,
    Decimal,
    Integer,
    Boolean,
    Date,
    Time,
    DateTime,
    Base64Binary,
    AnyUri,
    Language,
    Id,
}
