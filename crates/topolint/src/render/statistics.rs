//! `--statistics`: how many findings each rule has, most frequent first.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use topolint_diagnostics::{Diagnostic, Severity};

#[derive(Serialize)]
struct Row<'a> {
    rule: &'a str,
    /// The highest severity among the rule's findings.
    severity: Severity,
    count: usize,
}

fn rows(findings: &[Diagnostic]) -> Vec<Row<'_>> {
    let mut by_rule: BTreeMap<&str, (Severity, usize)> = BTreeMap::new();
    for d in findings {
        let e = by_rule.entry(&d.rule).or_insert((d.severity, 0));
        e.0 = e.0.max(d.severity);
        e.1 += 1;
    }
    let mut rows: Vec<Row<'_>> = by_rule
        .into_iter()
        .map(|(rule, (severity, count))| Row {
            rule,
            severity,
            count,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
    rows
}

/// `count  severity  rule` lines.
pub fn table(findings: &[Diagnostic], out: &mut impl Write) -> std::io::Result<()> {
    let rows = rows(findings);
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    for r in &rows {
        writeln!(
            out,
            "{:>width$}  {:<7}  {}",
            r.count,
            r.severity.as_str(),
            r.rule
        )?;
    }
    let total: usize = rows.iter().map(|r| r.count).sum();
    writeln!(
        out,
        "{total} finding{} from {} rule{}",
        if total == 1 { "" } else { "s" },
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}

/// A JSON array of `{ "rule", "severity", "count" }`.
pub fn json(findings: &[Diagnostic], out: &mut impl Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &rows(findings))?;
    writeln!(out)
}
