#!/usr/bin/env bash
# build.sh — deps | build | test | run | stop | bench for ngx_teams_module.
# Every subcommand installs what it needs first, so each works alone on a fresh
# Debian 12 machine as root.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

build_dir=$top/build
run_dir=$top/.run

# Debian packages the project needs, and why:
#   nginx, nginx-dev          the server and the headers/conf_flags we build against
#   libpq-dev libhiredis-dev libcurl4-openssl-dev libyajl-dev libssl-dev
#                             the libraries the module and the worker link
#   postgresql redis-server   real backends for tests and the demo stack
#   libtest-base-perl libtext-diff-perl libjson-pp-perl
#                             our Test::Nginx-style harness
#   nodejs                    the local Microsoft stand-in (test and demo tooling)
#   wrk valgrind curl procps openssl
#                             bench, memory checks, the operator's curl,
#                             ps/pkill, key and API-key generation
packages=(
    gcc make pkg-config
    nginx nginx-dev
    libpq-dev libhiredis-dev libcurl4-openssl-dev libyajl-dev libssl-dev
    postgresql redis-server
    perl libtest-base-perl libtext-diff-perl
    nodejs
    wrk valgrind curl procps openssl
)

log() { printf 'build.sh: %s\n' "$*" >&2; }

cmd_deps() {
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Debian's postinst scripts start services by default; we run our own
    # private instances, so keep the system ones from starting.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
}

