//! The linker: lowers every file, finds where each nginx runs, and resolves every call
//! (caller -> host:port -> service -> workload:containerPort) to a status with a reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use topolint_diagnostics::{Diagnostic, FileId, Label, Severity, TextRange};
use topolint_workspace::{Content, FileKind, Workspace};

use crate::compact::Shrink;
use crate::compose::{self, normalize};
use crate::ctx::{port_number, Ctx};
use crate::k8s::{self, K8sOutput};
use crate::model::*;
use crate::nginx::{self, parse_pass, substitute};
use crate::servers;

/// Facts the files cannot say (from topolint.toml).
#[derive(Clone, Debug)]
pub struct LinkOptions {
    /// Kubernetes cluster domain (`svc.ns.svc.<domain>`).
    pub cluster_domain: String,
    /// Explicit placements: nginx config path (as discovered, relative to the working
    /// directory) -> a workload id (`compose:<project>/<service>`, `k8s:<ns>/<Kind>/<name>`)
    /// or the short forms of topolint.toml (`compose:<service>`, `k8s:<namespace>/<name>`).
    pub nginx_placements: Vec<(String, String)>,
    /// Istio's root namespace: its namespace-wide policies are mesh-wide.
    pub istio_root_namespace: String,
    /// An external hop in front of everything (a load balancer's idle timeout), in ms.
    pub edge_timeout_ms: Option<u64>,
    /// Keep parsed ConfigMap-embedded nginx configurations in a process-wide memo for the
    /// next link (the language server links again after every edit). Off for a one-shot
    /// run: each configuration is parsed, built and dropped, so their trees never pile up
    /// (on a 100,000-file repository they were about a tenth of the peak memory).
    pub memoize_embedded: bool,
    /// Called once the linker has dropped a large part of what it held (the nginx trees,
    /// then the compose trees, then its working sets; `topolint_linter` also calls it before
    /// the rules): the binary hands the freed memory back to the system
    /// there (`crates/topolint/src/alloc.rs`), which its allocator otherwise keeps
    /// resident for a while. Libraries never choose or drive the allocator themselves.
    pub reclaim: Option<fn()>,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            cluster_domain: "cluster.local".into(),
            nginx_placements: Vec::new(),
            istio_root_namespace: "istio-system".into(),
            edge_timeout_ms: None,
            memoize_embedded: false,
            reclaim: None,
        }
    }
}

impl LinkOptions {
    /// Gives freed memory back, when the caller said how ([`LinkOptions::reclaim`]).
    pub fn reclaim(&self) {
        if let Some(reclaim) = self.reclaim {
            reclaim();
        }
    }
}

/// The topology and the findings made while building it (parse errors of nginx
/// configurations embedded in ConfigMaps).
pub struct LinkOutput {
    pub topology: Topology,
    pub diagnostics: Vec<Diagnostic>,
}

/// Links every file of `ws` into one topology: [`Linker`]'s three stages in a row.
pub fn link(ws: &Workspace, options: &LinkOptions) -> LinkOutput {
    let mut linker = Linker::lower(ws, options);
    linker.proxies(ws);
    linker.finish(ws)
}

/// Linking in three stages, so that a one-shot run can drop each file's tree as soon as no
/// later stage reads it (on a 100,000-file repository the trees were about a quarter of the
/// peak memory). Every stage takes the same workspace; between two stages the caller may
/// release the trees of the files [`Linker::needs_tree`] no longer names
/// ([`Workspace::release_trees`]), and [`Linker::lower_releasing`] drops them within stage 1.
///
/// 1. [`Linker::lower`]: the proxies of nginx files (reads nginx trees); compose projects
///    and Kubernetes files become workloads, services and the other objects; listeners,
///    sidecars, Service selection (reads the YAML trees of compose and Kubernetes files).
/// 2. [`Linker::proxies`]: nginx configurations embedded in ConfigMaps become proxies
///    (reads the YAML trees of those ConfigMaps).
/// 3. [`Linker::finish`]: placement, envsubst and every edge (reads no tree).
pub struct Linker<'o> {
    options: &'o LinkOptions,
    workloads: Vec<Workload>,
    services: Vec<Service>,
    compose_dirs: BTreeMap<String, PathBuf>,
    compose_projects: Vec<ComposeProjectInfo>,
    k: K8sOutput,
    /// Positions of the Kubernetes workloads in `workloads`, by namespace (in model order).
    k8s_by_namespace: std::collections::HashMap<Str, Vec<usize>>,
    proxies: Vec<Proxy>,
    diagnostics: Vec<Diagnostic>,
    stage: Stage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Lowered,
    Proxies,
}

impl<'o> Linker<'o> {
    /// Whether a later stage still reads the tree of `file`.
    pub fn needs_tree(&self, file: &topolint_workspace::LoadedFile) -> bool {
        match self.stage {
            Stage::Lowered => file.nginx().is_some(),
            Stage::Proxies => false,
        }
    }

    /// Stage 1: the nginx files' proxies, lowering, listeners, sidecars, Service selection.
    pub fn lower(ws: &Workspace, options: &'o LinkOptions) -> Self {
        use rayon::prelude::*;
        let proxies = file_proxies(ws);
        let ctx = Ctx::new(ws);
        let mut lists = Lists::new(lower_compose(&ctx), k8s::ObjectBound::default());
        // Kubernetes files: each file is lowered on its own, the outputs are appended in
        // file order (the result is the one a sequential loop gives; see `K8sOutput::append`).
        let k8s_files: Vec<FileId> = ws
            .files
            .iter()
            .filter(|f| f.kind == Some(FileKind::Kubernetes))
            .map(|f| f.id)
            .collect();
        let parts: Vec<K8sOutput> = k8s_files
            .par_chunks(64)
            .map(|files| {
                let mut out = K8sOutput::default();
                for &file in files {
                    k8s::lower_file(&ctx, file, &mut out);
                }
                out.shrink();
                out
            })
            .collect();
        lists.k.reserve_for(&parts);
        for part in parts {
            lists.k.append(part);
        }
        Self::lower_rest(options, lists, proxies)
    }

