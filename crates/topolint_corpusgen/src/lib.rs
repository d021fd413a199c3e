//! A deterministic generator of realistic microservice stacks for benchmarks, fuzz seeds and
//! end-to-end tests.
//!
//! Each stack is one directory of 10 files, the way a small service repository looks:
//! an nginx edge (`nginx/nginx.conf` + `nginx/conf.d/default.conf` with upstreams and
//! timeouts), a `compose.yaml` for local runs (healthchecks, networks, `depends_on`), Kubernetes
//! manifests (Deployments + Services for the API, the web front and the database, and an edge
//! nginx configured from a ConfigMap), and Istio policy (VirtualService with timeout/retries,
//! DestinationRule with subsets, PeerAuthentication). Every stack lives in its own namespace so
//! stacks never satisfy each other's links.
//!
//! A controlled share of stacks carries exactly one planted defect (see [`Defect`]); the
//! manifest ([`Corpus::manifest`], written as `MANIFEST.tsv`) lists which stack, which file
//! and which rule topolint is expected to report. The same seed always gives the same bytes
//! (an own splitmix64 generator: no dependency whose stream could change between versions).

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// splitmix64: tiny, fast, and its output is fixed forever by its definition.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

/// The defects a stack can carry, each with the rule that must report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Defect {
    /// nginx in a container proxies to `localhost:<web port>`.
    LocalhostUpstream,
    /// nginx's upstream uses the host side of the API's compose port mapping.
    PublishedPortUsedInternally,
    /// The API Service's selector matches no pod labels.
    SelectorMatchesNoPods,
    /// `include` of a file that does not exist.
    IncludeNotFound,
    /// A missing `;` in the site configuration.
    NginxParseError,
    /// A DestinationRule subset whose labels no pod has.
    SubsetSelectsNoPods,
    /// A duplicated key in compose.yaml.
    DuplicateKey,
    /// `depends_on: {condition: service_healthy}` on a service without a healthcheck.
    HealthyWithoutHealthcheck,
}

impl Defect {
    pub const ALL: [Defect; 8] = [
        Defect::LocalhostUpstream,
        Defect::PublishedPortUsedInternally,
        Defect::SelectorMatchesNoPods,
        Defect::IncludeNotFound,
        Defect::NginxParseError,
        Defect::SubsetSelectsNoPods,
        Defect::DuplicateKey,
        Defect::HealthyWithoutHealthcheck,
    ];

    /// The rule id topolint reports it under.
    pub fn rule(self) -> &'static str {
        match self {
            Defect::LocalhostUpstream => "localhost-upstream-in-container",
            Defect::PublishedPortUsedInternally => "published-port-used-internally",
            Defect::SelectorMatchesNoPods => "service-selector-matches-no-pods",
            Defect::IncludeNotFound => "include-not-found",
            Defect::NginxParseError => "parse-error",
            Defect::SubsetSelectsNoPods => "subset-selects-no-pods",
            Defect::DuplicateKey => "duplicate-key",
            Defect::HealthyWithoutHealthcheck => "service-healthy-without-healthcheck",
        }
    }

    /// The stack-relative file the finding points at.
    pub fn file(self) -> &'static str {
        match self {
            Defect::LocalhostUpstream
            | Defect::PublishedPortUsedInternally
            | Defect::NginxParseError => "nginx/conf.d/default.conf",
            Defect::SelectorMatchesNoPods => "k8s/api.yaml",
            Defect::IncludeNotFound => "nginx/nginx.conf",
            Defect::SubsetSelectsNoPods => "istio/destinationrule.yaml",
            Defect::DuplicateKey | Defect::HealthyWithoutHealthcheck => "compose.yaml",
        }
    }
}

/// Named corpus sizes.
pub fn stacks_for_size(size: &str) -> Option<usize> {
    match size {
        "small" => Some(10),
        "medium" => Some(1_000),
        "large" => Some(10_000),
        n => n.parse().ok(),
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub stacks: usize,
    pub seed: u64,
    /// Share of stacks with one planted defect, in per mille (default 200 = 20 %).
    pub defect_per_mille: u64,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            stacks: 10,
            seed: 1,
            defect_per_mille: 200,
        }
    }
}

/// One planted defect.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Planted {
    /// Stack directory name (relative to the corpus root).
    pub stack: String,
    pub defect: Defect,
}

impl Planted {
    /// Corpus-relative path of the file the finding points at.
    pub fn path(&self) -> String {
        format!("{}/{}", self.stack, self.defect.file())
    }
}

/// A generated corpus, in memory: (relative path, text) in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub files: Vec<(String, String)>,
    pub planted: Vec<Planted>,
}

