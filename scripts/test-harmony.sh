#!/usr/bin/env bash
# Tests the HarmonyOS binding (bindings/harmony, harmony/) on this Linux host:
#   1. installs the Node tools (typescript, @types/node) from harmony/package-lock.json;
#   2. builds the library with the `node` feature and loads it into Node as harmony/ecard.node;
#   3. starts the reference platform on a free loopback port with a known admin token;
#   4. runs the Node suite (node --test: the resident journey, family, typed errors,
#      the JavaScript key store, events, the ArkTS wrapper's logic, index.d.ts vs exports);
#   5. type-checks index.d.ts, the ArkTS-side TypeScript and the tests with tsc;
#   6. checks that the `ohos` feature (what a HarmonyOS app loads) builds.
# Prints `harmony: N passed, M failed` (Node tests plus the two checks) and exits
# non-zero on any failure. Needs Rust and Node 20 (installed from Debian if missing).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TERM_COLOR=never
root=$PWD
# Cargo's output directory (CARGO_TARGET_DIR when set, as cargo itself reads it).
target_dir=${CARGO_TARGET_DIR:-target}
started=$(date +%s)
step() { printf '\n==== %s ====\n' "$*"; }
fail() { printf 'harmony: 0 passed, 1 failed\n%s\n' "$*" >&2; exit 1; }

step "Node"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    (apt-get update && apt-get install -y --no-install-recommends nodejs npm) >/dev/null || fail "cannot install Node"
fi
node --version
(cd harmony && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed"

step "library (feature node)"
cargo build -p ecard-harmony || fail "cargo build -p ecard-harmony failed"
cp "$target_dir/debug/libecard_harmony.so" harmony/ecard.node
# ECARD_CLI: an ecard binary already built (scripts/test passes its own).
ecard_cli=${ECARD_CLI:-}
if [ -z "$ecard_cli" ]; then
    cargo build -p ecard-cli || fail "cargo build -p ecard-cli failed"
    ecard_cli=$target_dir/debug/ecard
fi

step "ArkTS wrapper for Node"
(cd harmony && npx tsc -p tsconfig.node.json) || fail "the wrapper does not compile"
# The wrapper imports the native module by its HarmonyOS name; in Node that
# name resolves to the library just built.
mkdir -p harmony/build/node-test/node_modules/libecard_harmony.so
echo "module.exports = require(process.env.ECARD_NATIVE || '../../../../ecard.node');" \
    > harmony/build/node-test/node_modules/libecard_harmony.so/index.js

step "platform on loopback"
work=$(mktemp -d)
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
token="harmony-$(date +%s)-$$"
# One address sends every test's requests: no per-source limit (the
# per-device one stays, as for a phone).
ECARD_ADMIN_TOKEN="$token" "$ecard_cli" platform serve --db "$work/platform.db" --addr "127.0.0.1:$port" \
    --rate-limit-per-source off \
    >"$work/platform.log" 2>&1 &
platform_pid=$!
stop_platform() {
    if kill -0 "$platform_pid" 2>/dev/null; then
        kill "$platform_pid" 2>/dev/null
        wait "$platform_pid" 2>/dev/null
    fi
}
trap 'stop_platform; rm -rf "$work"' EXIT
export ECARD_PLATFORM_URL="http://127.0.0.1:$port" ECARD_ADMIN_TOKEN="$token"
node -e "
const url = process.env.ECARD_PLATFORM_URL + '/v1/time';
(async () => {
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(url)).ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error('the platform did not start'); process.exit(1);
})();" || { cat "$work/platform.log"; fail "the platform did not start"; }
echo "platform at $ECARD_PLATFORM_URL"

step "Node tests"
(cd harmony && node --test --test-concurrency=1 --test-reporter=tap test/*.test.mjs) | tee "$work/node.tap"
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$work/node.tap" | tail -1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$work/node.tap" | tail -1)
passed=${passed:-0}
failed=${failed:-1}
stop_platform

step "type check (tsc --noEmit)"
if (cd harmony && npx tsc -p tsconfig.json); then
    passed=$((passed + 1)); echo "tsc: ok"
else
    failed=$((failed + 1)); echo "tsc: FAILED"
fi

step "library (feature ohos) builds"
if cargo build --no-default-features --features ohos -p ecard-harmony; then
    passed=$((passed + 1)); echo "ohos build: ok"
else
    failed=$((failed + 1)); echo "ohos build: FAILED"
fi

step "done in $(( $(date +%s) - started )) s"
echo "harmony: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
