//! Builds the plugins under `plugins/` from source, for the tests of the host and of the
//! CLI (included with `#[path]`) and for the benchmark.
//!
//! The Rust plugins are one cargo workspace (`plugins/Cargo.toml`) built for
//! `wasm32-wasip2` into `target/wasm-plugins`; cargo's own fingerprints make a second build
//! a no-op. When the target is not installed the tests skip with a message, except in CI
//! (`CI` set), where they fail: `.ci/run` installs it.

#![allow(dead_code, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|p| p.join("plugins/Cargo.toml").is_file())
        .expect("the repository root")
        .to_path_buf()
}

pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Skips (outside CI) or fails (in CI) when something the plugin tests need is missing.
pub fn unavailable(what: &str) -> Option<PathBuf> {
    assert!(
        !in_ci(),
        "{what} (CI must run the plugin tests: see .ci/run)"
    );
    eprintln!("skipping: {what}");
    None
}

fn sysroot_has(target: &str) -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .is_some_and(|root| {
            Path::new(root.trim())
                .join("lib/rustlib")
                .join(target)
                .is_dir()
        })
}

/// Where the compiled plugins are (`<crate name with _>.wasm`), or `None` when the
/// target is not installed (outside CI).
pub fn rust_plugins() -> Option<PathBuf> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        if !sysroot_has("wasm32-wasip2") {
            return Err(
                "the `wasm32-wasip2` target is not installed (`rustup target add wasm32-wasip2`)"
                    .into(),
            );
        }
        let repo = repo();
        let target_dir = repo.join("target/wasm-plugins");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .current_dir(&repo)
            .args([
                "build",
                "--release",
                "--quiet",
                "--target",
                "wasm32-wasip2",
                "--manifest-path",
            ])
            .arg(repo.join("plugins/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET")
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "building plugins/ failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(target_dir.join("wasm32-wasip2/release"))
    });
    match built {
        Ok(dir) => Some(dir.clone()),
        Err(e) if e.starts_with("building") => panic!("{e}"),
        Err(e) => unavailable(e),
    }
}

/// The bytes of one Rust plugin, by crate name (`forbid-latest-image-tag`).
pub fn rust_plugin(dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(format!("{}.wasm", name.replace('-', "_")));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The JavaScript example plugin (`plugins/js/forbid-port.js`) built with componentize-js,
/// or `None` when node or `plugins/js/node_modules` (`npm install --prefix plugins/js`) is
/// missing (outside CI). The build takes seconds to minutes, so its output is kept in
/// `target/wasm-plugins/js` with a stamp of its inputs and rebuilt only when they change.
pub fn js_plugin() -> Option<Vec<u8>> {
    static BUILT: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let repo = repo();
        let js = repo.join("plugins/js");
        if Command::new("node").arg("--version").output().is_err() {
            return Err("node is not installed (the JavaScript plugin needs it)".into());
        }
        if !js
            .join("node_modules/@bytecodealliance/componentize-js")
            .is_dir()
        {
            return Err(
                "componentize-js is not installed (`npm install --prefix plugins/js`)".into(),
            );
        }
        let mut stamp = String::new();
        for input in [
            "plugins/js/forbid-port.js",
            "plugins/js/build.mjs",
            "plugins/js/package-lock.json",
            "wit/plugin.wit",
        ] {
            let bytes = std::fs::read(repo.join(input)).map_err(|e| format!("{input}: {e}"))?;
            stamp.push_str(&format!(
                "{input} {}\n",
                topolint_plugin_host::sha256_hex(&bytes)
            ));
        }
        let out_dir = repo.join("target/wasm-plugins/js");
        let wasm = out_dir.join("forbid-port.wasm");
        let stamp_file = out_dir.join("forbid-port.stamp");
        if std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(stamp.as_str()) {
            if let Ok(bytes) = std::fs::read(&wasm) {
                return Ok(bytes);
            }
        }
        std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
        let tmp = out_dir.join(format!("forbid-port.{}.wasm", std::process::id()));
        let out = Command::new("node")
            .current_dir(&js)
            .arg("build.mjs")
            .arg("forbid-port.js")
            .arg(&tmp)
            .output()
            .map_err(|e| format!("cannot run node: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "building plugins/js/forbid-port.js failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        std::fs::rename(&tmp, &wasm).map_err(|e| e.to_string())?;
        std::fs::write(&stamp_file, stamp).map_err(|e| e.to_string())?;
        std::fs::read(&wasm).map_err(|e| e.to_string())
    });
    // Compile it once into the shared cache before the tests of this binary race to do it
    // (a 12 MB component takes a while in a debug build).
    static WARM: OnceLock<()> = OnceLock::new();
    if let Ok(bytes) = built {
        WARM.get_or_init(|| {
            let host = topolint_plugin_host::PluginHost::new(topolint_plugin_host::HostOptions {
                cache_dir: Some(compile_cache()),
            })
            .expect("a plugin host");
            let anchor = topolint_diagnostics::Label::new(
                topolint_diagnostics::FileId(0),
                topolint_diagnostics::TextRange::empty(0),
                "",
            );
            let source =
                topolint_plugin_host::PluginSource::new("forbid-port.wasm", bytes.clone(), anchor);
            let _ = host.load(vec![source], &[]);
        });
    }
    match built {
        Ok(bytes) => Some(bytes.clone()),
        Err(e) if e.starts_with("building") => panic!("{e}"),
        Err(e) => {
            unavailable(e);
            None
        }
    }
}

/// A compile cache shared by the tests (the compiled plugins are reused across test
/// binaries and runs; `target/` is never committed).
pub fn compile_cache() -> PathBuf {
    repo().join("target/wasm-plugins/compiled")
}

/// The fixture projects of the plugin tests.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("plugins/tests/fixtures").join(name)
}
