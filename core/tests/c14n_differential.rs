//! C14N 1.1 against an independent implementation: libxml2's `xmllint --c14n11`, on handmade
//! edge cases and on a few hundred random documents full of namespaces, attributes, character
//! references, CDATA and processing instructions. (xmllint keeps comments, so the inputs have
//! none; dropping comments is tested separately.)

use qayd::__internal::xml::c14n::{Mode, canonicalize};
use std::io::Write;
use std::process::Command;

fn ours(xml: &str) -> String {
    canonical(xml, Mode::Inclusive)
}

fn canonical(xml: &str, mode: Mode) -> String {
    let document = qayd::__internal::xml::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let mut out = Vec::new();
    canonicalize(document.root(), mode, &|_| false, &mut out);
    String::from_utf8(out).unwrap()
}

fn libxml2(xml: &str) -> String {
    xmllint(xml, "--c14n11")
}

fn xmllint(xml: &str, flag: &str) -> String {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(xml.as_bytes()).unwrap();
    let output = Command::new("xmllint").arg(flag).arg(file.path()).output().expect(
        "xmllint is required for this test (Debian package libxml2-utils; scripts/test-all.sh installs it)",
    );
    assert!(output.status.success(), "xmllint failed on {xml}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn handmade_edge_cases_match_libxml2() {
    let cases = [
        "<?xml version=\"1.0\"?>\n\n<?xml-stylesheet   href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n\n<doc>Hello, world!</doc>\n\n<?pi-without-data     ?>\n",
        "<doc>\n   <clean>   </clean>\n   <dirty>   A   B   </dirty>\n   <mixed>\n      A\n      <clean>   </clean>\n      B\n   </mixed>\n</doc>",
        "<doc>\n   <e1   />\n   <e2   ></e2>\n   <e3   name = \"elem3\"   id=\"elem3\"   />\n   <e5 a:attr=\"out\" b:attr=\"sorted\" attr2=\"all\" attr=\"I'm\"\n      xmlns:b=\"http://www.ietf.org\"\n      xmlns:a=\"http://www.w3.org\"\n      xmlns=\"http://example.org\"/>\n   <e6 xmlns=\"\" xmlns:a=\"http://www.w3.org\">\n       <e7 xmlns=\"http://www.ietf.org\">\n           <e8 xmlns=\"\" xmlns:a=\"http://www.w3.org\">\n               <e9 xmlns=\"\" xmlns:a=\"http://www.ietf.org\"/>\n           </e8>\n       </e7>\n   </e6>\n</doc>",
        "<doc>\n   <text>First line&#x0d;&#10;Second line</text>\n   <value>&#x32;</value>\n   <compute><![CDATA[value>\"0\" && value<\"10\" ?\"valid\":\"error\"]]></compute>\n   <compute expr='value>\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"'>valid</compute>\n   <norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/>\n</doc>",
        "<a xmlns=\"urn:x\"><b xmlns=\"urn:x\"><c xmlns=\"\"><d xmlns=\"\"/></c></b></a>",
        "<p:a xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"><p:b xmlns:p=\"urn:p2\" q:x=\"1\" p:y=\"2\" z=\"3\"/></p:a>",
        "<r attr=\"tab\tnl\nend\">\u{0627}\u{0644}\u{0639}\u{0631}\u{0628}\u{064a}\u{0629} &#x1F600; \r\n crlf</r>",
    ];
    for case in cases {
        assert_eq!(ours(case), libxml2(case), "input:\n{case}");
    }
}

#[test]
fn comments_are_dropped() {
    let xml = "<!-- before --><doc><!-- inside -->text<!--x--></doc><!-- after -->";
    assert_eq!(ours(xml), "<doc>text</doc>");
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn random_text(rng: &mut Rng) -> String {
    let pieces = [
        "a",
        " ",
        "\n",
        "\t",
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&apos;",
        "&#13;",
        "&#x9;",
        "\u{0634}",
        "\"",
        "'",
        "<![CDATA[x<&>y]]>",
        "]",
        "&#xA;",
    ];
    (0..rng.next() % 6).map(|_| rng.pick(&pieces)).collect()
}

fn random_attribute_value(rng: &mut Rng) -> String {
    let pieces =
        ["v", " ", "\t", "\n", "&amp;", "&lt;", ">", "&quot;", "'", "&#13;", "&#10;", "&#9;", "\u{0639}"];
    (0..rng.next() % 5).map(|_| rng.pick(&pieces)).collect()
}

fn random_element(rng: &mut Rng, depth: usize, declared: &[&str], out: &mut String) {
    let prefixes = ["", "a", "b"];
    // No '&' in namespace URIs: libxml2 writes them unescaped, while C14N escapes namespace nodes
    // like attribute values (as we do).
    let uris = ["urn:one", "urn:two", "http://example.org/ns?x=1"];
    // Declarations on this element.
    let mut decls = String::new();
    let mut scope: Vec<&str> = declared.to_vec();
    for prefix in prefixes {
        if rng.chance(25) {
            let uri = rng.pick(&uris);
            if prefix.is_empty() {
                let uri = if rng.chance(30) { "" } else { uri };
                decls.push_str(&format!(" xmlns=\"{uri}\""));
            } else {
                decls.push_str(&format!(" xmlns:{prefix}=\"{uri}\""));
                scope.push(prefix);
            }
        }
    }
    let usable: Vec<&str> = prefixes.iter().copied().filter(|p| p.is_empty() || scope.contains(p)).collect();
    let prefix = rng.pick(&usable);
    let name = format!("{}{}e{}", prefix, if prefix.is_empty() { "" } else { ":" }, rng.next() % 4);
    out.push('<');
    out.push_str(&name);
    out.push_str(&decls);
    let mut used = Vec::new();
    for _ in 0..rng.next() % 4 {
        let attr_prefix = rng.pick(&usable);
        let local = rng.pick(&["id", "x", "z", "Algorithm"]);
        let qname = if attr_prefix.is_empty() { local.to_owned() } else { format!("{attr_prefix}:{local}") };
        if used.contains(&qname)
            || (!attr_prefix.is_empty() && used.iter().any(|u: &String| u.ends_with(&format!(":{local}"))))
        {
            continue;
        }
        let quote = if rng.chance(50) { '"' } else { '\'' };
        let value =
            random_attribute_value(rng).replace(quote, if quote == '"' { "&quot;" } else { "&apos;" });
        out.push_str(&format!(" {qname}={quote}{value}{quote}"));
        used.push(qname);
    }
    if depth > 4 || rng.chance(20) {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for _ in 0..rng.next() % 4 {
        match rng.next() % 4 {
            0 => out.push_str(&random_text(rng)),
            1 => out.push_str(&format!(
                "<?pi{} {}?>",
                rng.next() % 3,
                rng.pick(&["", "data", " spaced  data "])
            )),
            _ => random_element(rng, depth + 1, &scope, out),
        }
    }
    out.push_str(&format!("</{name}>"));
}

#[test]
fn random_documents_match_libxml2() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for _ in 0..400 {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        if rng.chance(30) {
            xml.push_str("<?top here?>\n");
        }
        random_element(&mut rng, 0, &[], &mut xml);
        if rng.chance(30) {
            xml.push_str("\n<?bottom?>\n");
        }
        assert_eq!(ours(&xml), libxml2(&xml), "input:\n{xml}");
        assert_eq!(canonical(&xml, Mode::Exclusive), xmllint(&xml, "--exc-c14n"), "exclusive, input:\n{xml}");
    }
}
