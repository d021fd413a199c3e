use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "suppression-without-reason",
    layer: Layer::Inputs,
    default_severity: Severity::Warning,
    summary: "a `topolint: ignore` comment or `topolint.io/ignore` annotation does not say why",
    docs: r#"## What it does
Reports inline suppressions that give no reason: a `# topolint: ignore[rule-id]` or
`# topolint: ignore-file[rule-id]` comment with nothing after the brackets, or a
`topolint.io/ignore` annotation entry without a `: reason`. The suppression still works;
this finding asks for the justification.

## Why is this bad?
A suppression hides a broken link on purpose. Months later nobody knows whether the
`include` is created at deploy time or the upstream was simply never fixed, and the next
outage starts with the same 502 the rule was written to catch. A one-line reason lets a
reviewer judge it and lets code scanning show it as the justification of the dismissal.

## Example
```nginx
http {
    # topolint: ignore[include-not-found]
    include /etc/nginx/generated/upstreams.conf;
}
```
```yaml
metadata:
  annotations:
    topolint.io/ignore: "service-selector-matches-no-pods"
```

## How to fix
Say why after the brackets, or after a colon in the annotation:
```nginx
    # topolint: ignore[include-not-found] written by the entrypoint from consul-template
```
```yaml
    topolint.io/ignore: "service-selector-matches-no-pods: pods come from the operator"
```
"#,
};
