//! A. Reachability: will the connection be made?

pub mod backend_listens_on_loopback;
pub mod cross_namespace_short_name;
pub mod ingress_backend_missing;
pub mod localhost_resolves_to_ipv6;
pub mod localhost_upstream_in_container;
pub mod network_policy_blocks_caller;
pub mod no_shared_network;
pub mod proxy_pass_variable_without_resolver;
pub mod published_port_used_internally;
pub mod service_selector_matches_no_pods;
pub mod service_target_port_used;
pub mod unresolved_reference;
pub mod upstream_dns_cached_forever;
pub mod upstream_host_unknown;
pub mod upstream_port_mismatch;
pub mod workload_selector_mismatch;

use std::collections::BTreeSet;

use topolint_diagnostics::{Applicability, Edit, Fix, SourceMap, TextRange};
use topolint_model::{Caller, Edge, Platform, Service, Span, Topology, Workload};

/// Ports a workload's processes are known to serve: declared container ports, inferred
/// listeners, and (compose) `expose`/`ports` container sides.
pub(crate) fn served_ports(w: &Workload) -> BTreeSet<u16> {
    let mut out = BTreeSet::new();
    for c in &w.containers {
        out.extend(c.ports.iter().map(|p| p.port));
        out.extend(c.listeners.iter().filter_map(|l| l.port));
    }
    out
}

/// The workloads that share `w`'s network namespace (the pod; compose `network_mode:
/// service:X` groups).
pub(crate) fn netns_group<'a>(t: &'a Topology, w: &'a Workload) -> Vec<&'a Workload> {
    let mut group = vec![w];
    if w.platform != Platform::Compose {
        return group;
    }
    let mode_target = |x: &Workload| {
        x.network_mode
            .as_ref()
            .and_then(|m| m.value.strip_prefix("service:").map(str::to_string))
    };
    // The namespace owner: `w` itself, or the service it borrows its network from.
    let owner = mode_target(w).and_then(|name| {
        t.compose_workloads(&w.scope)
            .into_iter()
            .find(|x| x.name == name)
    });
    let owner = owner.unwrap_or(w);
    if owner.id != w.id {
        group.push(owner);
    }
    for x in t.compose_workloads(&owner.scope) {
        if mode_target(x).as_deref() == Some(owner.name.as_str())
            && !group.iter().any(|g| g.id == x.id)
        {
            group.push(x);
        }
    }
    group
}

/// The directive or setting that makes the call, for messages: "`proxy_pass`", "`DB_HOST`".
pub(crate) fn via(e: &Edge) -> String {
    let route = |kind: &str| match &e.caller {
        Caller::Route { id } => format!("the {kind} `{}`", id.rsplit('/').next().unwrap_or(id)),
        _ => format!("the {kind}"),
    };
    match e.via.strip_prefix("env ") {
        Some(var) => format!("`{var}`"),
        None if e.via == "upstream-server" => "the upstream `server`".into(),
        None if e.via == "ingress-backend" => format!("{} backend", route("Ingress")),
        None if e.via == "route-destination" => format!("{} route", route("VirtualService")),
        None => format!("`{}`", e.via),
    }
}

/// What the caller will log when the connection is refused.
pub(crate) fn refused(e: &Edge) -> &'static str {
    match e.caller {
        Caller::Proxy { .. } => {
            "nginx logs `connect() failed (111: Connection refused) while connecting to upstream` and answers 502 Bad Gateway"
        }
        Caller::Route { .. } => {
            "the ingress controller or gateway finds no endpoint for it and answers `503 Service Unavailable`"
        }
        Caller::Workload { .. } => "the connection is refused (`ECONNREFUSED`, `Connection refused`)",
    }
}

/// The byte range of `needle` inside `span` (the first occurrence after `after` bytes of
/// the span text), for fixes that replace part of an argument.
pub(crate) fn find_in_span(
    sources: &SourceMap,
    span: Span,
    needle: &str,
    from_end: bool,
) -> Option<TextRange> {
    let file = sources.get(span.file)?;
    let text = file.slice(span.range());
    // Whole words only: `a` must not match inside `http`.
    let word =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let bounded = |at: usize| {
        !word(text[..at].chars().next_back()) && !word(text[at + needle.len()..].chars().next())
    };
    let mut hits = text
        .match_indices(needle)
        .map(|(i, _)| i)
        .filter(|i| bounded(*i));
    let at = if from_end { hits.last()? } else { hits.next()? };
    let start = span.start + at as u32;
    Some(TextRange::new(start, start + needle.len() as u32))
}

/// A fix replacing `needle` (the host or the port) inside `span`.
pub(crate) fn replace_fix(
    sources: &SourceMap,
    span: Span,
    needle: &str,
    replacement: &str,
    from_end: bool,
    message: String,
) -> Option<Fix> {
    let range = find_in_span(sources, span, needle, from_end)?;
    Some(Fix {
        message,
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            file: span.file,
            range,
            replacement: replacement.to_string(),
        }],
    })
}

/// Names of a service for messages: `api` or `Service `api``.
pub(crate) fn service_label(s: &Service) -> String {
    match s.platform {
        Platform::Compose => format!("compose service `{}`", s.name),
        Platform::Kubernetes if s.kind == "ServiceEntry" => format!("ServiceEntry `{}`", s.name),
        Platform::Kubernetes => format!("Service `{}`", s.name),
    }
}

/// "80 (http), 443" — a service's ports for messages.
pub(crate) fn port_list(
    ports: impl IntoIterator<Item = (u16, Option<topolint_model::Str>)>,
) -> String {
    let mut seen = BTreeSet::new();
    let items: Vec<String> = ports
        .into_iter()
        .filter(|(p, _)| seen.insert(*p))
        .map(|(p, n)| match n {
            Some(n) => format!("{p} ({n})"),
            None => p.to_string(),
        })
        .collect();
    items.join(", ")
}
