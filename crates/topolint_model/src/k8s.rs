//! The Kubernetes and Istio view: every document (and every item of a `kind: List`) lowered
//! to workloads (pod templates), services, routes (Ingress, VirtualService), mesh policies
//! and ConfigMaps, with spans. Unknown kinds are kept as [`Object`]s.

use std::collections::BTreeMap;

use topolint_diagnostics::FileId;
use topolint_yaml::NodeRef;

use crate::ctx::{entries, scalar, string_list, Ctx};
use crate::model::{
    Container, ContainerPort, EnvVar, LabelSelector, MeshPolicy, Mount, Object, Platform, Probe,
    Route, SelectorRequirement, Service, ServicePort, Spanned, Str, StrMap, Workload,
};

/// A ConfigMap's data, for finding nginx configurations in it.
pub struct ConfigMap {
    pub name: Str,
    pub namespace: Str,
    pub file: FileId,
    /// The entries that may hold an nginx configuration (a `.conf` or `.template` key whose
    /// value mentions `server`, `http` or `upstream`), copied out of the tree so that the
    /// tree can go right after lowering (a large run keeps no Kubernetes tree to stage 2).
    pub nginx: Vec<EmbeddedText>,
}

/// A ConfigMap value that may be an nginx configuration.
pub struct EmbeddedText {
    pub key: Str,
    /// The interpreted value (block indentation removed).
    pub text: String,
    /// Where the value is written (a block scalar from its `|` header).
    pub range: topolint_diagnostics::TextRange,
}

impl EmbeddedText {
    /// The entry `key: value` if it may hold an nginx configuration.
    fn of(key: Str, value: NodeRef<'_>) -> Option<Self> {
        let text = value.as_str()?;
        let looks_nginx = key.ends_with(".conf") || key.ends_with(".template");
        (looks_nginx
            && (text.contains("server") || text.contains("http") || text.contains("upstream")))
        .then(|| EmbeddedText {
            text: text.to_string(),
            range: value.range(),
            key,
        })
    }
}

/// A backend reference of an Ingress or a route destination.
pub struct RouteTarget {
    pub route: Str,
    pub namespace: Str,
    /// `ingress-backend` or `route-destination`.
    pub via: &'static str,
    pub host: Str,
    pub port: Option<u16>,
    pub port_name: Option<Str>,
    pub file: FileId,
    pub span: crate::model::Span,
    /// Why the backend cannot work whatever the model holds (malformed reference).
    pub problem: Option<Str>,
}

#[derive(Default)]
pub struct K8sOutput {
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    pub routes: Vec<Route>,
    pub route_targets: Vec<RouteTarget>,
    pub mesh: Vec<MeshPolicy>,
    pub namespaces: BTreeMap<Str, StrMap>,
    pub configmaps: Vec<ConfigMap>,
    pub objects: Vec<Object>,
    pub network_policies: Vec<crate::model::NetworkPolicy>,
    pub destination_rules: Vec<crate::model::DestinationRule>,
    /// Namespaces declared by a `Namespace` object, with their labels.
    pub declared_namespaces: BTreeMap<Str, StrMap>,
    pub peer_authentications: Vec<crate::model::PeerAuthentication>,
}

/// Pod volumes by name: (source description, ConfigMap `items` as (key, path)).
type Volumes = BTreeMap<Str, (String, Vec<(Str, Str)>)>;

const POD_OWNERS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

impl K8sOutput {
    /// The outputs of consecutive files, appended in order into lists sized once (growing
    /// them by doubling left up to half of each list unused, on the largest part of the
    /// model).
    pub fn concat(parts: Vec<K8sOutput>) -> K8sOutput {
        let mut all = K8sOutput::default();
        all.reserve_for(&parts);
        for part in parts {
            all.append(part);
        }
        all
    }

    /// Room for appending `parts`, exactly.
    pub fn reserve_for(&mut self, parts: &[K8sOutput]) {
        macro_rules! reserve {
            ($($list:ident),*) => {
                $(self.$list.reserve_exact(parts.iter().map(|p| p.$list.len()).sum());)*
            };
        }
        reserve!(
            workloads,
            services,
            routes,
            route_targets,
            mesh,
            configmaps,
            objects,
            network_policies,
            destination_rules,
            peer_authentications
        );
    }

    /// Drops the lists' unused room. A large list sized for an upper bound keeps its
    /// allocation (the allocator shrinks blocks of over a megabyte in place; the untouched
    /// rest was never resident).
    pub fn shrink_lists(&mut self) {
        self.workloads.shrink_to_fit();
        self.services.shrink_to_fit();
        self.routes.shrink_to_fit();
        self.route_targets.shrink_to_fit();
        self.mesh.shrink_to_fit();
        self.configmaps.shrink_to_fit();
        self.objects.shrink_to_fit();
        self.network_policies.shrink_to_fit();
        self.destination_rules.shrink_to_fit();
        self.peer_authentications.shrink_to_fit();
    }

    /// Appends the output of a later file, as if its objects had been lowered into `self`
    /// one after the other: lists concatenate in order; a `Namespace` object's labels win
    /// over a namespace that is only mentioned, and the last declaration wins.
    pub fn append(&mut self, later: K8sOutput) {
        let K8sOutput {
            workloads,
            services,
            routes,
            route_targets,
            mesh,
            namespaces,
            configmaps,
            objects,
            network_policies,
            destination_rules,
            declared_namespaces,
            peer_authentications,
        } = later;
        self.workloads.extend(workloads);
        self.services.extend(services);
        self.routes.extend(routes);
        self.route_targets.extend(route_targets);
        self.mesh.extend(mesh);
        self.configmaps.extend(configmaps);
        self.objects.extend(objects);
        self.network_policies.extend(network_policies);
        self.destination_rules.extend(destination_rules);
        self.peer_authentications.extend(peer_authentications);
        for (name, labels) in namespaces {
            if declared_namespaces.contains_key(&name) {
                self.namespaces.insert(name, labels);
            } else {
                self.namespaces.entry(name).or_default();
            }
        }
        self.declared_namespaces.extend(declared_namespaces);
    }
}

