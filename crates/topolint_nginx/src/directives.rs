//! The nginx directive table and two pure checks built on it: "is this an
//! unknown directive that is really a typo of a known one?" and "does this
//! directive have a number of arguments nginx accepts?". These are the two
//! things `nginx -t` rejects that need no knowledge of the running system.
//!
//! # What the table covers
//!
//! [`DIRECTIVES`] lists every directive of the nginx open-source distribution
//! (core, events, http, mail and stream modules, including the optional ones
//! such as geoip, image_filter, perl, xslt, http2/http3/quic), the nginx Plus
//! (commercial) directives listed in nginx.org's "Alphabetical index of
//! directives", njs (`js_*`, which ships with nginx and the official Docker
//! images), the official OpenTelemetry (`otel_*`) and ACME modules, and a few
//! names that older nginx releases accepted (`ssl`, `spdy_*`, `limit_zone`,
//! ...). A name that occurs in several modules (`listen` in http, mail and
//! stream; `server` in http, upstream, mail and stream; ...) has one entry whose
//! arity is the union of all of them: the most permissive reading wins.
//!
//! # Where the facts come from
//!
//! Directive names and argument counts are facts taken from nginx's
//! documentation (the alphabetical index of directives and the module pages on
//! nginx.org) and from the argument-count flags nginx modules declare
//! (`NGX_CONF_NOARGS`, `NGX_CONF_TAKE12`, `NGX_CONF_1MORE`, `NGX_CONF_FLAG`,
//! ...), cross-checked against the source-derived directive tables of
//! nginxinc/nginx-go-crossplane. The table is written in our own form: one
//! [`Args`] value per name, already reduced to the union over contexts.
//!
//! # Uncertain arities
//!
//! A false "invalid number of arguments" on a valid configuration is a serious
//! bug, so when an arity is not certain the entry uses [`Args::Any`], which is
//! never reported. That covers legacy and undocumented names, names that popular
//! third-party modules reuse with another syntax (`sticky`, `ntlm`), and generic
//! names that only live inside a sub-block (`header`, `uri`, `status`, ...).
//! Where nginx accepts a non-contiguous set (`NGX_CONF_TAKE13` is 1 or 3) the
//! entry widens it to the covering range.
//!
//! # Unknown names
//!
//! nginx is extended by third-party modules whose directives this table does
//! not know, and reporting one of them as unknown would be a false positive. So
//! an unknown name is only worth reporting when [`suggest`] finds the known
//! directive it misspells (see its documentation for the exact rule); all other
//! unknown names must be left alone.
//!
//! # Caller's side of the contract
//!
//! These functions see a directive name and an argument count, not the
//! configuration tree. Callers must only apply them to directives whose
//! enclosing blocks are all nginx contexts from this table: the contents of an
//! unknown block (`rtmp { ... }` of the RTMP module, whose `allow publish all;`
//! has its own syntax) and of blocks whose contents are entries rather than
//! directives (see [`has_opaque_block`]: `types`, `map`, `geo`, ...) are not
//! nginx directives and must not be checked.

use std::fmt;

/// One directive: its name, how many arguments it takes (the union over every
/// module and context that defines it), and whether it takes a `{ ... }` block
/// in at least one of its forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectiveSpec {
    pub name: &'static str,
    pub args: Args,
    pub block: bool,
}

/// How many arguments a directive accepts (not counting the block).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Args {
    /// No arguments (`NGX_CONF_NOARGS`).
    None,
    /// Exactly this many (`NGX_CONF_TAKE1`, `NGX_CONF_TAKE2`, ...).
    Exactly(u8),
    /// Between the two bounds, inclusive (`NGX_CONF_TAKE12`, `NGX_CONF_TAKE123`, ...).
    Range(u8, u8),
    /// At least this many (`NGX_CONF_1MORE`, `NGX_CONF_2MORE`).
    AtLeast(u8),
    /// A single `on` or `off` (`NGX_CONF_FLAG`): exactly one argument.
    Flag,
    /// Not checked: the arity is unknown or too loose to be worth checking.
    Any,
}

impl Args {
    /// Whether a directive with this arity accepts `n` arguments.
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Args::None => n == 0,
            Args::Exactly(k) => n == usize::from(k),
            Args::Range(lo, hi) => usize::from(lo) <= n && n <= usize::from(hi),
            Args::AtLeast(k) => n >= usize::from(k),
            Args::Flag => n == 1,
            Args::Any => true,
        }
    }
}

/// How many arguments, in words: "no arguments", "1 or 2", "at least 1", ...
impl fmt::Display for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Args::None => f.write_str("no arguments"),
            Args::Exactly(k) => write!(f, "exactly {k}"),
            Args::Range(lo, hi) if hi == lo.saturating_add(1) => write!(f, "{lo} or {hi}"),
            Args::Range(lo, hi) => write!(f, "{lo} to {hi}"),
            Args::AtLeast(k) => write!(f, "at least {k}"),
            Args::Flag => f.write_str("exactly 1 (`on` or `off`)"),
            Args::Any => f.write_str("any number of arguments"),
        }
    }
}

/// The spec of a known directive, or `None` for a name nginx (as far as this
/// table knows) does not define.
pub fn lookup(name: &str) -> Option<&'static DirectiveSpec> {
    // A hash lookup: this runs for every directive of every file (a binary search over
    // the ~840 names was a visible share of parsing).
    static INDEX: std::sync::LazyLock<rustc_hash::FxHashMap<&'static str, &'static DirectiveSpec>> =
        std::sync::LazyLock::new(|| DIRECTIVES.iter().map(|spec| (spec.name, spec)).collect());
    INDEX.get(name).copied()
}

/// Whether `name` is a directive of nginx, nginx Plus, njs or the other
/// modules this table covers.
pub fn is_known(name: &str) -> bool {
    lookup(name).is_some()
}

/// Whether the directive takes a `{ ... }` block: `Some(true)` for `http`,
/// `events`, `server`, `location`, `upstream`, `map`, `if`, `types`, `geo`,
/// `split_clients`, `limit_except`, `stream`, `mail`, `match`, ... and for the
/// third-party `*_by_lua_block` directives; `Some(false)` for other known
/// directives; `None` for unknown names.
///
/// `server` is `Some(true)`: it is a block in `http`, `mail` and `stream`, and
/// a simple directive (`server address [parameters];`) only inside `upstream`.
pub fn is_block_directive(name: &str) -> Option<bool> {
    match lookup(name) {
        Some(spec) => Some(spec.block),
        None if name.ends_with("_by_lua_block") => Some(true),
        None => None,
    }
}

/// Whether the block of this directive holds entries rather than directives:
/// `type extension ...;` pairs in `types`, `value result;` pairs in `map`,
/// `geo`, `split_clients` and `charset_map`, conditions in `match`, Lua code in
/// `*_by_lua_block`. Names inside such a block must not be looked up, reported
/// as unknown or arity-checked.
pub fn has_opaque_block(name: &str) -> bool {
    matches!(
        name,
        "types" | "map" | "geo" | "split_clients" | "charset_map" | "match" | "num_map"
    ) || name.ends_with("_by_lua_block")
}

/// Prefixes of third-party module families (and of njs, whose directive set
/// grows with every release): an unknown name with one of these prefixes is a
/// directive this table does not know, not a typo.
const THIRD_PARTY_PREFIXES: &[&str] = &[
    "access_by_",
    "app_protect_",
    "array_",
    "auth_gss",
    "auth_ldap",
    "auth_pam",
    "auth_spnego",
    "aws_",
    "balancer_by_",
    "body_filter_",
    "brotli",
    "check_",
    "concat",
    "content_by_",
    "datadog_",
    "dav_ext_",
    "drizzle_",
    "echo",
    "encrypted_session_",
    "fancyindex",
    "form_",
    "geoip2",
    "header_filter_",
    "headers_more",
    "healthcheck",
    "iconv",
    "init_",
    "js_",
    "ldap_",
    "log_by_",
    "memc_",
    "modsecurity",
    "more_",
    "naxsi",
    "nchan_",
    "njs_",
    "opentelemetry",
    "opentracing",
    "pagespeed",
    "passenger_",
    "postgres_",
    "proxy_connect",
    "proxy_wasm",
    "push_stream_",
    "rds_",
    "redis",
    "replace_filter",
    "rewrite_by_",
    "rtmp",
    "set_by_",
    "srcache_",
    "ssl_ct",
    "stream_server_traffic_status",
    "sticky_",
    "subs_filter",
    "testcookie",
    "upload_",
    "upsync",
    "vhost_traffic_status",
    "vod_",
    "vts_",
    "wasm",
    "xss_",
    "zstd",
];

/// Whether an unknown name plausibly belongs to a third-party module.
fn is_plausibly_third_party(name: &str) -> bool {
    name.contains("lua")
        || name.contains("_by_")
        || THIRD_PARTY_PREFIXES
            .iter()
            .any(|prefix| name.starts_with(prefix))
}

