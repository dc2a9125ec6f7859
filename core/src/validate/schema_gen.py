#!/usr/bin/env python3
"""Generates core/src/validate/schema_tables.rs from the UBL 2.1 XSD set ZATCA ships.

Usage (from the repository root; Python 3 standard library only):

    python3 core/src/validate/schema_gen.py            # rewrite schema_tables.rs
    python3 core/src/validate/schema_gen.py --check    # exit 1 if the committed file differs

The test `validate::schema::tests::tables_match_the_generator` runs `--check`, so the committed
table cannot drift from the XSDs or from this script.

What it emits (the types are in schema_model.rs):
- every element declaration (global ones, plus the local ones of xmldsig/XAdES) with its type;
- every complex type reduced to what validation needs: its attributes (required or optional, with
  their simple type), an attribute wildcard if any, and its content: simple (a simple type), empty,
  any (xs:anyType), a flat sequence of element particles (all of UBL: checked by counting and
  ordering), or a deterministic automaton (Glushkov construction) for the models with choices,
  nested groups or wildcards (xmldsig, XAdES, ExtensionContent);
- simple types: the built-in base and the enumeration, the only facet these schemas use.
Structurally equal types are emitted once.
"""

import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
XSD_DIR = os.path.join(REPO, "tests/vectors/sdk-R3.4.8/Data/Schemas/xsds/UBL2.1/xsd")
ENTRY = os.path.join(XSD_DIR, "maindoc/UBL-Invoice-2.1.xsd")
OUT = os.path.join(HERE, "schema_tables.rs")

XS = "http://www.w3.org/2001/XMLSchema"
UNBOUNDED = 255

# Namespaces in the order of the NS table (index 0 = no namespace). The order puts the most
# frequent first, since the walker looks a namespace up linearly.
NAMESPACES = [
    "",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "http://www.w3.org/2000/09/xmldsig#",
    "http://uri.etsi.org/01903/v1.3.2#",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2",
    "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2",
    "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2",
    "http://uri.etsi.org/01903/v1.4.1#",
    "urn:oasis:names:specification:ubl:schema:xsd:UnqualifiedDataTypes-2",
    "urn:oasis:names:specification:ubl:schema:xsd:QualifiedDataTypes-2",
    "urn:un:unece:uncefact:data:specification:CoreComponentTypeSchemaModule:2",
    "urn:un:unece:uncefact:documentation:2",
]
PREFIXES = ["", "cbc", "cac", "inv", "ext", "ds", "xades", "sig", "sac", "sbc", "xades141", "udt", "qdt", "cct", "ccts"]

BUILTINS = {
    "string": "String",
    "normalizedString": "NormalizedString",
    "decimal": "Decimal",
    "integer": "Integer",
    "boolean": "Boolean",
    "date": "Date",
    "time": "Time",
    "dateTime": "DateTime",
    "base64Binary": "Base64Binary",
    "anyURI": "AnyUri",
    "language": "Language",
    "ID": "Id",
}


def q(tag):
    return "{%s}%s" % (XS, tag)


class Schema:
    """One loaded schema document: its root, target namespace and prefix map."""

    def __init__(self, path):
        self.path = path
        self.prefixes = {}
        for event, item in ET.iterparse(path, events=("start-ns",)):
            prefix, uri = item
            self.prefixes.setdefault(prefix, uri)
        self.root = ET.parse(path).getroot()
        self.tns = self.root.get("targetNamespace", "")
        self.qualified = self.root.get("elementFormDefault") == "qualified"

    def qname(self, value):
        prefix, _, local = value.rpartition(":")
        return (self.prefixes.get(prefix, ""), local)


