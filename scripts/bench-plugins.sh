#!/usr/bin/env bash
# Plugin costs (docs/benchmarks.md, "WebAssembly plugins"): builds the example plugins from
# source (the Rust ones for wasm32-wasip2; the JavaScript one with componentize-js when
# plugins/js/node_modules is installed), then times compile / load from cache /
# instantiate + metadata / check over a ~1 MB model document.
#   bash scripts/bench-plugins.sh [RUNS] [STACKS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-15}"
stacks="${2:-26}"
cd "$root"
rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
cargo build --release --quiet --target wasm32-wasip2 --manifest-path plugins/Cargo.toml \
  --target-dir target/wasm-plugins
out=target/wasm-plugins/wasm32-wasip2/release
wasm=("$out/forbid_latest_image_tag.wasm" "$out/require_proxy_read_timeout_below.wasm")
if [ -d plugins/js/node_modules/@bytecodealliance/componentize-js ]; then
  (cd plugins/js && node build.mjs forbid-port.js "$root/target/wasm-plugins/forbid-port.bench.wasm")
  wasm+=("$root/target/wasm-plugins/forbid-port.bench.wasm")
else
  echo "note: plugins/js/node_modules missing (npm install --prefix plugins/js): JavaScript plugin skipped" >&2
fi
cargo run --release --quiet -p topolint_plugin_host --example plugin_bench -- \
  --runs "$runs" --stacks "$stacks" "${wasm[@]}"
