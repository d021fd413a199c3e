//! The compose view: services of a compose project (base file merged with its overrides the
//! way `docker compose` merges them) lowered to workloads and services with spans.
//!
//! Merge rules (compose-spec "merge"): scalars and `command`/`entrypoint` are replaced by the
//! later file; mappings (`environment`, `labels`, `healthcheck`, `networks`, `depends_on`)
//! merge key by key; `ports` and `expose` are appended; `volumes` are merged by target.
//! `extends` and top-level `include` are noted, not followed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use topolint_diagnostics::FileId;
use topolint_workspace::ComposeProject;
use topolint_yaml::NodeRef;

use crate::ctx::{entries, port_number, scalar, string_list, Ctx};
use crate::duration::go_ms;
use crate::model::{
    ComposeProjectInfo, Container, ContainerPort, DependsOn, EnvVar, Mount, NetworkAttachment,
    Platform, Probe, Reference, Service, ServicePort, Span, Spanned, Str, StrMap, Workload,
};

/// A compose service as one or more layers (base file first, then overrides).
struct Layers<'a> {
    layers: Vec<(FileId, NodeRef<'a>)>,
}

impl<'a> Layers<'a> {
    /// The value of `key` in the last layer that has it.
    fn last(&self, key: &str) -> Option<(FileId, NodeRef<'a>)> {
        self.layers
            .iter()
            .rev()
            .find_map(|(f, n)| n.get(key).map(|v| (*f, v)))
    }

    /// The values of `key` in every layer that has it, in merge order.
    fn all(&self, key: &str) -> Vec<(FileId, NodeRef<'a>)> {
        self.layers
            .iter()
            .filter_map(|(f, n)| n.get(key).map(|v| (*f, v)))
            .collect()
    }
}

/// One lowered compose project.
pub struct ComposeOutput {
    pub project: String,
    pub dir: PathBuf,
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    /// The project and its top-level declarations.
    pub info: ComposeProjectInfo,
}

/// compose's project name: `name:` or the directory name, normalised like compose does.
fn project_name(ctx: &Ctx<'_>, project: &ComposeProject) -> String {
    for &f in project.files.iter().rev() {
        if let Some(name) = ctx
            .ws
            .file(f)
            .yaml()
            .and_then(|y| y.root(0))
            .and_then(|r| r.get("name"))
            .and_then(scalar)
        {
            return name.to_string();
        }
    }
    let dir = project
        .dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("default");
    let name: String = dir
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if name.is_empty() {
        "default".into()
    } else {
        name
    }
}

pub fn lower(ctx: &Ctx<'_>, project: &ComposeProject) -> ComposeOutput {
    let name = project_name(ctx, project);
    // service name -> layers
    let mut services: BTreeMap<Str, Layers<'_>> = BTreeMap::new();
    let mut order: Vec<Str> = Vec::new();
    let mut declared: Vec<Reference> = Vec::new();
    for &file in &project.files {
        let Some(root) = ctx.ws.file(file).yaml().and_then(|y| y.root(0)) else {
            continue;
        };
        for (svc, node) in entries(root.get("services")) {
            if !node.resolve().is_mapping() {
                continue;
            }
            if !services.contains_key(svc.as_str()) {
                order.push(svc.clone());
            }
            services
                .entry(svc.clone())
                .or_insert(Layers { layers: Vec::new() })
                .layers
                .push((file, node.resolve()));
        }
        for (kind, key) in [
            ("network", "networks"),
            ("volume", "volumes"),
            ("config", "configs"),
            ("secret", "secrets"),
        ] {
            let Some(section) = root.get(key) else {
                continue;
            };
            for (n, _) in entries(Some(section)) {
                if !declared.iter().any(|d| d.kind == kind && d.name == n) {
                    let span = ctx.key_span(file, section.resolve(), &n);
                    declared.push(Reference {
                        kind: kind.into(),
                        name: n,
                        optional: false,
                        span,
                    });
                }
            }
        }
    }
    let mut out = ComposeOutput {
        project: name.clone(),
        dir: project.dir.clone(),
        workloads: Vec::new(),
        services: Vec::new(),
        info: ComposeProjectInfo {
            name: name.as_str().into(),
            files: project.files.clone(),
            declared,
        },
    };
    for svc in order {
        let layers = &services[svc.as_str()];
        let (w, s) = lower_service(ctx, &name, &project.dir, &svc, layers);
        out.workloads.push(w);
        out.services.push(s);
    }
    out
}

