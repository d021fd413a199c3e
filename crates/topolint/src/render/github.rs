//! `--format github`: GitHub Actions workflow commands. Each finding becomes an `error`,
//! `warning` or `notice` annotation on its file and lines, shown on the pull request's diff
//! and in the run summary; the evidence and the help go in the annotation's text.

use std::io::Write;

use topolint_diagnostics::{Diagnostic, Severity};
use topolint_workspace::Workspace;

pub fn render(
    ws: &Workspace,
    findings: &[Diagnostic],
    out: &mut impl Write,
) -> std::io::Result<()> {
    for d in findings {
        let f = ws.sources.file(d.primary.file);
        let range = d.primary.range.clamp_to(f.text.len());
        let start = f.line_col(range.start);
        let end = f.line_col(range.end);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut text = format!("{} [{}]", d.message, d.rule);
        if !d.primary.message.is_empty() {
            text.push_str(&format!("\n{}", d.primary.message));
        }
        for l in &d.secondary {
            let ef = ws.sources.file(l.file);
            let pos = ef.line_col(l.range.start);
            let label = if l.message.is_empty() {
                "evidence"
            } else {
                &l.message
            };
            text.push_str(&format!(
                "\n{}:{}:{}: {label}",
                ef.display, pos.line, pos.column
            ));
        }
        if let Some(help) = &d.help {
            text.push_str(&format!("\nhelp: {help}"));
        }
        let mut props = vec![
            format!("file={}", property(&f.display)),
            format!("line={}", start.line),
            format!("endLine={}", end.line),
        ];
        // Columns are only meaningful for a one-line span.
        if start.line == end.line {
            props.push(format!("col={}", start.column));
            props.push(format!("endColumn={}", end.column.max(start.column)));
        }
        props.push(format!(
            "title={}",
            property(&format!("topolint: {}", d.rule))
        ));
        writeln!(out, "::{command} {}::{}", props.join(","), data(&text))?;
    }
    Ok(())
}

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
