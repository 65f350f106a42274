#!/usr/bin/env bash
# Runs every cargo-fuzz target for a fixed time and prints the executions
# and findings of each. Crashes are left in fuzz/artifacts/<target>/ and
# must become regression tests (docs/reliability.md).
#
# Usage: scripts/fuzz.sh [seconds per target, default 120] [target ...]
# Needs cargo-fuzz (installed if missing); runs on the stable toolchain with
# RUSTC_BOOTSTRAP=1 for the sanitizer flags.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-120}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(code_verify status_list platform_replies documents)
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
cd fuzz
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    log="target/fuzz-$target.log"
    mkdir -p target
    cargo fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
    executions=$(grep -aE '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -n1)
    crashes=$(ls "artifacts/$target" 2>/dev/null | wc -l)
    echo "$target: ${executions:-?} executions in ${seconds}s, ${crashes} findings${status:+ (exit $status)}"
    unset status
done
