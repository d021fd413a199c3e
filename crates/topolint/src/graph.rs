//! `topolint graph`: the topology as JSON (the versioned model document), Mermaid or DOT.
//! Calls are drawn caller -> service -> workload with the port on the edge; an edge that a
//! finding points at (or that resolves to nothing) is drawn red with the rule id.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use topolint_diagnostics::Diagnostic;
use topolint_model::{Caller, Edge, EdgeStatus, Platform, Topology};
use topolint_workspace::{LoadOptions, RealFs, WalkOptions};

use crate::cli::{GraphArgs, GraphFormat};

pub fn run(args: &GraphArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let paths = if args.paths.is_empty() {
        vec![std::path::PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let inputs: Vec<_> = paths
        .into_iter()
        .map(topolint_workspace::Input::Path)
        .collect();
    let options = LoadOptions {
        walk: WalkOptions {
            no_ignore: args.no_ignore,
        },
        base_dir: std::env::current_dir().ok(),
        ..LoadOptions::default()
    };
    let ws = topolint_workspace::load(&inputs, &options, &RealFs)?;
    // The same facts as `topolint check` (topolint.toml upwards from the first path).
    let cwd = std::env::current_dir()?;
    let first = args
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    let config = crate::check::resolve_config(None, &first, &cwd)?;
    let lint_options = topolint_linter::LintOptions {
        link: topolint_linter::link_options(&config.facts, &cwd),
        ..topolint_linter::LintOptions::default()
    };
    let outcome = topolint_linter::run(&ws, &lint_options);
    let text = match args.format {
        GraphFormat::Json => outcome.topology.to_json(),
        GraphFormat::Mermaid => mermaid(&outcome.topology, &outcome.findings),
        GraphFormat::Dot => dot(&outcome.topology, &outcome.findings),
    };
    writeln!(out, "{text}")?;
    // The process ends right after this ([`crate::alloc::exit`]): nothing to free.
    std::mem::forget((ws, outcome));
    Ok(ExitCode::SUCCESS)
}

/// A drawable graph: nodes (id -> label, shape, group) and edges.
struct Drawing {
    nodes: BTreeMap<String, (String, Shape, Option<String>)>,
    edges: Vec<(String, String, String, bool, bool)>, // from, to, label, broken, dashed
}

#[derive(Clone, Copy)]
enum Shape {
    Box,
    Round,
    Hex,
    Note,
}

fn build(t: &Topology, findings: &[Diagnostic]) -> Drawing {
    let mut d = Drawing {
        nodes: BTreeMap::new(),
        edges: Vec::new(),
    };
    let group = |platform: Platform, scope: &str| match platform {
        Platform::Compose => format!("compose project {scope}"),
        Platform::Kubernetes => format!("namespace {scope}"),
    };
    for w in &t.workloads {
        let image = w
            .containers
            .iter()
            .find(|c| !c.init)
            .and_then(|c| c.image.clone())
            .unwrap_or_default();
        let label = if w.platform == Platform::Compose {
            if image.is_empty() {
                w.name.to_string()
            } else {
                format!("{}\n{image}", w.name)
            }
        } else {
            format!("{} {}", w.kind, w.name)
        };
        d.nodes.insert(
            w.id.to_string(),
            (label, Shape::Box, Some(group(w.platform, &w.scope))),
        );
    }
    for s in &t.services {
        if s.platform == Platform::Compose {
            continue; // a compose service is its workload
        }
        let ports: Vec<String> = s.ports.iter().map(|p| p.port.to_string()).collect();
        d.nodes.insert(
            s.id.to_string(),
            (
                format!("{} {} :{}", s.kind, s.name, ports.join(",")),
                Shape::Round,
                Some(group(s.platform, &s.scope)),
            ),
        );
        for (i, wid) in s.workloads.iter().enumerate() {
            let target = s
                .ports
                .first()
                .and_then(|p| p.target.clone())
                .unwrap_or_default();
            if i < 8 {
                d.edges.push((
                    s.id.to_string(),
                    wid.to_string(),
                    target.to_string(),
                    false,
                    false,
                ));
            }
        }
    }
    // Services whose selector matches nothing: a red edge to "no pods".
    for sv in &t.services {
        let Some(sel) = sv.selector.as_ref().filter(|s| !s.is_empty()) else {
            continue;
        };
        if sv.platform != Platform::Kubernetes
            || !sv.workloads.is_empty()
            || sv.kind == "ServiceEntry"
        {
            continue;
        }
        let rules: Vec<String> = findings
            .iter()
            .filter(|f| {
                sel.span
                    .is_some_and(|sp| f.primary.file == sp.file && f.primary.range == sp.range())
            })
            .map(|f| f.rule.to_string())
            .collect();
        let id = format!("x:nopods:{}", sv.id);
        d.nodes.insert(
            id.clone(),
            (
                "no pods match".into(),
                Shape::Note,
                Some(group(sv.platform, &sv.scope)),
            ),
        );
        let labels: Vec<String> = sel
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut label = labels.join(",");
        if !rules.is_empty() {
            label = format!("{label} ✗ {}", rules.join(", "));
        }
        d.edges.push((sv.id.to_string(), id, label, true, false));
    }
    for p in &t.proxies {
        if p.placement.is_none() {
            d.nodes.insert(
                p.id.to_string(),
                (
                    format!("nginx {}", p.id.trim_start_matches("nginx:")),
                    Shape::Hex,
                    None,
                ),
            );
        }
    }
    for r in &t.routes {
        d.nodes.insert(
            r.id.to_string(),
            (
                format!("{} {}", r.kind, r.name),
                Shape::Hex,
                Some(group(Platform::Kubernetes, &r.namespace)),
            ),
        );
    }
    // Rule ids by edge span.
    let mut rules_at: BTreeMap<(u32, u32, u32), Vec<String>> = BTreeMap::new();
    for f in findings {
        rules_at
            .entry((f.primary.file.0, f.primary.range.start, f.primary.range.end))
            .or_default()
            .push(f.rule.to_string());
    }
    for e in &t.edges {
        if e.status == EdgeStatus::Upstream {
            continue;
        }
        let from = caller_node(t, e);
        let key = (e.span.file.0, e.span.start, e.span.end);
        let rules = rules_at.get(&key).cloned().unwrap_or_default();
        let port = e.port.map(|p| format!(":{p}")).unwrap_or_default();
        let mut label = format!("{}{port}", e.host);
        if !rules.is_empty() {
            label = format!("{label} ✗ {}", rules.join(", "));
        }
        let broken = !rules.is_empty() || e.status == EdgeStatus::Unresolved;
        let to = match (&e.target, e.status) {
            (Some(t), EdgeStatus::Resolved) => t.service.to_string(),
            _ => {
                let id = format!(
                    "x:{}{port}@{}",
                    e.host,
                    e.caller_workload.clone().unwrap_or_default()
                );
                let what = match e.status {
                    EdgeStatus::Loopback => "localhost (own container)",
                    EdgeStatus::External => "external",
                    EdgeStatus::Unknown => "unknown",
                    _ => "unresolved",
                };
                d.nodes.entry(id.clone()).or_insert((
                    format!("{}{port}\n{what}", e.host),
                    Shape::Note,
                    None,
                ));
                id
            }
        };
        d.edges
            .push((from, to, label, broken, e.status == EdgeStatus::Unknown));
    }
    // One arrow per distinct call (two locations proxying to the same place draw once).
    let mut seen = std::collections::BTreeSet::new();
    d.edges
        .retain(|(a, b, l, _, _)| seen.insert((a.clone(), b.clone(), l.clone())));
    d
}

fn caller_node(t: &Topology, e: &Edge) -> String {
    match &e.caller {
        Caller::Proxy { id } => e
            .caller_workload
            .clone()
            .filter(|w| t.workload(w).is_some())
            .unwrap_or_else(|| id.clone())
            .to_string(),
        Caller::Workload { id, .. } => id.to_string(),
        Caller::Route { id } => id.to_string(),
    }
}

fn esc(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', "<br/>")
}

fn mermaid(t: &Topology, findings: &[Diagnostic]) -> String {
    let d = build(t, findings);
    let ids: BTreeMap<&String, String> = d
        .nodes
        .keys()
        .enumerate()
        .map(|(i, k)| (k, format!("n{i}")))
        .collect();
    let mut s = String::from("flowchart LR\n");
    let mut groups: BTreeMap<Option<&String>, Vec<&String>> = BTreeMap::new();
    for (id, (_, _, g)) in &d.nodes {
        groups.entry(g.as_ref()).or_default().push(id);
    }
    for (gi, (g, members)) in groups.iter().enumerate() {
        let indent = if g.is_some() { "    " } else { "  " };
        if let Some(g) = g {
            let _ = writeln!(s, "  subgraph g{gi}[\"{}\"]", esc(g));
        }
        for id in members {
            let (label, shape, _) = &d.nodes[*id];
            let (open, close) = match shape {
                Shape::Box => ("[\"", "\"]"),
                Shape::Round => ("([\"", "\"])"),
                Shape::Hex => ("{{\"", "\"}}"),
                Shape::Note => ("[/\"", "\"/]"),
            };
            let _ = writeln!(s, "{indent}{}{open}{}{close}", ids[*id], esc(label));
        }
        if g.is_some() {
            s.push_str("  end\n");
        }
    }
    let mut red = Vec::new();
    for (i, (from, to, label, broken, dashed)) in d.edges.iter().enumerate() {
        let (Some(a), Some(b)) = (ids.get(from), ids.get(to)) else {
            continue;
        };
        let arrow = if *dashed { "-.->" } else { "-->" };
        if label.is_empty() {
            let _ = writeln!(s, "  {a} {arrow} {b}");
        } else {
            let _ = writeln!(s, "  {a} {arrow}|\"{}\"| {b}", esc(label));
        }
        if *broken {
            red.push(i.to_string());
        }
    }
    if !red.is_empty() {
        let _ = writeln!(
            s,
            "  linkStyle {} stroke:#d32f2f,stroke-width:2px,color:#d32f2f",
            red.join(",")
        );
    }
    s
}

fn dot(t: &Topology, findings: &[Diagnostic]) -> String {
    let d = build(t, findings);
    let q = |s: &str| {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        )
    };
    let mut s = String::from("digraph topology {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let mut groups: BTreeMap<Option<&String>, Vec<&String>> = BTreeMap::new();
    for (id, (_, _, g)) in &d.nodes {
        groups.entry(g.as_ref()).or_default().push(id);
    }
    for (gi, (g, members)) in groups.iter().enumerate() {
        if let Some(g) = g {
            let _ = writeln!(s, "  subgraph cluster_{gi} {{\n    label={};", q(g));
        }
        for id in members {
            let (label, shape, _) = &d.nodes[*id];
            let shape = match shape {
                Shape::Box => "box",
                Shape::Round => "ellipse",
                Shape::Hex => "hexagon",
                Shape::Note => "note",
            };
            let _ = writeln!(s, "    {} [label={}, shape={shape}];", q(id), q(label));
        }
        if g.is_some() {
            s.push_str("  }\n");
        }
    }
    for (from, to, label, broken, dashed) in &d.edges {
        let mut attrs = vec![format!("label={}", q(label))];
        if *broken {
            attrs.push("color=red, fontcolor=red, penwidth=2".into());
        }
        if *dashed {
            attrs.push("style=dashed".into());
        }
        let _ = writeln!(s, "  {} -> {} [{}];", q(from), q(to), attrs.join(", "));
    }
    s.push_str("}\n");
    s
}
