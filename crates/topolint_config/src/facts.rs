//! Facts the files cannot say: where an nginx configuration runs, the idle timeout of a
//! load balancer no file describes, the cluster domain, the Istio root namespace.
//!
//! They are plain typed fields here; the topology model maps them into its link options
//! (this crate knows nothing about the model).

use std::path::{Path, PathBuf};
use std::time::Duration;

use topolint_diagnostics::TextRange;

use crate::raw::{DurationValue, RawConfig};
use crate::{span, ConfigError};

/// Default Kubernetes cluster DNS domain.
pub const DEFAULT_CLUSTER_DOMAIN: &str = "cluster.local";
/// Default Istio root namespace.
pub const DEFAULT_ISTIO_ROOT_NAMESPACE: &str = "istio-system";

/// A Kubernetes workload named as `<namespace>/<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubernetesTarget {
    pub namespace: String,
    pub name: String,
}

/// Where something runs or what it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunsIn {
    /// `compose:<service>`.
    Compose { service: String },
    /// `k8s:<namespace>/<deployment>` (any pod-owning workload name).
    Kubernetes(KubernetesTarget),
}

/// `[[nginx]]`: this nginx main configuration runs there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxPlacement {
    /// As written.
    pub config: String,
    /// Resolved against the configuration's directory.
    pub resolved: PathBuf,
    pub runs_in: RunsIn,
    /// The `[[nginx]]` table.
    pub range: TextRange,
}

/// `[[load-balancer]]`: an external load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancerFact {
    pub name: Option<String>,
    pub idle_timeout: Duration,
    /// `None`: in front of the stack's entry point.
    pub in_front_of: Option<RunsIn>,
    /// The `[[load-balancer]]` table.
    pub range: TextRange,
}

/// Everything the configuration states about the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub nginx: Vec<NginxPlacement>,
    pub load_balancers: Vec<LoadBalancerFact>,
    /// `[kubernetes] cluster-domain`, default `cluster.local`.
    pub cluster_domain: String,
    /// `[istio] root-namespace`, default `istio-system`.
    pub istio_root_namespace: String,
}

impl Default for Facts {
    fn default() -> Self {
        Self {
            nginx: Vec::new(),
            load_balancers: Vec::new(),
            cluster_domain: DEFAULT_CLUSTER_DOMAIN.to_string(),
            istio_root_namespace: DEFAULT_ISTIO_ROOT_NAMESPACE.to_string(),
        }
    }
}

type Located<'a> = &'a dyn Fn(TextRange, String, Option<String>) -> ConfigError;

const TARGET_HELP: &str =
    "write `compose:<service>` or `k8s:<namespace>/<deployment>`, e.g. `compose:proxy` or `k8s:shop/nginx`";

pub(crate) fn from_raw(
    raw: &RawConfig,
    root: &Path,
    located: Located<'_>,
) -> Result<Facts, ConfigError> {
    let mut facts = Facts::default();
    for n in &raw.nginx {
        let range = span(n.span());
        let n = n.get_ref();
        let config = n.config.get_ref().trim();
        if config.is_empty() {
            return Err(located(
                span(n.config.span()),
                "empty nginx configuration path".into(),
                Some("give the path of the main configuration, e.g. `deploy/nginx.conf`".into()),
            ));
        }
        let runs_in = target(n.runs_in.get_ref())
            .ok_or_else(|| invalid_target(n.runs_in.get_ref(), span(n.runs_in.span()), located))?;
        facts.nginx.push(NginxPlacement {
            config: config.to_string(),
            resolved: root.join(config),
            runs_in,
            range,
        });
    }
    for lb in &raw.load_balancer {
        let range = span(lb.span());
        let lb = lb.get_ref();
        let idle_timeout = duration(lb.idle_timeout.get_ref()).ok_or_else(|| {
            located(
                span(lb.idle_timeout.span()),
                "invalid duration".into(),
                Some("write a number with a unit (`60s`, `350ms`, `5m`, `1h`) or a number of seconds".into()),
            )
        })?;
        let in_front_of = match &lb.in_front_of {
            Some(t) => Some(
                target(t.get_ref())
                    .ok_or_else(|| invalid_target(t.get_ref(), span(t.span()), located))?,
            ),
            None => None,
        };
        facts.load_balancers.push(LoadBalancerFact {
            name: lb.name.as_ref().map(|n| n.get_ref().trim().to_string()),
            idle_timeout,
            in_front_of,
            range,
        });
    }
    if let Some(d) = &raw.kubernetes.cluster_domain {
        let value = d.get_ref().trim().trim_end_matches('.');
        if !is_dns_name(value) {
            return Err(located(
                span(d.span()),
                format!("`{value}` is not a DNS domain"),
                Some(format!("most clusters use `{DEFAULT_CLUSTER_DOMAIN}`")),
            ));
        }
        facts.cluster_domain = value.to_ascii_lowercase();
    }
    if let Some(ns) = &raw.istio.root_namespace {
        let value = ns.get_ref().trim();
        if !is_label(value) {
            return Err(located(
                span(ns.span()),
                format!("`{value}` is not a Kubernetes namespace name"),
                Some(
                    "namespace names are lowercase letters, digits and `-`, at most 63 characters"
                        .into(),
                ),
            ));
        }
        facts.istio_root_namespace = value.to_string();
    }
    Ok(facts)
}

