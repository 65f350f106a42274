# Build settings of the shipped library, sourced by android/build-rust.sh,
# ios/build-xcframework.sh and measure-size.sh (one place, so every shipped
# build and the measured size agree).
#
# SQLite is compiled into the library (rusqlite "bundled"). The core uses
# plain tables only: no full-text search, R-trees, JSON functions, extension
# loading or statistics tables, so those are left out of the build, which
# saves about 380 KB of the stripped library.
export LIBSQLITE3_FLAGS="-USQLITE_ENABLE_FTS3 -USQLITE_ENABLE_FTS3_PARENTHESIS -USQLITE_ENABLE_FTS5 \
-USQLITE_ENABLE_RTREE -USQLITE_ENABLE_DBSTAT_VTAB -USQLITE_ENABLE_STAT4 -USQLITE_SOUNDEX \
-USQLITE_ENABLE_LOAD_EXTENSION -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_DEPRECATED \
-DSQLITE_OMIT_SHARED_CACHE -DSQLITE_OMIT_JSON -DSQLITE_OMIT_COMPLETE -DSQLITE_OMIT_GET_TABLE \
-DSQLITE_OMIT_TCL_VARIABLE -DSQLITE_DQS=0 -DSQLITE_OMIT_EXPLAIN -DSQLITE_OMIT_AUTHORIZATION -DSQLITE_OMIT_INTROSPECTION_PRAGMAS -DSQLITE_OMIT_UTF16 -USQLITE_ENABLE_COLUMN_METADATA"

# The C code (SQLite, ring's C parts) is built without unwind tables: no
# Rust panic ever unwinds through a C frame (rusqlite catches panics in its
# callbacks before returning to SQLite), so the tables would only serve
# native crash reports of C frames. About 95 KB of the stripped library.
export CFLAGS="${CFLAGS:-} -fno-asynchronous-unwind-tables -fno-unwind-tables"

# The UniFFI metadata (`UNIFFI_META_*` statics, ≈ 77 KB plus their entries
# in the dynamic symbol table) is read only by uniffi-bindgen, which
# generates the bindings from a separate unstripped build of the same
# source; the apps never read it. rustc exports every `#[no_mangle]` static
# of a cdylib by its exact name in its own version script, which a wildcard
# cannot override, so the shipped link gets a second version script naming
# each of them `local`; --gc-sections then drops them.
#   ecard_metadata_version_script LIBRARY MAP
# writes MAP from the symbols of LIBRARY, an unstripped build of ecard-ffi
# with the same features (any target: the metadata is the same on all).
ecard_metadata_version_script() {
    local library=$1 map=$2 names
    names=$(nm -g "$library" | awk '{ name = $NF; sub(/^_UNIFFI_META_/, "UNIFFI_META_", name) }
        name ~ /^UNIFFI_META_/ { print "    " name ";" }' | sort -u)
    [ -n "$names" ] || { echo "no UNIFFI_META_ symbols in $library" >&2; return 1; }
    printf '{\n  local:\n%s\n};\n' "$names" >"$map"
}
