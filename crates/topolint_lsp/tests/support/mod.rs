//! An LSP client over an in-memory connection, for the server's integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types as lsp;
use serde_json::{json, Value};
use topolint_lsp::Options;

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    conn: Connection,
    server: Option<JoinHandle<anyhow::Result<topolint_lsp::Ending>>>,
    next_id: i32,
    /// Notifications received and not consumed yet, in order.
    pub inbox: Vec<Notification>,
    /// Every `window/logMessage` and `window/showMessage` text.
    pub logs: Vec<String>,
    /// Edits the server asked to apply (`workspace/applyEdit`), in order.
    pub applied: Vec<lsp::WorkspaceEdit>,
    versions: std::collections::HashMap<String, i32>,
}

/// `file://` URI of a path (the tests' paths need no escaping beyond spaces).
pub fn uri(path: &Path) -> lsp::Uri {
    let s = path.to_str().unwrap().replace(' ', "%20");
    lsp::Uri::from_str(&format!("file://{s}")).unwrap()
}

impl Client {
    /// Starts a server and initializes it on `root`.
    pub fn start(root: &Path, options: Options, init_options: Value) -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || topolint_lsp::run(server_side, options));
        let mut client = Client {
            conn: client_side,
            server: Some(server),
            next_id: 0,
            inbox: Vec::new(),
            logs: Vec::new(),
            applied: Vec::new(),
            versions: Default::default(),
        };
        let result = client
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": uri(root),
                    "workspaceFolders": [{"uri": uri(root), "name": "test"}],
                    "capabilities": {
                        "workspace": {
                            "applyEdit": true,
                            "didChangeWatchedFiles": {"dynamicRegistration": true}
                        }
                    },
                    "initializationOptions": init_options,
                }),
            )
            .expect("initialize failed");
        assert_eq!(result["serverInfo"]["name"], "topolint");
        client.notify("initialized", json!({}));
        client
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    /// Sends a request and waits for its response, keeping notifications in the inbox.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.recv(deadline) {
                Some(Message::Response(r)) if r.id == id => return r.response_result,
                Some(_) => {}
                None => panic!("no response to `{method}` within {TIMEOUT:?}"),
            }
        }
    }

    /// The next message; answers the server's own requests on the way.
    fn recv(&mut self, deadline: Instant) -> Option<Message> {
        let wait = deadline.saturating_duration_since(Instant::now());
        let message = self.conn.receiver.recv_timeout(wait).ok()?;
        match &message {
            Message::Request(req) => {
                let result = match req.method.as_str() {
                    "workspace/applyEdit" => {
                        let p: lsp::ApplyWorkspaceEditParams =
                            serde_json::from_value(req.params.clone()).unwrap();
                        self.applied.push(p.edit);
                        json!({"applied": true})
                    }
                    _ => Value::Null,
                };
                self.conn
                    .sender
                    .send(Response::new_ok(req.id.clone(), result).into())
                    .unwrap();
            }
            Message::Notification(n) => {
                if n.method == "window/logMessage" || n.method == "window/showMessage" {
                    self.logs
                        .push(n.params["message"].as_str().unwrap_or("").to_string());
                }
                self.inbox.push(n.clone());
            }
            Message::Response(_) => {}
        }
        Some(message)
    }

    /// Waits for the first `publishDiagnostics` of `path` (in the inbox or to come) whose
    /// diagnostics satisfy `pred`; earlier ones for that file are consumed.
    pub fn diagnostics(
        &mut self,
        path: &Path,
        pred: impl Fn(&[lsp::Diagnostic]) -> bool,
    ) -> lsp::PublishDiagnosticsParams {
        let want = uri(path);
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Vec::new();
        loop {
            while let Some(i) = self.inbox.iter().position(|n| {
                n.method == "textDocument/publishDiagnostics" && n.params["uri"] == want.as_str()
            }) {
                let n = self.inbox.remove(i);
                let p: lsp::PublishDiagnosticsParams = serde_json::from_value(n.params).unwrap();
                if pred(&p.diagnostics) {
                    return p;
                }
                seen.push(p.diagnostics);
            }
            if self.recv(deadline).is_none() {
                panic!(
                    "no matching diagnostics for {} within {TIMEOUT:?}; seen: {seen:#?}",
                    path.display()
                );
            }
        }
    }

    /// Waits until a log message containing `needle` arrived.
    pub fn wait_log(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(l) = self.logs.iter().find(|l| l.contains(needle)) {
                return l.clone();
            }
            if self.recv(deadline).is_none() {
                panic!("no log containing {needle:?}; logs: {:#?}", self.logs);
            }
        }
    }

    pub fn open(&mut self, path: &Path) {
        let text = std::fs::read_to_string(path).unwrap();
        self.open_text(path, &text);
    }

    pub fn open_text(&mut self, path: &Path, text: &str) {
        self.versions.insert(uri(path).as_str().to_string(), 1);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "plaintext", "version": 1, "text": text}}),
        );
    }

    /// Replaces the whole text; returns the new version.
    pub fn change(&mut self, path: &Path, text: &str) -> i32 {
        let v = self
            .versions
            .entry(uri(path).as_str().to_string())
            .or_insert(1);
        *v += 1;
        let version = *v;
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
        );
        version
    }

    pub fn hover(&mut self, path: &Path, line: u32, character: u32) -> Option<String> {
        let r = self
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}}),
            )
            .unwrap();
        if r.is_null() {
            return None;
        }
        Some(r["contents"]["value"].as_str().unwrap().to_string())
    }

    pub fn code_actions(&mut self, path: &Path, range: lsp::Range) -> Vec<lsp::CodeAction> {
        let r = self
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri(path)}, "range": range, "context": {"diagnostics": []}}),
            )
            .unwrap();
        serde_json::from_value(r).unwrap()
    }

    /// `shutdown` + `exit`; the server must then return cleanly.
    pub fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null).unwrap();
        assert!(r.is_null());
        self.notify("exit", Value::Null);
        let server = self.server.take().unwrap();
        let deadline = Instant::now() + TIMEOUT;
        while !server.is_finished() {
            assert!(
                Instant::now() < deadline,
                "the server did not stop after `exit`"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            server.join().unwrap().unwrap(),
            topolint_lsp::Ending::Shutdown
        );
    }
}

/// Applies LSP text edits to `text` (end to start).
pub fn apply_edits(text: &str, edits: &[lsp::TextEdit]) -> String {
    let index = topolint_diagnostics::LineIndex::new(text);
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                index.offset_of_utf16(text, e.range.start.line, e.range.start.character) as usize,
                index.offset_of_utf16(text, e.range.end.line, e.range.end.character) as usize,
                e.new_text.as_str(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

/// A copy of examples/shop in a temporary directory.
pub fn shop() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/shop");
    copy_dir(&src, dir.path());
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
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

pub fn codes(d: &[lsp::Diagnostic]) -> Vec<String> {
    d.iter()
        .map(|d| match &d.code {
            Some(lsp::NumberOrString::String(s)) => s.clone(),
            _ => String::new(),
        })
        .collect()
}

pub fn has(d: &[lsp::Diagnostic], rule: &str) -> bool {
    codes(d).iter().any(|c| c == rule)
}