fn lower_service(
    ctx: &Ctx<'_>,
    project: &str,
    dir: &Path,
    name: &str,
    l: &Layers<'_>,
) -> (Workload, Service) {
    let (first_file, first_node) = l.layers[0];
    // The span of the service's name key: the key of `services.<name>` in the first file.
    let span = service_key_span(ctx, first_file, name)
        .unwrap_or_else(|| ctx.node_span(first_file, first_node));
    let id = format!("compose:{project}/{name}");

    let image = l.last("image").and_then(|(_, n)| scalar(n));
    let command = l
        .last("command")
        .map(|(_, n)| string_list(Some(n)))
        .unwrap_or_default();
    let entrypoint = l
        .last("entrypoint")
        .map(|(_, n)| string_list(Some(n)))
        .unwrap_or_default();

    // environment: merged by name across layers; list ("K=V", "K") or map form.
    let mut env: BTreeMap<Str, EnvVar> = BTreeMap::new();
    for (file, node) in l.all("environment") {
        let node = node.resolve();
        if node.is_sequence() {
            for item in node.items() {
                let Some(text) = scalar(item) else { continue };
                let (k, v) = match text.split_once('=') {
                    Some((k, v)) => (Str::from(k), Some(Str::from(v))),
                    None => (text.clone(), None),
                };
                env.insert(
                    k.clone(),
                    EnvVar {
                        name: k,
                        value: v,
                        span: ctx.node_span(file, item),
                        value_span: None,
                    },
                );
            }
        } else {
            for (k, v) in entries(Some(node)) {
                let span = ctx.key_span(file, node, &k);
                env.insert(
                    k.clone(),
                    EnvVar {
                        name: k,
                        value: scalar(v),
                        span,
                        value_span: (!v.is_null()).then(|| ctx.node_span(file, v)),
                    },
                );
            }
        }
    }

    // ports: appended across layers.
    let mut ports: Vec<ContainerPort> = Vec::new();
    let mut service_ports: Vec<ServicePort> = Vec::new();
    for (file, node) in l.all("ports") {
        for item in node.resolve().items() {
            let span = ctx.node_span(file, item);
            for p in parse_port_entry(item) {
                service_ports.push(ServicePort {
                    name: p.name.clone(),
                    port: p.target,
                    target: Some(p.target.to_string().into()),
                    target_span: None,
                    published: p.published,
                    protocol: p.protocol.clone(),
                    span,
                });
                ports.push(ContainerPort {
                    port: p.target,
                    name: p.name,
                    protocol: p.protocol,
                    span,
                });
            }
        }
    }
    for (file, node) in l.all("expose") {
        for item in node.resolve().items() {
            let span = ctx.node_span(file, item);
            let Some(text) = scalar(item) else { continue };
            let (range, proto) = split_protocol(&text);
            for port in expand_range(range) {
                service_ports.push(ServicePort {
                    name: None,
                    port,
                    target: Some(port.to_string().into()),
                    target_span: None,
                    published: None,
                    protocol: proto.as_str().into(),
                    span,
                });
                ports.push(ContainerPort {
                    port,
                    name: None,
                    protocol: proto.as_str().into(),
                    span,
                });
            }
        }
    }

    // healthcheck: merged key by key.
    let healthcheck = {
        let hc = l.all("healthcheck");
        if hc.is_empty() {
            None
        } else {
            let get = |key: &str| {
                hc.iter()
                    .rev()
                    .find_map(|(f, n)| n.get(key).map(|v| (*f, v)))
            };
            let (file, _) = *hc.last().unwrap_or(&hc[0]);
            let secs = |key: &str| {
                get(key)
                    .and_then(|(_, n)| scalar(n))
                    .and_then(|s| go_ms(&s))
                    .map(|ms| ms as f64 / 1000.0)
            };
            let test = get("test")
                .map(|(_, n)| string_list(Some(n)))
                .unwrap_or_default();
            let disabled = get("disable")
                .and_then(|(_, n)| n.as_bool())
                .unwrap_or(false)
                || test.first().is_some_and(|t| t == "NONE");
            Some(Probe {
                kind: "healthcheck".into(),
                handler: "cmd".into(),
                port: None,
                command: test,
                interval_s: secs("interval"),
                timeout_s: secs("timeout"),
                retries: get("retries").and_then(|(_, n)| n.as_i64()),
                initial_delay_s: secs("start_period"),
                disabled,
                span: ctx.key_span(file, node_parent_or(l, file), "healthcheck"),
            })
        }
    };

    // volumes: merged by target.
    let mut mounts: BTreeMap<Str, Mount> = BTreeMap::new();
    for (file, node) in l.all("volumes") {
        for item in node.resolve().items() {
            if let Some(m) = parse_volume(ctx, file, item, dir) {
                mounts.insert(m.target.clone(), m);
            }
        }
    }

    // networks: list or map; merged by name.
    let mut nets: BTreeMap<Str, NetworkAttachment> = BTreeMap::new();
    for (file, node) in l.all("networks") {
        let node = node.resolve();
        if node.is_sequence() {
            for item in node.items() {
                if let Some(n) = scalar(item) {
                    nets.entry(n.clone()).or_insert(NetworkAttachment {
                        network: n,
                        aliases: Vec::new(),
                        ipv4_address: None,
                        explicit: true,
                        span: Some(ctx.node_span(file, item)),
                    });
                }
            }
        } else {
            for (n, v) in entries(Some(node)) {
                let span = Some(ctx.key_span(file, node, &n));
                let entry = nets.entry(n.clone()).or_insert(NetworkAttachment {
                    network: n,
                    aliases: Vec::new(),
                    ipv4_address: None,
                    explicit: true,
                    span,
                });
                let v = v.resolve();
                if let Some(aliases) = v.get("aliases") {
                    for a in aliases.resolve().items() {
                        if let Some(s) = ctx.spanned_str(file, Some(a)) {
                            entry.aliases.push(s);
                        }
                    }
                }
                if let Some(ip) = v.get("ipv4_address").and_then(scalar) {
                    entry.ipv4_address = Some(ip);
                }
            }
        }
    }
    let network_mode = l
        .last("network_mode")
        .and_then(|(f, n)| ctx.spanned_str(f, Some(n)));
    if nets.is_empty() && network_mode.is_none() {
        nets.insert(
            "default".into(),
            NetworkAttachment {
                network: "default".into(),
                aliases: Vec::new(),
                ipv4_address: None,
                explicit: false,
                span: None,
            },
        );
    }

    // depends_on: list or map; merged by service.
    let mut deps: BTreeMap<Str, DependsOn> = BTreeMap::new();
    for (file, node) in l.all("depends_on") {
        let node = node.resolve();
        if node.is_sequence() {
            for item in node.items() {
                if let Some(s) = scalar(item) {
                    deps.insert(
                        s.clone(),
                        DependsOn {
                            service: s,
                            condition: "service_started".into(),
                            short_syntax: true,
                            span: ctx.node_span(file, item),
                        },
                    );
                }
            }
        } else {
            for (s, v) in entries(Some(node)) {
                let condition = v
                    .get("condition")
                    .and_then(scalar)
                    .unwrap_or_else(|| "service_started".into());
                let span = ctx.key_span(file, node, &s);
                deps.insert(
                    s.clone(),
                    DependsOn {
                        service: s,
                        condition,
                        short_syntax: false,
                        span,
                    },
                );
            }
        }
    }

    let labels: StrMap = l
        .all("labels")
        .into_iter()
        .flat_map(|(_, n)| {
            let n = n.resolve();
            if n.is_sequence() {
                n.items()
                    .filter_map(scalar)
                    .map(|s| match s.split_once('=') {
                        Some((k, v)) => (Str::from(k), Str::from(v)),
                        None => (s, Str::default()),
                    })
                    .collect::<Vec<_>>()
            } else {
                entries(Some(n))
                    .into_iter()
                    .map(|(k, v)| (k, scalar(v).unwrap_or_default()))
                    .collect()
            }
        })
        .collect();

    let build_context = l.last("build").map(|(f, n)| {
        let n = n.resolve();
        let ctx_node = if n.is_mapping() {
            n.get("context")
        } else {
            Some(n)
        };
        let rel = ctx_node.and_then(scalar).unwrap_or_else(|| ".".into());
        let path = normalize(&dir.join(rel.as_str()));
        Spanned {
            value: Str::from(path.to_string_lossy()),
            span: ctx.node_span(f, ctx_node.unwrap_or(n)),
        }
    });

    let hostname = l
        .last("hostname")
        .and_then(|(f, n)| ctx.spanned_str(f, Some(n)));
    let container_name = l
        .last("container_name")
        .and_then(|(f, n)| ctx.spanned_str(f, Some(n)));
    let profiles = l
        .last("profiles")
        .map(|(_, n)| string_list(Some(n)))
        .unwrap_or_default();
    let replicas = l
        .last("deploy")
        .and_then(|(_, n)| n.get("replicas"))
        .or_else(|| l.last("scale").map(|(_, n)| n))
        .and_then(|n| n.as_i64());

    let mut probes = Vec::new();
    if let Some(h) = healthcheck {
        probes.push(h);
    }
    let container = Container {
        name: name.into(),
        image,
        command: entrypoint,
        args: command,
        command_span: l
            .last("command")
            .or_else(|| l.last("entrypoint"))
            .map(|(f, n)| ctx.node_span(f, n)),
        env: env.into_values().collect(),
        ports,
        listeners: Vec::new(),
        probes,
        mounts: mounts.into_values().collect(),
        init: false,
        span,
    };

    // Every name another container on a shared network can use.
    let mut names = vec![Spanned {
        value: Str::from(name),
        span,
    }];
    for net in nets.values() {
        names.extend(net.aliases.iter().cloned());
    }
    if let Some(c) = &container_name {
        names.push(c.clone());
    }
    if let Some(h) = &hostname {
        names.push(h.clone());
    }
    let addresses = nets
        .values()
        .filter_map(|n| n.ipv4_address.clone())
        .collect();

    let workload = Workload {
        id: id.as_str().into(),
        platform: Platform::Compose,
        name: name.into(),
        scope: project.into(),
        kind: "service".into(),
        labels,
        labels_span: l.last("labels").map(|(f, n)| ctx.node_span(f, n)),
        annotations: StrMap::new(),
        containers: vec![container],
        networks: nets.into_values().collect(),
        network_mode,
        depends_on: deps.into_values().collect(),
        hostname,
        container_name,
        build_context,
        replicas,
        selector: None,
        profiles,
        references: compose_references(ctx, l),
        sidecar: Some(false),
        span,
    };
    let service = Service {
        id: id.as_str().into(),
        platform: Platform::Compose,
        kind: "compose-service".into(),
        name: name.into(),
        scope: project.into(),
        names,
        ports: service_ports,
        selector: None,
        external_name: None,
        workloads: vec![id.into()],
        addresses,
        span,
    };
    (workload, service)
}

