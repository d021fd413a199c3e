//! `unresolved-reference`

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "unresolved-reference",
    layer: Layer::Inputs,
    default_severity: Severity::Warning,
    summary: "a network, volume, service, config, secret, ConfigMap or Gateway is referenced but not defined",
    docs: r#"## What it does
Checks that what an object refers to by name exists in the model:
- compose: a service's `networks`, named `volumes`, `configs` and `secrets` must be declared
  at the top level (the implicit `default` network always exists); `depends_on`,
  `volumes_from`, `network_mode`/`ipc`/`pid: service:x` must name a service of the project
  (`depends_on` with `required: false` may dangle);
- Kubernetes: a ConfigMap used by a volume, `envFrom` or `configMapKeyRef` (unless
  `optional: true`) must exist in the pod's namespace — checked only when the repository
  defines ConfigMaps at all (otherwise they come from elsewhere: kustomize, Helm, `kubectl
  create configmap`); Secrets are never checked (they rarely live in a repository);
- Istio: a VirtualService's `gateways` (and `http[].match[].gateways`) must name a Gateway of
  the model (`mesh` is the reserved name of the sidecars; `ns/name` names another namespace).

## Why is this bad?
docker compose refuses the project (`service "web" refers to undefined network "front"`);
a pod stays in `ContainerCreating` (`configmap "nginx-conf" not found`), so its Service has no
endpoints (503); a VirtualService bound to a missing Gateway never receives traffic (404 at the
gateway).

## Example
```yaml
services:
  web:
    networks: [front]
networks:
  frontend: {}
```

## How to fix
Declare the object, or correct the name.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    // compose
    let projects: std::collections::HashMap<&str, &topolint_model::ComposeProjectInfo> = t
        .compose_projects
        .iter()
        .rev()
        .map(|p| (p.name.as_str(), p))
        .collect();
    for w in t
        .workloads
        .iter()
        .filter(|w| w.platform == Platform::Compose)
    {
        let Some(&project) = projects.get(w.scope.as_str()) else {
            continue;
        };
        for r in &w.references {
            let found = match r.kind.as_str() {
                "network" => {
                    r.name == "default"
                        || project
                            .declared
                            .iter()
                            .any(|d| d.kind == "network" && d.name == r.name)
                }
                "service" => t
                    .compose_workloads(&w.scope)
                    .iter()
                    .any(|x| x.name == r.name),
                kind => project
                    .declared
                    .iter()
                    .any(|d| d.kind == kind && d.name == r.name),
            };
            if found {
                continue;
            }
            let (what, runtime) = match r.kind.as_str() {
                "service" => ("service", format!("docker compose refuses the project: `service \"{}\" depends on undefined service \"{}\"`", w.name, r.name)),
                kind => (kind, format!("docker compose refuses the project: `service \"{}\" refers to undefined {kind} {}`", w.name, r.name)),
            };
            let mut f = Finding::new(
                r.span,
                format!(
                    "`{}` refers to {what} `{}`, which the compose project does not define",
                    w.name, r.name
                ),
            )
            .label(format!("undefined {what}"));
            if let Some(d) = project.declared.iter().find(|d| d.kind == r.kind) {
                f = f.evidence(d.span, format!("{what}s are declared here"));
            } else {
                f = f.evidence(w.span, format!("service `{}`", w.name));
            }
            f = f.help(format!("{runtime}; declare it or fix the name"));
            report.push(f);
        }
    }
    // Kubernetes ConfigMaps, only where the repository manages ConfigMaps.
    let configmaps: Vec<_> = t.objects.iter().filter(|o| o.kind == "ConfigMap").collect();
    let defined: std::collections::HashSet<(&str, &str)> = configmaps
        .iter()
        .map(|c| (c.name.as_str(), c.namespace.as_str()))
        .collect();
    if !configmaps.is_empty() {
        for w in t
            .workloads
            .iter()
            .filter(|w| w.platform == Platform::Kubernetes)
        {
            for r in w
                .references
                .iter()
                .filter(|r| r.kind == "configmap" && !r.optional)
            {
                if defined.contains(&(r.name.as_str(), w.scope.as_str())) {
                    continue;
                }
                let mut f = Finding::new(
                    r.span,
                    format!(
                        "{} `{}` uses ConfigMap `{}`, which is not defined in namespace `{}`",
                        w.kind, w.name, r.name, w.scope
                    ),
                )
                .label("no such ConfigMap");
                if let Some(c) = configmaps.iter().find(|c| c.name == r.name) {
                    f = f.evidence(
                        c.span,
                        format!(
                            "ConfigMap `{}` exists, but in namespace `{}`",
                            c.name, c.namespace
                        ),
                    );
                } else {
                    f = f.evidence(
                        configmaps[0].span,
                        "ConfigMaps of this repository are defined in manifests like this one"
                            .to_string(),
                    );
                }
                f = f.help(format!(
                    "the pod stays in `ContainerCreating` (`configmap \"{}\" not found`), so nothing serves its Service (503); define it, fix the name, or mark the reference `optional: true`",
                    r.name
                ));
                report.push(f);
            }
        }
    }
    // Istio gateways.
    for r in &t.routes {
        for g in &r.gateway_refs {
            if g.value == "mesh" {
                continue;
            }
            let (ns, name) = match g.value.split_once('/') {
                Some((ns, name)) => (ns.to_string(), name.to_string()),
                None => (r.namespace.to_string(), g.value.to_string()),
            };
            // `gw.ns.svc.cluster.local` style names are not Gateway object names: skip.
            if name.contains('.') {
                continue;
            }
            if t.mesh
                .iter()
                .any(|m| m.kind == "Gateway" && m.name == name && m.namespace == ns)
            {
                continue;
            }
            let mut f = Finding::new(
                g.span,
                format!(
                    "VirtualService `{}` is bound to Gateway `{ns}/{name}`, which is not defined",
                    r.name
                ),
            )
            .label("no such Gateway");
            f = match t.mesh.iter().find(|m| m.kind == "Gateway") {
                Some(m) => f.evidence(
                    m.span,
                    format!("Gateway `{}/{}` is defined", m.namespace, m.name),
                ),
                None => f.evidence(r.span, format!("VirtualService `{}`", r.name)),
            };
            f = f.help("the route is never attached to a listener: requests through that gateway get 404 (`NR` in Envoy's access log); define the Gateway or fix the name (`<namespace>/<name>` for another namespace, `mesh` for sidecars)");
            report.push(f);
        }
    }
}
