//! The model document (docs/model.md, `schema: 1`), typed for plugins.
//!
//! These types mirror the documented fields. They are lenient on purpose: unknown fields
//! are ignored and missing ones take their default, so a plugin built against this SDK
//! keeps working when the document gains fields within the same schema version. For a
//! field not typed here, parse [`crate::Context::document`] yourself.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A location in a file of the model: byte range plus the 1-based line and column of its
/// start.
///
/// Spans taken from the model are always inside their file; [`Span::point`],
/// [`Span::narrow`] and [`Span::cover`] derive spans that stay inside it. topolint
/// recomputes line and column from the byte offsets, so a derived span's `line`/`column`
/// (copied from the span it came from) need not be exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(default)]
pub struct Span {
    /// An id from [`Topology::files`].
    pub file: u32,
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub column: u32,
}

impl Span {
    pub fn len(&self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The empty span at the start of this one (a caret rather than an underline).
    pub fn point(&self) -> Span {
        Span {
            end: self.start,
            ..*self
        }
    }

    /// The part from byte `from` to byte `to` of this span (relative offsets, clamped to
    /// the span), e.g. the value after `name=` in a span that covers `name=value`.
    pub fn narrow(&self, from: u32, to: u32) -> Span {
        let len = self.len();
        let from = from.min(len);
        let to = to.clamp(from, len);
        Span {
            start: self.start + from,
            end: self.start + to,
            ..*self
        }
    }

    /// The smallest span covering both, when they are in the same file.
    pub fn cover(&self, other: &Span) -> Option<Span> {
        if self.file != other.file {
            return None;
        }
        let (first, _) = if self.start <= other.start {
            (self, other)
        } else {
            (other, self)
        };
        Some(Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
            ..*first
        })
    }

    /// Whether `other` lies within this span.
    pub fn contains(&self, other: &Span) -> bool {
        self.file == other.file && self.start <= other.start && other.end <= self.end
    }

    /// `path:line:column`, for messages.
    pub fn location(&self, topology: &Topology) -> String {
        let path = topology.file(self.file).map_or("?", |f| f.path.as_str());
        format!("{path}:{}:{}", self.line, self.column)
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Spanned<T: Default> {
    pub value: T,
    pub span: Span,
}

/// The whole model.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Topology {
    pub schema: u32,
    pub cluster_domain: String,
    pub files: Vec<File>,
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    pub proxies: Vec<Proxy>,
    pub routes: Vec<Route>,
    pub mesh: Vec<MeshPolicy>,
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    pub objects: Vec<Object>,
    pub edges: Vec<Edge>,
}

impl Topology {
    pub fn file(&self, id: u32) -> Option<&File> {
        self.files.iter().find(|f| f.id == id)
    }