/// What a service refers to by name: networks, named volumes, services, configs, secrets.
fn compose_references(ctx: &Ctx<'_>, l: &Layers<'_>) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut push = |kind: &str, name: Str, span: Span| {
        if !out
            .iter()
            .any(|r: &Reference| r.kind == kind && r.name == name)
        {
            out.push(Reference {
                kind: kind.into(),
                name,
                optional: false,
                span,
            });
        }
    };
    for (file, node) in l.all("networks") {
        let node = node.resolve();
        if node.is_sequence() {
            for item in node.items() {
                if let Some(n) = scalar(item) {
                    push("network", n, ctx.node_span(file, item));
                }
            }
        } else {
            for (n, _) in entries(Some(node)) {
                let span = ctx.key_span(file, node, &n);
                push("network", n, span);
            }
        }
    }
    for (file, node) in l.all("volumes") {
        for item in node.resolve().items() {
            let source = if item.resolve().is_mapping() {
                let ty = item
                    .get("type")
                    .and_then(scalar)
                    .unwrap_or_else(|| "volume".into());
                if ty != "volume" {
                    continue;
                }
                item.get("source").and_then(scalar)
            } else {
                scalar(item).and_then(|t| {
                    let mut parts = t.split(':');
                    let first = parts.next()?;
                    parts.next().map(|_| Str::from(first))
                })
            };
            let Some(source) = source else { continue };
            let is_path = source.starts_with('.')
                || source.starts_with('/')
                || source.starts_with('~')
                || source.contains('/')
                || source.contains('$');
            if !is_path && !source.is_empty() {
                push("volume", source, ctx.node_span(file, item));
            }
        }
    }
    for (file, node) in l.all("depends_on") {
        let node = node.resolve();
        if node.is_sequence() {
            for item in node.items() {
                if let Some(n) = scalar(item) {
                    push("service", n, ctx.node_span(file, item));
                }
            }
        } else {
            for (n, v) in entries(Some(node)) {
                let span = ctx.key_span(file, node, &n);
                let optional = v.get("required").and_then(|r| r.as_bool()) == Some(false);
                if optional {
                    continue;
                }
                push("service", n, span);
            }
        }
    }
    for (file, node) in l.all("volumes_from") {
        for item in node.resolve().items() {
            if let Some(t) = scalar(item) {
                if let Some(name) = t
                    .strip_prefix("container:")
                    .map(|_| None)
                    .unwrap_or(Some(Str::from(t.split(':').next().unwrap_or(""))))
                {
                    push("service", name, ctx.node_span(file, item));
                }
            }
        }
    }
    for key in ["network_mode", "ipc", "pid"] {
        if let Some((file, node)) = l.last(key) {
            if let Some(name) = scalar(node).and_then(|v| v.strip_prefix("service:").map(Str::from))
            {
                push("service", name, ctx.node_span(file, node));
            }
        }
    }
    for (kind, key) in [("config", "configs"), ("secret", "secrets")] {
        for (file, node) in l.all(key) {
            for item in node.resolve().items() {
                let name = if item.resolve().is_mapping() {
                    item.get("source").and_then(scalar)
                } else {
                    scalar(item)
                };
                if let Some(n) = name {
                    push(kind, n, ctx.node_span(file, item));
                }
            }
        }
    }
    out
}