/// Names shorter than this are never matched: one edit away from a three-letter
/// name is too large a share of all short words to call anything a typo.
const MIN_SUGGEST_LEN: usize = 4;

/// Names at least this long (both the unknown one and the candidate) may be two
/// edits away from the directive they misspell; shorter ones only one.
const LONG_NAME_LEN: usize = 12;

/// For an unknown name, the known directive it most likely misspells, or
/// `None` when it is not a near miss (and must then not be reported at all).
///
/// A suggestion needs all of:
/// * `name` is not a known directive, and consists of `a-z`, `0-9` and `_`;
/// * `name` does not look like a third-party directive: no `lua`, no `_by_`
///   (`content_by_lua_block`, `set_by_lua`, ...), and none of the prefixes of
///   known third-party families (`more_`, `lua_`, `passenger_`, `brotli`,
///   `geoip2`, `subs_filter`, `vhost_traffic_status`, ...) or of njs (`js_`);
/// * the candidate starts with the same character as `name`, and both are at
///   least 4 characters long;
/// * the Damerau-Levenshtein distance (optimal string alignment: insertions,
///   deletions, substitutions and adjacent transpositions) is 1, or 2 when both
///   names are at least 12 characters long.
///
/// Among several candidates the closest wins, then the first in the table.
pub fn suggest(name: &str) -> Option<&'static str> {
    let bytes = name.as_bytes();
    let first = *bytes.first()?;
    if bytes.len() < MIN_SUGGEST_LEN
        || !bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
        || is_known(name)
        || is_plausibly_third_party(name)
    {
        return None;
    }
    let mut best: Option<(usize, &'static str)> = None;
    for spec in DIRECTIVES {
        let candidate = spec.name.as_bytes();
        if candidate.first() != Some(&first) || candidate.len() < MIN_SUGGEST_LEN {
            continue;
        }
        let max = if bytes.len() >= LONG_NAME_LEN && candidate.len() >= LONG_NAME_LEN {
            2
        } else {
            1
        };
        if bytes.len().abs_diff(candidate.len()) > max {
            continue;
        }
        let distance = edit_distance(bytes, candidate);
        if distance <= max && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, spec.name));
        }
    }
    best.map(|(_, name)| name)
}

