//! `service-target-port-used`

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, Platform};

use super::{replace_fix, service_label, via};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "service-target-port-used",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a caller uses a Kubernetes Service's `targetPort` instead of its `port`",
    docs: r#"## What it does
Finds calls to a Kubernetes Service (from nginx, an Ingress, an environment variable) on a
port that is not one of the Service's `ports[].port` but is the `targetPort` it forwards to:
`backend:3000` where the Service maps `80 -> 3000`.

It does not fire when `port` and `targetPort` are equal, or for headless Services (callers
reach the pods directly there).

## Why is this bad?
The Service's virtual IP only answers on `port`; on the target port nothing is forwarded, so
the connection times out or is refused (nginx: `upstream timed out (110)` or `connect() failed
(111)`, then 504/502).

## Example
```yaml
kind: Service
metadata: { name: backend }
spec:
  ports: [{ port: 80, targetPort: 3000 }]
```
```nginx
proxy_pass http://backend:3000;
```

## How to fix
Call the Service on its `port` (`backend:80`). The finding carries the edit.
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
        if s.platform != Platform::Kubernetes
            || s.kind == "headless"
            || s.kind == "ServiceEntry"
            || s.kind == "ExternalName"
        {
            continue;
        }
        // The Service port whose target is `port` (by number, or by name via the pods).
        let hit = s.ports.iter().find(|sp| {
            sp.port != port
                && match sp.target.as_deref().and_then(|t| t.parse::<u16>().ok()) {
                    Some(n) => n == port,
                    None => s.workloads.iter().filter_map(|w| t.workload(w)).any(|w| {
                        w.containers.iter().any(|c| {
                            c.ports.iter().any(|p| {
                                p.port == port && p.name.as_deref() == sp.target.as_deref()
                            })
                        })
                    }),
                }
        });
        let Some(sp) = hit else { continue };
        let mut f = Finding::new(
            e.span,
            format!("{} calls {} on {port}, its targetPort; the Service listens on {}", via(e), service_label(s), sp.port),
        )
        .label(format!("{port} is the pods' port, not the Service's"))
        .evidence(sp.span, format!("port {} -> targetPort {}", sp.port, sp.target.as_deref().unwrap_or("?")))
        .help(format!(
            "the Service forwards {} to {port}; nothing answers on {port} at the Service address, so the connection times out or is refused (nginx: `upstream timed out (110)` / `connect() failed (111)`, 504/502); use `{}:{}`",
            sp.port, e.host, sp.port
        ));
        if let Some(fix) = replace_fix(
            ctx.sources,
            e.span,
            &port.to_string(),
            &sp.port.to_string(),
            true,
            format!("use Service port {}", sp.port),
        ) {
            f = f.fix(fix);
        }
        report.push(f);
    }
}
