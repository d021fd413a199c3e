//! Shared helpers for the end-to-end tests: run the real binary with a time limit.
#![allow(dead_code, clippy::print_stderr)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `../shared/corpus` beside the checkout; `None` (with a note) when absent outside CI.
pub fn corpus() -> Option<PathBuf> {
    let p = repo().join("../shared/corpus");
    if p.is_dir() {
        return Some(p.canonicalize().unwrap());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "../shared/corpus is missing in CI"
    );
    eprintln!("note: ../shared/corpus not found; corpus test skipped");
    None
}

/// Runs `topolint` with `args` in `cwd`, feeding `stdin`; fails the test after 120 s
/// (a hang is a bug, not a slow machine: real inputs take milliseconds).
pub fn run_with(args: &[&str], cwd: &Path, stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_topolint"));
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn topolint");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(bytes).unwrap();
    }
    let out_handle = {
        let mut so = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut s = Vec::new();
            std::io::Read::read_to_end(&mut so, &mut s).unwrap();
            s
        })
    };
    let err_handle = {
        let mut se = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut s = Vec::new();
            std::io::Read::read_to_end(&mut se, &mut s).unwrap();
            s
        })
    };
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("topolint {args:?} did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = String::from_utf8(out_handle.join().unwrap()).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&err_handle.join().unwrap()).into_owned();
    let code = status.code().unwrap_or(-1);
    assert_ne!(code, 101, "topolint panicked:\n{stderr}");
    assert!(!stderr.contains("panicked"), "topolint panicked:\n{stderr}");
    Output {
        stdout,
        stderr,
        code,
    }
}

pub fn run(args: &[&str], cwd: &Path) -> Output {
    run_with(args, cwd, None, &[])
}

/// The findings of a JSON document as (rule, path, line) triples.
pub fn findings(doc: &serde_json::Value) -> Vec<(String, String, u64)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}
