use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "helm-template-skipped",
    layer: Layer::Inputs,
    default_severity: Severity::Info,
    summary: "Helm chart templates are not linted until rendered",
    docs: r#"## What it does
Recognises YAML files in a Helm chart's `templates/` directory (a `Chart.yaml` beside it)
that use Go template syntax, skips them, and says so once per chart.

## Why is this bad?
A template is not YAML until Helm renders it: parsing it would give false parse errors, and
its Services and Deployments would be missing from the model anyway.

## Example
```yaml
# charts/api/templates/service.yaml
metadata:
  name: {{ include "api.fullname" . }}
```

## How to fix
Render the chart and lint the result: `helm template charts/api | topolint check -`.
"#,
};
