//! `upstream-port-mismatch`

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, Platform};

use super::{port_list, refused, served_ports, service_label, via};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "upstream-port-mismatch",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a caller's port is not a port the callee serves",
    docs: r#"## What it does
Checks the port of every resolved call against what the callee serves:
- a compose service: its `expose` ports, the container side of its `ports`, and the ports its
  command line says its server listens on (`gunicorn -b 0.0.0.0:8000`, `--port 8000`, ...);
- a Kubernetes Service: its `spec.ports[].port` (for a headless Service, the pods' ports);
- a Service `targetPort` given by name: it must be the name of a container port of the pods the
  Service selects (a numeric `targetPort` missing from the declared `containerPort`s is only a
  warning: `containerPort` is informational in Kubernetes).

It does not fire when the callee declares no ports at all and nothing else is known about it,
when the port is the host side of a compose mapping (`published-port-used-internally`), or when
it is a Service's `targetPort` (`service-target-port-used`).

## Why is this bad?
Nothing answers on that port: the connection is refused or times out. nginx logs `connect()
failed (111: Connection refused)` or `upstream timed out (110)` and answers 502 or 504; a
Service whose `targetPort` names no container port has no endpoints for it.

## Example
```yaml
services:
  api:
    command: gunicorn -b 0.0.0.0:8000 app:app
```
```nginx
proxy_pass http://api:5000;
```

## How to fix
Use the port the callee serves (the finding lists them), or make the callee listen on the port
the caller uses.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for e in &t.edges {
        if e.status != EdgeStatus::Resolved {
            continue;
        }
        let (Some(port), Some(target)) = (e.port, &e.target) else {
            continue;
        };
        if target.port_index.is_some() {
            continue;
        }
        let Some(s) = t.service(&target.service) else {
            continue;
        };
        let workloads: Vec<_> = s.workloads.iter().filter_map(|w| t.workload(w)).collect();
        if workloads.iter().any(|w| served_ports(w).contains(&port))
            && (s.platform == Platform::Compose || s.kind == "headless")
        {
            continue;
        }
        let mut evidence = Vec::new();
        let served: Vec<(u16, Option<topolint_model::Str>)> = match s.platform {
            Platform::Compose => {
                if s.ports.iter().any(|p| p.published == Some(port)) {
                    continue; // published-port-used-internally
                }
                let mut list: Vec<(u16, Option<topolint_model::Str>)> =
                    s.ports.iter().map(|p| (p.port, None)).collect();
                for p in &s.ports {
                    evidence.push((p.span, format!("`{}` serves {}", s.name, p.port)));
                }
                for w in &workloads {
                    for c in &w.containers {
                        for l in &c.listeners {
                            if let Some(p) = l.port {
                                list.push((p, Some(l.server.clone())));
                                evidence.push((l.span, format!("{} listens on {p}", l.server)));
                            }
                        }
                    }
                }
                list
            }
            Platform::Kubernetes => {
                if matches!(s.kind.as_str(), "ExternalName")
                    || (s.kind == "ServiceEntry" && s.ports.is_empty())
                {
                    continue;
                }
                if s.kind == "headless" {
                    let list: Vec<(u16, Option<topolint_model::Str>)> = workloads
                        .iter()
                        .flat_map(|w| {
                            w.containers
                                .iter()
                                .flat_map(|c| c.ports.iter().map(|p| (p.port, p.name.clone())))
                        })
                        .collect();
                    if list.is_empty() {
                        continue;
                    }
                    list
                } else {
                    // A targetPort equal to the caller's port is service-target-port-used.
                    let is_target = s
                        .ports
                        .iter()
                        .any(|sp| sp.target.as_deref() == Some(port.to_string().as_str()))
                        || workloads.iter().any(|w| {
                            w.containers.iter().any(|c| {
                                c.ports.iter().any(|p| {
                                    p.port == port
                                        && s.ports
                                            .iter()
                                            .any(|sp| sp.target.as_deref() == p.name.as_deref())
                                })
                            })
                        });
                    if is_target {
                        continue;
                    }
                    for p in &s.ports {
                        evidence.push((p.span, format!("{} serves {}", service_label(s), p.port)));
                    }
                    s.ports.iter().map(|p| (p.port, p.name.clone())).collect()
                }
            }
        };
        if served.is_empty() {
            continue; // nothing declared: nothing to compare with
        }
        let mut f = Finding::new(
            e.span,
            format!(
                "{} calls `{}:{port}`, but {} serves {}",
                via(e),
                e.host,
                service_label(s),
                port_list(served.clone())
            ),
        )
        .label(format!("nothing serves port {port}"));
        for (span, msg) in evidence.into_iter().take(4) {
            f = f.evidence(span, msg);
        }
        let first = served[0].0;
        f = f.help(format!(
            "{}; use `{}:{first}` or make it listen on {port}",
            refused(e),
            e.host
        ));
        report.push(f);
    }

    // Named targetPorts that no selected pod declares.
    for s in &t.services {
        if s.platform != Platform::Kubernetes || s.workloads.is_empty() {
            continue;
        }
        let workloads: Vec<_> = s.workloads.iter().filter_map(|w| t.workload(w)).collect();
        let declared: Vec<(u16, Option<topolint_model::Str>)> = workloads
            .iter()
            .flat_map(|w| {
                w.containers
                    .iter()
                    .filter(|c| !c.init)
                    .flat_map(|c| c.ports.iter().map(|p| (p.port, p.name.clone())))
            })
            .collect();
        for sp in &s.ports {
            let Some(tp) = sp.target.as_deref() else {
                continue;
            };
            match tp.parse::<u16>() {
                Ok(n) => {
                    let served: Vec<u16> = workloads.iter().flat_map(|w| served_ports(w)).collect();
                    if declared.is_empty() || served.contains(&n) {
                        continue;
                    }
                    let w = workloads[0];
                    report.push(
                        Finding::new(sp.target_span.unwrap_or(sp.span), format!("targetPort {n} of {} is not a port the pods it selects declare", service_label(s)))
                            .severity(Severity::Warning)
                            .label(format!("targetPort {n}"))
                            .evidence(w.span, format!("`{}` declares {}", w.name, port_list(declared.clone())))
                            .help(format!(
                                "if nothing listens on {n} in the pods, the Service's connections are refused (502/503 upstream); containerPort is informational, so check the server's real port and fix `targetPort` or the container"
                            )),
                    );
                }
                Err(_) => {
                    if declared.iter().any(|(_, name)| name.as_deref() == Some(tp)) {
                        continue;
                    }
                    let w = workloads[0];
                    let names: Vec<String> = declared
                        .iter()
                        .filter_map(|(p, n)| n.as_ref().map(|n| format!("`{n}` ({p})")))
                        .collect();
                    let names = if names.is_empty() {
                        "no named ports".to_string()
                    } else {
                        names.join(", ")
                    };
                    report.push(
                        Finding::new(sp.target_span.unwrap_or(sp.span), format!("targetPort `{tp}` of {} names no container port of the pods it selects", service_label(s)))
                            .label(format!("no container port is named `{tp}`"))
                            .evidence(w.span, format!("`{}` has {names}", w.name))
                            .help(format!(
                                "the Service gets no endpoints for port {}: callers see connection refused or `503 no healthy upstream`; name the container port `{tp}` or use the port's number",
                                sp.port
                            )),
                    );
                }
            }
        }
    }
}
