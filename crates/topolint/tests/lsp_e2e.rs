//! `topolint lsp` driven by real editor clients, end to end:
//!
//! - Neovim (Debian's `neovim`, headless) through the snippet users install,
//!   `editors/neovim/lua/topolint.lua`: editors/e2e/nvim_e2e.lua;
//! - pytest-lsp (PyPI, pygls underneath): editors/e2e/test_topolint_lsp.py.
//!
//! Both open nginx's configuration in a copy of examples/shop, get the cross-file finding,
//! edit compose.yaml and get it cleared, edit back and get it again, apply code actions, and
//! shut the server down; then no `topolint lsp` process may be left.
//!
//! The clients are not Rust: without them these tests say so and pass, unless
//! `TOPOLINT_E2E_REQUIRED=1` (set by .ci/run, which installs them). pytest-lsp is looked up
//! in `TOPOLINT_E2E_PYTHON` (a virtualenv's python), else in `python3`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn required() -> bool {
    std::env::var("TOPOLINT_E2E_REQUIRED").is_ok_and(|v| v == "1")
}

/// Skips (or fails, in CI) when a client is missing.
fn missing(what: &str, how: &str) {
    assert!(
        !required(),
        "{what} is missing and TOPOLINT_E2E_REQUIRED=1: {how}"
    );
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "skipped: {what} is not installed ({how}); .ci/run installs it and runs this test"
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of examples/shop, and a marker that the server inherits through its environment.
fn stack() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    copy_dir(&repo().join("examples/shop"), &root);
    let marker = format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    (dir, root.canonicalize().unwrap(), marker)
}

/// Processes whose environment carries `marker`: servers the client left running.
fn survivors(marker: &str) -> Vec<String> {
    let needle = format!("TOPOLINT_E2E_MARKER={marker}");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let pid = e.file_name().to_string_lossy().to_string();
        if !pid.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(environ) = std::fs::read(e.path().join("environ")) else {
            continue;
        };
        if environ
            .split(|b| *b == 0)
            .any(|var| var == needle.as_bytes())
        {
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            out.push(format!(
                "{pid}: {}",
                String::from_utf8_lossy(&cmdline).replace('\0', " ")
            ));
        }
    }
    out
}

fn run_client(mut command: Command, marker: &str, what: &str) {
    let out = command
        .env("TOPOLINT_BIN", env!("CARGO_BIN_EXE_topolint"))
        .env("TOPOLINT_E2E_MARKER", marker)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    // Every server the client started is gone: shut down, not orphaned.
    let left = survivors(marker);
    assert!(
        left.is_empty(),
        "{what} left `topolint lsp` running: {left:?}"
    );
}

#[test]
fn neovim_drives_topolint_lsp() {
    let nvim = std::env::var("TOPOLINT_E2E_NVIM").unwrap_or_else(|_| "nvim".into());
    if Command::new(&nvim).arg("--version").output().is_err() {
        missing("Neovim", "apt-get install neovim");
        return;
    }
    let (dir, root, marker) = stack();
    let script = repo().join("editors/e2e/nvim_e2e.lua");
    let mut command = Command::new(&nvim);
    command
        .args(["--headless", "-u", "NONE", "-i", "NONE", "--noplugin", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("TOPOLINT_REPO", repo())
        .env("TOPOLINT_E2E_ROOT", &root)
        // Neovim's LSP log goes to its cache directory: keep it out of $HOME and of the stack.
        .env("XDG_STATE_HOME", dir.path().join("nvim-state"))
        .env("XDG_CACHE_HOME", dir.path().join("nvim-cache"));
    run_client(command, &marker, "Neovim");
    // The quick fix really was written by the editor.
    let conf = std::fs::read_to_string(root.join("nginx/conf.d/shop.conf")).unwrap();
    assert!(
        conf.contains("proxy_pass http://storefront:3000;"),
        "{conf}"
    );
}

#[test]
fn pytest_lsp_drives_topolint_lsp() {
    let python = std::env::var("TOPOLINT_E2E_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_pytest_lsp = Command::new(&python)
        .args(["-c", "import pytest_lsp"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_pytest_lsp {
        missing(
            "pytest-lsp",
            "python3 -m venv v && v/bin/pip install -r editors/e2e/requirements.txt, then TOPOLINT_E2E_PYTHON=v/bin/python",
        );
        return;
    }
    // pytest makes its own copies of the stack (one per test); the marker is what counts.
    let (_dir, _root, marker) = stack();
    let mut command = Command::new(&python);
    command
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(repo().join("editors/e2e/test_topolint_lsp.py"))
        .current_dir(repo().join("editors/e2e"));
    run_client(command, &marker, "pytest-lsp");
}
