//! `outlier-detection-can-eject-all`

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use super::Hosts;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "outlier-detection-can-eject-all",
    layer: Layer::Resilience,
    default_severity: Severity::Warning,
    summary: "a DestinationRule's outlier detection may eject every endpoint",
    docs: r#"## What it does
Finds a DestinationRule whose `outlierDetection.maxEjectionPercent` is 100, or whose host's
workloads declare a single replica while outlier detection is on (Envoy may eject one host
even below its percentage, and one host is all of them).

When the replicas are unknown, only the 100% case is reported.

## Why is this bad?
When every endpoint is ejected there is nothing left to send to: Envoy answers `503 no healthy
upstream` for the whole service, typically during the very incident that caused the errors.

## Example
```yaml
trafficPolicy:
  outlierDetection: { consecutive5xxErrors: 5, maxEjectionPercent: 100 }
```

## How to fix
Keep `maxEjectionPercent` below 100 (50 is common) and run more than one replica.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    let hosts = Hosts::new(t);
    for (i, dr) in t.destination_rules.iter().enumerate() {
        let Some(od) = &dr.outlier_detection else {
            continue;
        };
        let host = hosts.dr_fqdn(i);
        let svc = if host.starts_with('*') {
            None
        } else {
            hosts
                .services_covered_by(host)
                .into_iter()
                .find(|s| s.platform == Platform::Kubernetes)
        };
        let replicas: Option<i64> = svc.and_then(|s| {
            let ws: Vec<_> = s.workloads.iter().filter_map(|w| t.workload(w)).collect();
            if ws.is_empty() {
                None
            } else {
                Some(ws.iter().map(|w| w.replicas.unwrap_or(1)).sum())
            }
        });
        match (&od.max_ejection_percent, replicas) {
            (Some(p), _) if p.value >= 100 => report.push(
                Finding::new(p.span, format!("DestinationRule `{}` lets outlier detection eject 100% of `{}`", dr.name, dr.host.value))
                    .label("every endpoint can be ejected")
                    .evidence(dr.host.span, "for this host")
                    .help("when all endpoints are ejected Envoy answers `503 no healthy upstream` for the whole service; keep `maxEjectionPercent` below 100 (e.g. 50)"),
            ),
            (_, Some(1)) => {
                let s = svc.map_or(dr.host.span, |s| s.span);
                report.push(
                    Finding::new(od.span, format!("DestinationRule `{}` ejects outliers of `{}`, which runs a single replica", dr.name, dr.host.value))
                        .label("can eject the only endpoint")
                        .evidence(s, "one replica")
                        .help("ejecting the only endpoint leaves none: `503 no healthy upstream` until it is readmitted; run more replicas or remove outlier detection for this host"),
                );
            }
            _ => {}
        }
    }
}
