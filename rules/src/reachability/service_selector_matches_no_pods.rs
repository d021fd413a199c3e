//! `service-selector-matches-no-pods`

use std::collections::{BTreeSet, HashMap};

use topolint_diagnostics::Severity;
use topolint_model::{Platform, Workload};

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

/// Kubernetes pods by label, indexed on the first Service that selects nothing (scanning
/// every workload per such Service was quadratic in the size of the repository; pods by
/// namespace come from the topology's own index).
struct Pods<'t> {
    all: Vec<&'t Workload>,
    by_label: HashMap<(&'t str, &'t str), Vec<&'t Workload>>,
}

impl<'t> Pods<'t> {
    fn new(t: &'t topolint_model::Topology) -> Self {
        let all: Vec<&Workload> = t
            .workloads
            .iter()
            .filter(|w| w.platform == Platform::Kubernetes)
            .collect();
        let mut by_label: HashMap<(&str, &str), Vec<&Workload>> = HashMap::new();
        for &w in &all {
            for (k, v) in &w.labels {
                by_label
                    .entry((k.as_str(), v.as_str()))
                    .or_default()
                    .push(w);
            }
        }
        Self { all, by_label }
    }
}

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    let mut noted: BTreeSet<String> = BTreeSet::new();
    let mut pods: Option<Pods<'_>> = None;
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
        let pods = pods.get_or_insert_with(|| Pods::new(t));
        let in_ns = t.workloads_in(Platform::Kubernetes, &s.scope);
        // Candidates in other namespaces: the pods that carry one of the selector's
        // labels (all pods when it has only expressions), in model order.
        let candidates: &[&Workload] = match sel.match_labels.iter().next() {
            Some((k, v)) => pods
                .by_label
                .get(&(k.as_str(), v.as_str()))
                .map_or(&[], Vec::as_slice),
            None => &pods.all,
        };
        let elsewhere = candidates
            .iter()
            .find(|w| w.scope != s.scope && sel.matches(&w.labels));
        if let Some(other) = elsewhere {
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
            if noted.insert(s.scope.to_string()) {
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