impl Corpus {
    /// `stack\tdefect\trule\tfile`, one line per planted defect, with a header.
    pub fn manifest(&self) -> String {
        let mut s = String::from("stack\tdefect\trule\tfile\n");
        for p in &self.planted {
            let _ = writeln!(
                s,
                "{}\t{:?}\t{}\t{}",
                p.stack,
                p.defect,
                p.defect.rule(),
                p.path()
            );
        }
        s
    }

    pub fn total_bytes(&self) -> usize {
        self.files.iter().map(|(_, t)| t.len()).sum()
    }

    /// Writes every file under `root` plus `MANIFEST.tsv`.
    pub fn write_to(&self, root: &Path) -> io::Result<()> {
        for (rel, text) in &self.files {
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)?;
        }
        std::fs::create_dir_all(root)?;
        std::fs::write(root.join("MANIFEST.tsv"), self.manifest())
    }
}

const DOMAINS: &[&str] = &[
    "shop",
    "billing",
    "orders",
    "catalog",
    "search",
    "auth",
    "payments",
    "ledger",
    "inventory",
    "shipping",
    "reviews",
    "media",
    "notify",
    "profile",
    "booking",
    "quotes",
    "reports",
    "chat",
];
const API_RUNTIMES: &[(&str, &str)] = &[
    (
        "python:3.12-slim",
        "uvicorn app.main:app --host 0.0.0.0 --port {port}",
    ),
    ("node:22-alpine", "node server.js --port {port}"),
    ("golang:1.23", "/app/server -listen :{port}"),
    (
        "eclipse-temurin:21-jre",
        "java -Dserver.port={port} -jar /app/app.jar",
    ),
];
const API_PORTS: &[u16] = &[8000, 8080, 8081, 9000, 5000, 3001];
const WEB_PORTS: &[u16] = &[3000, 4000, 8088, 5173];
const TIMEOUTS: &[u32] = &[5, 10, 15, 30, 60];

/// Generates the corpus described by `spec`.
pub fn generate(spec: &Spec) -> Corpus {
    let mut rng = Rng::new(spec.seed);
    let mut corpus = Corpus::default();
    let width = spec.stacks.max(1).to_string().len().max(4);
    for i in 0..spec.stacks {
        // Each stack gets its own generator so a stack's bytes do not depend on the ones
        // generated before it (shrinking a failing corpus keeps the stack identical).
        let mut srng = Rng::new(rng.next_u64());
        let domain = *srng.pick(DOMAINS);
        let stack = format!("stack-{i:0width$}-{domain}");
        let defect = if srng.chance(spec.defect_per_mille) {
            Some(*srng.pick(&Defect::ALL))
        } else {
            None
        };
        let s = Stack::new(&mut srng, &stack, domain, defect);
        for (rel, text) in s.files() {
            corpus.files.push((format!("{stack}/{rel}"), text));
        }
        if let Some(defect) = defect {
            corpus.planted.push(Planted { stack, defect });
        }
    }
    corpus
}

struct Stack {
    ns: String,
    domain: String,
    api: String,
    web: String,
    api_port: u16,
    api_host_port: u16,
    web_port: u16,
    api_image: String,
    api_cmd: String,
    timeout: u32,
    retries: u32,
    replicas: u32,
    locations: u32,
    defect: Option<Defect>,
}

impl Stack {
    fn new(rng: &mut Rng, stack: &str, domain: &str, defect: Option<Defect>) -> Self {
        let (image, cmd) = *rng.pick(API_RUNTIMES);
        let api_port = *rng.pick(API_PORTS);
        let web_port = *rng.pick(WEB_PORTS);
        Self {
            ns: stack.to_string(),
            domain: domain.to_string(),
            api: format!("{domain}-api"),
            web: format!("{domain}-web"),
            api_port,
            api_host_port: 18000 + rng.below(1000) as u16,
            web_port,
            api_image: image.to_string(),
            api_cmd: cmd.replace("{port}", &api_port.to_string()),
            timeout: *rng.pick(TIMEOUTS),
            retries: 1 + rng.below(3) as u32,
            replicas: 2 + rng.below(3) as u32,
            locations: 1 + rng.below(4) as u32,
            defect,
        }
    }

    fn has(&self, d: Defect) -> bool {
        self.defect == Some(d)
    }

    fn files(&self) -> Vec<(&'static str, String)> {
        vec![
            ("nginx/nginx.conf", self.nginx_main()),
            ("nginx/conf.d/default.conf", self.nginx_site(false)),
            ("compose.yaml", self.compose()),
            ("k8s/api.yaml", self.k8s_app(true)),
            ("k8s/web.yaml", self.k8s_app(false)),
            ("k8s/db.yaml", self.k8s_db()),
            ("k8s/edge.yaml", self.k8s_edge()),
            ("istio/virtualservice.yaml", self.istio_vs()),
            ("istio/destinationrule.yaml", self.istio_dr()),
            ("istio/peerauthentication.yaml", self.istio_pa()),
        ]
    }

