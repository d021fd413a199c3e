use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "file-skipped",
    layer: Layer::Inputs,
    default_severity: Severity::Info,
    summary: "a file was not linted: too large, binary, unreadable, or a symbolic link loop",
    docs: r#"## What it does
Says which files topolint did not read and why: larger than `--max-file-size` (default 16 MiB;
such a file is never read into memory), binary content in a file named like a configuration,
a read error, a symbolic link loop met while walking, or a file named on the command line
that is none of the kinds topolint lints.

## Why is this bad?
It is not wrong in itself, but whatever the file defines is missing from the model, so
topolint may stay silent about links that pass through it. The note makes the gap visible.

## Example
```text
info[file-skipped]: skipped: the file is 100.0 MiB, over the 16.0 MiB limit
```

## How to fix
Raise `--max-file-size` if the file is a real configuration, remove the symbolic link loop,
or exclude the file with `.gitignore`/`.ignore`.
"#,
};
