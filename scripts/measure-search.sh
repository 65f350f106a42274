#!/usr/bin/env bash
# Counts the instructions of catalogue searches over 10,000 synthetic items
# (with the sample vocabulary) with callgrind: per query of the benchmarks'
# mix and on average. Counts do not move with the machine's load, so this
# is how docs/benchmarks.md compares search before and after a change on a
# shared machine; `cargo bench -p ecard-core --bench percentiles` gives the
# times.
#
# Usage: scripts/measure-search.sh [rounds]   (default 20 rounds of the mix)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
cargo build --release --quiet -p ecard-core --example search_instructions
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {
    # Instructions inside CatalogueIndex::search, divided by the searches run.
    valgrind --tool=callgrind --toggle-collect='ecard_core::catalogue::search::CatalogueIndex::search' \
        --callgrind-out-file="$out/run" target/release/examples/search_instructions "$@" \
        >"$out/stdout" 2>/dev/null
    searches=$(awk '{print $1}' "$out/stdout")
    total=$(callgrind_annotate "$out/run" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    echo $(( total / searches ))
}
printf '%-24s %14s\n' "query" "instructions"
for text in 社保 公交 养老保险 社会保障卡申领 医保 shebao yanglao sbk gj "就业 补贴" 图书馆 不存在的事项 补办社保卡 社保卡丢了怎么办 shebaoak; do
    printf '%-24s %14s\n' "$text" "$(count "$rounds" "$text")"
done
printf '%-24s %14s\n' "(the whole mix)" "$(count "$rounds")"
