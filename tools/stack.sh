#!/usr/bin/env bash
# tools/stack.sh -- private, throwaway backends for tests and the demo stack:
# PostgreSQL, Redis and the local Microsoft stand-in, all on 127.0.0.1.
#
# Use as a command:
#     tools/stack.sh <verb> <state_dir> [args]
# or source it (build.sh does) and call
#     stack <verb> <state_dir> [args]
# Sourcing defines functions only; it changes no shell options.
#
# Verbs (every one idempotent; messages go to stderr prefixed "stack:"):
#     pg-start DIR PORT        create DIR/pg if needed (initdb as postgres),
#                              start it, create database "teams"
#     pg-stop DIR              fast shutdown, waits
#     pg-restart DIR PORT
#     pg-status DIR            exit 0 when running
#     redis-start DIR PORT     redis-server, no persistence, DIR/redis
#     redis-stop DIR
#     redis-status DIR
#     standin-start DIR PORT   node standin/ms-standin.js --keys-dir DIR/keys
#     standin-stop DIR
#     standin-status DIR
#     secret-key DIR           create DIR/secret.key (64 hex chars, 0600) if
#                              absent; print its path on stdout
#     all-start DIR PG_PORT REDIS_PORT MOCK_PORT
#     all-stop DIR
#     status DIR               one line per service
#     print-env DIR PG_PORT REDIS_PORT MOCK_PORT
#                              print "export TEST_TEAMS_...=..." lines
#
# Environment: STACK_TIMEOUT (seconds to wait for start/stop, default 60),
# STACK_PORT_WAIT (seconds to wait for a port held by a closing connection,
# default 75),
# STACK_PG_BIN (PostgreSQL server binaries; default: newest
# /usr/lib/postgresql/*/bin).

_stack_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

_stack_log() { printf 'stack: %s\n' "$*" >&2; }

_stack_err() { printf 'stack: error: %s\n' "$*" >&2; return 1; }

_stack_timeout() { printf '%s' "${STACK_TIMEOUT:-60}"; }