    /// [`Linker::lower`] for a run that owns its workspace: the nginx trees are dropped once
    /// the files' proxies are built, the compose files' trees once their projects are, and
    /// each Kubernetes file's tree right after the file is lowered. The Kubernetes files are
    /// lowered a batch at a time, each batch appended to the model's lists (sized once,
    /// compose's objects first) before the next starts: the next batch reuses what the last
    /// one freed. So the trees and the lowered objects never all live at once, and no list
    /// is copied whole (each of those moments was the peak of a large run).
    ///
    /// `lowered`: the Kubernetes files lowered while loading ([`LowerKubernetes`]), whose
    /// trees are gone; either every Kubernetes file or none (then it is empty).
    pub fn lower_releasing(
        ws: &mut Workspace,
        options: &'o LinkOptions,
        lowered: K8sOutput,
    ) -> Self {
        use rayon::prelude::*;
        // The files' proxies first: then no nginx tree is needed any more, unless a file
        // that is not nginx includes it (stage 2 builds ConfigMap-embedded configurations).
        let proxies = file_proxies(ws);
        let included_by_others: std::collections::HashSet<FileId> = ws
            .includes
            .iter()
            .filter(|e| ws.file(e.from).nginx().is_none())
            .map(|e| e.to)
            .collect();
        ws.release_trees(|f| f.nginx().is_none() || included_by_others.contains(&f.id));
        options.reclaim();
        let taken = ws.take_contents(|f| {
            f.kind == Some(FileKind::Kubernetes) && matches!(f.content, Content::Yaml(_))
        });
        let compose = lower_compose(&Ctx::new(ws));
        ws.release_trees(|f| f.nginx().is_some());
        options.reclaim();
        if taken.is_empty() {
            // Lowered while loading: compose's objects go in front of them, in place.
            let lists = Lists::before(compose, lowered);
            let linker = Self::lower_rest(options, lists, proxies);
            ws.release_trees(|f| linker.needs_tree(f));
            return linker;
        }
        debug_assert!(lowered.workloads.is_empty() && lowered.objects.is_empty());
        let bound = taken
            .iter()
            .map(|(_, content)| match content {
                Content::Yaml(yaml) => k8s::object_bound(yaml),
                _ => k8s::ObjectBound::default(),
            })
            .sum();
        let mut lists = Lists::new(compose, bound);
        let ctx = Ctx::new(ws);
        // No Kubernetes tree outlives its lowering: ConfigMaps carry the values stage 2
        // parses as nginx (a kept tree also kept the allocator pages around it resident).
        let batch = 64 * 4 * rayon::current_num_threads().max(1);
        let mut taken = taken.into_iter();
        loop {
            let files: Vec<(FileId, Content)> = taken.by_ref().take(batch).collect();
            if files.is_empty() {
                break;
            }
            let parts: Vec<K8sOutput> = files
                .into_par_iter()
                .chunks(64)
                .map(|chunk| {
                    let mut out = K8sOutput::default();
                    for (file, content) in chunk {
                        if let Content::Yaml(yaml) = &content {
                            k8s::lower_tree(&ctx, file, yaml, &mut out);
                        }
                    }
                    out.shrink();
                    out
                })
                .collect();
            for part in parts {
                lists.k.append(part);
            }
        }
        let linker = Self::lower_rest(options, lists, proxies);
        ws.release_trees(|f| linker.needs_tree(f));
        linker
    }

    /// Stage 1 after lowering: what needs both compose and Kubernetes.
    fn lower_rest(options: &'o LinkOptions, lists: Lists, proxies: Vec<Proxy>) -> Self {
        use rayon::prelude::*;
        let Lists {
            mut k,
            compose_dirs,
            compose_projects,
            compose_services,
        } = lists;
        k.shrink_lists();
        let mut workloads = std::mem::take(&mut k.workloads);
        let mut services = std::mem::take(&mut k.services);
        for s in services.iter_mut().skip(compose_services) {
            if s.kind != "ServiceEntry" {
                let ns = &s.scope;
                let n = &s.name;
                let d = &options.cluster_domain;
                s.names = [
                    n.clone(),
                    format!("{n}.{ns}").into(),
                    format!("{n}.{ns}.svc").into(),
                    format!("{n}.{ns}.svc.{d}").into(),
                ]
                .into_iter()
                .map(|value| Spanned {
                    value,
                    span: s.span,
                })
                .collect();
            }
        }

        // 2. Listeners.
        workloads.par_iter_mut().for_each(|w| {
            for c in &mut w.containers {
                c.listeners = servers::infer(c);
                c.listeners.shrink_to_fit();
            }
        });

        // 2b. Istio sidecars: pod annotation/label `sidecar.istio.io/inject` wins, then the
        //     namespace's `istio-injection` / `istio.io/rev` labels (only when the namespace is
        //     declared in the model: otherwise unknown).
        for w in &mut workloads {
            if w.platform != Platform::Kubernetes {
                continue;
            }
            let pod = w
                .annotations
                .get("sidecar.istio.io/inject")
                .or_else(|| w.labels.get("sidecar.istio.io/inject"));
            w.sidecar = match pod.map(Str::as_str) {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => k.declared_namespaces.get(w.scope.as_str()).map(|labels| {
                    labels
                        .get("istio-injection")
                        .is_some_and(|v| v == "enabled")
                        || (labels.contains_key("istio.io/rev")
                            && labels
                                .get("istio-injection")
                                .is_none_or(|v| v != "disabled"))
                }),
            };
        }

        // Kubernetes workloads by namespace, for the two lookups below that stay inside a
        // namespace (a scan of every workload per Service or ConfigMap was quadratic in the
        // number of namespaces).
        let mut k8s_by_namespace: std::collections::HashMap<Str, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, w) in workloads.iter().enumerate() {
            if w.platform == Platform::Kubernetes {
                match k8s_by_namespace.get_mut(w.scope.as_str()) {
                    Some(positions) => positions.push(i),
                    None => {
                        k8s_by_namespace.insert(w.scope.clone(), vec![i]);
                    }
                }
            }
        }

