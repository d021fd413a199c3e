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

/// A compile cache shared by the tests (the compiled plugins are reused across test
/// binaries and runs; `target/` is never committed).
pub fn compile_cache() -> PathBuf {
    repo().join("target/wasm-plugins/compiled")
}

/// The fixture projects of the plugin tests.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("plugins/tests/fixtures").join(name)
}
