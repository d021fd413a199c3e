//! Hover: the rule's documentation on a flagged span, and what a name resolves to in the
//! model on an nginx upstream host, a `proxy_pass` target, a Service or compose service name.

use std::fmt::Write as _;

use lsp_types as lsp;
use topolint_diagnostics::{Diagnostic, FileId, TextRange};
use topolint_model::{Edge, EdgeStatus, Service, Topology, Upstream};

use crate::convert;
use crate::engine::Analysis;

/// The hover at byte `offset` of `file`, if anything there is flagged or resolvable.
pub(crate) fn hover(a: &Analysis, file: FileId, offset: u32) -> Option<lsp::Hover> {
    let mut sections: Vec<String> = Vec::new();
    let mut span: Option<TextRange> = None;
    let mut take = |range: TextRange, text: String, sections: &mut Vec<String>| {
        // The narrowest span is the one the editor highlights.
        if span.is_none_or(|s| range.len() < s.len()) {
            span = Some(range);
        }
        if !sections.contains(&text) {
            sections.push(text);
        }
    };

    for d in a
        .findings
        .iter()
        .filter(|d| d.primary.file == file && contains(d.primary.range, offset))
    {
        take(d.primary.range, finding(d), &mut sections);
    }
    let topo = &a.topology;
    for e in topo
        .edges
        .iter()
        .filter(|e| e.span.file == file && contains(e.span.range(), offset))
    {
        take(e.span.range(), edge(topo, e), &mut sections);
    }
    for s in &topo.services {
        if let Some(name) = s
            .names
            .iter()
            .find(|n| n.span.file == file && contains(n.span.range(), offset))
        {
            take(name.span.range(), service(topo, s, None), &mut sections);
        }
    }
    for p in &topo.proxies {
        for u in &p.upstreams {
            if u.span.file == file && contains(u.span.range(), offset) {
                take(u.span.range(), upstream(topo, u), &mut sections);
            }
        }
    }

    if sections.is_empty() {
        return None;
    }
    let source = a.sources.file(file);
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: span.map(|r| convert::range(source, r)),
    })
}

fn contains(r: TextRange, offset: u32) -> bool {
    r.start <= offset && offset <= r.end
}

/// A finding and its rule's documentation.
fn finding(d: &Diagnostic) -> String {
    let mut s = format!("**{}** · `{}` · {}\n\n", d.message, d.rule, d.severity);
    if let Some(help) = &d.help {
        let _ = writeln!(s, "help: {help}\n");
    }
    match topolint_rules::rule(&d.rule) {
        Some(meta) => {
            let _ = writeln!(s, "### `{}`: {}\n", meta.id, meta.summary);
            s.push_str(meta.docs.trim_end());
            if let Some(uri) = convert::rule_docs_uri(meta.id) {
                let _ = write!(s, "\n\n[Rule documentation]({})", uri.as_str());
            }
        }
        None => s.push_str("(no documentation: not a built-in rule)"),
    }
    s
}

fn status(s: EdgeStatus) -> &'static str {
    match s {
        EdgeStatus::Resolved => "resolved",
        EdgeStatus::Loopback => "loopback: the caller's own network namespace",
        EdgeStatus::External => "external: outside the model",
        EdgeStatus::Upstream => "an nginx `upstream` block",
        EdgeStatus::Unknown => "unknown: not decidable from the files",
        EdgeStatus::Unresolved => "unresolved: names nothing in the model",
    }
}

/// A call: what it names and where it lands.
fn edge(topo: &Topology, e: &Edge) -> String {
    let target = match e.port {
        Some(p) => format!("{}:{p}", e.host),
        None => e.host.to_string(),
    };
    let mut s = format!("**`{target}`** via `{}` — {}", e.via, status(e.status));
    if let Some(reason) = &e.reason {
        let _ = write!(s, " ({reason})");
    }
    s.push_str("\n\n");
    if let Some(w) = &e.caller_workload {
        let _ = writeln!(s, "called from `{w}`\n");
    }
    match (&e.target, e.status) {
        (Some(t), _) => {
            if let Some(svc) = topo.service(&t.service) {
                let used = t.port_index.and_then(|i| svc.ports.get(i));
                match (used, e.port) {
                    (Some(p), _) => {
                        let _ = writeln!(s, "port {} of the service is used\n", p.port);
                    }
                    (None, Some(port)) if !svc.ports.is_empty() => {
                        let _ = writeln!(s, "**{port} is not a port of this service**\n");
                    }
                    _ => {}
                }
                s.push_str(&service(topo, svc, Some(&t.endpoints)));
            } else {
                let _ = write!(s, "→ `{}`", t.service);
            }
        }
        (None, EdgeStatus::Upstream) => {
            if let Some(u) = topo
                .proxies
                .iter()
                .filter(|p| p.id == e.caller.id())
                .flat_map(|p| &p.upstreams)
                .find(|u| u.name == e.host)
            {
                s.push_str(&upstream(topo, u));
            }
        }
        _ => {}
    }
    s
}

