//! The nginx view: one [`Proxy`] per main configuration (or per snippet no main
//! configuration includes), with includes spliced in where they are written, `upstream`
//! blocks, every `*_pass` target with the timeouts, retry settings and resolver in force
//! there (nginx inheritance: http > server > location), and `listen` ports.

use std::collections::BTreeMap;

use topolint_diagnostics::{FileId, TextRange};
use topolint_nginx::{Config, Directive};

use crate::ctx::Ctx;
use crate::duration::nginx_ms;
use crate::model::{Duration, PassTarget, Proxy, Spanned, Str, StrMap, Upstream, UpstreamServer};

pub const PASS_DIRECTIVES: &[&str] = &[
    "proxy_pass",
    "fastcgi_pass",
    "uwsgi_pass",
    "grpc_pass",
    "scgi_pass",
    "memcached_pass",
];

/// Settings inherited from outer blocks.
#[derive(Clone, Default)]
struct Scope {
    timeouts: StrMap<Duration>,
    retry: StrMap<Spanned<Str>>,
    resolver: Option<Spanned<Str>>,
    location: Option<String>,
    server_names: Vec<Str>,
}

fn is_timeout(name: &str) -> bool {
    name.ends_with("_timeout")
        && [
            "_connect_timeout",
            "_read_timeout",
            "_send_timeout",
            "_next_upstream_timeout",
        ]
        .iter()
        .any(|suffix| name.strip_suffix(suffix).is_some_and(is_pass_module))
}

fn is_retry(name: &str) -> bool {
    name.contains("_next_upstream")
        && ["_next_upstream", "_next_upstream_tries"]
            .iter()
            .any(|suffix| name.strip_suffix(suffix).is_some_and(is_pass_module))
}

/// `proxy`, `fastcgi`, ...: the module prefix of one of [`PASS_DIRECTIVES`].
fn is_pass_module(prefix: &str) -> bool {
    PASS_DIRECTIVES
        .iter()
        .any(|p| p.strip_suffix("_pass") == Some(prefix))
}

/// Where to find included files: (including file, directive range) -> included files.
pub type IncludeMap = BTreeMap<(FileId, TextRange), Vec<FileId>>;

pub fn include_map(ctx: &Ctx<'_>) -> IncludeMap {
    let mut map: IncludeMap = BTreeMap::new();
    for e in &ctx.ws.includes {
        map.entry((e.from, e.range)).or_default().push(e.to);
    }
    map
}

struct Builder<'a, 'c> {
    ctx: &'c Ctx<'a>,
    includes: &'c IncludeMap,
    proxy: Proxy,
    stack: Vec<FileId>,
}

/// Builds the proxy rooted at `root`, whose parsed config is `config` (a workspace file, or
/// an nginx configuration embedded in a ConfigMap with ranges already mapped to the file).
pub fn build(
    ctx: &Ctx<'_>,
    includes: &IncludeMap,
    id: String,
    root: FileId,
    config: &Config,
    template: bool,
) -> Proxy {
    let mut b = Builder {
        ctx,
        includes,
        proxy: Proxy {
            id: id.into(),
            root,
            files: vec![root],
            placement: None,
            template,
            upstreams: Vec::new(),
            targets: Vec::new(),
            listens: Vec::new(),
        },
        stack: vec![root],
    };
    b.walk(root, &config.directives, Scope::default(), 0);
    b.proxy.files.sort();
    b.proxy.files.dedup();
    crate::compact::Shrink::shrink(&mut b.proxy);
    b.proxy
}