/// The node of the layer in `file` (for spans of merged mappings).
fn node_parent_or<'a>(l: &Layers<'a>, file: FileId) -> NodeRef<'a> {
    l.layers
        .iter()
        .rev()
        .find(|(f, _)| *f == file)
        .map(|(_, n)| *n)
        .unwrap_or(l.layers[0].1)
}

fn service_key_span(ctx: &Ctx<'_>, file: FileId, name: &str) -> Option<Span> {
    let root = ctx.ws.file(file).yaml()?.root(0)?;
    let services = root.get("services")?.resolve();
    Some(ctx.span(file, services.key_range(name)?))
}

/// One container port of a `ports:` entry.
struct PortEntry {
    target: u16,
    published: Option<u16>,
    protocol: Str,
    name: Option<Str>,
}

fn split_protocol(text: &str) -> (&str, String) {
    match text.rsplit_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (text, "tcp".into()),
    }
}

/// `3000`, `3000-3005` (at most 1024 ports, so a typo cannot explode the model).
fn expand_range(text: &str) -> Vec<u16> {
    let text = text.trim();
    match text.split_once('-') {
        Some((a, b)) => match (port_number(a), port_number(b)) {
            (Some(a), Some(b)) if a <= b && b - a < 1024 => (a..=b).collect(),
            _ => Vec::new(),
        },
        None => port_number(text).into_iter().collect(),
    }
}