/// Optimal string alignment distance: the Damerau-Levenshtein distance in
/// which each substring is edited at most once.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            let mut d = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i - 1] == cb && ca == b[j - 1] {
                d = d.min(before[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Arity check for a known directive: `None` when `nargs` arguments are valid
/// for `name` (or when `name` is unknown, or its arity is [`Args::Any`]),
/// otherwise the message, in nginx's own words plus what was expected, e.g.
/// "invalid number of arguments in `user` directive: it takes 1 or 2, found 0".
///
/// `has_block` tells the two forms of `server` apart: followed by a block (in
/// `http`, `mail`, `stream`) it takes no arguments; without one (in
/// `upstream`) it takes an address and parameters, at least one argument.
pub fn check_args(name: &str, nargs: usize, has_block: bool) -> Option<String> {
    let spec = lookup(name)?;
    let (args, form) = match (spec.name, has_block) {
        ("server", true) => (Args::None, " with a block"),
        ("server", false) => (Args::AtLeast(1), " without a block"),
        (_, _) => (spec.args, ""),
    };
    if args.accepts(nargs) {
        return None;
    }
    Some(format!(
        "invalid number of arguments in `{name}` directive: it takes {args}{form}, found {nargs}"
    ))
}

/// A directive that never takes a block.
const fn d(name: &'static str, args: Args) -> DirectiveSpec {
    DirectiveSpec {
        name,
        args,
        block: false,
    }
}

/// A directive that takes a block (in at least one of its forms).
const fn b(name: &'static str, args: Args) -> DirectiveSpec {
    DirectiveSpec {
        name,
        args,
        block: true,
    }
}

/// Every known directive, sorted by name (byte order, so that a missing or
/// doubled entry is easy to see in review); the tests check the order.
pub static DIRECTIVES: &[DirectiveSpec] = &[
    d("absolute_redirect", Args::Flag),
    d("accept_mutex", Args::Flag),
    d("accept_mutex_delay", Args::Exactly(1)),
    d("accept_terms_of_service", Args::None),
    d("acceptex_read", Args::Any),
    d("access_log", Args::AtLeast(1)),
    d("account_key", Args::Exactly(1)),
    d("acme_certificate", Args::AtLeast(1)),
    b("acme_issuer", Args::Exactly(1)),
    d("acme_shared_zone", Args::Exactly(1)),
    d("add_after_body", Args::Exactly(1)),
    d("add_before_body", Args::Exactly(1)),
    d("add_header", Args::Range(2, 3)),
    d("add_header_inherit", Args::Exactly(1)),
    d("add_trailer", Args::Range(2, 3)),
    d("add_trailer_inherit", Args::Exactly(1)),
    d("addition_types", Args::AtLeast(1)),
    d("aio", Args::Exactly(1)),
    d("aio_write", Args::Flag),
    d("alias", Args::Exactly(1)),
    d("allow", Args::Exactly(1)),
    d("ancient_browser", Args::AtLeast(1)),
    d("ancient_browser_value", Args::Exactly(1)),
    d("api", Args::Range(0, 1)),
    d("auth_basic", Args::Exactly(1)),
    d("auth_basic_user_file", Args::Exactly(1)),
    d("auth_delay", Args::Exactly(1)),
    d("auth_http", Args::Exactly(1)),
    d("auth_http_header", Args::Exactly(2)),
    d("auth_http_pass_client_cert", Args::Flag),
    d("auth_http_timeout", Args::Exactly(1)),
    d("auth_jwt", Args::Range(1, 2)),
    d("auth_jwt_claim_set", Args::AtLeast(2)),
    d("auth_jwt_header_set", Args::AtLeast(2)),
    d("auth_jwt_key_cache", Args::Exactly(1)),
    d("auth_jwt_key_file", Args::Any),
    d("auth_jwt_key_request", Args::Any),
    d("auth_jwt_leeway", Args::Exactly(1)),
    d("auth_jwt_require", Args::AtLeast(1)),
    d("auth_jwt_type", Args::Exactly(1)),
    d("auth_oidc", Args::Exactly(1)),
    d("auth_request", Args::Exactly(1)),
    d("auth_request_set", Args::Exactly(2)),
    d("auth_require", Args::AtLeast(1)),
    d("autoindex", Args::Flag),
    d("autoindex_exact_size", Args::Flag),
    d("autoindex_format", Args::Exactly(1)),
    d("autoindex_localtime", Args::Flag),
    d("batch_count", Args::Any),
    d("batch_size", Args::Any),
    d("break", Args::None),
    d("challenge", Args::Any),
    d("charset", Args::Exactly(1)),
    b("charset_map", Args::Exactly(2)),
    d("charset_types", Args::AtLeast(1)),
    d("chunked_transfer_encoding", Args::Flag),
    d("client_body_buffer_size", Args::Exactly(1)),
    d("client_body_in_file_only", Args::Exactly(1)),
    d("client_body_in_single_buffer", Args::Flag),
    d("client_body_temp_path", Args::Range(1, 4)),
    d("client_body_timeout", Args::Exactly(1)),
    d("client_header_buffer_size", Args::Exactly(1)),
    d("client_header_timeout", Args::Exactly(1)),
    d("client_id", Args::Exactly(1)),
    d("client_max_body_size", Args::Exactly(1)),
    d("client_secret", Args::Exactly(1)),
    d("config_url", Args::Exactly(1)),
    d("connect_timeout", Args::Exactly(1)),
    d("connection_pool_size", Args::Exactly(1)),
    d("connections", Args::Any),
    d("contact", Args::Any),
    d("cookie_name", Args::Exactly(1)),
    d("create_full_put_path", Args::Flag),
    d("daemon", Args::Flag),
    d("dav_access", Args::Range(1, 3)),
    d("dav_methods", Args::AtLeast(1)),
    d("debug_connection", Args::Exactly(1)),
    d("debug_points", Args::Exactly(1)),
    d("default_type", Args::Exactly(1)),
    d("degradation", Args::Any),
    d("degrade", Args::Any),
    d("deny", Args::Exactly(1)),
    d("devpoll_changes", Args::Any),
    d("devpoll_events", Args::Any),
    d("directio", Args::Exactly(1)),
    d("directio_alignment", Args::Exactly(1)),
    d("disable_symlinks", Args::Range(1, 2)),
    d("early_hints", Args::AtLeast(1)),
    d("empty_gif", Args::None),
    d("endpoint", Args::Any),
    d("enforce_initial_report", Args::Flag),
    d("env", Args::Exactly(1)),
    d("epoll_events", Args::Any),
    d("error_log", Args::AtLeast(1)),
    d("error_log_tag", Args::Exactly(2)),
    d("error_page", Args::AtLeast(2)),
    d("etag", Args::Flag),
    d("eventport_events", Args::Any),
    b("events", Args::None),
    d("expires", Args::Range(1, 2)),
    d("external_account_key", Args::Exactly(2)),
    d("extra_auth_args", Args::Exactly(1)),
    d("f4f", Args::None),
    d("f4f_buffer_size", Args::Exactly(1)),
    d("fastcgi_allow_upstream", Args::AtLeast(1)),
    d("fastcgi_bind", Args::Range(1, 2)),
    d("fastcgi_bind_dynamic", Args::Flag),
    d("fastcgi_buffer_size", Args::Exactly(1)),
    d("fastcgi_buffering", Args::Flag),
    d("fastcgi_buffers", Args::Exactly(2)),
    d("fastcgi_busy_buffers_size", Args::Exactly(1)),
    d("fastcgi_cache", Args::Exactly(1)),
    d("fastcgi_cache_background_update", Args::Flag),
    d("fastcgi_cache_bypass", Args::AtLeast(1)),
    d("fastcgi_cache_key", Args::Exactly(1)),
    d("fastcgi_cache_lock", Args::Flag),
    d("fastcgi_cache_lock_age", Args::Exactly(1)),
    d("fastcgi_cache_lock_timeout", Args::Exactly(1)),
    d("fastcgi_cache_max_range_offset", Args::Exactly(1)),
    d("fastcgi_cache_methods", Args::AtLeast(1)),
    d("fastcgi_cache_min_uses", Args::Exactly(1)),
    d("fastcgi_cache_path", Args::AtLeast(2)),
    d("fastcgi_cache_purge", Args::AtLeast(1)),
    d("fastcgi_cache_revalidate", Args::Flag),
    d("fastcgi_cache_use_stale", Args::AtLeast(1)),
    d("fastcgi_cache_valid", Args::AtLeast(1)),
    d("fastcgi_catch_stderr", Args::Exactly(1)),
    d("fastcgi_connect_timeout", Args::Exactly(1)),
    d("fastcgi_force_ranges", Args::Flag),
    d("fastcgi_hide_header", Args::Exactly(1)),
    d("fastcgi_ignore_client_abort", Args::Flag),
    d("fastcgi_ignore_headers", Args::AtLeast(1)),
    d("fastcgi_index", Args::Exactly(1)),
    d("fastcgi_intercept_errors", Args::Flag),
    d("fastcgi_keep_conn", Args::Flag),
    d("fastcgi_limit_rate", Args::Exactly(1)),
    d("fastcgi_max_temp_file_size", Args::Exactly(1)),
    d("fastcgi_next_upstream", Args::AtLeast(1)),
    d("fastcgi_next_upstream_timeout", Args::Exactly(1)),
    d("fastcgi_next_upstream_tries", Args::Exactly(1)),
    d("fastcgi_no_cache", Args::AtLeast(1)),
    d("fastcgi_param", Args::Range(2, 3)),
    d("fastcgi_pass", Args::Exactly(1)),
    d("fastcgi_pass_header", Args::Exactly(1)),
    d("fastcgi_pass_request_body", Args::Flag),
    d("fastcgi_pass_request_headers", Args::Flag),
    d("fastcgi_read_timeout", Args::Exactly(1)),
    d("fastcgi_request_buffering", Args::Flag),
    d("fastcgi_request_dynamic", Args::Flag),
    d("fastcgi_send_lowat", Args::Exactly(1)),
    d("fastcgi_send_timeout", Args::Exactly(1)),
    d("fastcgi_socket_keepalive", Args::Flag),
    d("fastcgi_split_path_info", Args::Exactly(1)),
    d("fastcgi_store", Args::Exactly(1)),
    d("fastcgi_store_access", Args::Range(1, 3)),
    d("fastcgi_temp_file_write_size", Args::Exactly(1)),
    d("fastcgi_temp_path", Args::Range(1, 4)),
    d("flv", Args::None),
    d("frontchannel_logout_uri", Args::Exactly(1)),
    b("geo", Args::Range(1, 2)),
    d("geoip_city", Args::Range(1, 2)),
    d("geoip_country", Args::Range(1, 2)),
    d("geoip_org", Args::Range(1, 2)),
    d("geoip_proxy", Args::Exactly(1)),
    d("geoip_proxy_recursive", Args::Flag),
    d("google_perftools_profiles", Args::Exactly(1)),
    d("grpc_allow_upstream", Args::AtLeast(1)),
    d("grpc_bind", Args::Range(1, 2)),
    d("grpc_bind_dynamic", Args::Flag),
    d("grpc_buffer_size", Args::Exactly(1)),
    d("grpc_connect_timeout", Args::Exactly(1)),
    d("grpc_hide_header", Args::Exactly(1)),
    d("grpc_ignore_headers", Args::AtLeast(1)),
    d("grpc_intercept_errors", Args::Flag),
    d("grpc_next_upstream", Args::AtLeast(1)),
    d("grpc_next_upstream_timeout", Args::Exactly(1)),
    d("grpc_next_upstream_tries", Args::Exactly(1)),
    d("grpc_pass", Args::Exactly(1)),
    d("grpc_pass_header", Args::Exactly(1)),
    d("grpc_read_timeout", Args::Exactly(1)),
    d("grpc_request_dynamic", Args::Flag),
    d("grpc_send_timeout", Args::Exactly(1)),
    d("grpc_set_header", Args::Exactly(2)),
    d("grpc_socket_keepalive", Args::Flag),
    d("grpc_ssl_certificate", Args::Exactly(1)),
    d("grpc_ssl_certificate_cache", Args::Range(1, 3)),
    d("grpc_ssl_certificate_key", Args::Exactly(1)),
    d("grpc_ssl_ciphers", Args::Exactly(1)),
    d("grpc_ssl_conf_command", Args::Exactly(2)),
    d("grpc_ssl_crl", Args::Exactly(1)),
    d("grpc_ssl_key_log", Args::Exactly(1)),
    d("grpc_ssl_name", Args::Exactly(1)),
    d("grpc_ssl_password_file", Args::Exactly(1)),
    d("grpc_ssl_protocols", Args::AtLeast(1)),
    d("grpc_ssl_server_name", Args::Flag),
    d("grpc_ssl_session_reuse", Args::Flag),
    d("grpc_ssl_trusted_certificate", Args::Exactly(1)),
    d("grpc_ssl_verify", Args::Flag),
    d("grpc_ssl_verify_depth", Args::Exactly(1)),
    d("gunzip", Args::Flag),
    d("gunzip_buffers", Args::Exactly(2)),
    d("gzip", Args::Flag),
    d("gzip_buffers", Args::Exactly(2)),
    d("gzip_comp_level", Args::Exactly(1)),
    d("gzip_disable", Args::AtLeast(1)),
    d("gzip_hash", Args::Any),
    d("gzip_http_version", Args::Exactly(1)),
    d("gzip_min_length", Args::Exactly(1)),
    d("gzip_no_buffer", Args::Any),
    d("gzip_proxied", Args::AtLeast(1)),
    d("gzip_static", Args::Exactly(1)),
    d("gzip_types", Args::AtLeast(1)),
    d("gzip_vary", Args::Flag),
    d("gzip_window", Args::Any),
    d("hash", Args::Range(1, 2)),
    d("header", Args::Any),
    d("health_check", Args::Any),
    d("health_check_timeout", Args::Exactly(1)),
    d("hls", Args::None),
    d("hls_buffers", Args::Exactly(2)),
    d("hls_forward_args", Args::Flag),
    d("hls_fragment", Args::Exactly(1)),
    d("hls_mp4_buffer_size", Args::Exactly(1)),
    d("hls_mp4_max_buffer_size", Args::Exactly(1)),
    b("http", Args::None),
    d("http2", Args::Flag),
    d("http2_body_preread_size", Args::Exactly(1)),
    d("http2_chunk_size", Args::Exactly(1)),
    d("http2_idle_timeout", Args::Exactly(1)),
    d("http2_max_concurrent_pushes", Args::Exactly(1)),
    d("http2_max_concurrent_streams", Args::Exactly(1)),
    d("http2_max_field_size", Args::Exactly(1)),
    d("http2_max_header_size", Args::Exactly(1)),
    d("http2_max_requests", Args::Exactly(1)),
    d("http2_push", Args::Exactly(1)),
    d("http2_push_preload", Args::Flag),
    d("http2_recv_buffer_size", Args::Exactly(1)),
    d("http2_recv_timeout", Args::Exactly(1)),
    d("http3", Args::Flag),
    d("http3_hq", Args::Flag),
    d("http3_max_concurrent_streams", Args::Exactly(1)),
    d("http3_stream_buffer_size", Args::Exactly(1)),
    b("if", Args::AtLeast(1)),
    d("if_modified_since", Args::Exactly(1)),
    d("ignore_invalid_headers", Args::Flag),
    d("image_filter", Args::Range(1, 3)),
    d("image_filter_buffer", Args::Exactly(1)),
    d("image_filter_interlace", Args::Flag),
    d("image_filter_jpeg_quality", Args::Exactly(1)),
    d("image_filter_sharpen", Args::Exactly(1)),
    d("image_filter_transparency", Args::Flag),
    d("image_filter_webp_quality", Args::Exactly(1)),
    d("imap_auth", Args::AtLeast(1)),
    d("imap_capabilities", Args::AtLeast(1)),
    d("imap_client_buffer", Args::Exactly(1)),
    d("include", Args::Exactly(1)),
    d("index", Args::AtLeast(1)),
    d("internal", Args::None),
    d("internal_redirect", Args::Exactly(1)),
    d("interval", Args::Any),
    d("iocp_threads", Args::Any),
    d("ip_hash", Args::None),
    d("issuer", Args::Exactly(1)),
    d("js_access", Args::Exactly(1)),
    d("js_body_filter", Args::Range(1, 2)),
    d("js_content", Args::Exactly(1)),
    d("js_context_reuse", Args::Exactly(1)),
    d("js_context_reuse_max_size", Args::Exactly(1)),
    d("js_engine", Args::AtLeast(1)),
    d("js_fetch_buffer_size", Args::Exactly(1)),
    d("js_fetch_ciphers", Args::Exactly(1)),
    d("js_fetch_keepalive", Args::Exactly(1)),
    d("js_fetch_keepalive_requests", Args::Exactly(1)),
    d("js_fetch_keepalive_time", Args::Exactly(1)),
    d("js_fetch_keepalive_timeout", Args::Exactly(1)),
    d("js_fetch_max_response_buffer_size", Args::Exactly(1)),
    d("js_fetch_protocols", Args::AtLeast(1)),
    d("js_fetch_proxy", Args::Exactly(1)),
    d("js_fetch_timeout", Args::Exactly(1)),
    d("js_fetch_trusted_certificate", Args::Exactly(1)),
    d("js_fetch_verify", Args::Flag),
    d("js_fetch_verify_depth", Args::Exactly(1)),
    d("js_filter", Args::Exactly(1)),
    d("js_header_filter", Args::Exactly(1)),
    d("js_import", Args::Range(1, 3)),
    d("js_include", Args::Exactly(1)),
    d("js_load_http_native_module", Args::Range(1, 3)),
    d("js_load_stream_native_module", Args::Range(1, 3)),
    d("js_path", Args::Exactly(1)),
    d("js_periodic", Args::Any),
    d("js_preload_object", Args::Range(1, 3)),
    d("js_preread", Args::Exactly(1)),
    d("js_set", Args::Range(2, 3)),
    d("js_shared_dict_zone", Args::AtLeast(1)),
    d("js_var", Args::Range(1, 2)),
    d("keepalive", Args::Range(1, 2)),
    d("keepalive_disable", Args::Range(1, 2)),
    d("keepalive_min_timeout", Args::Exactly(1)),
    d("keepalive_requests", Args::Exactly(1)),
    d("keepalive_time", Args::Exactly(1)),
    d("keepalive_timeout", Args::Range(1, 2)),
    d("keyval", Args::Range(3, 4)),
    d("keyval_zone", Args::AtLeast(1)),
    d("kqueue_changes", Args::Any),
    d("kqueue_events", Args::Any),
    d("large_client_header_buffers", Args::Exactly(2)),
    d("least_conn", Args::None),
    d("least_time", Args::Range(1, 2)),
    d("license_token", Args::Exactly(1)),
    d("limit_conn", Args::Exactly(2)),
    d("limit_conn_dry_run", Args::Flag),
    d("limit_conn_log_level", Args::Exactly(1)),
    d("limit_conn_status", Args::Exactly(1)),
    d("limit_conn_zone", Args::Exactly(2)),
    b("limit_except", Args::AtLeast(1)),
    d("limit_rate", Args::Exactly(1)),
    d("limit_rate_after", Args::Exactly(1)),
    d("limit_req", Args::Range(1, 3)),
    d("limit_req_dry_run", Args::Flag),
    d("limit_req_log_level", Args::Exactly(1)),
    d("limit_req_status", Args::Exactly(1)),
    d("limit_req_zone", Args::Range(3, 4)),
    d("limit_zone", Args::Exactly(3)),
    d("lingering_close", Args::Exactly(1)),
    d("lingering_time", Args::Exactly(1)),
    d("lingering_timeout", Args::Exactly(1)),
    d("listen", Args::AtLeast(1)),
    d("load_module", Args::Exactly(1)),
    b("location", Args::Range(1, 2)),
    d("lock_file", Args::Exactly(1)),
    d("log_format", Args::AtLeast(2)),
    d("log_not_found", Args::Flag),
    d("log_subrequest", Args::Flag),
    d("logout_token_hint", Args::Flag),
    d("logout_uri", Args::Exactly(1)),
    b("mail", Args::None),
    b("map", Args::Exactly(2)),
    d("map_hash_bucket_size", Args::Exactly(1)),
    d("map_hash_max_size", Args::Exactly(1)),
    d("master_process", Args::Flag),
    b("match", Args::Range(1, 2)),
    d("max_errors", Args::Exactly(1)),
    d("max_headers", Args::Exactly(1)),
    d("max_ranges", Args::Exactly(1)),
    d("memcached_allow_upstream", Args::AtLeast(1)),
    d("memcached_bind", Args::Range(1, 2)),
    d("memcached_bind_dynamic", Args::Flag),
    d("memcached_buffer_size", Args::Exactly(1)),
    d("memcached_connect_timeout", Args::Exactly(1)),
    d("memcached_force_ranges", Args::Flag),
    d("memcached_gzip_flag", Args::Exactly(1)),
    d("memcached_next_upstream", Args::AtLeast(1)),
    d("memcached_next_upstream_timeout", Args::Exactly(1)),
    d("memcached_next_upstream_tries", Args::Exactly(1)),
    d("memcached_pass", Args::Exactly(1)),
    d("memcached_read_timeout", Args::Exactly(1)),
    d("memcached_send_timeout", Args::Exactly(1)),
    d("memcached_socket_keepalive", Args::Flag),
    d("merge_slashes", Args::Flag),
    b("mgmt", Args::None),
    d("min_delete_depth", Args::Exactly(1)),
    d("mirror", Args::Exactly(1)),
    d("mirror_request_body", Args::Flag),
    d("modern_browser", Args::Range(1, 2)),
    d("modern_browser_value", Args::Exactly(1)),
    d("mp4", Args::None),
    d("mp4_buffer_size", Args::Exactly(1)),
    d("mp4_limit_rate", Args::Exactly(1)),
    d("mp4_limit_rate_after", Args::Exactly(1)),
    d("mp4_max_buffer_size", Args::Exactly(1)),
    d("mp4_start_key_frame", Args::Flag),
    d("mqtt", Args::Flag),
    d("mqtt_buffers", Args::Exactly(2)),
    d("mqtt_preread", Args::Flag),
    d("mqtt_rewrite_buffer_size", Args::Exactly(1)),
    d("mqtt_set_connect", Args::Exactly(2)),
    d("msie_padding", Args::Flag),
    d("msie_refresh", Args::Flag),
    d("multi_accept", Args::Flag),
    d("ntlm", Args::Any),
    b("num_map", Args::Exactly(2)),
    b("oidc_provider", Args::Exactly(1)),
    d("open_file_cache", Args::Range(1, 2)),
    d("open_file_cache_errors", Args::Flag),
    d("open_file_cache_min_uses", Args::Exactly(1)),
    d("open_file_cache_retest", Args::Any),
    d("open_file_cache_valid", Args::Exactly(1)),
    d("open_log_file_cache", Args::Range(1, 4)),
    d("optimize_server_names", Args::Any),
    b("otel_exporter", Args::None),
    d("otel_resource_attr", Args::Exactly(2)),
    d("otel_service_name", Args::Exactly(1)),
    d("otel_span_attr", Args::Exactly(2)),
    d("otel_span_name", Args::Exactly(1)),
    d("otel_trace", Args::Exactly(1)),
    d("otel_trace_context", Args::Exactly(1)),
    d("output_buffers", Args::Exactly(2)),
    d("override_charset", Args::Flag),
    d("pass", Args::Exactly(1)),
    d("pcre_jit", Args::Flag),
    d("perl", Args::Exactly(1)),
    d("perl_modules", Args::Exactly(1)),
    d("perl_require", Args::Exactly(1)),
    d("perl_set", Args::Exactly(2)),
    d("pid", Args::Exactly(1)),
    d("pkce", Args::Flag),
    d("pop3_auth", Args::AtLeast(1)),
    d("pop3_capabilities", Args::AtLeast(1)),
    d("port_in_redirect", Args::Flag),
    d("post_acceptex", Args::Any),
    d("post_action", Args::Exactly(1)),
    d("post_logout_uri", Args::Exactly(1)),
    d("postpone_gzipping", Args::Any),
    d("postpone_output", Args::Exactly(1)),
    d("preferred_chain", Args::Exactly(1)),
    d("preread_buffer_size", Args::Exactly(1)),
    d("preread_timeout", Args::Exactly(1)),
    d("profile", Args::Any),
    d("protocol", Args::Exactly(1)),
    d("proxy", Args::Exactly(1)),
    d("proxy_allow_upstream", Args::AtLeast(1)),
    d("proxy_bind", Args::Range(1, 2)),
    d("proxy_bind_dynamic", Args::Flag),
    d("proxy_buffer", Args::Exactly(1)),
    d("proxy_buffer_size", Args::Exactly(1)),
    d("proxy_buffering", Args::Flag),
    d("proxy_buffers", Args::Exactly(2)),
    d("proxy_busy_buffers_size", Args::Exactly(1)),
    d("proxy_cache", Args::Exactly(1)),
    d("proxy_cache_background_update", Args::Flag),
    d("proxy_cache_bypass", Args::AtLeast(1)),
    d("proxy_cache_convert_head", Args::Flag),
    d("proxy_cache_key", Args::Exactly(1)),
    d("proxy_cache_lock", Args::Flag),
    d("proxy_cache_lock_age", Args::Exactly(1)),
    d("proxy_cache_lock_timeout", Args::Exactly(1)),
    d("proxy_cache_max_range_offset", Args::Exactly(1)),
    d("proxy_cache_methods", Args::AtLeast(1)),
    d("proxy_cache_min_uses", Args::Exactly(1)),
    d("proxy_cache_path", Args::AtLeast(2)),
    d("proxy_cache_purge", Args::AtLeast(1)),
    d("proxy_cache_revalidate", Args::Flag),
    d("proxy_cache_use_stale", Args::AtLeast(1)),
    d("proxy_cache_valid", Args::AtLeast(1)),
    d("proxy_connect_timeout", Args::Exactly(1)),
    d("proxy_cookie_domain", Args::Range(1, 2)),
    d("proxy_cookie_flags", Args::Range(1, 4)),
    d("proxy_cookie_path", Args::Range(1, 2)),
    d("proxy_download_rate", Args::Exactly(1)),
    d("proxy_force_ranges", Args::Flag),
    d("proxy_half_close", Args::Flag),
    d("proxy_headers_hash_bucket_size", Args::Exactly(1)),
    d("proxy_headers_hash_max_size", Args::Exactly(1)),
    d("proxy_hide_header", Args::Exactly(1)),
    d("proxy_http_version", Args::Exactly(1)),
    d("proxy_ignore_client_abort", Args::Flag),
    d("proxy_ignore_headers", Args::AtLeast(1)),
    d("proxy_intercept_errors", Args::Flag),
    d("proxy_limit_rate", Args::Exactly(1)),
    d("proxy_max_temp_file_size", Args::Exactly(1)),
    d("proxy_method", Args::Exactly(1)),
    d("proxy_next_upstream", Args::AtLeast(1)),
    d("proxy_next_upstream_timeout", Args::Exactly(1)),
    d("proxy_next_upstream_tries", Args::Exactly(1)),
    d("proxy_no_cache", Args::AtLeast(1)),
    d("proxy_pass", Args::Exactly(1)),
    d("proxy_pass_error_message", Args::Flag),
    d("proxy_pass_header", Args::Exactly(1)),
    d("proxy_pass_request_body", Args::Flag),
    d("proxy_pass_request_headers", Args::Flag),
    d("proxy_pass_trailers", Args::Flag),
    d("proxy_password", Args::Exactly(1)),
    d("proxy_protocol", Args::Flag),
    d("proxy_protocol_timeout", Args::Exactly(1)),
    d("proxy_read_timeout", Args::Exactly(1)),
    d("proxy_redirect", Args::Range(1, 2)),
    d("proxy_request_buffering", Args::Flag),
    d("proxy_request_dynamic", Args::Flag),
    d("proxy_requests", Args::Exactly(1)),
    d("proxy_responses", Args::Exactly(1)),
    d("proxy_send_lowat", Args::Exactly(1)),
    d("proxy_send_timeout", Args::Exactly(1)),
    d("proxy_session_drop", Args::Flag),
    d("proxy_set_body", Args::Exactly(1)),
    d("proxy_set_header", Args::Exactly(2)),
    d("proxy_smtp_auth", Args::Flag),
    d("proxy_socket_keepalive", Args::Flag),
    d("proxy_ssl", Args::Flag),
    d("proxy_ssl_certificate", Args::Exactly(1)),
    d("proxy_ssl_certificate_cache", Args::Range(1, 3)),
    d("proxy_ssl_certificate_key", Args::Exactly(1)),
    d("proxy_ssl_ciphers", Args::Exactly(1)),
    d("proxy_ssl_conf_command", Args::Exactly(2)),
    d("proxy_ssl_crl", Args::Exactly(1)),
    d("proxy_ssl_key_log", Args::Exactly(1)),
    d("proxy_ssl_name", Args::Exactly(1)),
    d("proxy_ssl_password_file", Args::Exactly(1)),
    d("proxy_ssl_protocols", Args::AtLeast(1)),
    d("proxy_ssl_server_name", Args::Flag),
    d("proxy_ssl_session_reuse", Args::Flag),
    d("proxy_ssl_trusted_certificate", Args::Exactly(1)),
    d("proxy_ssl_verify", Args::Flag),
    d("proxy_ssl_verify_depth", Args::Exactly(1)),
    d("proxy_store", Args::Exactly(1)),
    d("proxy_store_access", Args::Range(1, 3)),
    d("proxy_temp_file_write_size", Args::Exactly(1)),
    d("proxy_temp_path", Args::Range(1, 4)),
    d("proxy_timeout", Args::Exactly(1)),
    d("proxy_upload_rate", Args::Exactly(1)),
    d("proxy_upstream_fail_timeout", Args::Any),
    d("proxy_upstream_max_fails", Args::Any),
    d("proxy_username", Args::Exactly(1)),
    d("queue", Args::Range(1, 2)),
    d("quic_active_connection_id_limit", Args::Exactly(1)),
    d("quic_bpf", Args::Flag),
    d("quic_gso", Args::Flag),
    d("quic_host_key", Args::Exactly(1)),
    d("quic_retry", Args::Flag),
    d("random", Args::Range(0, 2)),
    d("random_index", Args::Flag),
    d("read_ahead", Args::Exactly(1)),
    d("read_timeout", Args::Exactly(1)),
    d("real_ip_header", Args::Exactly(1)),
    d("real_ip_recursive", Args::Flag),
    d("recursive_error_pages", Args::Flag),
    d("redirect_uri", Args::Exactly(1)),
    d("referer_hash_bucket_size", Args::Exactly(1)),
    d("referer_hash_max_size", Args::Exactly(1)),
    d("request_pool_size", Args::Exactly(1)),
    d("reset_timedout_connection", Args::Flag),
    d("resolver", Args::AtLeast(1)),
    d("resolver_timeout", Args::Exactly(1)),
    d("return", Args::Range(1, 2)),
    d("rewrite", Args::Range(2, 3)),
    d("rewrite_log", Args::Flag),
    d("root", Args::Exactly(1)),
    d("satisfy", Args::Exactly(1)),
    d("satisfy_any", Args::Any),
    d("scgi_allow_upstream", Args::AtLeast(1)),
    d("scgi_bind", Args::Range(1, 2)),
    d("scgi_bind_dynamic", Args::Flag),
    d("scgi_buffer_size", Args::Exactly(1)),
    d("scgi_buffering", Args::Flag),
    d("scgi_buffers", Args::Exactly(2)),
    d("scgi_busy_buffers_size", Args::Exactly(1)),
    d("scgi_cache", Args::Exactly(1)),
    d("scgi_cache_background_update", Args::Flag),
    d("scgi_cache_bypass", Args::AtLeast(1)),
    d("scgi_cache_key", Args::Exactly(1)),
    d("scgi_cache_lock", Args::Flag),
    d("scgi_cache_lock_age", Args::Exactly(1)),
    d("scgi_cache_lock_timeout", Args::Exactly(1)),
    d("scgi_cache_max_range_offset", Args::Exactly(1)),
    d("scgi_cache_methods", Args::AtLeast(1)),
    d("scgi_cache_min_uses", Args::Exactly(1)),
    d("scgi_cache_path", Args::AtLeast(2)),
    d("scgi_cache_purge", Args::AtLeast(1)),
    d("scgi_cache_revalidate", Args::Flag),
    d("scgi_cache_use_stale", Args::AtLeast(1)),
    d("scgi_cache_valid", Args::AtLeast(1)),
    d("scgi_connect_timeout", Args::Exactly(1)),
    d("scgi_force_ranges", Args::Flag),
    d("scgi_hide_header", Args::Exactly(1)),
    d("scgi_ignore_client_abort", Args::Flag),
    d("scgi_ignore_headers", Args::AtLeast(1)),
    d("scgi_intercept_errors", Args::Flag),
    d("scgi_limit_rate", Args::Exactly(1)),
    d("scgi_max_temp_file_size", Args::Exactly(1)),
    d("scgi_next_upstream", Args::AtLeast(1)),
    d("scgi_next_upstream_timeout", Args::Exactly(1)),
    d("scgi_next_upstream_tries", Args::Exactly(1)),
    d("scgi_no_cache", Args::AtLeast(1)),
    d("scgi_param", Args::Range(2, 3)),
    d("scgi_pass", Args::Exactly(1)),
    d("scgi_pass_header", Args::Exactly(1)),
    d("scgi_pass_request_body", Args::Flag),
    d("scgi_pass_request_headers", Args::Flag),
    d("scgi_read_timeout", Args::Exactly(1)),
    d("scgi_request_buffering", Args::Flag),
    d("scgi_request_dynamic", Args::Flag),
    d("scgi_send_timeout", Args::Exactly(1)),
    d("scgi_socket_keepalive", Args::Flag),
    d("scgi_store", Args::Exactly(1)),
    d("scgi_store_access", Args::Range(1, 3)),
    d("scgi_temp_file_write_size", Args::Exactly(1)),
    d("scgi_temp_path", Args::Range(1, 4)),
    d("scope", Args::Exactly(1)),
    d("secure_link", Args::Exactly(1)),
    d("secure_link_md5", Args::Exactly(1)),
    d("secure_link_secret", Args::Exactly(1)),
    d("send_lowat", Args::Exactly(1)),
    d("send_timeout", Args::Exactly(1)),
    d("sendfile", Args::Flag),
    d("sendfile_max_chunk", Args::Exactly(1)),
    b("server", Args::AtLeast(0)),
    d("server_name", Args::AtLeast(1)),
    d("server_name_in_redirect", Args::Flag),
    d("server_names_hash_bucket_size", Args::Exactly(1)),
    d("server_names_hash_max_size", Args::Exactly(1)),
    d("server_tokens", Args::Exactly(1)),
    d("session_log", Args::Exactly(1)),
    d("session_log_format", Args::AtLeast(2)),
    d("session_log_zone", Args::AtLeast(2)),
    d("session_store", Args::Exactly(1)),
    d("session_timeout", Args::Exactly(1)),
    d("set", Args::Exactly(2)),
    d("set_real_ip_from", Args::Exactly(1)),
    d("slice", Args::Exactly(1)),
    d("smtp_auth", Args::AtLeast(1)),
    d("smtp_capabilities", Args::AtLeast(1)),
    d("smtp_client_buffer", Args::Exactly(1)),
    d("smtp_greeting_delay", Args::Exactly(1)),
    d("source_charset", Args::Exactly(1)),
    d("spdy_chunk_size", Args::Any),
    d("spdy_headers_comp", Args::Any),
    d("spdy_keepalive_timeout", Args::Any),
    d("spdy_max_concurrent_streams", Args::Any),
    d("spdy_pool_size", Args::Any),
    d("spdy_recv_buffer_size", Args::Any),
    d("spdy_recv_timeout", Args::Any),
    d("spdy_streams_index_size", Args::Any),
    b("split_clients", Args::Exactly(2)),
    d("ssi", Args::Flag),
    d("ssi_ignore_recycled_buffers", Args::Any),
    d("ssi_last_modified", Args::Flag),
    d("ssi_min_file_chunk", Args::Exactly(1)),
    d("ssi_silent_errors", Args::Flag),
    d("ssi_types", Args::AtLeast(1)),
    d("ssi_value_length", Args::Exactly(1)),
    d("ssl", Args::Flag),
    d("ssl_alpn", Args::AtLeast(1)),
    d("ssl_buffer_size", Args::Exactly(1)),
    d("ssl_certificate", Args::Exactly(1)),
    d("ssl_certificate_cache", Args::Range(1, 3)),
    d("ssl_certificate_compression", Args::Flag),
    d("ssl_certificate_key", Args::Exactly(1)),
    d("ssl_ciphers", Args::Exactly(1)),
    d("ssl_client_certificate", Args::Exactly(1)),
    d("ssl_conf_command", Args::Exactly(2)),
    d("ssl_crl", Args::Exactly(1)),
    d("ssl_dhparam", Args::Exactly(1)),
    d("ssl_early_data", Args::Flag),
    d("ssl_ecdh_curve", Args::Exactly(1)),
    d("ssl_ech_file", Args::Exactly(1)),
    d("ssl_engine", Args::Exactly(1)),
    d("ssl_handshake_timeout", Args::Exactly(1)),
    d("ssl_key_log", Args::Exactly(1)),
    d("ssl_name", Args::Exactly(1)),
    d("ssl_object_cache_inheritable", Args::Flag),
    d("ssl_ocsp", Args::Exactly(1)),
    d("ssl_ocsp_cache", Args::Exactly(1)),
    d("ssl_ocsp_responder", Args::Exactly(1)),
    d("ssl_password_file", Args::Exactly(1)),
    d("ssl_prefer_server_ciphers", Args::Flag),
    d("ssl_preread", Args::Flag),
    d("ssl_protocols", Args::AtLeast(1)),
    d("ssl_reject_handshake", Args::Flag),
    d("ssl_server_name", Args::Flag),
    d("ssl_session_cache", Args::Range(1, 2)),
    d("ssl_session_ticket_key", Args::Exactly(1)),
    d("ssl_session_tickets", Args::Flag),
    d("ssl_session_timeout", Args::Exactly(1)),
    d("ssl_stapling", Args::Flag),
    d("ssl_stapling_file", Args::Exactly(1)),
    d("ssl_stapling_responder", Args::Exactly(1)),
    d("ssl_stapling_verify", Args::Flag),
    d("ssl_trusted_certificate", Args::Exactly(1)),
    d("ssl_verify", Args::Flag),
    d("ssl_verify_client", Args::Exactly(1)),
    d("ssl_verify_depth", Args::Exactly(1)),
    d("stall_threshold", Args::Exactly(1)),
    d("starttls", Args::Exactly(1)),
    d("state", Args::Exactly(1)),
    d("state_path", Args::Exactly(1)),
    d("status", Args::Any),
    d("status_format", Args::Range(1, 2)),
    d("status_zone", Args::Exactly(1)),
    d("sticky", Args::Any),
    d("sticky_cookie_insert", Args::Range(1, 4)),
    b("stream", Args::None),
    d("stub_status", Args::Range(0, 1)),
    d("sub_filter", Args::Exactly(2)),
    d("sub_filter_last_modified", Args::Flag),
    d("sub_filter_once", Args::Flag),
    d("sub_filter_types", Args::AtLeast(1)),
    d("subrequest_output_buffer_size", Args::Exactly(1)),
    d("tcp_nodelay", Args::Flag),
    d("tcp_nopush", Args::Flag),
    d("thread_pool", Args::Range(2, 3)),
    d("thread_stack_size", Args::Any),
    d("timeout", Args::Exactly(1)),
    d("timer_resolution", Args::Exactly(1)),
    d("trusted_certificate", Args::Exactly(1)),
    d("try_files", Args::AtLeast(2)),
    d("tunnel_allow_upstream", Args::AtLeast(1)),
    d("tunnel_bind", Args::Range(1, 2)),
    d("tunnel_bind_dynamic", Args::Flag),
    d("tunnel_buffer_size", Args::Exactly(1)),
    d("tunnel_connect_timeout", Args::Exactly(1)),
    d("tunnel_next_upstream", Args::AtLeast(1)),
    d("tunnel_next_upstream_timeout", Args::Exactly(1)),
    d("tunnel_next_upstream_tries", Args::Exactly(1)),
    d("tunnel_pass", Args::Range(0, 1)),
    d("tunnel_read_timeout", Args::Exactly(1)),
    d("tunnel_send_lowat", Args::Exactly(1)),
    d("tunnel_send_timeout", Args::Exactly(1)),
    d("tunnel_socket_keepalive", Args::Flag),
    b("types", Args::None),
    d("types_hash_bucket_size", Args::Exactly(1)),
    d("types_hash_max_size", Args::Exactly(1)),
    d("underscores_in_headers", Args::Flag),
    d("uninitialized_variable_warn", Args::Flag),
    b("upstream", Args::Exactly(1)),
    d("upstream_conf", Args::None),
    d("uri", Args::Any),
    d("usage_report", Args::Range(0, 2)),
    d("use", Args::Exactly(1)),
    d("user", Args::Range(1, 2)),
    d("userid", Args::Exactly(1)),
    d("userid_domain", Args::Exactly(1)),
    d("userid_expires", Args::Exactly(1)),
    d("userid_flags", Args::Range(1, 3)),
    d("userid_mark", Args::Exactly(1)),
    d("userid_name", Args::Exactly(1)),
    d("userid_p3p", Args::Exactly(1)),
    d("userid_path", Args::Exactly(1)),
    d("userid_service", Args::Exactly(1)),
    d("userinfo", Args::Exactly(1)),
    d("uuid_file", Args::Range(0, 1)),
    d("uwsgi_allow_upstream", Args::AtLeast(1)),
    d("uwsgi_bind", Args::Range(1, 2)),
    d("uwsgi_bind_dynamic", Args::Flag),
    d("uwsgi_buffer_size", Args::Exactly(1)),
    d("uwsgi_buffering", Args::Flag),
    d("uwsgi_buffers", Args::Exactly(2)),
    d("uwsgi_busy_buffers_size", Args::Exactly(1)),
    d("uwsgi_cache", Args::Exactly(1)),
    d("uwsgi_cache_background_update", Args::Exactly(1)),
    d("uwsgi_cache_bypass", Args::AtLeast(1)),
    d("uwsgi_cache_key", Args::Exactly(1)),
    d("uwsgi_cache_lock", Args::Flag),
    d("uwsgi_cache_lock_age", Args::Exactly(1)),
    d("uwsgi_cache_lock_timeout", Args::Exactly(1)),
    d("uwsgi_cache_max_range_offset", Args::Exactly(1)),
    d("uwsgi_cache_methods", Args::AtLeast(1)),
    d("uwsgi_cache_min_uses", Args::Exactly(1)),
    d("uwsgi_cache_path", Args::AtLeast(2)),
    d("uwsgi_cache_purge", Args::AtLeast(1)),
    d("uwsgi_cache_revalidate", Args::Flag),
    d("uwsgi_cache_use_stale", Args::AtLeast(1)),
    d("uwsgi_cache_valid", Args::AtLeast(1)),
    d("uwsgi_connect_timeout", Args::Exactly(1)),
    d("uwsgi_force_ranges", Args::Flag),
    d("uwsgi_hide_header", Args::Exactly(1)),
    d("uwsgi_ignore_client_abort", Args::Flag),
    d("uwsgi_ignore_headers", Args::AtLeast(1)),
    d("uwsgi_intercept_errors", Args::Flag),
    d("uwsgi_limit_rate", Args::Exactly(1)),
    d("uwsgi_max_temp_file_size", Args::Exactly(1)),
    d("uwsgi_modifier1", Args::Exactly(1)),
    d("uwsgi_modifier2", Args::Exactly(1)),
    d("uwsgi_next_upstream", Args::AtLeast(1)),
    d("uwsgi_next_upstream_timeout", Args::Exactly(1)),
    d("uwsgi_next_upstream_tries", Args::Exactly(1)),
    d("uwsgi_no_cache", Args::AtLeast(1)),
    d("uwsgi_param", Args::Range(2, 3)),
    d("uwsgi_pass", Args::Exactly(1)),
    d("uwsgi_pass_header", Args::Exactly(1)),
    d("uwsgi_pass_request_body", Args::Flag),
    d("uwsgi_pass_request_headers", Args::Flag),
    d("uwsgi_read_timeout", Args::Exactly(1)),
    d("uwsgi_request_buffering", Args::Flag),
    d("uwsgi_request_dynamic", Args::Flag),
    d("uwsgi_send_timeout", Args::Exactly(1)),
    d("uwsgi_socket_keepalive", Args::Flag),
    d("uwsgi_ssl_certificate", Args::Exactly(1)),
    d("uwsgi_ssl_certificate_cache", Args::Range(1, 3)),
    d("uwsgi_ssl_certificate_key", Args::Exactly(1)),
    d("uwsgi_ssl_ciphers", Args::Exactly(1)),
    d("uwsgi_ssl_conf_command", Args::Exactly(2)),
    d("uwsgi_ssl_crl", Args::Exactly(1)),
    d("uwsgi_ssl_key_log", Args::Exactly(1)),
    d("uwsgi_ssl_name", Args::Exactly(1)),
    d("uwsgi_ssl_password_file", Args::Exactly(1)),
    d("uwsgi_ssl_protocols", Args::AtLeast(1)),
    d("uwsgi_ssl_server_name", Args::Flag),
    d("uwsgi_ssl_session_reuse", Args::Flag),
    d("uwsgi_ssl_trusted_certificate", Args::Exactly(1)),
    d("uwsgi_ssl_verify", Args::Flag),
    d("uwsgi_ssl_verify_depth", Args::Exactly(1)),
    d("uwsgi_store", Args::Exactly(1)),
    d("uwsgi_store_access", Args::Range(1, 3)),
    d("uwsgi_temp_file_write_size", Args::Exactly(1)),
    d("uwsgi_temp_path", Args::Range(1, 4)),
    d("valid_referers", Args::AtLeast(1)),
    d("variables_hash_bucket_size", Args::Exactly(1)),
    d("variables_hash_max_size", Args::Exactly(1)),
    d("worker_aio_requests", Args::Exactly(1)),
    d("worker_connections", Args::Exactly(1)),
    d("worker_cpu_affinity", Args::AtLeast(1)),
    d("worker_priority", Args::Exactly(1)),
    d("worker_processes", Args::Exactly(1)),
    d("worker_rlimit_core", Args::Exactly(1)),
    d("worker_rlimit_nofile", Args::Exactly(1)),
    d("worker_rlimit_sigpending", Args::Any),
    d("worker_shutdown_timeout", Args::Exactly(1)),
    d("worker_threads", Args::Any),
    d("working_directory", Args::Exactly(1)),
    d("xclient", Args::Flag),
    d("xml_entities", Args::Exactly(1)),
    d("xslt_last_modified", Args::Flag),
    d("xslt_param", Args::Exactly(2)),
    d("xslt_string_param", Args::Exactly(2)),
    d("xslt_stylesheet", Args::AtLeast(1)),
    d("xslt_types", Args::AtLeast(1)),
    d("zone", Args::Range(1, 2)),
    d("zone_sync", Args::None),
    d("zone_sync_buffers", Args::Exactly(2)),
    d("zone_sync_connect_retry_interval", Args::Exactly(1)),
    d("zone_sync_connect_timeout", Args::Exactly(1)),
    d("zone_sync_interval", Args::Exactly(1)),
    d("zone_sync_recv_buffer_size", Args::Exactly(1)),
    d("zone_sync_server", Args::Range(1, 2)),
    d("zone_sync_ssl", Args::Flag),
    d("zone_sync_ssl_certificate", Args::Exactly(1)),
    d("zone_sync_ssl_certificate_key", Args::Exactly(1)),
    d("zone_sync_ssl_ciphers", Args::Exactly(1)),
    d("zone_sync_ssl_conf_command", Args::Exactly(2)),
    d("zone_sync_ssl_crl", Args::Exactly(1)),
    d("zone_sync_ssl_name", Args::Exactly(1)),
    d("zone_sync_ssl_password_file", Args::Exactly(1)),
    d("zone_sync_ssl_protocols", Args::AtLeast(1)),
    d("zone_sync_ssl_server_name", Args::Flag),
    d("zone_sync_ssl_trusted_certificate", Args::Exactly(1)),
    d("zone_sync_ssl_verify", Args::Flag),
    d("zone_sync_ssl_verify_depth", Args::Exactly(1)),
    d("zone_sync_timeout", Args::Exactly(1)),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_without_duplicates() {
        for pair in DIRECTIVES.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "`{}` must sort strictly before `{}`",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn table_entries_are_well_formed() {
        assert!(
            DIRECTIVES.len() > 800,
            "table looks truncated: {}",
            DIRECTIVES.len()
        );
        for spec in DIRECTIVES {
            assert!(
                !spec.name.is_empty()
                    && spec
                        .name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "bad name `{}`",
                spec.name
            );
            match spec.args {
                Args::Exactly(k) => assert!(k > 0, "`{}`: use Args::None", spec.name),
                Args::Range(lo, hi) => assert!(lo < hi, "`{}`: bad range", spec.name),
                _ => {}
            }
            assert_eq!(lookup(spec.name), Some(spec));
        }
    }

    fn args(name: &str) -> Option<Args> {
        lookup(name).map(|spec| spec.args)
    }

    fn shape(name: &str) -> Option<(Args, bool)> {
        lookup(name).map(|spec| (spec.args, spec.block))
    }

    #[test]
    fn lookups() {
        assert_eq!(args("user"), Some(Args::Range(1, 2)));
        assert_eq!(args("worker_processes"), Some(Args::Exactly(1)));
        assert_eq!(args("proxy_pass"), Some(Args::Exactly(1)));
        assert_eq!(args("listen"), Some(Args::AtLeast(1)));
        assert_eq!(args("server_name"), Some(Args::AtLeast(1)));
        assert_eq!(shape("location"), Some((Args::Range(1, 2), true)));
        assert_eq!(shape("upstream"), Some((Args::Exactly(1), true)));
        assert_eq!(shape("map"), Some((Args::Exactly(2), true)));
        assert_eq!(shape("if"), Some((Args::AtLeast(1), true)));
        assert_eq!(shape("types"), Some((Args::None, true)));
        assert_eq!(shape("server"), Some((Args::AtLeast(0), true)));
        for name in ["events", "http", "stream", "mail"] {
            assert_eq!(shape(name), Some((Args::None, true)), "{name}");
        }
        assert_eq!(args("return"), Some(Args::Range(1, 2)));
        assert_eq!(args("rewrite"), Some(Args::Range(2, 3)));
        assert_eq!(args("try_files"), Some(Args::AtLeast(2)));
        assert_eq!(args("error_page"), Some(Args::AtLeast(2)));
        assert_eq!(args("add_header"), Some(Args::Range(2, 3)));
        assert_eq!(args("proxy_set_header"), Some(Args::Exactly(2)));
        assert_eq!(args("resolver"), Some(Args::AtLeast(1)));
        assert_eq!(args("keepalive_timeout"), Some(Args::Range(1, 2)));
        assert_eq!(args("gzip"), Some(Args::Flag));
        assert_eq!(args("sendfile"), Some(Args::Flag));
        for name in [
            "include",
            "root",
            "alias",
            "proxy_read_timeout",
            "client_body_timeout",
        ] {
            assert_eq!(args(name), Some(Args::Exactly(1)), "{name}");
        }
        // union over contexts: a flag in stream, a list in http
        assert_eq!(args("proxy_next_upstream"), Some(Args::AtLeast(1)));
        // names third-party modules reuse with another syntax are not checked
        assert_eq!(args("sticky"), Some(Args::Any));
        assert!(is_known("zone_sync"));
        assert!(is_known("js_import"));
        assert!(is_known("otel_trace"));
        assert!(is_known("acme_certificate"));
        assert!(!is_known("proxy_passs"));
        assert!(!is_known("more_set_headers"));
        assert!(!is_known(""));
        assert_eq!(lookup("Proxy_pass"), None);
    }

    #[test]
    fn block_directives() {
        for name in [
            "http", "events", "server", "location", "upstream", "map", "if", "types",
        ] {
            assert_eq!(is_block_directive(name), Some(true), "{name}");
        }
        for name in [
            "geo",
            "split_clients",
            "limit_except",
            "stream",
            "mail",
            "match",
        ] {
            assert_eq!(is_block_directive(name), Some(true), "{name}");
        }
        assert_eq!(is_block_directive("content_by_lua_block"), Some(true));
        assert_eq!(is_block_directive("proxy_pass"), Some(false));
        assert_eq!(is_block_directive("listen"), Some(false));
        assert_eq!(is_block_directive("no_such_directive"), None);
        assert!(has_opaque_block("types"));
        assert!(has_opaque_block("map"));
        assert!(has_opaque_block("access_by_lua_block"));
        assert!(!has_opaque_block("location"));
        assert!(!has_opaque_block("upstream"));
        for spec in DIRECTIVES {
            if has_opaque_block(spec.name) {
                assert!(spec.block, "`{}` is opaque but not a block", spec.name);
            }
        }
    }

    #[test]
    fn suggestions_for_near_misses() {
        assert_eq!(suggest("proxy_passs"), Some("proxy_pass"));
        assert_eq!(suggest("proxy_pas"), Some("proxy_pass"));
        assert_eq!(suggest("proxy_psas"), Some("proxy_pass"));
        assert_eq!(suggest("server_nmae"), Some("server_name"));
        assert_eq!(suggest("worker_proceses"), Some("worker_processes"));
        assert_eq!(
            suggest("client_max_body_sizee"),
            Some("client_max_body_size")
        );
        assert_eq!(suggest("proxy_set_headr"), Some("proxy_set_header"));
        // two edits, long names only
        assert_eq!(suggest("proxy_set_headrs"), Some("proxy_set_header"));
        assert_eq!(suggest("ssl_certifcate_ky"), Some("ssl_certificate_key"));
        assert_eq!(suggest("gzpi_types"), Some("gzip_types"));
        assert_eq!(suggest("gzip_typs_"), None);
    }

    #[test]
    fn no_suggestion_for_third_party_or_far_names() {
        for name in [
            "more_set_headers",
            "more_clear_headers",
            "content_by_lua_block",
            "access_by_lua_file",
            "set_by_lua_block",
            "lua_shared_dict",
            "lua_package_path",
            "init_worker_by_lua_block",
            "header_filter_by_lua_block",
            "subs_filter",
            "subs_filter_types",
            "geoip2_proxy",
            "brotli_static",
            "vhost_traffic_status_zone",
            "passenger_enabled",
            "pagespeed",
            "modsecurity_rules_file",
            "js_contnet",
            "echo_sleep",
            "redis2_pass",
            "srcache_fetch",
            "proxy_connect_allow",
            "zstd_types",
            "healthcheck",
            "healthcheck_status",
            "sticky_hide_cookie",
            "SecRulesEnabled",
            "Proxy_pass",
            "\"outer-quote\"",
            "",
            "usr",
            "completely_unrelated_name",
        ] {
            assert_eq!(suggest(name), None, "{name}");
        }
    }

    #[test]
    fn no_suggestion_for_known_names() {
        for spec in DIRECTIVES {
            assert_eq!(suggest(spec.name), None, "{}", spec.name);
        }
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance(b"", b""), 0);
        assert_eq!(edit_distance(b"abc", b""), 3);
        assert_eq!(edit_distance(b"", b"abc"), 3);
        assert_eq!(edit_distance(b"abcd", b"abdc"), 1);
        assert_eq!(edit_distance(b"kitten", b"sitting"), 3);
        assert_eq!(edit_distance(b"proxy_pass", b"proxy_passs"), 1);
        assert_eq!(edit_distance(b"ca", b"abc"), 3);
    }

    #[test]
    fn argument_counts() {
        let user0 = check_args("user", 0, false);
        assert!(
            user0.as_deref().is_some_and(|m| m.contains("`user`")),
            "{user0:?}"
        );
        assert_eq!(
            user0.as_deref(),
            Some("invalid number of arguments in `user` directive: it takes 1 or 2, found 0")
        );
        assert_eq!(check_args("user", 1, false), None);
        assert_eq!(check_args("user", 2, false), None);
        assert!(check_args("user", 3, false).is_some());
        assert_eq!(check_args("listen", 3, false), None);
        assert!(check_args("listen", 0, false).is_some());
        assert!(check_args("gzip", 2, false).is_some());
        assert!(check_args("gzip", 0, false).is_some());
        assert_eq!(check_args("gzip", 1, false), None);
        assert_eq!(check_args("http", 0, true), None);
        assert!(check_args("http", 1, true).is_some());
        assert!(check_args("location", 0, true).is_some());
        assert_eq!(check_args("location", 2, true), None);
        assert!(check_args("location", 3, true).is_some());
        assert!(check_args("try_files", 1, false).is_some());
        assert_eq!(check_args("try_files", 5, false), None);
        assert_eq!(check_args("if", 3, true), None);
        assert_eq!(check_args("types", 0, true), None);
        assert_eq!(check_args("proxy_set_header", 2, false), None);
        assert!(check_args("proxy_set_header", 1, false).is_some());
        assert_eq!(check_args("worker_processes", 1, false), None);
        assert!(check_args("worker_processes", 2, false).is_some());
        // unknown names and unchecked arities are never reported
        assert_eq!(check_args("more_set_headers", 9, false), None);
        assert_eq!(check_args("sticky", 0, false), None);
        assert_eq!(check_args("health_check", 7, false), None);
    }

    #[test]
    fn server_arity_depends_on_the_block() {
        // `server { ... }` in http, mail and stream
        assert_eq!(check_args("server", 0, true), None);
        assert!(check_args("server", 1, true).is_some());
        // `server address [parameters];` in upstream
        assert_eq!(check_args("server", 1, false), None);
        assert_eq!(check_args("server", 4, false), None);
        assert_eq!(
            check_args("server", 0, false).as_deref(),
            Some(
                "invalid number of arguments in `server` directive: \
                 it takes at least 1 without a block, found 0"
            )
        );
    }

    #[test]
    fn args_in_words() {
        assert_eq!(Args::None.to_string(), "no arguments");
        assert_eq!(Args::Exactly(2).to_string(), "exactly 2");
        assert_eq!(Args::Range(1, 2).to_string(), "1 or 2");
        assert_eq!(Args::Range(1, 4).to_string(), "1 to 4");
        assert_eq!(Args::AtLeast(2).to_string(), "at least 2");
        assert_eq!(Args::Flag.to_string(), "exactly 1 (`on` or `off`)");
        assert!(Args::Any.accepts(0) && Args::Any.accepts(usize::MAX));
        assert!(Args::AtLeast(1).accepts(usize::MAX));
        assert!(!Args::Range(3, 4).accepts(2));
    }
}
