#!/usr/bin/env bash
# SM2 (suite 3) against an independent implementation: the pure-Python
# `gmssl` package (PyPI), through credential/examples/sm2_interop.rs and
# scripts/sm2_interop.py.
#
# 1. The crate's SM2 keys sign messages (SM3, identifier 1234567812345678,
#    r || s); gmssl's verify_with_sm3 must accept each and refuse it over
#    another message.
# 2. SM3 digests of the same messages agree with gmssl's sm3_hash.
# 3. One whole e-card code from an SM2 issuer to an SM2 device: Python
#    parses it by the format (base45, byte layout, point decompression) and
#    gmssl checks the issuer signature over "ecard-credential-v1" || the
#    credential and the device signature over "ecard-presentation-v1" ||
#    the presentation.
# 4. gmssl signs with random k (sign_with_sm3, fresh keys each run); the
#    crate's PublicKey::verify must accept those and refuse the same
#    signatures over other messages, signatures made with another
#    identifier, and r or s of 0, n or above n.
#
# Python packages go into target/sm2-interop-venv on first use. Prints
# `sm2-interop: N passed, M failed` last; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TERM_COLOR=never

venv=target/sm2-interop-venv
if ! "$venv/bin/python" -c 'import gmssl' >/dev/null 2>&1; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'gmssl==3.2.2'
fi

cargo build -q -p ecard-credential --example sm2_interop --locked
bin=target/debug/examples/sm2_interop
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$bin" emit >"$work/rust.txt"
set +e
"$venv/bin/python" scripts/sm2_interop.py check <"$work/rust.txt" >"$work/check.txt"
check_status=$?
"$venv/bin/python" scripts/sm2_interop.py sign >"$work/python.txt"
sign_status=$?
"$bin" verify <"$work/python.txt" >"$work/verify.txt"
verify_status=$?
set -e

grep '^FAIL' "$work/check.txt" >&2 || true
line=$(grep -E '^passed [0-9]+ failed [0-9]+$' "$work/check.txt" || echo "passed 0 failed 1")
passed=$(echo "$line" | cut -d' ' -f2)
failed=$(echo "$line" | cut -d' ' -f4)
echo "gmssl checked the crate's output: $line"

# Every verdict of the Rust side against the expectation Python wrote.
expected=$(cut -d' ' -f1 "$work/python.txt")
actual=$(cut -d' ' -f1 "$work/verify.txt")
if [ "$sign_status" -ne 0 ] || [ "$verify_status" -gt 1 ] || [ -z "$expected" ]; then
    echo "signing with gmssl or verifying in Rust stopped (exit $sign_status / $verify_status)" >&2
    failed=$((failed + 1))
else
    agree=$(paste -d' ' <(echo "$expected") <(echo "$actual") | awk '$1 == $2' | wc -l)
    total=$(echo "$expected" | wc -l)
    echo "the crate checked gmssl's signatures: $agree of $total verdicts as expected ($(grep -c '^valid' "$work/python.txt") valid, $(grep -c '^invalid' "$work/python.txt") invalid)"
    passed=$((passed + agree))
    failed=$((failed + total - agree))
    if [ "$verify_status" -ne 0 ]; then
        paste -d' ' <(echo "$expected") "$work/verify.txt" | awk '$1 != $2' >&2
    fi
fi
[ "$check_status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))

echo "sm2-interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
