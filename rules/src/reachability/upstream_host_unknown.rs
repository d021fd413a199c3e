//! `upstream-host-unknown`

use topolint_diagnostics::Severity;
use topolint_model::{Caller, EdgeStatus, Platform, Span};

use super::via;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "upstream-host-unknown",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a proxy target or service URL names nothing in the model",
    docs: r#"## What it does
Checks every host a caller uses — `proxy_pass` and its kin, `upstream` `server`s, and service
URLs in environment variables (`DATABASE_URL=postgres://db:5432/x`, `API_HOST=api`) — against
the names that exist where the caller runs: in compose, the service names, network aliases,
`container_name`s and `hostname`s of the project; in Kubernetes, the Services as `svc`,
`svc.ns`, `svc.ns.svc` and `svc.ns.svc.<cluster domain>`, and ServiceEntry hosts.

It does not fire for public DNS names and IP addresses, for values that are still templates
(`${VAR}`, envsubst variables the container does not define, nginx run-time variables), or when
topolint cannot tell where the caller runs: then the model is partial, and it says so once, as
an info. Ingress and VirtualService backends are checked by `ingress-backend-missing`.

## Why is this bad?
nginx refuses to start: `host not found in upstream "api-svc"`; a `resolver`-based or
application lookup fails at run time with `Name or service not known`, and users get 502s.

## Example
```yaml
services:
  api: { image: example/api, expose: ["8000"] }
```
```nginx
location / { proxy_pass http://api-service:8000; }
```

## How to fix
Use a name that exists (the finding suggests the closest one), or add the name as a network
alias of the service that should answer.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    let mut partial: Vec<Span> = Vec::new();
    for e in &t.edges {
        if e.via == "ingress-backend" || e.via == "route-destination" {
            continue;
        }
        match e.status {
            EdgeStatus::Unresolved => {}
            EdgeStatus::Unknown
                if matches!(e.caller, Caller::Proxy { .. })
                    && e.caller_workload.is_none()
                    && !e.host.contains('$') =>
            {
                partial.push(e.span);
                continue;
            }
            _ => continue,
        }
        // A Service of that name in another namespace: cross-namespace-short-name says it.
        if !e.host.contains('.')
            && t.services.iter().any(|s| {
                s.platform == Platform::Kubernetes && s.kind != "ServiceEntry" && s.name == e.host
            })
        {
            continue;
        }
        // Candidate names where the caller runs.
        let scope = e.caller_workload.as_deref().and_then(|w| t.workload(w));
        let names: Vec<(&str, Span)> = t
            .services
            .iter()
            .filter(|s| {
                scope.is_none_or(|w| {
                    s.platform == w.platform
                        && (w.platform == Platform::Kubernetes || s.scope == w.scope)
                })
            })
            .flat_map(|s| s.names.iter().map(|n| (n.value.as_str(), n.span)))
            .collect();
        let closest = names
            .iter()
            .map(|(n, span)| (distance(&e.host, n), *n, *span))
            .filter(|(d, n, _)| *d <= 3.max(n.len() / 3))
            .min_by_key(|(d, n, _)| (*d, n.to_string()));
        let where_ = match scope {
            Some(w) if w.platform == Platform::Compose => format!("compose project `{}`", w.scope),
            Some(w) => format!("namespace `{}`", w.scope),
            None => "the model".to_string(),
        };
        let mut f = Finding::new(
            e.span,
            format!(
                "{} names `{}`, which is no service in {where_}",
                via(e),
                e.host
            ),
        )
        .label(format!("`{}` resolves to nothing", e.host));
        let runtime = match e.caller {
            Caller::Proxy { .. } => format!(
                "nginx refuses to start with `host not found in upstream \"{}\"`",
                e.host
            ),
            _ => format!("the name lookup fails at run time (`Name or service not known` / `getaddrinfo ENOTFOUND {}`)", e.host),
        };
        match closest {
            Some((_, name, span)) => {
                f = f
                    .evidence(span, format!("`{name}` is defined here"))
                    .help(format!("{runtime}; did you mean `{name}`?"));
            }
            None => {
                f = f.help(format!("{runtime}; use the name of a service in {where_}, or add `{}` as a network alias", e.host));
            }
        }
        report.push(f);
    }
    // Only worth saying when there was something to check against.
    if let (Some(first), false) = (partial.first(), t.services.is_empty()) {
        report.push(
            Finding::new(
                *first,
                format!(
                    "{} proxy target(s) of nginx configurations that run somewhere topolint cannot tell were not checked",
                    partial.len()
                ),
            )
            .severity(Severity::Info)
            .label("where does this nginx run?")
            .help("bind-mount the configuration into the compose service that runs it, or declare it in topolint.toml (`[[nginx]] config = \"...\"  runs-in = \"compose:<project>/<service>\"`)"),
        );
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
