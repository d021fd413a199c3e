//! The SDK as a plugin author uses it, natively: a plugin (one trait, one macro) run by
//! `testing::run` on a fixture folder, through the JSON document the host passes.

use topolint_plugin_sdk::testing::{self, Location};
use topolint_plugin_sdk::{
    export_plugin, Context, Finding, Plugin, Report, Result, RuleMeta, Severity,
};

struct NoPort8080;

impl Plugin for NoPort8080 {
    const NAME: &'static str = "no-port-8080";
    const VERSION: &'static str = "1.0.0";

    fn rules() -> Vec<RuleMeta> {
        vec![RuleMeta::new(
            "no-port-8080",
            Severity::Warning,
            "a service uses port 8080",
        )
        .docs("## What it does\nReports port 8080.\n")]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        #[derive(serde::Deserialize, Default)]
        #[serde(default, deny_unknown_fields)]
        struct Options {
            port: Option<u16>,
            narrow: bool,
        }
        let options: Options = ctx.options_as()?;
        let wanted = options.port.unwrap_or(8080);
        for service in &ctx.topology().services {
            for port in service.ports.iter().filter(|p| p.port == wanted) {
                // `narrow`: point inside the quotes of `"8080"`.
                let span = if options.narrow {
                    port.span.narrow(1, port.span.len() - 1)
                } else {
                    port.span
                };
                report.push(
                    Finding::new(
                        "no-port-8080",
                        span,
                        format!("`{}` uses port {wanted}", service.name),
                    )
                    .evidence(service.span, "declared here")
                    .severity(Severity::Error),
                );
            }
        }
        Ok(())
    }
}

export_plugin!(NoPort8080);

/// Reports under a rule it does not declare.
struct Undeclared;

impl Plugin for Undeclared {
    const NAME: &'static str = "undeclared";
    const VERSION: &'static str = "1.0.0";

    fn rules() -> Vec<RuleMeta> {
        vec![RuleMeta::new("declared", Severity::Info, "x")]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        let span = ctx.topology().services[0].span;
        report.push(Finding::new("not-declared", span, "x"));
        Ok(())
    }
}

/// Points past the end of its file.
struct OutOfBounds;

impl Plugin for OutOfBounds {
    const NAME: &'static str = "out-of-bounds";
    const VERSION: &'static str = "1.0.0";

    fn rules() -> Vec<RuleMeta> {
        vec![RuleMeta::new("out-of-bounds", Severity::Info, "x")]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        let mut span = ctx.topology().services[0].span;
        span.end = 100_000;
        report.push(Finding::new("out-of-bounds", span, "x"));
        Ok(())
    }
}

fn fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ports")
}

#[test]
fn a_plugin_runs_on_a_fixture_folder() {
    let outcome = testing::run::<NoPort8080>(fixture());
    assert_eq!(
        outcome.render(),
        "error[no-port-8080] compose.yaml:5:9: `api` uses port 8080\n  evidence compose.yaml:2:3: declared here\n"
    );
    let f = &outcome.findings[0];
    assert_eq!(
        f.primary,
        Location {
            path: "compose.yaml".into(),
            line: 5,
            column: 9,
            text: "\"8080\"".into()
        }
    );
    assert_eq!(f.secondary[0].0.text, "api");
}

#[test]
fn options_and_span_helpers() {
    let outcome = testing::run_with_options::<NoPort8080>(
        fixture(),
        serde_json::json!({"port": 80, "narrow": true}),
    );
    assert_eq!(outcome.findings.len(), 1, "{}", outcome.render());
    assert_eq!(outcome.findings[0].primary.text, "80:80");
    assert_eq!(outcome.findings[0].primary.column, 10);

    let bad = testing::run_with_options::<NoPort8080>(fixture(), serde_json::json!({"prot": 80}));
    assert!(bad.findings.is_empty());
    let error = bad.error.unwrap();
    assert!(
        error.starts_with("invalid options: unknown field `prot`"),
        "{error}"
    );
}

#[test]
fn findings_must_name_a_declared_rule() {
    let outcome = testing::run::<Undeclared>(fixture());
    assert_eq!(
        outcome.error.as_deref(),
        Some("reported a finding under `not-declared`, which is not one of the rules it declares")
    );
}

#[test]
fn spans_outside_their_file_are_caught() {
    let panic = std::panic::catch_unwind(|| testing::run::<OutOfBounds>(fixture())).unwrap_err();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.starts_with("span ") && message.contains("is outside `compose.yaml`"),
        "{message}"
    );
}

#[test]
fn metadata_reaches_the_abi_types() {
    let meta = topolint_plugin_sdk::__glue::metadata::<NoPort8080>();
    assert_eq!(meta.name, "no-port-8080");
    assert_eq!(meta.rules[0].id, "no-port-8080");
    let findings = topolint_plugin_sdk::__glue::check::<NoPort8080>(
        r#"{"schema": 1, "files": [{"id": 0, "path": "a.yaml", "kind": "compose"}],
            "services": [{"name": "api", "span": {"file": 0, "start": 2, "end": 5},
                          "ports": [{"port": 8080, "span": {"file": 0, "start": 10, "end": 16}}]}]}"#,
        "{}",
    )
    .unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].primary.span.start, findings[0].primary.span.end),
        (10, 16)
    );
    let wrong_schema = topolint_plugin_sdk::__glue::check::<NoPort8080>(r#"{"schema": 2}"#, "{}");
    assert!(wrong_schema
        .unwrap_err()
        .starts_with("the model document has schema 2"));
    let not_json = topolint_plugin_sdk::__glue::check::<NoPort8080>("{", "{}");
    assert!(not_json
        .unwrap_err()
        .starts_with("cannot read the model document"));
}