class Loader:
    def __init__(self, entry):
        self.schemas = []
        self.elements = {}  # (ns, name) -> (schema, node)
        self.complex = {}
        self.simple = {}
        self.seen = set()
        self.load(entry)

    def load(self, path):
        path = os.path.normpath(path)
        if path in self.seen:
            return
        self.seen.add(path)
        s = Schema(path)
        self.schemas.append(s)
        for child in s.root:
            if child.tag in (q("import"), q("include")) and child.get("schemaLocation"):
                self.load(os.path.join(os.path.dirname(path), child.get("schemaLocation")))
            elif child.tag == q("element"):
                self.elements[(s.tns, child.get("name"))] = (s, child)
            elif child.tag == q("complexType"):
                self.complex[(s.tns, child.get("name"))] = (s, child)
            elif child.tag == q("simpleType"):
                self.simple[(s.tns, child.get("name"))] = (s, child)
            elif child.tag in (q("annotation"),):
                pass
            elif child.tag in (q("attribute"), q("group"), q("attributeGroup")):
                raise SystemExit("unsupported top-level %s in %s" % (child.tag, path))


def occurs(node):
    lo = int(node.get("minOccurs", "1"))
    hi = node.get("maxOccurs", "1")
    if hi == "unbounded":
        return lo, UNBOUNDED
    assert int(hi) < UNBOUNDED
    return lo, int(hi)


