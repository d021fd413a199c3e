//! `--format junit`: JUnit XML for CI test reports (GitLab `artifacts:reports:junit`,
//! Jenkins, Azure Pipelines). One test suite per linted file; each finding is a test case
//! that fails when its severity is at or above the fail level (and passes, with the note in
//! its output, below it); a file without findings is one passing test case.

use std::collections::BTreeMap;
use std::io::Write;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use topolint_diagnostics::{Diagnostic, Severity};
use topolint_workspace::{Content, Workspace};

pub fn render(
    ws: &Workspace,
    findings: &[Diagnostic],
    fail_on: Severity,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for f in &ws.files {
        if !matches!(f.content, Content::Skipped(_)) {
            by_file.entry(&ws.sources.file(f.id).display).or_default();
        }
    }
    for d in findings {
        by_file
            .entry(&ws.sources.file(d.primary.file).display)
            .or_default()
            .push(d);
    }
    let mut report = Report::new("topolint");
    for (path, diags) in by_file {
        let mut suite = TestSuite::new(path);
        if diags.is_empty() {
            let mut case = TestCase::new(path, TestCaseStatus::success());
            case.set_classname(path);
            suite.add_test_case(case);
        }
        for d in diags {
            let f = ws.sources.file(d.primary.file);
            let pos = f.line_col(d.primary.range.start);
            let mut details = format!(
                "{}:{}:{}: {}[{}]: {}",
                f.display, pos.line, pos.column, d.severity, d.rule, d.message
            );
            for l in &d.secondary {
                let ef = ws.sources.file(l.file);
                let p = ef.line_col(l.range.start);
                details.push_str(&format!(
                    "\n  evidence: {}:{}:{}: {}",
                    ef.display, p.line, p.column, l.message
                ));
            }
            if let Some(help) = &d.help {
                details.push_str(&format!("\n  help: {help}"));
            }
            let name = format!("{} at {}:{}", d.rule, pos.line, pos.column);
            let mut case = if d.severity >= fail_on {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(d.message.as_str())
                    .set_type(d.severity.as_str())
                    .set_description(details);
                TestCase::new(name, status)
            } else {
                let mut case = TestCase::new(name, TestCaseStatus::success());
                case.set_system_out(details);
                case
            };
            case.set_classname(path);
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.serialize(&mut *out).map_err(std::io::Error::other)?;
    writeln!(out)
}
