//! `cross-namespace-short-name`

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, Platform};

use super::via;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "cross-namespace-short-name",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a caller uses a Service's short name from another namespace",
    docs: r#"## What it does
Finds a caller in namespace A (nginx in a pod, an environment variable, an Ingress or route)
that uses the short name `svc` of a Service that exists only in namespace B.

It does not fire when a Service of that name also exists in A.

## Why is this bad?
A short name resolves through the caller's own namespace search path (`svc.A.svc.cluster.local`
first): the lookup fails with `Name or service not known` / `NXDOMAIN`, nginx refuses to start
with `host not found in upstream`, an Ingress has no backend (503).

## Example
```yaml
# caller in namespace web:  API_URL=http://api:8080
# Service api lives in namespace backend
```

## How to fix
Qualify the name with the namespace: `api.backend` (or `api.backend.svc.cluster.local`).
The finding carries the edit.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for e in &t.edges {
        if e.status != EdgeStatus::Unresolved || e.host.contains('.') {
            continue;
        }
        let caller_ns = match e.caller_workload.as_deref().and_then(|w| t.workload(w)) {
            Some(w) if w.platform == Platform::Kubernetes => w.scope.clone(),
            Some(_) => continue,
            None => match t.routes.iter().find(|r| r.id == e.caller.id()) {
                Some(r) => r.namespace.clone(),
                None => continue,
            },
        };
        let elsewhere: Vec<_> = t
            .services
            .iter()
            .filter(|s| {
                s.platform == Platform::Kubernetes
                    && s.kind != "ServiceEntry"
                    && s.name == e.host
                    && s.scope != caller_ns
            })
            .collect();
        let Some(s) = elsewhere.first() else { continue };
        let qualified = format!("{}.{}", s.name, s.scope);
        let mut f = Finding::new(e.span, format!("{} uses the short name `{}` from namespace `{caller_ns}`, but Service `{}` is in namespace `{}`", via(e), e.host, s.name, s.scope))
            .label(format!("resolves as `{}.{caller_ns}`", e.host))
            .evidence(s.span, format!("Service `{}` in namespace `{}`", s.name, s.scope))
            .help(format!(
                "a short name resolves in the caller's own namespace, so the lookup fails (`NXDOMAIN`; nginx: `host not found in upstream`; an Ingress: 503); use `{qualified}`"
            ));
        if let Some(fix) = super::replace_fix(
            ctx.sources,
            e.span,
            &e.host,
            &qualified,
            false,
            format!("use `{qualified}`"),
        ) {
            f = f.fix(fix);
        }
        report.push(f);
    }
}
