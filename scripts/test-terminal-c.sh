#!/usr/bin/env bash
# The terminal SDK from C: builds ecard-terminal-c, digests the test-vector
# corpus into plain files (the `prepare` example), compiles the C test
# driver (terminal/c/tests/vectors.c, against the static library) and the
# gate example (terminal/c/examples/gate.c, against the shared library)
# with gcc, and runs both under valgrind: every test vector, the restart
# cases, the argument checks, status deltas, clearing between two terminals
# and a region's on-behalf rules through the C ABI, with no memory error and
# no definite or possible leak. The header also compiles as C99 and as C++.
#
# On a fresh Debian machine it first installs gcc and valgrind.
#
# `--bench` then builds in release and prints the cost of a verification
# through the C ABI next to the direct Rust call (docs/benchmarks.md,
# "Terminal SDK (C)").
#
# Prints exactly one summary line, `terminal-c: N passed, M failed`, and
# exits non-zero when anything failed. Logs: target/terminal-c/logs/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TARGET=$ROOT/target
WORK=$TARGET/terminal-c
LOGS=$WORK/logs
INCLUDE=$ROOT/terminal/c/include
export CARGO_TERM_COLOR=never
BENCH=0
[ "${1:-}" = "--bench" ] && BENCH=1

rm -rf "$WORK"
mkdir -p "$LOGS"
started=$(date +%s)
note() { printf '==> %s\n' "$*"; }
passed=0
failed=0

# Every failure before the driver ran is one failed check in the summary.
fail() {
    echo "$1" >&2
    if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -n 60 "$2" >&2; fi
    echo "terminal-c: $passed passed, $((failed + 1)) failed"
    exit 1
}

# --- 1. Tools ---------------------------------------------------------------
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
packages=()
command -v gcc >/dev/null 2>&1 || packages+=(gcc libc6-dev)
command -v g++ >/dev/null 2>&1 || packages+=(g++)
command -v valgrind >/dev/null 2>&1 || packages+=(valgrind)
if [ ${#packages[@]} -gt 0 ]; then
    note "installing ${packages[*]}"
    { $SUDO apt-get update -qq &&
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"; } \
        >"$LOGS/apt.log" 2>&1 || fail "apt-get install failed" "$LOGS/apt.log"
fi

# --- 2. The library and the digested vectors ---------------------------------
note "building ecard-terminal-c and digesting the test vectors"
cargo build -p ecard-terminal-c --locked >"$LOGS/cargo.log" 2>&1 || fail "cargo build failed" "$LOGS/cargo.log"
cargo run -p ecard-terminal-c --example prepare --locked -- "$WORK/data" >"$LOGS/prepare.log" 2>&1 \
    || fail "preparing the vectors failed" "$LOGS/prepare.log"
# What a static Rust library needs from the system (rustc --print native-static-libs).
NATIVE="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

# --- 3. Compile ----------------------------------------------------------------
CFLAGS="-std=c11 -g -O1 -Wall -Wextra -Werror -I$INCLUDE"
note "compiling the C driver (static) and the gate example (shared) with gcc"
# shellcheck disable=SC2086 # flags are words
gcc $CFLAGS terminal/c/tests/vectors.c "$TARGET/debug/libecard_terminal_c.a" $NATIVE -o "$WORK/vectors" \
    >"$LOGS/gcc.log" 2>&1 || fail "compiling tests/vectors.c failed" "$LOGS/gcc.log"
# shellcheck disable=SC2086
gcc $CFLAGS terminal/c/examples/gate.c -L"$TARGET/debug" -lecard_terminal_c -Wl,-rpath,"$TARGET/debug" \
    -o "$WORK/gate" >>"$LOGS/gcc.log" 2>&1 || fail "compiling examples/gate.c failed" "$LOGS/gcc.log"
if echo '#include "ecard_terminal.h"' | gcc -std=c99 -pedantic -Wall -Werror -I"$INCLUDE" -fsyntax-only -x c - \
       >>"$LOGS/gcc.log" 2>&1 &&
   echo '#include "ecard_terminal.h"' | g++ -std=c++11 -Wall -Werror -I"$INCLUDE" -fsyntax-only -x c++ - \
       >>"$LOGS/gcc.log" 2>&1; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "include/ecard_terminal.h does not compile as C99 or C++:" >&2
    tail -n 20 "$LOGS/gcc.log" >&2
fi

# --- 4. Run under valgrind -----------------------------------------------------
VALGRIND=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible
          --show-leak-kinds=definite,possible)
note "running every test vector, the restart cases and the argument checks under valgrind"
set +e
"${VALGRIND[@]}" "$WORK/vectors" vectors "$WORK/data" >"$LOGS/vectors.log" 2>&1
status=$?
set -e
line=$(grep -E '^passed [0-9]+ failed [0-9]+$' "$LOGS/vectors.log" | tail -n 1 || true)
if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | cut -d' ' -f2)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f4)))
fi
grep -E '^(FAIL|vectors:)' "$LOGS/vectors.log" >&2 || true
if [ "$status" -ne 0 ] || [ -z "$line" ]; then
    if [ "$status" -eq 99 ] || [ -z "$line" ]; then
        echo "valgrind reported errors or the driver stopped (exit $status):" >&2
        grep -E '^==[0-9]+==' "$LOGS/vectors.log" | head -n 60 >&2 || tail -n 40 "$LOGS/vectors.log" >&2
        failed=$((failed + 1))
    fi
