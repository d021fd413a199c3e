//! Giving back the unused capacity of the model's small lists.
//!
//! Lowering builds most lists by pushing, and a `Vec` that receives its first element
//! reserves room for four: a workload with one probe, two environment variables and one
//! port held three lists mostly empty. On a 100,000-file repository that slack was about a
//! sixth of the model. Each object is shrunk right after it is built, on the thread that
//! built it, so the slack is never all alive at once and the freed blocks are reused at once.

use crate::model::*;

/// Shrinks every list an object owns to its length.
pub(crate) trait Shrink {
    fn shrink(&mut self);
}

impl<T: Shrink> Shrink for Vec<T> {
    fn shrink(&mut self) {
        self.iter_mut().for_each(Shrink::shrink);
        self.shrink_to_fit();
    }
}

impl<V> Shrink for StrMap<V> {
    fn shrink(&mut self) {
        self.shrink_to_fit();
    }
}

impl<T: Shrink> Shrink for Option<T> {
    fn shrink(&mut self) {
        if let Some(t) = self {
            t.shrink();
        }
    }
}

/// Lists of leaves (strings, ids, spans): only the list itself.
macro_rules! leaves {
    ($($t:ty),*) => {
        $(impl Shrink for $t {
            fn shrink(&mut self) {}
        })*
    };
}
leaves!(
    Str,
    topolint_diagnostics::FileId,
    Spanned<Str>,
    (u16, Spanned<Str>),
    EnvVar,
    ContainerPort,
    Listener,
    Mount,
    DependsOn,
    Reference,
    ServicePort,
    Destination,
    Subset,
    PolicyPeer,
    PolicyPort
);

/// Structs: each named list (and nested object) shrinks.
macro_rules! fields {
    ($($t:ty => [$($f:ident),*]);* $(;)?) => {
        $(impl Shrink for $t {
            fn shrink(&mut self) {
                $(self.$f.shrink();)*
            }
        })*
    };
}
fields!(
    Probe => [command];
    Container => [command, args, env, ports, listeners, probes, mounts];
    NetworkAttachment => [aliases];
    SelectorRequirement => [values];
    LabelSelector => [match_labels, match_expressions];
    Workload => [labels, annotations, containers, networks, depends_on, profiles, references, selector];
    Service => [names, ports, selector, workloads, addresses];
    UpstreamServer => [params];
    Upstream => [servers];
    PassTarget => [server_names, variables, timeouts, retry];
    Proxy => [files, upstreams, targets, listens];
    HttpRoute => [destinations];
    Route => [gateways, gateway_refs, http, hosts];
    MeshPolicy => [hosts, selector, settings];
    PeerAuthentication => [port_modes, selector];
    DestinationRule => [port_tls_modes, subsets];
    ComposeProjectInfo => [files, declared];
    PolicyRule => [peers, ports];
    NetworkPolicy => [policy_types, ingress, egress];
);

/// Shrinks each object of a list that is about to be moved into a list sized once (the
/// list itself is not worth a reallocation).
fn shrink_each<T: Shrink>(items: &mut [T]) {
    items.iter_mut().for_each(Shrink::shrink);
}

impl Shrink for crate::k8s::K8sOutput {
    fn shrink(&mut self) {
        shrink_each(&mut self.workloads);
        shrink_each(&mut self.services);
        shrink_each(&mut self.routes);
        shrink_each(&mut self.mesh);
        shrink_each(&mut self.network_policies);
        shrink_each(&mut self.destination_rules);
        shrink_each(&mut self.peer_authentications);
    }
}

impl Shrink for crate::compose::ComposeOutput {
    fn shrink(&mut self) {
        shrink_each(&mut self.workloads);
        shrink_each(&mut self.services);
        self.info.shrink();
    }
}

#[cfg(test)]
mod tests {
    /// After linking, the lists of the model hold no unused room (checked on the lists a
    /// lowering pass pushes into one by one).
    #[test]
    fn linked_lists_hold_no_slack() {
        let ws = crate::test_support::generated_workspace(12, 5, 300);
        let t = crate::link(&ws, &crate::LinkOptions::default()).topology;
        fn exact<T>(what: &str, v: &Vec<T>) {
            assert_eq!(v.capacity(), v.len(), "{what}");
        }
        assert!(t.workloads.iter().any(|w| !w.containers.is_empty()));
        for w in &t.workloads {
            exact("containers", &w.containers);
            exact("references", &w.references);
            exact("networks", &w.networks);
            exact("depends_on", &w.depends_on);
            for c in &w.containers {
                exact("env", &c.env);
                exact("ports", &c.ports);
                exact("probes", &c.probes);
                exact("mounts", &c.mounts);
                exact("listeners", &c.listeners);
            }
        }
        for s in &t.services {
            exact("service ports", &s.ports);
            exact("service workloads", &s.workloads);
        }
        assert!(!t.proxies.is_empty());
        for p in &t.proxies {
            exact("targets", &p.targets);
            exact("upstreams", &p.upstreams);
            exact("listens", &p.listens);
        }
        assert!(t.edges.iter().any(|e| e.target.is_some()));
        for e in &t.edges {
            if let Some(target) = &e.target {
                exact("endpoints", &target.endpoints);
            }
        }
    }
}