/// An nginx `upstream` block and where each of its servers lands.
fn upstream(topo: &Topology, u: &Upstream) -> String {
    let mut s = format!("**upstream `{}`**\n", u.name);
    for server in &u.servers {
        let landing = topo
            .edges
            .iter()
            .find(|e| e.span == server.span)
            .map(|e| match &e.target {
                Some(t) => {
                    let ports: Vec<String> = t
                        .endpoints
                        .iter()
                        .map(|p| match p.port {
                            Some(port) => format!("`{}` port {port}", p.workload),
                            None => format!("`{}`", p.workload),
                        })
                        .collect();
                    if ports.is_empty() {
                        format!("→ `{}`", t.service)
                    } else {
                        format!("→ `{}` ({})", t.service, ports.join(", "))
                    }
                }
                None => status(e.status).to_string(),
            })
            .unwrap_or_default();
        let _ = writeln!(s, "- `server {}` {landing}", server.address);
    }
    s
}

/// A service: kind, names, ports and the workloads behind it.
fn service(
    topo: &Topology,
    svc: &Service,
    endpoints: Option<&Vec<topolint_model::Endpoint>>,
) -> String {
    let mut s = format!(
        "**service `{}`** · {} · `{}`\n\n",
        svc.name, svc.kind, svc.id
    );
    let names: Vec<String> = svc.names.iter().map(|n| format!("`{}`", n.value)).collect();
    if names.len() > 1 {
        let _ = writeln!(s, "names: {}\n", names.join(", "));
    }
    if let Some(ext) = &svc.external_name {
        let _ = writeln!(s, "external name: `{ext}`\n");
    }
    if svc.ports.is_empty() {
        s.push_str("ports: none declared\n\n");
    } else {
        s.push_str("ports:\n");
        for p in &svc.ports {
            let mut line = format!("- {}", p.port);
            if let Some(name) = &p.name {
                let _ = write!(line, " (`{name}`)");
            }
            match (&p.target, p.published) {
                (_, Some(published)) => {
                    let _ = write!(line, ", published on the host as {published}");
                }
                (Some(target), None) if *target != p.port.to_string() => {
                    let _ = write!(line, " → target port {target}");
                }
                _ => {}
            }
            let _ = writeln!(s, "{line} {}", p.protocol);
        }
        s.push('\n');
    }
    if let Some(sel) = &svc.selector {
        let labels: Vec<String> = sel
            .match_labels
            .iter()
            .map(|(k, v)| format!("`{k}={v}`"))
            .collect();
        if !labels.is_empty() {
            let _ = writeln!(s, "selector: {}\n", labels.join(", "));
        }
    }
    if svc.workloads.is_empty() {
        s.push_str("workloads: **none** (nothing behind this name in the model)\n");
        return s;
    }
    s.push_str("workloads:\n");
    for id in &svc.workloads {
        let Some(w) = topo.workload(id) else {
            let _ = writeln!(s, "- `{id}`");
            continue;
        };
        let mut line = format!("- `{}` ({})", w.id, w.kind);
        for c in w.containers.iter().filter(|c| !c.init) {
            let ports: Vec<String> = c.ports.iter().map(|p| p.port.to_string()).collect();
            let listens: Vec<String> = c
                .listeners
                .iter()
                .map(|l| {
                    let bind = l.bind.as_deref().unwrap_or("?");
                    match l.port {
                        Some(p) => format!("{bind}:{p} ({})", l.server),
                        None => format!("{bind} ({})", l.server),
                    }
                })
                .collect();
            let _ = write!(line, "; container `{}`", c.name);
            if let Some(image) = &c.image {
                let _ = write!(line, " `{image}`");
            }
            if !ports.is_empty() {
                let _ = write!(line, ", ports {}", ports.join(", "));
            }
            if !listens.is_empty() {
                let _ = write!(line, ", listens on {}", listens.join(", "));
            }
        }
        if let Some(eps) = endpoints {
            let landing: Vec<String> = eps
                .iter()
                .filter(|e| e.workload == id)
                .filter_map(|e| e.port.map(|p| p.to_string()))
                .collect();
            if !landing.is_empty() {
                let _ = write!(line, " — the call lands on port {}", landing.join(", "));
            }
        }
        let _ = writeln!(s, "{line}");
    }
    s
}