# Make a state directory absolute, creating it when asked.
_stack_dir() {
    local dir=$1 create=${2:-}
    if [ -z "$dir" ]; then
        _stack_err "state directory argument missing"
        return 1
    fi
    if [ -n "$create" ] && ! mkdir -p "$dir"; then
        _stack_err "cannot create state directory $dir"
        return 1
    fi
    if [ -d "$dir" ]; then
        (cd "$dir" && pwd)
    else
        case $dir in
            /*) printf '%s\n' "$dir" ;;
            *) printf '%s/%s\n' "$(pwd)" "$dir" ;;
        esac
    fi
}

_stack_port() {
    case ${1:-} in
        ''|*[!0-9]*) _stack_err "bad or missing port '${1:-}'"; return 1 ;;
    esac
    if [ "$1" -lt 1 ] || [ "$1" -gt 65535 ]; then
        _stack_err "port $1 out of range"
        return 1
    fi
}

# A pid is "ours" when it is alive and its command line contains $2.
_stack_pid_alive() {
    local pid=$1 pattern=$2 cmdline
    case $pid in ''|*[!0-9]*) return 1 ;; esac
    kill -0 "$pid" 2>/dev/null || return 1
    cmdline=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
    case $cmdline in *"$pattern"*) return 0 ;; esac
    return 1
}

_stack_read_pid() {
    local f=$1 pid=
    [ -f "$f" ] && read -r pid < "$f" 2>/dev/null
    printf '%s' "$pid"
}

# Can a server bind 127.0.0.1:$1 now?  Probes the way PostgreSQL, Redis
# and node bind (SO_REUSEADDR), so TIME_WAIT left by the previous server's
# own connections does not count, but a client's TIME_WAIT on an ephemeral
# port that happens to be ours does (it blocks bind() for up to 60s).
_stack_port_bindable() {
    perl -MSocket -e '
        socket(my $s, PF_INET, SOCK_STREAM, 0) or exit 2;
        setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1) or exit 2;
        bind($s, sockaddr_in($ARGV[0], inet_aton("127.0.0.1"))) or exit 1;
        listen($s, 1) or exit 1;
        exit 0;' "$1"
}

_stack_port_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" 'NR > 1 && $4 == "0A" \
        && ($2 == "0100007F" p || $2 == "00000000" p) { f = 1 }
        END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Before starting a server: fail fast when someone listens on the port;
# wait while a closing connection still blocks it.
_stack_wait_port_free() {
    local port=$1 what=$2 deadline wait=${STACK_PORT_WAIT:-75} said=
    deadline=$(( $(date +%s) + wait ))
    until _stack_port_bindable "$port"; do
        if _stack_port_listening "$port"; then
            _stack_err "port $port is already in use by another process; cannot start $what (see: ss -ltnp)"
            return 1
        fi
        if [ -z "$said" ]; then
            _stack_log "port $port is held by a closing connection; waiting up to ${wait}s"
            said=1
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            _stack_err "port $port still not bindable after ${wait}s; cannot start $what"
            return 1
        fi
        sleep 1
    done
}

# Print the last lines of a log file to stderr, indented.
_stack_tail() {
    local f=$1
    if [ -f "$f" ]; then
        _stack_log "last lines of $f:"
        tail -n "${2:-20}" "$f" | sed 's/^/    /' >&2
    fi
}

# Send TERM, wait for exit, then KILL.
_stack_kill_wait() {
    local pid=$1 name=$2 deadline
    kill -TERM "$pid" 2>/dev/null || return 0
    deadline=$(( $(date +%s) + $(_stack_timeout) ))
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            _stack_log "$name (pid $pid) did not exit on TERM; sending KILL"
            kill -KILL "$pid" 2>/dev/null
            sleep 0.2
            break
        fi
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null \
       && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
        _stack_err "$name (pid $pid) is still running"
        return 1
    fi
}

# ---------------------------------------------------------------- PostgreSQL

_stack_pg_bin() {
    local d
    if [ -n "${STACK_PG_BIN:-}" ]; then
        printf '%s' "$STACK_PG_BIN"
        return 0
    fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$d" ] || [ ! -x "$d/pg_ctl" ]; then
        _stack_err "PostgreSQL server binaries not found (install postgresql or set STACK_PG_BIN)"
        return 1
    fi
    printf '%s' "$d"
}

# Run a command as the postgres user when we are root (PostgreSQL refuses
# to run as root); otherwise as ourselves.  Runs from / so an unreadable
# current directory does not matter.
_stack_as_pg() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Make sure the postgres user can reach $1: add o+x (search only, never read)
# to each ancestor that lacks it.  mktemp -d makes mode 700 directories.
_stack_pg_traverse() {
    local target=$1 d mode
    [ "$(id -u)" = 0 ] || return 0
    _stack_as_pg test -x "$target" 2>/dev/null && return 0
    d=$target
    while :; do
        mode=$(stat -c %A "$d" 2>/dev/null) || true
        if [ -n "$mode" ] && [ "${mode:9:1}" != x ] && [ "${mode:9:1}" != t ]; then
            _stack_log "chmod o+x $d (so the postgres user can reach $target)"
            chmod o+x "$d" || { _stack_err "chmod o+x $d failed"; return 1; }
        fi
        [ "$d" = / ] && break
        d=$(dirname "$d")
    done
    if ! _stack_as_pg test -x "$target" 2>/dev/null; then
        _stack_err "the postgres user cannot reach $target"
        return 1
    fi
}

_stack_pg_mkdir() {
    if [ "$(id -u)" = 0 ]; then
        install -d -o postgres -g postgres -m 700 "$1"
    else
        mkdir -p "$1" && chmod 700 "$1"
    fi
}

_stack_pg_running() {
    local dir=$1 bin pid
    [ -f "$dir/pg/PG_VERSION" ] || return 1
    bin=$(_stack_pg_bin) || return 1
    _stack_as_pg "$bin/pg_ctl" status -D "$dir/pg" >/dev/null 2>&1 || return 1
    # pg_ctl only checks that the pid is alive; make sure it is a postgres.
    pid=$(head -n 1 "$dir/pg/postmaster.pid" 2>/dev/null)
    if ! _stack_pid_alive "$pid" postgres; then
        _stack_log "removing stale $dir/pg/postmaster.pid (pid '$pid')"
        rm -f "$dir/pg/postmaster.pid"
        return 1
    fi
}

_stack_pg_running_port() {
    sed -n 4p "$1/pg/postmaster.pid" 2>/dev/null
}

stack_pg_start() {
    local dir port bin timeout cur exists
    dir=$(_stack_dir "${1:-}" create) || return 1
    _stack_port "${2:-}" || return 1
    port=$2
    bin=$(_stack_pg_bin) || return 1
    timeout=$(_stack_timeout)

    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        _stack_err "user 'postgres' does not exist (install postgresql)"
        return 1
    fi
    _stack_pg_traverse "$dir" || return 1

    if _stack_pg_running "$dir"; then
        cur=$(_stack_pg_running_port "$dir")
        if [ "$cur" != "$port" ]; then
            _stack_err "PostgreSQL in $dir/pg already runs on port $cur, not $port (pg-stop it first)"
            return 1
        fi
        _stack_log "PostgreSQL already running on 127.0.0.1:$port ($dir/pg)"
    else
        if [ ! -f "$dir/pg/PG_VERSION" ]; then
            if [ -d "$dir/pg" ]; then
                # a half-made cluster from an interrupted initdb
                rm -rf "$dir/pg"
            fi
            _stack_pg_mkdir "$dir/pg" || { _stack_err "cannot create $dir/pg"; return 1; }
            _stack_log "initdb $dir/pg"
            if ! _stack_as_pg "$bin/initdb" -D "$dir/pg" -A trust -U postgres \
                    -E UTF8 --locale C -N >"$dir/initdb.log" 2>&1; then
                _stack_tail "$dir/initdb.log"
                _stack_err "initdb failed (log: $dir/initdb.log)"
                return 1
            fi
        fi
        _stack_pg_mkdir "$dir/pg-sock" || { _stack_err "cannot create $dir/pg-sock"; return 1; }
        _stack_wait_port_free "$port" PostgreSQL || return 1
        touch "$dir/pg.log" || return 1
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/pg.log"
        _stack_log "starting PostgreSQL on 127.0.0.1:$port ($dir/pg)"
        if ! _stack_as_pg "$bin/pg_ctl" start -D "$dir/pg" -l "$dir/pg.log" \
                -w -t "$timeout" -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir/pg-sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c timezone=UTC" \
                >/dev/null 2>"$dir/pg_ctl.err"; then
            cat "$dir/pg_ctl.err" >&2
            _stack_tail "$dir/pg.log"
            _stack_err "PostgreSQL failed to start on port $port (log: $dir/pg.log)"
            return 1
        fi
    fi

    local deadline
    deadline=$(( $(date +%s) + timeout ))
    until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            _stack_tail "$dir/pg.log"
            _stack_err "PostgreSQL on port $port not ready after ${timeout}s"
            return 1
        fi
        sleep 0.2
    done

    exists=$(psql -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "SELECT 1 FROM pg_database WHERE datname = 'teams'" 2>&1) || {
        _stack_err "cannot query PostgreSQL on port $port: $exists"
        return 1
    }
    if [ "$exists" != 1 ]; then
        _stack_log "creating database teams"
        if ! psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
                -c 'CREATE DATABASE teams' >/dev/null; then
            _stack_err "CREATE DATABASE teams failed"
            return 1
        fi
    fi
}

stack_pg_stop() {
    local dir bin
    dir=$(_stack_dir "${1:-}") || return 1
    if ! _stack_pg_running "$dir"; then
        _stack_log "PostgreSQL not running ($dir/pg)"
        return 0
    fi
    bin=$(_stack_pg_bin) || return 1
    _stack_log "stopping PostgreSQL ($dir/pg)"
    if ! _stack_as_pg "$bin/pg_ctl" stop -D "$dir/pg" -m fast -w \
            -t "$(_stack_timeout)" >/dev/null; then
        _stack_log "fast shutdown failed; trying immediate"
        if ! _stack_as_pg "$bin/pg_ctl" stop -D "$dir/pg" -m immediate -w \
                -t "$(_stack_timeout)" >/dev/null; then
            _stack_tail "$dir/pg.log"
            _stack_err "PostgreSQL ($dir/pg) did not stop"
            return 1
        fi
    fi
}

stack_pg_restart() {
    stack_pg_stop "${1:-}" && stack_pg_start "${1:-}" "${2:-}"
}

stack_pg_status() {
    local dir
    dir=$(_stack_dir "${1:-}") || return 1
    _stack_pg_running "$dir"
}

# --------------------------------------------------------------------- Redis

_stack_redis_running() {
    local dir=$1 pid
    pid=$(_stack_read_pid "$dir/redis.pid")
    [ -n "$pid" ] || return 1
    if ! _stack_pid_alive "$pid" redis-server; then
        _stack_log "removing stale $dir/redis.pid (pid $pid)"
        rm -f "$dir/redis.pid"
        return 1
    fi
}

stack_redis_start() {
    local dir port pid deadline timeout cur
    dir=$(_stack_dir "${1:-}" create) || return 1
    _stack_port "${2:-}" || return 1
    port=$2
    timeout=$(_stack_timeout)
    if ! command -v redis-server >/dev/null; then
        _stack_err "redis-server not found (install redis-server)"
        return 1
    fi
    if _stack_redis_running "$dir"; then
        cur=$(cat "$dir/redis.port" 2>/dev/null)
        if [ -n "$cur" ] && [ "$cur" != "$port" ]; then
            _stack_err "Redis in $dir already runs on port $cur, not $port (redis-stop it first)"
            return 1
        fi
        _stack_log "Redis already running on 127.0.0.1:$port"
        return 0
    fi
    mkdir -p "$dir/redis" || return 1
    _stack_wait_port_free "$port" Redis || return 1
    _stack_log "starting Redis on 127.0.0.1:$port ($dir/redis)"
    if ! redis-server --bind 127.0.0.1 --port "$port" --dir "$dir/redis" \
            --daemonize yes --pidfile "$dir/redis.pid" \
            --logfile "$dir/redis.log" --save '' --appendonly no \
            </dev/null >/dev/null 2>>"$dir/redis.log"; then
        _stack_tail "$dir/redis.log"
        _stack_err "redis-server failed to start"
        return 1
    fi
    printf '%s\n' "$port" > "$dir/redis.port"
    deadline=$(( $(date +%s) + timeout ))
    while :; do
        pid=$(_stack_read_pid "$dir/redis.pid")
        if [ -n "$pid" ] && _stack_pid_alive "$pid" redis-server \
           && [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
            return 0
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            _stack_tail "$dir/redis.log"
            _stack_err "Redis on port $port not answering PING after ${timeout}s"
            return 1
        fi
        # redis writes its pid file right after forking; once it exists and
        # the process is gone, the start failed (port in use, ...)
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$dir/redis.pid"
            _stack_tail "$dir/redis.log"
            _stack_err "redis-server exited during start-up (port $port in use?)"
            return 1
        fi
        sleep 0.1
    done
}

stack_redis_stop() {
    local dir pid
    dir=$(_stack_dir "${1:-}") || return 1
    if ! _stack_redis_running "$dir"; then
        _stack_log "Redis not running ($dir)"
        return 0
    fi
    pid=$(_stack_read_pid "$dir/redis.pid")
    _stack_log "stopping Redis (pid $pid)"
    # no save points are configured, so TERM does not write a dump
    _stack_kill_wait "$pid" redis-server || return 1
    rm -f "$dir/redis.pid"
}

stack_redis_status() {
    local dir
    dir=$(_stack_dir "${1:-}") || return 1
    _stack_redis_running "$dir"
}

# ------------------------------------------------------------------ stand-in

_stack_standin_script() { printf '%s' "$_stack_repo/standin/ms-standin.js"; }

_stack_standin_running() {
    local dir=$1 pid
    pid=$(_stack_read_pid "$dir/standin.pid")
    [ -n "$pid" ] || return 1
    if ! _stack_pid_alive "$pid" ms-standin.js; then
        _stack_log "removing stale $dir/standin.pid (pid $pid)"
        rm -f "$dir/standin.pid"
        return 1
    fi
}

stack_standin_start() {
    local dir port script pid deadline timeout cur
    dir=$(_stack_dir "${1:-}" create) || return 1
    _stack_port "${2:-}" || return 1
    port=$2
    timeout=$(_stack_timeout)
    script=$(_stack_standin_script)
    if _stack_standin_running "$dir"; then
        cur=$(cat "$dir/standin.port" 2>/dev/null)
        if [ -n "$cur" ] && [ "$cur" != "$port" ]; then
            _stack_err "stand-in in $dir already runs on port $cur, not $port (standin-stop it first)"
            return 1
        fi
        _stack_log "stand-in already running on 127.0.0.1:$port"
        return 0
    fi
    if [ ! -f "$script" ]; then
        _stack_err "stand-in script $script not found"
        return 1
    fi
    if ! command -v node >/dev/null; then
        _stack_err "node not found (install nodejs)"
        return 1
    fi
    mkdir -p "$dir/keys" || return 1
    _stack_wait_port_free "$port" stand-in || return 1
    _stack_log "starting stand-in on 127.0.0.1:$port (log $dir/standin.log)"
    # The shell records its own pid, then becomes node; stdio is detached
    # so callers reading our output (prove, $(...)) are not held open.
    nohup sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$dir/standin.pid" \
        node "$script" --port "$port" --keys-dir "$dir/keys" \
        </dev/null >>"$dir/standin.log" 2>&1 &
    printf '%s\n' "$port" > "$dir/standin.port"
    deadline=$(( $(date +%s) + timeout ))
    while :; do
        pid=$(_stack_read_pid "$dir/standin.pid")
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$dir/standin.pid"
            _stack_tail "$dir/standin.log"
            _stack_err "stand-in exited during start-up (port $port in use?)"
            return 1
        fi
        if [ -n "$pid" ] \
           && curl -sf -m 2 -o /dev/null "http://127.0.0.1:$port/_health"; then
            return 0
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            _stack_tail "$dir/standin.log"
            _stack_err "stand-in on port $port not healthy after ${timeout}s"
            return 1
        fi
        sleep 0.1
    done
}

stack_standin_stop() {
    local dir pid
    dir=$(_stack_dir "${1:-}") || return 1
    if ! _stack_standin_running "$dir"; then
        _stack_log "stand-in not running ($dir)"
        return 0
    fi
    pid=$(_stack_read_pid "$dir/standin.pid")
    _stack_log "stopping stand-in (pid $pid)"
    _stack_kill_wait "$pid" stand-in || return 1
    rm -f "$dir/standin.pid"
}

stack_standin_status() {
    local dir
    dir=$(_stack_dir "${1:-}") || return 1
    _stack_standin_running "$dir"
}

# ---------------------------------------------------------------- secret key

stack_secret_key() {
    local dir key f
    dir=$(_stack_dir "${1:-}" create) || return 1
    f=$dir/secret.key
    if [ -s "$f" ]; then
        key=$(cat "$f")
        if [ ${#key} -ne 64 ] || [ -n "${key//[0-9a-f]/}" ]; then
            _stack_err "$f exists but is not 64 lowercase hex characters"
            return 1
        fi
    else
        key=$(openssl rand -hex 32 2>/dev/null) \
            || key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
        if [ ${#key} -ne 64 ]; then
            _stack_err "could not generate a key"
            return 1
        fi
        (umask 077 && printf '%s' "$key" > "$f.tmp") && mv -f "$f.tmp" "$f" \
            || { _stack_err "cannot write $f"; return 1; }
        _stack_log "created $f"
    fi
    chmod 600 "$f"
    printf '%s\n' "$f"
}

# ----------------------------------------------------------------- all / misc

stack_all_start() {
    local dir=${1:-}
    if [ $# -lt 4 ]; then
        _stack_err "usage: all-start DIR PG_PORT REDIS_PORT MOCK_PORT"
        return 1
    fi
    stack_secret_key "$dir" >/dev/null \
        && stack_pg_start "$dir" "$2" \
        && stack_redis_start "$dir" "$3" \
        && stack_standin_start "$dir" "$4"
}

stack_all_stop() {
    local dir=${1:-} rc=0
    [ -n "$dir" ] || { _stack_err "usage: all-stop DIR"; return 1; }
    stack_standin_stop "$dir" || rc=1
    stack_redis_stop "$dir" || rc=1
    stack_pg_stop "$dir" || rc=1
    return $rc
}

stack_status() {
    local dir s
    dir=$(_stack_dir "${1:-}") || return 1
    if _stack_pg_running "$dir" 2>/dev/null; then
        s="running on port $(_stack_pg_running_port "$dir")"
    else
        s=stopped
    fi
    printf 'postgresql %s\n' "$s"
    if _stack_redis_running "$dir" 2>/dev/null; then
        s="running on port $(cat "$dir/redis.port" 2>/dev/null)"
    else
        s=stopped
    fi
    printf 'redis %s\n' "$s"
    if _stack_standin_running "$dir" 2>/dev/null; then
        s="running on port $(cat "$dir/standin.port" 2>/dev/null)"
    else
        s=stopped
    fi
    printf 'standin %s\n' "$s"
}

stack_print_env() {
    local dir
    if [ $# -lt 4 ]; then
        _stack_err "usage: print-env DIR PG_PORT REDIS_PORT MOCK_PORT"
        return 1
    fi
    dir=$(_stack_dir "$1") || return 1
    printf 'export TEST_TEAMS_STATE_DIR=%q\n' "$dir"
    printf 'export TEST_TEAMS_PG_CONNINFO=%q\n' \
        "hostaddr=127.0.0.1 port=$2 dbname=teams user=postgres"
    printf 'export TEST_TEAMS_PG_PORT=%q\n' "$2"
    printf 'export TEST_TEAMS_REDIS_PORT=%q\n' "$3"
    printf 'export TEST_TEAMS_MOCK_PORT=%q\n' "$4"
    printf 'export TEST_TEAMS_SECRET_KEY_FILE=%q\n' "$dir/secret.key"
}

stack_usage() {
    cat >&2 <<'EOF'
usage: stack.sh <verb> <state_dir> [args]
  pg-start DIR PORT | pg-stop DIR | pg-restart DIR PORT | pg-status DIR
  redis-start DIR PORT | redis-stop DIR | redis-status DIR
  standin-start DIR PORT | standin-stop DIR | standin-status DIR
  secret-key DIR
  all-start DIR PG_PORT REDIS_PORT MOCK_PORT | all-stop DIR
  status DIR | print-env DIR PG_PORT REDIS_PORT MOCK_PORT
EOF
}

stack() {
    local verb=${1:-}
    [ $# -gt 0 ] && shift
    case $verb in
        pg-start)       stack_pg_start "$@" ;;
        pg-stop)        stack_pg_stop "$@" ;;
        pg-restart)     stack_pg_restart "$@" ;;
        pg-status)      stack_pg_status "$@" ;;
        redis-start)    stack_redis_start "$@" ;;
        redis-stop)     stack_redis_stop "$@" ;;
        redis-status)   stack_redis_status "$@" ;;
        standin-start)  stack_standin_start "$@" ;;
        standin-stop)   stack_standin_stop "$@" ;;
        standin-status) stack_standin_status "$@" ;;
        secret-key)     stack_secret_key "$@" ;;
        all-start)      stack_all_start "$@" ;;
        all-stop)       stack_all_stop "$@" ;;
        status)         stack_status "$@" ;;
        print-env)      stack_print_env "$@" ;;
        -h|--help|help) stack_usage; return 0 ;;
        '')             stack_usage; return 2 ;;
        *)              _stack_err "unknown verb '$verb'"; stack_usage; return 2 ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    stack "$@"
    exit $?
fi
