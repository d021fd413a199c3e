//! The file as written: serde structs that keep every value's span (for located errors)
//! and carry the doc comments the JSON schema is generated from. [`crate::Config`] is the
//! validated form the rest of topolint uses.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// topolint's configuration file. topolint looks for `topolint.toml` in the directory of
/// the linted path and then in each parent directory; `--config FILE` names one
/// explicitly. Paths and globs in it are relative to the directory that holds it.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "topolint.toml")]
pub(crate) struct RawConfig {
    /// Rule ids to run. When absent, every rule runs.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub select: Option<Vec<Spanned<String>>>,

    /// Rule ids never to run (applied after `select`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ignore: Vec<Spanned<String>>,

    /// Severity per rule id, replacing the rule's default: `error`, `warning` or `info`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, SeverityName>")]
    pub severity: BTreeMap<Spanned<String>, Spanned<SeverityName>>,

    /// Rule ids to ignore in files matching a glob, e.g. `"vendor/**" = ["unknown-directive"]`.
    /// A glob without `/` matches the file name in any directory; `*` stays within one
    /// directory, `**` crosses directories.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    pub per_path_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,

    /// `topolint check` exits with 1 when a finding at or above this severity is reported
    /// (default `warning`); `--fail-on` overrides it.
    #[serde(default)]
    #[schemars(with = "SeverityName")]
    pub fail_on: Option<Spanned<SeverityName>>,

    /// Output defaults; command-line options override them.
    #[serde(default)]
    pub output: RawOutput,

    /// WebAssembly rule plugins, each pinned by the SHA-256 of its file.
    #[serde(default)]
    #[schemars(with = "Vec<RawPlugin>")]
    pub plugins: Vec<Spanned<RawPlugin>>,

    /// Where an nginx configuration runs, when the files cannot tell (no compose service or
    /// pod mounts it).
    #[serde(default)]
    #[schemars(with = "Vec<RawNginx>")]
    pub nginx: Vec<Spanned<RawNginx>>,

    /// External load balancers in front of the stack (cloud LBs that no file describes).
    #[serde(default)]
    #[schemars(with = "Vec<RawLoadBalancer>")]
    pub load_balancer: Vec<Spanned<RawLoadBalancer>>,

    /// Facts about the Kubernetes cluster.
    #[serde(default)]
    pub kubernetes: RawKubernetes,

    /// Facts about the Istio installation.
    #[serde(default)]
    pub istio: RawIstio,
}

/// A severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Severity")]
pub(crate) enum SeverityName {
    Error,
    Warning,
    Info,
}

/// An output format of `topolint check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Format")]
pub(crate) enum FormatName {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
}

/// Output defaults.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Output")]
pub(crate) struct RawOutput {
    /// The default `--format`: `human`, `json`, `sarif`, `github` or `junit`.
    #[serde(default)]
    #[schemars(with = "FormatName")]
    pub format: Option<Spanned<FormatName>>,
}

/// A WebAssembly rule plugin.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Plugin")]
pub(crate) struct RawPlugin {
    /// Path of the `.wasm` file, relative to this configuration file.
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// SHA-256 of the file, 64 hexadecimal digits; a plugin whose file differs is refused.
    #[schemars(with = "String", regex(pattern = r"^[0-9a-fA-F]{64}$"))]
    pub sha256: Spanned<String>,
    /// Options for the plugin, passed to it as a JSON object (its documentation lists
    /// them), e.g. `options = { limit = "20s" }`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub options: Option<Spanned<toml::Table>>,
    /// How long the plugin may run per lint run, in milliseconds (default 1000); past it,
    /// it is stopped and reported as `plugin-error`.
    #[serde(default)]
    #[schemars(with = "u64", range(min = 1, max = 600000))]
    pub timeout_ms: Option<Spanned<i64>>,
    /// How much memory the plugin may use, in MiB (default 64).
    #[serde(default)]
    #[schemars(with = "u64", range(min = 1, max = 4096))]
    pub memory_mib: Option<Spanned<i64>>,
}

/// Where one nginx main configuration runs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Nginx")]
pub(crate) struct RawNginx {
    /// The nginx main configuration file, relative to this configuration file.
    #[schemars(with = "String")]
    pub config: Spanned<String>,
    /// Where it runs: `compose:<service>` or `k8s:<namespace>/<deployment>`.
    #[schemars(with = "String", regex(pattern = r"^(compose:[^/]+|k8s:[^/]+/[^/]+)$"))]
    pub runs_in: Spanned<String>,
}

/// An external load balancer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "LoadBalancer")]
pub(crate) struct RawLoadBalancer {
    /// A name to show in findings, e.g. `aws-alb`.
    #[serde(default)]
    #[schemars(with = "String")]
    pub name: Option<Spanned<String>>,
    /// How long the load balancer keeps an idle connection open: `60s`, `350ms`, `5m`,
    /// `1h`, or a number of seconds.
    #[schemars(with = "DurationSchema")]
    pub idle_timeout: Spanned<DurationValue>,
    /// What it forwards to: `compose:<service>` or `k8s:<namespace>/<name>`; when absent,
    /// the entry point of the stack.
    #[serde(default)]
    #[schemars(with = "String")]
    pub in_front_of: Option<Spanned<String>>,
}

/// A duration as written: a number of seconds or a string with a unit.
#[derive(Debug, Clone)]
pub(crate) enum DurationValue {
    Seconds(i64),
    Text(String),
}

impl<'de> Deserialize<'de> for DurationValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DurationValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a duration like `60s`, `350ms`, `5m` or a number of seconds")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DurationValue, E> {
                Ok(DurationValue::Seconds(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DurationValue, E> {
                Ok(DurationValue::Seconds(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DurationValue, E> {
                Ok(DurationValue::Text(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A duration: a string with a unit (`ms`, `s`, `m`, `h`) or a number of seconds.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only describes the schema of `DurationValue`
#[schemars(rename = "Duration")]
pub(crate) enum DurationSchema {
    Seconds(#[schemars(range(min = 0))] u64),
    Text(#[schemars(regex(pattern = r"^[0-9]+(ms|s|m|h)$"))] String),
}

/// Facts about the Kubernetes cluster.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Kubernetes")]
pub(crate) struct RawKubernetes {
    /// The cluster's DNS domain (`<service>.<namespace>.svc.<cluster-domain>`).
    #[serde(default)]
    #[schemars(with = "String", extend("default" = "cluster.local"))]
    pub cluster_domain: Option<Spanned<String>>,
}

/// Facts about the Istio installation.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Istio")]
pub(crate) struct RawIstio {
    /// The Istio root namespace: mesh-wide policies live there.
    #[serde(default)]
    #[schemars(with = "String", extend("default" = "istio-system"))]
    pub root_namespace: Option<Spanned<String>>,
}
