//! `mtls-permissive-gap`

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use super::namespace_mtls;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "mtls-permissive-gap",
    layer: Layer::Resilience,
    default_severity: Severity::Warning,
    summary: "a namespace accepts plaintext although every workload in it has a sidecar",
    docs: r#"## What it does
For each namespace whose workloads ALL have an Istio sidecar (known from the namespace's
injection labels and the pods' annotations), reports once when the mode in force there is
PERMISSIVE — set by a namespace or mesh-wide PeerAuthentication, or by no policy at all (Istio's
default is PERMISSIVE) — naming the workloads.

A warning when a PeerAuthentication explicitly says PERMISSIVE; an info when no policy applies
at all (Istio's default) — that is how most meshes start, and Istio removed its own analyzer
over noise like this. When some workload of the namespace has no sidecar, PERMISSIVE is the
migration state: an info. Namespaces whose sidecar status is unknown are not reported.

## Why is this bad?
Every workload could require mutual TLS, yet anything that reaches the pods can still talk
plaintext to them, bypassing identity-based authorization: the "PERMISSIVE mTLS gap".

## Example
```yaml
kind: Namespace
metadata: { name: payments, labels: { istio-injection: enabled } }
# ... and no PeerAuthentication, or mode: PERMISSIVE
```

## How to fix
```yaml
kind: PeerAuthentication
metadata: { name: default, namespace: payments }
spec: { mtls: { mode: STRICT } }
```
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for ns in t.namespaces.keys() {
        // By the topology's index (a scan of every workload per namespace was quadratic).
        let ws = t.workloads_in(Platform::Kubernetes, ns);
        if ws.is_empty() || ws.iter().any(|w| w.sidecar.is_none()) {
            continue;
        }
        let m = namespace_mtls(t, ns);
        if m.mode != "PERMISSIVE" {
            continue;
        }
        let with: Vec<String> = ws
            .iter()
            .filter(|w| w.sidecar == Some(true))
            .map(|w| format!("`{}`", w.name))
            .collect();
        if with.is_empty() {
            continue;
        }
        let all = with.len() == ws.len();
        let span = match (&m.policy, m.span) {
            (Some(_), Some(s)) => s,
            _ => match t
                .objects
                .iter()
                .find(|o| o.kind == "Namespace" && o.name == ns)
            {
                Some(o) => o.span,
                None => ws[0].span,
            },
        };
        let source = match m.policy {
            Some(pa) => format!(
                "PeerAuthentication `{}/{}` is PERMISSIVE",
                pa.namespace, pa.name
            ),
            None => "no PeerAuthentication applies, and Istio's default is PERMISSIVE".to_string(),
        };
        let mut f = Finding::new(
            span,
            format!("namespace `{ns}` accepts plaintext: {source}"),
        )
        .label("PERMISSIVE");
        f = f.evidence(ws[0].span, format!("sidecars: {}", with.join(", ")));
        f = if all && m.policy.is_some() {
            f.help("every workload here has a sidecar, so STRICT would hold, yet plaintext from anything that reaches the pods is still accepted; add a namespace PeerAuthentication with `mtls.mode: STRICT`")
        } else if all {
            // No policy at all: Istio's default. Worth knowing, but the absence of a policy is
            // how most meshes start, so it is an info (Istio removed its own analyzer for noise).
            f.severity(Severity::Info).help("every workload here has a sidecar but no PeerAuthentication applies, so Istio's default PERMISSIVE accepts plaintext; add a namespace PeerAuthentication with `mtls.mode: STRICT`")
        } else {
            f.severity(Severity::Info).help("some workloads have no sidecar yet: PERMISSIVE is the migration state; switch to STRICT once all are injected")
        };
        report.push(f);
    }
}
