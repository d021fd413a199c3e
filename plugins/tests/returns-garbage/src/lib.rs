//! Breaks the ABI's rules on purpose, implementing the exports directly rather than
//! through the SDK (which would refuse most of this). The `mode` option picks the garbage:
//! `invalid-utf8` (default; a message that is not UTF-8), `undeclared-rule`,
//! `span-outside-file`, `unknown-file`, `reversed-span`, `flood` (100 000 findings).

#![allow(unsafe_code)]

use topolint_plugin_sdk::__bindings::exports::topolint::plugin::rules::Guest;
use topolint_plugin_sdk::__bindings::topolint::plugin::types::{
    Finding, Label, PluginMeta, RuleMeta, Severity, Span,
};

struct Garbage;

fn finding(rule: &str, message: String, span: Span) -> Finding {
    Finding {
        rule: rule.to_string(),
        severity: None,
        message,
        help: None,
        primary: Label {
            span,
            message: String::new(),
        },
        secondary: Vec::new(),
    }
}

impl Guest for Garbage {
    fn metadata() -> PluginMeta {
        PluginMeta {
            name: "returns-garbage".into(),
            version: "0.1.0".into(),
            rules: vec![RuleMeta {
                id: "returns-garbage".into(),
                default_severity: Severity::Error,
                summary: "a test plugin that returns garbage".into(),
                docs: "## What it does\nReturns garbage.\n".into(),
            }],
        }
    }

    fn check(_topology: String, options: String) -> Result<Vec<Finding>, String> {
        let options: serde_json::Value =
            serde_json::from_str(&options).map_err(|e| e.to_string())?;
        let mode = options["mode"].as_str().unwrap_or("invalid-utf8");
        let ok = Span {
            file: 0,
            start: 0,
            end: 1,
        };
        Ok(match mode {
            "invalid-utf8" => {
                // SAFETY: none; the point is to hand the host bytes that are not UTF-8. The
                // string is only ever copied out by the ABI glue.
                let bytes = unsafe { String::from_utf8_unchecked(vec![b'o', b'k', 0xff, 0xfe]) };
                vec![finding("returns-garbage", bytes, ok)]
            }
            "undeclared-rule" => vec![finding("parse-error", "pretends to be built in".into(), ok)],
            "span-outside-file" => vec![finding(
                "returns-garbage",
                "points past the end of the file".into(),
                Span {
                    file: 0,
                    start: 0,
                    end: 10_000_000,
                },
            )],
            "unknown-file" => vec![finding(
                "returns-garbage",
                "points into a file that does not exist".into(),
                Span {
                    file: 4242,
                    start: 0,
                    end: 0,
                },
            )],
            "reversed-span" => vec![finding(
                "returns-garbage",
                "ends before it starts".into(),
                Span {
                    file: 0,
                    start: 5,
                    end: 2,
                },
            )],
            "flood" => (0..100_000)
                .map(|i| finding("returns-garbage", format!("finding {i}"), ok))
                .collect(),
            other => return Err(format!("unknown mode `{other}`")),
        })
    }
}

topolint_plugin_sdk::__bindings::__export_plugin_world!(Garbage);