        // 3. Services -> workloads (k8s selectors, same namespace, full LabelSelector semantics).
        for s in &mut services {
            if s.platform != Platform::Kubernetes {
                continue;
            }
            if let Some(sel) = &s.selector {
                if sel.is_empty() {
                    continue; // an empty Service selector selects nothing (manual endpoints)
                }
                s.workloads = k8s_by_namespace
                    .get(s.scope.as_str())
                    .into_iter()
                    .flatten()
                    .map(|&i| &workloads[i])
                    .filter(|w| sel.matches(&w.labels))
                    .map(|w| w.id.clone())
                    .collect();
                s.workloads.shrink_to_fit();
            }
        }
        Self {
            options,
            workloads,
            services,
            compose_dirs,
            compose_projects,
            k,
            k8s_by_namespace,
            proxies,
            diagnostics: Vec::new(),
            stage: Stage::Lowered,
        }
    }

    /// Stage 2: the proxies of the nginx configurations in ConfigMaps.
    pub fn proxies(&mut self, ws: &Workspace) {
        let ctx = Ctx::new(ws);
        use rayon::prelude::*;
        let includes = nginx::include_map(&ctx);

        // 4b. The nginx configurations embedded in ConfigMaps (after the files' proxies,
        //     built in stage 1): parsed, mapped back to the file,
        // built and placed (in the namespace's pod that mounts it) per ConfigMap in parallel,
        // then appended in ConfigMap order.
        let embedded: Vec<Vec<(Proxy, Vec<Diagnostic>)>> = self
            .k
            .configmaps
            .par_iter()
            .map(|cm| {
                let in_namespace: Vec<&Workload> = self
                    .k8s_by_namespace
                    .get(cm.namespace.as_str())
                    .into_iter()
                    .flatten()
                    .map(|&i| &self.workloads[i])
                    .collect();
                embedded_proxies(&ctx, &includes, cm, &in_namespace, self.options)
            })
            .collect();
        self.proxies
            .reserve_exact(embedded.iter().map(Vec::len).sum());
        for (proxy, diags) in embedded.into_iter().flatten() {
            self.diagnostics.extend(diags);
            self.proxies.push(proxy);
        }
        // Read by nothing after this stage: the ConfigMaps' nginx texts (copies, some
        // megabytes on a large repository) and the namespace index.
        self.k.configmaps = Vec::new();
        self.k8s_by_namespace = Default::default();
        self.stage = Stage::Proxies;
    }

    /// Stage 3: placement, envsubst, edges.
    pub fn finish(self, ws: &Workspace) -> LinkOutput {
        let Linker {
            options,
            workloads,
            services,
            compose_dirs,
            compose_projects,
            mut k,
            mut proxies,
            diagnostics,
            ..
        } = self;
        use rayon::prelude::*;

        // 5. Placement of file-based proxies.
        let places = Places::new(ws, &workloads);
        for p in &mut proxies {
            if p.placement.is_some() {
                continue;
            }
            p.placement = place(ws, p, &workloads, &places, options);
        }

        // 6. Substitute envsubst variables from the container that runs the template.
        //    Workloads by id (the first of an id wins, as `find` would).
        let mut workload_by_id: std::collections::HashMap<&str, &Workload> =
            std::collections::HashMap::with_capacity(workloads.len());
        for w in &workloads {
            workload_by_id.entry(w.id.as_str()).or_insert(w);
        }
        for p in &mut proxies {
            let Some(pl) = &p.placement else { continue };
            let Some(&w) = workload_by_id.get(pl.workload.as_str()) else {
                continue;
            };
            let c = pl
                .container
                .as_ref()
                .and_then(|n| w.containers.iter().find(|c| c.name == n))
                .or(w.containers.first());
            let Some(c) = c else { continue };
            let env = |k: &str| {
                // envsubst only touches variables the environment defines; nginx's own
                // variables are lower case and never defined there.
                c.env
                    .iter()
                    .find(|e| e.name == k && k.chars().any(|ch| ch.is_ascii_uppercase()))
                    .and_then(|e| e.value.as_deref().map(str::to_string))
            };
            for t in &mut p.targets {
                if let Some(s) = substitute(&t.raw, &env) {
                    t.variables = nginx::variables(&s);
                    t.substituted = Some(s.into());
                }
            }
        }

        drop(workload_by_id);
        drop(places);
        let mut topology = Topology {
            schema: SCHEMA_VERSION,
            cluster_domain: options.cluster_domain.as_str().into(),
            files: ws
                .files
                .iter()
                .filter_map(|f| {
                    Some(FileEntry {
                        id: f.id,
                        path: ws.sources.file(f.id).display.as_str().into(),
                        kind: f.kind?.as_str(),
                    })
                })
                .collect(),
            workloads,
            services,
            proxies,
            routes: std::mem::take(&mut k.routes),
            mesh: std::mem::take(&mut k.mesh),
            namespaces: std::mem::take(&mut k.namespaces),
            objects: std::mem::take(&mut k.objects),
            network_policies: std::mem::take(&mut k.network_policies),
            destination_rules: std::mem::take(&mut k.destination_rules),
            peer_authentications: std::mem::take(&mut k.peer_authentications),
            istio_root_namespace: options.istio_root_namespace.as_str().into(),
            edge_timeout_ms: options.edge_timeout_ms,
            compose_projects,
            edges: Vec::new(),
            lookup: Default::default(),
        };

        // 7. Edges, per caller in parallel, concatenated in caller order (then sorted). The
        //    lookup indexes are built first: otherwise the first resolver to look a workload up
        //    builds them while the others wait.
        topology.index();
        let resolver = Resolver {
            t: &topology,
            compose_dirs: &compose_dirs,
            names: ServiceNames::new(&topology),
        };
        let proxy_edges = |p: &Proxy| {
            let mut edges = Vec::new();
            let caller = Caller::Proxy { id: p.id.clone() };
            let caller_workload = p.placement.as_ref().map(|pl| pl.workload.clone());
            let file_dir = ws
                .sources
                .file(p.root)
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let domain = resolver.domain(caller_workload.as_deref(), &file_dir);
            for t in &p.targets {
                let text = t.substituted.as_deref().unwrap_or(&t.raw);
                let Some(url) = parse_pass(&t.directive, text) else {
                    continue;
                };
                if url.unix {
                    continue;
                }
                let mut edge = Edge {
                    caller: caller.clone(),
                    caller_workload: caller_workload.clone(),
                    via: t.directive.clone(),
                    host: url.host.as_str().into(),
                    port: url.port,
                    scheme: url.scheme.clone().map(Str::from),
                    status: EdgeStatus::Unknown,
                    reason: None,
                    target: None,
                    span: t.span,
                    port_name: None,
                };
                let host_vars = nginx::variables(&url.host);
                if !host_vars.is_empty() || url.host.contains('$') {
                    edge.reason = Some(
                        format!(
                            "the host is computed at run time from `${}`",
                            host_vars.first().cloned().unwrap_or_default()
                        )
                        .into(),
                    );
                } else if p.upstreams.iter().any(|u| u.name == url.host) {
                    edge.status = EdgeStatus::Upstream;
                    edge.reason = Some(format!("the `upstream {}` block", url.host).into());
                } else {
                    resolver.resolve(&mut edge, &domain);
                }
                edges.push(edge);
            }
            for u in &p.upstreams {
                for s in &u.servers {
                    let (host, port) = servers::split_bind(&s.address);
                    let Some(host) = host else { continue };
                    if s.address.starts_with("unix:") {
                        continue;
                    }
                    let mut edge = Edge {
                        caller: caller.clone(),
                        caller_workload: caller_workload.clone(),
                        via: "upstream-server".into(),
                        host: host.into(),
                        port: port.or(Some(80)),
                        scheme: None,
                        status: EdgeStatus::Unknown,
                        reason: None,
                        target: None,
                        span: s.span,
                        port_name: None,
                    };
                    resolver.resolve(&mut edge, &domain);
                    edges.push(edge);
                }
            }
            edges
        };
        let workload_edges = |w: &Workload| {
            let mut edges = Vec::new();
            let dir = compose_dirs
                .get(w.scope.as_str())
                .cloned()
                .unwrap_or_default();
            let domain = resolver.domain(Some(&w.id), &dir);
            for c in &w.containers {
                for e in &c.env {
                    let Some(value) = &e.value else { continue };
                    let Some((scheme, host, port)) = env_target(&e.name, value) else {
                        continue;
                    };
                    let mut edge = Edge {
                        caller: Caller::Workload {
                            id: w.id.clone(),
                            container: c.name.clone(),
                        },
                        caller_workload: Some(w.id.clone()),
                        via: format!("env {}", e.name).into(),
                        host: host.into(),
                        port,
                        scheme: scheme.map(Str::from),
                        status: EdgeStatus::Unknown,
                        reason: None,
                        target: None,
                        span: e.value_span.unwrap_or(e.span),
                        port_name: None,
                    };
                    resolver.resolve(&mut edge, &domain);
                    edges.push(edge);
                }
            }
            edges
        };
        let route_edge = |rt: &k8s::RouteTarget| {
            let domain = Domain::K8s {
                namespace: rt.namespace.clone(),
            };
            let mut edge = Edge {
                caller: Caller::Route {
                    id: rt.route.clone(),
                },
                caller_workload: None,
                via: rt.via.into(),
                host: rt.host.clone(),
                port: rt.port,
                scheme: None,
                status: EdgeStatus::Unknown,
                reason: None,
                target: None,
                span: rt.span,
                port_name: rt.port_name.clone(),
            };
            if let Some(problem) = &rt.problem {
                edge.status = EdgeStatus::Unresolved;
                edge.reason = Some(problem.clone());
                return edge;
            }
            resolver.resolve(&mut edge, &domain);
            if let (Some(name), Some(target)) = (&rt.port_name, &mut edge.target) {
                if let Some(s) = topology.service(&target.service) {
                    target.port_index =
                        s.ports.iter().position(|p| p.name.as_deref() == Some(name));
                }
            }
            edge
        };
        // Callers a batch at a time, each batch's edges appended in caller order to one
        // list sized from an upper bound: per-caller lists for every caller, then their
        // concatenation, held the edges twice at the peak of a large run. The bound's
        // untouched tail costs no memory.
        let bound = topology
            .proxies
            .iter()
            .map(|p| p.targets.len() + p.upstreams.iter().map(|u| u.servers.len()).sum::<usize>())
            .chain(topology.workloads.iter().map(|w| {
                w.containers
                    .iter()
                    .flat_map(|c| &c.env)
                    .filter(|e| {
                        e.value
                            .as_deref()
                            .is_some_and(|v| env_target(&e.name, v).is_some())
                    })
                    .count()
            }))
            .sum::<usize>()
            + k.route_targets.len();
        let mut edges: Vec<Edge> = Vec::with_capacity(bound);
        const BATCH: usize = 1024;
        for callers in topology.proxies.chunks(BATCH) {
            let parts: Vec<Vec<Edge>> = callers.par_iter().map(proxy_edges).collect();
            edges.extend(parts.into_iter().flatten());
        }
        for callers in topology.workloads.chunks(BATCH) {
            let parts: Vec<Vec<Edge>> = callers.par_iter().map(workload_edges).collect();
            edges.extend(parts.into_iter().flatten());
        }
        for callers in k.route_targets.chunks(BATCH) {
            let parts: Vec<Edge> = callers.par_iter().map(route_edge).collect();
            edges.extend(parts);
        }
        drop(resolver);
        drop(k);
        edges.shrink_to_fit();
        sort_edges(&mut edges);
        topology.edges = edges;
        // The model is complete: its strings stay shared, the threads' tables can go.
        crate::model::release_interned();
        LinkOutput {
            topology,
            diagnostics,
        }
    }
}

