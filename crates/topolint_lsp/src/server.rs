//! The message loop: documents, lint jobs, publishing, requests.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{after, never, select, unbounded, Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use serde_json::{json, Value};
use topolint_workspace::{classify, NameHint};

use crate::engine::{Analysis, Engine, Job, Setup};
use crate::{actions, convert, hover, transport, LintHook, Options, SUPPRESS_COMMAND};

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown`, then `exit`: the process exits with 0.
    Shutdown,
    /// `exit` without `shutdown`, or the client hung up: the process exits with 1 (as the
    /// protocol asks).
    Abrupt,
}

/// Serves one client over `connection` until `exit` or until the client hangs up. Drops the
/// connection before returning (the stdio writer thread ends with it).
pub fn run(connection: Connection, options: Options) -> anyhow::Result<Ending> {
    let Connection { sender, receiver } = connection;
    let worker = Worker::spawn(options.on_lint.clone());
    let mut server = Server::new(sender, options, &worker);
    let outcome = server.serve(&receiver, &worker.results);
    drop(server);
    worker.stop();
    outcome
}

/// An open document.
struct Doc {
    /// As the client wrote it (used when publishing, so the client recognises it).
    uri: lsp::Uri,
    version: i32,
    text: Arc<str>,
}

enum JobResult {
    Done(Box<Analysis>),
    Panicked { revision: u64, message: String },
}

struct Worker {
    jobs: Sender<Job>,
    results: Receiver<JobResult>,
    thread: thread::JoinHandle<()>,
}

impl Worker {
    fn spawn(on_lint: Option<LintHook>) -> Self {
        let (jobs, job_rx) = unbounded::<Job>();
        let (result_tx, results) = unbounded::<JobResult>();
        let thread = thread::Builder::new()
            .name("topolint-lsp-worker".into())
            .spawn(move || {
                let mut engine = Engine::default();
                for job in job_rx {
                    let outcome = catch_unwind(AssertUnwindSafe(|| {
                        if let Some(hook) = &on_lint {
                            let changed: Vec<PathBuf> = job.changed.iter().cloned().collect();
                            hook(&changed);
                        }
                        engine.run(&job)
                    }));
                    let result = match outcome {
                        Ok(analysis) => JobResult::Done(Box::new(analysis)),
                        Err(payload) => {
                            // The cached workspace may be half updated: start over next time.
                            engine.reset();
                            JobResult::Panicked {
                                revision: job.revision,
                                message: panic_message(payload.as_ref()),
                            }
                        }
                    };
                    if result_tx.send(result).is_err() {
                        return;
                    }
                }
            })
            .expect("cannot spawn the lint worker thread");
        Self {
            jobs,
            results,
            thread,
        }
    }

    fn stop(self) {
        drop(self.jobs);
        // A running job finishes first; its result is dropped with the channel.
        let _ = self.thread.join();
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".into()
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct ClientCaps {
    apply_edit: bool,
    watch_files: bool,
}

struct Server {
    out: Sender<Message>,
    jobs: Sender<Job>,
    debounce: Duration,
    setup: Option<Arc<Setup>>,
    caps: ClientCaps,
    docs: BTreeMap<PathBuf, Doc>,
    overlay: Arc<BTreeMap<PathBuf, Arc<str>>>,
    /// Bumped by every change of what the linter would see.
    revision: u64,
    changed: BTreeSet<PathBuf>,
    reload: bool,
    /// When the next job may start (debounce); `None`: nothing to do.
    due: Option<Instant>,
    running: bool,
    analysis: Option<Arc<Analysis>>,
    /// What the client shows, by file.
    published: BTreeMap<PathBuf, Vec<lsp::Diagnostic>>,
    /// Requests that need an analysis of the current revision.
    waiting: Vec<Request>,
    shutdown: bool,
    next_id: u64,
    panics_shown: bool,
    plugins_noted: bool,
}

enum Flow {
    Continue,
    Exit,
}

impl Server {
    fn new(out: Sender<Message>, options: Options, worker: &Worker) -> Self {
        Self {
            out,
            jobs: worker.jobs.clone(),
            debounce: options.debounce,
            setup: None,
            caps: ClientCaps::default(),
            docs: BTreeMap::new(),
            overlay: Arc::default(),
            revision: 0,
            changed: BTreeSet::new(),
            reload: true,
            due: None,
            running: false,
            analysis: None,
            published: BTreeMap::new(),
            waiting: Vec::new(),
            shutdown: false,
            next_id: 0,
            panics_shown: false,
            plugins_noted: false,
        }
    }

    fn serve(
        &mut self,
        receiver: &Receiver<Message>,
        results: &Receiver<JobResult>,
    ) -> anyhow::Result<Ending> {
        let ending = |shutdown: bool| {
            if shutdown {
                Ending::Shutdown
            } else {
                Ending::Abrupt
            }
        };
        loop {
            let timer = match self.due {
                Some(due) if !self.running => after(due.saturating_duration_since(Instant::now())),
                _ => never(),
            };
            select! {
                recv(receiver) -> message => {
                    let Ok(message) = message else {
                        // The client hung up without `exit`.
                        return Ok(ending(self.shutdown));
                    };
                    if let Flow::Exit = self.handle(message) {
                        return Ok(ending(self.shutdown));
                    }
                }
                recv(results) -> result => match result {
                    Ok(result) => self.finished(result),
                    Err(_) => anyhow::bail!("the lint worker stopped"),
                },
                recv(timer) -> _ => self.start_job(),
            }
        }
    }

    // ---- sending -------------------------------------------------------------------

    fn send(&self, message: impl Into<Message>) {
        // Fails only when the client is gone; the loop ends on its own then.
        let _ = self.out.send(message.into());
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Notification::new(method.to_string(), params));
    }

    fn log(&self, kind: lsp::MessageType, message: &str) {
        transport::log(message);
        self.notify(
            "window/logMessage",
            lsp::LogMessageParams {
                typ: kind,
                message: message.to_string(),
            },
        );
    }

    fn request_client(&mut self, method: &str, params: impl serde::Serialize) {
        self.next_id += 1;
        let id = RequestId::from(format!("topolint-{}", self.next_id));
        self.send(Request::new(id, method.to_string(), params));
    }

    // ---- dispatch ------------------------------------------------------------------

    fn handle(&mut self, message: Message) -> Flow {
        match message {
            Message::Request(req) => {
                let id = req.id.clone();
                let method = req.method.clone();
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| self.request(req))) {
                    let why = panic_message(payload.as_ref());
                    self.log(
                        lsp::MessageType::ERROR,
                        &format!("`{method}` failed: {why}"),
                    );
                    self.send(Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        format!("topolint: internal error: {why}"),
                    ));
                }
                Flow::Continue
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Flow::Exit;
                }
                let method = n.method.clone();
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| self.notification(n))) {
                    let why = panic_message(payload.as_ref());
                    self.log(
                        lsp::MessageType::ERROR,
                        &format!("`{method}` failed: {why}"),
                    );
                }
                Flow::Continue
            }
            Message::Response(resp) => {
                if let Err(err) = resp.response_result {
                    self.log(
                        lsp::MessageType::WARNING,
                        &format!("the editor refused request {}: {}", resp.id, err.message),
                    );
                }
                Flow::Continue
            }
        }
    }

    fn request(&mut self, req: Request) {
        if self.shutdown {
            self.send(Response::new_err(
                req.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            ));
            return;
        }
        match req.method.as_str() {
            "initialize" => self.initialize(req),
            _ if self.setup.is_none() => self.send(Response::new_err(
                req.id,
                ErrorCode::ServerNotInitialized as i32,
                "expected `initialize` first".into(),
            )),
            "shutdown" => {
                self.shutdown = true;
                self.send(Response::new_ok(req.id, Value::Null));
            }
            "textDocument/hover" | "textDocument/codeAction" => {
                if self.fresh() {
                    self.answer(req);
                } else {
                    self.waiting.push(req);
                }
            }
            "workspace/executeCommand" => self.execute_command(req),
            _ => self.send(Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("topolint does not handle `{}`", req.method),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        if self.setup.is_none() {
            return;
        }
        match n.method.as_str() {
            "initialized" => self.register_watchers(),
            "textDocument/didOpen" => {
                if let Some(p) = params::<lsp::DidOpenTextDocumentParams>(self, n) {
                    self.did_open(p);
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = params::<lsp::DidChangeTextDocumentParams>(self, n) {
                    self.did_change(p);
                }
            }
            "textDocument/didSave" => {
                if let Some(p) = params::<lsp::DidSaveTextDocumentParams>(self, n) {
                    if let Some(path) = convert::uri_to_path(&p.text_document.uri) {
                        if self.unknown_config_file(&path) {
                            self.reload = true;
                        }
                        self.touch(path, Duration::ZERO);
                    }
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = params::<lsp::DidCloseTextDocumentParams>(self, n) {
                    if let Some(path) = convert::uri_to_path(&p.text_document.uri) {
                        if self.no_folders() {
                            self.reload = true;
                        }
                        self.docs.remove(&path);
                        Arc::make_mut(&mut self.overlay).remove(&path);
                        self.touch(path, Duration::ZERO);
                    }
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Some(p) = params::<lsp::DidChangeWatchedFilesParams>(self, n) {
                    self.files_changed(p);
                }
            }
            "$/cancelRequest" => {
                if let Some(p) = params::<lsp::CancelParams>(self, n) {
                    let id = match p.id {
                        lsp::NumberOrString::Number(n) => RequestId::from(n),
                        lsp::NumberOrString::String(s) => RequestId::from(s),
                    };
                    if let Some(i) = self.waiting.iter().position(|r| r.id == id) {
                        let req = self.waiting.remove(i);
                        self.send(Response::new_err(
                            req.id,
                            ErrorCode::RequestCanceled as i32,
                            "canceled".into(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    // ---- lifecycle -----------------------------------------------------------------

    fn initialize(&mut self, req: Request) {
        if self.setup.is_some() {
            self.send(Response::new_err(
                req.id,
                ErrorCode::InvalidRequest as i32,
                "`initialize` was already received".into(),
            ));
            return;
        }
        let p = &req.params;
        let folder = |v: &Value| {
            v.as_str()
                .and_then(|s| s.parse::<lsp::Uri>().ok())
                .and_then(|u| convert::uri_to_path(&u))
        };
        let mut roots: Vec<PathBuf> = p["workspaceFolders"]
            .as_array()
            .map(|a| a.iter().filter_map(|f| folder(&f["uri"])).collect())
            .unwrap_or_default();
        if roots.is_empty() {
            roots.extend(folder(&p["rootUri"]));
        }
        if roots.is_empty() {
            roots.extend(p["rootPath"].as_str().map(PathBuf::from));
        }
        let base_dir = roots
            .first()
            .cloned()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        let init = &p["initializationOptions"];
        let config_path = init["configPath"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(|s| base_dir.join(s));
        if let Some(ms) = init["debounceMs"].as_u64() {
            self.debounce = Duration::from_millis(ms.min(10_000));
        }
        let caps = &p["capabilities"]["workspace"];
        self.caps = ClientCaps {
            apply_edit: caps["applyEdit"].as_bool().unwrap_or(false),
            watch_files: caps["didChangeWatchedFiles"]["dynamicRegistration"]
                .as_bool()
                .unwrap_or(false),
        };
        self.setup = Some(Arc::new(Setup {
            roots,
            base_dir,
            config_path,
        }));

        let capabilities = lsp::ServerCapabilities {
            position_encoding: Some(lsp::PositionEncodingKind::UTF16),
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::FULL),
                    save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                        lsp::SaveOptions {
                            include_text: Some(false),
                        },
                    )),
                    ..Default::default()
                },
            )),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                lsp::CodeActionOptions {
                    code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                    ..Default::default()
                },
            )),
            execute_command_provider: Some(lsp::ExecuteCommandOptions {
                commands: vec![SUPPRESS_COMMAND.to_string()],
                ..Default::default()
            }),
            ..Default::default()
        };
        self.send(Response::new_ok(
            req.id,
            json!({
                "capabilities": capabilities,
                "serverInfo": { "name": "topolint", "version": env!("CARGO_PKG_VERSION") },
            }),
        ));
        // Load the workspace now: the first diagnostics need no edit.
        self.reload = true;
        self.revision += 1;
        self.due = Some(Instant::now());
    }

    fn register_watchers(&mut self) {
        if !self.caps.watch_files {
            return;
        }
        let watcher = |glob: &str| lsp::FileSystemWatcher {
            glob_pattern: lsp::GlobPattern::String(glob.to_string()),
            kind: None,
        };
        let options = lsp::DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![watcher("**/*")],
        };
        self.request_client(
            "client/registerCapability",
            lsp::RegistrationParams {
                registrations: vec![lsp::Registration {
                    id: "topolint-watched-files".into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                    register_options: serde_json::to_value(options).ok(),
                }],
            },
        );
    }

    // ---- documents -----------------------------------------------------------------

    fn did_open(&mut self, p: lsp::DidOpenTextDocumentParams) {
        let Some(path) = convert::uri_to_path(&p.text_document.uri) else {
            return;
        };
        let text: Arc<str> = Arc::from(p.text_document.text);
        // A configuration the last walk did not see (new, possibly unsaved): walk again.
        // Without folders, the open documents are the workspace.
        if self.unknown_config_file(&path) || self.no_folders() {
            self.reload = true;
        }
        Arc::make_mut(&mut self.overlay).insert(path.clone(), text.clone());
        self.docs.insert(
            path.clone(),
            Doc {
                uri: p.text_document.uri,
                version: p.text_document.version,
                text,
            },
        );
        self.touch(path, Duration::ZERO);
    }

    fn did_change(&mut self, p: lsp::DidChangeTextDocumentParams) {
        let Some(path) = convert::uri_to_path(&p.text_document.uri) else {
            return;
        };
        let Some(doc) = self.docs.get_mut(&path) else {
            self.log(
                lsp::MessageType::WARNING,
                &format!("change to `{}`, which is not open", path.display()),
            );
            return;
        };
        let mut text = doc.text.to_string();
        for change in p.content_changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let start = convert::offset_in(&text, range.start) as usize;
                    let end = (convert::offset_in(&text, range.end) as usize).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
        }
        doc.version = p.text_document.version;
        doc.text = Arc::from(text);
        let text = doc.text.clone();
        Arc::make_mut(&mut self.overlay).insert(path.clone(), text);
        self.touch(path, self.debounce);
    }

    fn files_changed(&mut self, p: lsp::DidChangeWatchedFilesParams) {
        let mut any = false;
        for change in p.changes {
            let Some(path) = convert::uri_to_path(&change.uri) else {
                continue;
            };
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let ignore_file = matches!(name, ".gitignore" | ".ignore");
            let known = self.known(&path);
            let relevant = known
                || ignore_file
                || name == topolint_config::FILE_NAME
                || classify::name_hint(&path) != NameHint::Unknown;
            if !relevant {
                continue;
            }
            if change.typ == lsp::FileChangeType::CHANGED && !ignore_file {
                if self.docs.contains_key(&path) {
                    // The editor's text wins over the disk while the document is open.
                    continue;
                }
                if name == topolint_config::FILE_NAME {
                    self.reload = true;
                }
                self.changed.insert(path);
            } else {
                self.reload = true;
            }
            any = true;
        }
        if any {
            self.revision += 1;
            self.due = Some(Instant::now());
        }
    }

    /// A file whose text the linter must look at again.
    fn touch(&mut self, path: PathBuf, delay: Duration) {
        if path
            .file_name()
            .is_some_and(|n| n == topolint_config::FILE_NAME)
        {
            self.reload = true;
        }
        self.changed.insert(path);
        self.revision += 1;
        let at = Instant::now() + delay;
        // The first change of a burst sets the time: later ones are linted with it.
        self.due = Some(self.due.map_or(at, |d| d.min(at)));
    }

    fn no_folders(&self) -> bool {
        self.setup.as_ref().is_some_and(|s| s.roots.is_empty())
    }

    /// Whether the last analysis holds this file.
    fn known(&self, path: &Path) -> bool {
        self.analysis
            .as_ref()
            .is_some_and(|a| a.file_id(path).is_some())
    }

    /// A file named like a configuration that the last analysis does not hold: new on disk
    /// (or unsaved), so the workspace must be walked again to take it in.
    fn unknown_config_file(&self, path: &Path) -> bool {
        self.analysis.is_some()
            && !self.known(path)
            && classify::name_hint(path) != NameHint::Unknown
            && self
                .setup
                .as_ref()
                .is_some_and(|s| s.roots.iter().any(|r| path.starts_with(r)))
    }

    // ---- jobs ----------------------------------------------------------------------

    fn start_job(&mut self) {
        let Some(setup) = self.setup.clone() else {
            self.due = None;
            return;
        };
        self.due = None;
        let job = Job {
            revision: self.revision,
            setup,
            overlay: self.overlay.clone(),
            changed: std::mem::take(&mut self.changed),
            reload: std::mem::take(&mut self.reload),
        };
        if self.jobs.send(job).is_ok() {
            self.running = true;
        }
    }

    fn finished(&mut self, result: JobResult) {
        self.running = false;
        match result {
            JobResult::Done(analysis) => {
                if analysis.revision != self.revision {
                    // The documents moved on while this ran: its positions are wrong for
                    // them. The next job is already due.
                    return;
                }
                self.log(
                    lsp::MessageType::LOG,
                    &format!(
                        "linted {} files ({}) {}: {} findings",
                        analysis.sources.len(),
                        if analysis.full_load {
                            "full load"
                        } else {
                            "changed documents re-parsed"
                        },
                        analysis.timings,
                        analysis.findings.len()
                    ),
                );
                if analysis.plugins_not_run > 0 && !self.plugins_noted {
                    self.plugins_noted = true;
                    self.log(
                        lsp::MessageType::WARNING,
                        &format!(
                            "topolint.toml lists {} plugin(s): the editor does not run plugin \
                             rules yet (`topolint check` does)",
                            analysis.plugins_not_run
                        ),
                    );
                }
                self.publish(&analysis);
                self.analysis = Some(Arc::from(analysis));
            }
            JobResult::Panicked { revision, message } => {
                let text = format!(
                    "internal error while linting (revision {revision}): {message}; \
                     the previous diagnostics stay until the next change"
                );
                self.log(lsp::MessageType::ERROR, &text);
                if !self.panics_shown {
                    self.panics_shown = true;
                    self.notify(
                        "window/showMessage",
                        lsp::ShowMessageParams {
                            typ: lsp::MessageType::ERROR,
                            message: format!("topolint: {text} (details in the topolint log)"),
                        },
                    );
                }
                // The worker forgot its workspace: the next job loads it again.
                self.reload = true;
            }
        }
        let waiting = std::mem::take(&mut self.waiting);
        if self.fresh() {
            for req in waiting {
                self.answer(req);
            }
        } else {
            self.waiting = waiting;
        }
    }

    /// Whether requests can be answered now: the analysis matches the documents, or no
    /// newer one is coming.
    fn fresh(&self) -> bool {
        let current = self
            .analysis
            .as_ref()
            .is_some_and(|a| a.revision == self.revision);
        current || (!self.running && self.due.is_none())
    }

    /// Sends the diagnostics of every file whose findings changed, and clears the files
    /// that have none left.
    fn publish(&mut self, analysis: &Analysis) {
        let next = &analysis.published;
        for (path, diagnostics) in next {
            if self.published.get(path) != Some(diagnostics) {
                self.publish_file(path, diagnostics.clone());
            }
        }
        let cleared: Vec<PathBuf> = self
            .published
            .keys()
            .filter(|p| !next.contains_key(*p))
            .cloned()
            .collect();
        for path in cleared {
            self.publish_file(&path, Vec::new());
        }
        self.published = next.clone();
    }

    fn publish_file(&self, path: &Path, diagnostics: Vec<lsp::Diagnostic>) {
        let doc = self.docs.get(path);
        let Some(uri) = doc
            .map(|d| d.uri.clone())
            .or_else(|| convert::path_to_uri(path))
        else {
            return;
        };
        self.notify(
            "textDocument/publishDiagnostics",
            lsp::PublishDiagnosticsParams {
                uri,
                diagnostics,
                version: doc.map(|d| d.version),
            },
        );
    }

    // ---- requests that read the analysis -------------------------------------------

    fn answer(&mut self, req: Request) {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            "textDocument/hover" => match serde_json::from_value::<lsp::HoverParams>(req.params) {
                Ok(p) => Ok(self.hover(&p)),
                Err(e) => Err(e),
            },
            "textDocument/codeAction" => {
                match serde_json::from_value::<lsp::CodeActionParams>(req.params) {
                    Ok(p) => Ok(self.code_actions(&p)),
                    Err(e) => Err(e),
                }
            }
            _ => Ok(Value::Null),
        };
        match result {
            Ok(value) => self.send(Response::new_ok(id, value)),
            Err(e) => self.send(Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("invalid parameters: {e}"),
            )),
        }
    }

    fn hover(&self, p: &lsp::HoverParams) -> Value {
        let pos = &p.text_document_position_params;
        let Some(analysis) = &self.analysis else {
            return Value::Null;
        };
        let Some(path) = convert::uri_to_path(&pos.text_document.uri) else {
            return Value::Null;
        };
        let Some(id) = analysis.file_id(&path) else {
            return Value::Null;
        };
        let file = analysis.sources.file(id);
        let offset = convert::offset(file, pos.position);
        match hover::hover(analysis, id, offset) {
            Some(h) => serde_json::to_value(h).unwrap_or(Value::Null),
            None => Value::Null,
        }
    }

    fn code_actions(&self, p: &lsp::CodeActionParams) -> Value {
        let Some(analysis) = &self.analysis else {
            return json!([]);
        };
        let Some(path) = convert::uri_to_path(&p.text_document.uri) else {
            return json!([]);
        };
        let actions = actions::code_actions(
            analysis,
            &path,
            &p.text_document.uri,
            p.range,
            self.caps.apply_edit,
        );
        serde_json::to_value(actions).unwrap_or_else(|_| json!([]))
    }

    fn execute_command(&mut self, req: Request) {
        let p: lsp::ExecuteCommandParams = match serde_json::from_value(req.params) {
            Ok(p) => p,
            Err(e) => {
                self.send(Response::new_err(
                    req.id,
                    ErrorCode::InvalidParams as i32,
                    format!("invalid parameters: {e}"),
                ));
                return;
            }
        };
        if p.command != SUPPRESS_COMMAND {
            self.send(Response::new_err(
                req.id,
                ErrorCode::InvalidParams as i32,
                format!("unknown command `{}`", p.command),
            ));
            return;
        }
        let args = p
            .arguments
            .first()
            .cloned()
            .and_then(|a| serde_json::from_value::<actions::SuppressArgs>(a).ok());
        let Some(args) = args else {
            self.send(Response::new_err(
                req.id,
                ErrorCode::InvalidParams as i32,
                format!("`{SUPPRESS_COMMAND}` takes one argument `{{uri, rule, line, reason?}}`"),
            ));
            return;
        };
        let Some(path) = convert::uri_to_path(&args.uri) else {
            self.send(Response::new_err(
                req.id,
                ErrorCode::InvalidParams as i32,
                "not a file URI".into(),
            ));
            return;
        };
        let text: Option<Arc<str>> = match self.docs.get(&path) {
            Some(d) => Some(d.text.clone()),
            None => std::fs::read_to_string(&path).ok().map(Arc::from),
        };
        let edit = text.and_then(|t| actions::suppression_edit(&path, &t, &args));
        match edit {
            Some(edit) => {
                let mut changes = std::collections::HashMap::new();
                changes.insert(args.uri.clone(), vec![edit]);
                self.request_client(
                    "workspace/applyEdit",
                    lsp::ApplyWorkspaceEditParams {
                        label: Some(format!("suppress `{}`", args.rule)),
                        edit: lsp::WorkspaceEdit {
                            changes: Some(changes),
                            ..Default::default()
                        },
                    },
                );
                self.send(Response::new_ok(req.id, Value::Null));
            }
            None => self.send(Response::new_err(
                req.id,
                ErrorCode::RequestFailed as i32,
                "no place for a suppression comment there".into(),
            )),
        }
    }
}

/// Decodes notification parameters, logging what cannot be decoded.
fn params<T: serde::de::DeserializeOwned>(server: &Server, n: Notification) -> Option<T> {
    match serde_json::from_value(n.params) {
        Ok(p) => Some(p),
        Err(e) => {
            server.log(
                lsp::MessageType::WARNING,
                &format!("ignored `{}`: invalid parameters: {e}", n.method),
            );
            None
        }
    }
}
