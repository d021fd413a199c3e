//! `network-policy-blocks-caller`

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, NetworkPolicy, Platform, PolicyRule, StrMap, Topology, Workload};

use super::via;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "network-policy-blocks-caller",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a NetworkPolicy does not admit a caller that the model says calls the pod",
    docs: r#"## What it does
Evaluates NetworkPolicies the way Kubernetes does, for every call between two workloads of
the model: when the callee's pods are selected by any policy of their namespace with
`Ingress` in its `policyTypes`, the call is allowed only if some `ingress` rule of one of
those policies admits it — its `from` peers (`podSelector` in the policy's namespace,
`namespaceSelector` by namespace labels, both combined; no `from` = everyone; `ipBlock`
never matches in-cluster pods) and its `ports` (by number or container port name, `endPort`
ranges; no `ports` = every port). The caller's own `Egress` policies are evaluated the same
way.

It does not fire when no policy selects the callee (or the caller, for egress), or when the
caller is outside the model (an ingress controller, a client outside the cluster).

## Why is this bad?
Packets are dropped: the caller sees connection timeouts (nginx: `upstream timed out (110:
Connection timed out) while connecting to upstream`, 504), not refusals — the slowest and most
confusing way to fail.

## Example
```yaml
kind: NetworkPolicy
spec:
  podSelector: { matchLabels: { app: api } }
  ingress:
    - from: [{ podSelector: { matchLabels: { app: frontend } } }]
# ... while the nginx pod labelled app: edge calls api
```

## How to fix
Add a rule that admits the caller (its pod labels, its namespace's labels, the port), or
correct the labels.
"#,
};

/// Does `rule` (in a policy of namespace `policy_ns`) admit `peer` (a workload) on `port`?
fn admits(
    t: &Topology,
    rule: &PolicyRule,
    policy_ns: &str,
    peer: &Workload,
    port: u16,
    port_owner: &Workload,
) -> bool {
    let empty = StrMap::new();
    let ns_labels = t.namespaces.get(&peer.scope).unwrap_or(&empty);
    let mut ns_labels = ns_labels.clone();
    // Every namespace carries this label (Kubernetes 1.21+).
    ns_labels.insert("kubernetes.io/metadata.name".into(), peer.scope.clone());
    let peer_ok = rule.peers.is_empty()
        || rule
            .peers
            .iter()
            .any(|p| match (&p.pod_selector, &p.namespace_selector) {
                (Some(ps), Some(ns)) => ns.matches(&ns_labels) && ps.matches(&peer.labels),
                (Some(ps), None) => peer.scope == policy_ns && ps.matches(&peer.labels),
                (None, Some(ns)) => ns.matches(&ns_labels),
                (None, None) => false, // an ipBlock peer: not a pod
            });
    let port_ok = rule.ports.is_empty()
        || rule.ports.iter().any(|pp| match &pp.port {
            None => true,
            Some(p) => match p.parse::<u16>() {
                Ok(n) => match pp.end_port {
                    Some(end) => (n..=end).contains(&port),
                    None => n == port,
                },
                Err(_) => port_owner.containers.iter().any(|c| {
                    c.ports
                        .iter()
                        .any(|cp| cp.port == port && cp.name.as_deref() == Some(p.as_str()))
                }),
            },
        });
    peer_ok && port_ok
}

/// The policies of `w`'s namespace that select it for `kind` (`Ingress`/`Egress`).
fn selecting<'a>(t: &'a Topology, w: &Workload, kind: &str) -> Vec<&'a NetworkPolicy> {
    t.network_policies
        .iter()
        .filter(|p| {
            p.namespace == w.scope
                && p.policy_types.iter().any(|k| k == kind)
                && p.pod_selector.matches(&w.labels)
        })
        .collect()
}

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    if t.network_policies.is_empty() {
        return;
    }
    for e in &t.edges {
        if e.status != EdgeStatus::Resolved {
            continue;
        }
        let Some(caller) = e.caller_workload.as_deref().and_then(|w| t.workload(w)) else {
            continue;
        };
        if caller.platform != Platform::Kubernetes {
            continue;
        }
        let Some(target) = &e.target else { continue };
        for ep in &target.endpoints {
            let Some(callee) = t.workload(&ep.workload) else {
                continue;
            };
            if callee.id == caller.id {
                continue;
            }
            let Some(port) = ep.port.or(e.port) else {
                continue;
            };
            let ingress = selecting(t, callee, "Ingress");
            if !ingress.is_empty()
                && !ingress.iter().any(|p| {
                    p.ingress
                        .iter()
                        .any(|r| admits(t, r, &p.namespace, caller, port, callee))
                })
            {
                let mut f = Finding::new(
                    e.span,
                    format!("{} from `{}` to `{}` on port {port} is not admitted by the NetworkPolicies that select `{}`", via(e), caller.name, callee.name, callee.name),
                )
                .label("dropped by a NetworkPolicy");
                for p in ingress.iter().take(3) {
                    f = f.evidence(
                        p.span,
                        format!(
                            "NetworkPolicy `{}` selects `{}` and admits no rule for this caller",
                            p.name, callee.name
                        ),
                    );
                }
                f = f.evidence(
                    caller.labels_span.unwrap_or(caller.span),
                    format!(
                        "the caller's pods are labelled {{{}}}",
                        caller
                            .labels
                            .iter()
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                f = f.help("the packets are dropped: the caller times out (nginx: `upstream timed out (110: Connection timed out) while connecting to upstream`, 504); add an ingress rule admitting the caller's labels (and namespace) on this port");
                report.push(f);
                continue;
            }
            let egress = selecting(t, caller, "Egress");
            if !egress.is_empty()
                && !egress.iter().any(|p| {
                    p.egress
                        .iter()
                        .any(|r| admits(t, r, &p.namespace, callee, port, callee))
                })
            {
                let mut f = Finding::new(
                    e.span,
                    format!("{} from `{}` to `{}` on port {port} is not allowed by the egress NetworkPolicies of `{}`", via(e), caller.name, callee.name, caller.name),
                )
                .label("dropped by an egress NetworkPolicy");
                for p in egress.iter().take(3) {
                    f = f.evidence(
                        p.span,
                        format!(
                            "NetworkPolicy `{}` restricts egress of `{}`",
                            p.name, caller.name
                        ),
                    );
                }
                f = f.help("the packets are dropped: the caller times out (`upstream timed out (110)`, 504); add an egress rule for the callee's labels and port (and one for DNS on port 53)");
                report.push(f);
            }
        }
    }
}