/// Sorts edges by (span, host), equal keys kept in their order, as a stable sort of the
/// list would, but through a sorted permutation applied in place: a stable sort's buffer
/// (half the list) was one of the largest allocations at the end of a large run.
fn sort_edges(edges: &mut [Edge]) {
    let mut order: Vec<u32> = (0..edges.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&edges[a as usize], &edges[b as usize]);
        (a.span, &a.host).cmp(&(b.span, &b.host))
    });
    // `order[i]` is the position of the edge that goes to `i`: follow each cycle once,
    // marking a position done by pointing it at itself.
    for start in 0..order.len() {
        let mut i = start;
        loop {
            let from = order[i] as usize;
            order[i] = i as u32;
            if from == start || from == i {
                break;
            }
            edges.swap(i, from);
            i = from;
        }
    }
}

/// Lowers each Kubernetes manifest as soon as the loader has parsed it
/// ([`topolint_workspace::load_with`]) and lets its tree go, so that a large repository's
/// Kubernetes trees never all live at once (nor beside the model's lists); the output goes
/// to [`Linker::lower_releasing`]. Other files keep their trees.
#[derive(Debug, Default, Clone, Copy)]
pub struct LowerKubernetes;

impl topolint_workspace::LoadHook for LowerKubernetes {
    type Output = K8sOutput;

    fn file(
        &self,
        file: &topolint_workspace::LoadedFile,
        source: &topolint_diagnostics::SourceFile,
        out: &mut K8sOutput,
    ) -> bool {
        match (file.kind, file.yaml()) {
            (Some(FileKind::Kubernetes), Some(yaml)) => {
                // Each object's lists shrunk on the thread that built them (`compact`).
                let mut lowered = K8sOutput::default();
                k8s::lower_tree(&Ctx::one_file(file.id, source), file.id, yaml, &mut lowered);
                lowered.shrink();
                out.append(lowered);
                false
            }
            _ => true,
        }
    }

    fn append(&self, into: &mut K8sOutput, next: K8sOutput) {
        into.append(next);
    }
}

/// 4a. The proxies of the nginx files: every nginx file no other file includes, and every
/// main configuration (reads their trees and those of the files they include).
fn file_proxies(ws: &Workspace) -> Vec<Proxy> {
    use rayon::prelude::*;
    let ctx = Ctx::new(ws);
    let includes = nginx::include_map(&ctx);
    let included: BTreeSet<FileId> = ws.includes.iter().map(|e| e.to).collect();
    let main_configs: BTreeSet<FileId> = ws.nginx_roots.iter().copied().collect();
    let roots: Vec<_> = ws
        .files
        .iter()
        .filter_map(|f| Some((f, f.nginx()?)))
        .filter(|(f, _)| !included.contains(&f.id) || main_configs.contains(&f.id))
        .collect();
    roots
        .par_iter()
        .map(|(f, config)| {
            let path = &ws.sources.file(f.id).path;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let template = name.ends_with(".template")
                || path.parent().is_some_and(|p| p.ends_with("templates"));
            let id = format!("nginx:{}", ws.sources.file(f.id).display);
            nginx::build(&ctx, &includes, id, f.id, config, template)
        })
        .collect()
}

/// The proxies of the nginx configurations in one ConfigMap (keys ending `.conf` or
/// `.template` whose text looks like nginx), each with its parse errors located in the
/// ConfigMap's file and placed in the first pod of the namespace that mounts it where nginx
/// reads its configuration.
/// The compose projects lowered (per project, in parallel), in project order.
fn lower_compose(ctx: &Ctx<'_>) -> Vec<compose::ComposeOutput> {
    use rayon::prelude::*;
    ctx.ws
        .compose_projects
        .par_iter()
        .map(|project| {
            let mut out = compose::lower(ctx, project);
            out.shrink();
            out
        })
        .collect()
}

/// The lowered objects on their way into the model: compose's workloads and services
/// first, Kubernetes' appended after them, in file order.
struct Lists {
    k: K8sOutput,
    compose_dirs: BTreeMap<String, PathBuf>,
    compose_projects: Vec<ComposeProjectInfo>,
    /// How many of `k.services` are compose's.
    compose_services: usize,
}

impl Lists {
    /// Starts the lists with the compose projects' objects, with room for `k8s` more
    /// workloads, services and objects (the model's largest lists are sized once; see
    /// [`k8s::object_bound`]).
    fn new(compose: Vec<compose::ComposeOutput>, k8s: k8s::ObjectBound) -> Self {
        let mut k = K8sOutput::default();
        k.workloads.reserve_exact(
            compose.iter().map(|o| o.workloads.len()).sum::<usize>() + k8s.workloads,
        );
        k.services
            .reserve_exact(compose.iter().map(|o| o.services.len()).sum::<usize>() + k8s.services);
        k.objects.reserve_exact(k8s.objects);
        // No Kubernetes object yet: compose's go into the room reserved above.
        Self::before(compose, k)
    }

