//! `mtls-strict-client-without-sidecar`

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, Platform};

use super::workload_mtls;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "mtls-strict-client-without-sidecar",
    layer: Layer::Resilience,
    default_severity: Severity::Error,
    summary: "a caller without an Istio sidecar calls a workload that requires STRICT mTLS",
    docs: r#"## What it does
Resolves the PeerAuthentication in force for each called workload the way Istio does (mesh-wide
policy in the root namespace, `istio-system` unless configured -> namespace policy -> policy
selecting the workload -> port-level `portLevelMtls`) and finds calls to a STRICT workload from
a caller that has no sidecar: injection disabled by the `sidecar.istio.io/inject: "false"`
annotation or label, or by a namespace without `istio-injection: enabled` / `istio.io/rev`.
The finding names the policy, the workload and the caller.

It does not fire when the caller has a sidecar, when the callee itself has none (nothing
enforces STRICT there), or when sidecar presence is unknown (the namespace's labels are not in
the model).

## Why is this bad?
The callee's sidecar only accepts mutual TLS; a plaintext client's connection is reset:
`upstream connect error or disconnect/reset before headers. reset reason: connection
termination`, `Connection reset by peer`, 503 through a proxy.

## Example
```yaml
kind: PeerAuthentication
metadata: { name: default, namespace: shop }
spec: { mtls: { mode: STRICT } }
---
# a Deployment in namespace `batch` (no istio-injection label) calling api.shop
```

## How to fix
Inject a sidecar into the caller (label its namespace `istio-injection: enabled`), or relax the
callee's port with `portLevelMtls: { "8080": { mode: PERMISSIVE } }`.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for e in &t.edges {
        if e.status != EdgeStatus::Resolved {
            continue;
        }
        let Some(caller) = e.caller_workload.as_deref().and_then(|w| t.workload(w)) else {
            continue;
        };
        if caller.platform != Platform::Kubernetes || caller.sidecar != Some(false) {
            continue;
        }
        let Some(target) = &e.target else { continue };
        for ep in &target.endpoints {
            let Some(callee) = t.workload(&ep.workload) else {
                continue;
            };
            if callee.sidecar != Some(true) || callee.id == caller.id {
                continue;
            }
            let m = workload_mtls(t, callee, ep.port);
            if m.mode != "STRICT" {
                continue;
            }
            let Some(pa) = m.policy else { continue };
            report.push(
                Finding::new(e.span, format!("`{}` has no sidecar but calls `{}`, which PeerAuthentication `{}/{}` makes STRICT", caller.name, callee.name, pa.namespace, pa.name))
                    .label("plaintext to a mutual-TLS-only workload")
                    .evidence(m.span.unwrap_or(pa.span), format!("`{}/{}` requires mTLS", pa.namespace, pa.name))
                    .evidence(caller.span, format!("`{}` runs without an Istio sidecar", caller.name))
                    .help("the callee's sidecar resets the connection: `upstream connect error or disconnect/reset before headers` / `Connection reset by peer` (503 through a proxy); inject a sidecar into the caller or set the port PERMISSIVE with `portLevelMtls`"),
            );
        }
    }
}
