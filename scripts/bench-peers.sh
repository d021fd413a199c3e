#!/usr/bin/env bash
# topolint against its peers and against the floor, side by side, on a generated corpus.
#
#   bash scripts/bench-peers.sh [size] [runs] [peer-runs]
#     size       small | medium | large | <stacks>     (default: medium = 1,000 stacks, 10,000 files)
#     runs       runs of topolint and the floors      (default: 5)
#     peer-runs  runs of each peer                    (default: 3; the slow peers dominate the time)
#   PEERS="checkov yamllint gixy dclint crossplane"   (default: all; PEERS= for none)
#
# The corpus comes from `topolint-corpusgen` (seed 1, 20 % of stacks with one planted defect)
# and is written once under target/bench-corpus/. Each peer sees only its part of the corpus
# (hard-linked views): Checkov the Kubernetes/Istio manifests, yamllint every YAML file, gixy
# and crossplane the nginx files, dclint the compose files; topolint checks the whole corpus.
# Floors: `cat` of every byte, and read + bare granit-parser events over every YAML file on
# all cores (`topolint-corpusgen floor`).
# Peers are installed on first use under target/bench-tools/ (PyPI in a venv, npm prefix).
# Wall time from bash's $EPOCHREALTIME (microseconds) around each run, CPU and peak RSS from
# /usr/bin/time; medians of the runs after one warm-up run (page cache
# warm). The machine is shared: read ratios, not absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-medium}"
runs="${2:-5}"
peer_runs="${3:-3}"
peers="${PEERS-checkov yamllint gixy dclint crossplane}"
root=$PWD

cargo build --release -p topolint -p topolint_corpusgen >&2
tgt=${CARGO_TARGET_DIR:-$root/target}
bin=$tgt/release/topolint
gen=$tgt/release/topolint-corpusgen

tools=$root/target/bench-tools
if [ -n "$peers" ]; then
  if [ ! -x "$tools/venv/bin/checkov" ]; then
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install -q checkov yamllint gixy-ng crossplane >&2
  fi
  if [ ! -x "$tools/npm/node_modules/.bin/dclint" ]; then
    npm install -s --prefix "$tools/npm" dclint >&2
  fi
fi

corpus=$root/target/bench-corpus/$size-seed1
if [ ! -f "$corpus/all/MANIFEST.tsv" ]; then
  rm -rf "$corpus"
  "$gen" gen --size "$size" --seed 1 --out "$corpus/all" >&2
  for view in k8s nginx compose yaml; do mkdir -p "$corpus/$view"; done
  (
    cd "$corpus/all"
    find . -type f \( -path '*/k8s/*.yaml' -o -path '*/istio/*.yaml' \) -exec cp --parents -l {} ../k8s/ \;
    find . -type f -name '*.conf' -exec cp --parents -l {} ../nginx/ \;
    find . -type f -name 'compose.yaml' -exec cp --parents -l {} ../compose/ \;
    find . -type f -name '*.yaml' -exec cp --parents -l {} ../yaml/ \;
  )
fi
count() { find "$1" -type f \( -name '*.yaml' -o -name '*.conf' \) | wc -l; }

declare -a rows
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure NAME FILES N CMD...: N timed runs (after a warm-up when N >= 3); appends a row.
measure() {
  local name=$1 files=$2 n=$3
  shift 3
  local w=() c=() m=()
  # One warm-up run when there are several timed runs (slow peers run once, cold-ish).
  if [ "$n" -ge 3 ]; then "$@" >/dev/null 2>&1 || true; fi
  for _ in $(seq "$n"); do
    # Wall time from bash's microsecond clock around the run (`/usr/bin/time` resolves
    # 10 ms, a fifth of topolint's time on the nginx part); CPU and peak RSS from it.
    local t0=$EPOCHREALTIME
    /usr/bin/time -o "$tmp" -f "%e %U %S %M" "$@" >/dev/null 2>&1 || true
    local t1=$EPOCHREALTIME
    read -r _ u s k < <(tail -1 "$tmp")
    w+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')")
    c+=("$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')")
    m+=("$k")
  done
  local mw mc mm
  mw=$(median "${w[@]}")
  mc=$(median "${c[@]}")
  mm=$(median "${m[@]}")
  rows+=("$name|$files|$n|$mw|$mc|$mm")
  echo "$name: files=$files runs=$n wall=${w[*]} cpu=${c[*]} rss_kb=${m[*]}" >&2
}

all=$(count "$corpus/all")
k8s=$(count "$corpus/k8s")
nginx=$(count "$corpus/nginx")
compose=$(count "$corpus/compose")
yaml=$(count "$corpus/yaml")

measure "floor: cat every byte" "$all" "$runs" \
  bash -c "find '$corpus/all' -type f -print0 | xargs -0 cat"
