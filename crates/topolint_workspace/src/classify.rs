//! What kind of file is this? Decided by name AND content: a name makes a file a
//! candidate, the content confirms it (a `redis.conf` is not nginx; a `stack.yml` with
//! `services:` is compose; any YAML whose documents carry `apiVersion` + `kind` is
//! Kubernetes).

use std::path::Path;

/// The kinds of file topolint understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    Nginx,
    Compose,
    Kubernetes,
    Dockerfile,
    /// A Helm chart template (`{{ ... }}` in a chart's `templates/`): not linted as is.
    HelmTemplate,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Nginx => "nginx",
            FileKind::Compose => "compose",
            FileKind::Kubernetes => "kubernetes",
            FileKind::Dockerfile => "dockerfile",
            FileKind::HelmTemplate => "helm-template",
        }
    }
}

/// What a file's path alone says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameHint {
    /// `nginx.conf`, `*.conf.template`, `templates/*.template`, `*.conf` under a directory
    /// named like nginx: nginx unless the content is clearly something else (binary).
    NginxStrong,
    /// `*.conf` elsewhere, files in `conf.d/` and `sites-*/`, `mime.types`: nginx only if
    /// the content parses as nginx and uses nginx directives.
    NginxWeak,
    /// `compose*.y*ml`, `docker-compose*.y*ml`.
    Compose,
    /// Any other `*.yaml` / `*.yml`.
    Yaml,
    Dockerfile,
    Unknown,
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn parent_name(path: &Path) -> &str {
    path.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("")
}

pub fn name_hint(path: &Path) -> NameHint {
    let name = file_name(path);
    let lower = name.to_ascii_lowercase();
    let parent = parent_name(path);
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
    {
        return NameHint::Dockerfile;
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        let stem = lower.trim_end_matches(".yaml").trim_end_matches(".yml");
        let stem = stem.strip_prefix("docker-").unwrap_or(stem);
        if stem == "compose" || stem.starts_with("compose.") || stem.starts_with("compose-") {
            return NameHint::Compose;
        }
        return NameHint::Yaml;
    }
    if lower == "nginx.conf"
        || lower.ends_with(".conf.template")
        || (parent == "templates" && lower.ends_with(".template"))
    {
        return NameHint::NginxStrong;
    }
    if lower.ends_with(".conf") {
        let nginx_dir = path.parent().is_some_and(|p| {
            p.components()
                .any(|c| c.as_os_str().to_str().is_some_and(|s| s.contains("nginx")))
        });
        return if nginx_dir {
            NameHint::NginxStrong
        } else {
            NameHint::NginxWeak
        };
    }
    if lower == "mime.types"
        || parent == "conf.d"
        || parent == "sites-enabled"
        || parent == "sites-available"
    {
        return NameHint::NginxWeak;
    }
    NameHint::Unknown
}

/// True when `bytes` look binary: a NUL byte in the first 8 KiB (as git and ripgrep decide).
pub fn looks_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// Does a parsed nginx config look like nginx? Used for weakly named files only.
pub fn looks_like_nginx(config: &topolint_nginx::Config) -> bool {
    let mut total = 0usize;
    let mut known = 0usize;
    for (directive, _) in config.walk() {
        total += 1;
        if is_known_directive(&directive.name) {
            known += 1;
        }
    }
    if config.errors.is_empty() {
        known > 0
    } else {
        // A broken nginx file still mostly uses nginx directives; an INI or redis.conf
        // does not (and usually fails to parse at its first line).
        total >= 2 && known * 2 >= total
    }
}

/// The most common nginx directives (core, http, stream, upstream, proxy, ssl, map, ...).
/// Used only to recognise a `*.conf` as nginx, never to reject a directive.
const KNOWN_DIRECTIVES: &[&str] = &[
    "access_log",
    "add_header",
    "alias",
    "allow",
    "auth_basic",
    "auth_basic_user_file",
    "auth_request",
    "autoindex",
    "charset",
    "charset_types",
    "client_body_buffer_size",
    "client_body_timeout",
    "client_header_buffer_size",
    "client_max_body_size",
    "daemon",
    "default_type",
    "deny",
    "error_log",
    "error_page",
    "etag",
    "events",
    "expires",
    "fastcgi_param",
    "fastcgi_pass",
    "fastcgi_index",
    "fastcgi_read_timeout",
    "geo",
    "grpc_pass",
    "gzip",
    "gzip_comp_level",
    "gzip_min_length",
    "gzip_proxied",
    "gzip_types",
    "gzip_vary",
    "http",
    "if",
    "include",
    "index",
    "internal",
    "keepalive",
    "keepalive_timeout",
    "large_client_header_buffers",
    "limit_req",
    "limit_req_zone",
    "listen",
    "load_module",
    "location",
    "log_format",
    "map",
    "map_hash_bucket_size",
    "mail",
    "open_file_cache",
    "pid",
    "proxy_buffering",
    "proxy_buffers",
    "proxy_buffer_size",
    "proxy_cache",
    "proxy_cache_path",
    "proxy_connect_timeout",
    "proxy_http_version",
    "proxy_next_upstream",
    "proxy_pass",
    "proxy_read_timeout",
    "proxy_redirect",
    "proxy_send_timeout",
    "proxy_set_header",
    "resolver",
    "resolver_timeout",
    "return",
    "rewrite",
    "root",
    "send_timeout",
    "sendfile",
    "server",
    "server_name",
    "server_names_hash_bucket_size",
    "server_tokens",
    "set",
    "ssl_certificate",
    "ssl_certificate_key",
    "ssl_ciphers",
    "ssl_prefer_server_ciphers",
    "ssl_protocols",
    "ssl_session_cache",
    "ssl_session_timeout",
    "ssl_stapling",
    "stream",
    "tcp_nodelay",
    "tcp_nopush",
    "try_files",
    "types",
    "types_hash_max_size",
    "underscores_in_headers",
    "upstream",
    "user",
    "uwsgi_pass",
    "uwsgi_param",
    "worker_connections",
    "worker_processes",
    "worker_rlimit_nofile",
];

