//! What a container listens on, read from its command line, environment and image: the
//! servers people put behind a proxy, with their documented defaults.
//!
//! Only what can be told with certainty is recorded; an unknown server adds no listener.

use crate::model::{Container, Listener, Span, Str};

/// Well-known images and the port their server listens on (all interfaces).
const IMAGE_PORTS: &[(&str, u16)] = &[
    ("nginx", 80),
    ("openresty", 80),
    ("httpd", 80),
    ("caddy", 80),
    ("postgres", 5432),
    ("postgis", 5432),
    ("mysql", 3306),
    ("mariadb", 3306),
    ("redis", 6379),
    ("valkey", 6379),
    ("mongo", 27017),
    ("memcached", 11211),
    ("rabbitmq", 5672),
    ("elasticsearch", 9200),
    ("opensearch", 9200),
    ("mcr.microsoft.com/mssql/server", 1433),
    ("gitea", 3000),
    ("grafana", 3000),
    ("prometheus", 9090),
    ("wordpress", 80),
    ("pgadmin4", 80),
    ("pihole", 80),
    ("cloudflared", 5053),
    ("redpanda", 9092),
    ("zookeeper", 2181),
    ("kafka", 9092),
    ("minio", 9000),
    ("consul", 8500),
    ("vault", 8200),
    ("jaeger", 16686),
];

/// The image's repository name without registry, tag or digest (`docker.io/library/nginx:1.27` -> `nginx`).
pub fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last)
}

pub fn image_port(image: &str) -> Option<u16> {
    let full = image.split(['@', ':']).next().unwrap_or(image);
    let name = image_name(image);
    IMAGE_PORTS
        .iter()
        .find(|(i, _)| *i == name || full.ends_with(i))
        .map(|(_, p)| *p)
}

/// Is this an nginx (or nginx-based) image?
pub fn is_nginx_image(image: &str) -> bool {
    let name = image_name(image);
    name.contains("nginx") || name.contains("openresty")
}

/// Splits `host:port`, `[::1]:port`, `:port`, `port`, `unix:/path`.
pub fn split_bind(text: &str) -> (Option<String>, Option<u16>) {
    let t = text
        .trim()
        .trim_start_matches("tcp://")
        .trim_start_matches("http://");
    if t.starts_with("unix:") || t.starts_with('/') {
        return (None, None);
    }
    if let Some(rest) = t.strip_prefix('[') {
        if let Some((host, port)) = rest.split_once(']') {
            return (
                Some(host.to_string()),
                port.trim_start_matches(':').parse().ok(),
            );
        }
    }
    match t.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            let host = if host.is_empty() {
                None
            } else {
                Some(host.to_string())
            };
            (host, port.parse().ok())
        }
        Some(_) => (Some(t.to_string()), None),
        None => match t.parse::<u16>() {
            Ok(p) => (None, Some(p)),
            Err(_) => (Some(t.to_string()), None),
        },
    }
}

/// The value of `--flag value`, `--flag=value` or `-f value` in `argv`.
fn flag<'a>(argv: &'a [String], names: &[&str]) -> Option<&'a str> {
    for (i, a) in argv.iter().enumerate() {
        for n in names {
            if a == n {
                return argv.get(i + 1).map(String::as_str);
            }
            if let Some(v) = a.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                return Some(v);
            }
        }
    }
    None
}

fn env<'a>(c: &'a Container, name: &str) -> Option<&'a str> {
    c.env
        .iter()
        .find(|e| e.name == name)
        .and_then(|e| e.value.as_deref())
}

fn listener(
    server: &str,
    bind: Option<String>,
    port: Option<u16>,
    default_bind: bool,
    span: Span,
) -> Listener {
    // A bind address taken from a variable (`--host $HOST`) is unknown, not a value.
    let bind = bind.filter(|b| !b.contains('$'));
    Listener {
        port,
        bind: bind.map(Str::from),
        server: server.into(),
        default_bind,
        span,
    }
}

