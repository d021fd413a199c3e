use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "unknown-directive",
    layer: Layer::Inputs,
    default_severity: Severity::Error,
    summary: "an nginx directive name is a misspelling of a known directive",
    docs: r#"## What it does
Reports a directive whose name nginx does not know and that is one typo away from a
directive it does know (`proxy_passs`, `proxy_set_headers`), and says which one was meant.
The table holds every directive of nginx, nginx Plus and njs. Names of third-party modules
(`more_set_headers`, `*_by_lua_block`, `brotli_*`, ...) are not reported, nor is anything
inside blocks whose syntax is not nginx's (`types`, `map`, Lua bodies, unknown blocks).

## Why is this bad?
nginx refuses to start: `unknown directive "proxy_passs"`. A container running it restarts
in a loop and the proxy in front of it answers 502.

## Example
```nginx
location / {
    proxy_passs http://api:8080;
}
```

## How to fix
Correct the name (`proxy_pass`).
"#,
};
