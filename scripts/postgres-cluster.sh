#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the platform's PostgreSQL tests
# (platform/src/store/postgres_schema.rs reads its URL from
# ECARD_TEST_POSTGRES).
#
#   scripts/postgres-cluster.sh install          installs Debian's postgresql
#                                                package if initdb is missing,
#                                                and stops/disables the cluster
#                                                the package made
#   scripts/postgres-cluster.sh start DIR PORT   makes a cluster in DIR (data in
#                                                DIR/data, log in DIR/log) on
#                                                127.0.0.1:PORT, starts it and
#                                                prints its URL, the only line
#                                                on stdout
#   scripts/postgres-cluster.sh stop DIR         stops it (DIR can then be
#                                                deleted)
#
# With ECARD_POSTGRES_THROWAWAY=1 the cluster does not wait for the disk
# (fsync, synchronous_commit and full_page_writes off): scripts/test's
# suites, which never crash the server, run faster; benchmarks leave it unset.
#
# For example:
#   export ECARD_TEST_POSTGRES=$(scripts/postgres-cluster.sh start /tmp/pg 55432)
#   cargo test -p ecard-platform postgres_schema
#   scripts/postgres-cluster.sh stop /tmp/pg
#
# The cluster trusts every local connection (--auth=trust, superuser
# `ecard`) and listens only on 127.0.0.1 and a unix socket in DIR: it is for
# tests, never for data that matters. PostgreSQL refuses to run as root, so
# as root the script runs initdb and pg_ctl as the system user
# `ecard-postgres` (created once) and hands DIR to it.
set -euo pipefail

readonly RUN_AS=ecard-postgres

usage() {
    echo "usage: $0 install | start DIR PORT | stop DIR" >&2
    exit 2
}

# The bin directory of the newest PostgreSQL installed, or nothing.
postgres_bin() {
    local dir newest=
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ]; then
            if [ -z "$newest" ] || [ "$(basename "$(dirname "$dir")")" -gt "$(basename "$(dirname "$newest")")" ]; then
                newest=$dir
            fi
        fi
    done
    printf '%s' "$newest"
}

require_bin() {
    BIN=$(postgres_bin)
    if [ -z "$BIN" ]; then
        echo "$0: initdb not found under /usr/lib/postgresql/*/bin; install Debian's postgresql package ($0 install, or apt-get install postgresql)" >&2
        exit 1
    fi
}

# Runs a command as the cluster's owner: ecard-postgres when root, else
# the caller.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$RUN_AS" -- "$@"
    else
        "$@"
    fi
}

ensure_owner() {
    if [ "$(id -u)" -eq 0 ] && ! id -u "$RUN_AS" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
    fi
}

cmd_install() {
    if [ -n "$(postgres_bin)" ]; then
        return 0
    fi
    local sudo=
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
    # The package makes (and, where it can, starts) a cluster of its own;
    # the tests make theirs, so it is stopped and not started again.
    if command -v pg_lsclusters >/dev/null 2>&1; then
        local version name
        while read -r version name _; do
            $sudo pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true
            if [ -f "/etc/postgresql/$version/$name/start.conf" ]; then
                echo manual | $sudo tee "/etc/postgresql/$version/$name/start.conf" >/dev/null || true
            fi
        done < <(pg_lsclusters --no-header 2>/dev/null || true)
    fi
    $sudo service postgresql stop >/dev/null 2>&1 || true
}

# PEM text of one DER file: pem LABEL FILE.
pem() {
    printf -- '-----BEGIN %s-----\n' "$1"
    base64 -w 64 "$2"
    printf -- '-----END %s-----\n' "$1"
}

cmd_start() {
    local dir=$1 port=$2
    case $port in
        '' | *[!0-9]*) echo "$0: PORT must be a number, not '$port'" >&2; exit 2 ;;
    esac
    require_bin
    ensure_owner
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -e "$dir/data" ]; then
        echo "$0: $dir/data exists; stop and delete the old cluster first" >&2
        exit 1
    fi
    : >"$dir/log"
    if [ "$(id -u)" -eq 0 ]; then
        # The server writes its log itself; DIR's parents must let it in.
        chown "$RUN_AS" "$dir" "$dir/log"
    fi
    as_owner "$BIN/initdb" -D "$dir/data" --no-locale -E UTF8 --auth=trust -U ecard \
        >>"$dir/log" 2>&1 || {
        echo "$0: initdb failed; see $dir/log" >&2
        exit 1
    }
    # TLS with the repository's test certificate for the name `localhost`
    # (issued by a test authority, core/src/transport/https/tls): the
    # platform's database-TLS tests connect with sslmode=require; plain
    # connections stay allowed.
    local tls
    tls=$(cd "$(dirname "$0")/../core/src/transport/https/tls" && pwd)
    pem CERTIFICATE "$tls/localhost.der" >"$dir/data/server.crt"
    pem "PRIVATE KEY" "$tls/localhost.key.der" >"$dir/data/server.key"
    chmod 600 "$dir/data/server.key"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$RUN_AS" "$dir/data/server.crt" "$dir/data/server.key"
    fi
    # Durable unless throwaway. A throwaway cluster is for test suites only:
    # commits survive a killed client (the platform), not a crash of the
    # server or the machine, and the suites never crash the server.
    # Benchmarks keep it durable.
    local durability='fsync = on'
    if [ "${ECARD_POSTGRES_THROWAWAY:-}" = 1 ]; then
        durability=$'fsync = off\nsynchronous_commit = off\nfull_page_writes = off'
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/postgres-cluster.sh: a test cluster on loopback only.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
$durability
ssl = on
EOF
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >>"$dir/log" 2>&1 || {
        echo "$0: the cluster did not start; see $dir/log" >&2
        exit 1
    }
    echo "postgres://ecard@127.0.0.1:$port/postgres"
}

cmd_stop() {
    local dir=$1
    require_bin
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast stop >>"$dir/log" 2>&1 || {
        echo "$0: pg_ctl stop failed; see $dir/log" >&2
        exit 1
    }
}

case ${1:-} in
    install) [ $# -eq 1 ] || usage; cmd_install ;;
    start) [ $# -eq 3 ] || usage; cmd_start "$2" "$3" ;;
    stop) [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
    *) usage ;;
esac