    /// The lists of Kubernetes objects lowered while loading, with the compose projects'
    /// objects put in front of them in place: copying the Kubernetes objects into new lists
    /// held both copies at the peak of a large run.
    fn before(compose: Vec<compose::ComposeOutput>, mut k: K8sOutput) -> Self {
        let workloads = compose.iter().map(|o| o.workloads.len()).sum::<usize>();
        let services = compose.iter().map(|o| o.services.len()).sum::<usize>();
        k.workloads.reserve_exact(workloads);
        k.services.reserve_exact(services);
        let mut compose_dirs = BTreeMap::new();
        let mut compose_projects = Vec::with_capacity(compose.len());
        for out in compose {
            compose_dirs.insert(out.project, out.dir);
            compose_projects.push(out.info);
            k.workloads.extend(out.workloads);
            k.services.extend(out.services);
        }
        k.workloads.rotate_right(workloads);
        k.services.rotate_right(services);
        Lists {
            k,
            compose_dirs,
            compose_projects,
            compose_services: services,
        }
    }
}

fn embedded_proxies(
    ctx: &Ctx<'_>,
    includes: &nginx::IncludeMap,
    cm: &k8s::ConfigMap,
    in_namespace: &[&Workload],
    options: &LinkOptions,
) -> Vec<(Proxy, Vec<Diagnostic>)> {
    let ws = ctx.ws;
    let mount_source = format!("configmap:{}", cm.name);
    let mut out = Vec::new();
    for k8s::EmbeddedText { key, text, range } in &cm.nginx {
        let text = text.as_str();
        let source = &ws.sources.file(cm.file).text;
        let Some(map) = embedded_map(source, *range, text) else {
            continue;
        };
        let mut config = if options.memoize_embedded {
            (*parse_embedded(text)).clone()
        } else {
            topolint_nginx::parse(text)
        };
        remap(&mut config, &map);
        let mut diagnostics = Vec::new();
        for e in &config.errors {
            let mut d = Diagnostic::new(
                topolint_workspace::ids::PARSE_ERROR,
                Severity::Error,
                e.message.clone(),
                Label::new(
                    cm.file,
                    e.range,
                    "in the nginx configuration of this ConfigMap",
                ),
            );
            if let Some(h) = &e.help {
                d = d.with_help(h.clone());
            }
            diagnostics.push(d);
        }
        let id = format!(
            "nginx:{}#configmap/{}/{}/{}",
            ws.sources.file(cm.file).display,
            cm.namespace,
            cm.name,
            key
        );
        let mut proxy = nginx::build(
            ctx,
            includes,
            id,
            cm.file,
            &config,
            key.ends_with(".template"),
        );
        // A pod that mounts this ConfigMap runs it.
        proxy.placement = in_namespace.iter().find_map(|w| {
            w.containers.iter().find_map(|c| {
                let m = c.mounts.iter().find(|m| {
                    m.source == mount_source && m.key.as_ref().is_none_or(|k| k == key)
                })?;
                let nginxish = m.target.starts_with("/etc/nginx")
                    || m.target.starts_with("/usr/local/openresty")
                    || c.image.as_deref().is_some_and(servers::is_nginx_image);
                nginxish.then(|| Placement {
                    workload: w.id.clone(),
                    container: Some(c.name.clone()),
                    reason: "configmap".into(),
                    span: m.span,
                })
            })
        });
        out.push((proxy, diagnostics));
    }
    out
}

type EmbeddedMemo = (
    std::collections::HashMap<String, std::sync::Arc<topolint_nginx::Config>>,
    usize,
);

static EMBEDDED_MEMO: std::sync::OnceLock<std::sync::Mutex<EmbeddedMemo>> =
    std::sync::OnceLock::new();

/// Forgets the memoized parses of nginx configurations embedded in ConfigMaps (kept only
/// when [`LinkOptions::memoize_embedded`] is set).
pub fn clear_parse_memo() {
    if let Some(memo) = EMBEDDED_MEMO.get() {
        let mut guard = memo.lock().unwrap_or_else(|e| e.into_inner());
        guard.0 = Default::default();
        guard.1 = 0;
    }
}

/// Parses an nginx configuration embedded in a ConfigMap, through a process-wide memo keyed
/// by the text. Parsing is pure, and the language server links the whole workspace again
/// after every edit: re-parsing every embedded configuration was a third of linking a
/// 1,000-file workspace. Bounded: the memo is emptied when it holds more than 64 MiB of
/// text.
fn parse_embedded(text: &str) -> std::sync::Arc<topolint_nginx::Config> {
    use std::sync::Arc;
    const LIMIT: usize = 64 << 20;
    let memo = EMBEDDED_MEMO.get_or_init(Default::default);
    let hit = memo
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .0
        .get(text)
        .cloned();
    if let Some(config) = hit {
        return config;
    }
    let config = Arc::new(topolint_nginx::parse(text));
    let mut guard = memo.lock().unwrap_or_else(|e| e.into_inner());
    if guard.1 + text.len() > LIMIT {
        guard.0.clear();
        guard.1 = 0;
    }
    guard.1 += text.len();
    guard.0.insert(text.to_string(), config.clone());
    config
}

/// What `place` looks up, indexed once per link by normalized path: looking for the mounts
/// and build contexts that hold a config by scanning every compose service for every nginx
/// config (and normalizing paths on the way) made linking quadratic in the number of stacks.
struct Places {
    /// Bind mounts of compose services by their normalized source: (workload, container,
    /// mount) positions.
    mounts: std::collections::HashMap<PathBuf, Vec<(usize, usize, usize)>>,
    /// Compose services with a build context, by the normalized context directory.
    contexts: std::collections::HashMap<PathBuf, Vec<usize>>,
    /// The first Dockerfile of each directory.
    dockerfiles: std::collections::HashMap<PathBuf, FileId>,
}

impl Places {
    fn new(ws: &Workspace, workloads: &[Workload]) -> Self {
        let mut mounts: std::collections::HashMap<PathBuf, Vec<(usize, usize, usize)>> =
            Default::default();
        let mut contexts: std::collections::HashMap<PathBuf, Vec<usize>> = Default::default();
        for (wi, w) in workloads.iter().enumerate() {
            if w.platform != Platform::Compose {
                continue;
            }
            for (ci, c) in w.containers.iter().enumerate() {
                for (mi, m) in c.mounts.iter().enumerate() {
                    if m.source.is_empty()
                        || !(m.source.starts_with('.')
                            || m.source.starts_with('/')
                            || m.source.contains('/'))
                    {
                        continue;
                    }
                    mounts
                        .entry(normalize(Path::new(&m.source)))
                        .or_default()
                        .push((wi, ci, mi));
                }
            }
            if let Some(ctx) = &w.build_context {
                contexts
                    .entry(normalize(Path::new(&ctx.value)))
                    .or_default()
                    .push(wi);
            }
        }
        let mut dockerfiles = std::collections::HashMap::new();
        for f in ws
            .files
            .iter()
            .filter(|f| f.kind == Some(FileKind::Dockerfile))
        {
            if let Some(dir) = normalize(&ws.sources.file(f.id).path).parent() {
                dockerfiles.entry(dir.to_path_buf()).or_insert(f.id);
            }
        }
        Self {
            mounts,
            contexts,
            dockerfiles,
        }
    }
}