class Builder:
    def __init__(self, loader):
        self.ld = loader
        self.decls = []  # (ns, name, type_key, global)
        self.decl_index = {}  # key -> index
        self.types = {}  # type key -> resolved type dict (built lazily)
        self.type_order = []
        self.simples = []  # (builtin, enums)
        self.simple_index = {}
        self.wilds = []

    # ---- simple types -----------------------------------------------------------------
    def simple_type(self, s, name_or_node):
        """Resolves a simple type (QName string or inline node) to an index in self.simples."""
        if isinstance(name_or_node, str):
            ns, local = s.qname(name_or_node)
            if ns == XS:
                return self.intern_simple(BUILTINS[local], ())
            ss, node = self.ld.simple[(ns, local)]
            return self.simple_type(ss, node)
        node = name_or_node
        restriction = node.find(q("restriction"))
        assert restriction is not None, "only restrictions are used"
        base = self.simples[self.simple_type(s, restriction.get("base"))]
        enums = []
        for facet in restriction:
            if facet.tag == q("enumeration"):
                enums.append(facet.get("value"))
            elif facet.tag != q("annotation"):
                raise SystemExit("unsupported facet %s" % facet.tag)
        return self.intern_simple(base[0], tuple(enums) or base[1])

    def intern_simple(self, builtin, enums):
        key = (builtin, enums)
        if key not in self.simple_index:
            self.simple_index[key] = len(self.simples)
            self.simples.append(key)
        return self.simple_index[key]

    # ---- element declarations ---------------------------------------------------------
    def decl(self, s, node, is_global):
        key = ("g", s.tns, node.get("name")) if is_global else ("l", id(node))
        if key in self.decl_index:
            return self.decl_index[key]
        idx = len(self.decls)
        self.decl_index[key] = idx
        ns = s.tns if (is_global or s.qualified) else ""
        self.decls.append([ns, node.get("name"), None, is_global])
        if node.get("type"):
            tkey = self.type_by_name(s, node.get("type"))
        elif node.find(q("complexType")) is not None:
            tkey = self.complex_type(s, node.find(q("complexType")))
        elif node.find(q("simpleType")) is not None:
            tkey = self.simple_content(self.simple_type(s, node.find(q("simpleType"))))
        else:
            tkey = self.any_type()
        self.decls[idx][2] = tkey
        return idx

    def ref(self, s, value):
        ns, local = s.qname(value)
        ss, node = self.ld.elements[(ns, local)]
        return self.decl(ss, node, True)

    # ---- types -----------------------------------------------------------------------
    def add_type(self, t):
        key = repr(t)
        if key not in self.types:
            self.types[key] = t
            self.type_order.append(key)
        return key

    def any_type(self):
        return self.add_type({"content": ("any",), "attrs": (), "any_attr": (("any",), "lax")})

    def simple_content(self, simple):
        return self.add_type({"content": ("simple", simple), "attrs": (), "any_attr": None})

    def type_by_name(self, s, value):
        ns, local = s.qname(value)
        if ns == XS:
            if local == "anyType":
                return self.any_type()
            return self.simple_content(self.simple_type(s, value))
        if (ns, local) in self.ld.simple:
            return self.simple_content(self.simple_type(s, value))
        ss, node = self.ld.complex[(ns, local)]
        return self.complex_type(ss, node)

    def attributes(self, s, node, inherited):
        attrs = dict((a[0], a) for a in inherited)
        any_attr = None
        for a in node:
            if a.tag == q("attribute"):
                name = a.get("name")
                assert name, "attribute refs are not used"
                use = a.get("use", "optional")
                if use == "prohibited":
                    attrs.pop(name, None)
                    continue
                if a.get("type"):
                    st = self.simple_type(s, a.get("type"))
                elif a.find(q("simpleType")) is not None:
                    st = self.simple_type(s, a.find(q("simpleType")))
                else:
                    st = self.intern_simple("String", ())  # anySimpleType
                attrs[name] = (name, use == "required", st)
            elif a.tag == q("anyAttribute"):
                any_attr = (self.ns_constraint(s, a.get("namespace", "##any")), a.get("processContents", "strict"))
            elif a.tag == q("attributeGroup"):
                raise SystemExit("attributeGroup not supported")
        return tuple(sorted(attrs.values())), any_attr

    def complex_type(self, s, node):
        mixed = node.get("mixed") == "true"
        sc = node.find(q("simpleContent"))
        cc = node.find(q("complexContent"))
        if sc is not None:
            der = sc[0] if sc[0].tag != q("annotation") else sc[1]
            base_ns, base_local = s.qname(der.get("base"))
            if (base_ns, base_local) in self.ld.complex:
                bs, bnode = self.ld.complex[(base_ns, base_local)]
                base = self.types[self.complex_type(bs, bnode)]
                assert base["content"][0] == "simple"
                simple, inherited, base_any = base["content"][1], base["attrs"], base["any_attr"]
            else:
                simple, inherited, base_any = self.simple_type(s, der.get("base")), (), None
            for facet in der:
                assert facet.tag in (q("attribute"), q("annotation"), q("anyAttribute")), facet.tag
            attrs, any_attr = self.attributes(s, der, inherited)
            return self.add_type({"content": ("simple", simple), "attrs": attrs, "any_attr": any_attr or base_any})
        if cc is not None:
            der = [c for c in cc if c.tag != q("annotation")][0]
            mixed = mixed or cc.get("mixed") == "true"
            bs, bnode = self.ld.complex[s.qname(der.get("base"))]
            base = self.types[self.complex_type(bs, bnode)]
            assert der.tag == q("restriction"), "complexContent extension is not used"
            particle = self.particle_of(s, der)
            attrs, any_attr = self.attributes(s, der, base["attrs"])
            return self.add_type(
                {"content": self.model(particle, mixed), "attrs": attrs, "any_attr": any_attr}
            )
        particle = self.particle_of(s, node)
        attrs, any_attr = self.attributes(s, node, ())
        return self.add_type({"content": self.model(particle, mixed), "attrs": attrs, "any_attr": any_attr})

    # ---- particles -------------------------------------------------------------------
    def particle_of(self, s, node):
        for c in node:
            if c.tag in (q("sequence"), q("choice"), q("all"), q("group")):
                return self.particle(s, c)
        return None

    def ns_constraint(self, s, value):
        if value == "##any":
            return ("any",)
        if value == "##other":
            return ("other", NAMESPACES.index(s.tns))
        raise SystemExit("namespace constraint %s not supported" % value)

    def particle(self, s, node):
        lo, hi = occurs(node)
        if node.tag == q("element"):
            if node.get("ref"):
                return ("elem", self.ref(s, node.get("ref")), lo, hi)
            return ("elem", self.decl(s, node, False), lo, hi)
        if node.tag == q("any"):
            wild = (self.ns_constraint(s, node.get("namespace", "##any")), node.get("processContents", "strict"))
            return ("any", wild, lo, hi)
        if node.tag in (q("sequence"), q("choice")):
            kids = [self.particle(s, c) for c in node if c.tag != q("annotation")]
            return ("seq" if node.tag == q("sequence") else "choice", kids, lo, hi)
        raise SystemExit("particle %s not supported" % node.tag)

    def model(self, particle, mixed):
        if particle is None:
            return ("seq", (), mixed)
        kind, kids, lo, hi = particle
        if kind == "seq" and lo == 1 and hi == 1 and all(k[0] == "elem" for k in kids):
            names = [(self.decls[k[1]][0], self.decls[k[1]][1]) for k in kids]
            if len(set(names)) == len(names):
                return ("seq", tuple((k[1], k[2], k[3]) for k in kids), mixed)
        return ("dfa", Glushkov(self, particle).build(), mixed)


