//! The topology: what runs, which names reach it, who calls whom. Serialized as the
//! versioned JSON document of `topolint graph --format json` (docs/model.md), which is also
//! what WASM plugins receive: every field here is public API.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use hashbrown::hash_table::{Entry, HashTable};

use serde::Serialize;
use topolint_diagnostics::{FileId, TextRange};

pub use crate::map::StrMap;

pub use crate::str::{release_interned, Str};

/// Bumped on any incompatible change of the serialized shape.
pub const SCHEMA_VERSION: u32 = 1;

/// A location in a file: byte range plus the 1-based line and column of its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub column: u32,
}

impl Span {
    pub fn range(&self) -> TextRange {
        TextRange::new(self.start, self.end)
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Compose,
    Kubernetes,
}

/// A file of the model.
#[derive(Clone, Debug, Serialize)]
pub struct FileEntry {
    pub id: FileId,
    pub path: Str,
    pub kind: &'static str,
}

/// What a container's process listens on, as far as it can be told.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listener {
    pub port: Option<u16>,
    /// `0.0.0.0`, `::`, `127.0.0.1`, `localhost`, ... or `None` when unknown.
    pub bind: Option<Str>,
    /// Which server was recognised (`gunicorn`, `uvicorn`, `flask`, `postgres`, ...).
    pub server: Str,
    /// True when the bind address is the server's default rather than written out.
    pub default_bind: bool,
    /// Where the evidence is (the command, the env var, the argument).
    pub span: Span,
}

/// A port a container declares (`containerPort`, compose `expose`/`ports` container side).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContainerPort {
    pub port: u16,
    pub name: Option<Str>,
    pub protocol: Str,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: Str,
    /// `None` when it comes from a ConfigMap/Secret/field reference or an env_file.
    pub value: Option<Str>,
    /// The variable's name (or its whole `K=V` item).
    pub span: Span,
    /// The value, where it is written on its own (map form, Kubernetes `value:`).
    pub value_span: Option<Span>,
}

/// A health check or probe.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Probe {
    /// `healthcheck`, `readiness`, `liveness` or `startup`.
    pub kind: Str,
    /// `exec`, `http`, `tcp`, `grpc` or `cmd` (compose test).
    pub handler: Str,
    /// Port number or name, for http/tcp/grpc probes.
    pub port: Option<Str>,
    pub command: Vec<Str>,
    /// Seconds, as the product defines them (compose durations converted).
    pub interval_s: Option<f64>,
    pub timeout_s: Option<f64>,
    pub retries: Option<i64>,
    pub initial_delay_s: Option<f64>,
    pub disabled: bool,
    pub span: Span,
}

/// A volume mount; `source` is a host path (compose bind), a named volume, or
/// `configmap:<name>` / `secret:<name>` / `emptydir`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub source: Str,
    pub target: Str,
    /// For ConfigMap mounts with `items`/`subPath`: the key mounted at `target`.
    pub key: Option<Str>,
    pub read_only: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Container {
    pub name: Str,
    pub image: Option<Str>,
    pub command: Vec<Str>,
    pub args: Vec<Str>,
    /// Where the command line is written (compose `command`, k8s `args`/`command`).
    pub command_span: Option<Span>,
    pub env: Vec<EnvVar>,
    pub ports: Vec<ContainerPort>,
    pub listeners: Vec<Listener>,
    pub probes: Vec<Probe>,
    pub mounts: Vec<Mount>,
    /// `init` containers run to completion before the others.
    pub init: bool,
    pub span: Span,
}

/// How a compose service joins a network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NetworkAttachment {
    pub network: Str,
    pub aliases: Vec<Spanned<Str>>,
    pub ipv4_address: Option<Str>,
    /// False for the implicit `default` network.
    pub explicit: bool,
    /// Where the service joins it (`None` for the implicit default network).
    pub span: Option<Span>,
}

/// A name one object uses to refer to another: a compose network, named volume, service
/// (`depends_on`, `volumes_from`, `network_mode: service:x`), config or secret; a
/// Kubernetes ConfigMap. `optional` references (Kubernetes `optional: true`) may dangle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// `network`, `volume`, `service`, `config`, `secret`, `configmap`.
    pub kind: Str,
    pub name: Str,
    pub optional: bool,
    pub span: Span,
}

