//! B. Resilience: will it stay connected?

pub mod depends_on_without_healthcheck;
pub mod healthcheck_timing;
pub mod missing_healthcheck;
pub mod missing_liveness_probe;
pub mod missing_readiness_probe;
pub mod mtls_destination_rule_conflict;
pub mod mtls_permissive_gap;
pub mod mtls_strict_client_without_sidecar;
pub mod outlier_detection_can_eject_all;
pub mod probe_port_not_exposed;
pub mod retry_budget_exceeds_timeout;
pub mod retry_on_overload;
pub mod service_healthy_without_healthcheck;
pub mod single_upstream_server;
pub mod subset_selects_no_pods;
pub mod timeout_misaligned;

use std::collections::{HashMap, HashSet};

use topolint_model::{DestinationRule, EdgeStatus, Platform, Service, Span, Topology, Workload};

/// Compose workloads that something in the model calls, with the span of one call.
pub(crate) fn called_compose(t: &Topology) -> Vec<(&Workload, Span)> {
    let mut out: Vec<(&Workload, Span)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for e in &t.edges {
        if e.status != EdgeStatus::Resolved {
            continue;
        }
        let Some(target) = &e.target else { continue };
        let Some(s) = t.service(&target.service) else {
            continue;
        };
        if s.platform != Platform::Compose {
            continue;
        }
        for wid in &s.workloads {
            if e.caller_workload.as_deref() == Some(wid.as_str()) {
                continue;
            }
            if let Some(w) = t.workload(wid) {
                if seen.insert(w.id.as_str()) {
                    out.push((w, e.span));
                }
            }
        }
    }
    out
}

/// Kubernetes workloads behind a Service (selected by it), with the Service.
pub(crate) fn behind_service(t: &Topology) -> Vec<(&Workload, &Service)> {
    let mut out: Vec<(&Workload, &Service)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for s in t
        .services
        .iter()
        .filter(|s| s.platform == Platform::Kubernetes)
    {
        for wid in &s.workloads {
            if let Some(w) = t.workload(wid) {
                if matches!(w.kind.as_str(), "Job" | "CronJob") || !seen.insert(w.id.as_str()) {
                    continue;
                }
                out.push((w, s));
            }
        }
    }
    out
}

/// Which build contexts hold a Dockerfile that declares a HEALTHCHECK, found on first use
/// (one pass over the files per rule run, instead of one per compose service).
pub(crate) struct DockerfileHealthchecks<'c> {
    ctx: &'c crate::Context<'c>,
    dirs: std::cell::OnceCell<HashSet<std::path::PathBuf>>,
}

impl<'c> DockerfileHealthchecks<'c> {
    pub fn new(ctx: &'c crate::Context<'c>) -> Self {
        Self {
            ctx,
            dirs: std::cell::OnceCell::new(),
        }
    }

    /// Does the Dockerfile of a compose service's build context declare a HEALTHCHECK?
    pub fn declared_for(&self, w: &Workload) -> bool {
        let Some(dir) = &w.build_context else {
            return false;
        };
        let dirs = self.dirs.get_or_init(|| {
            self.ctx
                .sources
                .iter()
                .filter(|f| {
                    let name = f.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    (name == "Dockerfile" || name.starts_with("Dockerfile."))
                        && f.text.lines().any(|l| {
                            let l = l.trim_start().to_ascii_uppercase();
                            l.starts_with("HEALTHCHECK") && !l.contains("NONE")
                        })
                })
                .filter_map(|f| f.path.parent())
                .map(topolint_model::compose::normalize)
                .collect()
        });
        dirs.contains(&topolint_model::compose::normalize(std::path::Path::new(
            &dir.value,
        )))
    }
}

/// `1.5s`, `30s`, `2m`.
pub(crate) fn secs(ms: u64) -> String {
    if ms.is_multiple_of(60_000) && ms >= 60_000 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{}s", ms as f64 / 1000.0)
    }
}

/// A host as a fully qualified Kubernetes name, given the namespace it is written in.
pub(crate) fn fqdn(host: &str, ns: &str, domain: &str) -> String {
    if host.starts_with('*') {
        return host.to_string();
    }
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [n] => format!("{n}.{ns}.svc.{domain}"),
        [n, ns2] => format!("{n}.{ns2}.svc.{domain}"),
        [n, ns2, "svc"] => format!("{n}.{ns2}.svc.{domain}"),
        _ => host.to_string(),
    }
}

/// Kubernetes names computed once per check. Rules compare hosts (of routes and
/// DestinationRules) with Services inside loops; formatting an FQDN per comparison made
/// those loops quadratic in the size of the model (a profile of 1,000 files put a quarter of
/// the whole run in `fqdn`), so each rule builds this index once and looks names up.
pub(crate) struct Hosts<'a> {
    t: &'a Topology,
    /// Every Service's FQDN (whatever its platform), by position in `t.services`.
    service_fqdn: Vec<String>,
    services_by_fqdn: HashMap<String, Vec<usize>>,
    /// Every DestinationRule's host as an FQDN (or its wildcard), by position.
    dr_fqdn: Vec<String>,
    drs_by_fqdn: HashMap<String, Vec<usize>>,
    wildcard_drs: Vec<usize>,
}

