use topolint_diagnostics::Severity;

use crate::{Layer, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "plugin-error",
    layer: Layer::Inputs,
    default_severity: Severity::Error,
    summary: "a WebAssembly rule plugin failed: it did not load, crashed, ran out of time or memory, or returned invalid findings",
    docs: r#"## What it does
Reports a rule plugin (`[[plugins]]` in topolint.toml, or `--plugin FILE`) that could not do
its job, naming the plugin and the cause:
- it does not load: not a WebAssembly component, built for another ABI version, metadata
  that breaks the rules (rule ids that are not kebab-case or that are already taken by a
  built-in rule or another plugin);
- it does not finish within its deadline (1s per lint run unless `timeout-ms` says
  otherwise), or needs more memory than its cap (64 MiB unless `memory-mib` says otherwise);
- it traps or panics (the panic message is quoted from its stderr);
- it reaches for something the sandbox does not grant: the file system, the network, the
  clock or the environment;
- it returns output that breaks the ABI: text that is not UTF-8, a finding under a rule it
  did not declare, a span outside the files of the model, more than 10 000 findings;
- its check returns an error (invalid `options`, say).

The finding points at the plugin's `[[plugins]]` entry in topolint.toml (or at the plugin
file given with `--plugin`). The other plugins and every built-in rule run as usual, and
their findings are the same as without the broken plugin.

## Why is this bad?
The rules the plugin implements did not run, so whatever they guard is unchecked: a silent
pass would look like a clean bill of health.

## Example
```text
error[plugin-error]: plugin `require-timeouts` (`plugins/require_timeouts.wasm`) did not finish while checking within 1s
 --> topolint.toml:4:1
  = help: the plugin is stuck or too slow for this topology: report it to its author, or raise `timeout-ms` for it in topolint.toml
```

## How to fix
Follow the help of the finding: rebuild the plugin for `wasm32-wasip2` against this
topolint's ABI (docs/plugins.md), fix its `options`, raise its `timeout-ms` or `memory-mib`
in topolint.toml when the topology is large, or report the crash to the plugin's author.
Remove the `[[plugins]]` entry to stop running it.
"#,
};
