//! SARIF 2.1.0 (`--format sarif`) for GitHub code scanning and other SARIF consumers,
//! built with `serde-sarif`'s typed model.
//!
//! - `tool.driver.rules`: every rule of the registry (id, name, short and full description,
//!   help text and URI, default level, layer as a tag), plus any other rule id a finding
//!   carries (plugins);
//! - one result per reported finding: `ruleId`/`ruleIndex`, `level`, `message` (with the
//!   finding's help), the primary `physicalLocation` with a line/column region (columns in
//!   Unicode code points: `run.columnKind`), `relatedLocations` for the cross-file evidence,
//!   and `partialFingerprints` (the baseline fingerprint plus its occurrence number) so code
//!   scanning tracks a finding across commits even when lines move;
//! - findings silenced by an inline suppression are results too, with `suppressions`
//!   (`inSource`, the reason as `justification`, the comment as `location`).
//!
//! Paths are relative to the working directory with `uriBaseId` `%SRCROOT%` (run topolint
//! from the repository root in CI).

use std::collections::BTreeMap;
use std::io::Write;

use serde_sarif::sarif::{
    self, ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingConfigurationLevel, ReportingDescriptor,
    ResultBaselineState, ResultColumnKind, ResultLevel, Run, Sarif, SupressionKind, Tool,
    ToolComponent,
};
use topolint_diagnostics::{Diagnostic, FileId, Severity, TextRange};
use topolint_gate::{Outcome, Suppression};
use topolint_rules::RuleMeta;
use topolint_workspace::Workspace;

/// The key of topolint's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "topolint/v1";

/// Where each rule's documentation page lives.
fn help_uri(rule: &str) -> String {
    format!(
        "{}/blob/main/docs/rules/{rule}.md",
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// What the SARIF log is made of.
pub struct Input<'a> {
    pub ws: &'a Workspace,
    pub outcome: &'a Outcome,
    /// A baseline was applied: the reported results are `new`.
    pub baseline_used: bool,
    /// Rules of the WebAssembly plugins of the run.
    pub plugin_rules: &'a [crate::plugins::PluginRule],
}

pub fn render(input: &Input<'_>, out: &mut impl Write) -> std::io::Result<()> {
    let log = build(input).map_err(std::io::Error::other)?;
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn json<T: serde::Serialize>(value: T) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::to_value(value)
}

fn build(input: &Input<'_>) -> Result<Sarif, serde_json::Error> {
    let Input {
        ws,
        outcome,
        baseline_used,
        plugin_rules,
    } = *input;

    // Rules: the registry, the plugins' rules, then ids only findings know, each once.
    let mut rules: Vec<ReportingDescriptor> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for meta in topolint_rules::REGISTRY {
        index.insert(meta.id.to_string(), rules.len());
        rules.push(descriptor(meta)?);
    }
    for rule in plugin_rules {
        if !index.contains_key(&rule.id) {
            index.insert(rule.id.clone(), rules.len());
            rules.push(plugin_descriptor(rule)?);
        }
    }
    let all: Vec<(&Diagnostic, Option<&Suppression>)> = outcome
        .findings
        .iter()
        .map(|d| (d, None))
        .chain(
            outcome
                .suppressed
                .iter()
                .map(|s| (&s.diagnostic, Some(&s.by))),
        )
        .collect();
    for (d, _) in &all {
        if !index.contains_key(d.rule.as_ref()) {
            index.insert(d.rule.to_string(), rules.len());
            rules.push(
                ReportingDescriptor::builder()
                    .id(d.rule.to_string())
                    .short_description(MultiformatMessageString::from(&d.rule.to_string()))
                    .default_configuration(
                        ReportingConfiguration::builder()
                            .level(json(level_of_config(d.severity))?)
                            .build(),
                    )
                    .build(),
            );
        }
    }

    let diags: Vec<Diagnostic> = all.iter().map(|(d, _)| (*d).clone()).collect();
    let fingerprints = topolint_gate::fingerprints(ws, &outcome.paths, &diags);
    let mut results = Vec::with_capacity(all.len());
    for ((d, suppression), (fp, occurrence)) in all.iter().zip(fingerprints) {
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let related: Vec<Location> = d
            .secondary
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let text = if l.message.is_empty() {
                    "evidence".to_string()
                } else {
                    l.message.clone()
                };
                Location::builder()
                    .id(i as i64 + 1)
                    .physical_location(physical(ws, l.file, l.range))
                    .message(Message::from(&text))
                    .build()
            })
            .collect();
        let primary = if d.primary.message.is_empty() {
            Location::builder()
                .physical_location(physical(ws, d.primary.file, d.primary.range))
                .build()
        } else {
            Location::builder()
                .physical_location(physical(ws, d.primary.file, d.primary.range))
                .message(Message::from(&d.primary.message))
                .build()
        };
        let mut partial = BTreeMap::new();
        partial.insert(FINGERPRINT_KEY.to_string(), format!("{fp}:{occurrence}"));
        let rule_index = index.get(d.rule.as_ref()).copied().unwrap_or(0);
        let mut result = sarif::Result::builder()
            .rule_id(d.rule.to_string())
            .rule_index(rule_index as i64)
            .level(level_of(d.severity))
            .message(Message::from(&message))
            .locations(vec![primary])
            .partial_fingerprints(partial)
            .build();
        if !related.is_empty() {
            result.related_locations = Some(related);
        }
        match suppression {
            Some(s) => {
                let mut sup = sarif::Suppression::builder()
                    .kind(json(SupressionKind::InSource)?)
                    .location(
                        Location::builder()
                            .physical_location(physical(ws, s.file, s.range))
                            .build(),
                    )
                    .build();
                sup.justification = s.reason.clone();
                result.suppressions = Some(vec![sup]);
            }
            None if baseline_used => {
                result.baseline_state = Some(json(ResultBaselineState::New)?);
            }
            None => {}
        }
        results.push(result);
    }

    let driver = ToolComponent::builder()
        .name("topolint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::from(driver))
        .results(results)
        .column_kind(json(ResultColumnKind::UnicodeCodePoints)?)
        .build();
    Ok(Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(json(sarif::Version::V2_1_0)?)
        .runs(vec![run])
        .build())
}