measure "floor: read + granit-parser events (all cores)" "$all" "$runs" "$gen" floor "$corpus/all"
# What two threads give on this machine for perfectly parallel reading and parsing: the
# reference for topolint's own 1 -> 2 thread scaling.
measure "floor: read + granit-parser events (RAYON_NUM_THREADS=1)" "$all" "$runs" \
  env RAYON_NUM_THREADS=1 "$gen" floor "$corpus/all"
measure "topolint check (all cores)" "$all" "$runs" "$bin" check --format json "$corpus/all"
measure "topolint check (RAYON_NUM_THREADS=1)" "$all" "$runs" \
  env RAYON_NUM_THREADS=1 "$bin" check --format json "$corpus/all"
# Each peer is compared with topolint on the same part of the corpus.
measure "topolint check, k8s part only" "$k8s" "$runs" "$bin" check --format json "$corpus/k8s"
measure "topolint check, nginx part only" "$nginx" "$runs" "$bin" check --format json "$corpus/nginx"
measure "topolint check, compose part only" "$compose" "$runs" "$bin" check --format json "$corpus/compose"
measure "topolint check, every YAML file" "$yaml" "$runs" "$bin" check --format json "$corpus/yaml"

for p in $peers; do
  case $p in
    checkov)
      measure "checkov --framework kubernetes (k8s part)" "$k8s" "$peer_runs" \
        "$tools/venv/bin/checkov" -d "$corpus/k8s" --framework kubernetes --quiet --compact -o json ;;
    yamllint)
      measure "yamllint (every YAML file)" "$yaml" "$peer_runs" \
        "$tools/venv/bin/yamllint" -f parsable "$corpus/yaml" ;;
    gixy)
      measure "gixy-ng (nginx part)" "$nginx" "$peer_runs" \
        bash -c "find '$corpus/nginx' -name nginx.conf -print0 | xargs -0 '$tools/venv/bin/gixy' -f json" ;;
    dclint)
      measure "dclint (compose files)" "$compose" "$peer_runs" \
        "$tools/npm/node_modules/.bin/dclint" -r "$corpus/compose" ;;
    crossplane)
      measure "crossplane parse (nginx part, one process)" "$nginx" "$peer_runs" \
        "$tools/venv/bin/python" -c "import crossplane, pathlib, sys
for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.conf')):
    crossplane.parse(str(p), single=True)" "$corpus/nginx" ;;
  esac
done

top=""
k8s_top=""
nginx_top=""
compose_top=""
yaml_top=""
floor=""
floor1=""
top1=""
for r in "${rows[@]}"; do
  IFS='|' read -r name _ _ w _ _ <<<"$r"
  case $name in
    "topolint check (all cores)") top=$w ;;
    "topolint check, k8s part only") k8s_top=$w ;;
    "topolint check, nginx part only") nginx_top=$w ;;
    "topolint check, compose part only") compose_top=$w ;;
    "topolint check, every YAML file") yaml_top=$w ;;
    "floor: read + granit-parser events (all cores)") floor=$w ;;
    "floor: read + granit-parser events (RAYON_NUM_THREADS=1)") floor1=$w ;;
    "topolint check (RAYON_NUM_THREADS=1)") top1=$w ;;
  esac
done

echo
echo "corpus: $size ($all files: $k8s k8s/istio, $nginx nginx, $compose compose; $(find "$corpus/all" -type f -printf '%s\n' | awk '{s += $1} END {print s}') bytes of files), $(nproc) cores, $(date -u +%F)"
echo
echo "| tool (input) | files | runs | median wall s | median CPU s | median peak RSS MB | files/s | wall vs topolint on the same files |"
echo "|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
  IFS='|' read -r name files n w c m <<<"$r"
  ref=$top
  case $name in
    checkov*) ref=$k8s_top ;;
    gixy* | crossplane*) ref=$nginx_top ;;
    dclint*) ref=$compose_top ;;
    yamllint*) ref=$yaml_top ;;
  esac
  awk -v name="$name" -v f="$files" -v n="$n" -v w="$w" -v c="$c" -v m="$m" -v ref="$ref" 'BEGIN {
    fps = (w > 0) ? sprintf("%.0f", f / w) : "-";
    ratio = (ref > 0) ? sprintf("%.2fx", w / ref) : "-";
    printf "| %s | %d | %d | %.3f | %.2f | %.1f | %s | %s |\n", name, f, n, w, c, m / 1024, fps, ratio
  }'
done
if [ -n "$floor" ] && [ -n "$top" ]; then
  awk -v t="$top" -v f="$floor" 'BEGIN { if (f > 0) printf "\ntopolint / read+YAML-parse floor: %.2fx\n", t / f }'
fi
if [ -n "$floor" ] && [ -n "$floor1" ] && [ -n "$top" ] && [ -n "$top1" ]; then
  awk -v t="$top" -v t1="$top1" -v f="$floor" -v f1="$floor1" 'BEGIN {
    if (t > 0 && f > 0) printf "1 -> 2 threads: topolint %.2fx, the floor %.2fx\n", t1 / t, f1 / f }'
fi
