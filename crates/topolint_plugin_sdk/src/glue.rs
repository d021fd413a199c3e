//! From the [`Plugin`] trait to the ABI's exports, and the one check path shared by the
//! WebAssembly exports and the native [`crate::testing`] helper.

use crate::__bindings::topolint::plugin::types as wit;
use crate::{Context, Error, Finding, Plugin, Report, Severity, Topology, MODEL_SCHEMA};

fn severity(s: Severity) -> wit::Severity {
    match s {
        Severity::Error => wit::Severity::Error,
        Severity::Warning => wit::Severity::Warning,
        Severity::Info => wit::Severity::Info,
    }
}

fn label(l: &crate::Label) -> wit::Label {
    wit::Label {
        span: wit::Span {
            file: l.span.file,
            start: l.span.start,
            end: l.span.end,
        },
        message: l.message.clone(),
    }
}

/// The `metadata` export.
pub fn metadata<P: Plugin>() -> wit::PluginMeta {
    wit::PluginMeta {
        name: P::NAME.to_string(),
        version: P::VERSION.to_string(),
        rules: P::rules()
            .into_iter()
            .map(|r| wit::RuleMeta {
                id: r.id,
                default_severity: severity(r.default_severity),
                summary: r.summary,
                docs: r.docs,
            })
            .collect(),
    }
}

/// The `check` export.
pub fn check<P: Plugin>(topology: &str, options: &str) -> Result<Vec<wit::Finding>, String> {
    let findings = run::<P>(topology, options).map_err(|e| e.0)?;
    Ok(findings
        .iter()
        .map(|f| wit::Finding {
            rule: f.rule.clone(),
            severity: f.severity.map(severity),
            message: f.message.clone(),
            help: f.help.clone(),
            primary: label(&f.primary),
            secondary: f.secondary.iter().map(label).collect(),
        })
        .collect())
}

/// Parses the document and the options, runs the plugin, and checks that every finding
/// names one of its rules.
pub(crate) fn run<P: Plugin>(document: &str, options: &str) -> Result<Vec<Finding>, Error> {
    let topology: Topology = serde_json::from_str(document)
        .map_err(|e| Error(format!("cannot read the model document: {e}")))?;
    if topology.schema != MODEL_SCHEMA {
        return Err(Error(format!(
            "the model document has schema {}, this plugin reads schema {MODEL_SCHEMA}: rebuild it with a matching topolint_plugin_sdk",
            topology.schema
        )));
    }
    let options: serde_json::Value = if options.trim().is_empty() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        serde_json::from_str(options).map_err(|e| Error(format!("cannot read the options: {e}")))?
    };
    let serde_json::Value::Object(options) = options else {
        return Err(Error("the options are not a JSON object".into()));
    };
    let ctx = Context::new(&topology, &options, document);
    let mut report = Report::new();
    P::check(&ctx, &mut report)?;
    let rules = P::rules();
    let findings = report.into_findings();
    if let Some(f) = findings
        .iter()
        .find(|f| !rules.iter().any(|r| r.id == f.rule))
    {
        return Err(Error(format!(
            "reported a finding under `{}`, which is not one of the rules it declares",
            f.rule
        )));
    }
    Ok(findings)
}
