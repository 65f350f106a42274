#!/usr/bin/env bash
# The Kotlin bindings on a real JVM: builds the ecard-ffi cdylib, generates
# its Kotlin bindings with the pinned uniffi-bindgen, compiles them once into
# a cached jar, compiles the JUnit 5 suite of android/ecard (with the pure
# Kotlin screen models) and runs it against a reference platform started
# here on a free loopback port.
#
# On a fresh Debian machine it first installs what it needs: JNA and JUnit 5
# from Debian (a JDK too when there is none) and the Kotlin compiler from the
# npm registry (kotlin-compiler@2.4.20, unpacked under target/).
#
# ECARD_KOTLIN_SELECT narrows the run while developing, e.g.
# ECARD_KOTLIN_SELECT="--select-class cn.ecard.test.JourneyTest".
#
# Prints exactly one summary line, `kotlin: N passed, M failed`, and exits
# non-zero when anything failed. Logs: target/ecard-ffi/kotlin/logs/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TARGET=$ROOT/target
WORK=$TARGET/ecard-ffi/kotlin
LOGS=$WORK/logs
KOTLIN_VERSION=2.4.20
KOTLIN_HOME=$TARGET/kotlin/kotlin-compiler-$KOTLIN_VERSION
KOTLINC=$KOTLIN_HOME/package/bin/kotlinc
KL=$KOTLIN_HOME/package/lib
J=/usr/share/java
ADMIN_TOKEN=kotlin-test-admin-token
export CARGO_TERM_COLOR=never

mkdir -p "$WORK" "$LOGS"
started=$(date +%s)
note() { printf '==> %s\n' "$*"; }

# Every failure before the tests ran is one failed check in the summary.
fail() {
    echo "$1" >&2
    if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -n 60 "$2" >&2; fi
    echo "kotlin: 0 passed, 1 failed"
    exit 1
}

