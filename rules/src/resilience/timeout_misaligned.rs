//! `timeout-misaligned`

use topolint_diagnostics::Severity;
use topolint_model::{Caller, EdgeStatus, Platform, Span};

use std::collections::HashMap;

use super::{fqdn, host_covers, secs};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "timeout-misaligned",
    layer: Layer::Resilience,
    default_severity: Severity::Warning,
    summary: "an outer hop gives up before an inner hop can finish",
    docs: r#"## What it does
Walks the request paths of the model (client -> [edge load balancer] -> nginx -> [Ingress /
VirtualService] -> Service -> pod) and compares the timeouts of consecutive hops, naming each
with its location:
- nginx `proxy_read_timeout` (60s when not set, as nginx documents) shorter than the
  VirtualService route's `timeout`, or than `retries.attempts × perTryTimeout`, on the Service
  nginx proxies to;
- an edge timeout declared in topolint.toml (a load balancer's idle timeout) shorter than
  nginx's `proxy_read_timeout`;
- `proxy_connect_timeout` above 75s, which nginx silently caps at 75s.

Values that are not written and have no documented default are unknown and never compared
(Istio has no default route timeout).

## Why is this bad?
The outer hop closes the connection while the inner one is still working or retrying: users
get 504 Gateway Timeout (`upstream timed out (110)`) for requests that would have succeeded,
while the backend keeps doing the work — and a mesh may retry it again.

## Example
```nginx
location /reviews/ { proxy_read_timeout 30s; proxy_pass http://reviews:9080; }
```
```yaml
http:
  - timeout: 45s
    retries: { attempts: 3, perTryTimeout: 15s }
```

## How to fix
Make every outer timeout at least as long as the inner hop's worst case (attempts ×
per-try timeout), or shorten the inner ones.
"#,
};

