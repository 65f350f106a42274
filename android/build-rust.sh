#!/usr/bin/env bash
# Rust side of the Android build, called by android/ecard/build.gradle.kts
# (and usable by hand from the repository root):
#
#   android/build-rust.sh bindings <dir>   generate the Kotlin bindings into <dir>
#   android/build-rust.sh jniLibs  <dir>   build libecard_ffi.so for every ABI into <dir>/<abi>/
#
# `jniLibs` needs the Android NDK (ANDROID_NDK_HOME, r26 or later) and
# cargo-ndk (`cargo install cargo-ndk`); it cannot run on a machine without
# the NDK. The library is built with the release-size profile (opt-level z,
# fat LTO, crypto at opt-level 3) and the shipping settings below; AGP
# strips the symbols when it packages the AAR.
#
# `bindings` generates from a host build of the same crate: the metadata
# (and so the generated Kotlin and its checksums) is the same on every
# target, and the bindgen must read an unstripped library.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=${1:?usage: build-rust.sh bindings|jniLibs <dir>}
out=${2:?usage: build-rust.sh bindings|jniLibs <dir>}
PROFILE=${PROFILE:-release-size}
ABIS=${ABIS:-arm64-v8a armeabi-v7a x86_64}

case "$mode" in
bindings)
    cargo build -p ecard-ffi --locked
    cargo build --manifest-path bindings/uniffi/bindgen/Cargo.toml --target-dir target --locked
    case "$(uname -s)" in
        Darwin) library=target/debug/libecard_ffi.dylib ;;
        *) library=target/debug/libecard_ffi.so ;;
    esac
    rm -rf "$out"
    target/debug/uniffi-bindgen generate --library "$library" --language kotlin --out-dir "$out" --no-format
    ;;
jniLibs)
    command -v cargo-ndk >/dev/null || { echo "install cargo-ndk: cargo install cargo-ndk" >&2; exit 1; }
    [ -n "${ANDROID_NDK_HOME:-}" ] || { echo "set ANDROID_NDK_HOME to the NDK" >&2; exit 1; }
    targets=()
    for abi in $ABIS; do
        case "$abi" in
            arm64-v8a) rustup target add aarch64-linux-android ;;
            armeabi-v7a) rustup target add armv7-linux-androideabi ;;
            x86_64) rustup target add x86_64-linux-android ;;
            x86) rustup target add i686-linux-android ;;
        esac
        targets+=(-t "$abi")
    done
    # Shipping settings: SQLite without the features the core does not use
    # and the UniFFI metadata hidden (bindings/uniffi/build-env.sh; its
    # names are read from a host build of the same crate, as `bindings`
    # builds it); lld folds identical code and packs the relocations
    # (Android's packed format, API 23+), which together keep the library
    # inside its 6 MB budget (measured on x86_64 in docs/benchmarks.md);
    # 16 KB pages for Android 15 devices.
    # shellcheck source=../bindings/uniffi/build-env.sh
    source bindings/uniffi/build-env.sh
    cargo build -p ecard-ffi --locked
    host_target=${CARGO_TARGET_DIR:-$PWD/target}
    case "$(uname -s)" in
        Darwin) host_library=$host_target/debug/libecard_ffi.dylib ;;
        *) host_library=$host_target/debug/libecard_ffi.so ;;
    esac
    map=$host_target/ecard-ffi/hide-metadata.map
    mkdir -p "$(dirname "$map")"
    ecard_metadata_version_script "$host_library" "$map"
    RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384 -C link-arg=-Wl,--pack-dyn-relocs=android -C link-arg=-Wl,--icf=all -C link-arg=-Wl,--version-script=$map" \
        cargo ndk "${targets[@]}" --platform 24 -o "$out" build -p ecard-ffi --locked --profile "$PROFILE"
    ;;
*)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac
