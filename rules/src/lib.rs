//! topolint's built-in rules.
//!
//! A rule is one file: its metadata ([`RuleMeta`]: id, layer, default severity, summary)
//! and its documentation (What it does / Why is this bad? / Example / How to fix), which is
//! also what `topolint explain <rule>` prints. Registration is one greppable line in
//! [`REGISTRY`].
//!
//! The `inputs` layer holds the findings about the input files themselves (parse errors,
//! missing includes, skipped files). They are detected while loading (`topolint_workspace`)
//! — a rule cannot see a file that did not parse — so their files carry docs and metadata
//! only; the workspace crate emits them under these ids.

use topolint_diagnostics::Severity;

pub mod inputs;

/// Which part of the catalogue a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    /// C. Hygiene of the inputs themselves.
    Inputs,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Inputs => "inputs",
        }
    }
}

/// A rule's identity and documentation.
#[derive(Clone, Copy, Debug)]
pub struct RuleMeta {
    /// Kebab-case name of the problem; stable, never reused.
    pub id: &'static str,
    pub layer: Layer,
    pub default_severity: Severity,
    /// One line, lowercase, no trailing period.
    pub summary: &'static str,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Example`, `## How to fix`.
    pub docs: &'static str,
}

/// Every built-in rule, sorted by id.
pub static REGISTRY: &[&RuleMeta] = &[
    &inputs::duplicate_key::META,
    &inputs::file_skipped::META,
    &inputs::helm_template_skipped::META,
    &inputs::include_cycle::META,
    &inputs::include_not_found::META,
    &inputs::invalid_directive_arguments::META,
    &inputs::parse_error::META,
    &inputs::unknown_directive::META,
];

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static RuleMeta> {
    REGISTRY.iter().copied().find(|r| r.id == id)
}

/// The closest rule ids to a mistyped one, for "did you mean".
pub fn suggest(id: &str) -> Option<&'static str> {
    REGISTRY
        .iter()
        .map(|r| (edit_distance(id, r.id), r.id))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, id)| id)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_kebab_case() {
        let ids: Vec<&str> = REGISTRY.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "REGISTRY must be sorted by id and unique");
        for id in ids {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id} is not kebab-case"
            );
        }
    }

    #[test]
    fn every_rule_has_all_doc_sections() {
        for r in REGISTRY {
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## How to fix",
            ] {
                assert!(r.docs.contains(section), "{} docs lack `{section}`", r.id);
            }
            assert!(
                !r.summary.ends_with('.'),
                "{} summary ends with a period",
                r.id
            );
        }
    }

    #[test]
    fn every_id_the_loader_emits_is_documented() {
        for id in topolint_workspace::ids::ALL {
            assert!(
                rule(id).is_some(),
                "`{id}` is emitted by topolint_workspace but has no rule file"
            );
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("parse-eror"), Some("parse-error"));
        assert_eq!(suggest("include-not-fond"), Some("include-not-found"));
        assert_eq!(suggest("something-else-entirely"), None);
    }
}
