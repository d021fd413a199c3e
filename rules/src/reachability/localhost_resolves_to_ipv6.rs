//! `localhost-resolves-to-ipv6`

use topolint_diagnostics::Severity;
use topolint_model::{Caller, EdgeStatus};

use super::{netns_group, replace_fix};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "localhost-resolves-to-ipv6",
    layer: Layer::Reachability,
    default_severity: Severity::Warning,
    summary: "nginx proxies to `localhost` while the backend binds IPv4 only",
    docs: r#"## What it does
Finds an nginx that proxies to the name `localhost` in its own network namespace (a sidecar,
a `network_mode: service:x` group) while the server on that port binds an IPv4 address only
(`127.0.0.1` or `0.0.0.0`).

It does not fire when the upstream already uses an IP literal (`127.0.0.1`, `[::1]`), or when
the backend's bind address is unknown or dual-stack (`::`).

## Why is this bad?
`localhost` resolves to both `127.0.0.1` and `::1`; nginx tries the addresses in turn, and
recent images list `::1` first. Each attempt on `[::1]` is refused — `connect() failed (111:
Connection refused) while connecting to upstream, upstream: "http://[::1]:8080/"` — costing a
round trip per request, and with `proxy_next_upstream off` a 502.

## Example
```yaml
containers:
  - name: app
    args: ["gunicorn", "-b", "127.0.0.1:8080", "app:app"]
  - name: nginx   # proxy_pass http://localhost:8080;
```

## How to fix
Use the address the backend binds: `proxy_pass http://127.0.0.1:8080;` (the finding carries
the edit).
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for e in &t.edges {
        if e.status != EdgeStatus::Loopback || !e.host.eq_ignore_ascii_case("localhost") {
            continue;
        }
        let Caller::Proxy { id } = &e.caller else {
            continue;
        };
        let Some(proxy) = t.proxy(id) else { continue };
        let Some(placement) = &proxy.placement else {
            continue;
        };
        let Some(w) = t.workload(&placement.workload) else {
            continue;
        };
        let Some(port) = e.port else { continue };
        for g in netns_group(t, w) {
            for c in &g.containers {
                for l in c.listeners.iter().filter(|l| l.port == Some(port)) {
                    let Some(bind) = &l.bind else { continue };
                    if bind != "127.0.0.1" && bind != "0.0.0.0" {
                        continue;
                    }
                    let mut f = Finding::new(e.span, format!("`localhost:{port}` may resolve to `[::1]`, but `{}` binds IPv4 {bind} only", l.server))
                        .label("`localhost` is also `::1`")
                        .evidence(l.span, format!("`{}` listens on {bind}:{port}", l.server))
                        .help("nginx tries `[::1]` too and logs `connect() failed (111: Connection refused)` for it, a wasted attempt per request (a 502 when it is the only one tried); use `127.0.0.1`");
                    if let Some(fix) = replace_fix(
                        ctx.sources,
                        e.span,
                        &e.host,
                        "127.0.0.1",
                        false,
                        "use `127.0.0.1`".into(),
                    ) {
                        f = f.fix(fix);
                    }
                    report.push(f);
                }
            }
        }
    }
}
