//! `mtls-destination-rule-conflict`

use std::collections::BTreeSet;

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use super::{host_covers, namespace_mtls, workload_mtls, Hosts};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "mtls-destination-rule-conflict",
    layer: Layer::Resilience,
    default_severity: Severity::Error,
    summary: "a DestinationRule's TLS mode contradicts the PeerAuthentication of its hosts",
    docs: r#"## What it does
Compares each DestinationRule's `tls.mode` (traffic policy, port-level settings and subsets)
with what its hosts accept:
- `DISABLE` (plaintext) towards hosts whose PeerAuthentication is STRICT — resolved mesh-wide
  (root namespace) -> namespace -> workload selector, for every namespace the host covers
  (`*.local` covers all of them);
- `ISTIO_MUTUAL` towards workloads known to have no sidecar.
The finding names the DestinationRule and the PeerAuthentication.

## Why is this bad?
The client sidecar speaks plaintext to a server that only accepts mTLS (or mTLS to a server
that cannot terminate it): the connection is reset before any response, `upstream connect
error or disconnect/reset before headers. reset reason: connection termination`, 503.

## Example
```yaml
kind: DestinationRule
spec: { host: "*.local", trafficPolicy: { tls: { mode: DISABLE } } }
---
kind: PeerAuthentication
metadata: { namespace: istio-system }
spec: { mtls: { mode: STRICT } }
```

## How to fix
Remove the DestinationRule's `tls` override (Istio then uses mTLS automatically) or use
`ISTIO_MUTUAL`; make the PeerAuthentication PERMISSIVE while clients migrate.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    let d = &t.cluster_domain;
    let namespaces: BTreeSet<&str> = t
        .namespaces
        .keys()
        .map(|k| k.as_str())
        .chain(t.peer_authentications.iter().map(|p| p.namespace.as_str()))
        .chain(t.destination_rules.iter().map(|r| r.namespace.as_str()))
        .collect();
    let hosts = Hosts::new(t);
    for (i, dr) in t.destination_rules.iter().enumerate() {
        let host = hosts.dr_fqdn(i);
        // The Services (of any platform) this host covers, computed on first need.
        let covered_services = std::cell::OnceCell::new();
        let covered_by_host = || covered_services.get_or_init(|| hosts.services_covered_by(host));
        let modes = dr
            .tls_mode
            .iter()
            .chain(dr.port_tls_modes.iter().map(|(_, m)| m))
            .chain(dr.subsets.iter().filter_map(|s| s.tls_mode.as_ref()));
        for mode in modes {
            match mode.value.as_str() {
                "DISABLE" => {
                    // Namespaces the host covers, and their namespace-wide mode.
                    let covered: Vec<&str> = if host.starts_with('*') {
                        namespaces
                            .iter()
                            .copied()
                            .filter(|ns| host_covers(host, &format!("x.{ns}.svc.{d}")))
                            .collect()
                    } else {
                        host.split('.').nth(1).into_iter().collect()
                    };
                    let mut hit = None;
                    for ns in covered {
                        let m = namespace_mtls(t, ns);
                        if m.mode == "STRICT" {
                            hit = Some((ns.to_string(), m));
                            break;
                        }
                        // A STRICT workload policy on a host this rule targets.
                        for w in t
                            .workloads
                            .iter()
                            .filter(|w| w.platform == Platform::Kubernetes && w.scope == ns)
                        {
                            let m = workload_mtls(t, w, None);
                            if m.mode == "STRICT"
                                && covered_by_host()
                                    .iter()
                                    .any(|s| s.workloads.contains(&w.id))
                            {
                                hit = Some((ns.to_string(), m));
                                break;
                            }
                        }
                        if hit.is_some() {
                            break;
                        }
                    }
                    let Some((ns, m)) = hit else { continue };
                    let Some(pa) = m.policy else { continue };
                    report.push(
                        Finding::new(mode.span, format!("DestinationRule `{}` sends plaintext to `{}`, but PeerAuthentication `{}/{}` requires mTLS in namespace `{ns}`", dr.name, dr.host.value, pa.namespace, pa.name))
                            .label("`tls.mode: DISABLE`")
                            .evidence(m.span.unwrap_or(pa.span), format!("`{}/{}` is STRICT", pa.namespace, pa.name))
                            .help("the server sidecars reset the plaintext connections: `upstream connect error or disconnect/reset before headers. reset reason: connection termination`, 503; remove the `tls` override or use `ISTIO_MUTUAL`, or make the PeerAuthentication PERMISSIVE"),
                    );
                }
                "ISTIO_MUTUAL" => {
                    let targets: Vec<_> = covered_by_host()
                        .iter()
                        .filter(|s| s.platform == Platform::Kubernetes)
                        .flat_map(|s| s.workloads.iter().filter_map(|w| t.workload(w)))
                        .filter(|w| w.sidecar == Some(false))
                        .collect();
                    let Some(w) = targets.first() else { continue };
                    report.push(
                        Finding::new(mode.span, format!("DestinationRule `{}` requires Istio mTLS towards `{}`, but `{}` has no sidecar", dr.name, dr.host.value, w.name))
                            .label("`tls.mode: ISTIO_MUTUAL`")
                            .evidence(w.span, format!("`{}` runs without an Istio sidecar", w.name))
                            .help("the server cannot terminate Istio's mTLS: the connection is reset before headers (503); inject a sidecar into the server or drop the `tls` override"),
                    );
                }
                _ => {}
            }
        }
    }
}
