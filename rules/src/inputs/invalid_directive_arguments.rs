use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "invalid-directive-arguments",
    layer: Layer::Inputs,
    default_severity: Severity::Error,
    summary: "an nginx directive has a number of arguments nginx does not accept",
    docs: r#"## What it does
Checks the number of arguments of every known nginx directive against what nginx accepts
(`user` takes 1 or 2, `proxy_pass` exactly 1, `gzip` is `on` or `off`, ...). Directives
whose syntax differs between modules are only checked against the most permissive form.

## Why is this bad?
nginx refuses to start: `invalid number of arguments in "user" directive`.

## Example
```nginx
user;
events {}
```

## How to fix
Give the directive the arguments its documentation lists (`user nginx;`), or remove it.
"#,
};
