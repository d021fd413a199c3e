use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "parse-error",
    layer: Layer::Inputs,
    default_severity: Severity::Error,
    summary: "a file cannot be parsed as the nginx configuration or YAML it claims to be",
    docs: r#"## What it does
Reports every place where an nginx configuration or a YAML file (compose, Kubernetes, Istio)
does not parse, with the exact line and column and, where the mistake is a common one, what to
change. Parsing recovers after an error: the directives and documents after it are still read
and still linted, and the other files are never affected.

## Why is this bad?
nginx refuses to start (`nginx: [emerg] unexpected "}"`), `kubectl apply` and `docker compose
up` reject the file. Worse, while the file is broken none of topolint's cross-file checks can
see what it says, so the links it defines are unchecked.

## Example
```nginx
server {
    listen 80
    location / { proxy_pass http://api:8080; }
}
```
```text
error[parse-error]: missing `;` at the end of line 2?
```

An unquoted regular expression with braces opens a block in nginx:
```nginx
location ~ ^/a{2}$ { return 204; }
```

## How to fix
Follow the message: add the missing `;`, close the block, close the quote, quote the regular
expression (`location ~ "^/a{2}$" { ... }`), or fix the YAML indentation (spaces only, never
tabs).
"#,
};