    fn nginx_main(&self) -> String {
        let extra = if self.has(Defect::IncludeNotFound) {
            "    include snippets/security-headers.conf;\n"
        } else {
            ""
        };
        format!(
            "# {domain} edge proxy\nuser nginx;\nworker_processes auto;\n\nevents {{\n    worker_connections 1024;\n}}\n\nhttp {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n    log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n                    '$status $body_bytes_sent \"$http_referer\" $request_time';\n    access_log /var/log/nginx/access.log main;\n    sendfile on;\n    keepalive_timeout 65;\n    gzip on;\n{extra}    include /etc/nginx/conf.d/*.conf;\n}}\n",
            domain = self.domain
        )
    }

    /// The site: upstreams for the API and the web front. `k8s` switches the names to the
    /// Kubernetes Services (the ConfigMap copy).
    fn nginx_site(&self, k8s: bool) -> String {
        let (api_target, web_target) = if k8s {
            (
                format!("{}:80", self.api),
                format!("{}.{}.svc.cluster.local:80", self.web, self.ns),
            )
        } else {
            let api_port = if self.has(Defect::PublishedPortUsedInternally) {
                self.api_host_port
            } else {
                self.api_port
            };
            let web = if self.has(Defect::LocalhostUpstream) {
                "localhost".to_string()
            } else {
                self.web.clone()
            };
            (
                format!("{}:{api_port}", self.api),
                format!("{web}:{}", self.web_port),
            )
        };
        let semi = if !k8s && self.has(Defect::NginxParseError) {
            ""
        } else {
            ";"
        };
        let mut s = String::new();
        let _ = write!(
            s,
            "upstream {d}_api {{\n    server {api_target} max_fails=3 fail_timeout=10s;\n    server {api_target} backup;\n    keepalive 32;\n}}\n\nupstream {d}_web {{\n    server {web_target};\n    server {web_target} backup;\n}}\n\nserver {{\n    listen 80;\n    server_name {d}.example.com;\n\n    client_max_body_size 10m;\n    proxy_connect_timeout 5s;\n    proxy_read_timeout {t}s;\n    proxy_send_timeout {t}s;\n\n    location /api/ {{\n        proxy_pass http://{d}_api/;\n        proxy_http_version 1.1;\n        proxy_set_header Connection \"\"{semi}\n        proxy_set_header Host $host;\n        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n        proxy_next_upstream error timeout http_502;\n        proxy_next_upstream_tries {r};\n    }}\n",
            d = self.domain.replace('-', "_"),
            t = self.timeout,
            r = self.retries,
        );
        for l in 0..self.locations {
            let _ = write!(
                s,
                "\n    location /static/v{l}/ {{\n        root /usr/share/nginx/html;\n        expires 7d;\n        add_header Cache-Control \"public\";\n    }}\n"
            );
        }
        let _ = write!(
            s,
            "\n    location / {{\n        proxy_pass http://{d}_web;\n        proxy_set_header Host $host;\n    }}\n\n    location = /healthz {{\n        access_log off;\n        return 200 \"ok\\n\";\n    }}\n}}\n",
            d = self.domain.replace('-', "_")
        );
        s
    }

    fn compose(&self) -> String {
        let dup = if self.has(Defect::DuplicateKey) {
            "    restart: always\n"
        } else {
            ""
        };
        let web_health = if self.has(Defect::HealthyWithoutHealthcheck) {
            String::new()
        } else {
            format!(
                "    healthcheck:\n      test: [\"CMD\", \"wget\", \"-qO-\", \"http://localhost:{p}/\"]\n      interval: 10s\n      timeout: 3s\n      retries: 5\n",
                p = self.web_port
            )
        };
        format!(
            r#"# Local run of the {domain} stack.
name: {ns}

services:
  proxy:
    image: nginx:1.27-alpine
    ports:
      - "8080:80"
    volumes:
      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro
      - ./nginx/conf.d:/etc/nginx/conf.d:ro
    depends_on:
      {api}:
        condition: service_healthy
      {web}:
        condition: service_healthy
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost/healthz"]
      interval: 10s
      timeout: 3s
      retries: 3
    restart: unless-stopped
{dup}    networks: [edge]

  {api}:
    image: {api_image}
    command: {api_cmd}
    environment:
      DATABASE_URL: postgresql://app:app@db:5432/{domain}
      LOG_LEVEL: info
    ports:
      - "{host_port}:{api_port}"
    healthcheck:
      test: ["CMD", "curl", "-fsS", "http://localhost:{api_port}/healthz"]
      interval: 10s
      timeout: 3s
      retries: 5
      start_period: 20s
    depends_on:
      db:
        condition: service_healthy
    networks: [edge, data]

  {web}:
    image: node:22-alpine
    working_dir: /app
    command: npm run start -- --host 0.0.0.0 --port {web_port}
    expose:
      - "{web_port}"
{web_health}    networks: [edge]

  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: app
      POSTGRES_DB: {domain}
    volumes:
      - db-data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
      interval: 5s
      timeout: 3s
      retries: 10
    networks: [data]

networks:
  edge: {{}}
  data: {{}}

volumes:
  db-data: {{}}
"#,
            domain = self.domain,
            ns = self.ns,
            api = self.api,
            web = self.web,
            api_image = self.api_image,
            api_cmd = self.api_cmd,
            host_port = self.api_host_port,
            api_port = self.api_port,
            web_port = self.web_port,
        )
    }