fn invalid_target(value: &str, range: TextRange, located: Located<'_>) -> ConfigError {
    located(
        range,
        format!("cannot tell where `{value}` is"),
        Some(TARGET_HELP.into()),
    )
}

/// Parses `compose:<service>` or `k8s:<namespace>/<name>`.
pub(crate) fn target(value: &str) -> Option<RunsIn> {
    let value = value.trim();
    if let Some(service) = value.strip_prefix("compose:") {
        let service = service.trim();
        return (!service.is_empty() && !service.contains('/')).then(|| RunsIn::Compose {
            service: service.to_string(),
        });
    }
    let rest = value.strip_prefix("k8s:")?;
    let (namespace, name) = rest.trim().split_once('/')?;
    (is_label(namespace) && !name.is_empty() && !name.contains('/')).then(|| {
        RunsIn::Kubernetes(KubernetesTarget {
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    })
}

/// Parses `60s`, `350ms`, `5m`, `1h` or a number of seconds.
pub(crate) fn duration(value: &DurationValue) -> Option<Duration> {
    match value {
        DurationValue::Seconds(s) => u64::try_from(*s).ok().map(Duration::from_secs),
        DurationValue::Text(t) => {
            let t = t.trim();
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            let (number, unit) = t.split_at(digits);
            let n: u64 = number.parse().ok()?;
            match unit {
                "ms" => Some(Duration::from_millis(n)),
                "s" | "" => Some(Duration::from_secs(n)),
                "m" => n.checked_mul(60).map(Duration::from_secs),
                "h" => n.checked_mul(3600).map(Duration::from_secs),
                _ => None,
            }
        }
    }
}

fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(|l| is_label(&l.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            target("compose:proxy"),
            Some(RunsIn::Compose {
                service: "proxy".into()
            })
        );
        assert_eq!(
            target("k8s:shop/nginx"),
            Some(RunsIn::Kubernetes(KubernetesTarget {
                namespace: "shop".into(),
                name: "nginx".into()
            }))
        );
        assert_eq!(target("k8s:nginx"), None);
        assert_eq!(target("compose:"), None);
        assert_eq!(target("docker:proxy"), None);
        assert_eq!(target("k8s:Shop/nginx"), None);
    }

    #[test]
    fn durations() {
        let d = |s: &str| duration(&DurationValue::Text(s.into()));
        assert_eq!(d("60s"), Some(Duration::from_secs(60)));
        assert_eq!(d("350ms"), Some(Duration::from_millis(350)));
        assert_eq!(d("5m"), Some(Duration::from_secs(300)));
        assert_eq!(d("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(d("60"), Some(Duration::from_secs(60)));
        assert_eq!(d("1.5s"), None);
        assert_eq!(d("s"), None);
        assert_eq!(d("10d"), None);
        assert_eq!(
            duration(&DurationValue::Seconds(-1)),
            None,
            "negative seconds are refused"
        );
        assert_eq!(
            duration(&DurationValue::Seconds(90)),
            Some(Duration::from_secs(90))
        );
    }
}
