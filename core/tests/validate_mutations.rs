//! The mutation corpus (`tests/validation/mutations/mutations.json`): each entry edits a valid SDK
//! sample (find → replace) and lists exactly the rule ids the result must produce, errors and
//! warnings; every unmutated base must produce none. Every implemented rule id is covered by at
//! least one entry, and every implemented id exists in the ZATCA rule list with the same severity.

mod validation_support;

use qayd::validate::{IMPLEMENTED_RULES, SCHEMA_CHECKS, Severity, validate_at};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use validation_support::{Mutation, apply, shortly_after};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn samples() -> PathBuf {
    validation_support::samples(&repo())
}

fn load() -> Vec<Mutation> {
    validation_support::load(&repo())
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
            other => panic!("{}: severity {other:?} has no Schematron flag here yet", rule.id),
        };
        assert_eq!(*flag, severity, "{}: severity differs from the Schematron flag", rule.id);
        assert!(!rule.en.is_empty() && !rule.ar.is_empty(), "{}", rule.id);
    }
    println!("implemented {} of {} rule ids", IMPLEMENTED_RULES.len(), zatca.len());
}
