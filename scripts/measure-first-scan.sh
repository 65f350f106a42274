#!/usr/bin/env bash
# Counts the instructions of a first scan (a code from a phone and a
# credential the verifier has never seen) with callgrind, and splits them
# into the two signature checks (ring), P-256 point decompression and the
# rest. Instruction counts do not move with the machine's load, so this is
# how docs/benchmarks.md measures the first-scan budget of issue 13 on a
# shared machine; the criterion bench (`verify_unseen`) gives the time.
#
# Usage: scripts/measure-first-scan.sh [count]   (default 200 scans)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
cargo build --release --quiet -p ecard-credential --example first_scans
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-32s %10s %10s %10s %10s %8s\n' "issuer + device" "per scan" "signatures" "decompress" "rest" "overhead"
for pair in "ed25519 p256" "p256 p256" "ed25519 ed25519"; do
    set -- $pair
    valgrind --tool=callgrind --toggle-collect='ecard_credential::verify::Verifier::verify' \
        --callgrind-out-file="$out/$1-$2" target/release/examples/first_scans "$1" "$2" "$count" \
        >/dev/null 2>&1
    callgrind_annotate --inclusive=yes "$out/$1-$2" 2>/dev/null | python3 -c '
import re, sys
count, pair = int(sys.argv[1]), sys.argv[2]
def inclusive(pattern):
    for line in sys.stdin_lines:
        if re.search(pattern, line) and line.rstrip().endswith("]"):
            return int(line.split()[0].replace(",", ""))
    return 0
sys.stdin_lines = sys.stdin.read().splitlines()
total = inclusive(r"Verifier::verify \[")
signatures = inclusive(r"EcdsaVerificationAlgorithm as ring::signature::VerificationAlgorithm>::verify \[") \
    + inclusive(r"EdDSAParameters as ring::signature::VerificationAlgorithm>::verify \[")
decompress = inclusive(r"decompress_p256 \[")
rest = total - signatures - decompress
per = lambda value: value / count
print(f"{pair:32s} {per(total):10.0f} {per(signatures):10.0f} {per(decompress):10.0f} {per(rest):10.0f} {100 * (total - signatures) / total:7.1f}%")
' "$count" "$1 + $2"
done
echo "instructions per scan; overhead = everything but the two signature checks, as a share of the scan"
