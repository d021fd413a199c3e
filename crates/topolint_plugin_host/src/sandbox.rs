//! The sandbox: the engine, what a plugin may import, and a store per call with its memory
//! cap and deadline.
//!
//! Granted: `wasi:io` (streams to the bounded output buffer), `wasi:cli` stdin (empty),
//! stdout/stderr (the buffer), environment (empty: no variables, no arguments, no working
//! directory), exit and the terminal queries (no terminal), and `wasi:random` (a fixed,
//! deterministic sequence). Not granted: `wasi:filesystem`, `wasi:sockets`, `wasi:clocks`
//! and anything else: [`Runtime::pre_instantiate`] defines every other import as a trap,
//! so a plugin that touches them stops at that call and the attempt is reported. (The one
//! exception: listing the preopened directories answers `/`, a directory whose every
//! operation traps, because runtimes list them just to set up stdio.) The clock
//! is withheld rather than frozen because a frozen clock's timers would block the host
//! beyond any deadline.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{
    Component, HasData, InstancePre, Linker, Resource, ResourceTable, ResourceType, Val,
};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::cli::WasiCli;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, DynPollable, IoError};
use wasmtime_wasi::random::WasiRandom;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// How often the engine's epoch advances while a plugin runs.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// At most this much of a plugin's stdout and stderr is kept.
const OUTPUT_CAPACITY: usize = 64 * 1024;

/// A plugin's store data.
pub(crate) struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

struct HasTable;

impl HasData for HasTable {
    type Data<'a> = &'a mut ResourceTable;
}

/// The engine, the linker with what plugins may import, and the epoch ticker.
pub(crate) struct Runtime {
    pub engine: Engine,
    linker: Linker<State>,
    ticker: Ticker,
}

impl Runtime {
    pub fn new() -> wasmtime::Result<Self> {
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .cranelift_opt_level(wasmtime::OptLevel::Speed)
            .wasm_backtrace_details(wasmtime::WasmBacktraceDetails::Disable)
            .parallel_compilation(true);
        let engine = Engine::new(&config)?;
        let mut linker: Linker<State> = Linker::new(&engine);
        granted(&mut linker)?;
        let ticker = Ticker::new(engine.clone());
        Ok(Self {
            engine,
            linker,
            ticker,
        })
    }

