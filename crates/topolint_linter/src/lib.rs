//! One lint run over a loaded [`Workspace`]: the input-level findings of the loader, the
//! findings made while linking, and the rule findings over the linked [`Topology`], sorted
//! the one stable way. The CLI and the LSP both call [`lint`] (or [`run`] when they also want
//! the model); neither runs rules by itself.

use std::sync::Arc;

use topolint_diagnostics::{Diagnostic, SourceMap};
use topolint_model::{LinkOptions, Topology};
use topolint_workspace::Workspace;

/// Rules that are not compiled in: WebAssembly plugins (`topolint_plugin_host` implements
/// this). They see what built-in rules see, run after them, and their findings join the
/// same sorted list.
pub trait ExternalRules: Send + Sync + std::fmt::Debug {
    /// Findings over one topology; only rules for which `enabled(id)` holds report. Errors
    /// of the rules themselves are findings too (`plugin-error`), never a failed run.
    fn check(
        &self,
        topology: &Topology,
        sources: &SourceMap,
        enabled: &dyn Fn(&str) -> bool,
    ) -> Vec<Diagnostic>;
}

/// Options of one run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Facts for the linker (cluster domain, nginx placements).
    pub link: LinkOptions,
    /// When set, only these rule ids run (the loader's own findings are always kept).
    pub only: Option<Vec<String>>,
    /// Plugin rules, run after the built-in rules.
    pub external: Vec<Arc<dyn ExternalRules>>,
}

/// A run's model and findings.
pub struct Outcome {
    pub topology: Topology,
    /// Sorted, deduplicated.
    pub findings: Vec<Diagnostic>,
    /// How long linking and the rules took (`TOPOLINT_TIMINGS=1 topolint check` prints it).
    pub timings: Timings,
}

/// Wall time of the linter's phases.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub link: std::time::Duration,
    /// Built-in and plugin rules.
    pub rules: std::time::Duration,
}

/// The linker's options from the facts of topolint.toml; paths are shown relative to
/// `base_dir`, as the workspace shows them.
pub fn link_options(facts: &topolint_config::Facts, base_dir: &std::path::Path) -> LinkOptions {
    use topolint_config::RunsIn;
    let target = |r: &RunsIn| match r {
        RunsIn::Compose { service } => format!("compose:{service}"),
        RunsIn::Kubernetes(k) => format!("k8s:{}/{}", k.namespace, k.name),
    };
    let nginx_placements = facts
        .nginx
        .iter()
        .map(|n| {
            let rel = n.resolved.strip_prefix(base_dir).unwrap_or(&n.resolved);
            (rel.to_string_lossy().replace('\\', "/"), target(&n.runs_in))
        })
        .collect();
    // A load balancer in front of the entry point bounds every request path.
    let edge_timeout_ms = facts
        .load_balancers
        .iter()
        .filter(|lb| lb.in_front_of.is_none())
        .map(|lb| lb.idle_timeout.as_millis() as u64)
        .min();
    LinkOptions {
        cluster_domain: facts.cluster_domain.clone(),
        nginx_placements,
        istio_root_namespace: facts.istio_root_namespace.clone(),
        edge_timeout_ms,
        memoize_embedded: false,
        reclaim: None,
    }
}

/// Links the workspace and runs the rules.
pub fn run(ws: &Workspace, options: &LintOptions) -> Outcome {
    let started = std::time::Instant::now();
    let linked = topolint_model::link(ws, &options.link);
    rules(ws, linked, options, started)
}

/// [`run`] for a one-shot run that owns its workspace: each file's parse tree is dropped as
/// soon as no later stage of the linker reads it ([`topolint_model::Linker`]), so the
/// trees and the model are never all in memory at once. Afterwards the workspace holds
/// texts and kinds only ([`topolint_workspace::Content::Released`]), and no line index
/// (built again on demand): anything that reads trees (the gate's suppressions:
/// `topolint_gate::suppress::collect`) runs before.
pub fn run_releasing(ws: &mut Workspace, options: &LintOptions) -> Outcome {
    run_lowered(ws, options, Default::default())
}

/// [`run_releasing`] for a workspace loaded with [`topolint_model::LowerKubernetes`]
/// (`topolint_workspace::load_with`): `lowered` is what it made of the Kubernetes files,
/// whose trees are already gone.
pub fn run_lowered(
    ws: &mut Workspace,
    options: &LintOptions,
    lowered: topolint_model::k8s::K8sOutput,
) -> Outcome {
    let started = std::time::Instant::now();
    let mut linker = topolint_model::Linker::lower_releasing(ws, &options.link, lowered);
    linker.proxies(ws);
    ws.release_trees(|_| false);
    // Every span of the model is made: only the files with findings need their line index
    // again (the gate and the renderers build it on demand).
    ws.sources.release_line_indexes();
    options.link.reclaim();
    let linked = linker.finish(ws);
    options.link.reclaim();
    rules(ws, linked, options, started)
}

fn rules(
    ws: &Workspace,
    linked: topolint_model::LinkOutput,
    options: &LintOptions,
    started: std::time::Instant,
) -> Outcome {
    let link = started.elapsed();
    let mut findings = ws.diagnostics.clone();
    findings.extend(linked.diagnostics);
    let ctx = topolint_rules::Context {
        topology: &linked.topology,
        sources: &ws.sources,
    };
    let enabled = |id: &str| {
        options
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| o == id))
    };
    findings.extend(topolint_rules::run(&ctx, &enabled));
    for external in &options.external {
        findings.extend(external.check(&linked.topology, &ws.sources, &enabled));
    }
    let rules = started.elapsed() - link;
    Workspace::sort_diagnostics(&ws.sources, &mut findings);
    Outcome {
        topology: linked.topology,
        findings,
        timings: Timings { link, rules },
    }
}

/// Every finding of one run, sorted.
pub fn lint(ws: &Workspace, options: &LintOptions) -> Vec<Diagnostic> {
    run(ws, options).findings
}