pub fn lower_file(ctx: &Ctx<'_>, file: FileId, out: &mut K8sOutput) {
    if let Some(yaml) = ctx.ws.file(file).yaml() {
        lower_tree(ctx, file, yaml, out);
    }
}

/// [`lower_file`] with the file's tree at hand (taken out of the workspace).
pub fn lower_tree(
    ctx: &Ctx<'_>,
    file: FileId,
    yaml: &topolint_yaml::YamlFile,
    out: &mut K8sOutput,
) {
    for root in yaml.roots() {
        lower_object(ctx, file, root, out, 0);
    }
}

/// At least as many workloads, services and [`Object`]s as lowering a file gives, for
/// sizing the model's lists once (from the documents' and `kind: List` items' `kind`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ObjectBound {
    pub workloads: usize,
    pub services: usize,
    pub objects: usize,
}

impl std::ops::Add for ObjectBound {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        ObjectBound {
            workloads: self.workloads + o.workloads,
            services: self.services + o.services,
            objects: self.objects + o.objects,
        }
    }
}

impl std::iter::Sum for ObjectBound {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::default(), |a, b| a + b)
    }
}

/// [`ObjectBound`] of one file's tree.
pub fn object_bound(yaml: &topolint_yaml::YamlFile) -> ObjectBound {
    fn count(obj: NodeRef<'_>, depth: usize) -> ObjectBound {
        let obj = obj.resolve();
        let kind = obj.get("kind").and_then(scalar).unwrap_or_default();
        match obj.get("items") {
            Some(items) if kind.ends_with("List") && depth < 4 => items
                .resolve()
                .items()
                .map(|item| count(item, depth + 1))
                .sum(),
            _ => ObjectBound {
                workloads: usize::from(
                    POD_OWNERS.contains(&kind.as_str()) || kind == "CronJob" || kind == "Pod",
                ),
                services: usize::from(kind == "Service" || kind == "ServiceEntry"),
                objects: 1,
            },
        }
    }
    yaml.roots().map(|root| count(root, 0)).sum()
}

fn string_map(node: Option<NodeRef<'_>>) -> StrMap {
    entries(node)
        .into_iter()
        .map(|(k, v)| (k, scalar(v).unwrap_or_default()))
        .collect()
}

