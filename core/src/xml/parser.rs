//! A well-formedness-checking XML 1.0 + Namespaces parser that builds a [`Document`] in one pass.
//!
//! Why our own: parsing was half of every validation and a third of every hash (roxmltree walks
//! the input a character at a time). This one jumps between markup with `memchr`, checks the
//! characters of the whole input in one vectorisable pass, borrows every name and almost every
//! value from the input, and records what the rules need (namespace numbers, subtree ends) as it
//! goes. What it accepts and the tree it builds match roxmltree's, which the tests compare on
//! every sample and on mutated documents; no DTD is accepted, so no entity but the five
//! predefined ones and character references exists.

use super::tree::{AttributeData, Document, NO_URI, NONE, NodeData, NodeType, RAW_TEXT};
use super::{NS_XML, NS_XMLNS, known_namespace};
use memchr::{memchr, memchr2, memmem};
use std::borrow::Cow;

/// Why the input is not a document we accept, with where.
#[derive(Debug)]
pub(super) struct ParseError {
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Limits on what one document may hold.
pub(super) struct Limits {
    /// Deepest element nesting (the root element is at depth 1).
    pub max_depth: usize,
    pub max_nodes: usize,
}

/// Parses `text` (a byte-order mark already removed).
pub(super) fn parse<'i>(text: &'i str, limits: &Limits) -> Result<Document<'i>, ParseError> {
    let mut parser = Parser::new(text, limits);
    match parser.document() {
        Ok(()) => Ok(parser.finish()),
        Err(Failure { message, at }) => {
            let (line, column) = position(text, at.min(text.len()));
            Err(ParseError { message: format!("{message} at {line}:{column}") })
        }
    }
}

struct Failure {
    message: Cow<'static, str>,
    at: usize,
}

type Step<T = ()> = Result<T, Failure>;

fn fail<T>(message: impl Into<Cow<'static, str>>, at: usize) -> Step<T> {
    Err(Failure { message: message.into(), at })
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, column)
}

struct Open<'i> {
    id: u32,
    qname: &'i str,
}

struct PendingAttribute<'i> {
    prefix: &'i str,
    local: &'i str,
    qname: (u32, u32),
    value: Cow<'i, str>,
}

struct Parser<'i, 'l> {
    text: &'i str,
    b: &'i [u8],
    pos: usize,
    limits: &'l Limits,
    doc: Document<'i>,
    open: Vec<Open<'i>>,
    /// The text node that the next text or CDATA section extends (none after other markup).
    merging: Option<u32>,
    pending: Vec<PendingAttribute<'i>>,
    /// [`known_namespace`] of each URI slot.
    uri_numbers: Vec<u8>,
}

#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_name_start(c: char) -> bool {
    match c as u32 {
        0..=127 => c.is_ascii_alphabetic() || c == '_' || c == ':',
        0xC0..=0xD6
        | 0xD8..=0xF6
        | 0xF8..=0x2FF
        | 0x370..=0x37D
        | 0x37F..=0x1FFF
        | 0x200C..=0x200D
        | 0x2070..=0x218F
        | 0x2C00..=0x2FEF
        | 0x3001..=0xD7FF
        | 0xF900..=0xFDCF
        | 0xFDF0..=0xFFFD
        | 0x10000..=0xEFFFF => true,
        _ => false,
    }
}

fn is_name_char(c: char) -> bool {
    match c as u32 {
        0..=127 => c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'),
        0xB7 | 0x300..=0x36F | 0x203F..=0x2040 => true,
        _ => is_name_start(c),
    }
}

/// ASCII bytes that may appear in an NCName (letters, digits, `_`, `-`, `.`).
static ASCII_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
        b += 1;
    }
    table
};

/// Whether a name part starts with a name start character (not a colon: the caller split there).
#[inline(always)]
fn starts_well(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(&b) if b < 128 => b.is_ascii_alphabetic() || b == b'_',
        Some(_) => s.chars().next().is_some_and(is_name_start),
        None => false,
    }
}