/// Infers the listeners of `c` (its command + args, environment and image).
pub fn infer(c: &Container) -> Vec<Listener> {
    let argv: Vec<String> = c
        .command
        .iter()
        .chain(c.args.iter())
        .map(|a| a.to_string())
        .collect();
    // `sh -c "..."`: look inside the script too.
    let mut words: Vec<String> = Vec::new();
    for a in &argv {
        if a.contains(' ') {
            words.extend(shlex::split(a).unwrap_or_default());
        } else {
            words.push(a.clone());
        }
    }
    let span = c.command_span.unwrap_or(c.span);
    let has = |w: &str| {
        words
            .iter()
            .any(|x| x == w || x.ends_with(&format!("/{w}")))
    };
    let mut out = Vec::new();

    if has("gunicorn") {
        match flag(&words, &["-b", "--bind"]) {
            Some(b) => {
                let (h, p) = split_bind(b);
                out.push(listener("gunicorn", h, p, false, span));
            }
            None => out.push(listener(
                "gunicorn",
                Some("127.0.0.1".into()),
                Some(8000),
                true,
                span,
            )),
        }
    } else if has("uvicorn") {
        let host = flag(&words, &["--host"]);
        let port = flag(&words, &["--port"])
            .and_then(|p| p.parse().ok())
            .or(Some(8000));
        out.push(listener(
            "uvicorn",
            Some(host.unwrap_or("127.0.0.1").into()),
            port,
            host.is_none(),
            span,
        ));
    } else if has("hypercorn") {
        match flag(&words, &["-b", "--bind"]) {
            Some(b) => {
                let (h, p) = split_bind(b);
                out.push(listener("hypercorn", h, p, false, span));
            }
            None => out.push(listener(
                "hypercorn",
                Some("127.0.0.1".into()),
                Some(8000),
                true,
                span,
            )),
        }
    } else if has("fastapi") && (has("dev") || has("run")) {
        let host = flag(&words, &["--host"]);
        let port = flag(&words, &["--port"])
            .and_then(|p| p.parse().ok())
            .or(Some(8000));
        // `fastapi dev` binds 127.0.0.1 by default, `fastapi run` 0.0.0.0.
        let default = if has("dev") { "127.0.0.1" } else { "0.0.0.0" };
        out.push(listener(
            "fastapi",
            Some(host.unwrap_or(default).into()),
            port,
            host.is_none(),
            span,
        ));
    } else if has("flask") && has("run") {
        let host = flag(&words, &["--host", "-h"]).or_else(|| env(c, "FLASK_RUN_HOST"));
        let port = flag(&words, &["--port", "-p"])
            .or_else(|| env(c, "FLASK_RUN_PORT"))
            .and_then(|p| p.parse().ok())
            .or(Some(5000));
        out.push(listener(
            "flask",
            Some(host.unwrap_or("127.0.0.1").into()),
            port,
            host.is_none(),
            span,
        ));
    } else if has("runserver") {
        let pos = words
            .iter()
            .position(|w| w == "runserver")
            .and_then(|i| words.get(i + 1))
            .filter(|w| !w.starts_with('-'));
        match pos {
            Some(addr) => {
                let (h, p) = split_bind(addr);
                out.push(listener(
                    "django",
                    Some(h.unwrap_or_else(|| "127.0.0.1".into())),
                    p.or(Some(8000)),
                    false,
                    span,
                ));
            }
            None => out.push(listener(
                "django",
                Some("127.0.0.1".into()),
                Some(8000),
                true,
                span,
            )),
        }
    } else if (has("rails") && (has("s") || has("server"))) || has("puma") {
        let server = if has("puma") { "puma" } else { "rails" };
        let bind = flag(&words, &["-b", "--binding"]).or_else(|| env(c, "BINDING"));
        let port = flag(&words, &["-p", "--port"])
            .or_else(|| env(c, "PORT"))
            .and_then(|p| p.parse().ok());
        let (host, p2) = bind.map(split_bind).unwrap_or((None, None));
        let default_host = if server == "rails" {
            "localhost"
        } else {
            "0.0.0.0"
        };
        out.push(listener(
            server,
            Some(host.unwrap_or_else(|| default_host.into())),
            port.or(p2)
                .or(Some(if server == "rails" { 3000 } else { 9292 })),
            bind.is_none(),
            span,
        ));
    } else if has("vite") {
        let host = flag(&words, &["--host"]);
        let port = flag(&words, &["--port"])
            .and_then(|p| p.parse().ok())
            .or(Some(5173));
        let bare_host =
            words.iter().any(|w| w == "--host") && host.is_none_or(|h| h.starts_with('-'));
        let bind = if bare_host {
            "0.0.0.0".to_string()
        } else {
            host.unwrap_or("localhost").to_string()
        };
        out.push(listener(
            "vite",
            Some(bind),
            port,
            host.is_none() && !bare_host,
            span,
        ));
    } else if has("webpack-dev-server") || (has("webpack") && has("serve")) {
        let host = flag(&words, &["--host"]);
        let port = flag(&words, &["--port"])
            .and_then(|p| p.parse().ok())
            .or(Some(8080));
        out.push(listener(
            "webpack-dev-server",
            Some(host.unwrap_or("localhost").into()),
            port,
            host.is_none(),
            span,
        ));
    } else if has("next") && (has("dev") || has("start")) {
        let host = flag(&words, &["-H", "--hostname"]);
        let port = flag(&words, &["-p", "--port"])
            .or_else(|| env(c, "PORT"))
            .and_then(|p| p.parse().ok())
            .or(Some(3000));
        out.push(listener(
            "next",
            host.map(str::to_string),
            port,
            false,
            span,
        ));
    }

    // Spring Boot
    let spring_port = flag(&words, &["--server.port"])
        .or_else(|| env(c, "SERVER_PORT"))
        .and_then(|p| p.parse().ok());
    let spring_addr = flag(&words, &["--server.address"]).or_else(|| env(c, "SERVER_ADDRESS"));
    if spring_port.is_some() || spring_addr.is_some() {
        out.push(listener(
            "spring-boot",
            spring_addr.map(str::to_string),
            spring_port.or(Some(8080)),
            spring_addr.is_none(),
            span,
        ));
    }

    // Generic conventions: `PORT`, `ADDRESS`/`HOST` as used by many servers, when no known
    // server said anything.
    if out.is_empty() {
        if let Some(p) = env(c, "PORT").and_then(|p| p.parse::<u16>().ok()) {
            let host = env(c, "ADDRESS")
                .or_else(|| env(c, "HOST"))
                .map(|h| split_bind(h).0.unwrap_or_else(|| h.to_string()));
            out.push(listener("env PORT", host, Some(p), false, span));
        } else if let Some(a) = env(c, "ADDRESS") {
            let (h, p) = split_bind(a);
            if p.is_some() {
                out.push(listener("env ADDRESS", h, p, false, span));
            }
        }
    }

    if out.is_empty() {
        if let Some(image) = &c.image {
            if let Some(p) = image_port(image) {
                out.push(listener(
                    image_name(image),
                    Some("0.0.0.0".into()),
                    Some(p),
                    true,
                    span,
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds() {
        assert_eq!(
            split_bind("0.0.0.0:8000"),
            (Some("0.0.0.0".into()), Some(8000))
        );
        assert_eq!(split_bind(":8000"), (None, Some(8000)));
        assert_eq!(split_bind("[::1]:8000"), (Some("::1".into()), Some(8000)));
        assert_eq!(split_bind("8000"), (None, Some(8000)));
        assert_eq!(split_bind("unix:/tmp/x.sock"), (None, None));
    }

    #[test]
    fn images() {
        assert_eq!(image_name("docker.io/library/nginx:1.27-alpine"), "nginx");
        assert_eq!(image_port("postgres:16"), Some(5432));
        assert_eq!(
            image_port("mcr.microsoft.com/mssql/server:2019-latest"),
            Some(1433)
        );
        assert!(is_nginx_image("openresty/openresty:alpine"));
        assert_eq!(image_port("example/app"), None);
    }
}
