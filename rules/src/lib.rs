//! topolint's built-in rules.
//!
//! A rule is one file: its metadata ([`RuleMeta`]: id, layer, default severity, summary)
//! and its documentation (What it does / Why is this bad? / Example / How to fix), which is
//! also what `topolint explain <rule>` prints. Registration is one greppable line in
//! [`REGISTRY`].
//!
//! Rules over the topology (`reachability`, ...) also export a `check(&Context, &mut
//! Report)`, registered in [`CHECKS`]; they see only the [`Topology`] (and the file texts,
//! for fixes) and report through [`Report`], which turns model spans into findings.
//!
//! The `inputs` layer holds the findings about the input files themselves (parse errors,
//! missing includes, skipped files). They are detected while loading (`topolint_workspace`)
//! — a rule cannot see a file that did not parse — so their files carry docs and metadata
//! only; the workspace crate emits them under these ids.

use topolint_diagnostics::{Diagnostic, Fix, Label, Severity, SourceMap};
use topolint_model::{Span, Topology};

pub mod inputs;
pub mod reachability;
pub mod resilience;

/// What a rule sees.
pub struct Context<'a> {
    pub topology: &'a Topology,
    /// File texts, for fixes that edit part of a span.
    pub sources: &'a SourceMap,
}

/// The check of a topology rule.
pub type CheckFn = fn(&Context<'_>, &mut Report<'_>);

/// One finding as a rule writes it; [`Report::push`] turns it into a [`Diagnostic`].
#[derive(Debug, Clone)]
pub struct Finding {
    pub span: Span,
    /// What is wrong (lowercase, no trailing period, identifiers in backticks).
    pub message: String,
    /// What the primary span shows.
    pub label: String,
    /// Evidence, possibly in other files.
    pub evidence: Vec<(Span, String)>,
    /// What users will see at run time and what to change.
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// Overrides the rule's default severity (an `info` when the model is partial).
    pub severity: Option<Severity>,
}

