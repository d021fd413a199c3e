//! `localhost-upstream-in-container`

use std::collections::HashMap;

use topolint_diagnostics::Severity;
use topolint_model::{Caller, EdgeStatus, Platform};

use super::{netns_group, refused, replace_fix, served_ports, via};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "localhost-upstream-in-container",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "nginx in a container proxies to `localhost`, which is the container itself",
    docs: r#"## What it does
Finds an nginx that runs in a container (a compose service that bind-mounts or builds in the
configuration, a Kubernetes pod that mounts it from a ConfigMap) and proxies to `localhost`,
`127.0.0.1` or `[::1]` (`proxy_pass`, an `upstream` `server`, `fastcgi_pass`, `uwsgi_pass`,
`grpc_pass`) on a port that no process of the same network namespace serves. The same network
namespace is the container itself, the other containers of its pod, and compose services
joined with `network_mode: service:<name>`.

It does not fire when the port is served in that namespace (a sidecar, a PHP-FPM in the same
pod, `network_mode: service:app`), under `network_mode: host`, when it is not known that nginx
runs in a container, or for a health check that calls localhost inside its own container.

## Why is this bad?
Inside a container, `localhost` is the container, not the host and not the other services.
Nothing listens there, so every request fails: nginx logs `connect() failed (111: Connection
refused) while connecting to upstream` and answers `502 Bad Gateway`. It works on a laptop
where nginx and the app both run on the host, and breaks as soon as nginx is containerised.

## Example
```yaml
# compose.yaml
services:
  proxy:
    image: nginx
    volumes: ["./nginx.conf:/etc/nginx/conf.d/default.conf"]
  web:
    image: node:22
    expose: ["3000"]
```
```nginx
location / { proxy_pass http://localhost:3000; }
```

## How to fix
Use the name of the service that serves the port: `proxy_pass http://web:3000;` (the finding
names it and carries the edit when exactly one service serves the port). If the backend really
must share nginx's network namespace, run it as a sidecar in the same pod or with
`network_mode: service:proxy`.
"#,
};

/// The first Service that selects each workload, built on the first finding (most runs
/// have none): scanning every Service per candidate made the rule quadratic.
fn service_names(t: &topolint_model::Topology) -> HashMap<&str, &str> {
    let mut service_of = HashMap::new();
    for s in &t.services {
        for w in &s.workloads {
            service_of.entry(w.as_str()).or_insert(s.name.as_str());
        }
    }
    service_of
}

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    let mut service_of: Option<HashMap<&str, &str>> = None;
    for e in &t.edges {
        if e.status != EdgeStatus::Loopback || !matches!(e.caller, Caller::Proxy { .. }) {
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
        if w.network_mode.as_ref().is_some_and(|m| m.value == "host") {
            continue;
        }
        let Some(port) = e.port else { continue };
        // nginx proxying to one of its own `listen` ports is a loop by design, not an error.
        let own_listen = proxy.listens.iter().any(|l| {
            let (_, p) = topolint_model::servers::split_bind(&l.value);
            p == Some(port)
        });
        if own_listen {
            continue;
        }
        let group = netns_group(t, w);
        if group.iter().any(|g| served_ports(g).contains(&port)) {
            continue;
        }
        let (where_, what) = match w.platform {
            Platform::Compose => (format!("the `{}` container", w.name), "container"),
            Platform::Kubernetes => (format!("pod `{}`", w.name), "pod"),
        };
        let mut f = Finding::new(
            e.span,
            format!(
                "{} to `{}:{port}` stays inside {where_}, where nothing listens on port {port}",
                via(e),
                e.host
            ),
        )
        .label(format!("`{}` is the {what} itself", e.host))
        .evidence(
            placement.span,
            format!(
                "nginx runs in `{}` ({})",
                w.name,
                placement_reason(&placement.reason)
            ),
        );
        // Who does serve this port nearby?
        let service_of = service_of.get_or_insert_with(|| service_names(t));
        let candidates: Vec<&topolint_model::Workload> = t
            .workloads_in(w.platform, &w.scope)
            .into_iter()
            .filter(|x| x.id != w.id && served_ports(x).contains(&port))
            .collect();
        let names: Vec<String> = candidates
            .iter()
            .map(|x| match x.platform {
                Platform::Compose => x.name.to_string(),
                Platform::Kubernetes => service_of
                    .get(x.id.as_str())
                    .map_or_else(|| x.name.to_string(), |name| (*name).to_owned()),
            })
            .collect();
        for (x, name) in candidates.iter().zip(&names).take(3) {
            f = f.evidence(x.span, format!("`{name}` serves port {port}"));
        }
        let help = match names.as_slice() {
            [one] => format!(
                "{}; inside a container `localhost` is the container itself: use `{one}:{port}`",
                refused(e)
            ),
            _ => format!(
                "{}; inside a container `localhost` is the container itself: use the name of the service that serves port {port}",
                refused(e)
            ),
        };
        f = f.help(help);
        if let [one] = names.as_slice() {
            if let Some(fix) = replace_fix(
                ctx.sources,
                e.span,
                &e.host,
                one,
                false,
                format!("use `{one}`"),
            ) {
                f = f.fix(fix);
            }
        }
        report.push(f);
    }
}

fn placement_reason(reason: &str) -> &'static str {
    match reason {
        "bind-mount" => "its configuration is bind-mounted here",
        "build-context" => "its image is built from the directory holding this configuration",
        "configmap" => "the pod mounts this ConfigMap",
        _ => "declared in topolint.toml",
    }
}
