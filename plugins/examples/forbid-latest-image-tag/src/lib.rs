//! `forbid-latest-image-tag`: every container image must name a tag other than `latest`
//! (or a digest). Images can be exempted by prefix:
//!
//! ```toml
//! [[plugins]]
//! path = "plugins/forbid_latest_image_tag.wasm"
//! sha256 = "..."
//! options = { allow = ["localhost/", "registry.internal/dev/"] }
//! ```

use serde::Deserialize;
use topolint_plugin_sdk::{
    export_plugin, Context, Finding, Plugin, Report, Result, RuleMeta, Severity,
};

const RULE: &str = "forbid-latest-image-tag";

pub struct ForbidLatestImageTag;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct Options {
    /// Image name prefixes that may float (local builds, dev registries).
    allow: Vec<String>,
}

/// What an image reference says about its version.
#[derive(Debug, PartialEq, Eq)]
enum Pin<'a> {
    /// `@sha256:...`
    Digest,
    Tag(&'a str),
    /// No tag: Docker and Kubernetes pull `:latest`.
    None,
}

fn pin(image: &str) -> Pin<'_> {
    if image.contains('@') {
        return Pin::Digest;
    }
    // The tag follows the last `:` after the last `/` (`registry:5000/app` has no tag).
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    match image[name_start..].rfind(':') {
        Some(i) => Pin::Tag(&image[name_start + i + 1..]),
        None => Pin::None,
    }
}

impl Plugin for ForbidLatestImageTag {
    const NAME: &'static str = "forbid-latest-image-tag";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn rules() -> Vec<RuleMeta> {
        vec![RuleMeta::new(
            RULE,
            Severity::Warning,
            "a container image floats: tagged `latest` or not tagged at all",
        )
        .docs(DOCS)]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        let options: Options = ctx.options_as()?;
        for (workload, container) in ctx.topology().containers() {
            let Some(image) = container.image.as_deref() else {
                continue;
            };
            // `${TAG}` and friends are decided at deploy time.
            if image.contains('$') || options.allow.iter().any(|a| image.starts_with(a.as_str())) {
                continue;
            }
            let why = match pin(image) {
                Pin::Tag("latest") => format!("`{image}` is tagged `latest`"),
                Pin::None => format!("`{image}` has no tag, so `latest` is pulled"),
                Pin::Tag(_) | Pin::Digest => continue,
            };
            let who = if workload.containers.len() > 1 || workload.platform == "kubernetes" {
                format!("container `{}` of `{}`", container.name, workload.name)
            } else {
                format!("`{}`", workload.name)
            };
            report.push(
                Finding::new(RULE, container.span, format!("{who} runs an image that floats: {why}"))
                    .label(format!("runs `{image}`"))
                    .help("pin a version tag (`nginx:1.27.3`) or a digest (`nginx@sha256:...`) so every deploy runs what was tested"),
            );
        }
        Ok(())
    }
}

export_plugin!(ForbidLatestImageTag);

const DOCS: &str = r#"## What it does
Reports containers (compose services, Kubernetes pod templates) whose image is tagged
`latest` or has no tag at all, which pulls `latest`. Images pinned by digest, images with
a `${VARIABLE}` in them and images starting with a prefix from the plugin's `allow`
option are left alone.

## Why is this bad?
`latest` is whatever was pushed last. Two replicas of the same deployment can run different
code, a rollback redeploys the broken version, and a restart picks up an upstream release
nobody tested — the backend behind nginx changes its port or its health check and the
proxy starts answering 502.

## Example
```yaml
services:
  api:
    image: ghcr.io/acme/api:latest
  web:
    image: nginx
```

## How to fix
Pin a version tag or a digest:
```yaml
services:
  api:
    image: ghcr.io/acme/api:2.4.1
  web:
    image: nginx:1.27.3
```
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        assert_eq!(pin("nginx"), Pin::None);
        assert_eq!(pin("nginx:latest"), Pin::Tag("latest"));
        assert_eq!(pin("nginx:1.27"), Pin::Tag("1.27"));
        assert_eq!(pin("registry:5000/app"), Pin::None);
        assert_eq!(pin("registry:5000/app:latest"), Pin::Tag("latest"));
        assert_eq!(pin("nginx@sha256:abc"), Pin::Digest);
    }
}