fn loc(ctx: &Context<'_>, span: Span) -> String {
    let f = ctx.sources.file(span.file);
    format!("{}:{}", f.display, span.line)
}

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for p in &t.proxies {
        for target in &p.targets {
            let read = target
                .timeouts
                .iter()
                .find(|(k, _)| k.ends_with("_read_timeout"))
                .map(|(_, v)| v);
            let read_ms = read.and_then(|d| d.ms).unwrap_or(60_000);
            let read_desc = match read {
                Some(d) => format!("nginx gives up after {} ({})", d.raw, loc(ctx, d.span)),
                None => "nginx gives up after 60s (the default `proxy_read_timeout`)".to_string(),
            };
            // connect timeout cap
            if let Some((name, d)) = target
                .timeouts
                .iter()
                .find(|(k, _)| k.ends_with("_connect_timeout"))
            {
                if d.ms.is_some_and(|ms| ms > 75_000) {
                    report.push(
                        Finding::new(d.span, format!("`{name} {}` is more than nginx allows: it waits 75s at most", d.raw))
                            .label("capped at 75s")
                            .evidence(target.span, "for this upstream")
                            .help("nginx silently caps the connect timeout at 75s, so anything longer is not what happens: connections fail with `upstream timed out (110)` after 75s; set it to 75s or less (a few seconds is usual)"),
                    );
                }
            }
            // edge in front of nginx
            if let Some(edge_ms) = t.edge_timeout_ms {
                if read_ms > edge_ms {
                    let mut f = Finding::new(
                        read.map_or(target.span, |d| d.span),
                        format!(
                            "the edge in front of nginx gives up after {}, before nginx does ({})",
                            secs(edge_ms),
                            secs(read_ms)
                        ),
                    )
                    .label("longer than the edge timeout");
                    f = f.evidence(target.span, read_desc.clone());
                    f = f.help(format!(
                        "requests slower than {} get a 504 (or a reset) from the load balancer while nginx and the backend keep working; keep `proxy_read_timeout` at or below the edge's idle timeout, or raise the latter",
                        secs(edge_ms)
                    ));
                    report.push(f);
                }
            }
        }
    }
    // nginx -> Service -> VirtualService routes for that Service. The routes' hosts as
    // FQDNs, once: exact hosts in a map, wildcard ones scanned.
    let virtual_services: Vec<&topolint_model::Route> = t
        .routes
        .iter()
        .filter(|r| r.kind == "VirtualService")
        .collect();
    let mut routes_by_host: HashMap<String, Vec<usize>> = HashMap::new();
    let mut wildcard_routes: Vec<(usize, String)> = Vec::new();
    for (i, r) in virtual_services.iter().enumerate() {
        for h in &r.hosts {
            let f = fqdn(h, &r.namespace, &t.cluster_domain);
            if f.starts_with('*') {
                wildcard_routes.push((i, f));
            } else {
                routes_by_host.entry(f).or_default().push(i);
            }
        }
    }
    for e in &t.edges {
        if e.status != EdgeStatus::Resolved {
            continue;
        }
        let Caller::Proxy { id } = &e.caller else {
            continue;
        };
        let Some(p) = t.proxy(id) else { continue };
        let Some(target) = &e.target else { continue };
        let Some(s) = t.service(&target.service) else {
            continue;
        };
        if s.platform != Platform::Kubernetes {
            continue;
        }
        let svc_fqdn = fqdn(&s.name, &s.scope, &t.cluster_domain);
        let pass = p
            .targets
            .iter()
            .find(|pt| pt.span == e.span)
            .or_else(|| p.targets.iter().find(|pt| pt.upstream.is_some()));
        let read = pass.and_then(|pt| {
            pt.timeouts
                .iter()
                .find(|(k, _)| k.ends_with("_read_timeout"))
                .map(|(_, v)| v.clone())
        });
        let read_ms = read.as_ref().and_then(|d| d.ms).unwrap_or(60_000);
        let mut matching: Vec<usize> = routes_by_host.get(&svc_fqdn).cloned().unwrap_or_default();
        matching.extend(
            wildcard_routes
                .iter()
                .filter(|(_, f)| host_covers(f, &svc_fqdn))
                .map(|(i, _)| *i),
        );
        matching.sort_unstable();
        matching.dedup();
        for r in matching.into_iter().map(|i| virtual_services[i]) {
            for h in &r.http {
                let retry_ms = h.retries.as_ref().and_then(|rt| {
                    let attempts = rt.attempts.as_ref().map(|a| a.value).unwrap_or(2).max(1) as u64;
                    rt.per_try_timeout
                        .as_ref()
                        .and_then(|d| d.ms)
                        .map(|ms| (attempts, ms, attempts * ms))
                });
                let inner = match (&h.timeout, retry_ms) {
                    (Some(to), _) if to.ms.is_some_and(|ms| ms > read_ms) => Some((
                        to.span,
                        format!(
                            "the VirtualService `{}` allows {} ({})",
                            r.name,
                            to.raw,
                            loc(ctx, to.span)
                        ),
                        to.ms.unwrap_or(0),
                    )),
                    (None, Some((attempts, per, total))) if total > read_ms => {
                        let span = h.retries.as_ref().map_or(h.span, |rt| rt.span);
                        Some((
                            span,
                            format!(
                                "the VirtualService `{}` allows {attempts} attempts x {} ({})",
                                r.name,
                                secs(per),
                                loc(ctx, span)
                            ),
                            total,
                        ))
                    }
                    (Some(to), Some((attempts, per, total)))
                        if total > read_ms && to.ms.is_none_or(|ms| ms > read_ms) =>
                    {
                        let span = h.retries.as_ref().map_or(h.span, |rt| rt.span);
                        Some((
                            span,
                            format!(
                                "the VirtualService `{}` allows {attempts} attempts x {} ({})",
                                r.name,
                                secs(per),
                                loc(ctx, span)
                            ),
                            total,
                        ))
                    }
                    _ => None,
                };
                let Some((span, desc, inner_ms)) = inner else {
                    continue;
                };
                let read_desc = match &read {
                    Some(d) => format!("nginx gives up after {} ({})", d.raw, loc(ctx, d.span)),
                    None => {
                        "nginx gives up after 60s (the default `proxy_read_timeout`)".to_string()
                    }
                };
                let mut f = Finding::new(
                    read.as_ref().map_or(e.span, |d| d.span),
                    format!("{read_desc} but {desc}"),
                )
                .label(format!("{} < {}", secs(read_ms), secs(inner_ms)))
                .evidence(span, desc.clone());
                f = f.evidence(
                    e.span,
                    format!("nginx proxies to Service `{}` here", s.name),
                );
                f = f.help(format!(
                    "requests between {} and {} get 504 from nginx (`upstream timed out (110)`) while the mesh keeps working or retrying; raise `proxy_read_timeout` above {} or lower the route's timeout/retries",
                    secs(read_ms),
                    secs(inner_ms),
                    secs(inner_ms)
                ));
                report.push(f);
            }
        }
    }
}