/// Where an nginx config runs: an explicit fact, a compose bind mount of the file or a
/// directory holding it, or a compose build context that holds it.
fn place(
    ws: &Workspace,
    p: &Proxy,
    workloads: &[Workload],
    places: &Places,
    options: &LinkOptions,
) -> Option<Placement> {
    let files: Vec<PathBuf> = p
        .files
        .iter()
        .map(|f| normalize(&ws.sources.file(*f).path))
        .collect();
    let root_display = &ws.sources.file(p.root).display;
    let root_span = Span {
        file: p.root,
        start: 0,
        end: 0,
        line: 1,
        column: 1,
    };
    if let Some((_, target)) = options
        .nginx_placements
        .iter()
        .find(|(path, _)| path == root_display)
    {
        // A full workload id, `compose:<service>` or `k8s:<namespace>/<name>`.
        let found = workloads.iter().find(|w| w.id == *target).or_else(|| {
            if let Some(svc) = target.strip_prefix("compose:") {
                workloads
                    .iter()
                    .find(|w| w.platform == Platform::Compose && w.name == svc)
            } else if let Some((ns, name)) =
                target.strip_prefix("k8s:").and_then(|t| t.split_once('/'))
            {
                workloads
                    .iter()
                    .find(|w| w.platform == Platform::Kubernetes && w.scope == ns && w.name == name)
            } else {
                None
            }
        });
        if let Some(w) = found {
            return Some(Placement {
                workload: w.id.clone(),
                container: w
                    .containers
                    .iter()
                    .find(|c| !c.init)
                    .map(|c| c.name.clone()),
                reason: "config".into(),
                span: root_span,
            });
        }
    }
    // Bind mounts of a file of the config or of a directory above one (in model order).
    let mut hits: Vec<(usize, usize, usize)> = files
        .iter()
        .flat_map(|f| f.ancestors())
        .filter_map(|dir| places.mounts.get(dir))
        .flatten()
        .copied()
        .collect();
    hits.sort_unstable();
    hits.dedup();
    for (wi, ci, mi) in hits {
        let w = &workloads[wi];
        let c = &w.containers[ci];
        let m = &c.mounts[mi];
        let nginx_image = c.image.as_deref().is_some_and(servers::is_nginx_image);
        let src = normalize(Path::new(&m.source));
        let root = &files[0];
        let mounted_as_nginx =
            m.target.starts_with("/etc/nginx") || m.target.starts_with("/usr/local/openresty");
        // A file mounted into a non-nginx image elsewhere is probably data, not this
        // container's nginx (unless it is the root itself, e.g. a template to envsubst).
        if mounted_as_nginx || nginx_image || root == &src || w.build_context.is_some() {
            return Some(Placement {
                workload: w.id.clone(),
                container: Some(c.name.clone()),
                reason: "bind-mount".into(),
                span: m.span,
            });
        }
    }
    // Build contexts: the config lives in the directory the image is built from.
    let mut builders: Vec<usize> = files[0]
        .ancestors()
        .filter_map(|dir| places.contexts.get(dir))
        .flatten()
        .copied()
        .collect();
    builders.sort_unstable();
    builders.dedup();
    for w in builders.into_iter().map(|i| &workloads[i]) {
        let Some(ctx_dir) = &w.build_context else {
            continue;
        };
        let ctx_path = normalize(Path::new(&ctx_dir.value));
        let dockerfile = places.dockerfiles.get(&ctx_path);
        let file_name = files[0]
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        // The first directory of the config inside the context (`nginx/` in `nginx/site.conf`).
        let first_dir = files[0]
            .strip_prefix(&ctx_path)
            .ok()
            .filter(|rel| rel.components().count() > 1)
            .and_then(|rel| rel.components().next())
            .and_then(|c| c.as_os_str().to_str())
            .map(str::to_ascii_lowercase);
        let copies = match dockerfile {
            Some(&d) => ws.sources.file(d).text.lines().any(|l| {
                let l = l.trim_start().to_ascii_lowercase();
                (l.starts_with("copy") || l.starts_with("add"))
                    && (l.contains(&file_name)
                        || first_dir.as_ref().is_some_and(|d| l.contains(d.as_str())))
            }),
            // No Dockerfile in the model: a context directory named for nginx, or a service
            // that is plainly the proxy, built from the directory that holds the config.
            None => {
                let dir_name = ctx_path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let holds =
                    files[0].parent() == Some(ctx_path.as_path()) || dir_name.contains("nginx");
                holds
                    && (dir_name.contains("nginx")
                        || w.name.contains("nginx")
                        || w.name.contains("proxy"))
            }
        };
        if copies {
            return Some(Placement {
                workload: w.id.clone(),
                container: w.containers.first().map(|c| c.name.clone()),
                reason: "build-context".into(),
                span: ctx_dir.span,
            });
        }
    }
    None
}

/// Which names a caller can use.
enum Domain {
    Compose {
        project: Str,
    },
    K8s {
        namespace: Str,
    },
    /// nginx whose placement is unknown: names are matched by proximity, never reported.
    Unknown {
        dir: PathBuf,
    },
}

struct Resolver<'a> {
    t: &'a Topology,
    compose_dirs: &'a BTreeMap<String, PathBuf>,
    /// Services by the names they answer to, so that resolving an edge is a lookup, not a
    /// scan of every Service (which made linking quadratic in the number of stacks).
    names: ServiceNames,
}

/// Positions in `Topology::services`; the first Service of a key wins, as a scan would.
#[derive(Default)]
struct ServiceNames {
    /// Compose: (project, lowercase name or alias).
    compose_names: std::collections::HashMap<(Str, Str), usize>,
    /// Compose: (project, fixed address).
    compose_addresses: std::collections::HashMap<(Str, Str), usize>,
    /// Kubernetes Services (not ServiceEntries): (namespace, name).
    k8s: std::collections::HashMap<(Str, Str), usize>,
    /// ServiceEntries, scanned (few, and their hosts may be wildcards).
    service_entries: Vec<usize>,
}

impl ServiceNames {
    fn new(t: &Topology) -> Self {
        let mut n = Self::default();
        for (i, s) in t.services.iter().enumerate() {
            match s.platform {
                Platform::Compose => {
                    for name in &s.names {
                        n.compose_names
                            .entry((s.scope.clone(), name.value.to_ascii_lowercase().into()))
                            .or_insert(i);
                    }
                    for a in &s.addresses {
                        n.compose_addresses
                            .entry((s.scope.clone(), a.clone()))
                            .or_insert(i);
                    }
                }
                _ if s.kind == "ServiceEntry" => n.service_entries.push(i),
                Platform::Kubernetes => {
                    n.k8s.entry((s.scope.clone(), s.name.clone())).or_insert(i);
                }
            }
        }
        n
    }
}

pub fn is_loopback(host: &str) -> bool {
    let h = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    h == "localhost"
        || h == "::1"
        || h.starts_with("127.")
        || h == "0.0.0.0"
        || h == "ip6-localhost"
}

fn is_ip(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok()
}

