use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "unused-suppression",
    layer: Layer::Inputs,
    default_severity: Severity::Warning,
    summary:
        "an inline suppression suppresses nothing: no such finding, an unknown rule, or malformed",
    docs: r#"## What it does
Reports inline suppressions that have no effect:
- `# topolint: ignore[rule-id] reason` when the line it covers (its own line, or for a
  comment alone on its line the next line that is not a comment) has no `rule-id` finding;
- `# topolint: ignore-file[rule-id] reason` when the file has no `rule-id` finding;
- a `topolint.io/ignore: "rule-id: reason"` annotation when the Kubernetes object has no
  `rule-id` finding;
- a suppression naming a rule that does not exist (with the closest rule id);
- a comment that starts with `topolint:` but cannot be read as a suppression.

Suppressions of rules that are switched off for the file (`select`, `ignore`,
`per-path-ignores` in `topolint.toml`) are not reported.

## Why is this bad?
A stale suppression is a hole waiting for the next mistake: when the same rule fires there
again, for a new reason, nobody sees it. A misspelled rule id or a malformed comment looks
like it silences a finding but does not, which is worse than no comment at all.

## Example
```nginx
http {
    # topolint: ignore[include-not-found] the file used to be generated
    include conf.d/*.conf;      # a glob that matches nothing is fine: nothing to suppress
    proxy_pass http://api:8080; # topolint: ignore[upstream-host-unkown] typo in the id
}
```

## How to fix
Delete the suppression (or the one rule id in it that is no longer needed), fix the rule
id, or rewrite the comment as `# topolint: ignore[rule-id] reason`. To keep a suppression
that is expected to be needed again, suppress this rule for the file with
`# topolint: ignore-file[unused-suppression] reason`.
"#,
};