    /// Links a plugin: the granted imports, every other import a trap.
    ///
    /// (`Linker::define_unknown_imports_as_traps` would do, except that it compares names
    /// exactly: a plugin importing `wasi:cli/environment@0.2.6` would get a trap where the
    /// linker's semver-compatible `@0.2.x` should serve it.)
    pub fn pre_instantiate(&self, component: &Component) -> wasmtime::Result<InstancePre<State>> {
        let mut linker = self.linker.clone();
        let ty = component.component_type();
        // Resources of granted interfaces that other interfaces `use` (a file system
        // stream is a `wasi:io/streams.input-stream`): a stub must name the same host type.
        let mut shared: Vec<(ResourceType, ResourceType)> = Vec::new();
        for (name, import) in ty.imports(&self.engine) {
            let ComponentItem::ComponentInstance(instance) = import.ty else {
                continue;
            };
            let interface = name.split('@').next().unwrap_or(name);
            for (item, export) in instance.exports(&self.engine) {
                if let ComponentItem::Resource(r) = export.ty {
                    let host = match (interface, item) {
                        ("wasi:io/poll", "pollable") => ResourceType::host::<DynPollable>(),
                        ("wasi:io/streams", "input-stream") => {
                            ResourceType::host::<DynInputStream>()
                        }
                        ("wasi:io/streams", "output-stream") => {
                            ResourceType::host::<DynOutputStream>()
                        }
                        ("wasi:io/error", "error") => ResourceType::host::<IoError>(),
                        _ => continue,
                    };
                    shared.push((r, host));
                }
            }
        }
        for (name, import) in ty.imports(&self.engine) {
            if GRANTED.iter().any(|g| name.starts_with(g)) {
                continue;
            }
            let ComponentItem::ComponentInstance(instance) = import.ty else {
                // A bare function or type import: no WASI interface looks like this.
                continue;
            };
            let mut stub = linker.instance(name)?;
            let preopens = name.starts_with("wasi:filesystem/preopens@");
            for (item, export) in instance.exports(&self.engine) {
                match export.ty {
                    ComponentItem::ComponentFunc(_) if preopens && item == "get-directories" => {
                        // One directory, `/`, whose every operation but `get-type` traps:
                        // language runtimes list the directories when they set up stdio
                        // (JavaScript's `console.log` does), which is harmless; opening,
                        // reading or even `stat`ing a path goes through that descriptor and
                        // stops there.
                        stub.func_new(item, |mut store, _, _, results| {
                            let root =
                                Resource::<()>::new_own(0).try_into_resource_any(&mut store)?;
                            results[0] = Val::List(vec![Val::Tuple(vec![
                                Val::Resource(root),
                                Val::String("/".into()),
                            ])]);
                            Ok(())
                        })?;
                    }
                    ComponentItem::ComponentFunc(_)
                        if item == "[method]descriptor.get-type"
                            && name.starts_with("wasi:filesystem/types@") =>
                    {
                        // Also asked while setting up: that `/` is a directory.
                        stub.func_new(item, |mut store, _, params, results| {
                            // A borrowed handle must be released before returning.
                            if let Some(Val::Resource(this)) = params.first() {
                                this.resource_drop(&mut store)?;
                            }
                            results[0] =
                                Val::Result(Ok(Some(Box::new(Val::Enum("directory".into())))));
                            Ok(())
                        })?;
                    }
                    ComponentItem::ComponentFunc(_) => {
                        let full = format!("{name}#{item}");
                        stub.func_new(item, move |_, _, _, _| {
                            Err(wasmtime::format_err!(
                                "unknown import: `{full}` has not been defined"
                            ))
                        })?;
                    }
                    ComponentItem::Resource(r) => {
                        let host = shared
                            .iter()
                            .find(|(ty, _)| *ty == r)
                            .map_or(ResourceType::host::<()>(), |(_, host)| *host);
                        stub.resource(item, host, |_, _| Ok(()))?;
                    }
                    _ => {}
                }
            }
        }
        linker.instantiate_pre(component)
    }

    /// A fresh store with `memory_limit` bytes of linear memory, and the buffer its
    /// stdout and stderr go to. Run code in it (instantiation included) only through
    /// [`Runtime::call`], which sets the deadline.
    pub fn store(&self, memory_limit: usize) -> (Store<State>, MemoryOutputPipe) {
        let output = MemoryOutputPipe::new(OUTPUT_CAPACITY);
        // The same bytes every run: HashMap seeds, UUIDs and the like come out the same,
        // and so do the findings.
        let seed: Vec<u8> = (0u32..256)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let wasi = WasiCtx::builder()
            .stdout(output.clone())
            .stderr(output.clone())
            .secure_random(wasmtime_wasi::Deterministic::new(seed.clone()))
            .insecure_random(wasmtime_wasi::Deterministic::new(seed))
            .insecure_random_seed(0x7470_6c6e_7470_6c6e)
            .max_random_size(1 << 20)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let limits = StoreLimitsBuilder::new()
            .memory_size(memory_limit)
            .table_elements(1 << 20)
            .instances(64)
            .tables(64)
            .memories(16)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(
            &self.engine,
            State {
                wasi,
                table: ResourceTable::new(),
                limits,
            },
        );
        store.limiter(|s| &mut s.limits);
        (store, output)
    }

    /// Runs `f` with the deadline set to `timeout` from now.
    pub fn call<R>(
        &self,
        store: &mut Store<State>,
        timeout: Duration,
        f: impl FnOnce(&mut Store<State>) -> R,
    ) -> R {
        let ticks = timeout.as_nanos().div_ceil(TICK.as_nanos()).max(1);
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        let _running = self.ticker.start();
        f(store)
    }
}

