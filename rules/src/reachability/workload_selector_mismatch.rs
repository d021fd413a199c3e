//! `workload-selector-mismatch`

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "workload-selector-mismatch",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary:
        "a Deployment/StatefulSet/DaemonSet/ReplicaSet selector does not match its own pod template",
    docs: r#"## What it does
Checks that the `spec.selector` of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or
ReplicationController selects the labels of its own `spec.template` (full LabelSelector
semantics: `matchLabels` and `matchExpressions` with `In`, `NotIn`, `Exists`,
`DoesNotExist`).

## Why is this bad?
The API server rejects the object (`selector does not match template labels`), so the rollout
never happens and the Service in front of it keeps no endpoints — or, with an older object
still running, keeps the old version forever.

## Example
```yaml
spec:
  selector:
    matchLabels: { app: api }
  template:
    metadata:
      labels: { app: api-server }
```

## How to fix
Make the template labels satisfy the selector (the selector of an existing Deployment is
immutable: change the template).
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    for w in &ctx.topology.workloads {
        if w.platform != Platform::Kubernetes {
            continue;
        }
        let Some(sel) = &w.selector else { continue };
        if sel.is_empty() || sel.matches(&w.labels) {
            continue;
        }
        let labels: Vec<String> = w.labels.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let mut f = Finding::new(sel.span.unwrap_or(w.span), format!("the selector of {} `{}` does not match its own pod template", w.kind, w.name))
            .label("selects other labels than the template's")
            .help(format!(
                "the API server rejects it (`selector does not match template labels`): the {} is never rolled out and Services keep no endpoints; make the template labels satisfy the selector",
                w.kind
            ));
        f = f.evidence(
            w.labels_span.unwrap_or(w.span),
            format!("the template is labelled {{{}}}", labels.join(", ")),
        );
        report.push(f);
    }
}
