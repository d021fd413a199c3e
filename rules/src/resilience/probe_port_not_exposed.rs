//! `probe-port-not-exposed`

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "probe-port-not-exposed",
    layer: Layer::Resilience,
    default_severity: Severity::Error,
    summary: "a probe checks a port the container does not declare",
    docs: r#"## What it does
Checks the port of every `httpGet`, `tcpSocket` and `grpc` probe against the container's
declared ports: a port NAME must be the name of one of its `ports`; a port NUMBER must be one
of its `containerPort`s. When the container declares no ports at all, a numeric probe port
is only an info (containerPort is informational; the server may still listen there).

It does not fire for `exec` probes.

## Why is this bad?
A named port that does not exist makes the probe fail outright (`port "http" not found`);
a wrong number probes a port nothing listens on. A failing readiness probe keeps the pod out
of its Service (503, no endpoints); a failing liveness probe restarts it forever
(`CrashLoopBackOff`).

## Example
```yaml
ports: [{ name: web, containerPort: 8080 }]
readinessProbe: { httpGet: { path: /ready, port: http } }
```

## How to fix
Use the name or number of a declared port (`port: web` or `port: 8080`).
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    for w in ctx
        .topology
        .workloads
        .iter()
        .filter(|w| w.platform == Platform::Kubernetes)
    {
        for c in &w.containers {
            for p in &c.probes {
                let Some(port) = &p.port else { continue };
                if p.handler == "exec" {
                    continue;
                }
                let declared: Vec<String> = c
                    .ports
                    .iter()
                    .map(|cp| match &cp.name {
                        Some(n) => format!("{} ({n})", cp.port),
                        None => cp.port.to_string(),
                    })
                    .collect();
                match port.parse::<u16>() {
                    Ok(n) => {
                        if c.ports.iter().any(|cp| cp.port == n) {
                            continue;
                        }
                        let mut f = Finding::new(p.span, format!("the {} probe of `{}` checks port {n}, which the container does not declare", p.kind, c.name))
                            .label(format!("port {n}"))
                            .evidence(c.span, format!("`{}` declares {}", c.name, if declared.is_empty() { "no ports".into() } else { declared.join(", ") }))
                            .help(format!(
                                "if nothing listens on {n} the probe fails: a readiness probe keeps the pod out of its Service (503), a liveness probe restarts it (`CrashLoopBackOff`); probe a declared port or declare {n}"
                            ));
                        if c.ports.is_empty() {
                            f = f.severity(Severity::Info);
                        }
                        report.push(f);
                    }
                    Err(_) => {
                        if c.ports
                            .iter()
                            .any(|cp| cp.name.as_deref() == Some(port.as_str()))
                        {
                            continue;
                        }
                        report.push(
                            Finding::new(p.span, format!("the {} probe of `{}` uses port `{port}`, which names no port of the container", p.kind, c.name))
                                .label(format!("no port named `{port}`"))
                                .evidence(c.span, format!("`{}` declares {}", c.name, if declared.is_empty() { "no ports".into() } else { declared.join(", ") }))
                                .help(format!(
                                    "the kubelet cannot resolve the port and the probe always fails: readiness keeps the pod out of its Service (503), liveness restarts it (`CrashLoopBackOff`); name a container port `{port}` or use a declared one"
                                )),
                        );
                    }
                }
            }
        }
    }
}
