//! `missing-liveness-probe`

use topolint_diagnostics::Severity;

use super::behind_service;
use super::missing_readiness_probe::serving_containers;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "missing-liveness-probe",
    layer: Layer::Resilience,
    default_severity: Severity::Info,
    summary: "a container behind a Service has no livenessProbe",
    docs: r#"## What it does
Finds the same containers as `missing-readiness-probe` (behind a Service, serving its ports)
when they have no `livenessProbe`.

## Why is this bad?
A process that hangs without exiting is never restarted: it stays in the Service's endpoints if
its readiness probe still passes, or drops out for good if it does not, and the capacity is gone
until someone deletes the pod. Callers see timeouts (504) or fewer healthy upstreams.

## Example
```yaml
containers:
  - name: api
    readinessProbe: { httpGet: { path: /ready, port: 8080 } }
```

## How to fix
Add a `livenessProbe` that checks the process is alive (cheaper and more tolerant than
readiness: a larger `failureThreshold`), and a `startupProbe` if it starts slowly.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    for (w, s) in behind_service(ctx.topology) {
        for c in serving_containers(w, s) {
            if c.probes.iter().any(|p| p.kind == "liveness") {
                continue;
            }
            report.push(
                Finding::new(c.span, format!("container `{}` of {} `{}` has no livenessProbe", c.name, w.kind, w.name))
                    .label("no `livenessProbe`")
                    .evidence(s.selector.as_ref().and_then(|sel| sel.span).unwrap_or(s.span), format!("Service `{}` sends it traffic", s.name))
                    .help("a hung process is never restarted: callers time out (504) until someone deletes the pod; add a `livenessProbe`"),
            );
        }
    }
}
