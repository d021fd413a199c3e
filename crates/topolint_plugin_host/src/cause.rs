//! Why a plugin failed, in words: the `plugin-error` finding.

use std::time::Duration;

use topolint_diagnostics::{Diagnostic, Label, Severity};

/// What went wrong with a plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cause {
    pub kind: Kind,
    /// Completes "plugin `x` (path) ...": lowercase, no trailing period.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Not a component, wrong ABI version, bad metadata.
    Load,
    Timeout,
    Memory,
    /// Reached for a capability the sandbox does not grant.
    Denied,
    /// Trapped or panicked.
    Crash,
    /// Output that breaks the ABI's rules.
    Malformed,
    /// `check` returned an error.
    Reported,
}

impl Cause {
    pub fn new(kind: Kind, text: impl Into<String>) -> Self {
        Self {
            kind,
            text: text.into(),
        }
    }

    fn help(&self) -> &'static str {
        match self.kind {
            Kind::Load => "build the plugin for `wasm32-wasip2` against this topolint's ABI (docs/plugins.md); `topolint plugin new NAME` scaffolds one",
            Kind::Timeout => "the plugin is stuck or too slow for this topology: report it to its author, or raise `timeout-ms` for it in topolint.toml",
            Kind::Memory => "the plugin needs more memory than it may use: report it to its author, or raise `memory-mib` for it in topolint.toml",
            Kind::Denied => "plugins run without file system, network, clock or environment: a plugin must work from the model document alone",
            Kind::Crash => "report the crash to the plugin's author; the other rules ran as usual",
            Kind::Malformed => "the plugin breaks the ABI (docs/plugins.md): rebuild it with a current topolint_plugin_sdk or report it to its author",
            Kind::Reported => "the plugin could not check this topology; its message says why (check its `options` in topolint.toml)",
        }
    }
}

/// The `plugin-error` finding.
pub(crate) fn diagnostic(
    name: Option<&str>,
    display: &str,
    anchor: &Label,
    cause: &Cause,
) -> Diagnostic {
    let who = match name {
        Some(n) => format!("plugin `{n}` (`{display}`)"),
        None => format!("plugin `{display}`"),
    };
    Diagnostic::new(
        crate::PLUGIN_ERROR,
        Severity::Error,
        format!("{who} {}", cause.text),
        anchor.clone(),
    )
    .with_help(cause.help())
}

pub(crate) fn show_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

fn show_bytes(b: usize) -> String {
    if b >= 1 << 20 && b.is_multiple_of(1 << 20) {
        format!("{} MiB", b >> 20)
    } else if b >= 1 << 20 {
        format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
    } else {
        format!("{b} bytes")
    }
}

/// The interesting part of what the plugin wrote to stderr/stdout: a Rust panic's location
/// and message, or the last lines.
pub(crate) fn output_excerpt(output: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.starts_with("note: run with `RUST_BACKTRACE"))
        .collect();
    if lines.is_empty() {
        return None;
    }
    // `thread '<unnamed>' panicked at src/lib.rs:5:9:` then the message.
    let start = lines
        .iter()
        .rposition(|l| l.contains(" panicked at "))
        .unwrap_or(lines.len().saturating_sub(5));
    let mut excerpt = lines[start..].join(" ");
    if let Some(i) = excerpt.find("panicked at ") {
        excerpt = excerpt[i..].to_string();
    }
    const MAX: usize = 1000;
    if excerpt.len() > MAX {
        let mut cut = MAX;
        while !excerpt.is_char_boundary(cut) {
            cut -= 1;
        }
        excerpt.truncate(cut);
        excerpt.push('…');
    }
    Some(excerpt)
}