/// A compose project and what it declares at top level.
#[derive(Clone, Debug, Serialize)]
pub struct ComposeProjectInfo {
    pub name: Str,
    /// The compose files, base first.
    pub files: Vec<FileId>,
    /// Top-level `networks`, `volumes`, `configs`, `secrets` (kind = `network`, ...).
    pub declared: Vec<Reference>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DependsOn {
    pub service: Str,
    /// `service_started` (also the list form), `service_healthy`, `service_completed_successfully`.
    pub condition: Str,
    /// True for the list form (`depends_on: [db]`).
    pub short_syntax: bool,
    pub span: Span,
}

/// A compose service or a Kubernetes pod template owner.
#[derive(Clone, Debug, Serialize)]
pub struct Workload {
    /// `compose:<project>/<service>` or `k8s:<namespace>/<Kind>/<name>`.
    pub id: Str,
    pub platform: Platform,
    pub name: Str,
    /// Compose project name, or Kubernetes namespace.
    pub scope: Str,
    /// `service` for compose; the Kubernetes kind otherwise.
    pub kind: Str,
    /// Pod template labels (Kubernetes); compose labels.
    pub labels: StrMap,
    /// Where the labels are written.
    pub labels_span: Option<Span>,
    pub annotations: StrMap,
    pub containers: Vec<Container>,
    pub networks: Vec<NetworkAttachment>,
    /// Compose `network_mode` (`host`, `service:<name>`, `none`, ...).
    pub network_mode: Option<Spanned<Str>>,
    pub depends_on: Vec<DependsOn>,
    pub hostname: Option<Spanned<Str>>,
    pub container_name: Option<Spanned<Str>>,
    /// Compose `build` context directory (relative to the repository), if any.
    pub build_context: Option<Spanned<Str>>,
    pub replicas: Option<i64>,
    /// `spec.selector` of the workload itself (Kubernetes).
    pub selector: Option<LabelSelector>,
    pub profiles: Vec<Str>,
    /// Names of other objects this one needs to exist.
    pub references: Vec<Reference>,
    /// Istio sidecar: `Some(true)` injected, `Some(false)` not (compose, injection disabled),
    /// `None` unknown (the namespace's labels are not in the model).
    pub sidecar: Option<bool>,
    pub span: Span,
}

/// A Kubernetes label selector with its full semantics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LabelSelector {
    pub match_labels: StrMap,
    pub match_expressions: Vec<SelectorRequirement>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SelectorRequirement {
    pub key: Str,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub operator: Str,
    pub values: Vec<Str>,
}

impl LabelSelector {
    /// Does this selector select an object with `labels`? An empty selector selects
    /// everything (as Kubernetes defines it for LabelSelector).
    pub fn matches(&self, labels: &StrMap) -> bool {
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
                    // An unknown operator is invalid: Kubernetes rejects the object.
                    _ => false,
                }
            })
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }
}

/// A port of a service as callers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServicePort {
    pub name: Option<Str>,
    /// The port callers use (`spec.ports[].port`; compose: the container port).
    pub port: u16,
    /// Kubernetes `targetPort`: a number or a container port name. Compose: the container port.
    pub target: Option<Str>,
    /// Where `targetPort` is written (Kubernetes), if it is.
    pub target_span: Option<Span>,
    /// Compose: the host side of a `ports:` mapping.
    pub published: Option<u16>,
    pub protocol: Str,
    pub span: Span,
}

/// Every name a caller can use to reach workloads.
#[derive(Clone, Debug, Serialize)]
pub struct Service {
    /// `compose:<project>/<service>`, `k8s:<namespace>/<name>`, `serviceentry:<namespace>/<name>`.
    pub id: Str,
    pub platform: Platform,
    /// `compose-service`, `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`, `headless`, `ServiceEntry`.
    pub kind: Str,
    pub name: Str,
    pub scope: Str,
    /// The names that resolve to it, each with where it is declared.
    pub names: Vec<Spanned<Str>>,
    pub ports: Vec<ServicePort>,
    /// Kubernetes selector; `None` for a Service without one.
    pub selector: Option<LabelSelector>,
    pub external_name: Option<Str>,
    /// Workloads it reaches (compose: the service itself; k8s: pods its selector selects).
    pub workloads: Vec<Str>,
    /// A compose static IP (`ipv4_address`) that also reaches it.
    pub addresses: Vec<Str>,
    pub span: Span,
}

