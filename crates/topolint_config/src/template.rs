/// What `topolint init` writes: a valid configuration whose settings are the defaults,
/// with every other key shown commented out. A test parses it.
pub const INIT_TEMPLATE: &str = r#"# topolint configuration (docs/configuration.md in the topolint repository; JSON schema
# for editors: docs/topolint.schema.json). Paths and globs are relative to this file.

# Exit with 1 when a finding at or above this severity is reported: error, warning, info.
fail-on = "warning"

# Rules to run (default: all of them; `topolint rules` lists them) and rules never to run.
# select = ["include-not-found", "parse-error"]
# ignore = ["unknown-directive"]

# Severity per rule: error, warning or info.
[severity]
# duplicate-key = "error"

# Rules to ignore in some files. A glob without `/` matches the file name anywhere.
[per-path-ignores]
# "vendor/**" = ["unknown-directive"]
# "*.template" = ["parse-error"]

# Output defaults (command-line options win).
[output]
# format = "human"   # human, json, sarif, github, junit

# Facts the files cannot say.

# Where an nginx configuration runs, when no compose service or pod mounts it:
# `compose:<service>` or `k8s:<namespace>/<deployment>`.
# [[nginx]]
# config = "deploy/nginx.conf"
# runs-in = "compose:proxy"

# A load balancer in front of the stack that no file describes.
# [[load-balancer]]
# name = "aws-alb"
# idle-timeout = "60s"
# in-front-of = "k8s:shop/ingress-nginx"

[kubernetes]
cluster-domain = "cluster.local"

[istio]
root-namespace = "istio-system"

# WebAssembly rule plugins, pinned by SHA-256 (`sha256sum plugin.wasm`).
# [[plugins]]
# path = "tools/topolint-rules.wasm"
# sha256 = "<64 hexadecimal digits>"
# options = { limit = "20s" }   # passed to the plugin as JSON (see its docs)
# timeout-ms = 1000             # per lint run; then it is stopped (plugin-error)
# memory-mib = 64
"#;