impl Builder<'_, '_> {
    /// `scope`: what the enclosing blocks set, each walk given its own copy.
    fn walk(&mut self, file: FileId, directives: &[Directive], mut scope: Scope, depth: usize) {
        if depth > 200 {
            return;
        }
        // First pass: settings at this level apply to every directive of the block,
        // whatever their order (nginx merges configuration per block, not per line).
        self.collect_settings(file, directives, &mut scope, depth);
        for d in directives {
            let name = d.name.as_str();
            if name == "include" {
                let targets = self
                    .includes
                    .get(&(file, d.range))
                    .cloned()
                    .unwrap_or_default();
                for t in targets {
                    if self.stack.contains(&t) || self.stack.len() > 64 {
                        continue;
                    }
                    let Some(config) = self.ctx.ws.file(t).nginx() else {
                        continue;
                    };
                    self.proxy.files.push(t);
                    self.stack.push(t);
                    // Included directives belong to this block: settings included at this
                    // level were collected above.
                    self.walk_included(t, &config.directives, &scope, depth + 1);
                    self.stack.pop();
                }
                continue;
            }
            if PASS_DIRECTIVES.contains(&name) {
                if let Some(arg) = d.args.first() {
                    self.proxy
                        .targets
                        .push(self.pass_target(file, d, &arg.value, arg.range, &scope));
                }
                continue;
            }
            if name == "listen" {
                if let Some(arg) = d.args.first() {
                    self.proxy.listens.push(Spanned {
                        value: arg.value.as_str().into(),
                        span: self.ctx.span(file, arg.range),
                    });
                }
                continue;
            }
            if name == "upstream" {
                self.upstream(file, d);
                continue;
            }
            let Some(block) = &d.block else { continue };
            if block.raw.is_some() || topolint_nginx::directives::has_opaque_block(name) {
                continue;
            }
            let mut inner = scope.clone();
            match name {
                "location" => {
                    inner.location = Some(
                        d.args
                            .iter()
                            .map(|a| a.value.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                    )
                }
                "server" => {
                    inner.server_names = Vec::new();
                    inner.location = None;
                    for c in &block.children {
                        if c.name == "server_name" {
                            inner
                                .server_names
                                .extend(c.args.iter().map(|a| Str::from(a.value.as_str())));
                        }
                    }
                }
                _ => {}
            }
            self.walk(file, &block.children, inner, depth + 1);
        }
    }

    /// An included file's directives, in the including block's scope (`walk` collects
    /// the file's own settings into its copy again: the same values, a map keyed by name).
    fn walk_included(
        &mut self,
        file: FileId,
        directives: &[Directive],
        scope: &Scope,
        depth: usize,
    ) {
        self.walk(file, directives, scope.clone(), depth);
    }

    fn collect_settings(
        &mut self,
        file: FileId,
        directives: &[Directive],
        scope: &mut Scope,
        depth: usize,
    ) {
        for d in directives {
            let name = d.name.as_str();
            if is_timeout(name) {
                if let Some(a) = d.args.first() {
                    scope.timeouts.insert(
                        name.into(),
                        Duration {
                            raw: a.value.as_str().into(),
                            ms: nginx_ms(&a.value),
                            span: self.ctx.span(file, d.range),
                        },
                    );
                }
            } else if is_retry(name) {
                let value = d
                    .args
                    .iter()
                    .map(|a| a.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                scope.retry.insert(
                    name.into(),
                    Spanned {
                        value: value.into(),
                        span: self.ctx.span(file, d.range),
                    },
                );
            } else if name == "resolver" {
                let value = d
                    .args
                    .iter()
                    .map(|a| a.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                scope.resolver = Some(Spanned {
                    value: value.into(),
                    span: self.ctx.span(file, d.range),
                });
            } else if name == "include" && depth < 64 {
                // settings written in an included file at this level count here too
                let targets = self
                    .includes
                    .get(&(file, d.range))
                    .cloned()
                    .unwrap_or_default();
                for t in targets {
                    if self.stack.contains(&t) {
                        continue;
                    }
                    if let Some(config) = self.ctx.ws.file(t).nginx() {
                        self.stack.push(t);
                        self.collect_settings(t, &config.directives, scope, depth + 1);
                        self.stack.pop();
                    }
                }
            }
        }
    }

    fn upstream(&mut self, file: FileId, d: &Directive) {
        let Some(name) = d.args.first() else { return };
        let mut servers = Vec::new();
        for c in d.children() {
            if c.name != "server" {
                continue;
            }
            let Some(addr) = c.args.first() else { continue };
            let params: Vec<Str> = c.args[1..]
                .iter()
                .map(|a| Str::from(a.value.as_str()))
                .collect();
            servers.push(UpstreamServer {
                address: addr.value.as_str().into(),
                backup: params.iter().any(|p| p == "backup"),
                resolve: params.iter().any(|p| p == "resolve"),
                params,
                span: self.ctx.span(file, addr.range),
            });
        }
        self.proxy.upstreams.push(Upstream {
            name: name.value.as_str().into(),
            servers,
            span: self.ctx.span(file, name.range),
        });
    }

    fn pass_target(
        &self,
        file: FileId,
        d: &Directive,
        raw: &str,
        range: TextRange,
        scope: &Scope,
    ) -> PassTarget {
        let prefix = d.name.trim_end_matches("_pass");
        let timeouts = scope
            .timeouts
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let retry = scope
            .retry
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        PassTarget {
            directive: d.name.as_str().into(),
            raw: raw.into(),
            substituted: None,
            location: scope.location.clone().map(Str::from),
            server_names: scope.server_names.clone(),
            variables: variables(raw),
            upstream: None,
            timeouts,
            retry,
            resolver: scope.resolver.clone(),
            span: self.ctx.span(file, range),
        }
    }
}

/// nginx variables in a text: `$name`, `${name}`.
pub fn variables(text: &str) -> Vec<Str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let (start, braced) = if bytes.get(i + 1) == Some(&b'{') {
                (i + 2, true)
            } else {
                (i + 1, false)
            };
            let len = bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            if len > 0 {
                out.push(text[start..start + len].into());
            }
            i = start + len + usize::from(braced && bytes.get(start + len) == Some(&b'}'));
        } else {
            i += 1;
        }
    }
    out
}

