//! `require-proxy-read-timeout-below`: every nginx `proxy_pass` (and `grpc_pass`,
//! `fastcgi_pass`, `uwsgi_pass`, `scgi_pass`) must give up waiting for its upstream before a
//! limit, 30 seconds unless the plugin's options say otherwise:
//!
//! ```toml
//! [[plugins]]
//! path = "plugins/require_proxy_read_timeout_below.wasm"
//! sha256 = "..."
//! options = { limit = "20s" }
//! ```

use serde::Deserialize;
use topolint_plugin_sdk::{
    export_plugin, parse_duration_ms, Context, Finding, Plugin, Report, Result, RuleMeta, Severity,
};

const RULE: &str = "require-proxy-read-timeout-below";

/// nginx's default for every `*_read_timeout`.
const NGINX_DEFAULT_MS: u64 = 60_000;

pub struct RequireProxyReadTimeoutBelow;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    /// A duration (`30s`, `1500ms`, `1m`) or a number of seconds.
    #[serde(default)]
    limit: Option<serde_json::Value>,
}

fn limit_ms(options: &Options) -> Result<u64> {
    match &options.limit {
        None => Ok(30_000),
        Some(serde_json::Value::Number(n)) => {
            n.as_u64().and_then(|s| s.checked_mul(1000)).ok_or_else(|| {
                format!("invalid options: `limit` = {n} is not a number of seconds").into()
            })
        }
        Some(serde_json::Value::String(s)) => parse_duration_ms(s).ok_or_else(|| {
            format!("invalid options: `limit` = \"{s}\" is not a duration like `30s`").into()
        }),
        Some(other) => Err(format!(
            "invalid options: `limit` must be a duration like \"30s\", found {other}"
        )
        .into()),
    }
}

fn show(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

impl Plugin for RequireProxyReadTimeoutBelow {
    const NAME: &'static str = "require-proxy-read-timeout-below";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn rules() -> Vec<RuleMeta> {
        vec![RuleMeta::new(
            RULE,
            Severity::Warning,
            "an nginx route waits for its upstream longer than the agreed limit",
        )
        .docs(DOCS)]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        let limit = limit_ms(&ctx.options_as::<Options>()?)?;
        for (_, target) in ctx.topology().pass_targets() {
            let Some(kind) = target.directive.strip_suffix("_pass") else {
                continue;
            };
            let directive = format!("{kind}_read_timeout");
            let location = target
                .location
                .as_deref()
                .map(|l| format!(" in `location {l}`"))
                .unwrap_or_default();
            match target.timeouts.get(&directive) {
                Some(timeout) => {
                    let Some(ms) = timeout.ms else { continue };
                    if ms < limit {
                        continue;
                    }
                    report.push(
                        Finding::new(
                            RULE,
                            target.span,
                            format!(
                                "`{} {}`{location} waits up to {} for a response, not below the limit of {}",
                                target.directive,
                                target.raw,
                                show(ms),
                                show(limit)
                            ),
                        )
                        .label(format!("waits up to {}", show(ms)))
                        .evidence(timeout.span, format!("`{directive}` set to {} here", timeout.raw))
                        .help(format!(
                            "lower `{directive}` below {} (clients and load balancers in front give up earlier and see a 504)",
                            show(limit)
                        )),
                    );
                }
                None if NGINX_DEFAULT_MS >= limit => report.push(
                    Finding::new(
                        RULE,
                        target.span,
                        format!(
                            "`{} {}`{location} waits up to {} for a response (nginx's default `{directive}`), not below the limit of {}",
                            target.directive,
                            target.raw,
                            show(NGINX_DEFAULT_MS),
                            show(limit)
                        ),
                    )
                    .label("no `".to_string() + &directive + "` in force here")
                    .help(format!("set `{directive}` below {} in this location or its server", show(limit))),
                ),
                None => {}
            }
        }
        Ok(())
    }
}

export_plugin!(RequireProxyReadTimeoutBelow);

const DOCS: &str = r#"## What it does
Checks every nginx `proxy_pass` (and `grpc_pass`, `fastcgi_pass`, `uwsgi_pass`,
`scgi_pass`) for the read timeout in force where it is written — set in the location, its
server or `http`, or nginx's default of 60s — and reports those that wait as long as the
limit or longer. The limit is 30s unless the plugin's `options` say otherwise
(`options = { limit = "20s" }`).

## Why is this bad?
Whatever stands in front of nginx (a cloud load balancer, a CDN, the client's own timeout)
gives up first and answers 504, while nginx and the upstream keep working on a request
nobody waits for. Teams agree on a budget for every public route; this rule holds nginx to
it.

## Example
```nginx
location /reports/ {
    proxy_pass http://reports:8080;   # nginx's default proxy_read_timeout: 60s
}
```

## How to fix
Set `proxy_read_timeout` (or the `grpc_`/`fastcgi_`/... variant) below the limit in the
location, its server or `http`:
```nginx
location /reports/ {
    proxy_read_timeout 25s;
    proxy_pass http://reports:8080;
}
```
"#;