fn lower_object(ctx: &Ctx<'_>, file: FileId, obj: NodeRef<'_>, out: &mut K8sOutput, depth: usize) {
    let obj = obj.resolve();
    let (Some(api_version), Some(kind)) = (
        obj.get("apiVersion").and_then(scalar),
        obj.get("kind").and_then(scalar),
    ) else {
        return;
    };
    if kind == "List" || kind.ends_with("List") && obj.get("items").is_some() {
        if depth < 4 {
            if let Some(items) = obj.get("items") {
                for item in items.resolve().items() {
                    lower_object(ctx, file, item, out, depth + 1);
                }
            }
        }
        return;
    }
    let meta = obj.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(scalar)
        .unwrap_or_default();
    let namespace = meta
        .and_then(|m| m.get("namespace"))
        .and_then(scalar)
        .unwrap_or_else(|| "default".into());
    let annotations = string_map(meta.and_then(|m| m.get("annotations")));
    let span = match meta.and_then(|m| m.get("name")) {
        Some(n) => ctx.node_span(file, n),
        None => ctx.node_span(file, obj),
    };
    out.objects.push(Object {
        api_version: api_version.clone(),
        kind: kind.clone(),
        name: name.clone(),
        namespace: namespace.clone(),
        annotations: annotations.clone(),
        span,
    });
    let spec = obj.get("spec");
    let istio = api_version.contains("istio.io");
    if kind != "Namespace" {
        out.namespaces.entry(namespace.clone()).or_default();
    }
    match kind.as_str() {
        "Namespace" => {
            let labels = string_map(meta.and_then(|m| m.get("labels")));
            out.declared_namespaces.insert(name.clone(), labels.clone());
            out.namespaces.insert(name.clone(), labels);
        }
        "Pod" => {
            let labels = string_map(meta.and_then(|m| m.get("labels")));
            if let Some(spec) = spec {
                let mut w = workload(
                    ctx,
                    file,
                    &kind,
                    &name,
                    &namespace,
                    labels,
                    annotations,
                    spec,
                    None,
                    None,
                    span,
                );
                w.labels_span = meta
                    .and_then(|m| m.get("labels"))
                    .map(|n| ctx.node_span(file, n));
                out.workloads.push(w);
            }
        }
        k if POD_OWNERS.contains(&k) || k == "CronJob" => {
            let template = if k == "CronJob" {
                spec.and_then(|s| s.path(&["jobTemplate", "spec", "template"]))
            } else {
                spec.and_then(|s| s.get("template"))
            };
            let Some(template) = template else { return };
            let tmeta = template.get("metadata");
            let labels = string_map(tmeta.and_then(|m| m.get("labels")));
            let mut pod_annotations = string_map(tmeta.and_then(|m| m.get("annotations")));
            for (k, v) in &annotations {
                pod_annotations
                    .entry(format!("owner:{k}").into())
                    .or_insert_with(|| v.clone());
            }
            let selector = spec.and_then(|s| s.get("selector")).map(|s| {
                if k == "ReplicationController" {
                    LabelSelector {
                        match_labels: string_map(Some(s)),
                        match_expressions: Vec::new(),
                        span: Some(ctx.node_span(file, s)),
                    }
                } else {
                    label_selector(ctx, file, s)
                }
            });
            let replicas = spec
                .and_then(|s| s.get("replicas"))
                .and_then(|r| r.as_i64());
            if let Some(pod_spec) = template.get("spec") {
                let mut w = workload(
                    ctx,
                    file,
                    k,
                    &name,
                    &namespace,
                    labels,
                    pod_annotations,
                    pod_spec,
                    selector,
                    replicas,
                    span,
                );
                w.labels_span = tmeta
                    .and_then(|m| m.get("labels"))
                    .map(|n| ctx.node_span(file, n));
                out.workloads.push(w);
            }
        }
        "Service" if !istio => {
            let Some(spec) = spec else { return };
            out.services
                .push(service(ctx, file, &name, &namespace, spec, span));
        }
        "Ingress" => lower_ingress(
            ctx,
            api_version == "networking.k8s.io/v1",
            file,
            &name,
            &namespace,
            spec,
            span,
            out,
        ),
        "NetworkPolicy" => {
            if let Some(spec) = spec {
                out.network_policies
                    .push(network_policy(ctx, file, &name, &namespace, spec, span));
            }
        }
        "ConfigMap" => {
            let nginx = entries(obj.get("data"))
                .into_iter()
                .filter_map(|(k, v)| EmbeddedText::of(k, v.resolve()))
                .collect();
            out.configmaps.push(ConfigMap {
                name,
                namespace,
                file,
                nginx,
            });
        }
        "VirtualService" if istio => {
            lower_virtual_service(ctx, file, &name, &namespace, spec, span, out)
        }
        "ServiceEntry" if istio => {
            let hosts: Vec<Str> = spec
                .map(|s| string_list(s.get("hosts")))
                .unwrap_or_default();
            let ports: Vec<ServicePort> = spec
                .and_then(|s| s.get("ports"))
                .map(|p| {
                    p.resolve()
                        .items()
                        .filter_map(|item| {
                            let port = item
                                .get("number")
                                .and_then(|n| n.as_i64())
                                .and_then(|n| u16::try_from(n).ok())?;
                            Some(ServicePort {
                                name: item.get("name").and_then(scalar),
                                port,
                                target: item.get("targetPort").and_then(scalar),
                                target_span: item.get("targetPort").map(|n| ctx.node_span(file, n)),
                                published: None,
                                protocol: item
                                    .get("protocol")
                                    .and_then(scalar)
                                    .unwrap_or_else(|| "TCP".into()),
                                span: ctx.node_span(file, item),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let names = hosts
                .iter()
                .map(|h| Spanned {
                    value: h.clone(),
                    span,
                })
                .collect();
            out.services.push(Service {
                id: format!("serviceentry:{namespace}/{name}").into(),
                platform: Platform::Kubernetes,
                kind: "ServiceEntry".into(),
                name: name.clone(),
                scope: namespace.clone(),
                names,
                ports,
                selector: spec
                    .and_then(|s| s.get("workloadSelector"))
                    .and_then(|w| w.get("labels"))
                    .map(|l| LabelSelector {
                        match_labels: string_map(Some(l)),
                        match_expressions: Vec::new(),
                        span: Some(ctx.node_span(file, l)),
                    }),
                external_name: None,
                workloads: Vec::new(),
                addresses: spec
                    .map(|s| string_list(s.get("addresses")))
                    .unwrap_or_default(),
                span,
            });
            out.mesh.push(mesh(
                &kind,
                &name,
                &namespace,
                hosts,
                None,
                StrMap::new(),
                span,
            ));
        }
        "DestinationRule"
        | "PeerAuthentication"
        | "Gateway"
        | "Sidecar"
        | "AuthorizationPolicy"
            if istio =>
        {
            if let Some(spec) = spec {
                if kind == "DestinationRule" {
                    if let Some(dr) = destination_rule(ctx, file, &name, &namespace, spec, span) {
                        out.destination_rules.push(dr);
                    }
                } else if kind == "PeerAuthentication" {
                    out.peer_authentications.push(peer_authentication(
                        ctx, file, &name, &namespace, spec, span,
                    ));
                }
            }
            let mut settings = StrMap::new();
            let mut hosts = Vec::new();
            let mut selector = None;
            if let Some(spec) = spec {
                match kind.as_str() {
                    "DestinationRule" => {
                        if let Some(h) = spec.get("host").and_then(scalar) {
                            hosts.push(h);
                        }
                        if let Some(m) = spec
                            .path(&["trafficPolicy", "tls", "mode"])
                            .and_then(scalar)
                        {
                            settings.insert("tls.mode".into(), m);
                        }
                        let subsets: Vec<Str> = spec
                            .get("subsets")
                            .map(|s| {
                                s.resolve()
                                    .items()
                                    .filter_map(|i| i.get("name").and_then(scalar))
                                    .collect()
                            })
                            .unwrap_or_default();
                        if !subsets.is_empty() {
                            settings.insert("subsets".into(), subsets.join(",").into());
                        }
                        if let Some(p) = spec
                            .path(&["trafficPolicy", "outlierDetection", "maxEjectionPercent"])
                            .and_then(scalar)
                        {
                            settings.insert("outlierDetection.maxEjectionPercent".into(), p);
                        }
                    }
                    "PeerAuthentication" => {
                        if let Some(m) = spec.path(&["mtls", "mode"]).and_then(scalar) {
                            settings.insert("mtls.mode".into(), m);
                        }
                        selector = spec.get("selector").map(|s| label_selector(ctx, file, s));
                    }
                    "Gateway" => {
                        selector = spec.get("selector").map(|s| LabelSelector {
                            match_labels: string_map(Some(s)),
                            match_expressions: Vec::new(),
                            span: Some(ctx.node_span(file, s)),
                        });
                        if let Some(servers) = spec.get("servers") {
                            for s in servers.resolve().items() {
                                hosts.extend(string_list(s.get("hosts")));
                            }
                        }
                    }
                    _ => {
                        selector = spec
                            .get("workloadSelector")
                            .or_else(|| spec.get("selector"))
                            .map(|s| label_selector(ctx, file, s));
                    }
                }
            }
            out.mesh.push(mesh(
                &kind, &name, &namespace, hosts, selector, settings, span,
            ));
        }
        _ => {}
    }
}

fn mesh(
    kind: &str,
    name: &str,
    namespace: &str,
    hosts: Vec<Str>,
    selector: Option<LabelSelector>,
    settings: StrMap,
    span: crate::model::Span,
) -> MeshPolicy {
    MeshPolicy {
        id: format!("istio:{namespace}/{kind}/{name}").into(),
        kind: kind.into(),
        name: name.into(),
        namespace: namespace.into(),
        hosts,
        selector,
        settings,
        span,
    }
}

/// `matchLabels` + `matchExpressions`, or a plain map (Service selectors, Gateway selectors).
pub fn label_selector(ctx: &Ctx<'_>, file: FileId, node: NodeRef<'_>) -> LabelSelector {
    let node = node.resolve();
    let span = Some(ctx.node_span(file, node));
    if node.get("matchLabels").is_none() && node.get("matchExpressions").is_none() {
        // A plain map (e.g. `selector: {app: x}` on a PeerAuthentication is matchLabels).
        return LabelSelector {
            match_labels: string_map(Some(node)),
            match_expressions: Vec::new(),
            span,
        };
    }
    let match_expressions = node
        .get("matchExpressions")
        .map(|e| {
            e.resolve()
                .items()
                .map(|r| SelectorRequirement {
                    key: r.get("key").and_then(scalar).unwrap_or_default(),
                    operator: r.get("operator").and_then(scalar).unwrap_or_default(),
                    values: string_list(r.get("values")),
                })
                .collect()
        })
        .unwrap_or_default();
    LabelSelector {
        match_labels: string_map(node.get("matchLabels")),
        match_expressions,
        span,
    }
}

#[allow(clippy::too_many_arguments)]
fn workload(
    ctx: &Ctx<'_>,
    file: FileId,
    kind: &str,
    name: &str,
    namespace: &str,
    labels: StrMap,
    annotations: StrMap,
    pod_spec: NodeRef<'_>,
    selector: Option<LabelSelector>,
    replicas: Option<i64>,
    span: crate::model::Span,
) -> Workload {
    // volume name -> source description
    let mut volumes: Volumes = BTreeMap::new();
    if let Some(vs) = pod_spec.get("volumes") {
        for v in vs.resolve().items() {
            let Some(vname) = v.get("name").and_then(scalar) else {
                continue;
            };
            let (source, items) = if let Some(cm) = v.get("configMap") {
                let items = cm
                    .get("items")
                    .map(|i| {
                        i.resolve()
                            .items()
                            .filter_map(|it| {
                                Some((
                                    it.get("key").and_then(scalar)?,
                                    it.get("path").and_then(scalar)?,
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                (
                    format!(
                        "configmap:{}",
                        cm.get("name").and_then(scalar).unwrap_or_default()
                    ),
                    items,
                )
            } else if let Some(s) = v.get("secret") {
                (
                    format!(
                        "secret:{}",
                        s.get("secretName").and_then(scalar).unwrap_or_default()
                    ),
                    Vec::new(),
                )
            } else if v.get("emptyDir").is_some() {
                ("emptydir".to_string(), Vec::new())
            } else if let Some(p) = v.get("persistentVolumeClaim") {
                (
                    format!(
                        "pvc:{}",
                        p.get("claimName").and_then(scalar).unwrap_or_default()
                    ),
                    Vec::new(),
                )
            } else {
                (format!("volume:{vname}"), Vec::new())
            };
            volumes.insert(vname, (source, items));
        }
    }
    let mut containers = Vec::new();
    for (key, init) in [("initContainers", true), ("containers", false)] {
        let Some(list) = pod_spec.get(key) else {
            continue;
        };
        for c in list.resolve().items() {
            containers.push(container(ctx, file, c, init, &volumes));
        }
    }
    Workload {
        id: format!("k8s:{namespace}/{kind}/{name}").into(),
        platform: Platform::Kubernetes,
        name: name.into(),
        scope: namespace.into(),
        kind: kind.into(),
        labels,
        labels_span: None,
        annotations,
        containers,
        networks: Vec::new(),
        network_mode: pod_spec
            .get("hostNetwork")
            .filter(|h| h.as_bool() == Some(true))
            .map(|h| Spanned {
                value: "host".into(),
                span: ctx.node_span(file, h),
            }),
        depends_on: Vec::new(),
        hostname: None,
        container_name: None,
        build_context: None,
        replicas,
        selector,
        profiles: Vec::new(),
        references: pod_references(ctx, file, pod_spec),
        sidecar: None,
        span,
    }
}

/// ConfigMaps a pod needs: volumes, `envFrom`, `valueFrom.configMapKeyRef`.
fn pod_references(
    ctx: &Ctx<'_>,
    file: FileId,
    pod_spec: NodeRef<'_>,
) -> Vec<crate::model::Reference> {
    let mut out: Vec<crate::model::Reference> = Vec::new();
    let mut push = |node: NodeRef<'_>, optional: Option<NodeRef<'_>>| {
        if let Some(name) = scalar(node) {
            let optional = optional.and_then(|o| o.as_bool()).unwrap_or(false);
            out.push(crate::model::Reference {
                kind: "configmap".into(),
                name,
                optional,
                span: ctx.node_span(file, node),
            });
        }
    };
    if let Some(vs) = pod_spec.get("volumes") {
        for v in vs.resolve().items() {
            if let Some(cm) = v.get("configMap") {
                if let Some(n) = cm.get("name") {
                    push(n, cm.get("optional"));
                }
            }
            if let Some(sources) = v.path(&["projected", "sources"]) {
                for src in sources.resolve().items() {
                    if let Some(cm) = src.get("configMap") {
                        if let Some(n) = cm.get("name") {
                            push(n, cm.get("optional"));
                        }
                    }
                }
            }
        }
    }
    for key in ["initContainers", "containers"] {
        let Some(list) = pod_spec.get(key) else {
            continue;
        };
        for c in list.resolve().items() {
            if let Some(env_from) = c.get("envFrom") {
                for e in env_from.resolve().items() {
                    if let Some(r) = e.get("configMapRef") {
                        if let Some(n) = r.get("name") {
                            push(n, r.get("optional"));
                        }
                    }
                }
            }
            if let Some(env) = c.get("env") {
                for e in env.resolve().items() {
                    if let Some(r) = e.path(&["valueFrom", "configMapKeyRef"]) {
                        if let Some(n) = r.get("name") {
                            push(n, r.get("optional"));
                        }
                    }
                }
            }
        }
    }
    out
}

/// A NetworkPolicy, with Kubernetes' defaults for `policyTypes`.
fn network_policy(
    ctx: &Ctx<'_>,
    file: FileId,
    name: &str,
    namespace: &str,
    spec: NodeRef<'_>,
    span: crate::model::Span,
) -> crate::model::NetworkPolicy {
    use crate::model::{PolicyPeer, PolicyPort, PolicyRule};
    let rules = |key: &str, peer_key: &str| -> Vec<PolicyRule> {
        spec.get(key)
            .map(|r| {
                r.resolve()
                    .items()
                    .map(|rule| PolicyRule {
                        peers: rule
                            .get(peer_key)
                            .map(|p| {
                                p.resolve()
                                    .items()
                                    .map(|peer| PolicyPeer {
                                        pod_selector: peer
                                            .get("podSelector")
                                            .map(|s| label_selector(ctx, file, s)),
                                        namespace_selector: peer
                                            .get("namespaceSelector")
                                            .map(|s| label_selector(ctx, file, s)),
                                        ip_block: peer.path(&["ipBlock", "cidr"]).and_then(scalar),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        ports: rule
                            .get("ports")
                            .map(|p| {
                                p.resolve()
                                    .items()
                                    .map(|port| PolicyPort {
                                        port: port.get("port").and_then(scalar),
                                        end_port: port
                                            .get("endPort")
                                            .and_then(|n| n.as_i64())
                                            .and_then(|n| u16::try_from(n).ok()),
                                        protocol: port
                                            .get("protocol")
                                            .and_then(scalar)
                                            .unwrap_or_else(|| "TCP".into()),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        span: ctx.node_span(file, rule),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let ingress = rules("ingress", "from");
    let egress = rules("egress", "to");
    let policy_types = match spec.get("policyTypes") {
        Some(t) => string_list(Some(t)),
        None if spec.get("egress").is_some() => vec!["Ingress".into(), "Egress".into()],
        None => vec!["Ingress".into()],
    };
    crate::model::NetworkPolicy {
        id: format!("k8s:{namespace}/NetworkPolicy/{name}").into(),
        name: name.into(),
        namespace: namespace.into(),
        pod_selector: spec
            .get("podSelector")
            .map(|s| label_selector(ctx, file, s))
            .unwrap_or_default(),
        policy_types,
        ingress,
        egress,
        span,
    }
}

fn container(
    ctx: &Ctx<'_>,
    file: FileId,
    c: NodeRef<'_>,
    init: bool,
    volumes: &Volumes,
) -> Container {
    let c = c.resolve();
    let name = c.get("name").and_then(scalar).unwrap_or_default();
    let span = c
        .get("name")
        .map(|n| ctx.node_span(file, n))
        .unwrap_or_else(|| ctx.node_span(file, c));
    let env = c
        .get("env")
        .map(|e| {
            e.resolve()
                .items()
                .filter_map(|item| {
                    let n = item.get("name")?;
                    Some(EnvVar {
                        name: scalar(n)?,
                        value: item.get("value").and_then(scalar),
                        span: ctx.node_span(file, n),
                        value_span: item.get("value").map(|v| ctx.node_span(file, v)),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let ports = c
        .get("ports")
        .map(|p| {
            p.resolve()
                .items()
                .filter_map(|item| {
                    let cp = item.get("containerPort")?;
                    let port = cp.as_i64().and_then(|n| u16::try_from(n).ok())?;
                    Some(ContainerPort {
                        port,
                        name: item.get("name").and_then(scalar),
                        protocol: item
                            .get("protocol")
                            .and_then(scalar)
                            .unwrap_or_else(|| "TCP".into()),
                        span: ctx.node_span(file, item),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut probes = Vec::new();
    for (key, kind) in [
        ("readinessProbe", "readiness"),
        ("livenessProbe", "liveness"),
        ("startupProbe", "startup"),
    ] {
        let Some(p) = c.get(key) else { continue };
        let (handler, port, command) = if let Some(h) = p.get("httpGet") {
            ("http", h.get("port").and_then(scalar), Vec::new())
        } else if let Some(t) = p.get("tcpSocket") {
            ("tcp", t.get("port").and_then(scalar), Vec::new())
        } else if let Some(g) = p.get("grpc") {
            ("grpc", g.get("port").and_then(scalar), Vec::new())
        } else if let Some(e) = p.get("exec") {
            ("exec", None, string_list(e.get("command")))
        } else {
            ("unknown", None, Vec::new())
        };
        let secs = |k: &str| p.get(k).and_then(|n| n.as_i64()).map(|n| n as f64);
        probes.push(Probe {
            kind: kind.into(),
            handler: handler.into(),
            port,
            command,
            interval_s: secs("periodSeconds"),
            timeout_s: secs("timeoutSeconds"),
            retries: p.get("failureThreshold").and_then(|n| n.as_i64()),
            initial_delay_s: secs("initialDelaySeconds"),
            disabled: false,
            span: ctx.key_span(file, c, key),
        });
    }
    let mounts = c
        .get("volumeMounts")
        .map(|m| {
            m.resolve()
                .items()
                .filter_map(|item| {
                    let vname = item.get("name").and_then(scalar)?;
                    let target = item.get("mountPath").and_then(scalar)?;
                    let sub = item.get("subPath").and_then(scalar);
                    let (source, items) = volumes
                        .get(vname.as_str())
                        .cloned()
                        .unwrap_or((format!("volume:{vname}"), Vec::new()));
                    // subPath selects one key (or item path) of the volume.
                    let key = sub.map(|s| {
                        items
                            .iter()
                            .find(|(_, path)| *path == s)
                            .map(|(k, _)| k.clone())
                            .unwrap_or(s)
                    });
                    Some(Mount {
                        source: source.into(),
                        target,
                        key,
                        read_only: item
                            .get("readOnly")
                            .and_then(|r| r.as_bool())
                            .unwrap_or(false),
                        span: ctx.node_span(file, item),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Container {
        name,
        image: c.get("image").and_then(scalar),
        command: string_list(c.get("command")),
        args: string_list(c.get("args")),
        command_span: c
            .get("args")
            .or_else(|| c.get("command"))
            .map(|n| ctx.node_span(file, n)),
        env,
        ports,
        listeners: Vec::new(),
        probes,
        mounts,
        init,
        span,
    }
}

fn service(
    ctx: &Ctx<'_>,
    file: FileId,
    name: &str,
    namespace: &str,
    spec: NodeRef<'_>,
    span: crate::model::Span,
) -> Service {
    let ty = spec
        .get("type")
        .and_then(scalar)
        .unwrap_or_else(|| "ClusterIP".into());
    let headless = spec
        .get("clusterIP")
        .and_then(scalar)
        .is_some_and(|c| c == "None");
    let kind: Str = if ty == "ExternalName" {
        "ExternalName".into()
    } else if headless {
        "headless".into()
    } else {
        ty
    };
    let ports = spec
        .get("ports")
        .map(|p| {
            p.resolve()
                .items()
                .filter_map(|item| {
                    let port = item
                        .get("port")
                        .and_then(|n| n.as_i64())
                        .and_then(|n| u16::try_from(n).ok())?;
                    Some(ServicePort {
                        name: item.get("name").and_then(scalar),
                        port,
                        // targetPort defaults to port
                        target: Some(
                            item.get("targetPort")
                                .and_then(scalar)
                                .unwrap_or_else(|| port.to_string().into()),
                        ),
                        target_span: item.get("targetPort").map(|n| ctx.node_span(file, n)),
                        published: item
                            .get("nodePort")
                            .and_then(|n| n.as_i64())
                            .and_then(|n| u16::try_from(n).ok()),
                        protocol: item
                            .get("protocol")
                            .and_then(scalar)
                            .unwrap_or_else(|| "TCP".into()),
                        span: ctx.node_span(file, item),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let selector = spec.get("selector").map(|s| LabelSelector {
        match_labels: string_map(Some(s)),
        match_expressions: Vec::new(),
        span: Some(ctx.node_span(file, s)),
    });
    Service {
        id: format!("k8s:{namespace}/{name}").into(),
        platform: Platform::Kubernetes,
        kind,
        name: name.into(),
        scope: namespace.into(),
        names: Vec::new(), // filled by the linker (needs the cluster domain)
        ports,
        selector,
        external_name: spec.get("externalName").and_then(scalar),
        workloads: Vec::new(),
        addresses: Vec::new(),
        span,
    }
}

#[allow(clippy::too_many_arguments)]
fn lower_ingress(
    ctx: &Ctx<'_>,
    v1: bool,
    file: FileId,
    name: &str,
    namespace: &str,
    spec: Option<NodeRef<'_>>,
    span: crate::model::Span,
    out: &mut K8sOutput,
) {
    let id = format!("k8s:{namespace}/Ingress/{name}");
    let mut hosts = Vec::new();
    let mut backend = |b: NodeRef<'_>| {
        // networking.k8s.io/v1: service.name + service.port.{number,name}
        // v1beta1 / extensions: serviceName + servicePort
        let (svc, port_node) = if let Some(s) = b.get("service") {
            (
                s.get("name"),
                s.get("port")
                    .and_then(|p| p.get("number").or_else(|| p.get("name"))),
            )
        } else {
            (b.get("serviceName"), b.get("servicePort"))
        };
        let problem = (v1 && b.get("service").is_none() && b.get("serviceName").is_some()).then(|| {
            "networking.k8s.io/v1 names the backend Service in `service.name` and `service.port`; `serviceName`/`servicePort` are v1beta1 fields that v1 does not have, so this backend names no Service".to_string()
        });
        let Some(svc_node) = svc else { return };
        let Some(host) = scalar(svc_node) else { return };
        let port_text = port_node.and_then(scalar);
        let port = port_text.as_deref().and_then(crate::ctx::port_number);
        out.route_targets.push(RouteTarget {
            route: id.as_str().into(),
            namespace: namespace.into(),
            via: "ingress-backend",
            host,
            port,
            port_name: if port.is_none() { port_text } else { None },
            file,
            span: ctx.node_span(file, svc_node),
            problem: problem.map(Str::from),
        });
    };
    if let Some(spec) = spec {
        for key in ["defaultBackend", "backend"] {
            if let Some(b) = spec.get(key) {
                backend(b);
            }
        }
        if let Some(rules) = spec.get("rules") {
            for rule in rules.resolve().items() {
                if let Some(h) = rule.get("host").and_then(scalar) {
                    hosts.push(h);
                }
                if let Some(paths) = rule.path(&["http", "paths"]) {
                    for p in paths.resolve().items() {
                        if let Some(b) = p.get("backend") {
                            backend(b);
                        }
                    }
                }
            }
        }
    }
    out.routes.push(Route {
        id: id.into(),
        kind: "Ingress".into(),
        name: name.into(),
        namespace: namespace.into(),
        gateways: Vec::new(),
        gateway_refs: Vec::new(),
        http: Vec::new(),
        hosts,
        span,
    });
}

fn lower_virtual_service(
    ctx: &Ctx<'_>,
    file: FileId,
    name: &str,
    namespace: &str,
    spec: Option<NodeRef<'_>>,
    span: crate::model::Span,
    out: &mut K8sOutput,
) {
    let id = format!("istio:{namespace}/VirtualService/{name}");
    let mut gateway_refs: Vec<crate::model::Spanned<Str>> = Vec::new();
    if let Some(spec) = spec {
        if let Some(g) = spec.get("gateways") {
            gateway_refs.extend(
                g.resolve()
                    .items()
                    .filter_map(|n| ctx.spanned_str(file, Some(n))),
            );
        }
        if let Some(http) = spec.get("http") {
            for r in http.resolve().items() {
                let Some(matches) = r.get("match") else {
                    continue;
                };
                for m in matches.resolve().items() {
                    if let Some(g) = m.get("gateways") {
                        gateway_refs.extend(
                            g.resolve()
                                .items()
                                .filter_map(|n| ctx.spanned_str(file, Some(n))),
                        );
                    }
                }
            }
        }
    }
    let hosts = spec
        .map(|s| string_list(s.get("hosts")))
        .unwrap_or_default();
    let gateways = spec
        .map(|s| string_list(s.get("gateways")))
        .unwrap_or_default();
    if let Some(spec) = spec {
        for proto in ["http", "tcp", "tls"] {
            let Some(routes) = spec.get(proto) else {
                continue;
            };
            for r in routes.resolve().items() {
                let Some(dests) = r.get("route") else {
                    continue;
                };
                for d in dests.resolve().items() {
                    let Some(dest) = d.get("destination") else {
                        continue;
                    };
                    let Some(host_node) = dest.get("host") else {
                        continue;
                    };
                    let Some(host) = scalar(host_node) else {
                        continue;
                    };
                    let port = dest
                        .path(&["port", "number"])
                        .and_then(|n| n.as_i64())
                        .and_then(|n| u16::try_from(n).ok());
                    out.route_targets.push(RouteTarget {
                        route: id.as_str().into(),
                        namespace: namespace.into(),
                        via: "route-destination",
                        host,
                        port,
                        port_name: None,
                        file,
                        span: ctx.node_span(file, host_node),
                        problem: None,
                    });
                }
            }
        }
    }
    out.routes.push(Route {
        id: id.into(),
        kind: "VirtualService".into(),
        name: name.into(),
        namespace: namespace.into(),
        gateways,
        gateway_refs,
        http: spec.map(|s| vs_routes(ctx, file, s)).unwrap_or_default(),
        hosts,
        span,
    });
}

fn spanned_mode(
    ctx: &Ctx<'_>,
    file: FileId,
    node: Option<NodeRef<'_>>,
) -> Option<crate::model::Spanned<Str>> {
    ctx.spanned_str(file, node).map(|mut s| {
        s.value = s.value.to_ascii_uppercase().into();
        s
    })
}

fn go_duration(
    ctx: &Ctx<'_>,
    file: FileId,
    node: Option<NodeRef<'_>>,
) -> Option<crate::model::Duration> {
    let node = node?;
    let raw = scalar(node)?;
    Some(crate::model::Duration {
        ms: crate::duration::go_ms(&raw),
        raw,
        span: ctx.node_span(file, node),
    })
}

fn destination_rule(
    ctx: &Ctx<'_>,
    file: FileId,
    name: &str,
    namespace: &str,
    spec: NodeRef<'_>,
    span: crate::model::Span,
) -> Option<crate::model::DestinationRule> {
    use crate::model::{OutlierDetection, Subset};
    let host = ctx.spanned_str(file, spec.get("host"))?;
    let tp = spec.get("trafficPolicy");
    let port_tls_modes = tp
        .and_then(|t| t.get("portLevelSettings"))
        .map(|p| {
            p.resolve()
                .items()
                .filter_map(|s| {
                    let port = s
                        .path(&["port", "number"])
                        .and_then(|n| n.as_i64())
                        .and_then(|n| u16::try_from(n).ok())?;
                    Some((port, spanned_mode(ctx, file, s.path(&["tls", "mode"]))?))
                })
                .collect()
        })
        .unwrap_or_default();
    let subsets = spec
        .get("subsets")
        .map(|s| {
            s.resolve()
                .items()
                .filter_map(|sub| {
                    Some(Subset {
                        name: sub.get("name").and_then(scalar)?,
                        labels: string_map(sub.get("labels")),
                        tls_mode: spanned_mode(
                            ctx,
                            file,
                            sub.path(&["trafficPolicy", "tls", "mode"]),
                        ),
                        span: ctx.node_span(file, sub.get("name").unwrap_or(sub)),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let outlier_detection = tp
        .and_then(|t| t.get("outlierDetection"))
        .map(|o| OutlierDetection {
            max_ejection_percent: o.get("maxEjectionPercent").and_then(|n| {
                Some(crate::model::Spanned {
                    value: n.as_i64()?,
                    span: ctx.node_span(file, n),
                })
            }),
            span: ctx.key_span(file, tp.unwrap_or(o), "outlierDetection"),
        });
    Some(crate::model::DestinationRule {
        id: format!("istio:{namespace}/DestinationRule/{name}").into(),
        name: name.into(),
        namespace: namespace.into(),
        host,
        tls_mode: spanned_mode(ctx, file, tp.and_then(|t| t.path(&["tls", "mode"]))),
        port_tls_modes,
        subsets,
        outlier_detection,
        span,
    })
}

fn peer_authentication(
    ctx: &Ctx<'_>,
    file: FileId,
    name: &str,
    namespace: &str,
    spec: NodeRef<'_>,
    span: crate::model::Span,
) -> crate::model::PeerAuthentication {
    let port_modes = entries(spec.get("portLevelMtls"))
        .into_iter()
        .filter_map(|(port, v)| {
            Some((
                crate::ctx::port_number(&port)?,
                spanned_mode(ctx, file, v.get("mode"))?,
            ))
        })
        .collect();
    crate::model::PeerAuthentication {
        id: format!("istio:{namespace}/PeerAuthentication/{name}").into(),
        name: name.into(),
        namespace: namespace.into(),
        selector: spec.get("selector").map(|s| label_selector(ctx, file, s)),
        mode: spanned_mode(ctx, file, spec.path(&["mtls", "mode"])),
        port_modes,
        span,
    }
}

/// The `http`/`tcp`/`tls` routes of a VirtualService with their timeouts, retries and
/// destinations.
fn vs_routes(ctx: &Ctx<'_>, file: FileId, spec: NodeRef<'_>) -> Vec<crate::model::HttpRoute> {
    use crate::model::{Destination, HttpRoute, Retries};
    let mut out = Vec::new();
    for proto in ["http", "tcp", "tls"] {
        let Some(routes) = spec.get(proto) else {
            continue;
        };
        for r in routes.resolve().items() {
            let retries = r.get("retries").map(|rt| Retries {
                attempts: rt.get("attempts").and_then(|n| {
                    Some(crate::model::Spanned {
                        value: n.as_i64()?,
                        span: ctx.node_span(file, n),
                    })
                }),
                per_try_timeout: go_duration(ctx, file, rt.get("perTryTimeout")),
                retry_on: ctx.spanned_str(file, rt.get("retryOn")),
                span: ctx.key_span(file, r, "retries"),
            });
            let destinations = r
                .get("route")
                .map(|d| {
                    d.resolve()
                        .items()
                        .filter_map(|d| {
                            let dest = d.get("destination")?;
                            let host_node = dest.get("host")?;
                            Some(Destination {
                                host: scalar(host_node)?,
                                subset: ctx.spanned_str(file, dest.get("subset")),
                                port: dest
                                    .path(&["port", "number"])
                                    .and_then(|n| n.as_i64())
                                    .and_then(|n| u16::try_from(n).ok()),
                                span: ctx.node_span(file, host_node),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(HttpRoute {
                protocol: proto.into(),
                timeout: go_duration(ctx, file, r.get("timeout")),
                retries,
                destinations,
                span: ctx.node_span(file, r),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> StrMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Str::from(*v)))
            .collect()
    }

    /// `concat` of per-file outputs is the output of one sequential pass over the files,
    /// with the lists sized exactly (no slack left by doubling).
    #[test]
    fn concat_is_one_sequential_pass_with_exact_lists() {
        let ws = crate::test_support::generated_workspace(6, 3, 200);
        let ctx = Ctx::new(&ws);
        let files: Vec<FileId> = ws
            .files
            .iter()
            .filter(|f| f.kind == Some(topolint_workspace::FileKind::Kubernetes))
            .map(|f| f.id)
            .collect();
        assert!(files.len() > 10, "the generated stacks have manifests");

        let mut sequential = K8sOutput::default();
        for &f in &files {
            lower_file(&ctx, f, &mut sequential);
        }
        let parts = files
            .iter()
            .map(|&f| {
                let mut out = K8sOutput::default();
                lower_file(&ctx, f, &mut out);
                out
            })
            .collect();
        let all = K8sOutput::concat(parts);

        let ids = |w: &[Workload]| w.iter().map(|w| w.id.clone()).collect::<Vec<_>>();
        assert!(!all.workloads.is_empty() && !all.services.is_empty());
        assert_eq!(ids(&all.workloads), ids(&sequential.workloads));
        assert_eq!(
            all.services.iter().map(|s| &s.id).collect::<Vec<_>>(),
            sequential
                .services
                .iter()
                .map(|s| &s.id)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            all.configmaps
                .iter()
                .map(|c| (&c.namespace, &c.name))
                .collect::<Vec<_>>(),
            sequential
                .configmaps
                .iter()
                .map(|c| (&c.namespace, &c.name))
                .collect::<Vec<_>>()
        );
        assert_eq!(all.objects.len(), sequential.objects.len());
        assert_eq!(all.routes.len(), sequential.routes.len());
        assert_eq!(all.mesh.len(), sequential.mesh.len());
        assert_eq!(all.namespaces, sequential.namespaces);
        assert_eq!(all.declared_namespaces, sequential.declared_namespaces);
        assert_eq!(all.workloads.capacity(), all.workloads.len());
        assert_eq!(all.services.capacity(), all.services.len());
        assert_eq!(all.objects.capacity(), all.objects.len());
    }

    /// `object_bound` is never below what lowering gives (it sizes the model's lists once;
    /// below it they would grow by doubling), is exact on well-formed manifests, and counts
    /// the items of (nested) Lists.
    #[test]
    fn object_bound_is_an_upper_bound_of_what_lowering_gives() {
        let ws = crate::test_support::generated_workspace(6, 3, 200);
        let ctx = Ctx::new(&ws);
        for f in &ws.files {
            let Some(yaml) = f
                .yaml()
                .filter(|_| f.kind == Some(topolint_workspace::FileKind::Kubernetes))
            else {
                continue;
            };
            let mut out = K8sOutput::default();
            lower_tree(&ctx, f.id, yaml, &mut out);
            let bound = object_bound(yaml);
            assert!(out.workloads.len() <= bound.workloads, "{:?}", f.id);
            assert!(out.services.len() <= bound.services, "{:?}", f.id);
            assert!(out.objects.len() <= bound.objects, "{:?}", f.id);
            // Exact on the generated stacks: each object is lowered.
            assert_eq!(
                (out.workloads.len(), out.services.len(), out.objects.len()),
                (bound.workloads, bound.services, bound.objects)
            );
        }

        let text = "\
apiVersion: v1
kind: List
items:
  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}}
  - apiVersion: v1
    kind: ServiceList
    items:
      - {apiVersion: v1, kind: Service, metadata: {name: a}}
      - {apiVersion: v1, kind: Service, metadata: {name: b}}
---
apiVersion: v1
kind: Service
metadata: {name: c}
";
        let yaml = topolint_yaml::parse(text);
        let expected = ObjectBound {
            workloads: 1,
            services: 3,
            objects: 4,
        };
        assert_eq!(object_bound(&yaml), expected);
        assert_eq!(
            object_bound(&topolint_yaml::parse("")),
            ObjectBound::default()
        );
    }

    /// What the sequential loop did: a namespace only mentioned gets an empty entry that
    /// never overwrites; a `Namespace` object's labels overwrite, the last one wins.
    #[test]
    fn append_keeps_the_namespace_semantics_of_one_sequential_pass() {
        let injected = labels(&[("istio-injection", "enabled")]);
        let mut first = K8sOutput::default();
        first.namespaces.insert("shop".into(), StrMap::new()); // a Deployment mentions it
        first
            .namespaces
            .insert("ops".into(), labels(&[("team", "a")]));
        first
            .declared_namespaces
            .insert("ops".into(), labels(&[("team", "a")]));

        let mut later = K8sOutput::default();
        // Declares `shop` (overwrites the mention), only mentions `ops` (keeps its labels)
        // and `new`.
        later.namespaces.insert("shop".into(), injected.clone());
        later
            .declared_namespaces
            .insert("shop".into(), injected.clone());
        later.namespaces.insert("ops".into(), StrMap::new());
        later.namespaces.insert("new".into(), StrMap::new());

        first.append(later);
        assert_eq!(first.namespaces["shop"], injected);
        assert_eq!(first.namespaces["ops"], labels(&[("team", "a")]));
        assert!(first.namespaces["new"].is_empty());
        assert_eq!(first.declared_namespaces["shop"], injected);
        assert_eq!(first.declared_namespaces["ops"], labels(&[("team", "a")]));

        // A later declaration wins over an earlier one.
        let mut again = K8sOutput::default();
        let moved = labels(&[("team", "b")]);
        again.namespaces.insert("ops".into(), moved.clone());
        again
            .declared_namespaces
            .insert("ops".into(), moved.clone());
        first.append(again);
        assert_eq!(first.namespaces["ops"], moved);
        assert_eq!(first.declared_namespaces["ops"], moved);
    }
}