/// The high bit of each byte of `word` that equals `byte`, exact for the lowest such byte (a
/// borrow can flag a byte above a true match, never below one).
#[inline(always)]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

fn is_xml_char(c: char) -> bool {
    let n = c as u32;
    if n < 0x20 { matches!(c, '\t' | '\n' | '\r') } else { n != 0xFFFE && n != 0xFFFF }
}

/// The offset of the first character XML does not allow (C0 controls other than tab, line feed
/// and carriage return; U+FFFE and U+FFFF), if any. Branch-free over chunks, so it vectorises.
fn first_non_xml_char(b: &[u8]) -> Option<usize> {
    const CHUNK: usize = 64;
    for (n, chunk) in b.chunks(CHUNK).enumerate() {
        let bad = chunk.iter().fold(0u8, |acc, &c| {
            let control = (c < 0x20) as u8;
            let space = ((c == b'\t') | (c == b'\n') | (c == b'\r')) as u8;
            acc | (control & !space)
        });
        if bad != 0 {
            let i = chunk.iter().position(|&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r'));
            return i.map(|i| n * CHUNK + i);
        }
    }
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
    memchr::memchr_iter(0xEF, b)
        .find(|&i| b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
}

impl<'i, 'l> Parser<'i, 'l> {
    fn new(text: &'i str, limits: &'l Limits) -> Self {
        // Each element has one or two tags and at most a text node per tag: nodes ≤ 1.5 × tags.
        let guess = memchr::memchr_iter(b'<', text.as_bytes()).count() * 3 / 2 + 2;
        let mut nodes = Vec::with_capacity(guess);
        nodes.push(NodeData { range: (0, text.len() as u32), ..NodeData::blank(NodeType::Root) });
        Parser {
            text,
            b: text.as_bytes(),
            pos: 0,
            limits,
            doc: Document {
                text,
                nodes,
                attributes: Vec::with_capacity(guess / 4),
                uris: Vec::new(),
                scopes: Vec::new(),
                texts: {
                    let mut texts = Vec::with_capacity(guess / 2);
                    texts.push(Cow::Borrowed(""));
                    texts
                },
            },
            open: Vec::with_capacity(16),
            merging: None,
            pending: Vec::new(),
            uri_numbers: Vec::new(),
        }
    }

    fn finish(mut self) -> Document<'i> {
        self.doc.nodes[0].end = self.doc.nodes.len() as u32;
        self.doc
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.b[self.pos..].starts_with(s)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) -> bool {
        let start = self.pos;
        while self.pos < self.b.len() && is_space(self.b[self.pos]) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn expect(&mut self, s: &'static str) -> Step {
        if self.starts_with(s.as_bytes()) {
            self.pos += s.len();
            Ok(())
        } else if self.pos >= self.b.len() {
            fail("unexpected end of document", self.pos)
        } else {
            fail(format!("expected '{s}'"), self.pos)
        }
    }

    fn document(&mut self) -> Step {
        if let Some(at) = first_non_xml_char(self.b) {
            let c = self.text[at..].chars().next().unwrap_or('\0');
            return fail(format!("a non-XML character {c:?} was found"), at);
        }
        if self.starts_with(b"<?xml ") {
            self.declaration()?;
        }
        self.misc()?;
        if self.starts_with(b"<!DOCTYPE") {
            return fail("XML with DTD detected", self.pos);
        }
        if self.peek() != Some(b'<') {
            return fail("the document has no root element", self.pos);
        }
        self.content()?;
        self.misc()?;
        if self.pos < self.b.len() {
            return fail("unexpected data after the root element", self.pos);
        }
        Ok(())
    }

    /// `<?xml version=… encoding=… standalone=…?>`, as roxmltree reads it.
    fn declaration(&mut self) -> Step {
        self.pos += 5;
        let spaces = |p: &mut Self| -> Step {
            if !p.skip_spaces() && !p.starts_with(b"?>") && p.pos < p.b.len() {
                return fail("expected a whitespace", p.pos);
            }
            Ok(())
        };
        spaces(self)?;
        if !self.starts_with(b"version") {
            return self.expect("version");
        }
        self.declaration_attribute()?;
        spaces(self)?;
        if self.starts_with(b"encoding") {
            self.declaration_attribute()?;
            spaces(self)?;
        }
        if self.starts_with(b"standalone") {
            self.declaration_attribute()?;
        }
        self.skip_spaces();
        self.expect("?>")
    }

    fn declaration_attribute(&mut self) -> Step {
        self.qname()?;
        self.skip_spaces();
        self.expect("=")?;
        self.skip_spaces();
        let quote = match self.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return fail("expected a quote", self.pos),
        };
        self.pos += 1;
        match memchr2(quote, b'<', &self.b[self.pos..]) {
            Some(n) if self.b[self.pos + n] == quote => {
                self.pos += n + 1;
                Ok(())
            }
            Some(n) => fail("'<' is not allowed in a value", self.pos + n),
            None => fail("unexpected end of document", self.b.len()),
        }
    }

    /// Comments, PIs and whitespace outside the root element.
    fn misc(&mut self) -> Step {
        loop {
            self.skip_spaces();
            if self.starts_with(b"<!--") {
                self.comment()?;
            } else if self.starts_with(b"<?") {
                self.pi()?;
            } else {
                return Ok(());
            }
        }
    }

    /// A QName: returns (prefix, local), prefix "" when there is none.
    fn qname(&mut self) -> Step<(&'i str, &'i str)> {
        let start = self.pos;
        let mut colon = None;
        loop {
            // ASCII name characters by table, the rest (a colon, non-ASCII, the end) below.
            while self.pos < self.b.len() && ASCII_NAME[self.b[self.pos] as usize] {
                self.pos += 1;
            }
            match self.b.get(self.pos) {
                // A QName has at most one colon, never first (`<:a>` is a Name, not a QName).
                Some(b':') if colon.is_none() && self.pos > start => {
                    colon = Some(self.pos);
                    self.pos += 1;
                }
                Some(b':') => return fail("invalid name", start),
                Some(&b) if b >= 128 => match self.text[self.pos..].chars().next() {
                    Some(c) if is_name_char(c) => self.pos += c.len_utf8(),
                    _ => break,
                },
                _ => break,
            }
        }
        let (prefix, local) = match colon {
            Some(c) => (&self.text[start..c], &self.text[c + 1..self.pos]),
            None => ("", &self.text[start..self.pos]),
        };
        if (!prefix.is_empty() && !starts_well(prefix)) || !starts_well(local) {
            return fail("invalid name", start);
        }
        Ok((prefix, local))
    }

    /// A Name (for PI targets): a name start character, then name characters.
    fn name(&mut self) -> Step<&'i str> {
        let start = self.pos;
        let mut chars = self.text[self.pos..].char_indices();
        match chars.next() {
            Some((_, c)) if is_name_start(c) => {}
            _ => return fail("invalid name", start),
        }
        let len = chars.find(|&(_, c)| !is_name_char(c)).map_or(self.b.len() - start, |(i, _)| i);
        self.pos = start + len;
        Ok(&self.text[start..self.pos])
    }

    fn append(&mut self, mut node: NodeData<'i>) -> Step<u32> {
        let id = self.doc.nodes.len();
        if id >= self.limits.max_nodes {
            return fail("the document has too many nodes", self.pos);
        }
        let id = id as u32;
        let parent = self.open.last().map_or(0, |o| o.id);
        node.parent = parent;
        let last = self.doc.nodes[parent as usize].last;
        node.prev = last;
        if last == NONE {
            self.doc.nodes[parent as usize].first = id;
        } else {
            self.doc.nodes[last as usize].next = id;
        }
        self.doc.nodes[parent as usize].last = id;
        node.end = id + 1;
        self.doc.nodes.push(node);
        Ok(id)
    }

    fn leaf(
        &mut self,
        kind: NodeType,
        range: (usize, usize),
        name: &'i str,
        text: Cow<'i, str>,
    ) -> NodeData<'i> {
        let as_written = kind == NodeType::Text
            && matches!(&text, Cow::Borrowed(t) if std::ptr::eq(*t, &self.text[range.0..range.1]));
        let text = if as_written {
            RAW_TEXT
        } else {
            self.doc.texts.push(text);
            (self.doc.texts.len() - 1) as u32
        };
        NodeData { range: (range.0 as u32, range.1 as u32), name, text, ..NodeData::blank(kind) }
    }

    fn comment(&mut self) -> Step {
        let start = self.pos;
        self.pos += 4;
        let Some(n) = memmem::find(&self.b[self.pos..], b"-->") else {
            return fail("unterminated comment", start);
        };
        let body = &self.text[self.pos..self.pos + n];
        if body.contains("--") || body.ends_with('-') {
            return fail("'--' is not allowed inside a comment", start);
        }
        self.pos += n + 3;
        self.merging = None;
        let node = self.leaf(NodeType::Comment, (start, self.pos), "", Cow::Borrowed(body));
        self.append(node).map(|_| ())
    }

    fn pi(&mut self) -> Step {
        let start = self.pos;
        if self.starts_with(b"<?xml ") {
            return fail("the XML declaration is only allowed at the start", start);
        }
        self.pos += 2;
        let target = self.name()?;
        self.skip_spaces();
        let Some(n) = memmem::find(&self.b[self.pos..], b"?>") else {
            return fail("unterminated processing instruction", start);
        };
        let value = &self.text[self.pos..self.pos + n];
        self.pos += n + 2;
        self.merging = None;
        let node = self.leaf(NodeType::PI, (start, self.pos), target, Cow::Borrowed(value));
        self.append(node).map(|_| ())
    }

    /// The root element and everything in it, iteratively.
    fn content(&mut self) -> Step {
        self.start_tag()?;
        while !self.open.is_empty() {
            let (n, special) = self.next_markup()?;
            if n > 0 {
                self.text_run(self.pos, self.pos + n, special)?;
                self.pos += n;
            }
            match self.b.get(self.pos + 1) {
                Some(b'/') => self.end_tag()?,
                Some(b'!') if self.starts_with(b"<!--") => self.comment()?,
                Some(b'!') if self.starts_with(b"<![CDATA[") => self.cdata()?,
                Some(b'!') => return fail("unknown markup", self.pos),
                Some(b'?') => self.pi()?,
                Some(_) => self.start_tag()?,
                None => return fail("unexpected end of document", self.pos),
            }
        }
        Ok(())
    }

    /// The distance to the next `<`, and whether the text before it holds `&`, CR or `>` (so it
    /// needs decoding or the `]]>` check; `true` is always safe, only slower). Most runs in an
    /// invoice are short (indentation, a value): those are read eight bytes at a time; long ones
    /// (base64) by `memchr`.
    #[inline]
    fn next_markup(&self) -> Step<(usize, bool)> {
        const SHORT: usize = 64;
        let rest = &self.b[self.pos..];
        let mut special = false;
        let mut i = 0;
        while i < SHORT && i + 8 <= rest.len() {
            let word = u64::from_le_bytes(rest[i..i + 8].try_into().expect("eight bytes"));
            let specials = bytes_equal(word, b'&') | bytes_equal(word, b'\r') | bytes_equal(word, b'>');
            let markup = bytes_equal(word, b'<');
            if markup != 0 {
                // The lowest flag is exact; a false flag only ever sits above a true one.
                let at = markup.trailing_zeros() as usize / 8;
                let before = (1u64 << (at * 8)) - 1;
                return Ok((i + at, special || specials & before != 0));
            }
            special |= specials != 0;
            i += 8;
        }
        match memchr(b'<', &rest[i..]) {
            Some(n) => Ok((i + n, true)),
            None => fail("the root element is not closed", self.b.len()),
        }
    }

    fn text_run(&mut self, start: usize, end: usize, special: bool) -> Step {
        let raw = &self.text[start..end];
        if !special {
            return self.push_text(Cow::Borrowed(raw), start, end);
        }
        if memchr(b'>', raw.as_bytes()).is_some() && raw.contains("]]>") {
            return fail("']]>' is not allowed in text", start);
        }
        let text = if memchr2(b'&', b'\r', raw.as_bytes()).is_none() {
            Cow::Borrowed(raw)
        } else {
            Cow::Owned(self.decode(start, end, false)?)
        };
        self.push_text(text, start, end)
    }

    fn cdata(&mut self) -> Step {
        let start = self.pos;
        let from = start + 9;
        let Some(n) = memmem::find(&self.b[from..], b"]]>") else {
            return fail("unterminated CDATA section", start);
        };
        let raw = &self.text[from..from + n];
        self.pos = from + n + 3;
        let text = if memchr(b'\r', raw.as_bytes()).is_none() {
            Cow::Borrowed(raw)
        } else {
            let mut s = String::with_capacity(raw.len());
            push_normalized_text(&mut s, raw);
            Cow::Owned(s)
        };
        self.push_text(text, start, self.pos)
    }

    /// Adds text to the current text node (adjacent text and CDATA make one node) or starts one.
    fn push_text(&mut self, text: Cow<'i, str>, start: usize, end: usize) -> Step {
        if let Some(id) = self.merging {
            let node = &mut self.doc.nodes[id as usize];
            if node.text == RAW_TEXT {
                let written = &self.text[node.range.0 as usize..node.range.1 as usize];
                self.doc.texts.push(Cow::Owned(written.to_owned()));
                node.text = (self.doc.texts.len() - 1) as u32;
            }
            node.range.1 = end as u32;
            self.doc.texts[node.text as usize].to_mut().push_str(&text);
            return Ok(());
        }
        let node = self.leaf(NodeType::Text, (start, end), "", text);
        self.merging = Some(self.append(node)?);
        Ok(())
    }

    /// Decodes references and normalises line ends (text) or whitespace (attribute values).
    fn decode(&self, start: usize, end: usize, attribute: bool) -> Step<String> {
        let mut out = String::with_capacity(end - start);
        let mut at = start;
        while at < end {
            let raw_end = memchr(b'&', &self.b[at..end]).map_or(end, |n| at + n);
            let raw = &self.text[at..raw_end];
            if attribute {
                push_normalized_attribute(&mut out, raw);
            } else {
                push_normalized_text(&mut out, raw);
            }
            if raw_end == end {
                break;
            }
            let (c, next) = self.reference(raw_end, end)?;
            out.push(c);
            at = next;
        }
        Ok(out)
    }

    /// A character or predefined entity reference at `at` (which holds `&`).
    fn reference(&self, at: usize, end: usize) -> Step<(char, usize)> {
        let Some(semi) = memchr(b';', &self.b[at..end]).map(|n| at + n) else {
            return fail("malformed entity reference", at);
        };
        let body = &self.text[at + 1..semi];
        let c = if let Some(number) = body.strip_prefix('#') {
            let (digits, radix) = match number.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            let valid = !digits.is_empty() && digits.bytes().all(|b| (b as char).is_digit(radix));
            match (valid, u32::from_str_radix(digits, radix).ok().and_then(char::from_u32)) {
                (true, Some(c)) if is_xml_char(c) => c,
                _ => return fail("malformed entity reference", at),
            }
        } else {
            match body {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "apos" => '\'',
                "quot" => '"',
                _ if !body.is_empty() && body.chars().all(is_name_char) => {
                    return fail(format!("unknown entity reference '{body}'"), at);
                }
                _ => return fail("malformed entity reference", at),
            }
        };
        Ok((c, semi + 1))
    }

    fn start_tag(&mut self) -> Step {
        let start = self.pos;
        self.pos += 1;
        let (prefix, local) = self.qname()?;
        if prefix == "xmlns" {
            return fail("an element name may not have the prefix 'xmlns'", start + 1);
        }
        if prefix.len() > usize::from(u16::MAX) {
            return fail("the element's prefix is too long", start + 1);
        }
        let qname = &self.text[start + 1..self.pos];
        self.pending.clear();
        let empty = loop {
            let spaced = self.skip_spaces();
            match self.peek() {
                Some(b'/') => {
                    self.pos += 1;
                    self.expect(">")?;
                    break true;
                }
                Some(b'>') => {
                    self.pos += 1;
                    break false;
                }
                None => return fail("unexpected end of document", self.pos),
                Some(_) if !spaced => return fail("expected a whitespace", self.pos),
                Some(_) => self.attribute()?,
            }
        };
        self.merging = None;
        let parent_scope = self.open.last().map_or((0, 0), |o| self.doc.nodes[o.id as usize].scope);
        let scope = self.declare_namespaces(parent_scope)?;
        let uri = self.resolve(scope, prefix, start + 1)?.unwrap_or(NO_URI);
        let attributes = self.resolve_attributes(scope)?;
        let ns = if uri == NO_URI { 1 } else { self.uri_numbers[uri as usize] };
        let node = NodeData {
            ns,
            uri,
            range: (start as u32, self.pos as u32),
            name: local,
            prefix_len: prefix.len() as u16,
            attributes,
            scope,
            ..NodeData::blank(NodeType::Element)
        };
        if self.open.len() >= self.limits.max_depth {
            return fail(format!("elements are nested deeper than {} levels", self.limits.max_depth), start);
        }
        let id = self.append(node)?;
        if !empty {
            self.open.push(Open { id, qname });
        }
        Ok(())
    }

    fn attribute(&mut self) -> Step {
        let start = self.pos;
        let (prefix, local) = self.qname()?;
        let qname = (start as u32, self.pos as u32);
        self.skip_spaces();
        self.expect("=")?;
        self.skip_spaces();
        let quote = match self.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return fail("expected a quote", self.pos),
        };
        let from = self.pos + 1;
        let to = match memchr2(quote, b'<', &self.b[from..]) {
            Some(n) if self.b[from + n] == quote => from + n,
            Some(n) => return fail("'<' is not allowed in an attribute value", from + n),
            None => return fail("unexpected end of document", self.b.len()),
        };
        self.pos = to + 1;
        let raw = &self.text[from..to];
        let value = if raw.bytes().any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r')) {
            Cow::Owned(self.decode(from, to, true)?)
        } else {
            Cow::Borrowed(raw)
        };
        self.pending.push(PendingAttribute { prefix, local, qname, value });
        Ok(())
    }

    fn intern(&mut self, uri: Cow<'i, str>) -> u16 {
        match self.doc.uris.iter().position(|u| *u == uri) {
            Some(i) => i as u16,
            None => {
                self.uri_numbers.push(known_namespace(&uri).unwrap_or(1));
                self.doc.uris.push(uri);
                (self.doc.uris.len() - 1) as u16
            }
        }
    }

    /// The element's in-scope namespaces: its parent's, or a new range when it declares some.
    fn declare_namespaces(&mut self, parent: (u32, u32)) -> Step<(u32, u32)> {
        if self.pending.is_empty() {
            return Ok(parent);
        }
        let first_new = self.doc.scopes.len();
        for i in 0..self.pending.len() {
            let a = &self.pending[i];
            let prefix = match (a.prefix, a.local) {
                ("xmlns", local) => local,
                ("", "xmlns") => "",
                _ => continue,
            };
            let at = a.qname.0 as usize;
            let value = a.value.clone();
            if value == NS_XMLNS {
                return fail("the xmlns namespace may not be declared", at);
            }
            if prefix == "xml" {
                if value != NS_XML {
                    return fail("the prefix 'xml' may only be bound to its own namespace", at);
                }
                continue;
            }
            if prefix == "xmlns" {
                return fail("the prefix 'xmlns' may not be declared", at);
            }
            if value == NS_XML {
                return fail("the xml namespace may only be bound to the prefix 'xml'", at);
            }
            if self.doc.scopes[first_new..].iter().any(|(p, _)| *p == prefix) {
                return fail(format!("namespace '{prefix}' is declared twice"), at);
            }
            let slot = self.intern(value);
            self.doc.scopes.push((prefix, slot));
        }
        if self.doc.scopes.len() == first_new {
            return Ok(parent);
        }
        let declared = first_new..self.doc.scopes.len();
        for i in parent.0 as usize..parent.1 as usize {
            let inherited = self.doc.scopes[i];
            if !self.doc.scopes[declared.clone()].iter().any(|(p, _)| *p == inherited.0) {
                self.doc.scopes.push(inherited);
            }
        }
        Ok((first_new as u32, self.doc.scopes.len() as u32))
    }

    /// The URI slot bound to `prefix` ("" = the default namespace, `None` when there is none).
    /// An empty default (`xmlns=""`) resolves to the empty URI, as in roxmltree.
    fn resolve(&self, scope: (u32, u32), prefix: &str, at: usize) -> Step<Option<u16>> {
        let found = self.doc.scopes[scope.0 as usize..scope.1 as usize].iter().find(|(p, _)| *p == prefix);
        match found {
            Some(&(_, slot)) => Ok(Some(slot)),
            None if prefix.is_empty() => Ok(None),
            None => fail(format!("unknown namespace prefix '{prefix}'"), at),
        }
    }

    fn resolve_attributes(&mut self, scope: (u32, u32)) -> Step<(u32, u32)> {
        let first = self.doc.attributes.len();
        if self.pending.is_empty() {
            return Ok((first as u32, first as u32));
        }
        let mut pending = std::mem::take(&mut self.pending);
        for a in pending.drain(..) {
            if a.prefix == "xmlns" || (a.prefix.is_empty() && a.local == "xmlns") {
                continue;
            }
            let uri = match a.prefix {
                "" => NO_URI,
                "xml" => self.intern(Cow::Borrowed(NS_XML)),
                prefix => self.resolve(scope, prefix, a.qname.0 as usize)?.unwrap_or(NO_URI),
            };
            if self.doc.attributes[first..].iter().any(|b| b.uri == uri && b.name == a.local) {
                return fail(format!("attribute '{}' is duplicated", a.local), a.qname.0 as usize);
            }
            self.doc.attributes.push(AttributeData { uri, name: a.local, qname: a.qname, value: a.value });
        }
        self.pending = pending;
        Ok((first as u32, self.doc.attributes.len() as u32))
    }

    fn end_tag(&mut self) -> Step {
        let start = self.pos;
        self.pos += 2;
        let name_start = self.pos;
        let open = self.open.pop().expect("content() loops only while an element is open");
        let after = name_start + open.qname.len();
        if self.b[name_start..].starts_with(open.qname.as_bytes()) && self.b.get(after) == Some(&b'>') {
            // The open element's name and `>`, as nearly every end tag is: what the general path
            // below would read, without scanning the name again.
            self.pos = after + 1;
        } else {
            self.qname()?;
            let qname = &self.text[name_start..self.pos];
            self.skip_spaces();
            self.expect(">")?;
            if open.qname != qname {
                return fail(format!("expected '</{}>', found '</{qname}>'", open.qname), start);
            }
        }
        self.merging = None;
        let end = self.doc.nodes.len() as u32;
        let node = &mut self.doc.nodes[open.id as usize];
        node.range.1 = self.pos as u32;
        node.end = end;
        Ok(())
    }
}

/// Appends `raw` with line ends normalised (CR LF and lone CR become LF).
fn push_normalized_text(out: &mut String, raw: &str) {
    let mut rest = raw;
    while let Some(cr) = memchr(b'\r', rest.as_bytes()) {
        out.push_str(&rest[..cr]);
        out.push('\n');
        rest = &rest[cr + 1..];
        if rest.starts_with('\n') {
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
}

/// Appends `raw` after attribute-value normalisation: each line end, tab or line feed becomes
/// one space (CR LF counts once).
fn push_normalized_attribute(out: &mut String, raw: &str) {
    let mut bytes = raw.bytes().peekable();
    let mut start = 0;
    let mut i = 0;
    while let Some(b) = bytes.next() {
        if matches!(b, b'\t' | b'\n' | b'\r') {
            out.push_str(&raw[start..i]);
            out.push(' ');
            if b == b'\r' && bytes.peek() == Some(&b'\n') {
                bytes.next();
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    out.push_str(&raw[start..]);
}
