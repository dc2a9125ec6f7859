//! The surface table (`qayd::embed::surface`) is the one source of the README's naming table and
//! of `tests/conformance/surface.json`, which every binding's suite checks its names against.
//! `QAYD_BLESS=1 cargo test -p qayd --test surface` rewrites both after a change to the table.

use std::path::PathBuf;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn bless() -> bool {
    std::env::var_os("QAYD_BLESS").is_some()
}

const START: &str = "<!-- naming-table: generated from core/src/embed/surface.rs -->\n";
const END: &str = "<!-- naming-table end -->";

#[test]
fn readme_naming_table_is_rendered_from_the_surface() {
    let path = repo("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme.find(START).expect("README.md has the naming-table start marker") + START.len();
    let end = start + readme[start..].find(END).expect("README.md has the naming-table end marker");
    let table = qayd::embed::surface::to_markdown();
    if bless() {
        std::fs::write(&path, format!("{}{table}{}", &readme[..start], &readme[end..])).unwrap();
        return;
    }
    assert_eq!(readme[start..end], table, "README naming table is stale: rerun with QAYD_BLESS=1");
}

#[test]
fn surface_json_is_rendered_from_the_surface() {
    let path = repo("tests/conformance/surface.json");
    let json = qayd::embed::surface::to_json();
    if bless() {
        std::fs::write(&path, &json).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(on_disk, json, "tests/conformance/surface.json is stale: rerun with QAYD_BLESS=1");
}

#[test]
fn every_operation_is_named_in_every_language_or_says_why_not() {
    for o in qayd::embed::surface::OPERATIONS {
        let named = [o.python, o.node, o.kotlin, o.c];
        assert!(
            named.iter().all(Option::is_some) || !o.note.is_empty(),
            "{}: a language has no name and the note does not say why",
            o.what
        );
        // Each language's own case convention.
        for name in o.python.into_iter().flat_map(|n| n.split('.')) {
            assert!(
                !name.contains(char::is_uppercase)
                    || name.chars().next().unwrap().is_uppercase()
                    || name == "GENESIS_PIH"
                    || name == "ERROR_CODES",
                "python {name}"
            );
        }
        for name in [o.node, o.kotlin].into_iter().flatten().flat_map(|n| n.split('.')) {
            assert!(
                !name.contains('_') || name.chars().all(|c| c.is_uppercase() || c == '_'),
                "camelCase {name}"
            );
        }
        if let Some(c) = o.c {
            assert!(c.starts_with("qayd_") && !c.contains(char::is_uppercase), "C {c}");
        }
    }
}
