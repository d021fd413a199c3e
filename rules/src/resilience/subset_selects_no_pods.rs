//! `subset-selects-no-pods`

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use std::collections::HashSet;

use super::{fqdn, Hosts};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "subset-selects-no-pods",
    layer: Layer::Resilience,
    default_severity: Severity::Error,
    summary: "a DestinationRule subset selects no pods, or a route uses an undefined subset",
    docs: r#"## What it does
- A VirtualService route destination names a `subset` that the DestinationRule of its host
  does not define (hosts compared fully qualified: a short host means the namespace of the
  object that writes it).
- A DestinationRule subset whose labels select none of the pods of its host (the workloads the
  host's Service selects). Routed to: error; unused: warning. When the model holds no workload
  of the host, nothing is said about its subsets (the pods are deployed from elsewhere).

## Why is this bad?
Envoy has no endpoint for that subset: every request routed to it gets `503 no healthy
upstream` (`NR`/`UH` in the access log). A typo in `version: v2` is enough.

## Example
```yaml
subsets:
  - { name: v2, labels: { version: "2" } }   # pods say version: v2
```

## How to fix
Make the subset labels match the pod template labels, define the subset, or route to an
existing one.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    let d = &t.cluster_domain;
    let hosts = Hosts::new(t);
    // Which subsets are referenced, per fully qualified host.
    let mut referenced: HashSet<(String, String)> = HashSet::new();
    for r in t.routes.iter().filter(|r| r.kind == "VirtualService") {
        for h in &r.http {
            for dest in &h.destinations {
                let Some(subset) = &dest.subset else { continue };
                let host = fqdn(&dest.host, &r.namespace, d);
                referenced.insert((host.clone(), subset.value.to_string()));
                let drs = if host.starts_with('*') {
                    t.destination_rules
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| hosts.dr_fqdn(*i) == host)
                        .map(|(_, dr)| dr)
                        .collect()
                } else {
                    hosts.drs_for(&host)
                };
                // Only where this repository manages DestinationRules at all.
                if t.destination_rules.is_empty()
                    || drs
                        .iter()
                        .any(|dr| dr.subsets.iter().any(|s| s.name == subset.value))
                {
                    continue;
                }
                let mut f = Finding::new(
                    subset.span,
                    format!("VirtualService `{}` routes to subset `{}` of `{}`, which no DestinationRule defines", r.name, subset.value, dest.host),
                )
                .label("undefined subset");
                f = match drs.first() {
                    Some(dr) => {
                        let names: Vec<String> =
                            dr.subsets.iter().map(|s| format!("`{}`", s.name)).collect();
                        f.evidence(
                            dr.host.span,
                            format!(
                                "DestinationRule `{}` defines {}",
                                dr.name,
                                if names.is_empty() {
                                    "no subsets".into()
                                } else {
                                    names.join(", ")
                                }
                            ),
                        )
                    }
                    None => {
                        // A same-named host in another namespace is the usual cause.
                        let near = t.destination_rules.iter().find(|dr| {
                            dr.host.value.split('.').next() == dest.host.split('.').next()
                        });
                        match near {
                            Some(dr) => f.evidence(
                                dr.host.span,
                                format!(
                                    "DestinationRule `{}` is for `{}`, not `{host}`",
                                    dr.name,
                                    fqdn(&dr.host.value, &dr.namespace, d)
                                ),
                            ),
                            None => {
                                f.evidence(dest.span, format!("no DestinationRule for `{host}`"))
                            }
                        }
                    }
                };
                report.push(f.help("Envoy has no cluster for it: every request on this route gets `503 no healthy upstream`; define the subset (a short host means the namespace of the object that writes it) or route to an existing one"));
            }
        }
    }
    for (i, dr) in t.destination_rules.iter().enumerate() {
        if dr.subsets.is_empty() || dr.host.value.starts_with('*') {
            continue;
        }
        let host = hosts.dr_fqdn(i).to_string();
        let svc = hosts
            .services_covered_by(&host)
            .into_iter()
            .find(|s| s.platform == Platform::Kubernetes);
        let pods: Vec<_> = match svc {
            Some(s) => s.workloads.iter().filter_map(|w| t.workload(w)).collect(),
            None => Vec::new(),
        };
        for sub in &dr.subsets {
            let used = referenced.contains(&(host.clone(), sub.name.to_string()));
            let labels: Vec<String> = sub
                .labels
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            let severity = if !pods.is_empty() {
                if pods
                    .iter()
                    .any(|w| sub.labels.iter().all(|(k, v)| w.labels.get(k) == Some(v)))
                {
                    continue;
                }
                if used {
                    Severity::Error
                } else {
                    Severity::Warning
                }
            } else {
                // Without the host's pods in the model nothing can be said about its subsets.
                continue;
            };
            let mut f = Finding::new(
                sub.span,
                format!(
                    "subset `{}` of DestinationRule `{}` selects no pod of `{}`",
                    sub.name, dr.name, dr.host.value
                ),
            )
            .severity(severity)
            .label(format!("selects {{{}}}", labels.join(", ")));
            f = match pods.first() {
                Some(w) => f.evidence(
                    w.labels_span.unwrap_or(w.span),
                    format!(
                        "`{}` pods are labelled {{{}}}",
                        w.name,
                        w.labels
                            .iter()
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                None => f.evidence(
                    dr.host.span,
                    format!("no workload of `{}` is in the model", dr.host.value),
                ),
            };
            f = f.help(if used {
                "a route sends traffic to it: Envoy answers `503 no healthy upstream`; make the subset labels match the pods"
            } else {
                "nothing routes to it yet, but a route that does will get `503 no healthy upstream`; make the labels match the pods or remove the subset"
            });
            report.push(f);
        }
    }
}
