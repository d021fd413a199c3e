//! `retry-budget-exceeds-timeout`

use topolint_diagnostics::Severity;

use super::secs;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "retry-budget-exceeds-timeout",
    layer: Layer::Resilience,
    default_severity: Severity::Warning,
    summary: "the retries cannot all happen within the overall timeout",
    docs: r#"## What it does
- A VirtualService route whose `retries.attempts × perTryTimeout` exceeds its `timeout`.
- nginx `proxy_next_upstream_tries × proxy_read_timeout` exceeding a non-zero
  `proxy_next_upstream_timeout` (the read timeout defaults to 60s).

## Why is this bad?
The configuration promises retries that can never run: the overall timeout fires first and the
client gets a 504 (`upstream request timeout`) although attempts were left. It usually means
one of the numbers is not what the author thinks.

## Example
```yaml
timeout: 5s
retries: { attempts: 3, perTryTimeout: 3s }
```

## How to fix
Make `attempts × perTryTimeout` fit in `timeout` (here: `perTryTimeout: 1.5s`, or `timeout: 10s`).
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for r in t.routes.iter().filter(|r| r.kind == "VirtualService") {
        for h in &r.http {
            let (Some(to), Some(rt)) = (&h.timeout, &h.retries) else {
                continue;
            };
            let (Some(to_ms), Some(per)) = (to.ms, rt.per_try_timeout.as_ref().and_then(|d| d.ms))
            else {
                continue;
            };
            let attempts = rt.attempts.as_ref().map(|a| a.value).unwrap_or(2).max(1) as u64;
            if attempts * per <= to_ms || to_ms == 0 {
                continue;
            }
            report.push(
                Finding::new(rt.span, format!("VirtualService `{}` allows {attempts} attempts x {} = {}, but the route times out after {}", r.name, secs(per), secs(attempts * per), to.raw))
                    .label("retries that cannot happen")
                    .evidence(to.span, format!("route timeout {}", to.raw))
                    .help("the route timeout fires first and the client gets 504 `upstream request timeout` with attempts left; make attempts x perTryTimeout fit in the timeout"),
            );
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in &t.proxies {
        for target in &p.targets {
            let tries = target
                .retry
                .iter()
                .find(|(k, _)| k.ends_with("_next_upstream_tries"))
                .and_then(|(_, v)| v.value.trim().parse::<u64>().ok().map(|n| (n, v.span)));
            let budget = target
                .timeouts
                .iter()
                .find(|(k, _)| k.ends_with("_next_upstream_timeout"))
                .and_then(|(_, d)| d.ms.map(|ms| (ms, d.span, d.raw.clone())));
            let (Some((tries, tries_span)), Some((budget_ms, budget_span, budget_raw))) =
                (tries, budget)
            else {
                continue;
            };
            if tries == 0 || budget_ms == 0 || !seen.insert(tries_span) {
                continue;
            }
            let read_ms = target
                .timeouts
                .iter()
                .find(|(k, _)| k.ends_with("_read_timeout"))
                .and_then(|(_, d)| d.ms)
                .unwrap_or(60_000);
            if tries * read_ms <= budget_ms {
                continue;
            }
            report.push(
                Finding::new(tries_span, format!("{tries} tries x {} read timeout = {}, but `next_upstream_timeout` is {budget_raw}", secs(read_ms), secs(tries * read_ms)))
                    .label("tries that cannot happen")
                    .evidence(budget_span, format!("the retry budget is {budget_raw}"))
                    .help("nginx stops retrying when the budget runs out, with tries left: the client gets 504; align the tries, the read timeout and the budget"),
            );
        }
    }
}