fn is_known_directive(name: &str) -> bool {
    KNOWN_DIRECTIVES.contains(&name) || name.ends_with("_by_lua_block")
}

/// Classifies a parsed YAML file: Kubernetes when any document is a mapping with string
/// `apiVersion` and `kind`; compose when named so, or when the first document has a
/// `services` mapping; `None` otherwise.
pub fn classify_yaml(
    hint: NameHint,
    text: &str,
    yaml: &topolint_yaml::YamlFile,
) -> Option<FileKind> {
    let mut any_k8s = false;
    let mut services = false;
    for doc in &yaml.documents {
        let Some(root) = doc.root else { continue };
        let root = yaml.get(root);
        if root.get("apiVersion").and_then(|n| n.as_str()).is_some()
            && root.get("kind").and_then(|n| n.as_str()).is_some()
        {
            any_k8s = true;
        }
        if root.get("services").is_some_and(|s| s.is_mapping()) {
            services = true;
        }
    }
    if hint == NameHint::Compose {
        return Some(FileKind::Compose);
    }
    if any_k8s {
        return Some(FileKind::Kubernetes);
    }
    if services {
        return Some(FileKind::Compose);
    }
    if !yaml.errors.is_empty() {
        // The tree is incomplete: fall back to the text so a broken manifest still gets its
        // parse error reported.
        let has = |key: &str| text.lines().any(|l| l.starts_with(key));
        if has("apiVersion:") && has("kind:") {
            return Some(FileKind::Kubernetes);
        }
        if has("services:") {
            return Some(FileKind::Compose);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let h = |p: &str| name_hint(Path::new(p));
        assert_eq!(h("x/nginx.conf"), NameHint::NginxStrong);
        assert_eq!(h("x/default.conf.template"), NameHint::NginxStrong);
        assert_eq!(h("x/templates/default.template"), NameHint::NginxStrong);
        assert_eq!(h("nginx/default.conf"), NameHint::NginxStrong);
        assert_eq!(h("etc/redis.conf"), NameHint::NginxWeak);
        assert_eq!(h("conf.d/site"), NameHint::NginxWeak);
        assert_eq!(h("sites-enabled/example"), NameHint::NginxWeak);
        assert_eq!(h("compose.yaml"), NameHint::Compose);
        assert_eq!(h("compose.override.yml"), NameHint::Compose);
        assert_eq!(h("docker-compose.prod.yml"), NameHint::Compose);
        assert_eq!(h("docker-compose-dev.yaml"), NameHint::Compose);
        assert_eq!(h("composer.yaml"), NameHint::Yaml);
        assert_eq!(h("k8s/deploy.yaml"), NameHint::Yaml);
        assert_eq!(h("Dockerfile"), NameHint::Dockerfile);
        assert_eq!(h("api.Dockerfile"), NameHint::Dockerfile);
        assert_eq!(h("Dockerfile.dev"), NameHint::Dockerfile);
        assert_eq!(h("main.rs"), NameHint::Unknown);
    }

    #[test]
    fn weak_conf_needs_nginx_content() {
        let redis = topolint_nginx::parse("bind 127.0.0.1\nport 6379\n");
        assert!(!looks_like_nginx(&redis));
        let ini = topolint_nginx::parse("[program:x]\ncommand=/bin/true\n");
        assert!(!looks_like_nginx(&ini));
        let nginx =
            topolint_nginx::parse("server { listen 80; location / { proxy_pass http://a; } }");
        assert!(looks_like_nginx(&nginx));
        let broken = topolint_nginx::parse(
            "server {\n listen 80\n location / { proxy_pass http://a; }\n}\n",
        );
        assert!(looks_like_nginx(&broken));
    }

    #[test]
    fn yaml_kinds() {
        let c = |hint, t: &str| classify_yaml(hint, t, &topolint_yaml::parse(t));
        assert_eq!(
            c(NameHint::Yaml, "apiVersion: v1\nkind: Service\n"),
            Some(FileKind::Kubernetes)
        );
        assert_eq!(
            c(
                NameHint::Yaml,
                "a: 1\n---\napiVersion: v1\nkind: List\nitems: []\n"
            ),
            Some(FileKind::Kubernetes)
        );
        assert_eq!(
            c(NameHint::Yaml, "services:\n  web:\n    image: x\n"),
            Some(FileKind::Compose)
        );
        assert_eq!(c(NameHint::Compose, "{}"), Some(FileKind::Compose));
        assert_eq!(c(NameHint::Yaml, "on: push\njobs: {}\n"), None);
        assert_eq!(
            c(
                NameHint::Yaml,
                "apiVersion: v1\nkind: Service\nmetadata: {name: [\n"
            ),
            Some(FileKind::Kubernetes)
        );
    }
}