impl<'a> Hosts<'a> {
    pub fn new(t: &'a Topology) -> Self {
        let d = &t.cluster_domain;
        let service_fqdn: Vec<String> = t
            .services
            .iter()
            .map(|s| fqdn(&s.name, &s.scope, d))
            .collect();
        let mut services_by_fqdn: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in service_fqdn.iter().enumerate() {
            services_by_fqdn.entry(f.clone()).or_default().push(i);
        }
        let dr_fqdn: Vec<String> = t
            .destination_rules
            .iter()
            .map(|dr| fqdn(&dr.host.value, &dr.namespace, d))
            .collect();
        let mut drs_by_fqdn: HashMap<String, Vec<usize>> = HashMap::new();
        let mut wildcard_drs = Vec::new();
        for (i, f) in dr_fqdn.iter().enumerate() {
            if f.starts_with('*') {
                wildcard_drs.push(i);
            } else {
                drs_by_fqdn.entry(f.clone()).or_default().push(i);
            }
        }
        Self {
            t,
            service_fqdn,
            services_by_fqdn,
            dr_fqdn,
            drs_by_fqdn,
            wildcard_drs,
        }
    }

    /// Services whose FQDN the (possibly wildcard) `pattern` covers, in model order.
    pub fn services_covered_by(&self, pattern: &str) -> Vec<&'a Service> {
        if pattern.starts_with('*') {
            return self
                .t
                .services
                .iter()
                .zip(&self.service_fqdn)
                .filter(|(_, f)| host_covers(pattern, f))
                .map(|(s, _)| s)
                .collect();
        }
        self.services_by_fqdn
            .get(pattern)
            .map(|v| v.iter().map(|&i| &self.t.services[i]).collect())
            .unwrap_or_default()
    }

    /// DestinationRules whose host is exactly `fqdn`, in model order.
    pub fn drs_for(&self, fqdn: &str) -> Vec<&'a DestinationRule> {
        self.drs_by_fqdn
            .get(fqdn)
            .map(|v| v.iter().map(|&i| &self.t.destination_rules[i]).collect())
            .unwrap_or_default()
    }

    /// DestinationRules whose (possibly wildcard) host covers `fqdn`, in model order.
    pub fn drs_covering(&self, fqdn: &str) -> Vec<&'a DestinationRule> {
        let mut idx: Vec<usize> = self.drs_by_fqdn.get(fqdn).cloned().unwrap_or_default();
        idx.extend(
            self.wildcard_drs
                .iter()
                .copied()
                .filter(|&i| host_covers(&self.dr_fqdn[i], fqdn)),
        );
        idx.sort_unstable();
        idx.into_iter()
            .map(|i| &self.t.destination_rules[i])
            .collect()
    }

    /// The host of a DestinationRule of the model as an FQDN.
    pub fn dr_fqdn(&self, i: usize) -> &str {
        &self.dr_fqdn[i]
    }
}

/// Does a (possibly wildcard) host pattern cover `fqdn`?
pub(crate) fn host_covers(pattern: &str, fqdn: &str) -> bool {
    pattern == "*"
        || pattern == fqdn
        || pattern
            .strip_prefix('*')
            .is_some_and(|suffix| fqdn.ends_with(suffix))
}

/// The PeerAuthentication mode in force, and the policy (with the span of its mode) that set it.
pub(crate) struct Mtls<'a> {
    pub mode: String,
    pub policy: Option<&'a topolint_model::PeerAuthentication>,
    pub span: Option<Span>,
}

fn set<'a>(
    pa: &'a topolint_model::PeerAuthentication,
    m: &topolint_model::Spanned<topolint_model::Str>,
) -> Option<Mtls<'a>> {
    (m.value != "UNSET").then(|| Mtls {
        mode: m.value.to_string(),
        policy: Some(pa),
        span: Some(m.span),
    })
}

/// Namespace-wide mode: the namespace's selector-less policy, else the mesh-wide one (root
/// namespace), else Istio's default PERMISSIVE.
pub(crate) fn namespace_mtls<'a>(t: &'a Topology, ns: &str) -> Mtls<'a> {
    for n in [ns, t.istio_root_namespace.as_str()] {
        let scope = t
            .peer_authentications
            .iter()
            .filter(|p| p.namespace == n && p.selector.as_ref().is_none_or(|s| s.is_empty()));
        for pa in scope {
            if let Some(m) = pa.mode.as_ref().and_then(|m| set(pa, m)) {
                return m;
            }
        }
    }
    Mtls {
        mode: "PERMISSIVE".into(),
        policy: None,
        span: None,
    }
}

/// The mode for `w` on container port `port`: port-level > workload selector > namespace >
/// mesh > PERMISSIVE, as Istio resolves it.
pub(crate) fn workload_mtls<'a>(t: &'a Topology, w: &Workload, port: Option<u16>) -> Mtls<'a> {
    let selecting = t.peer_authentications.iter().filter(|p| {
        p.namespace == w.scope
            && p.selector
                .as_ref()
                .is_some_and(|s| !s.is_empty() && s.matches(&w.labels))
    });
    for pa in selecting {
        if let Some(port) = port {
            if let Some((_, m)) = pa.port_modes.iter().find(|(p, _)| *p == port) {
                if let Some(m) = set(pa, m) {
                    return m;
                }
            }
        }
        if let Some(m) = pa.mode.as_ref().and_then(|m| set(pa, m)) {
            return m;
        }
    }
    namespace_mtls(t, &w.scope)
}