fn descriptor(meta: &RuleMeta) -> Result<ReportingDescriptor, serde_json::Error> {
    let full = what_it_does(meta.docs);
    Ok(ReportingDescriptor::builder()
        .id(meta.id)
        .name(pascal_case(meta.id))
        .short_description(MultiformatMessageString::from(&meta.summary.to_string()))
        .full_description(MultiformatMessageString::from(&full))
        .help(
            MultiformatMessageString::builder()
                .text(meta.docs)
                .markdown(meta.docs)
                .build(),
        )
        .help_uri(help_uri(meta.id))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json(level_of_config(meta.default_severity))?)
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec![meta.layer.as_str().to_string()])
                .build(),
        )
        .build())
}

/// A plugin rule: its metadata as the plugin declares it (no help URI: its docs live with
/// the plugin), tagged `plugin`.
fn plugin_descriptor(
    rule: &crate::plugins::PluginRule,
) -> Result<ReportingDescriptor, serde_json::Error> {
    let full = what_it_does(&rule.docs);
    let mut d = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(pascal_case(&rule.id))
        .short_description(MultiformatMessageString::from(&rule.summary))
        .help(
            MultiformatMessageString::builder()
                .text(rule.docs.clone())
                .markdown(rule.docs.clone())
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json(level_of_config(rule.default_severity))?)
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec!["plugin".to_string(), rule.plugin.clone()])
                .build(),
        )
        .build();
    if !full.is_empty() {
        d.full_description = Some(MultiformatMessageString::from(&full));
    }
    Ok(d)
}

/// The text of the `## What it does` section (the rule's full description).
fn what_it_does(docs: &str) -> String {
    let body = docs
        .split("## What it does")
        .nth(1)
        .unwrap_or(docs)
        .split("\n## ")
        .next()
        .unwrap_or("");
    body.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn level_of(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_of_config(s: Severity) -> ReportingConfigurationLevel {
    match s {
        Severity::Error => ReportingConfigurationLevel::Error,
        Severity::Warning => ReportingConfigurationLevel::Warning,
        Severity::Info => ReportingConfigurationLevel::Note,
    }
}

fn physical(ws: &Workspace, file: FileId, range: TextRange) -> PhysicalLocation {
    let f = ws.sources.file(file);
    let range = range.clamp_to(f.text.len());
    let start = f.line_col(range.start);
    let end = f.line_col(range.end);
    let region = Region::builder()
        .start_line(i64::from(start.line))
        .start_column(i64::from(start.column))
        .end_line(i64::from(end.line))
        .end_column(i64::from(end.column))
        .byte_offset(i64::from(range.start))
        .byte_length(i64::from(range.len()))
        .build();
    PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(uri(&f.display))
                .uri_base_id("%SRCROOT%")
                .build(),
        )
        .region(region)
        .build()
}

/// A relative URI reference for a display path: percent-encodes what a URI cannot hold.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("nginx/conf.d/a b.conf"), "nginx/conf.d/a%20b.conf");
        assert_eq!(uri("k8s/é.yaml"), "k8s/%C3%A9.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
    }

    #[test]
    fn help_uris_are_absolute() {
        let uri = help_uri("parse-error");
        assert!(uri.starts_with("https://"), "{uri}");
        assert!(uri.ends_with("/docs/rules/parse-error.md"), "{uri}");
    }

    #[test]
    fn names_and_descriptions() {
        assert_eq!(pascal_case("include-not-found"), "IncludeNotFound");
        let meta = topolint_rules::rule("include-not-found").unwrap();
        let full = what_it_does(meta.docs);
        assert!(full.starts_with("Resolves every nginx `include`"), "{full}");
        assert!(!full.contains("## "), "{full}");
    }
}
