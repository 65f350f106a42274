#!/usr/bin/env bash
# Measures the shipped size of libecard_ffi.so on this host (x86_64 Linux):
# the release-size profile built with the shipping settings (build-env.sh:
# the UniFFI metadata hidden, packed relative relocations as the Android
# build packs them), bindings generated from the unstripped plain build
# (the shipped file has no metadata to generate from), then stripped copies
# measured. Prints the numbers docs/benchmarks.md records. Run from anywhere.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUT=target/ecard-ffi/size
mkdir -p "$OUT"

# Plain profile, for comparison.
cargo build -p ecard-ffi --profile release-size --locked
cp target/release-size/libecard_ffi.so "$OUT/plain-unstripped.so"
strip --strip-all -o "$OUT/plain.so" "$OUT/plain-unstripped.so"
cargo build --manifest-path bindings/uniffi/bindgen/Cargo.toml --target-dir target --locked
rm -rf "$OUT/kotlin"
target/debug/uniffi-bindgen generate --library "$OUT/plain-unstripped.so" --language kotlin \
    --out-dir "$OUT/kotlin" --no-format

# Shipping settings.
# shellcheck source=build-env.sh
source bindings/uniffi/build-env.sh
ecard_metadata_version_script "$OUT/plain-unstripped.so" "$PWD/$OUT/hide-metadata.map"
HIDE_METADATA="-C link-arg=-Wl,--version-script=$PWD/$OUT/hide-metadata.map"
# shellcheck disable=SC2086 # two words
cargo rustc -p ecard-ffi --lib --profile release-size --locked -- -C link-arg=-Wl,-z,pack-relative-relocs $HIDE_METADATA
cp target/release-size/libecard_ffi.so "$OUT/libecard_ffi.so"
strip --strip-all "$OUT/libecard_ffi.so"

# The Android link: lld folding identical code, as android/build-rust.sh
# links for the device (installs lld from Debian when missing).
command -v ld.lld >/dev/null 2>&1 || apt-get install -y --no-install-recommends lld >/dev/null 2>&1 || true
if command -v ld.lld >/dev/null 2>&1; then
    # shellcheck disable=SC2086 # two words
    cargo rustc -p ecard-ffi --lib --profile release-size --locked -- \
        -C link-arg=-fuse-ld=lld -C link-arg=-Wl,--icf=all -C link-arg=-Wl,-z,pack-relative-relocs $HIDE_METADATA
    cp target/release-size/libecard_ffi.so "$OUT/android-link.so"
    strip --strip-all "$OUT/android-link.so"
fi

report() { stat -c %s "$2" | awk -v label="$1" '{ printf "%-40s %9d bytes (%.2f MiB)\n", label, $1, $1 / 1048576 }'; }
report "release-size, stripped:" "$OUT/plain.so"
report "shipping settings, stripped:" "$OUT/libecard_ffi.so"
if [[ -f "$OUT/android-link.so" ]]; then
    report "shipping settings, lld --icf=all:" "$OUT/android-link.so"
fi
printf 'shipping settings, stripped, gzip -9:   %9d bytes\n' "$(gzip -9 -c "$OUT/libecard_ffi.so" | wc -c)"
size -A "$OUT/libecard_ffi.so" | sort -k2 -n -r | head -n 8