/// A duration as written, with its value in milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Duration {
    pub raw: Str,
    pub ms: Option<u64>,
    pub span: Span,
}

/// An nginx `upstream` block.
#[derive(Clone, Debug, Serialize)]
pub struct Upstream {
    pub name: Str,
    pub servers: Vec<UpstreamServer>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct UpstreamServer {
    pub address: Str,
    pub params: Vec<Str>,
    pub backup: bool,
    pub resolve: bool,
    pub span: Span,
}

/// `proxy_pass` and its kin, with the settings in force where it is written.
#[derive(Clone, Debug, Serialize)]
pub struct PassTarget {
    /// `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `grpc_pass`, `scgi_pass`.
    pub directive: Str,
    /// The argument as written.
    pub raw: Str,
    /// After envsubst substitution from the container environment, when that applied.
    pub substituted: Option<Str>,
    /// The `location` it sits in (`None` at server level, e.g. stream).
    pub location: Option<Str>,
    /// The `server_name`s of the enclosing server.
    pub server_names: Vec<Str>,
    /// nginx variables left in the target (`$backend`): resolved at run time only.
    pub variables: Vec<Str>,
    /// The name of the `upstream` block it targets, if any.
    pub upstream: Option<Str>,
    /// `*_connect_timeout`, `*_read_timeout`, `*_send_timeout` in force (inherited).
    pub timeouts: StrMap<Duration>,
    /// `proxy_next_upstream` and friends in force, as written.
    pub retry: StrMap<Spanned<Str>>,
    /// `resolver` in force.
    pub resolver: Option<Spanned<Str>>,
    pub span: Span,
}

/// Where an nginx configuration runs, and why topolint thinks so.
#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    pub workload: Str,
    pub container: Option<Str>,
    /// `bind-mount`, `build-context`, `configmap`, `config`.
    pub reason: Str,
    pub span: Span,
}

/// One nginx instance: a main configuration (or a snippet) with the files it includes.
#[derive(Clone, Debug, Serialize)]
pub struct Proxy {
    /// `nginx:<path of the root file>`.
    pub id: Str,
    pub root: FileId,
    pub files: Vec<FileId>,
    /// `None` when topolint cannot tell where it runs.
    pub placement: Option<Placement>,
    /// True for `*.template` / `templates/` files (envsubst before nginx starts).
    pub template: bool,
    pub upstreams: Vec<Upstream>,
    pub targets: Vec<PassTarget>,
    /// `listen` ports of its servers.
    pub listens: Vec<Spanned<Str>>,
}

/// A Kubernetes Ingress or Istio route's destination, as a caller.
#[derive(Clone, Debug, Serialize)]
pub struct Route {
    /// `k8s:<namespace>/Ingress/<name>` or `istio:<namespace>/VirtualService/<name>`.
    pub id: Str,
    pub kind: Str,
    pub name: Str,
    pub namespace: Str,
    /// Gateways a VirtualService is bound to.
    pub gateways: Vec<Str>,
    /// Every gateway reference (`spec.gateways` and `http[].match[].gateways`) with its span.
    pub gateway_refs: Vec<Spanned<Str>>,
    /// VirtualService routes; an Ingress has one, with the controller's timeout annotations.
    pub http: Vec<HttpRoute>,
    pub hosts: Vec<Str>,
    pub span: Span,
}

/// One `http` (or `tcp`/`tls`) route of a VirtualService.
#[derive(Clone, Debug, Serialize)]
pub struct HttpRoute {
    /// `http`, `tcp` or `tls`.
    pub protocol: Str,
    pub timeout: Option<Duration>,
    pub retries: Option<Retries>,
    pub destinations: Vec<Destination>,
    pub span: Span,
}

/// VirtualService `retries`.
#[derive(Clone, Debug, Serialize)]
pub struct Retries {
    pub attempts: Option<Spanned<i64>>,
    pub per_try_timeout: Option<Duration>,
    pub retry_on: Option<Spanned<Str>>,
    pub span: Span,
}

/// A route destination.
#[derive(Clone, Debug, Serialize)]
pub struct Destination {
    pub host: Str,
    pub subset: Option<Spanned<Str>>,
    pub port: Option<u16>,
    pub span: Span,
}

