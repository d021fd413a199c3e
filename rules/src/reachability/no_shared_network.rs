//! `no-shared-network`

use std::collections::BTreeSet;

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, Platform, Topology, Workload};

use super::{refused, via};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "no-shared-network",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a compose caller and the service it calls share no network",
    docs: r#"## What it does
For each call between two services of a compose project, compares the networks they join:
the explicit `networks:` of each, or the implicit `default` network for a service that lists
none. A service with `network_mode: service:x` uses the networks of `x`.

It does not fire under `network_mode: host`, or when both are on the implicit default network.

## Why is this bad?
Compose's DNS answers only on networks the caller is attached to: the name does not resolve
(`Name or service not known`; nginx refuses to start with `host not found in upstream`) or,
for an IP, the packets go nowhere and the connection times out.

## Example
```yaml
services:
  proxy: { networks: [frontend] }
  api:   { networks: [backend] }
```

## How to fix
Attach one of them to a network of the other (`api: { networks: [frontend, backend] }`).
"#,
};

/// The networks a workload is on, following `network_mode: service:x`.
fn networks<'a>(t: &'a Topology, w: &'a Workload) -> Option<BTreeSet<&'a str>> {
    if let Some(mode) = &w.network_mode {
        if mode.value == "host" {
            return None;
        }
        if let Some(owner) = mode.value.strip_prefix("service:") {
            let o = t.workloads.iter().find(|x| {
                x.platform == Platform::Compose && x.scope == w.scope && x.name == owner
            })?;
            if o.network_mode.is_some() {
                return None;
            }
            return Some(o.networks.iter().map(|n| n.network.as_str()).collect());
        }
        return None; // none, bridge, container:...: not compose networks
    }
    Some(w.networks.iter().map(|n| n.network.as_str()).collect())
}

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for e in &t.edges {
        if e.status != EdgeStatus::Resolved {
            continue;
        }
        let Some(caller) = e.caller_workload.as_deref().and_then(|w| t.workload(w)) else {
            continue;
        };
        if caller.platform != Platform::Compose {
            continue;
        }
        let Some(target) = &e.target else { continue };
        let Some(s) = t.service(&target.service) else {
            continue;
        };
        if s.platform != Platform::Compose {
            continue;
        }
        let Some(callee) = s.workloads.first().and_then(|w| t.workload(w)) else {
            continue;
        };
        if callee.id == caller.id {
            continue;
        }
        let (Some(a), Some(b)) = (networks(t, caller), networks(t, callee)) else {
            continue;
        };
        if a.intersection(&b).next().is_some() {
            continue;
        }
        let list = |w: &Workload, set: &BTreeSet<&str>| {
            let v: Vec<String> = set.iter().map(|n| format!("`{n}`")).collect();
            format!(
                "`{}` is on {}",
                w.name,
                if v.is_empty() {
                    "no network".into()
                } else {
                    v.join(", ")
                }
            )
        };
        let mut f = Finding::new(
            e.span,
            format!(
                "{} calls `{}`, but `{}` and `{}` share no network",
                via(e),
                e.host,
                caller.name,
                callee.name
            ),
        )
        .label(format!(
            "`{}` is not reachable from `{}`",
            e.host, caller.name
        ));
        let ev_span = |w: &Workload| w.networks.iter().find_map(|n| n.span).unwrap_or(w.span);
        f = f
            .evidence(ev_span(caller), list(caller, &a))
            .evidence(ev_span(callee), list(callee, &b));
        let _ = refused(e);
        f = f.help(format!(
            "compose DNS only answers on shared networks: the name does not resolve (nginx: `host not found in upstream \"{}\"`), or the connection times out; add a network of one to the other",
            e.host
        ));
        report.push(f);
    }
}
