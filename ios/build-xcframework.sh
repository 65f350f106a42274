#!/usr/bin/env bash
# Builds ios/build/EcardFFI.xcframework: the ecard-ffi static library for
# iOS devices (arm64) and the simulator (arm64 + x86_64, one fat library),
# each with the generated C header and module map, for Package.swift.
#
# Needs macOS with Xcode (xcodebuild, lipo) and rustup; it cannot run on
# Linux. Steps (docs/bindings.md explains each):
#   1. rustup adds the three Apple targets;
#   2. cargo builds the release-size profile for each (-p ecard-ffi only, so
#      no other package's features leak into the library);
#   3. scripts/test-swift.sh checks that the checked-in Swift, header and
#      module map are the ones this library generates;
#   4. lipo joins the two simulator slices;
#   5. xcodebuild -create-xcframework packs device + simulator with headers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PROFILE=${PROFILE:-release-size}
export IPHONEOS_DEPLOYMENT_TARGET=${IPHONEOS_DEPLOYMENT_TARGET:-15.0}
TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
OUT=ios/build

[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS with Xcode" >&2; exit 1; }

rustup target add "${TARGETS[@]}"
# Shipping settings (SQLite without the features the core does not use).
# The UniFFI metadata statics that the Android link hides with a version
# script need nothing here: these are static archives, which export
# nothing; what stays in the app is decided by the app's own link, whose
# dead stripping keeps only what the Swift bindings call.
# shellcheck source=../bindings/uniffi/build-env.sh
source bindings/uniffi/build-env.sh
for target in "${TARGETS[@]}"; do
    cargo build -p ecard-ffi --locked --profile "$PROFILE" --target "$target"
done

scripts/test-swift.sh

rm -rf "$OUT/EcardFFI.xcframework" "$OUT/headers" "$OUT/simulator"
mkdir -p "$OUT/headers" "$OUT/simulator"
cp ios/EcardFFI/include/EcardFFI.h ios/EcardFFI/include/module.modulemap "$OUT/headers/"
lipo -create \
    "target/aarch64-apple-ios-sim/$PROFILE/libecard_ffi.a" \
    "target/x86_64-apple-ios/$PROFILE/libecard_ffi.a" \
    -output "$OUT/simulator/libecard_ffi.a"
xcodebuild -create-xcframework \
    -library "target/aarch64-apple-ios/$PROFILE/libecard_ffi.a" -headers "$OUT/headers" \
    -library "$OUT/simulator/libecard_ffi.a" -headers "$OUT/headers" \
    -output "$OUT/EcardFFI.xcframework"
echo "built $OUT/EcardFFI.xcframework"