fi

note "running the gate example under valgrind"
DATA=$WORK/data
first=$(grep '^first ' "$DATA/world.txt" | cut -d' ' -f2-)
{ echo "$first"; echo "$first"; grep '^revoked ' "$DATA/world.txt" | cut -d' ' -f2-; echo "not a code"; } >"$WORK/codes.txt"
now=$(grep '^now ' "$DATA/world.txt" | cut -d' ' -f2)
set +e
"${VALGRIND[@]}" "$WORK/gate" "$DATA/world.signed-trust.json" "$DATA/world.authority.json" "$DATA/world.status.bin" "$now" "$WORK/codes.txt" \
    "$DATA/world.delta-6.bin" >"$LOGS/gate.log" 2>&1
status=$?
set -e
if [ "$status" -eq 0 ] &&
   grep -q '^status list 6 installed from a delta$' "$LOGS/gate.log" &&
   [ "$(grep -c '^.*OPEN GATE counter 1, fare class senior_free, status list 6$' "$LOGS/gate.log")" -eq 1 ] &&
   grep -q '^clearing report (1 accepts, [0-9]* bytes): {"terminal_id":"line1-gate-07","acceptances":\[{"handle":' "$LOGS/gate.log" &&
   grep -q 'REFUSED replayed' "$LOGS/gate.log" && grep -q 'REFUSED revoked' "$LOGS/gate.log" &&
   grep -q 'REFUSED bad_prefix' "$LOGS/gate.log"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "the gate example did not give the expected verdicts (exit $status):" >&2
    tail -n 40 "$LOGS/gate.log" >&2
fi

# --- 5. Overhead of the C ABI (release) --------------------------------------
if [ "$BENCH" -eq 1 ]; then
    note "measuring the C ABI against the direct Rust call (release)"
    cargo build --release -p ecard-terminal-c --locked >"$LOGS/cargo-release.log" 2>&1 \
        || fail "cargo build --release failed" "$LOGS/cargo-release.log"
    cargo run --release -q -p ecard-terminal-c --example prepare --locked -- "$WORK/bench" --bench \
        >"$LOGS/bench-rust.log" 2>&1 || fail "the Rust bench failed" "$LOGS/bench-rust.log"
    # shellcheck disable=SC2086
    gcc -std=c11 -O2 -I"$INCLUDE" terminal/c/tests/vectors.c "$TARGET/release/libecard_terminal_c.a" $NATIVE \
        -o "$WORK/bench-c" >"$LOGS/gcc-bench.log" 2>&1 || fail "compiling the bench failed" "$LOGS/gcc-bench.log"
    "$WORK/bench-c" bench "$WORK/bench" >"$LOGS/bench-c.log" 2>&1 || fail "the C bench failed" "$LOGS/bench-c.log"
    cat "$LOGS/bench-rust.log" "$LOGS/bench-c.log"
fi

note "done in $(( $(date +%s) - started )) s"
echo "terminal-c: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
