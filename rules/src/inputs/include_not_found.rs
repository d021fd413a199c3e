use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "include-not-found",
    layer: Layer::Inputs,
    default_severity: Severity::Error,
    summary: "an nginx `include` names a file that does not exist",
    docs: r#"## What it does
Resolves every nginx `include` the way nginx does — a relative path from the directory of the
main configuration (not of the including file), globs sorted, a leading `.` matched only
literally — and reports a plain path that names no file. A glob that matches nothing is fine,
as it is for nginx. `/etc/nginx/...` paths are looked up in the configuration tree that is
mounted there; other absolute paths that are not in the repository are unknown, not errors.

## Why is this bad?
nginx refuses to start: `open() "/etc/nginx/h5bp/basic.conf" failed (2: No such file or
directory)`. In a container that means a restart loop and a 502 from whatever sits in front.

## Example
```nginx
# nginx.conf
http {
    include h5bp/basic.conf;   # but the directory is called h5bp-rules/
}
```

## How to fix
Create the file, or correct the path. Remember that nested includes are relative to the main
configuration's directory, so `include h5bp/tls.conf;` inside `conf.d/site.conf` means
`<prefix>/h5bp/tls.conf`, not `conf.d/h5bp/tls.conf`.
"#,
};