/// Replaces `$VAR` / `${VAR}` by values from `env` (envsubst semantics: only the given
/// variables are replaced). Returns `None` if nothing was replaced.
pub fn substitute(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let (start, braced) = if bytes.get(i + 1) == Some(&b'{') {
                (i + 2, true)
            } else {
                (i + 1, false)
            };
            let len = bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            let close = braced && bytes.get(start + len) == Some(&b'}');
            if len > 0 && (!braced || close) {
                if let Some(v) = env(&text[start..start + len]) {
                    out.push_str(&v);
                    replaced = true;
                    i = start + len + usize::from(close);
                    continue;
                }
            }
        }
        let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + ch_len]);
        i += ch_len;
    }
    replaced.then_some(out)
}

/// A parsed `*_pass` argument: scheme, host, port, and whether the host is a unix socket.
#[derive(Debug, PartialEq, Eq)]
pub struct PassUrl {
    pub scheme: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    pub unix: bool,
}

/// Splits `http://host:port/uri`, `grpc://host:port`, `host:port`, `unix:/path`.
pub fn parse_pass(directive: &str, text: &str) -> Option<PassUrl> {
    let (scheme, rest) = match text.split_once("://") {
        Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
        None => (None, text),
    };
    if rest.starts_with("unix:") {
        return Some(PassUrl {
            scheme,
            host: rest.to_string(),
            port: None,
            unix: true,
        });
    }
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let (host, port) = if let Some(r) = authority.strip_prefix('[') {
        let (h, p) = r.split_once(']')?;
        (
            h.to_string(),
            p.strip_prefix(':').and_then(|p| p.parse().ok()),
        )
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let default_port = match (directive, scheme.as_deref()) {
        (_, Some("https")) | (_, Some("grpcs")) => Some(443),
        ("proxy_pass", _) | (_, Some("http")) => Some(80),
        _ => None,
    };
    let explicit = authority.contains(':') && port.is_some();
    Some(PassUrl {
        scheme,
        host,
        port: if explicit {
            port
        } else {
            port.or(default_port)
        },
        unix: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_urls() {
        assert_eq!(
            parse_pass("proxy_pass", "http://api:8080/v1/"),
            Some(PassUrl {
                scheme: Some("http".into()),
                host: "api".into(),
                port: Some(8080),
                unix: false
            })
        );
        assert_eq!(
            parse_pass("proxy_pass", "http://backend").unwrap().port,
            Some(80)
        );
        assert_eq!(
            parse_pass("proxy_pass", "https://backend").unwrap().port,
            Some(443)
        );
        assert_eq!(
            parse_pass("fastcgi_pass", "php:9000").unwrap().port,
            Some(9000)
        );
        assert_eq!(parse_pass("fastcgi_pass", "php").unwrap().port, None);
        assert!(
            parse_pass("proxy_pass", "http://unix:/tmp/x.sock:/")
                .unwrap()
                .unix
        );
        assert_eq!(
            parse_pass("proxy_pass", "http://[::1]:3000").unwrap().host,
            "::1"
        );
    }

    #[test]
    fn envsubst() {
        let env = |k: &str| (k == "ADDR").then(|| "flask-app:8000".to_string());
        assert_eq!(
            substitute("http://$ADDR", &env).as_deref(),
            Some("http://flask-app:8000")
        );
        assert_eq!(
            substitute("http://${ADDR}/x", &env).as_deref(),
            Some("http://flask-app:8000/x")
        );
        assert_eq!(substitute("http://$host", &env), None);
        assert_eq!(variables("http://$up${x}/$1"), vec!["up", "x", "1"]);
    }
}