/// The interfaces [`granted`] links; every other import is a trap.
const GRANTED: &[&str] = &["wasi:io/", "wasi:cli/", "wasi:random/"];

/// The imports plugins get.
fn granted(l: &mut Linker<State>) -> wasmtime::Result<()> {
    use wasmtime_wasi::p2::bindings::{cli, random, sync};
    sync::io::error::add_to_linker::<State, HasTable>(l, |s| &mut s.table)?;
    sync::io::poll::add_to_linker::<State, HasTable>(l, |s| &mut s.table)?;
    sync::io::streams::add_to_linker::<State, HasTable>(l, |s| &mut s.table)?;
    fn cli_view(s: &mut State) -> wasmtime_wasi::cli::WasiCliCtxView<'_> {
        wasmtime_wasi::cli::WasiCliView::cli(s)
    }
    cli::environment::add_to_linker::<State, WasiCli>(l, cli_view)?;
    cli::exit::add_to_linker::<State, WasiCli>(l, cli_view)?;
    cli::stdin::add_to_linker::<State, WasiCli>(l, cli_view)?;
    cli::stdout::add_to_linker::<State, WasiCli>(l, cli_view)?;
    cli::stderr::add_to_linker::<State, WasiCli>(l, cli_view)?;
    cli::terminal_input::add_to_linker::<State, WasiCli>(l, cli_view)?;
    cli::terminal_output::add_to_linker::<State, WasiCli>(l, cli_view)?;
    cli::terminal_stdin::add_to_linker::<State, WasiCli>(l, cli_view)?;
    cli::terminal_stdout::add_to_linker::<State, WasiCli>(l, cli_view)?;
    cli::terminal_stderr::add_to_linker::<State, WasiCli>(l, cli_view)?;
    fn random_view(s: &mut State) -> &mut wasmtime_wasi::random::WasiRandomCtx {
        wasmtime_wasi::random::WasiRandomView::random(s)
    }
    random::random::add_to_linker::<State, WasiRandom>(l, random_view)?;
    random::insecure::add_to_linker::<State, WasiRandom>(l, random_view)?;
    random::insecure_seed::add_to_linker::<State, WasiRandom>(l, random_view)?;
    Ok(())
}

/// Advances the engine's epoch every [`TICK`] while at least one call runs, and sleeps
/// otherwise (a long-lived host, like the language server, costs nothing between runs).
struct Ticker {
    shared: Arc<TickerShared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

struct TickerShared {
    engine: Engine,
    running: AtomicUsize,
    stop: std::sync::atomic::AtomicBool,
}

/// Keeps the ticker going while alive.
pub(crate) struct Running<'a>(&'a Ticker);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.shared.running.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Ticker {
    fn new(engine: Engine) -> Self {
        Self {
            shared: Arc::new(TickerShared {
                engine,
                running: AtomicUsize::new(0),
                stop: std::sync::atomic::AtomicBool::new(false),
            }),
            thread: Mutex::new(None),
        }
    }

    fn start(&self) -> Running<'_> {
        self.shared.running.fetch_add(1, Ordering::SeqCst);
        let mut thread = self.thread.lock().unwrap_or_else(|e| e.into_inner());
        match thread.as_ref() {
            Some(t) => t.thread().unpark(),
            None => {
                let shared = self.shared.clone();
                *thread = Some(std::thread::spawn(move || loop {
                    if shared.stop.load(Ordering::SeqCst) {
                        return;
                    }
                    if shared.running.load(Ordering::SeqCst) == 0 {
                        std::thread::park();
                        continue;
                    }
                    std::thread::sleep(TICK);
                    shared.engine.increment_epoch();
                }));
            }
        }
        Running(self)
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(t) = thread {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}