/// Turns an error from instantiating or calling a plugin into a cause.
pub(crate) fn from_error(
    err: &wasmtime::Error,
    output: &[u8],
    timeout: Duration,
    memory_limit: usize,
    during: &str,
) -> Cause {
    let chain = format!("{err:#}");
    let excerpt = output_excerpt(output);
    let with_output = |text: String| match &excerpt {
        Some(e) => format!("{text}; it wrote: {e}"),
        None => text,
    };
    if let Some(trap) = err.downcast_ref::<wasmtime::Trap>() {
        if *trap == wasmtime::Trap::Interrupt {
            return Cause::new(
                Kind::Timeout,
                format!("did not finish {during} within {}", show_duration(timeout)),
            );
        }
    }
    if let Some(exit) = err.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return Cause::new(
            Kind::Crash,
            with_output(format!("exited with status {} {during}", exit.0)),
        );
    }
    if let Some(i) = chain.find("forcing trap when growing memory to ") {
        let asked = chain[i + "forcing trap when growing memory to ".len()..]
            .split(' ')
            .next()
            .and_then(|n| n.parse::<usize>().ok());
        let asked = asked.map(|a| format!(" (it asked for {})", show_bytes(a)));
        return Cause::new(
            Kind::Memory,
            format!(
                "ran out of memory {during}: the limit is {}{}",
                show_bytes(memory_limit),
                asked.unwrap_or_default()
            ),
        );
    }
    if chain.contains("memory minimum size") || chain.contains("exceeds memory limits") {
        return Cause::new(
            Kind::Memory,
            format!(
                "needs more memory than its limit of {} to start",
                show_bytes(memory_limit)
            ),
        );
    }
    if let Some(i) = chain.find("unknown import: `") {
        let name = chain[i + "unknown import: `".len()..]
            .split('`')
            .next()
            .unwrap_or("?");
        let what = capability(name);
        return Cause::new(
            Kind::Denied,
            with_output(format!(
                "tried to use {what} (`{name}`) {during}, which plugins are not granted"
            )),
        );
    }
    if err.downcast_ref::<wasmtime::Trap>().is_some() {
        let trap = err
            .downcast_ref::<wasmtime::Trap>()
            .map(|t| t.to_string())
            .unwrap_or_default();
        return match excerpt {
            Some(e) if e.starts_with("panicked at ") => {
                Cause::new(Kind::Crash, format!("{e} ({during})"))
            }
            _ => Cause::new(
                Kind::Crash,
                with_output(format!("crashed {during}: {trap}")),
            ),
        };
    }
    // Not a trap: the host refused what the plugin handed over (lifting its results).
    let root = err.root_cause().to_string();
    let first = root.lines().next().unwrap_or("").trim();
    Cause::new(
        Kind::Malformed,
        format!("returned malformed output {during}: {first}"),
    )
}

/// Names the capability behind a WASI import.
fn capability(import: &str) -> &'static str {
    let interface = import.split('@').next().unwrap_or(import);
    match interface.split('/').next() {
        Some("wasi:filesystem") => "the file system",
        Some("wasi:sockets") => "the network",
        Some("wasi:http") => "the network",
        Some("wasi:clocks") => "the clock",
        Some("wasi:cli") if interface.ends_with("environment") => "the environment",
        _ => "a host capability",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_extracted() {
        let stderr = b"\nthread '<unnamed>' panicked at src/lib.rs:27:9:\nthe plugin gave up\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(
            output_excerpt(stderr).as_deref(),
            Some("panicked at src/lib.rs:27:9: the plugin gave up")
        );
        assert_eq!(output_excerpt(b"  \n"), None);
        assert_eq!(output_excerpt(b"a\nb\n").as_deref(), Some("a b"));
        let long = "x".repeat(5000);
        assert!(output_excerpt(long.as_bytes()).unwrap().chars().count() <= 1001);
    }

    #[test]
    fn capabilities_are_named() {
        assert_eq!(
            capability("wasi:filesystem/preopens@0.2.6#get-directories"),
            "the file system"
        );
        assert_eq!(
            capability("wasi:sockets/tcp-create-socket@0.2.0#create-tcp-socket"),
            "the network"
        );
        assert_eq!(capability("wasi:clocks/wall-clock@0.2.0#now"), "the clock");
        assert_eq!(capability("acme:thing/x#y"), "a host capability");
    }

    #[test]
    fn sizes_and_durations() {
        assert_eq!(show_bytes(64 << 20), "64 MiB");
        assert_eq!(show_bytes(3 << 19), "1.5 MiB");
        assert_eq!(show_bytes(100), "100 bytes");
        assert_eq!(show_duration(Duration::from_secs(1)), "1s");
        assert_eq!(show_duration(Duration::from_millis(250)), "250ms");
    }
}
