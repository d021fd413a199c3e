//! `service-selector-matches-no-pods`

use std::collections::BTreeSet;

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "service-selector-matches-no-pods",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a Kubernetes Service's selector matches no pod template in its namespace",
    docs: r#"## What it does
Matches each Service's selector against the pod templates of every workload in the model
(Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Pod) in
the Service's namespace — selectors never cross namespaces — and reports a Service that
selects none. When pods with those labels exist in another namespace, the finding points at
them.

It does not fire for Services without a selector (endpoints managed by hand), ExternalName
Services, or when the model holds no workload at all in that namespace and none elsewhere
matches (the workloads are probably deployed from another repository): then it is an info.

## Why is this bad?
The Service has no endpoints. Callers get connection refused or time out; through an ingress
controller or a mesh, `503 Service Unavailable` / `no healthy upstream`.

## Example
```yaml
kind: Service
spec:
  selector: { app: api }
---
kind: Deployment
spec:
  template:
    metadata:
      labels: { app: shop-api }
```

## How to fix
Make the selector match the pod template labels (or the labels the pods), in the same
namespace.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    let mut noted: BTreeSet<String> = BTreeSet::new();
    for s in &t.services {
        if s.platform != Platform::Kubernetes
            || s.kind == "ExternalName"
            || s.kind == "ServiceEntry"
        {
            continue;
        }
        let Some(sel) = &s.selector else { continue };
        if sel.is_empty() || !s.workloads.is_empty() {
            continue;
        }
        let span = sel.span.unwrap_or(s.span);
        let selector_text: Vec<String> = sel
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let in_ns: Vec<_> = t
            .workloads
            .iter()
            .filter(|w| w.platform == Platform::Kubernetes && w.scope == s.scope)
            .collect();
        let elsewhere: Vec<_> = t
            .workloads
            .iter()
            .filter(|w| {
                w.platform == Platform::Kubernetes && w.scope != s.scope && sel.matches(&w.labels)
            })
            .collect();
        if let Some(other) = elsewhere.first() {
            report.push(
                Finding::new(span, format!("the selector of Service `{}` matches no pod in namespace `{}`", s.name, s.scope))
                    .label(format!("selects {{{}}}", selector_text.join(", ")))
                    .evidence(other.labels_span.unwrap_or(other.span), format!("`{}` has these labels, but in namespace `{}`", other.name, other.scope))
                    .help(format!(
                        "selectors never cross namespaces: the Service has no endpoints and callers get connection refused or `503 no healthy upstream`; move the Service to namespace `{}` or the workload to `{}`",
                        other.scope, s.scope
                    )),
            );
            continue;
        }
        if in_ns.is_empty() {
            if noted.insert(s.scope.clone()) {
                report.push(
                    Finding::new(span, format!("no workload of namespace `{}` is in the linted files, so Service `{}` cannot be checked", s.scope, s.name))
                        .severity(Severity::Info)
                        .label("selects pods defined elsewhere?")
                        .help("lint the manifests of the workloads together with the Services (the whole repository) to check their selectors"),
                );
            }
            continue;
        }
        // The closest template: the most labels in common.
        let closest = in_ns
            .iter()
            .max_by_key(|w| {
                (
                    sel.match_labels
                        .iter()
                        .filter(|(k, v)| w.labels.get(*k) == Some(*v))
                        .count(),
                    std::cmp::Reverse(w.id.clone()),
                )
            })
            .copied();
        let mut f = Finding::new(
            span,
            format!(
                "the selector of Service `{}` matches no pod template in namespace `{}`",
                s.name, s.scope
            ),
        )
        .label(format!("selects {{{}}}", selector_text.join(", ")));
        if let Some(w) = closest {
            let labels: Vec<String> = w.labels.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            f = f.evidence(
                w.labels_span.unwrap_or(w.span),
                format!("`{}` pods are labelled {{{}}}", w.name, labels.join(", ")),
            );
        }
        f = f.help("the Service has no endpoints: callers get connection refused, and through an ingress or mesh `503 Service Unavailable` / `no healthy upstream`; make the selector match the pod template labels");
        report.push(f);
    }
}
