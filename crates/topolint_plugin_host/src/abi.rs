//! The ABI versions this host speaks, each behind its own bindings.
//!
//! A plugin exports `topolint:plugin/rules@<version>`. [`load`] finds which version a
//! component exports and binds it; the rest of the host sees only [`Meta`] and
//! [`RawFinding`]s, so a future `v2` adds a module and an [`Abi`] variant without touching
//! the sandbox, the validation or the findings.

use std::time::{Duration, Instant};

use topolint_diagnostics::Severity;
use wasmtime::component::Component;

use crate::cause::{self, Cause, Kind};
use crate::sandbox::{Runtime, State};
use crate::{CheckStats, PluginSource};

/// Version 1.x: `wit/plugin.wit`.
pub(crate) mod v1 {
    pub const VERSION: &str = "1.0.0";
    /// The export a 1.x plugin has.
    pub const EXPORT: &str = "topolint:plugin/rules@1.0.0";

    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "plugin",
    });
}

/// A rule as a plugin declares it.
#[derive(Debug, Clone)]
pub(crate) struct RuleMeta {
    pub id: String,
    pub default_severity: Severity,
    pub summary: String,
    pub docs: String,
}

/// A plugin's metadata.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub name: String,
    pub version: String,
    pub rules: Vec<RuleMeta>,
}

/// A span as a plugin reports it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawSpan {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct RawLabel {
    pub span: RawSpan,
    pub message: String,
}

/// A finding as a plugin reports it, before validation.
#[derive(Debug, Clone)]
pub(crate) struct RawFinding {
    pub rule: String,
    pub severity: Option<Severity>,
    pub message: String,
    pub help: Option<String>,
    pub primary: RawLabel,
    pub secondary: Vec<RawLabel>,
}

enum Abi {
    V1(v1::PluginPre<State>),
}

/// A compiled, linked plugin with its metadata.
pub(crate) struct LoadedPlugin {
    abi: Abi,
    pub meta: Meta,
}

/// Finds the ABI version, links the plugin and reads its metadata (under the plugin's
/// deadline and memory cap). On failure: the plugin's name if it was learnt, and why.
pub(crate) fn load(
    runtime: &Runtime,
    component: &Component,
    source: &PluginSource,
) -> Result<LoadedPlugin, (Option<String>, Cause)> {
    let exports: Vec<String> = component
        .component_type()
        .exports(&runtime.engine)
        .map(|(name, _)| name.to_string())
        .collect();
    if !exports.iter().any(|e| e == v1::EXPORT) {
        let other = exports
            .iter()
            .find_map(|e| e.strip_prefix("topolint:plugin/rules@"));
        let text = match other {
            Some(version) => format!(
                "is built for ABI {version}, and this topolint speaks ABI {}",
                v1::VERSION
            ),
            None => format!(
                "is not a topolint plugin: it does not export `{}` (its exports: {})",
                v1::EXPORT,
                if exports.is_empty() {
                    "none".to_string()
                } else {
                    exports.join(", ")
                }
            ),
        };
        return Err((None, Cause::new(Kind::Load, text)));
    }
    let pre = runtime
        .pre_instantiate(component)
        .and_then(v1::PluginPre::new)
        .map_err(|e| {
            (
                None,
                Cause::new(
                    Kind::Load,
                    format!(
                        "cannot be linked: {}",
                        format!("{e:#}").lines().next().unwrap_or("")
                    ),
                ),
            )
        })?;
    let (mut store, output) = runtime.store(source.memory_limit);
    let result = runtime.call(&mut store, source.timeout, |store| {
        let instance = pre.instantiate(&mut *store)?;
        instance.topolint_plugin_rules().call_metadata(&mut *store)
    });
    let meta = result.map_err(|e| {
        (
            None,
            cause::from_error(
                &e,
                &output.contents(),
                source.timeout,
                source.memory_limit,
                "while loading",
            ),
        )
    })?;
    Ok(LoadedPlugin {
        abi: Abi::V1(pre),
        meta: Meta {
            name: meta.name,
            version: meta.version,
            rules: meta
                .rules
                .into_iter()
                .map(|r| RuleMeta {
                    id: r.id,
                    default_severity: v1_severity(r.default_severity),
                    summary: r.summary,
                    docs: r.docs,
                })
                .collect(),
        },
    })
}

fn v1_severity(s: v1::topolint::plugin::types::Severity) -> Severity {
    use v1::topolint::plugin::types::Severity as S;
    match s {
        S::Error => Severity::Error,
        S::Warning => Severity::Warning,
        S::Info => Severity::Info,
    }
}

fn v1_label(l: v1::topolint::plugin::types::Label) -> RawLabel {
    RawLabel {
        span: RawSpan {
            file: l.span.file,
            start: l.span.start,
            end: l.span.end,
        },
        message: l.message,
    }
}

/// One check: a fresh instance, the deadline, the call.
pub(crate) fn check(
    runtime: &Runtime,
    plugin: &LoadedPlugin,
    document: &str,
    options: &str,
    timeout: Duration,
    memory_limit: usize,
) -> (Result<Vec<RawFinding>, Cause>, CheckStats) {
    let (mut store, output) = runtime.store(memory_limit);
    let mut stats = CheckStats {
        plugin: plugin.meta.name.clone(),
        instantiate: Duration::ZERO,
        call: Duration::ZERO,
        findings: 0,
    };
    let Abi::V1(pre) = &plugin.abi;
    let result = runtime.call(&mut store, timeout, |store| {
        let started = Instant::now();
        let instance = pre.instantiate(&mut *store)?;
        stats.instantiate = started.elapsed();
        let started = Instant::now();
        let result = instance
            .topolint_plugin_rules()
            .call_check(&mut *store, document, options);
        stats.call = started.elapsed();
        result
    });
    let during = "while checking";
    let result = match result {
        Err(e) => Err(cause::from_error(
            &e,
            &output.contents(),
            timeout,
            memory_limit,
            during,
        )),
        Ok(Err(message)) => Err(Cause::new(
            Kind::Reported,
            format!("reported an error: {}", message.trim()),
        )),
        Ok(Ok(findings)) => Ok(findings
            .into_iter()
            .map(|f| RawFinding {
                rule: f.rule,
                severity: f.severity.map(v1_severity),
                message: f.message,
                help: f.help,
                primary: v1_label(f.primary),
                secondary: f.secondary.into_iter().map(v1_label).collect(),
            })
            .collect()),
    };
    (result, stats)
}