/// An Istio DestinationRule.
#[derive(Clone, Debug, Serialize)]
pub struct DestinationRule {
    /// `istio:<namespace>/DestinationRule/<name>`.
    pub id: Str,
    pub name: Str,
    pub namespace: Str,
    pub host: Spanned<Str>,
    /// `trafficPolicy.tls.mode`.
    pub tls_mode: Option<Spanned<Str>>,
    /// `trafficPolicy.portLevelSettings[].tls.mode` by port.
    pub port_tls_modes: Vec<(u16, Spanned<Str>)>,
    pub subsets: Vec<Subset>,
    pub outlier_detection: Option<OutlierDetection>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Subset {
    pub name: Str,
    pub labels: StrMap,
    pub tls_mode: Option<Spanned<Str>>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct OutlierDetection {
    pub max_ejection_percent: Option<Spanned<i64>>,
    pub span: Span,
}

/// An Istio PeerAuthentication.
#[derive(Clone, Debug, Serialize)]
pub struct PeerAuthentication {
    /// `istio:<namespace>/PeerAuthentication/<name>`.
    pub id: Str,
    pub name: Str,
    pub namespace: Str,
    /// `None`: namespace-wide (or mesh-wide in the root namespace).
    pub selector: Option<LabelSelector>,
    /// `STRICT`, `PERMISSIVE`, `DISABLE`, `UNSET`.
    pub mode: Option<Spanned<Str>>,
    pub port_modes: Vec<(u16, Spanned<Str>)>,
    pub span: Span,
}

/// Istio objects that are not routes.
#[derive(Clone, Debug, Serialize)]
pub struct MeshPolicy {
    /// `istio:<namespace>/<Kind>/<name>`.
    pub id: Str,
    /// `DestinationRule`, `PeerAuthentication`, `Gateway`, `Sidecar`, `ServiceEntry`.
    pub kind: Str,
    pub name: Str,
    pub namespace: Str,
    /// DestinationRule host, ServiceEntry hosts, Gateway hosts.
    pub hosts: Vec<Str>,
    pub selector: Option<LabelSelector>,
    /// A few decoded settings (`tls.mode`, `mtls.mode`, `subsets`, ...), kind-specific.
    pub settings: StrMap,
    pub span: Span,
}

/// Who makes a call.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Caller {
    Proxy { id: Str },
    Workload { id: Str, container: Str },
    Route { id: Str },
}

impl Caller {
    pub fn id(&self) -> &str {
        match self {
            Caller::Proxy { id } | Caller::Workload { id, .. } | Caller::Route { id } => id,
        }
    }
}

/// How an edge ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeStatus {
    /// The host names a service of the model.
    Resolved,
    /// `localhost`/`127.0.0.1`/`[::1]`: the caller's own network namespace.
    Loopback,
    /// A public name or address outside the model.
    External,
    /// A name of an nginx `upstream` block (its servers are edges of their own).
    Upstream,
    /// Not decidable from the files (a run-time variable, unknown placement, a template).
    Unknown,
    /// Names nothing in a part of the model that is complete.
    Unresolved,
}

/// A port of the target that a call uses, as matched against the service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    pub service: Str,
    /// Index into the service's `ports` matched by the caller's port, if any.
    pub port_index: Option<usize>,
    /// The workloads and container ports the call lands on.
    pub endpoints: Vec<Endpoint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub workload: Str,
    pub container: Option<Str>,
    pub port: Option<u16>,
}

/// caller -> host:port -> service -> workload:containerPort.
#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    pub caller: Caller,
    /// Where the caller runs (workload id), when known.
    pub caller_workload: Option<Str>,
    /// `proxy_pass`, `upstream-server`, `env`, `ingress-backend`, `route-destination`, ...
    pub via: Str,
    pub host: Str,
    pub port: Option<u16>,
    /// A port given by name (Ingress `service.port.name`).
    pub port_name: Option<Str>,
    /// `http`, `https`, `grpc`, `fastcgi`, ... when known.
    pub scheme: Option<Str>,
    pub status: EdgeStatus,
    /// Why it is not resolved, or how it was.
    pub reason: Option<Str>,
    pub target: Option<Target>,
    pub span: Span,
}

/// A Kubernetes NetworkPolicy.
#[derive(Clone, Debug, Serialize)]
pub struct NetworkPolicy {
    /// `k8s:<namespace>/NetworkPolicy/<name>`.
    pub id: Str,
    pub name: Str,
    pub namespace: Str,
    /// Which pods of its namespace it applies to (empty: all).
    pub pod_selector: LabelSelector,
    /// `Ingress`, `Egress` (defaulted as Kubernetes does: Ingress always, Egress when
    /// `egress` rules are present).
    pub policy_types: Vec<Str>,
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
    pub span: Span,
}

