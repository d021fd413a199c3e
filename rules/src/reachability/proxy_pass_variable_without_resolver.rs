//! `proxy-pass-variable-without-resolver`

use topolint_diagnostics::Severity;

use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "proxy-pass-variable-without-resolver",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a `proxy_pass` with a variable needs a `resolver`, and none is in scope",
    docs: r#"## What it does
Finds `proxy_pass` (and `fastcgi_pass`, `uwsgi_pass`, `grpc_pass`, `scgi_pass`) whose
argument contains an nginx variable and whose host part is a host NAME that is not an
`upstream` block, with no `resolver` in scope (nginx inheritance: `http` > `server` >
`location`). A variable anywhere in the argument makes nginx resolve the host at request
time — `proxy_pass http://api:8080$request_uri;` included.

It does not fire when a `resolver` is in scope, when the host part is an IP address or the
name of an `upstream` block, when the host itself is a variable (it may hold an upstream name),
or when the variable is an envsubst placeholder the container environment fills in before
nginx starts (`templates/*.template`, `${API_HOST}`): then the substituted value is checked.

## Why is this bad?
Every request fails: nginx answers 502 and logs `no resolver defined to resolve api`.

## Example
```nginx
location /api/ {
    proxy_pass http://api:8080$request_uri;
}
```

## How to fix
Add a resolver in scope (`resolver 127.0.0.11 valid=10s;` in docker, `resolver
kube-dns.kube-system.svc.cluster.local valid=10s;` in Kubernetes), or remove the variable, or
point `proxy_pass` at an `upstream` block.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    for p in &ctx.topology.proxies {
        for t in &p.targets {
            if t.variables.is_empty() || t.resolver.is_some() {
                continue;
            }
            let text = t.substituted.as_deref().unwrap_or(&t.raw);
            let Some(url) = topolint_model::nginx::parse_pass(&t.directive, text) else {
                continue;
            };
            if url.unix || url.host.contains('$') || url.host.parse::<std::net::IpAddr>().is_ok() {
                continue;
            }
            if p.upstreams.iter().any(|u| u.name == url.host) {
                continue;
            }
            let vars: Vec<String> = t.variables.iter().map(|v| format!("`${v}`")).collect();
            let mut f = Finding::new(
                t.span,
                format!("`{}` with {} makes nginx resolve `{}` per request, and no `resolver` is in scope", t.directive, vars.join(", "), url.host),
            )
            .label(format!("`{}` is resolved at run time", url.host));
            if let Some(pl) = &p.placement {
                f = f.evidence(
                    pl.span,
                    format!(
                        "nginx runs in `{}`",
                        pl.workload.rsplit('/').next().unwrap_or(&pl.workload)
                    ),
                );
            }
            let resolver = match p
                .placement
                .as_ref()
                .map(|pl| pl.workload.starts_with("compose:"))
            {
                Some(true) => "`resolver 127.0.0.11 valid=10s;` (Docker's embedded DNS)",
                Some(false) => "`resolver kube-dns.kube-system.svc.cluster.local valid=10s;`",
                None => "a `resolver` (`127.0.0.11` under Docker, the cluster DNS in Kubernetes)",
            };
            f = f.help(format!(
                "every request fails with 502 and nginx logs `no resolver defined to resolve {}`; add {resolver} in the `http`, `server` or `location` block, or drop the variable",
                url.host
            ));
            report.push(f);
        }
    }
}
