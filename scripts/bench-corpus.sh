#!/usr/bin/env bash
# Times `topolint check` (discover + parse + link + rules) on the whole real-world corpus
# in ../shared/corpus: the median of N runs (default 15), wall time and peak RSS.
#   bash scripts/bench-corpus.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-15}"
cargo build --release -p topolint >/dev/null 2>&1
bin=target/release/topolint
corpus=../shared/corpus
files=$(find "$corpus" -type f | wc -l)
bytes=$(du -sb "$corpus" | cut -f1)
times=()
rss=()
for _ in $(seq "$n"); do
  out=$( { /usr/bin/time -f "%e %M" "$bin" check --format json "$corpus" >/dev/null || true; } 2>&1 | tail -1)
  times+=("${out% *}")
  rss+=("${out#* }")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "corpus: $files files, $bytes bytes"
echo "runs: $n"
echo "median wall: $(median "${times[@]}") s"
echo "median peak RSS: $(median "${rss[@]}") KB"
