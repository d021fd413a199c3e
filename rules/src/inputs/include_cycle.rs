use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "include-cycle",
    layer: Layer::Inputs,
    default_severity: Severity::Error,
    summary: "nginx `include`s form a cycle",
    docs: r#"## What it does
Follows nginx `include`s from each main configuration and reports an include that pulls in a
file already being included further up the chain, naming the whole chain. Chains nested more
than 64 levels deep are reported under the same id and not followed further.

## Why is this bad?
nginx expands includes eagerly: a cycle makes it include the same files again and again until
it fails, and it never starts.

## Example
```nginx
# nginx.conf
include conf.d/*.conf;
# conf.d/a.conf
include nginx.conf;
```

## How to fix
Remove the include that closes the cycle; shared snippets should be included by the main
configuration (or a server block), never include their includer.
"#,
};
