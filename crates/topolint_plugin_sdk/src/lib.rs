//! Write topolint rules as WebAssembly plugins.
//!
//! A plugin is one implementation of [`Plugin`] and one [`export_plugin!`]:
//!
//! ```
//! use topolint_plugin_sdk::{export_plugin, Context, Finding, Plugin, Report, RuleMeta, Severity};
//!
//! struct NoPort8080;
//!
//! impl Plugin for NoPort8080 {
//!     const NAME: &'static str = "no-port-8080";
//!     const VERSION: &'static str = "1.0.0";
//!
//!     fn rules() -> Vec<RuleMeta> {
//!         vec![RuleMeta::new("no-port-8080", Severity::Warning, "a service listens on port 8080")
//!             .docs("## What it does\nReports services on port 8080.\n")]
//!     }
//!
//!     fn check(ctx: &Context<'_>, report: &mut Report) -> topolint_plugin_sdk::Result<()> {
//!         for service in &ctx.topology().services {
//!             for port in service.ports.iter().filter(|p| p.port == 8080) {
//!                 report.push(
//!                     Finding::new("no-port-8080", port.span, format!("`{}` uses port 8080", service.name))
//!                         .help("pick another port"),
//!                 );
//!             }
//!         }
//!         Ok(())
//!     }
//! }
//!
//! export_plugin!(NoPort8080);
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2` and point topolint at the
//! `.wasm` file (`topolint check --plugin FILE`, or `[[plugins]]` in topolint.toml).
//!
//! The plugin receives the versioned model document (docs/model.md) as JSON; [`model`]
//! gives it typed access to the documented fields ([`Context::document`] has the raw text
//! for anything else). Findings point at [`Span`]s taken from the model, so they are
//! always inside a file; [`Span`] has helpers to narrow or join them. With the `testing`
//! feature, [`testing`] runs a plugin natively against a folder of fixture files, through
//! the same JSON document the host passes.
//!
//! The ABI (wit/plugin.wit) is documented in prose in docs/plugins.md.

mod glue;
pub mod model;
mod report;
#[cfg(all(feature = "testing", not(target_arch = "wasm32")))]
pub mod testing;

pub use model::{Span, Topology};
pub use report::{Finding, Label, Report, RuleMeta, Severity};
/// The JSON library the SDK reads the document and the options with (for `json!` in tests
/// and for [`Context::options`] values).
pub use serde_json;

/// The version of the ABI (wit/plugin.wit) this SDK builds plugins for.
pub const ABI_VERSION: &str = "1.0.0";

/// The model document's `schema` this SDK reads.
pub const MODEL_SCHEMA: u32 = 1;

/// Why a plugin's check failed: shown in a `plugin-error` finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

/// The result of [`Plugin::check`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A topolint plugin: its identity, its rules and their check.
pub trait Plugin {
    /// Kebab-case name, shown in `plugin-error` findings about it.
    const NAME: &'static str;
    /// The plugin's own version (usually `env!("CARGO_PKG_VERSION")`).
    const VERSION: &'static str;

    /// The rules this plugin reports under. Ids are kebab-case and must not be the id of a
    /// built-in rule or of another loaded plugin's rule.
    fn rules() -> Vec<RuleMeta>;

    /// Checks one topology. Findings go to `report`; an `Err` (bad options, say) becomes a
    /// `plugin-error` finding and the lint goes on.
    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()>;
}

/// What a check sees.
pub struct Context<'a> {
    topology: &'a Topology,
    options: &'a serde_json::Map<String, serde_json::Value>,
    document: &'a str,
}

impl<'a> Context<'a> {
    /// A context over a parsed model (for tests of helpers; plugins get theirs from the
    /// host).
    pub fn new(
        topology: &'a Topology,
        options: &'a serde_json::Map<String, serde_json::Value>,
        document: &'a str,
    ) -> Self {
        Self {
            topology,
            options,
            document,
        }
    }

    /// The model, typed.
    pub fn topology(&self) -> &'a Topology {
        self.topology
    }

    /// The raw model document (JSON), for fields [`model`] does not type.
    pub fn document(&self) -> &'a str {
        self.document
    }

    /// The plugin's `options` table from topolint.toml, as JSON values.
    pub fn options(&self) -> &'a serde_json::Map<String, serde_json::Value> {
        self.options
    }

    /// The options read into a type (derive `serde::Deserialize`, with `#[serde(default)]`
    /// for optional keys and `deny_unknown_fields` to catch typos).
    pub fn options_as<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(serde_json::Value::Object(self.options.clone()))
            .map_err(|e| Error(format!("invalid options: {e}")))
    }

    /// The path of a file of the model, as topolint shows it.
    pub fn path(&self, file: u32) -> Option<&'a str> {
        self.topology.file(file).map(|f| f.path.as_str())
    }
}

/// Parses a duration as nginx and topolint.toml write them (`30s`, `1500ms`, `2m`, `1h`,
/// `1m30s`, or a bare number of seconds) into milliseconds.
pub fn parse_duration_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return seconds.checked_mul(1000);
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let value: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let factor = match &rest[..unit_len] {
            "ms" => 1,
            "s" | "" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(value.checked_mul(factor)?)?;
    }
    Some(total)
}

/// Exports a [`Plugin`] implementation as the plugin's component exports. Use it once, at
/// the crate root of a `cdylib` built for `wasm32-wasip2`.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        const _: () = {
            struct TopolintPluginExports;

            impl $crate::__bindings::exports::topolint::plugin::rules::Guest for TopolintPluginExports {
                fn metadata() -> $crate::__bindings::topolint::plugin::types::PluginMeta {
                    $crate::__glue::metadata::<$plugin>()
                }

                fn check(
                    topology: ::std::string::String,
                    options: ::std::string::String,
                ) -> ::std::result::Result<
                    ::std::vec::Vec<$crate::__bindings::topolint::plugin::types::Finding>,
                    ::std::string::String,
                > {
                    $crate::__glue::check::<$plugin>(&topology, &options)
                }
            }

            // The component exports exist only in the WebAssembly build: their symbol
            // names (`topolint:plugin/rules@1.0.0#check`) are not valid in a native
            // shared library, and native builds (`cargo test`) do not need them.
            #[cfg(target_arch = "wasm32")]
            $crate::__bindings::__export_plugin_world!(TopolintPluginExports);
        };
    };
}

/// The bindings of wit/plugin.wit, generated by wit-bindgen (unsafe ABI glue).
#[doc(hidden)]
#[allow(unsafe_code, clippy::all, missing_docs, rust_2018_idioms)]
pub mod __bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin_world",
        default_bindings_module: "topolint_plugin_sdk::__bindings",
    });
}

#[doc(hidden)]
pub mod __glue {
    pub use crate::glue::{check, metadata};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("30s"), Some(30_000));
        assert_eq!(parse_duration_ms("1500ms"), Some(1500));
        assert_eq!(parse_duration_ms("2m"), Some(120_000));
        assert_eq!(parse_duration_ms("1m30s"), Some(90_000));
        assert_eq!(parse_duration_ms("45"), Some(45_000));
        assert_eq!(parse_duration_ms("1h"), Some(3_600_000));
        assert_eq!(parse_duration_ms(""), None);
        assert_eq!(parse_duration_ms("soon"), None);
        assert_eq!(parse_duration_ms("10x"), None);
    }
}