PLATFORM_PID=
cleanup() {
    if [ -n "$PLATFORM_PID" ] && kill -0 "$PLATFORM_PID" 2>/dev/null; then
        kill "$PLATFORM_PID" 2>/dev/null || true
        wait "$PLATFORM_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# --- 1. Tools ---------------------------------------------------------------
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
packages=()
dpkg -s libjna-java >/dev/null 2>&1 || packages+=(libjna-java)
dpkg -s junit5 >/dev/null 2>&1 || packages+=(junit5)
command -v javac >/dev/null 2>&1 || packages+=(default-jdk-headless)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [ ${#packages[@]} -gt 0 ]; then
    note "installing ${packages[*]}"
    { $SUDO apt-get update -qq &&
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"; } \
        >"$LOGS/apt.log" 2>&1 || fail "apt-get install failed" "$LOGS/apt.log"
fi
if [ ! -x "$KOTLINC" ]; then
    note "fetching kotlin-compiler@$KOTLIN_VERSION from npm"
    mkdir -p "$KOTLIN_HOME"
    (cd "$KOTLIN_HOME" && npm pack "kotlin-compiler@$KOTLIN_VERSION" --silent && tar xzf "kotlin-compiler-$KOTLIN_VERSION.tgz") \
        >"$LOGS/npm.log" 2>&1 || fail "npm pack kotlin-compiler failed" "$LOGS/npm.log"
fi

# --- 2. The library, the CLI (for the platform) and the bindgen -------------
note "building ecard-ffi, ecard-cli and uniffi-bindgen"
# Built one at a time: `-p a -p b` would unify their features into the cdylib.
cargo build -p ecard-ffi --features terminal-verifier --locked >"$LOGS/cargo-ffi.log" 2>&1 || fail "cargo build -p ecard-ffi failed" "$LOGS/cargo-ffi.log"
# ECARD_CLI: an ecard binary already built (scripts/test passes its own).
ECARD_CLI=${ECARD_CLI:-}
if [ -z "$ECARD_CLI" ]; then
    cargo build -p ecard-cli --locked >"$LOGS/cargo-cli.log" 2>&1 || fail "cargo build -p ecard-cli failed" "$LOGS/cargo-cli.log"
    ECARD_CLI=$TARGET/debug/ecard
fi
cargo build --manifest-path bindings/uniffi/bindgen/Cargo.toml --target-dir "$TARGET" --locked \
    >"$LOGS/cargo-bindgen.log" 2>&1 || fail "building uniffi-bindgen failed" "$LOGS/cargo-bindgen.log"

# --- 3. Kotlin bindings, compiled once per generated source -----------------
GEN=$WORK/generated
rm -rf "$GEN"
"$TARGET/debug/uniffi-bindgen" generate --library "$TARGET/debug/libecard_ffi.so" --language kotlin \
    --out-dir "$GEN" --no-format >"$LOGS/bindgen.log" 2>&1 || fail "generating Kotlin failed" "$LOGS/bindgen.log"
BINDINGS_HASH=$( (echo "$KOTLIN_VERSION"; find "$GEN" -name '*.kt' | sort | xargs cat) | sha256sum | cut -c1-16)
BINDINGS_JAR=$WORK/ecard-ffi-$BINDINGS_HASH.jar
if [ ! -f "$BINDINGS_JAR" ]; then
    note "compiling the generated bindings ($BINDINGS_HASH)"
    rm -f "$WORK"/ecard-ffi-*.jar
    "$KOTLINC" $(find "$GEN" -name '*.kt') -cp "$J/jna.jar:$KL/kotlinx-coroutines-core-jvm.jar" \
        -d "$BINDINGS_JAR.tmp.jar" -nowarn >"$LOGS/kotlinc-bindings.log" 2>&1 \
        || fail "compiling the bindings failed" "$LOGS/kotlinc-bindings.log"
    mv "$BINDINGS_JAR.tmp.jar" "$BINDINGS_JAR"
fi

# --- 4. Screen models and tests ---------------------------------------------
SOURCES=$(find android/ecard/src/main/kotlin/cn/ecard/models android/ecard/src/test/kotlin -name '*.kt' | sort)
TESTS_HASH=$( (echo "$BINDINGS_HASH"; for file in $SOURCES; do echo "$file"; cat "$file"; done) | sha256sum | cut -c1-16)
CLASSES=$WORK/tests-$TESTS_HASH
COMPILE_CP=$BINDINGS_JAR:$J/jna.jar:$KL/kotlinx-coroutines-core-jvm.jar:$KL/kotlin-test.jar:$KL/kotlin-test-junit5.jar
COMPILE_CP=$COMPILE_CP:$J/junit-jupiter-api.jar:$J/apiguardian-api.jar:$J/opentest4j.jar:$J/junit-platform-commons.jar
if [ ! -d "$CLASSES" ]; then
    note "compiling the screen models and the tests"
    rm -rf "$WORK"/tests-*
    # shellcheck disable=SC2086 # one word per source file
    "$KOTLINC" $SOURCES -cp "$COMPILE_CP" -d "$CLASSES.tmp" -nowarn >"$LOGS/kotlinc-tests.log" 2>&1 \
        || { rm -rf "$CLASSES.tmp"; fail "compiling the tests failed" "$LOGS/kotlinc-tests.log"; }
    mv "$CLASSES.tmp" "$CLASSES"
fi

# --- 5. The Android-only sources (Keystore key store, logcat logger) --------
# There is no Android SDK here: compile them against signature stubs of the
# few android.* APIs they use. Counted as one check in the summary.
ANDROID_SOURCES=$(find android/ecard/src/main/kotlin/cn/ecard/android -name '*.kt' | sort)
STUBS=$(find android/compile-check/android-stubs -name '*.java' | sort)
ANDROID_HASH=$( (echo "$BINDINGS_HASH"; for file in $ANDROID_SOURCES $STUBS; do echo "$file"; cat "$file"; done) | sha256sum | cut -c1-16)
ANDROID_CHECKED=$WORK/android-checked-$ANDROID_HASH
android_ok=1
if [ ! -f "$ANDROID_CHECKED" ]; then
    note "compile-checking the Android sources against API stubs"
    rm -f "$WORK"/android-checked-*
    rm -rf "$WORK/android-check"
    mkdir -p "$WORK/android-check/stubs"
    # shellcheck disable=SC2086 # one word per source file
    if javac -nowarn -d "$WORK/android-check/stubs" $STUBS >"$LOGS/android-check.log" 2>&1 &&
       "$KOTLINC" $ANDROID_SOURCES -cp "$WORK/android-check/stubs:$BINDINGS_JAR:$J/jna.jar:$KL/kotlinx-coroutines-core-jvm.jar" \
           -d "$WORK/android-check/classes" -nowarn >>"$LOGS/android-check.log" 2>&1; then
        touch "$ANDROID_CHECKED"
    else
        android_ok=0
        echo "compile check of android/ecard/src/main/kotlin/cn/ecard/android failed:" >&2
        tail -n 40 "$LOGS/android-check.log" >&2
    fi
fi

# --- 6. A platform on a free loopback port ----------------------------------
RUN=$WORK/run
rm -rf "$RUN"
mkdir -p "$RUN/data"
# One address sends every test's requests: no per-source limit (the
# per-device one stays, as for a phone).
ECARD_ADMIN_TOKEN="$ADMIN_TOKEN" "$ECARD_CLI" platform serve --db "$RUN/platform.db" --addr 127.0.0.1:0 \
    --rate-limit-per-source off \
    >"$LOGS/platform.log" 2>&1 &
PLATFORM_PID=$!
PLATFORM_URL=
for _ in $(seq 1 300); do
    PLATFORM_URL=$(grep -o 'serving http://[0-9.:]*' "$LOGS/platform.log" 2>/dev/null | cut -d' ' -f2 || true)
    [ -n "$PLATFORM_URL" ] && break
    kill -0 "$PLATFORM_PID" 2>/dev/null || break
    sleep 0.1
done
[ -n "$PLATFORM_URL" ] || fail "the platform did not start" "$LOGS/platform.log"

# --- 7. Run ------------------------------------------------------------------
note "running the Kotlin suite against $PLATFORM_URL"
rm -f "$WORK/overhead.txt"
RUN_CP=$CLASSES:$BINDINGS_JAR:$J/jna.jar:$KL/kotlin-stdlib.jar:$KL/kotlinx-coroutines-core-jvm.jar:$KL/kotlin-test.jar:$KL/kotlin-test-junit5.jar
set +e
java -Djna.library.path="$TARGET/debug" \
    -Decard.platform="$PLATFORM_URL" -Decard.adminToken="$ADMIN_TOKEN" \
    -Decard.cli="$ECARD_CLI" -Decard.workDir="$RUN/data" \
    -Decard.benchOut="$WORK/overhead.txt" -Decard.conformance="$ROOT/bindings/conformance/scenarios.json" \
    -jar "$J/junit-platform-console-standalone.jar" -cp "$RUN_CP" ${ECARD_KOTLIN_SELECT:---select-package cn.ecard} \
    --disable-banner --disable-ansi-colors --details=tree >"$LOGS/junit.log" 2>&1
status=$?
set -e

passed=$(grep -oE '[0-9]+ tests successful' "$LOGS/junit.log" | grep -oE '^[0-9]+' | tail -n 1 || true)
failed=$(grep -oE '[0-9]+ tests failed' "$LOGS/junit.log" | grep -oE '^[0-9]+' | tail -n 1 || true)
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    grep -vE '^\s*$' "$LOGS/junit.log" | tail -n 150 >&2
    [ "$failed" -eq 0 ] && failed=1
fi
if [ "$android_ok" -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
[ -f "$WORK/overhead.txt" ] && note "$(cat "$WORK/overhead.txt")"
note "done in $(( $(date +%s) - started )) s"
echo "kotlin: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