impl Resolver<'_> {
    fn domain(&self, workload: Option<&str>, dir: &Path) -> Domain {
        match workload.and_then(|w| self.t.workload(w)) {
            Some(w) if w.platform == Platform::Compose => Domain::Compose {
                project: w.scope.clone(),
            },
            Some(w) => Domain::K8s {
                namespace: w.scope.clone(),
            },
            None => Domain::Unknown {
                dir: normalize(dir),
            },
        }
    }

    fn resolve(&self, edge: &mut Edge, domain: &Domain) {
        let host = edge.host.clone();
        if is_loopback(&host) {
            edge.status = EdgeStatus::Loopback;
            edge.reason = Some("the caller's own network namespace".into());
            return;
        }
        match domain {
            Domain::Compose { project } => {
                if let Some(s) = self.compose_service(project, &host) {
                    self.resolved(edge, s, "compose name");
                } else if is_ip(&host) || host.contains('.') {
                    edge.status = EdgeStatus::External;
                    edge.reason = Some(
                        "not a name of this compose project: a DNS name or address outside it"
                            .into(),
                    );
                } else {
                    edge.status = EdgeStatus::Unresolved;
                    edge.reason = Some(format!("no service, network alias, container_name or hostname `{host}` in compose project `{project}`").into());
                }
            }
            Domain::K8s { namespace } => {
                if let Some(s) = self.k8s_service(namespace, &host) {
                    self.resolved(edge, s, "Kubernetes Service");
                } else if is_ip(&host) || (host.contains('.') && !self.looks_in_cluster(&host)) {
                    edge.status = EdgeStatus::External;
                    edge.reason = Some("a DNS name or address outside the cluster model".into());
                } else if !self
                    .t
                    .services
                    .iter()
                    .any(|s| s.platform == Platform::Kubernetes)
                {
                    edge.status = EdgeStatus::Unknown;
                    edge.reason = Some("the model has no Kubernetes Services".into());
                } else if let Some(ns) = host.split('.').nth(1).filter(|ns| {
                    !self
                        .t
                        .services
                        .iter()
                        .any(|s| s.platform == Platform::Kubernetes && s.scope == *ns)
                }) {
                    // A namespace the model holds no Service of (e.g. `istio-system`, which the
                    // mesh installation provides): partial, not wrong.
                    edge.status = EdgeStatus::Unknown;
                    edge.reason =
                        Some(format!("the model has no Service in namespace `{ns}`").into());
                } else {
                    edge.status = EdgeStatus::Unresolved;
                    edge.reason = Some(
                        format!("no Service `{host}` reachable from namespace `{namespace}`")
                            .into(),
                    );
                }
            }
            Domain::Unknown { dir } => {
                // By proximity: a compose project in this directory or above, else a
                // Kubernetes Service of that name. Never unresolved: the model is partial.
                let project = self
                    .compose_dirs
                    .iter()
                    .filter(|(_, d)| dir.starts_with(normalize(d)))
                    .max_by_key(|(_, d)| d.components().count())
                    .map(|(p, _)| p.clone());
                let found = project
                    .and_then(|p| self.compose_service(&p, &host))
                    .or_else(|| {
                        let candidates: Vec<&Service> = self
                            .t
                            .services
                            .iter()
                            .filter(|s| {
                                s.platform == Platform::Kubernetes
                                    && s.names.iter().any(|n| n.value == host)
                            })
                            .collect();
                        (candidates.len() == 1).then(|| candidates[0])
                    });
                match found {
                    Some(s) => {
                        self.resolved(
                            edge,
                            s,
                            "matched by name (where this nginx runs is unknown)",
                        );
                    }
                    None => {
                        edge.status = if is_ip(&host) || host.contains('.') {
                            EdgeStatus::External
                        } else {
                            EdgeStatus::Unknown
                        };
                        edge.reason = Some(
                            "where this nginx runs is unknown: its names cannot be checked".into(),
                        );
                    }
                }
            }
        }
    }

    fn looks_in_cluster(&self, host: &str) -> bool {
        let parts: Vec<&str> = host.split('.').collect();
        let domain = &self.t.cluster_domain;
        host.ends_with(&format!(".svc.{domain}"))
            || host.ends_with(".svc")
            || (parts.len() == 2 && self.t.namespaces.contains_key(parts[1]))
    }

    fn compose_service(&self, project: &str, host: &str) -> Option<&Service> {
        let key = (Str::from(project), Str::from(host.to_ascii_lowercase()));
        let by_name = self.names.compose_names.get(&key).copied();
        let key = (Str::from(project), Str::from(host));
        let by_address = self.names.compose_addresses.get(&key).copied();
        let first = match (by_name, by_address) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        first.map(|i| &self.t.services[i])
    }

    fn k8s_service(&self, namespace: &str, host: &str) -> Option<&Service> {
        let host = host.trim_end_matches('.');
        let d = &self.t.cluster_domain;
        let (name, ns): (&str, &str) = {
            let parts: Vec<&str> = host.split('.').collect();
            match parts.as_slice() {
                [n] => (n, namespace),
                [n, ns] => (n, ns),
                [n, ns, "svc"] => (n, ns),
                [n, ns, "svc", rest @ ..] if rest.join(".") == *d => (n, ns),
                _ => ("", ""),
            }
        };
        let by_name = self
            .names
            .k8s
            .get(&(Str::from(ns), Str::from(name)))
            .map(|&i| &self.t.services[i]);
        by_name.or_else(|| {
            self.names
                .service_entries
                .iter()
                .map(|&i| &self.t.services[i])
                .find(|s| {
                    s.kind == "ServiceEntry"
                        && s.names.iter().any(|n| {
                            n.value == host
                                || n.value
                                    .strip_prefix("*.")
                                    .is_some_and(|suffix| host.ends_with(&format!(".{suffix}")))
                        })
                })
        })
    }

    fn resolved(&self, edge: &mut Edge, s: &Service, how: &str) {
        edge.status = EdgeStatus::Resolved;
        edge.reason = Some(format!("{how} `{}`", s.name).into());
        let port_index = edge
            .port
            .and_then(|p| s.ports.iter().position(|sp| sp.port == p));
        let mut endpoints = Vec::new();
        for wid in &s.workloads {
            let Some(w) = self.t.workload(wid) else {
                continue;
            };
            let target = port_index.and_then(|i| s.ports[i].target.clone());
            // The container port the call lands on.
            let (container, port) = match (&target, s.platform) {
                (Some(t), Platform::Kubernetes) => match port_number(t) {
                    Some(n) => (
                        w.containers
                            .iter()
                            .find(|c| c.ports.iter().any(|p| p.port == n))
                            .map(|c| c.name.clone()),
                        Some(n),
                    ),
                    None => w
                        .containers
                        .iter()
                        .find_map(|c| {
                            c.ports
                                .iter()
                                .find(|p| p.name.as_deref() == Some(t))
                                .map(|p| (Some(c.name.clone()), Some(p.port)))
                        })
                        .unwrap_or((None, None)),
                },
                _ => (w.containers.first().map(|c| c.name.clone()), edge.port),
            };
            endpoints.push(Endpoint {
                workload: w.id.clone(),
                container,
                port,
            });
        }
        endpoints.shrink_to_fit();
        edge.target = Some(Target {
            service: s.id.clone(),
            port_index,
            endpoints,
        });
    }
}