    fn k8s_app(&self, api: bool) -> String {
        let (name, port, image, args) = if api {
            (
                &self.api,
                self.api_port,
                self.api_image.as_str(),
                self.api_cmd.clone(),
            )
        } else {
            (
                &self.web,
                self.web_port,
                "node:22-alpine",
                format!("npm run start -- --host 0.0.0.0 --port {}", self.web_port),
            )
        };
        let selector = if api && self.has(Defect::SelectorMatchesNoPods) {
            format!("{name}-backend")
        } else {
            name.clone()
        };
        let args: Vec<String> = args.split(' ').map(|a| format!("\"{a}\"")).collect();
        format!(
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
        version: v1
    spec:
      containers:
        - name: app
          image: {image}
          command: [{args}]
          ports:
            - name: http
              containerPort: {port}
          readinessProbe:
            httpGet:
              path: /healthz
              port: {port}
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz
              port: {port}
            periodSeconds: 10
            failureThreshold: 3
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector:
    app: {selector}
  ports:
    - name: http
      port: 80
      targetPort: {port}
"#,
            ns = self.ns,
            replicas = self.replicas,
            args = args.join(", "),
        )
    }

    fn k8s_db(&self) -> String {
        format!(
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
  namespace: {ns}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: postgres
          image: postgres:16
          env:
            - name: POSTGRES_DB
              value: {domain}
          ports:
            - containerPort: 5432
          readinessProbe:
            exec:
              command: ["pg_isready", "-U", "app"]
          livenessProbe:
            tcpSocket:
              port: 5432
---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: {ns}
spec:
  selector:
    app: db
  ports:
    - port: 5432
"#,
            ns = self.ns,
            domain = self.domain,
        )
    }

    fn k8s_edge(&self) -> String {
        let site: String = self
            .nginx_site(true)
            .lines()
            .map(|l| {
                if l.is_empty() {
                    "\n".to_string()
                } else {
                    format!("    {l}\n")
                }
            })
            .collect();
        format!(
            r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: edge-nginx
  namespace: {ns}
data:
  default.conf: |
{site}---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: edge
  namespace: {ns}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: edge
  template:
    metadata:
      labels:
        app: edge
    spec:
      containers:
        - name: nginx
          image: nginx:1.27-alpine
          ports:
            - name: http
              containerPort: 80
          readinessProbe:
            httpGet:
              path: /healthz
              port: 80
          livenessProbe:
            httpGet:
              path: /healthz
              port: 80
          volumeMounts:
            - name: conf
              mountPath: /etc/nginx/conf.d
      volumes:
        - name: conf
          configMap:
            name: edge-nginx
---
apiVersion: v1
kind: Service
metadata:
  name: edge
  namespace: {ns}
spec:
  type: LoadBalancer
  selector:
    app: edge
  ports:
    - name: http
      port: 80
      targetPort: 80
"#,
            ns = self.ns,
        )
    }

    fn istio_vs(&self) -> String {
        let per_try = (self.timeout / (self.retries + 1)).max(1);
        format!(
            r#"apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {api}
  namespace: {ns}
spec:
  hosts:
    - {api}
  http:
    - timeout: {t}s
      retries:
        attempts: {r}
        perTryTimeout: {per_try}s
        retryOn: connect-failure,reset
      route:
        - destination:
            host: {api}
            subset: v1
            port:
              number: 80
"#,
            api = self.api,
            ns = self.ns,
            t = self.timeout,
            r = self.retries,
        )
    }

    fn istio_dr(&self) -> String {
        let version = if self.has(Defect::SubsetSelectsNoPods) {
            "v9"
        } else {
            "v1"
        };
        format!(
            r#"apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {api}
  namespace: {ns}
spec:
  host: {api}
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    connectionPool:
      http:
        http1MaxPendingRequests: 100
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 10s
      baseEjectionTime: 30s
      maxEjectionPercent: 50
  subsets:
    - name: v1
      labels:
        version: {version}
"#,
            api = self.api,
            ns = self.ns,
        )
    }

    fn istio_pa(&self) -> String {
        format!(
            r#"apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: {ns}
spec:
  mtls:
    mode: PERMISSIVE
"#,
            ns = self.ns,
        )
    }
}