/// One `ingress`/`egress` rule: peers (`from`/`to`; empty = everyone) and ports (empty = all).
#[derive(Clone, Debug, Serialize)]
pub struct PolicyRule {
    pub peers: Vec<PolicyPeer>,
    pub ports: Vec<PolicyPort>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyPeer {
    pub pod_selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    /// An `ipBlock` peer (never matches in-cluster pods by label).
    pub ip_block: Option<Str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyPort {
    /// A number or a named container port; `None` = every port.
    pub port: Option<Str>,
    pub end_port: Option<u16>,
    pub protocol: Str,
}

/// Any Kubernetes object of the model, known kind or not (unknown kinds are kept, never an
/// error).
#[derive(Clone, Debug, Serialize)]
pub struct Object {
    pub api_version: Str,
    pub kind: Str,
    pub name: Str,
    pub namespace: Str,
    pub annotations: StrMap,
    pub span: Span,
}

/// The linked model.
#[derive(Clone, Debug, Serialize)]
pub struct Topology {
    pub schema: u32,
    /// Settings the linker used.
    pub cluster_domain: Str,
    pub files: Vec<FileEntry>,
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    pub proxies: Vec<Proxy>,
    pub routes: Vec<Route>,
    pub mesh: Vec<MeshPolicy>,
    /// Kubernetes namespaces with their labels (declared or merely used).
    pub namespaces: BTreeMap<Str, StrMap>,
    pub objects: Vec<Object>,
    pub network_policies: Vec<NetworkPolicy>,
    pub destination_rules: Vec<DestinationRule>,
    pub peer_authentications: Vec<PeerAuthentication>,
    /// Istio's root namespace (mesh-wide policies), default `istio-system`.
    pub istio_root_namespace: Str,
    /// A timeout in front of every request path (declared in topolint.toml), in ms.
    pub edge_timeout_ms: Option<u64>,
    pub compose_projects: Vec<ComposeProjectInfo>,
    pub edges: Vec<Edge>,
    /// Positions by id, built on the first lookup (rules look objects up inside loops; a
    /// linear `find` there made them quadratic). Not part of the document.
    #[serde(skip)]
    pub(crate) lookup: std::sync::OnceLock<Lookup>,
}

/// See [`Topology::lookup`]. The first object of an id wins, as `find` would.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lookup {
    workloads: Positions,
    services: Positions,
    proxies: Positions,
    /// Workloads by platform and scope (compose project or Kubernetes namespace), in model
    /// order.
    scopes: HashMap<Platform, HashMap<Str, Vec<usize>>>,
}

/// Positions of a list's objects by id. The table holds positions only and hashes and
/// compares through the list (no copy of the ids: a large model has 190,000 of them).
#[derive(Clone, Default)]
struct Positions {
    table: HashTable<u32>,
    /// How many objects there were when the index was built.
    len: usize,
}

impl std::fmt::Debug for Positions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Positions")
            .field("ids", &self.table.len())
            .field("len", &self.len)
            .finish()
    }
}

fn id_hash(id: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(id)
}

fn positions<T>(items: &[T], id_of: impl Fn(&T) -> &str) -> Positions {
    let mut table = HashTable::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let id = id_of(item);
        // The first object of an id wins, as `find` would.
        if let Entry::Vacant(slot) = table.entry(
            id_hash(id),
            |&j: &u32| id_of(&items[j as usize]) == id,
            |&j: &u32| id_hash(id_of(&items[j as usize])),
        ) {
            slot.insert(i as u32);
        }
    }
    Positions {
        table,
        len: items.len(),
    }
}

impl Topology {
    fn lookup(&self) -> &Lookup {
        self.lookup.get_or_init(|| {
            // The four indexes are independent: built side by side (the linker builds them
            // ahead of its parallel edge resolution, which would otherwise wait here).
            let ((workloads, services), (proxies, scopes)) = rayon::join(
                || {
                    rayon::join(
                        || positions(&self.workloads, |w| &w.id),
                        || positions(&self.services, |s| &s.id),
                    )
                },
                || {
                    rayon::join(
                        || positions(&self.proxies, |p| &p.id),
                        || {
                            let mut m: HashMap<Platform, HashMap<Str, Vec<usize>>> = HashMap::new();
                            for (i, w) in self.workloads.iter().enumerate() {
                                m.entry(w.platform)
                                    .or_default()
                                    .entry(w.scope.clone())
                                    .or_default()
                                    .push(i);
                            }
                            m
                        },
                    )
                },
            );
            Lookup {
                workloads,
                services,
                proxies,
                scopes,
            }
        })
    }

