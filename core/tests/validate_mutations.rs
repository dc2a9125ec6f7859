//! The mutation corpus (`tests/validation/mutations/mutations.json`): each entry edits a valid SDK
//! sample (find → replace) and lists exactly the rule ids the result must produce, errors and
//! warnings; every unmutated base must produce none. Every implemented rule id is covered by at
//! least one entry, and every implemented id exists in the ZATCA rule list with the same severity.

use qayd::validate::{IMPLEMENTED_RULES, SCHEMA_CHECKS, Severity, validate_at};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mutation {
    base: String,
    description: String,
    /// Applied in order; none for a time-only case.
    edits: Vec<Edit>,
    expect: Vec<String>,
    /// Validation time (Unix seconds); default: one hour after the base's issue time.
    #[serde(default)]
    now: Option<i64>,
}

/// `find` → `replace` at the `nth` (1-based, default 1) occurrence, or `remove` the `nth`
/// element with that tag name (`cac:Signature`), start tag to end tag. `{{c*n}}` in `find` or
/// `replace` stands for the character `c` repeated `n` times.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    #[serde(default)]
    find: Option<String>,
    #[serde(default)]
    replace: Option<String>,
    #[serde(default)]
    remove: Option<String>,
    #[serde(default)]
    nth: Option<usize>,
}

fn expand(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find("}}").expect("unclosed {{");
        let (c, n) = rest[start + 2..end].split_once('*').expect("{{c*n}}");
        out.push_str(&c.repeat(n.parse().expect("count")));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn samples() -> PathBuf {
    repo().join("tests/vectors/sdk-R3.4.8/Data/Samples")
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).unwrap() + open.len();
    &text[start..start + text[start..].find(close).unwrap()]
}

/// One hour after the document's issue date and time (Riyadh time, UTC+3).
fn shortly_after(xml: &str) -> i64 {
    let date = between(xml, "<cbc:IssueDate>", "<");
    let time = between(xml, "<cbc:IssueTime>", "<");
    let d = time::Date::parse(date, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
    let secs: i64 = time[0..2].parse::<i64>().unwrap() * 3600 + time[3..5].parse::<i64>().unwrap() * 60;
    (d.to_julian_day() as i64 - 2_440_588) * 86_400 + secs - 3 * 3600 + 3600
}

fn load() -> Vec<Mutation> {
    let path = repo().join("tests/validation/mutations/mutations.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn nth_index(text: &str, needle: &str, nth: usize) -> Option<usize> {
    let mut from = 0;
    for _ in 1..nth {
        from += text[from..].find(needle)? + needle.len();
    }
    text[from..].find(needle).map(|i| i + from)
}

fn apply(m: &Mutation, base: &str) -> Result<String, String> {
    let mut text = base.to_string();
    for edit in &m.edits {
        let nth = edit.nth.unwrap_or(1);
        match (&edit.find, &edit.replace, &edit.remove) {
            (Some(find), Some(replace), None) => {
                let find = expand(find);
                let at = nth_index(&text, &find, nth)
                    .ok_or_else(|| format!("occurrence {nth} of '{find}' not found"))?;
                text.replace_range(at..at + find.len(), &expand(replace));
            }
            (None, None, Some(tag)) => {
                let open =
                    nth_index(&text, &format!("<{tag}>"), nth).ok_or_else(|| format!("<{tag}> not found"))?;
                let close_tag = format!("</{tag}>");
                let close =
                    open + text[open..].find(&close_tag).ok_or_else(|| format!("{close_tag} not found"))?;
                text.replace_range(open..close + close_tag.len(), "");
            }
            _ => return Err("an edit is either find + replace or remove".into()),
        }
    }
    Ok(text)
}

#[test]
fn mutations_produce_exactly_the_expected_rules() {
    let mutations = load();
    let mut problems = Vec::new();
    let mut bases = BTreeSet::new();
    for (i, m) in mutations.iter().enumerate() {
        let base = std::fs::read_to_string(samples().join(&m.base)).unwrap();
        bases.insert(m.base.clone());
        let mutated = match apply(m, &base) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("#{i} {}: {e}", m.description));
                continue;
            }
        };
        let now = m.now.unwrap_or_else(|| shortly_after(&base));
        let report = match validate_at(mutated.as_bytes(), now) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("#{i} {}: not validated: {e}", m.description));
                continue;
            }
        };
        let found: BTreeSet<&str> = report.rule_ids().into_iter().collect();
        let expected: BTreeSet<&str> = m.expect.iter().map(String::as_str).collect();
        if found != expected {
            let detail: Vec<String> =
                report.findings.iter().map(|f| format!("{} at {} ({})", f.rule, f.path, f.fix)).collect();
            problems.push(format!(
                "#{i} [{}] {}: expected {:?}, found {:?}\n    {}",
                m.base,
                m.description,
                expected,
                found,
                detail.join("\n    ")
            ));
        }
    }
    for base in &bases {
        let text = std::fs::read_to_string(samples().join(base)).unwrap();
        let report = validate_at(text.as_bytes(), shortly_after(&text)).unwrap();
        if !report.findings.is_empty() {
            problems.push(format!("base {base} is not clean: {:?}", report.rule_ids()));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} mutations wrong:\n{}",
        problems.len(),
        mutations.len(),
        problems.join("\n")
    );
}

#[test]
fn every_implemented_rule_has_a_failing_mutation() {
    let covered: BTreeSet<String> = load().into_iter().flat_map(|m| m.expect).collect();
    let missing: Vec<&str> = IMPLEMENTED_RULES
        .iter()
        .map(|r| r.id)
        .chain(SCHEMA_CHECKS.iter().copied())
        .filter(|id| !covered.contains(*id))
        .collect();
    assert!(missing.is_empty(), "{} rule ids without a mutation: {missing:?}", missing.len());
}

#[test]
fn implemented_rules_match_the_zatca_list() {
    let tsv = std::fs::read_to_string(repo().join("tests/validation/rules-R3.4.8.tsv")).unwrap();
    let zatca: BTreeMap<&str, &str> = tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[1], cols[2])
        })
        .collect();
    let mut seen = BTreeSet::new();
    for rule in IMPLEMENTED_RULES {
        assert!(seen.insert(rule.id), "{} listed twice", rule.id);
        let flag = zatca.get(rule.id).unwrap_or_else(|| panic!("{} is not a ZATCA rule id", rule.id));
        let severity = match rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        assert_eq!(*flag, severity, "{}: severity differs from the Schematron flag", rule.id);
        assert!(!rule.en.is_empty() && !rule.ar.is_empty(), "{}", rule.id);
    }
    println!("implemented {} of {} rule ids", IMPLEMENTED_RULES.len(), zatca.len());
}
