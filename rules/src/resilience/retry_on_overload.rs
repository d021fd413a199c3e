//! `retry-on-overload`

use topolint_diagnostics::Severity;

use super::{fqdn, Hosts};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "retry-on-overload",
    layer: Layer::Resilience,
    default_severity: Severity::Warning,
    summary: "retries on 503/overload amplify an overload into an outage",
    docs: r#"## What it does
Finds retries that fire when the backend says it is overloaded:
- nginx `proxy_next_upstream` with `http_503` or `non_idempotent`;
- a VirtualService route whose `retries.retryOn` contains `503` or `reset` (or `5xx`) with more
  than one attempt, when the DestinationRule of its destination has no `outlierDetection`.

## Why is this bad?
A 503 means "too busy". Retrying multiplies the load exactly when the backend can least take
it: a brief overload becomes an outage (`503 no healthy upstream`, `upstream connect error`),
and `non_idempotent` retries repeat POSTs that may already have been applied.

## Example
```nginx
proxy_next_upstream error timeout http_503 non_idempotent;
```

## How to fix
Retry only on connection errors (`proxy_next_upstream error timeout;`, `retryOn:
connect-failure,refused-stream`), cap the attempts, and add outlier detection so overloaded
instances are taken out instead of retried.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    let hosts = Hosts::new(t);
    let mut seen = std::collections::BTreeSet::new();
    for p in &t.proxies {
        for target in &p.targets {
            for (name, v) in &target.retry {
                if !name.ends_with("_next_upstream") || !seen.insert(v.span) {
                    continue;
                }
                let bad: Vec<&str> = v
                    .value
                    .split_whitespace()
                    .filter(|w| *w == "http_503" || *w == "non_idempotent")
                    .collect();
                if bad.is_empty() {
                    continue;
                }
                report.push(
                    Finding::new(v.span, format!("`{name}` retries on {}", bad.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(" and ")))
                        .label("retries when the backend is overloaded")
                        .evidence(target.span, "for this upstream")
                        .help("each 503 is sent to the next server, multiplying the load when the upstreams are overloaded (`no live upstreams`, 502/503 for everyone), and `non_idempotent` repeats POSTs; retry on `error timeout` only"),
                );
            }
        }
    }
    for r in t.routes.iter().filter(|r| r.kind == "VirtualService") {
        for h in &r.http {
            let Some(rt) = &h.retries else { continue };
            let Some(on) = &rt.retry_on else { continue };
            let attempts = rt.attempts.as_ref().map(|a| a.value).unwrap_or(2);
            if attempts <= 1 {
                continue;
            }
            let hits: Vec<&str> = on
                .value
                .split(',')
                .map(str::trim)
                .filter(|c| matches!(*c, "503" | "reset" | "5xx" | "gateway-error"))
                .collect();
            if hits.is_empty() {
                continue;
            }
            // Outlier detection on every destination's DestinationRule defuses it.
            let protected = h.destinations.iter().all(|d| {
                let host = fqdn(&d.host, &r.namespace, &t.cluster_domain);
                hosts
                    .drs_covering(&host)
                    .iter()
                    .any(|dr| dr.outlier_detection.is_some())
            });
            if protected {
                continue;
            }
            report.push(
                Finding::new(on.span, format!("VirtualService `{}` retries {attempts} times on `{}` without outlier detection", r.name, hits.join(",")))
                    .label("retries on overload")
                    .evidence(rt.span, format!("{attempts} attempts"))
                    .help("retrying 503s/resets multiplies the load on an overloaded backend and turns a spike into an outage (`503 no healthy upstream`); retry on `connect-failure,refused-stream` only, and add `outlierDetection` to the DestinationRule"),
            );
        }
    }
}
