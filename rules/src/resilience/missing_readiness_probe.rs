//! `missing-readiness-probe`

use topolint_diagnostics::Severity;

use super::behind_service;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "missing-readiness-probe",
    layer: Layer::Resilience,
    default_severity: Severity::Warning,
    summary: "a container behind a Service has no readinessProbe",
    docs: r#"## What it does
Finds containers of pods that a Service selects (as kube-score does: only pods a Service
targets) that have no `readinessProbe`. When a pod has several containers, only the ones that
serve the Service's target ports count.

It does not fire for pods no Service selects, or for Jobs and CronJobs.

## Why is this bad?
Without a readiness probe a pod receives traffic as soon as its container starts, before the
server listens: during every rollout and restart, requests fail with `connection refused`,
502s from nginx and `503 upstream connect error` from a mesh.

## Example
```yaml
containers:
  - name: api
    image: example/api
    ports: [{ containerPort: 8080 }]
```

## How to fix
```yaml
    readinessProbe:
      httpGet: { path: /ready, port: 8080 }
      periodSeconds: 5
```
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    for (w, s) in behind_service(ctx.topology) {
        for c in serving_containers(w, s) {
            if c.probes.iter().any(|p| p.kind == "readiness") {
                continue;
            }
            report.push(
                Finding::new(c.span, format!("container `{}` of {} `{}` has no readinessProbe, but Service `{}` sends it traffic", c.name, w.kind, w.name, s.name))
                    .label("no `readinessProbe`")
                    .evidence(s.selector.as_ref().and_then(|sel| sel.span).unwrap_or(s.span), format!("Service `{}` selects these pods", s.name))
                    .help("the pod gets traffic before the server listens: requests fail with connection refused / 502 / `503 upstream connect error` during every rollout; add a `readinessProbe` on the serving port"),
            );
        }
    }
}

/// The non-init containers that serve the Service (all of them when none declares ports).
pub(crate) fn serving_containers<'a>(
    w: &'a topolint_model::Workload,
    s: &topolint_model::Service,
) -> Vec<&'a topolint_model::Container> {
    let main: Vec<_> = w.containers.iter().filter(|c| !c.init).collect();
    if main.len() <= 1 {
        return main;
    }
    let serving: Vec<_> = main
        .iter()
        .copied()
        .filter(|c| {
            s.ports.iter().any(|sp| {
                let t = sp.target.as_deref().unwrap_or("");
                c.ports
                    .iter()
                    .any(|p| p.port.to_string() == t || p.name.as_deref() == Some(t))
            })
        })
        .collect();
    if serving.is_empty() {
        main
    } else {
        serving
    }
}
