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

use std::collections::HashSet;

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
///
/// The names sit in one buffer and are looked up through positions sorted by name: with a
/// map of owned names to lists, four rules building the index (two at a time) were the
/// largest allocation of the rules on a 100,000-file repository (16 MiB each).
pub(crate) struct Hosts<'a> {
    t: &'a Topology,
    /// Every Service's FQDN (whatever its platform), by position in `t.services`.
    services: Names,
    /// Positions of `services`, sorted by name (then position).
    services_sorted: Vec<u32>,
    /// Every DestinationRule's host as an FQDN (or its wildcard), by position.
    drs: Names,
    /// Positions of the DestinationRules without a wildcard, sorted by name (then position).
    drs_sorted: Vec<u32>,
    wildcard_drs: Vec<usize>,
}

/// Strings in one buffer, by position.
#[derive(Default)]
struct Names {
    text: String,
    ends: Vec<u32>,
}

impl Names {
    fn with_room(names: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(names),
        }
    }

    fn push(&mut self, name: &str) {
        self.text.push_str(name);
        self.ends.push(self.text.len() as u32);
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// `positions` sorted by name, equal names in position order.
    fn sorted(&self, positions: impl Iterator<Item = usize>) -> Vec<u32> {
        let mut order: Vec<u32> = positions.map(|i| i as u32).collect();
        order.sort_unstable_by(|&a, &b| (self.get(a as usize), a).cmp(&(self.get(b as usize), b)));
        order
    }

    /// The positions in `sorted` whose name is `name`, in position order.
    fn find<'s>(&self, sorted: &'s [u32], name: &str) -> &'s [u32] {
        let from = sorted.partition_point(|&i| self.get(i as usize) < name);
        let len = sorted[from..].partition_point(|&i| self.get(i as usize) == name);
        &sorted[from..from + len]
    }
}

impl<'a> Hosts<'a> {
    pub fn new(t: &'a Topology) -> Self {
        let d = &t.cluster_domain;
        // Sized once: an FQDN is never longer than `name.scope.svc.domain`.
        let mut services = Names::with_room(
            t.services.len(),
            t.services
                .iter()
                .map(|s| s.name.len() + s.scope.len())
                .sum::<usize>()
                + t.services.len() * (d.len() + 6),
        );
        for s in &t.services {
            services.push(&fqdn(&s.name, &s.scope, d));
        }
        let services_sorted = services.sorted(0..services.len());
        let mut drs = Names::with_room(
            t.destination_rules.len(),
            t.destination_rules
                .iter()
                .map(|dr| dr.host.value.len() + dr.namespace.len())
                .sum::<usize>()
                + t.destination_rules.len() * (d.len() + 6),
        );
        for dr in &t.destination_rules {
            drs.push(&fqdn(&dr.host.value, &dr.namespace, d));
        }
        let (wildcard_drs, plain): (Vec<usize>, Vec<usize>) =
            (0..drs.len()).partition(|&i| drs.get(i).starts_with('*'));
        let drs_sorted = drs.sorted(plain.into_iter());
        Self {
            t,
            services,
            services_sorted,
            drs,
            drs_sorted,
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
                .enumerate()
                .filter(|(i, _)| host_covers(pattern, self.services.get(*i)))
                .map(|(_, s)| s)
                .collect();
        }
        self.services
            .find(&self.services_sorted, pattern)
            .iter()
            .map(|&i| &self.t.services[i as usize])
            .collect()
    }

    /// DestinationRules whose host is exactly `fqdn`, in model order.
    pub fn drs_for(&self, fqdn: &str) -> Vec<&'a DestinationRule> {
        self.drs
            .find(&self.drs_sorted, fqdn)
            .iter()
            .map(|&i| &self.t.destination_rules[i as usize])
            .collect()
    }

    /// DestinationRules whose (possibly wildcard) host covers `fqdn`, in model order.
    pub fn drs_covering(&self, fqdn: &str) -> Vec<&'a DestinationRule> {
        let mut idx: Vec<usize> = self
            .drs
            .find(&self.drs_sorted, fqdn)
            .iter()
            .map(|&i| i as usize)
            .collect();
        idx.extend(
            self.wildcard_drs
                .iter()
                .copied()
                .filter(|&i| host_covers(self.drs.get(i), fqdn)),
        );
        idx.sort_unstable();
        idx.into_iter()
            .map(|i| &self.t.destination_rules[i])
            .collect()
    }

    /// The host of a DestinationRule of the model as an FQDN.
    pub fn dr_fqdn(&self, i: usize) -> &str {
        self.drs.get(i)
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

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn names_find_every_position_of_a_name_in_order() {
        let mut names = Names::with_room(6, 0);
        for n in ["b.ns", "a.ns", "b.ns", "", "c.ns", "b.ns"] {
            names.push(n);
        }
        assert_eq!(names.len(), 6);
        assert_eq!(
            (names.get(0), names.get(3), names.get(5)),
            ("b.ns", "", "b.ns")
        );
        let sorted = names.sorted(0..names.len());
        assert_eq!(names.find(&sorted, "b.ns"), &[0, 2, 5]);
        assert_eq!(names.find(&sorted, "a.ns"), &[1]);
        assert_eq!(names.find(&sorted, ""), &[3]);
        assert!(names.find(&sorted, "b").is_empty());
        assert!(names.find(&sorted, "d.ns").is_empty());
        // A subset of the positions (DestinationRules without a wildcard).
        let some = names.sorted([5, 4, 0].into_iter());
        assert_eq!(names.find(&some, "b.ns"), &[0, 5]);
        assert!(names.find(&some, "a.ns").is_empty());
    }
}
