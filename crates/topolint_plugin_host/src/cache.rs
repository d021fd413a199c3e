//! Compiling plugins, with an on-disk cache of the compiled code.
//!
//! Layout: `<cache dir>/wasmtime-<version>-<engine hash>/<sha256 of the .wasm>.cwasm`. The
//! SHA-256 is of the plugin file's bytes; the directory name changes with the wasmtime
//! version and with the engine settings that affect compiled code
//! (`Engine::precompile_compatibility_hash`), so a stale entry is never loaded. Entries
//! are written to a temporary file and renamed into place (concurrent runs never see half
//! a file). An entry that fails to load is compiled again and overwritten. The directory
//! is created readable by its owner only: compiled code in it is trusted.
//!
//! The cache is not an input of the lint, so it is read and written directly rather than
//! through `topolint_workspace::FileSystem`.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::component::Component;
use wasmtime::Engine;

use crate::cause::{Cause, Kind};

/// Where a plugin's compiled code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from the cache.
    Hit,
    /// Compiled now and stored in the cache.
    Stored,
    /// Compiled now; not stored (no cache directory, or it is not writable).
    Compiled,
}

pub(crate) struct Compiled {
    pub component: Component,
    pub outcome: CacheOutcome,
}

/// The directory for this wasmtime and these engine settings.
pub(crate) fn versioned_dir(engine: &Engine, root: &Path) -> PathBuf {
    // A stable hasher: the directory name must be the same in every process.
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for b in bytes {
                self.0 ^= u64::from(*b);
                self.0 = self.0.wrapping_mul(0x100_0000_01b3);
            }
        }
    }
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    engine.precompile_compatibility_hash().hash(&mut h);
    root.join(format!(
        "wasmtime-{}-{:016x}",
        crate::WASMTIME_VERSION,
        h.finish()
    ))
}

/// Where the compiled code of a plugin with these bytes lives.
pub(crate) fn entry_path(engine: &Engine, root: &Path, bytes: &[u8]) -> PathBuf {
    versioned_dir(engine, root).join(format!("{}.cwasm", crate::sha256_hex(bytes)))
}

/// Is it a component (not a core module, not something else)?
fn check_kind(bytes: &[u8]) -> Result<(), Cause> {
    const MAGIC: &[u8] = b"\0asm";
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(Cause::new(
            Kind::Load,
            "is not a WebAssembly file (no `\\0asm` header)",
        ));
    }
    // Core modules have layer 0 in bytes 6..8, components layer 1.
    if bytes[6..8] == [0, 0] {
        return Err(Cause::new(
            Kind::Load,
            "is a core WebAssembly module, not a component: build it for `wasm32-wasip2` (or wrap it with `wasm-tools component new`)",
        ));
    }
    Ok(())
}

pub(crate) fn compile(
    engine: &Engine,
    bytes: &[u8],
    cache_dir: Option<&Path>,
) -> Result<Compiled, Cause> {
    check_kind(bytes)?;
    let path = cache_dir.map(|root| entry_path(engine, root, bytes));
    if let Some(path) = &path {
        // Read, not mapped (`deserialize_file`): a mapped file truncated by someone else
        // while in use would crash the process.
        if let Ok(compiled) = std::fs::read(path) {
            // SAFETY: `deserialize` requires bytes produced by `Component::serialize` of a
            // compatible engine and not modified since. Only this module writes the cache,
            // atomically (temporary file + rename), into a directory private to the user,
            // under a name that includes the wasmtime version and the engine's
            // compatibility hash; wasmtime checks the header and version again and fails
            // (rather than loading) on a mismatch, in which case the entry is recompiled.
            // Someone who can write the user's cache directory can already run code as the
            // user, so trusting it adds no new capability.
            #[allow(unsafe_code)]
            let loaded = unsafe { Component::deserialize(engine, &compiled) };
            if let Ok(component) = loaded {
                return Ok(Compiled {
                    component,
                    outcome: CacheOutcome::Hit,
                });
            }
        }
    }
    let component = Component::new(engine, bytes).map_err(|e| {
        Cause::new(
            Kind::Load,
            format!("is not a valid WebAssembly component: {}", first_line(&e)),
        )
    })?;
    let outcome = match &path {
        Some(path) if store(&component, path).is_ok() => CacheOutcome::Stored,
        _ => CacheOutcome::Compiled,
    };
    Ok(Compiled { component, outcome })
}

fn first_line(e: &wasmtime::Error) -> String {
    format!("{e:#}").lines().next().unwrap_or("").to_string()
}

fn store(component: &Component, path: &Path) -> std::io::Result<()> {
    let bytes = component.serialize().map_err(std::io::Error::other)?;
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("cache entry without a directory"))?;
    create_private_dir(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert!(check_kind(b"hello world").is_err());
        let core = b"\0asm\x01\0\0\0";
        let err = check_kind(core).unwrap_err();
        assert!(err.text.contains("core WebAssembly module"), "{}", err.text);
        assert!(check_kind(b"\0asm\x0d\0\x01\0").is_ok());
    }

    /// The version in cache directory names is the one Cargo.lock resolves.
    #[test]
    fn wasmtime_version_matches_the_lock_file() {
        let lock =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock"))
                .unwrap();
        let needle = "name = \"wasmtime\"\nversion = \"";
        let i = lock.find(needle).expect("wasmtime in Cargo.lock") + needle.len();
        let version = &lock[i..i + lock[i..].find('"').unwrap()];
        assert_eq!(version, crate::WASMTIME_VERSION);
    }
}
