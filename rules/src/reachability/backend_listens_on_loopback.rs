//! `backend-listens-on-loopback`

use topolint_diagnostics::Severity;
use topolint_model::{is_loopback, EdgeStatus};

use super::{netns_group, refused, via};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "backend-listens-on-loopback",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a proxied backend only listens on 127.0.0.1/localhost inside its container",
    docs: r#"## What it does
Finds a backend that a caller in ANOTHER container or pod reaches, whose server binds only the
loopback interface, so nothing from outside its own network namespace can connect. topolint
reads the bind address from the compose `command`/`entrypoint`/`environment` and the
Kubernetes `command`/`args`/`env`, and knows the defaults of the servers people put behind a
proxy:

| server | how it is started | default bind |
|---|---|---|
| gunicorn | `gunicorn app:app` (no `-b`/`--bind`) | `127.0.0.1:8000` |
| uvicorn | `uvicorn app:app` (no `--host`) | `127.0.0.1:8000` |
| hypercorn | `hypercorn app:app` (no `-b`) | `127.0.0.1:8000` |
| Flask | `flask run` (no `--host`, no `FLASK_RUN_HOST`) | `127.0.0.1:5000` |
| FastAPI CLI | `fastapi dev` / `fastapi run` | `127.0.0.1:8000` / `0.0.0.0:8000` |
| Django | `python manage.py runserver` (no address) | `127.0.0.1:8000` |
| Rails | `rails server` / `rails s` (no `-b`, no `BINDING`) | `localhost:3000` |
| Puma | `puma` (no `-b`) | `0.0.0.0:9292` |
| Vite | `vite` (no `--host`) | `localhost:5173` |
| webpack-dev-server | `webpack serve` (no `--host`) | `localhost:8080` |
| Next.js | `next dev` / `next start` | not reported (binds all interfaces unless `-H`) |
| Spring Boot | `--server.address=` / `SERVER_ADDRESS` | all interfaces unless set |
| any server | `HOST=127.0.0.1` with `PORT=...` in the environment | as given |

Explicit values count too: `--host 127.0.0.1`, `-b localhost:8000`, `HOST=127.0.0.1`,
`--server.address=127.0.0.1`.

It does not fire when the caller shares the backend's network namespace (same pod, compose
`network_mode: service:x`), when the bind is `0.0.0.0`, `::` or `[::]`, when the value comes
from a variable (`--host $HOST`), or for servers topolint does not know (silent, never a guess).
PHP-FPM pool files (`listen = 127.0.0.1:9000`) and Go source are not read.

## Why is this bad?
The server accepts connections only from inside its own container. The proxy's connection is
refused: nginx logs `connect() failed (111: Connection refused) while connecting to upstream`
and answers 502; in a mesh, `upstream connect error or disconnect/reset before headers`.
It works on a laptop, where both run on the same host.

## Example
```yaml
services:
  api:
    command: uvicorn main:app --port 8000
```
```nginx
proxy_pass http://api:8000;
```

## How to fix
Bind all interfaces: `uvicorn main:app --host 0.0.0.0 --port 8000` (`gunicorn -b 0.0.0.0:8000`,
`flask run --host 0.0.0.0`, `rails s -b 0.0.0.0`, `vite --host`).
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for e in &t.edges {
        if e.status != EdgeStatus::Resolved {
            continue;
        }
        let Some(target) = &e.target else { continue };
        let caller = e.caller_workload.as_deref().and_then(|w| t.workload(w));
        for ep in &target.endpoints {
            let Some(w) = t.workload(&ep.workload) else {
                continue;
            };
            // Same network namespace: loopback is fine.
            if let Some(c) = caller {
                if netns_group(t, w).iter().any(|g| g.id == c.id) {
                    continue;
                }
            }
            let port = ep.port.or(e.port);
            for c in &w.containers {
                for l in &c.listeners {
                    let Some(bind) = &l.bind else { continue };
                    if !is_loopback(bind) || bind == "0.0.0.0" {
                        continue;
                    }
                    if port.is_some() && l.port.is_some() && port != l.port {
                        continue;
                    }
                    let how = if l.default_bind {
                        format!("`{}` binds {bind} by default", l.server)
                    } else {
                        format!("`{}` is told to bind {bind}", l.server)
                    };
                    let fix = match l.server.as_str() {
                        "gunicorn" | "hypercorn" => "`-b 0.0.0.0:<port>`",
                        "uvicorn" | "flask" | "fastapi" | "vite" | "webpack-dev-server" => {
                            "`--host 0.0.0.0`"
                        }
                        "django" => "`runserver 0.0.0.0:<port>`",
                        "rails" | "puma" => "`-b 0.0.0.0`",
                        "spring-boot" => "`server.address=0.0.0.0` (or remove it)",
                        _ => "a bind address of `0.0.0.0`",
                    };
                    report.push(
                        Finding::new(
                            l.span,
                            format!("`{}` listens on {bind}:{} only, but {} reaches it from another container", w.name, l.port.map_or("?".to_string(), |p| p.to_string()), via(e)),
                        )
                        .label(how)
                        .evidence(e.span, format!("{} calls `{}` from outside its container", via(e), e.host))
                        .help(format!(
                            "a server bound to {bind} accepts connections only from its own container: {}; start it with {fix}",
                            refused(e)
                        )),
                    );
                }
            }
        }
    }
}
