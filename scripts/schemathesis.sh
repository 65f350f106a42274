#!/usr/bin/env bash
# Property-based testing of the running platform against its contract,
# docs/api/openapi.yaml, with schemathesis (PyPI).
#
# First runs the contract tests recording every exchange and checks each
# answer against the document (scripts/check-recorded-responses.py). Then
# starts `ecard platform serve` on a fresh database and a free loopback port,
# enrols a device and registers a terminal operator for the hooks
# (scripts/schemathesis_hooks.py sign the device-authenticated calls; the
# admin and operator tokens go to their calls), then
# runs every operation — public, device-signed and admin — with positive and
# negative data and every check schemathesis has (no 5xx, documented status
# codes, media types, headers and schemas, negative data refused, auth
# enforced, 405 on undeclared methods). Exits non-zero on any failure.
#
#   scripts/schemathesis.sh                # 50 examples per operation, about 1 min
#   ST_EXAMPLES=200 scripts/schemathesis.sh
#
# Python packages go into target/schemathesis-venv on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TERM_COLOR=never

examples="${ST_EXAMPLES:-50}"
seed="${ST_SEED:-20261126}"
venv=target/schemathesis-venv
if [[ ! -x "$venv/bin/schemathesis" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet schemathesis cryptography
fi

# First the contract tests, recording every exchange, checked against the
# document: the happy paths the fuzzer cannot reach (ST_SKIP_RECORDED=1 skips).
if [[ -z "${ST_SKIP_RECORDED:-}" ]]; then
    recorded="$(mktemp)"
    # --workspace: the features scripts/test built with, so nothing is compiled again.
    ECARD_RECORD_RESPONSES="$recorded" cargo test -q --workspace --locked --test platform_contract
    "$venv/bin/python" scripts/check-recorded-responses.py docs/api/openapi.yaml "$recorded"
    rm -f "$recorded"
fi

work="$(mktemp -d)"
port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
token="st-admin-$RANDOM$RANDOM"
base="http://127.0.0.1:$port"

# ECARD_CLI: an ecard binary already built (scripts/test passes its own).
ecard_cli="${ECARD_CLI:-}"
if [[ -z "$ecard_cli" ]]; then
    cargo build -q -p ecard-cli
    ecard_cli="${CARGO_TARGET_DIR:-target}/debug/ecard"
fi
# Thousands of generated requests from one address and one device: the
# rate limits are off (tests/operations.rs and cli/tests/serve.rs test them).
ECARD_ADMIN_TOKEN="$token" "$ecard_cli" platform serve --db "$work/platform.db" \
    --addr "127.0.0.1:$port" --rate-limit-per-source off --rate-limit-per-device off \
    >"$work/server.log" 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

up=""
for _ in $(seq 1 300); do
    if "$venv/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$base/v1/time" >/dev/null 2>&1; then
        up=1
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        cat "$work/server.log" >&2
        echo "the platform did not start" >&2
        exit 1
    fi
    sleep 0.2
done
if [[ -z "$up" ]]; then
    echo "the platform did not answer within 60 s" >&2
    exit 1
fi

export ECARD_ST_BASE="$base" ECARD_ST_ADMIN_TOKEN="$token" ECARD_ST_KEY_FILE="$work/device.key"
ECARD_ST_IDS="$("$venv/bin/python" scripts/schemathesis_hooks.py enrol "$ECARD_ST_KEY_FILE")"
ECARD_ST_DEVICE="$("$venv/bin/python" -c 'import json, sys; print(json.loads(sys.argv[1])["device_id"])' "$ECARD_ST_IDS")"
ECARD_ST_OPERATOR_TOKEN="$("$venv/bin/python" -c 'import json, sys; print(json.loads(sys.argv[1])["operator_token"])' "$ECARD_ST_IDS")"
export ECARD_ST_IDS ECARD_ST_DEVICE ECARD_ST_OPERATOR_TOKEN

# Schemathesis keeps its replay cache (`st replay <id>`) in the working
# directory: run it in target/ so the tree stays clean.
root="$PWD"
run_dir=target/schemathesis-run
mkdir -p "$run_dir"
started=$(date +%s)
status=0
(
    cd "$run_dir"
    PYTHONPATH="$root/scripts${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks \
        "$root/$venv/bin/schemathesis" --config-file "$root/scripts/schemathesis.toml" \
        run "$root/docs/api/openapi.yaml" \
        --url "$base" \
        --checks all \
        --phases examples,coverage,fuzzing \
        --max-examples "$examples" \
        --seed "$seed" \
        --workers 2 \
        --request-timeout 10 \
        --suppress-health-check too_slow,filter_too_much \
        --generation-database none \
        --report "${ST_REPORT:-junit}" --report-dir "${ST_REPORT_DIR:-$root/$run_dir/report}"
) || status=$?

if ! kill -0 "$server" 2>/dev/null; then
    echo "the platform died during the run:" >&2
    tail -50 "$work/server.log" >&2
    status=1
fi
echo "schemathesis: exit $status after $(( $(date +%s) - started )) s"
exit "$status"