/// Short (`[HOST_IP:][HOST[-RANGE]:]CONTAINER[-RANGE][/PROTO]`) or long syntax.
fn parse_port_entry(node: NodeRef<'_>) -> Vec<PortEntry> {
    let node = node.resolve();
    if node.is_mapping() {
        let Some(target) = node
            .get("target")
            .and_then(scalar)
            .and_then(|t| port_number(&t))
        else {
            return Vec::new();
        };
        let published = node
            .get("published")
            .and_then(scalar)
            .and_then(|p| expand_range(&p).first().copied());
        let protocol = node
            .get("protocol")
            .and_then(scalar)
            .unwrap_or_else(|| "tcp".into());
        let name = node.get("name").and_then(scalar);
        return vec![PortEntry {
            target,
            published,
            protocol,
            name,
        }];
    }
    let Some(text) = scalar(node) else {
        return Vec::new();
    };
    let (spec, protocol) = split_protocol(&text);
    // Host IPs may be IPv6 in brackets or bare; the container part is always last.
    let (head, container) = match spec.rsplit_once(':') {
        Some((h, c)) => (Some(h), c),
        None => (None, spec),
    };
    let targets = expand_range(container);
    let published: Vec<u16> = match head {
        None => Vec::new(),
        Some(h) => {
            let host_part = match h.rsplit_once(':') {
                Some((_ip, port)) => port,
                None if h.contains('.') || h.starts_with('[') => "",
                None => h,
            };
            expand_range(host_part)
        }
    };
    targets
        .iter()
        .enumerate()
        .map(|(i, t)| PortEntry {
            target: *t,
            published: if published.len() == targets.len() {
                published.get(i).copied()
            } else {
                published.first().copied()
            },
            protocol: protocol.as_str().into(),
            name: None,
        })
        .collect()
}