class Glushkov:
    """Position automaton of a particle; deterministic because the schemas obey UPA."""

    def __init__(self, builder, particle):
        self.b = builder
        self.particle = particle
        self.symbols = [None]  # position -> ('elem', decl) | ('any', wild)

    def expand(self, p):
        """Returns (nullable, first, last, follow-pairs) for particle p with fresh positions."""
        kind, body, lo, hi = p

        def once():
            if kind in ("elem", "any"):
                pos = len(self.symbols)
                self.symbols.append((kind, body))
                return (False, {pos}, {pos}, set())
            parts = [self.expand((k[0], k[1], k[2], k[3])) for k in body]
            if kind == "choice":
                nullable = any(x[0] for x in parts) or not parts
                first = set().union(*[x[1] for x in parts]) if parts else set()
                last = set().union(*[x[2] for x in parts]) if parts else set()
                follow = set().union(*[x[3] for x in parts]) if parts else set()
                return (nullable, first, last, follow)
            return self.concat(parts)

        copies = [once() for _ in range(max(lo, 1))]
        if hi == UNBOUNDED:
            n, f, l, fo = copies[-1]
            fo = fo | {(a, b) for a in l for b in f}
            copies[-1] = (n, f, l, fo)
        opt_tail = None
        if hi != UNBOUNDED and hi > max(lo, 1):
            # x{lo} (x (x ...)?)? nested so that the automaton stays deterministic
            tail = None
            for _ in range(hi - max(lo, 1)):
                c = once()
                tail = c if tail is None else self.concat([c, self.optional(tail)])
            opt_tail = self.optional(tail)
        parts = copies + ([opt_tail] if opt_tail else [])
        result = self.concat(parts)
        if lo == 0:
            result = self.optional(result)
        return result

    @staticmethod
    def optional(x):
        return (True, x[1], x[2], x[3])

    @staticmethod
    def concat(parts):
        nullable, first, last, follow = True, set(), set(), set()
        for n, f, l, fo in parts:
            follow |= fo
            follow |= {(a, b) for a in last for b in f}
            if nullable:
                first |= f
            last = (last | l) if n else set(l)
            nullable = nullable and n
        return (nullable, first, last, follow)

    def build(self):
        nullable, first, last, follow = self.expand(self.particle)
        states = []
        for pos in range(len(self.symbols)):
            targets = sorted(first if pos == 0 else {b for a, b in follow if a == pos})
            accept = nullable if pos == 0 else pos in last
            edges = []
            names = set()
            for t in targets:
                kind, body = self.symbols[t]
                if kind == "elem":
                    name = tuple(self.b.decls[body][:2])
                    assert name not in names, "non-deterministic content model at %s" % (name,)
                    names.add(name)
                edges.append((kind, body, t))
            # Named edges first: the walker tries them before any wildcard.
            edges.sort(key=lambda e: (e[0] != "elem", e[2]))
            states.append((accept, tuple(edges)))
        return tuple(states)


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wild_rs(w):
    ns, process = w
    nsrs = "NsRule::Any" if ns[0] == "any" else "NsRule::Other(%d)" % ns[1]
    return "Wild { ns: %s, process: Process::%s }" % (nsrs, process.capitalize())