    /// Builds the lookup indexes now (once the lists are complete), so that later parallel
    /// readers do not wait for the first of them to build them.
    pub(crate) fn index(&self) {
        self.lookup();
    }

    /// The workloads of one compose project, in model order.
    pub fn compose_workloads(&self, project: &str) -> Vec<&Workload> {
        self.workloads_in(Platform::Compose, project)
    }

    /// The workloads of one scope (a compose project or a Kubernetes namespace) of a
    /// platform, in model order.
    pub fn workloads_in(&self, platform: Platform, scope: &str) -> Vec<&Workload> {
        let index = self.lookup();
        if index.workloads.len == self.workloads.len() {
            return index
                .scopes
                .get(&platform)
                .and_then(|by_scope| by_scope.get(scope))
                .map(|v| v.iter().filter_map(|&i| self.workloads.get(i)).collect())
                .unwrap_or_default();
        }
        self.workloads
            .iter()
            .filter(|w| w.platform == platform && w.scope == scope)
            .collect()
    }

    /// By position when the index knows the id and the object there still has it; a miss
    /// is final while the list has the length the index was built for; anything else is a
    /// scan (the topology is built by pushing objects: an index built too early must not
    /// make lookups wrong, only slower).
    fn find<'a, T>(
        items: &'a [T],
        index: &Positions,
        id: &str,
        id_of: impl Fn(&T) -> &str,
    ) -> Option<&'a T> {
        let hit = index.table.find(id_hash(id), |&i| {
            items.get(i as usize).is_some_and(|x| id_of(x) == id)
        });
        match hit {
            Some(&i) => items.get(i as usize),
            None if items.len() == index.len => None,
            None => items.iter().find(|x| id_of(x) == id),
        }
    }

    pub fn workload(&self, id: &str) -> Option<&Workload> {
        Self::find(&self.workloads, &self.lookup().workloads, id, |w| &w.id)
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        Self::find(&self.services, &self.lookup().services, id, |s| &s.id)
    }

    pub fn proxy(&self, id: &str) -> Option<&Proxy> {
        Self::find(&self.proxies, &self.lookup().proxies, id, |p| &p.id)
    }

    /// The versioned JSON document.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    /// The position index answers as a linear `find` would: every id, the first object of
    /// a repeated id, misses; and an index built before objects were pushed stays right.
    #[test]
    fn lookups_answer_as_a_scan_would() {
        let ws = crate::test_support::generated_workspace(8, 3, 300);
        let mut t = crate::link(&ws, &crate::LinkOptions::default()).topology;
        assert!(!t.workloads.is_empty() && !t.services.is_empty() && !t.proxies.is_empty());
        for w in &t.workloads {
            let first = t.workloads.iter().find(|x| x.id == w.id).unwrap();
            assert!(std::ptr::eq(t.workload(&w.id).unwrap(), first));
        }
        for s in &t.services {
            let first = t.services.iter().find(|x| x.id == s.id).unwrap();
            assert!(std::ptr::eq(t.service(&s.id).unwrap(), first));
        }
        for p in &t.proxies {
            assert_eq!(t.proxy(&p.id).unwrap().id, p.id);
        }
        assert!(t.workload("k8s:nowhere/Deployment/none").is_none());
        assert!(t.service("").is_none());

        // The index was built by the linker; push after it.
        let mut twin = t.workloads[0].clone();
        twin.name = "twin".into();
        let mut new = t.workloads[0].clone();
        new.id = "compose:late/pushed".into();
        let first_id = twin.id.clone();
        t.workloads.push(twin);
        t.workloads.push(new);
        assert_eq!(t.workload(&first_id).unwrap().name, t.workloads[0].name);
        assert_eq!(
            t.workload("compose:late/pushed").map(|w| w.id.as_str()),
            Some("compose:late/pushed")
        );
        assert!(t.workload("compose:late/missing").is_none());
    }
}
