#!/usr/bin/env bash
# The Swift side of the bindings, as far as Linux can check it: generates the
# Swift API, C header and module map from the ecard-ffi library with the
# pinned uniffi-bindgen, checks that the copies checked in under ios/ are
# current, and syntax-checks the header with gcc (there is no Swift compiler
# here; the XCFramework and the app build on macOS, see docs/bindings.md).
#
#   scripts/test-swift.sh           check (fails when ios/ is stale)
#   scripts/test-swift.sh --update  rewrite the checked-in copies
#
# Prints one summary line, `swift: N passed, M failed`; exits non-zero on
# failures. Logs: target/ecard-ffi/swift/logs/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TARGET=$PWD/target
WORK=$TARGET/ecard-ffi/swift
LOGS=$WORK/logs
GEN=$WORK/generated
export CARGO_TERM_COLOR=never
update=false
[ "${1:-}" = "--update" ] && update=true
mkdir -p "$LOGS"

passed=0
failed=0
pass() { passed=$((passed + 1)); printf '==> ok: %s\n' "$1"; }
fail() {
    failed=$((failed + 1))
    printf '==> FAILED: %s\n' "$1" >&2
    if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -n 40 "$2" >&2; fi
}
finish() {
    echo "swift: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

case "$(uname -s)" in
    Darwin) LIBRARY=$TARGET/debug/libecard_ffi.dylib ;;
    *) LIBRARY=$TARGET/debug/libecard_ffi.so ;;
esac

# 1. Generate from the library's metadata (the debug build carries the same
#    metadata as the shipped one; the checksums in the Swift match both).
if cargo build -p ecard-ffi --locked >"$LOGS/cargo-ffi.log" 2>&1 &&
   cargo build --manifest-path bindings/uniffi/bindgen/Cargo.toml --target-dir "$TARGET" --locked \
       >"$LOGS/cargo-bindgen.log" 2>&1; then
    rm -rf "$GEN"
    if "$TARGET/debug/uniffi-bindgen" generate --library "$LIBRARY" --language swift --out-dir "$GEN" \
           --no-format >"$LOGS/bindgen.log" 2>&1 &&
       [ -s "$GEN/Ecard.swift" ] && [ -s "$GEN/EcardFFI.h" ] && [ -s "$GEN/EcardFFI.modulemap" ]; then
        pass "generated Ecard.swift, EcardFFI.h and EcardFFI.modulemap"
    else
        fail "uniffi-bindgen --language swift" "$LOGS/bindgen.log"
        finish
    fi
else
    fail "building ecard-ffi and uniffi-bindgen" "$LOGS/cargo-ffi.log"
    tail -n 20 "$LOGS/cargo-bindgen.log" >&2 2>/dev/null || true
    finish
fi

# 2. The checked-in copies are the generated ones.
pairs=(
    "$GEN/Ecard.swift:ios/Sources/Ecard/Generated/Ecard.swift"
    "$GEN/EcardFFI.h:ios/EcardFFI/include/EcardFFI.h"
    "$GEN/EcardFFI.modulemap:ios/EcardFFI/include/module.modulemap"
)
stale=()
for pair in "${pairs[@]}"; do
    generated=${pair%%:*}
    checked_in=${pair#*:}
    if $update; then
        mkdir -p "$(dirname "$checked_in")"
        cp "$generated" "$checked_in"
    elif ! cmp -s "$generated" "$checked_in"; then
        stale+=("$checked_in")
    fi
done
if [ ${#stale[@]} -eq 0 ]; then
    pass "ios/ holds the current generated sources"
else
    fail "stale generated sources: ${stale[*]} (run scripts/test-swift.sh --update and commit)"
fi

# 3. The C header compiles (Clang's nullability keywords defined away for gcc).
if echo '#include "EcardFFI.h"' | gcc -fsyntax-only -std=c11 -Wall -Wextra -Werror \
       -D_Nullable= -D_Nonnull= -I "$GEN" -x c - >"$LOGS/gcc.log" 2>&1; then
    pass "EcardFFI.h passes gcc -fsyntax-only"
else
    fail "EcardFFI.h syntax check" "$LOGS/gcc.log"
fi

# 4. The module map names the header, and the Swift names the module.
if grep -q 'header "EcardFFI.h"' "$GEN/EcardFFI.modulemap" && grep -q 'import EcardFFI' "$GEN/Ecard.swift"; then
    pass "module map and Swift agree on the EcardFFI module"
else
    fail "module map / Swift module name mismatch"
fi

finish