# The module is configured like Debian's own dynamic modules (nginx_mod.pm):
# the same conf_flags, so the .so carries the binary signature of
# /usr/sbin/nginx, built out of tree under build/nginx.
build_module() {
    local ngx_src=/usr/share/nginx/src objdir=$build_dir/nginx
    local stamp=$objdir/.configured
    mkdir -p "$objdir"
    # make tracks edits; a new or removed source file needs a new Makefile
    if [ ! -f "$stamp" ] || [ config -nt "$stamp" ] \
        || [ "$(ls src/*/*.c ngx_teams_module/*.c 2>/dev/null | md5sum)" \
             != "$(cat "$objdir/.sources" 2>/dev/null)" ]
    then
        log "configuring the module against $ngx_src"
        (
            cd "$ngx_src"
            # shellcheck disable=SC1091
            . ./conf_flags
            ./configure \
                --with-cc-opt="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS)" \
                --with-ld-opt="$(dpkg-buildflags --get LDFLAGS) -fPIC" \
                "${NGX_CONF_FLAGS[@]}" \
                --add-dynamic-module="$top" \
                --builddir="$objdir"
        ) > "$build_dir/configure.log" 2>&1 || {
            tail -20 "$build_dir/configure.log" >&2
            log "configure failed (full log: build/configure.log)"
            exit 1
        }
        ls src/*/*.c ngx_teams_module/*.c 2>/dev/null | md5sum > "$objdir/.sources"
        touch "$stamp"
    fi
    make -s -f "$objdir/Makefile" -C /usr/share/nginx/src modules \
        > "$build_dir/make-module.log" 2>&1 || {
        grep -E 'error|warning' "$build_dir/make-module.log" | head -40 >&2
        log "module build failed (full log: build/make-module.log)"
        exit 1
    }
    # rename, never overwrite: a running nginx has the old file mapped
    cp "$objdir/ngx_teams_module.so" "$build_dir/.ngx_teams_module.so.new"
    mv -f "$build_dir/.ngx_teams_module.so.new" "$build_dir/ngx_teams_module.so"
}

cmd_build() {
    cmd_deps
    mkdir -p "$build_dir"
    build_module
    make -s worker unit tools
    log "built build/ngx_teams_module.so, build/teams-worker, build/teams-secret, build/unit-tests"
}

stack() { "$top/tools/stack.sh" "$@"; }

# Fills conf/demo.conf.in for a stack under $1 (demo or bench).
write_nginx_conf() {
    local state=$1 nginx_port=$2 pg_port=$3 redis_port=$4 mock_port=$5
    local workers=$6 level=$7
    mkdir -p "$state/nginx/logs" "$state/nginx/conf" "$state/nginx/body"
    sed -e "s|@MODULE@|$build_dir/ngx_teams_module.so|g" \
        -e "s|@STATE@|$state|g" \
        -e "s|@WORKERS@|$workers|g" \
        -e "s|@LOG_LEVEL@|$level|g" \
        -e "s|@NGINX_PORT@|$nginx_port|g" \
        -e "s|@PG_PORT@|$pg_port|g" \
        -e "s|@REDIS_PORT@|$redis_port|g" \
        -e "s|@MOCK_PORT@|$mock_port|g" \
        -e "s|@MOCK_URL@|http://127.0.0.1:$mock_port|g" \
        conf/demo.conf.in > "$state/nginx/conf/nginx.conf"
}

start_nginx() {
    local state=$1 port=$2 i
    /usr/sbin/nginx -p "$state/nginx" -c conf/nginx.conf -t -q
    ${NGINX_CPUS:+taskset -c "$NGINX_CPUS"} \
        /usr/sbin/nginx -p "$state/nginx" -c conf/nginx.conf
    for i in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$port/baseline" && return 0
        sleep 0.1
    done
    log "nginx did not answer on 127.0.0.1:$port; see $state/nginx/logs/error.log"
    return 1
}

stop_nginx() {
    local state=$1 pid i
    pid=$(cat "$state/nginx/logs/nginx.pid" 2>/dev/null) || return 0
    kill -QUIT "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# The demo has no PSA of its own to turn its events into notifications, so
# there the worker does it (notify_events); beside a real PSA it stays off.
start_worker() {
    local state=$1 pg_port=$2 redis_port=$3 mock_port=$4 psa_port=${5:-8080}
    local events=${6:-off}
    cat > "$state/teams-worker.conf" <<CONF
# written by build.sh for the local stack
postgres = hostaddr=127.0.0.1 port=$pg_port dbname=teams user=postgres
redis = 127.0.0.1:$redis_port
consumer = demo-worker
graph_base = http://127.0.0.1:$mock_port
token_endpoint_base = http://127.0.0.1:$mock_port
openid_botframework = http://127.0.0.1:$mock_port/botframework/v1/.well-known/openidconfiguration
openid_entra = http://127.0.0.1:$mock_port/common/v2.0/.well-known/openid-configuration
secret_key_file = $state/secret.key
connector_hosts = 127.0.0.1:$mock_port
notify_psa_url = http://127.0.0.1:$psa_port
notify_events = $events
CONF
    "$build_dir/teams-worker" --config "$state/teams-worker.conf" \
        >> "$state/teams-worker.log" 2>&1 &
    echo $! > "$state/teams-worker.pid"
}

stop_worker() {
    local state=$1 pid i
    pid=$(cat "$state/teams-worker.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || { rm -f "$state/teams-worker.pid"; return 0; }
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$state/teams-worker.pid"
}

# A random API key per stack; only its SHA-256 reaches the database.
api_key() {
    local file=$1
    [ -s "$file" ] || { umask 077; openssl rand -hex 24 | sed 's/^/tk_/' > "$file"; }
    cat "$file"
}

# Profile A's client secret: random per stack, stored only encrypted (the
# stand-in accepts any secret unless told otherwise).
demo_secret_ciphertext() {
    local state=$1
    # shellcheck disable=SC1091
    . sql/seed/demo-ids.env
    openssl rand -base64 30 | tr -d '\n' \
        | "$build_dir/teams-secret" encrypt \
            --key-file "$(stack secret-key "$state")" \
            --tenant "$PSA_TENANT_A" --profile "$PROFILE_ID_A"
}

seed_demo() {
    local state=$1 conninfo=$2 mock_url=$3
    psql "$conninfo" -q -v ON_ERROR_STOP=1 -v mock_url="$mock_url" \
        -v secret_ciphertext_a="$(demo_secret_ciphertext "$state")" \
        -v admin_api_key_a="$(api_key "$state/admin-api-key-a")" \
        -v admin_api_key_b="$(api_key "$state/admin-api-key-b")" \
        -f sql/seed/demo.sql > "$state/seed.log" 2>&1 || {
        tail -20 "$state/seed.log" >&2
        log "demo seed failed"
        return 1
    }
}

# Waits (up to 10 s) until nginx answers with the key sets teams-worker
# published, so the first bot request is not refused with keys_not_loaded;
# every nginx worker process polls them every 2 s.
wait_for_keys() {
    local i
    for i in $(seq 100); do
        if curl -s "http://127.0.0.1:$1/api/teams/status" \
            | grep -q '"botframework":{"source":"worker","keys":[1-9]'
        then
            sleep 2.1
            return 0
        fi
        sleep 0.1
    done
    log "the key sets are not loaded yet: bot requests answer 503 until they are"
}

cmd_stop() {
    stop_nginx "$run_dir"
    stop_worker "$run_dir"
    [ -d "$run_dir" ] && stack all-stop "$run_dir"
    log "stopped the local stack"
}

cmd_run() {
    local pg=55432 redis=56379 mock=58080 port=8080
    local conninfo="hostaddr=127.0.0.1 port=$pg dbname=teams user=postgres"
    cmd_build
    if [ -d "$run_dir" ]; then
        cmd_stop 2>/dev/null
    fi
    mkdir -p "$run_dir"
    stack all-start "$run_dir" $pg $redis $mock
    stack secret-key "$run_dir" > /dev/null
    sql/migrate.sh "$conninfo" > "$run_dir/migrate.log"
    sql/migrate-legacy-secrets.sh "$conninfo" "$run_dir/secret.key" 2>> "$run_dir/migrate.log"
    seed_demo "$run_dir" "$conninfo" "http://127.0.0.1:$mock"
    write_nginx_conf "$run_dir" $port $pg $redis $mock auto info
    start_nginx "$run_dir" $port
    start_worker "$run_dir" $pg $redis $mock $port on
    wait_for_keys $port

    # shellcheck disable=SC1091
    . sql/seed/demo-ids.env
    cat > "$run_dir/demo.env" <<ENV
# The local demo stack (./build.sh run); source it: . .run/demo.env
TEAMS_URL=http://127.0.0.1:$port
MOCK_MS_URL=http://127.0.0.1:$mock
SERVICE_URL=http://127.0.0.1:$mock/amer/
PG_CONNINFO="$conninfo"
REDIS_ADDR=127.0.0.1:$redis
PSA_TENANT_A=$PSA_TENANT_A
PSA_TENANT_B=$PSA_TENANT_B
MS_TENANT_A=$MS_TENANT_A
MS_TENANT_B=$MS_TENANT_B
BOT_APP_ID_A=$BOT_APP_ID_A
PROFILE_ID_A=$PROFILE_ID_A
ADMIN_API_KEY_A=$(cat "$run_dir/admin-api-key-a")
ADMIN_API_KEY_B=$(cat "$run_dir/admin-api-key-b")
ADMIN_USER_ID_A=$ADMIN_USER_ID_A
TECH_AAD_OID_A=$TECH_AAD_OID_A
TECH_USER_ID_A=$TECH_USER_ID_A
APPROVER_AAD_OID_A=$APPROVER_AAD_OID_A
APPROVER_USER_ID_A=$APPROVER_USER_ID_A
READONLY_AAD_OID_A=$READONLY_AAD_OID_A
CLIENT_USER_AAD_OID_A=$CLIENT_USER_AAD_OID_A
TECH_AAD_OID_B=$TECH_AAD_OID_B
BOTFW_KEY_PEM=$run_dir/keys/botfw.key.pem
BOTFW_KID=$(cat "$run_dir/keys/botfw.kid")
ENTRA_KEY_PEM=$run_dir/keys/entra.key.pem
ENTRA_KID=$(cat "$run_dir/keys/entra.kid")
ENV
    cat <<MSG

The local stack is up (everything on 127.0.0.1):
  nginx + ngx_teams_module  http://127.0.0.1:$port   (logs: .run/nginx/logs/error.log)
  teams-worker              .run/teams-worker.log
  PostgreSQL                $conninfo
  Redis                     127.0.0.1:$redis
  Microsoft stand-in        http://127.0.0.1:$mock   (what we sent: GET /_recorded)

Try:
  . .run/demo.env
  curl -s \$TEAMS_URL/api/teams/status
  tools/teams-say.sh "my tickets"                     # the bot, as the demo technician
  tools/teams-say.sh "assign ticket TIC001001 to tina.tech@northwind-msp.example"
  curl -s "\$MOCK_MS_URL/_recorded?kind=graph"        # the assignee's activity-feed notification
  curl -s \$MOCK_MS_URL/_recorded
  psql "\$PG_CONNINFO" -c 'select ticket_number, title from tickets limit 5'
  ./build.sh stop
MSG
}

cmd_test() {
    local state=$build_dir/test-stack
    local pg=55532 redis=56479 mock=58180 rc=0
    cmd_build
    [ -d "$state" ] && stack all-stop "$state" 2>/dev/null
    rm -rf "$state" "$top/t/servroot"
    mkdir -p "$state"
    stack all-start "$state" $pg $redis $mock
    trap 'stack all-stop "'"$state"'" 2>/dev/null || true' EXIT

    export TEST_TEAMS_REPO=$top
    export TEST_TEAMS_STATE_DIR=$state
    export TEST_TEAMS_PG_PORT=$pg
    export TEST_TEAMS_REDIS_PORT=$redis
    export TEST_TEAMS_MOCK_PORT=$mock
    export TEST_TEAMS_PG_CONNINFO="hostaddr=127.0.0.1 port=$pg dbname=teams user=postgres"
    export TEST_TEAMS_MODULE=$build_dir/ngx_teams_module.so
    export TEST_TEAMS_WORKER=$build_dir/teams-worker
    export TEST_NGINX_LOAD_MODULES=$TEST_TEAMS_MODULE
    TEST_TEAMS_SECRET_KEY_FILE=$(stack secret-key "$state")
    export TEST_TEAMS_SECRET_KEY_FILE

    sql/migrate.sh "$TEST_TEAMS_PG_CONNINFO" > "$state/migrate.log"
    sql/migrate-legacy-secrets.sh "$TEST_TEAMS_PG_CONNINFO" \
        "$TEST_TEAMS_SECRET_KEY_FILE" 2>> "$state/migrate.log"
    seed_demo "$state" "$TEST_TEAMS_PG_CONNINFO" "http://127.0.0.1:$mock"

    log "C unit tests"
    "$build_dir/unit-tests" || rc=1

    # the Adaptive Card checker the suites run (t/lib/Teams/Cards.pm)
    if [ ! -d t/cards/node_modules ]; then
        (cd t/cards && npm ci --no-audit --no-fund --loglevel=error) || rc=1
    fi

    log "Test::Nginx-style suites"
    prove -I t/lib -r t || rc=1

    log "status suite under valgrind"
    TEST_NGINX_USE_VALGRIND=1 prove -I t/lib t/010-status.t || rc=1

    return $rc
}

# The bench's own stack (ports apart from the demo's and the tests'): one
# nginx worker on cpu 1, wrk on cpu 0, the worker publishing key sets.
cmd_bench() {
    local state=$build_dir/bench-stack
    local pg=55632 redis=56579 mock=58280 port=8091
    local conninfo="hostaddr=127.0.0.1 port=$pg dbname=teams user=postgres"
    cmd_build
    make -s bench
    if [ -d "$state" ]; then
        stop_nginx "$state"
        stop_worker "$state"
        stack all-stop "$state" 2>/dev/null || true
    fi
    rm -rf "$state"
    mkdir -p "$state"
    trap 'stop_nginx "'"$state"'"; stop_worker "'"$state"'";
          stack all-stop "'"$state"'" 2>/dev/null || true' EXIT
    stack all-start "$state" $pg $redis $mock
    stack secret-key "$state" > /dev/null
    sql/migrate.sh "$conninfo" > "$state/migrate.log"
    seed_demo "$state" "$conninfo" "http://127.0.0.1:$mock"
    write_nginx_conf "$state" $port $pg $redis $mock 1 warn
    NGINX_CPUS=1 start_nginx "$state" $port
    start_worker "$state" $pg $redis $mock $port
    wait_for_keys $port
    BENCH_URL=http://127.0.0.1:$port BENCH_KEYS=$state/keys \
        BENCH_SERVICE_URL=http://127.0.0.1:$mock/amer/ \
        BENCH_NGINX_PID=$state/nginx/logs/nginx.pid BENCH_PG_PORT=$pg \
        BENCH_REDIS_PORT=$redis BENCH_MOCK_PORT=$mock BENCH_STATE=$state \
        bash bench/run.sh
}

case "${1:-}" in
    deps) cmd_deps ;;
    build) cmd_build ;;
    test) cmd_test ;;
    run) cmd_run ;;
    stop) cmd_stop ;;
    bench) cmd_bench ;;
    *) echo "usage: $0 deps|build|test|run|stop|bench" >&2; exit 2 ;;
esac