    pub fn workload(&self, id: &str) -> Option<&Workload> {
        self.workloads.iter().find(|w| w.id == id)
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    pub fn proxy(&self, id: &str) -> Option<&Proxy> {
        self.proxies.iter().find(|p| p.id == id)
    }

    /// Every container of every workload, with its workload.
    pub fn containers(&self) -> impl Iterator<Item = (&Workload, &Container)> {
        self.workloads
            .iter()
            .flat_map(|w| w.containers.iter().map(move |c| (w, c)))
    }

    /// Every `*_pass` of every nginx, with its proxy.
    pub fn pass_targets(&self) -> impl Iterator<Item = (&Proxy, &PassTarget)> {
        self.proxies
            .iter()
            .flat_map(|p| p.targets.iter().map(move |t| (p, t)))
    }
}

/// A file of the model.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct File {
    pub id: u32,
    pub path: String,
    /// `nginx`, `compose`, `kubernetes`, `dockerfile`, `helm-template`.
    pub kind: String,
}

/// A compose service or a Kubernetes pod template owner.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Workload {
    /// `compose:<project>/<service>` or `k8s:<namespace>/<Kind>/<name>`.
    pub id: String,
    /// `compose` or `kubernetes`.
    pub platform: String,
    pub name: String,
    /// Compose project or Kubernetes namespace.
    pub scope: String,
    /// `service` for compose; the Kubernetes kind otherwise.
    pub kind: String,
    pub labels: BTreeMap<String, String>,
    pub labels_span: Option<Span>,
    pub annotations: BTreeMap<String, String>,
    pub containers: Vec<Container>,
    pub networks: Vec<NetworkAttachment>,
    pub network_mode: Option<Spanned<String>>,
    pub depends_on: Vec<DependsOn>,
    pub hostname: Option<Spanned<String>>,
    pub container_name: Option<Spanned<String>>,
    pub build_context: Option<Spanned<String>>,
    pub replicas: Option<i64>,
    pub selector: Option<LabelSelector>,
    pub profiles: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Container {
    pub name: String,
    pub image: Option<String>,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub command_span: Option<Span>,
    pub env: Vec<EnvVar>,
    pub ports: Vec<ContainerPort>,
    pub listeners: Vec<Listener>,
    pub probes: Vec<Probe>,
    pub mounts: Vec<Mount>,
    pub init: bool,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct EnvVar {
    pub name: String,
    /// `None` for `valueFrom` and value-less compose entries.
    pub value: Option<String>,
    pub span: Span,
    pub value_span: Option<Span>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ContainerPort {
    pub port: u16,
    pub name: Option<String>,
    pub protocol: String,
    pub span: Span,
}

/// What a container's process is known to listen on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Listener {
    pub port: Option<u16>,
    pub bind: Option<String>,
    pub server: String,
    pub default_bind: bool,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Probe {
    /// `healthcheck`, `readiness`, `liveness` or `startup`.
    pub kind: String,
    /// `cmd`, `exec`, `http`, `tcp` or `grpc`.
    pub handler: String,
    pub port: Option<String>,
    pub command: Vec<String>,
    pub interval_s: Option<f64>,
    pub timeout_s: Option<f64>,
    pub retries: Option<i64>,
    pub initial_delay_s: Option<f64>,
    pub disabled: bool,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Mount {
    pub source: String,
    pub target: String,
    pub key: Option<String>,
    pub read_only: bool,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct NetworkAttachment {
    pub network: String,
    pub aliases: Vec<Spanned<String>>,
    pub ipv4_address: Option<String>,
    pub explicit: bool,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct DependsOn {
    pub service: String,
    pub condition: String,
    pub short_syntax: bool,
    pub span: Span,
}

/// A Kubernetes label selector.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<SelectorRequirement>,
    pub span: Option<Span>,
}

impl LabelSelector {
    /// Whether it selects an object with `labels` (an empty selector selects everything).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let value = labels.get(&r.key);
                match r.operator.as_str() {
                    "In" => value.is_some_and(|v| r.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !r.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SelectorRequirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

/// Every name a caller can use to reach workloads.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Service {
    pub id: String,
    pub platform: String,
    /// `compose-service`, `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`,
    /// `headless`, `ServiceEntry`.
    pub kind: String,
    pub name: String,
    pub scope: String,
    pub names: Vec<Spanned<String>>,
    pub ports: Vec<ServicePort>,
    pub selector: Option<LabelSelector>,
    pub external_name: Option<String>,
    pub workloads: Vec<String>,
    pub addresses: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ServicePort {
    pub name: Option<String>,
    /// The port callers use (compose: the container port).
    pub port: u16,
    pub target: Option<String>,
    pub target_span: Option<Span>,
    /// Compose: the host side of a `ports:` mapping.
    pub published: Option<u16>,
    pub protocol: String,
    pub span: Span,
}

/// One nginx instance.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Proxy {
    pub id: String,
    pub root: u32,
    pub files: Vec<u32>,
    pub placement: Option<Placement>,
    pub template: bool,
    pub upstreams: Vec<Upstream>,
    pub targets: Vec<PassTarget>,
    pub listens: Vec<Spanned<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Placement {
    pub workload: String,
    pub container: Option<String>,
    pub reason: String,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Upstream {
    pub name: String,
    pub servers: Vec<UpstreamServer>,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct UpstreamServer {
    pub address: String,
    pub params: Vec<String>,
    pub backup: bool,
    pub resolve: bool,
    pub span: Span,
}

/// A duration as written, with its value in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Duration {
    pub raw: String,
    pub ms: Option<u64>,
    pub span: Span,
}

/// `proxy_pass` and its kin, with the settings in force where it is written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PassTarget {
    pub directive: String,
    pub raw: String,
    pub substituted: Option<String>,
    pub location: Option<String>,
    pub server_names: Vec<String>,
    pub variables: Vec<String>,
    pub upstream: Option<String>,
    /// `proxy_read_timeout` and friends in force (inherited), by directive name.
    pub timeouts: BTreeMap<String, Duration>,
    pub retry: BTreeMap<String, Spanned<String>>,
    pub resolver: Option<Spanned<String>>,
    pub span: Span,
}

/// A Kubernetes Ingress or Istio VirtualService.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Route {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub gateways: Vec<String>,
    pub hosts: Vec<String>,
    pub span: Span,
}

/// DestinationRule, PeerAuthentication, Gateway, Sidecar, ServiceEntry, ...
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeshPolicy {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub hosts: Vec<String>,
    pub selector: Option<LabelSelector>,
    pub settings: BTreeMap<String, String>,
    pub span: Span,
}

/// Any Kubernetes object of the model.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub annotations: BTreeMap<String, String>,
    pub span: Span,
}

/// Who makes a call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Caller {
    /// `proxy`, `workload` or `route`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    /// For workload callers.
    pub container: Option<String>,
}

/// caller -> host:port -> service -> workload:containerPort.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Edge {
    pub caller: Caller,
    pub caller_workload: Option<String>,
    pub via: String,
    pub host: String,
    pub port: Option<u16>,
    pub port_name: Option<String>,
    pub scheme: Option<String>,
    /// `resolved`, `loopback`, `external`, `upstream`, `unknown`, `unresolved`.
    pub status: String,
    pub reason: Option<String>,
    pub target: Option<Target>,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Target {
    pub service: String,
    pub port_index: Option<usize>,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Endpoint {
    pub workload: String,
    pub container: Option<String>,
    pub port: Option<u16>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: u32, end: u32) -> Span {
        Span {
            file: 1,
            start,
            end,
            line: 3,
            column: 5,
        }
    }

    #[test]
    fn span_helpers_stay_inside() {
        let s = span(10, 20);
        assert_eq!(s.point().range(), (10, 10));
        assert_eq!(s.narrow(2, 5).range(), (12, 15));
        assert_eq!(s.narrow(8, 100).range(), (18, 20));
        assert_eq!(s.narrow(50, 60).range(), (20, 20));
        assert_eq!(s.cover(&span(15, 30)).map(|c| c.range()), Some((10, 30)));
        let other_file = Span { file: 2, ..s };
        assert_eq!(s.cover(&other_file), None);
        assert!(s.contains(&span(12, 20)));
        assert!(!s.contains(&span(5, 12)));
    }

    #[test]
    fn unknown_fields_and_missing_ones_are_fine() {
        let t: Topology = serde_json::from_str(
            r#"{"schema": 1, "files": [{"id": 0, "path": "a.conf", "kind": "nginx", "new": 1}],
                "something_new": {"x": [1, 2]}}"#,
        )
        .unwrap();
        assert_eq!(t.schema, 1);
        assert_eq!(t.file(0).unwrap().path, "a.conf");
        assert!(t.workloads.is_empty());
    }

    impl Span {
        fn range(&self) -> (u32, u32) {
            (self.start, self.end)
        }
    }
}