/// A call target in an environment variable: a URL (`http://api:8080`, `postgres://u:p@db/x`)
/// in any variable, or `host[:port]` in a variable named like an address of something else
/// (`DB_HOST`, `REDIS_ADDR`, `API_URL`). Bind addresses (`HOST`, `ADDRESS`, `0.0.0.0`) and
/// unexpanded values (`${X}`) are not calls.
fn env_target(name: &str, value: &str) -> Option<(Option<String>, String, Option<u16>)> {
    let value = value.trim();
    if value.is_empty()
        || value.contains("${")
        || value.contains('$')
        || value.contains(' ')
        || value.contains(',')
        || value.contains(';')
    {
        return None;
    }
    const DEFAULTS: &[(&str, u16)] = &[
        ("http", 80),
        ("https", 443),
        ("ws", 80),
        ("wss", 443),
        ("postgres", 5432),
        ("postgresql", 5432),
        ("mysql", 3306),
        ("mariadb", 3306),
        ("redis", 6379),
        ("rediss", 6379),
        ("amqp", 5672),
        ("mongodb", 27017),
        ("nats", 4222),
    ];
    if let Some((scheme, rest)) = value.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        let known = DEFAULTS.iter().find(|(s, _)| *s == scheme);
        let authority = rest.split(['/', '?']).next().unwrap_or(rest);
        let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
        let (host, port) = servers::split_bind(authority);
        let host = host?;
        if host.is_empty()
            || (known.is_none() && !matches!(scheme.as_str(), "grpc" | "kafka" | "tcp"))
        {
            return None;
        }
        return Some((Some(scheme), host, port.or(known.map(|(_, p)| *p))));
    }
    let upper = name.to_ascii_uppercase();
    let addressy = ["_HOST", "_ADDR", "_ADDRESS", "_SERVER", "_HOSTNAME"]
        .iter()
        .any(|s| upper.ends_with(s));
    let bindy = upper.starts_with("BIND")
        || upper.starts_with("LISTEN")
        || upper.contains("ADVERTISE")
        || upper.starts_with("SERVER_");
    if !addressy || bindy {
        return None;
    }
    let (host, port) = servers::split_bind(value);
    let host = host?;
    let hostname_like = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && host.chars().any(|c| c.is_ascii_alphabetic());
    let flag_like = matches!(
        host.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null"
    );
    if !hostname_like || flag_like || host == "0.0.0.0" || host == "::" {
        return None;
    }
    Some((None, host, port))
}

/// Line map of a YAML block scalar: for each line of the value, (offset in value, offset in
/// file). `None` when the value is not a literal block whose lines map one-for-one.
fn embedded_map(source: &str, range: TextRange, value: &str) -> Option<Vec<(u32, u32)>> {
    let raw = source.get(range.as_usize())?;
    if !raw.starts_with('|') {
        return None;
    }
    let body_start = raw.find('\n')? + 1;
    let body = &raw[body_start..];
    let indent = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())?;
    let mut map = Vec::new();
    let mut value_offset = 0u32;
    let mut file_offset = range.start + body_start as u32;
    let mut rebuilt = String::with_capacity(value.len());
    for line in body.split_inclusive('\n') {
        let strip = line
            .len()
            .min(indent)
            .min(line.len() - line.trim_start_matches(' ').len());
        map.push((value_offset, file_offset + strip as u32));
        rebuilt.push_str(&line[strip..]);
        value_offset += (line.len() - strip) as u32;
        file_offset += line.len() as u32;
    }
    // Only trust the map when it rebuilds the value (chomping aside).
    if !rebuilt.starts_with(value.trim_end_matches('\n')) {
        return None;
    }
    Some(map)
}

fn map_offset(map: &[(u32, u32)], offset: u32) -> u32 {
    let i = match map.binary_search_by_key(&offset, |(v, _)| *v) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    };
    let (v, f) = map.get(i).copied().unwrap_or((0, 0));
    f + (offset - v)
}

fn remap(config: &mut topolint_nginx::Config, map: &[(u32, u32)]) {
    let r = |t: TextRange| TextRange::new(map_offset(map, t.start), map_offset(map, t.end));
    fn walk(
        ds: &mut [topolint_nginx::Directive],
        r: &dyn Fn(TextRange) -> TextRange,
        depth: usize,
    ) {
        if depth > 250 {
            return;
        }
        for d in ds {
            d.range = r(d.range);
            d.name_range = r(d.name_range);
            for a in &mut d.args {
                a.range = r(a.range);
            }
            if let Some(b) = &mut d.block {
                b.open = r(b.open);
                b.close = b.close.map(r);
                b.raw = b.raw.map(r);
                walk(&mut b.children, r, depth + 1);
            }
        }
    }
    walk(&mut config.directives, &r, 0);
    for c in &mut config.comments {
        c.range = r(c.range);
    }
    for e in &mut config.errors {
        e.range = r(e.range);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_sort_as_a_stable_sort_would() {
        // Few distinct keys, so that most edges tie and their order shows; lengths from
        // empty through several cycles of every length.
        let edge = |i: usize, start: u32, host: &str| Edge {
            caller: Caller::Route {
                id: i.to_string().into(),
            },
            caller_workload: None,
            via: "test".into(),
            host: host.into(),
            port: None,
            port_name: None,
            scheme: None,
            status: EdgeStatus::Unknown,
            reason: None,
            target: None,
            span: Span {
                file: FileId(start % 2),
                start,
                end: start + 1,
                line: 1,
                column: 1,
            },
        };
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for len in [0, 1, 2, 3, 7, 64, 1000] {
            for _ in 0..20 {
                let edges: Vec<Edge> = (0..len)
                    .map(|i| edge(i, next(5) as u32, ["a", "b", "c"][next(3) as usize]))
                    .collect();
                let mut expected = edges.clone();
                expected.sort_by(|a, b| (a.span, &a.host).cmp(&(b.span, &b.host)));
                let mut sorted = edges;
                sort_edges(&mut sorted);
                let ids = |edges: &[Edge]| -> Vec<String> {
                    edges.iter().map(|e| e.caller.id().to_string()).collect()
                };
                assert_eq!(ids(&sorted), ids(&expected), "{len} edges");
            }
        }
    }

    #[test]
    fn env_targets() {
        assert_eq!(
            env_target("DATABASE_URL", "postgresql://u:p@db:5432/shop"),
            Some((Some("postgresql".into()), "db".into(), Some(5432)))
        );
        assert_eq!(
            env_target("API", "http://api"),
            Some((Some("http".into()), "api".into(), Some(80)))
        );
        assert_eq!(
            env_target("DB_HOST", "db:5432"),
            Some((None, "db".into(), Some(5432)))
        );
        assert_eq!(env_target("PG_HOST", "db"), Some((None, "db".into(), None)));
        assert_eq!(env_target("HOST", "0.0.0.0"), None);
        assert_eq!(env_target("ADDRESS", "0.0.0.0:8000"), None);
        assert_eq!(env_target("REV_SERVER_TARGET", "${IP}"), None);
        assert_eq!(env_target("PIHOLE_DNS_", "172.20.0.2#5054;1.1.1.1"), None);
        assert_eq!(env_target("SERVER_PORT", "8080"), None);
        assert_eq!(env_target("REV_SERVER", "true"), None);
        assert_eq!(env_target("CACHE_HOST", "10.0.0.1"), None);
    }

    #[test]
    fn block_scalar_map() {
        let source = "data:\n  nginx.conf: |\n    server {\n      listen 80;\n    }\n";
        let file = topolint_yaml::parse(source);
        let node = file
            .root(0)
            .unwrap()
            .get("data")
            .unwrap()
            .get("nginx.conf")
            .unwrap();
        let value = node.as_str().unwrap();
        let map = embedded_map(source, node.range(), value).unwrap();
        let listen = value.find("listen").unwrap() as u32;
        assert_eq!(&source[map_offset(&map, listen) as usize..][..6], "listen");
    }
}