fn parse_volume(ctx: &Ctx<'_>, file: FileId, node: NodeRef<'_>, dir: &Path) -> Option<Mount> {
    let span = ctx.node_span(file, node);
    let node = node.resolve();
    let resolve_source = |src: &str| -> String {
        if src.starts_with('.') || src.starts_with('/') || src.starts_with('~') {
            if src.starts_with('.') {
                normalize(&dir.join(src)).to_string_lossy().into_owned()
            } else {
                src.to_string()
            }
        } else {
            src.to_string()
        }
    };
    if node.is_mapping() {
        let target = node.get("target").and_then(scalar)?;
        let source = node
            .get("source")
            .and_then(scalar)
            .map(|s| resolve_source(&s))
            .unwrap_or_default();
        let read_only = node
            .get("read_only")
            .and_then(|n| n.as_bool())
            .unwrap_or(false);
        return Some(Mount {
            source: source.into(),
            target,
            key: None,
            read_only,
            span,
        });
    }
    let text = scalar(node)?;
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [target] => Some(Mount {
            source: String::new().into(),
            target: (*target).into(),
            key: None,
            read_only: false,
            span,
        }),
        [source, target] => Some(Mount {
            source: resolve_source(source).into(),
            target: (*target).into(),
            key: None,
            read_only: false,
            span,
        }),
        [source, target, mode, ..] => Some(Mount {
            source: resolve_source(source).into(),
            target: (*target).into(),
            key: None,
            read_only: mode.split(',').any(|m| m == "ro"),
            span,
        }),
        [] => None,
    }
}

/// Folds `.` and `..` (compose paths are relative to the compose file's directory).
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(yaml: &str) -> Vec<(u16, Option<u16>, Str)> {
        let file = topolint_yaml::parse(yaml);
        let root = file.root(0).unwrap();
        root.items()
            .flat_map(parse_port_entry)
            .map(|p| (p.target, p.published, p.protocol))
            .collect()
    }

    #[test]
    fn short_and_long_port_syntax() {
        let got = ports(
            "- 3000\n- '8081:3000'\n- 127.0.0.1:8001:8001\n- '9090-9091:8080-8081'\n- '[::1]:6001:6001'\n- 6060:6060/udp\n- target: 80\n  published: '8080'\n",
        );
        assert_eq!(
            got,
            vec![
                (3000, None, "tcp".into()),
                (3000, Some(8081), "tcp".into()),
                (8001, Some(8001), "tcp".into()),
                (8080, Some(9090), "tcp".into()),
                (8081, Some(9091), "tcp".into()),
                (6001, Some(6001), "tcp".into()),
                (6060, Some(6060), "udp".into()),
                (80, Some(8080), "tcp".into()),
            ]
        );
    }

    #[test]
    fn ranges_are_capped() {
        assert!(expand_range("1-65535").is_empty());
        assert_eq!(expand_range("5000-5002"), vec![5000, 5001, 5002]);
    }
}
