use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "duplicate-key",
    layer: Layer::Inputs,
    default_severity: Severity::Warning,
    summary: "a YAML mapping defines the same key twice",
    docs: r#"## What it does
Reports a key that appears twice in one YAML mapping, pointing at both.

## Why is this bad?
Loaders disagree about what it means: docker compose refuses the file ("mapping key already
defined"), `kubectl apply` rejects it or silently keeps one value depending on the version
and field. Either way the configuration that runs is not the one you read.

## Example
```yaml
spec:
  ports:
    - port: 80
  ports:
    - port: 8080
```

## How to fix
Keep one of the two keys, merging their values if both were meant.
"#,
};