def generate():
    ld = Loader(ENTRY)
    b = Builder(ld)
    inv_ns = NAMESPACES[3]
    rs, rnode = ld.elements[(inv_ns, "Invoice")]
    root = b.decl(rs, rnode, True)
    for (ns, name), (s, node) in sorted(ld.elements.items()):
        b.decl(s, node, True)
    for d in b.decls:
        d[2] = b.type_order.index(d[2])

    out = []
    w = out.append
    w("// @generated by core/src/validate/schema_gen.py from the UBL 2.1 XSDs in")
    w("// tests/vectors/sdk-R3.4.8/Data/Schemas/xsds/UBL2.1/xsd (entry maindoc/UBL-Invoice-2.1.xsd).")
    w("// Do not edit: run `python3 core/src/validate/schema_gen.py` to regenerate; the test")
    w("// `tables_match_the_generator` fails when this file and the generator disagree.")
    w("")
    w("use super::model::*;")
    w("")
    w("pub(crate) static NAMESPACES: [&str; %d] = [" % len(NAMESPACES))
    for n in NAMESPACES:
        w("    %s," % rust_str(n))
    w("];")
    w("")
    w("pub(crate) static PREFIXES: [&str; %d] = [" % len(PREFIXES))
    w("    " + ", ".join(rust_str(p) for p in PREFIXES) + ",")
    w("];")
    w("")
    w("/// The `Invoice` element declaration.")
    w("pub(crate) const ROOT: u16 = %d;" % root)
    w("")
    w("pub(crate) static SIMPLE: [Simple; %d] = [" % len(b.simples))
    for builtin, enums in b.simples:
        w("    Simple { base: Builtin::%s, enums: &[%s] }," % (builtin, ", ".join(rust_str(e) for e in enums)))
    w("];")
    w("")
    w("/// Element declarations: namespace index, local name, type index.")
    w("pub(crate) static DECLS: [Decl; %d] = [" % len(b.decls))
    for ns, name, t, _ in b.decls:
        w("    Decl(%d, %s, %d)," % (NAMESPACES.index(ns), rust_str(name), t))
    w("];")
    w("")
    glob = sorted(
        (NAMESPACES.index(ns), name, i) for i, (ns, name, _, g) in enumerate(b.decls) if g
    )
    w("/// Global element declarations sorted by (namespace index, name), for wildcard lookups.")
    w("pub(crate) static GLOBALS: [u16; %d] = [" % len(glob))
    for k in range(0, len(glob), 16):
        w("    " + ", ".join(str(g[2]) for g in glob[k : k + 16]) + ",")
    w("];")
    w("")
    # Automaton states are numbered across all types.
    state_base = {}
    all_states = []
    for key in b.type_order:
        c = b.types[key]["content"]
        if c[0] == "dfa":
            state_base[key] = len(all_states)
            all_states.extend(c[1])
    w("/// Automaton states of the content models that are not flat sequences.")
    w("pub(crate) static STATES: [State; %d] = [" % len(all_states))
    for key in b.type_order:
        c = b.types[key]["content"]
        if c[0] != "dfa":
            continue
        base = state_base[key]
        for accept, edges in c[1]:
            es = []
            for kind, body, t in edges:
                if kind == "elem":
                    es.append("Edge::Elem(%d, %d)" % (body, base + t))
                else:
                    es.append("Edge::Any(%s, %d)" % (wild_rs(body), base + t))
            w("    State { accept: %s, edges: &[%s] }," % ("true" if accept else "false", ", ".join(es)))
    w("];")
    w("")
    w("pub(crate) static TYPES: [Type; %d] = [" % len(b.type_order))
    for key in b.type_order:
        t = b.types[key]
        c = t["content"]
        if c[0] == "simple":
            content = "Content::Simple(%d)" % c[1]
        elif c[0] == "any":
            content = "Content::Any"
        elif c[0] == "seq":
            ps = ", ".join("P(%d, %d, %d)" % p for p in c[1])
            content = "Content::Seq { mixed: %s, particles: &[%s] }" % ("true" if c[2] else "false", ps)
        else:
            content = "Content::Dfa { mixed: %s, start: %d }" % ("true" if c[2] else "false", state_base[key])
        attrs = ", ".join("A(%s, %s, %d)" % (rust_str(n), "true" if r else "false", st) for n, r, st in t["attrs"])
        any_attr = "None" if t["any_attr"] is None else "Some(%s)" % wild_rs(t["any_attr"])
        w("    Type { attrs: &[%s], any_attr: %s, content: %s }," % (attrs, any_attr, content))
    w("];")
    return "\n".join(out) + "\n"


def main():
    text = generate()
    if "--check" in sys.argv:
        current = open(OUT, encoding="utf-8").read() if os.path.exists(OUT) else ""
        if current != text:
            sys.stderr.write("schema_tables.rs is out of date: run python3 core/src/validate/schema_gen.py\n")
            sys.exit(1)
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
