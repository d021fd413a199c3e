//! `ingress-backend-missing`

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, Platform};

use super::{port_list, service_label, via};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "ingress-backend-missing",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary:
        "an Ingress backend or VirtualService route points to a Service or port that does not exist",
    docs: r#"## What it does
Checks every Ingress backend (`service.name` + `service.port.number|name`, and the v1beta1
`serviceName`/`servicePort`) and every VirtualService route destination (`host`, `port`)
against the Services of the model, in the route's namespace for short names:
- the Service does not exist;
- a `networking.k8s.io/v1` backend written with the v1beta1 fields (it names no Service);
- a port given by name that the Service does not have.

A numeric port the Service does not serve is `upstream-port-mismatch`; a short name of a
Service in another namespace is `cross-namespace-short-name`. It does not fire for external
names declared in the model (ServiceEntry, ExternalName), or when the model holds no Service
at all (the manifests live elsewhere).

## Why is this bad?
The ingress controller or gateway has no endpoint for the route: every request to it gets
`503 Service Temporarily Unavailable` (ingress-nginx) or `no healthy upstream` (Envoy).

## Example
```yaml
backend:
  service:
    name: app-service-v2   # no such Service
    port: { number: 80 }
```

## How to fix
Name an existing Service and one of its ports, in the route's namespace.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for e in &t.edges {
        if e.via != "ingress-backend" && e.via != "route-destination" {
            continue;
        }
        let runtime = if e.via == "ingress-backend" {
            "the ingress controller answers `503 Service Temporarily Unavailable` for this path"
        } else {
            "Envoy answers `503 no healthy upstream` for this route"
        };
        match e.status {
            EdgeStatus::Unresolved => {
                // A Service of that name in another namespace: cross-namespace-short-name.
                if !e.host.contains('.')
                    && t.services
                        .iter()
                        .any(|s| s.platform == Platform::Kubernetes && s.name == e.host)
                    && e.reason
                        .as_deref()
                        .is_some_and(|r| r.starts_with("no Service"))
                {
                    continue;
                }
                let ns = t
                    .routes
                    .iter()
                    .find(|r| r.id == e.caller.id())
                    .map(|r| r.namespace.clone())
                    .unwrap_or_default();
                let mut f = Finding::new(
                    e.span,
                    format!(
                        "{} points to `{}`, which is no Service in namespace `{ns}`",
                        via(e),
                        e.host
                    ),
                )
                .label("no such Service");
                let reason = e.reason.clone().unwrap_or_default();
                let same_ns: Vec<_> = t
                    .services
                    .iter()
                    .filter(|s| s.platform == Platform::Kubernetes && s.scope == ns)
                    .collect();
                if let Some(s) = same_ns.iter().min_by_key(|s| distance(&s.name, &e.host)) {
                    f = f.evidence(s.span, format!("Service `{}` exists in `{ns}`", s.name));
                }
                if reason.starts_with("networking.k8s.io/v1") {
                    f.message = format!("{} names no Service: it uses the v1beta1 fields `serviceName`/`servicePort`", via(e));
                    f = f.help(format!("{reason}; {runtime}; write `service: {{ name: {}, port: {{ number: ... }} }}`", e.host));
                } else {
                    f = f.help(format!("{runtime}; name an existing Service"));
                }
                report.push(f);
            }
            EdgeStatus::Resolved => {
                let (Some(name), Some(target)) = (&e.port_name, &e.target) else {
                    continue;
                };
                if target.port_index.is_some() {
                    continue;
                }
                let Some(s) = t.service(&target.service) else {
                    continue;
                };
                let mut f = Finding::new(
                    e.span,
                    format!(
                        "{} uses port `{name}`, which {} does not have",
                        via(e),
                        service_label(s)
                    ),
                )
                .label(format!("no port named `{name}`"));
                for p in s.ports.iter().take(3) {
                    f = f.evidence(
                        p.span,
                        format!(
                            "port {} ({})",
                            p.port,
                            p.name.as_deref().unwrap_or("unnamed")
                        ),
                    );
                }
                f = f.help(format!(
                    "{runtime}; use one of its ports: {}",
                    port_list(s.ports.iter().map(|p| (p.port, p.name.clone())))
                ));
                report.push(f);
            }
            _ => {}
        }
    }
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}
