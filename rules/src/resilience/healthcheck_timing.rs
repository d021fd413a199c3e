//! `healthcheck-timing`

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "healthcheck-timing",
    layer: Layer::Resilience,
    default_severity: Severity::Warning,
    summary: "a healthcheck or probe whose timing cannot work",
    docs: r#"## What it does
With each product's documented defaults for what is not written (compose: interval 30s,
timeout 30s, retries 3; Kubernetes: periodSeconds 10, timeoutSeconds 1, failureThreshold 3,
initialDelaySeconds 0):
- a compose healthcheck or Kubernetes probe whose timeout is longer than its interval/period;
- a liveness probe that can give up (`initialDelaySeconds + failureThreshold × periodSeconds`)
  before the readiness probe even starts (`initialDelaySeconds` of the readiness probe), when
  no `startupProbe` covers the start.

A timeout equal to the interval is tolerated (checks then run back to back), and only a
timeout that is written out is compared (an unset compose timeout is 30s, longer than many
intervals, but that is Docker's default, not a mistake in the file).

## Why is this bad?
A check that may run longer than its interval piles up and reports stale results; a liveness
probe shorter than the start-up window kills a pod that is still starting, so it never becomes
ready (`CrashLoopBackOff`, 503 with no endpoints).

## Example
```yaml
livenessProbe:  { httpGet: { port: 8080, path: /live }, failureThreshold: 3, periodSeconds: 5 }
readinessProbe: { httpGet: { port: 8080, path: /ready }, initialDelaySeconds: 60 }
```

## How to fix
Keep the timeout below the interval; give slow starters a `startupProbe` (or a liveness
`initialDelaySeconds` beyond the start-up time).
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    for w in &ctx.topology.workloads {
        for c in &w.containers {
            let (def_interval, def_timeout) = match w.platform {
                Platform::Compose => (30.0, 30.0),
                Platform::Kubernetes => (10.0, 1.0),
            };
            for p in &c.probes {
                if p.disabled {
                    continue;
                }
                let interval = p.interval_s.unwrap_or(def_interval);
                // Only a timeout that is written out is compared: the products' defaults are
                // the authors' choice, not a mistake in this file.
                let Some(timeout) = p.timeout_s else { continue };
                let _ = def_timeout;
                if timeout > interval {
                    let what = if p.kind == "healthcheck" {
                        "healthcheck".to_string()
                    } else {
                        format!("{} probe", p.kind)
                    };
                    report.push(
                        Finding::new(p.span, format!("the {what} of `{}` may take {timeout}s but runs every {interval}s", c.name))
                            .label("timeout longer than the interval")
                            .evidence(w.span, format!("`{}`", w.name))
                            .help("checks overlap and report stale results, so a slow service flaps between healthy and unhealthy; make the timeout shorter than the interval"),
                    );
                }
            }
            if w.platform != Platform::Kubernetes || c.probes.iter().any(|p| p.kind == "startup") {
                continue;
            }
            let (Some(live), Some(ready)) = (
                c.probes.iter().find(|p| p.kind == "liveness"),
                c.probes.iter().find(|p| p.kind == "readiness"),
            ) else {
                continue;
            };
            let live_window = live.initial_delay_s.unwrap_or(0.0)
                + live.retries.unwrap_or(3) as f64 * live.interval_s.unwrap_or(10.0);
            let ready_start = ready.initial_delay_s.unwrap_or(0.0);
            if live_window < ready_start {
                report.push(
                    Finding::new(live.span, format!("the liveness probe of `{}` can restart it after {live_window}s, before readiness checks start at {ready_start}s", c.name))
                        .label("gives up before the pod is expected to be ready")
                        .evidence(ready.span, format!("readiness starts after {ready_start}s"))
                        .help("a pod that needs the start-up time is killed before it is ready: `CrashLoopBackOff`, no endpoints, 503; add a `startupProbe` or raise the liveness `initialDelaySeconds`/`failureThreshold`"),
                );
            }
        }
    }
}