impl Finding {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            label: String::new(),
            evidence: Vec::new(),
            help: None,
            fix: None,
            severity: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn evidence(mut self, span: Span, message: impl Into<String>) -> Self {
        self.evidence.push((span, message.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// Collects one rule's findings.
pub struct Report<'a> {
    rule: &'static RuleMeta,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Report<'a> {
    pub fn new(rule: &'static RuleMeta, out: &'a mut Vec<Diagnostic>) -> Self {
        Self { rule, out }
    }

    pub fn push(&mut self, f: Finding) {
        let mut d = Diagnostic::new(
            self.rule.id,
            f.severity.unwrap_or(self.rule.default_severity),
            f.message,
            Label::new(f.span.file, f.span.range(), f.label),
        );
        for (span, message) in f.evidence {
            d = d.with_secondary(Label::new(span.file, span.range(), message));
        }
        d.help = f.help;
        d.fix = f.fix;
        self.out.push(d);
    }
}

/// Runs every topology rule for which `enabled(id)` holds.
/// The rules are independent of each other, so they run in parallel (on rayon's pool);
/// their findings come back in catalogue order, whatever the thread count.
pub fn run(ctx: &Context<'_>, enabled: &(dyn Fn(&str) -> bool + Sync)) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    CHECKS
        .par_iter()
        .filter(|(meta, _)| enabled(meta.id))
        .map(|(meta, check)| {
            let mut out = Vec::new();
            let mut report = Report::new(meta, &mut out);
            check(ctx, &mut report);
            out
        })
        .collect::<Vec<Vec<Diagnostic>>>()
        .concat()
}

/// Which part of the catalogue a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    /// A. Reachability: will the connection be made?
    Reachability,
    /// B. Resilience: will it stay connected?
    Resilience,
    /// C. Hygiene of the inputs themselves.
    Inputs,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Reachability => "reachability",
            Layer::Resilience => "resilience",
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
    &reachability::backend_listens_on_loopback::META,
    &reachability::cross_namespace_short_name::META,
    &resilience::depends_on_without_healthcheck::META,
    &inputs::duplicate_key::META,
    &inputs::file_skipped::META,
    &resilience::healthcheck_timing::META,
    &inputs::helm_template_skipped::META,
    &inputs::include_cycle::META,
    &inputs::include_not_found::META,
    &reachability::ingress_backend_missing::META,
    &inputs::invalid_directive_arguments::META,
    &reachability::localhost_resolves_to_ipv6::META,
    &reachability::localhost_upstream_in_container::META,
    &resilience::missing_healthcheck::META,
    &resilience::missing_liveness_probe::META,
    &resilience::missing_readiness_probe::META,
    &resilience::mtls_destination_rule_conflict::META,
    &resilience::mtls_permissive_gap::META,
    &resilience::mtls_strict_client_without_sidecar::META,
    &reachability::network_policy_blocks_caller::META,
    &reachability::no_shared_network::META,
    &resilience::outlier_detection_can_eject_all::META,
    &inputs::parse_error::META,
    &inputs::plugin_error::META,
    &resilience::probe_port_not_exposed::META,
    &reachability::proxy_pass_variable_without_resolver::META,
    &reachability::published_port_used_internally::META,
    &resilience::retry_budget_exceeds_timeout::META,
    &resilience::retry_on_overload::META,
    &resilience::service_healthy_without_healthcheck::META,
    &reachability::service_selector_matches_no_pods::META,
    &reachability::service_target_port_used::META,
    &resilience::single_upstream_server::META,
    &resilience::subset_selects_no_pods::META,
    &inputs::suppression_without_reason::META,
    &resilience::timeout_misaligned::META,
    &inputs::unknown_directive::META,
    &reachability::unresolved_reference::META,
    &inputs::unused_suppression::META,
    &reachability::upstream_dns_cached_forever::META,
    &reachability::upstream_host_unknown::META,
    &reachability::upstream_port_mismatch::META,
    &reachability::workload_selector_mismatch::META,
];

/// The checks of the topology rules: one line per rule.
pub static CHECKS: &[(&RuleMeta, CheckFn)] = &[
    (
        &reachability::backend_listens_on_loopback::META,
        reachability::backend_listens_on_loopback::check,
    ),
    (
        &reachability::cross_namespace_short_name::META,
        reachability::cross_namespace_short_name::check,
    ),
    (
        &resilience::depends_on_without_healthcheck::META,
        resilience::depends_on_without_healthcheck::check,
    ),
    (
        &resilience::healthcheck_timing::META,
        resilience::healthcheck_timing::check,
    ),
    (
        &reachability::ingress_backend_missing::META,
        reachability::ingress_backend_missing::check,
    ),
    (
        &reachability::localhost_resolves_to_ipv6::META,
        reachability::localhost_resolves_to_ipv6::check,
    ),
    (
        &reachability::localhost_upstream_in_container::META,
        reachability::localhost_upstream_in_container::check,
    ),
    (
        &resilience::missing_healthcheck::META,
        resilience::missing_healthcheck::check,
    ),
    (
        &resilience::missing_liveness_probe::META,
        resilience::missing_liveness_probe::check,
    ),
    (
        &resilience::missing_readiness_probe::META,
        resilience::missing_readiness_probe::check,
    ),
    (
        &resilience::mtls_destination_rule_conflict::META,
        resilience::mtls_destination_rule_conflict::check,
    ),
    (
        &resilience::mtls_permissive_gap::META,
        resilience::mtls_permissive_gap::check,
    ),
    (
        &resilience::mtls_strict_client_without_sidecar::META,
        resilience::mtls_strict_client_without_sidecar::check,
    ),
    (
        &reachability::network_policy_blocks_caller::META,
        reachability::network_policy_blocks_caller::check,
    ),
    (
        &reachability::no_shared_network::META,
        reachability::no_shared_network::check,
    ),
    (
        &resilience::outlier_detection_can_eject_all::META,
        resilience::outlier_detection_can_eject_all::check,
    ),
    (
        &resilience::probe_port_not_exposed::META,
        resilience::probe_port_not_exposed::check,
    ),
    (
        &reachability::proxy_pass_variable_without_resolver::META,
        reachability::proxy_pass_variable_without_resolver::check,
    ),
    (
        &reachability::published_port_used_internally::META,
        reachability::published_port_used_internally::check,
    ),
    (
        &resilience::retry_budget_exceeds_timeout::META,
        resilience::retry_budget_exceeds_timeout::check,
    ),
    (
        &resilience::retry_on_overload::META,
        resilience::retry_on_overload::check,
    ),
    (
        &resilience::service_healthy_without_healthcheck::META,
        resilience::service_healthy_without_healthcheck::check,
    ),
    (
        &reachability::service_selector_matches_no_pods::META,
        reachability::service_selector_matches_no_pods::check,
    ),
    (
        &reachability::service_target_port_used::META,
        reachability::service_target_port_used::check,
    ),
    (
        &resilience::single_upstream_server::META,
        resilience::single_upstream_server::check,
    ),
    (
        &resilience::subset_selects_no_pods::META,
        resilience::subset_selects_no_pods::check,
    ),
    (
        &resilience::timeout_misaligned::META,
        resilience::timeout_misaligned::check,
    ),
    (
        &reachability::unresolved_reference::META,
        reachability::unresolved_reference::check,
    ),
    (
        &reachability::upstream_dns_cached_forever::META,
        reachability::upstream_dns_cached_forever::check,
    ),
    (
        &reachability::upstream_host_unknown::META,
        reachability::upstream_host_unknown::check,
    ),
    (
        &reachability::upstream_port_mismatch::META,
        reachability::upstream_port_mismatch::check,
    ),
    (
        &reachability::workload_selector_mismatch::META,
        reachability::workload_selector_mismatch::check,
    ),
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
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
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
    fn every_topology_rule_has_a_check() {
        for r in REGISTRY.iter().filter(|r| r.layer != Layer::Inputs) {
            assert!(
                CHECKS.iter().any(|(m, _)| m.id == r.id),
                "`{}` has no entry in CHECKS",
                r.id
            );
        }
        for (m, _) in CHECKS {
            assert!(
                rule(m.id).is_some(),
                "`{}` is in CHECKS but not in REGISTRY",
                m.id
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
