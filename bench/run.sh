#!/usr/bin/env bash
# bench/run.sh: measurements, not tests.  Run by "./build.sh bench", which
# starts the stack and passes BENCH_URL, BENCH_KEYS (the stand-in's keys),
# BENCH_SERVICE_URL and BENCH_NGINX_PID.  Every case runs against the same
# nginx as a "return 200" baseline in the same run, and is reported as a
# ratio to it.
#
# Environment: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50),
# BENCH_THREADS (1), BENCH_FRESH_TOKENS (20000), BENCH_NOTIFY (1; 0 leaves
# the notification measurements out).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

: "${BENCH_URL:?run me through ./build.sh bench}"
duration=${BENCH_DURATION:-10}
conns=${BENCH_CONNECTIONS:-50}
threads=${BENCH_THREADS:-1}
fresh=${BENCH_FRESH_TOKENS:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck disable=SC1091
. "$top/bench/lib.sh"
# shellcheck disable=SC1091
. "$top/sql/seed/demo-ids.env"

# a personal message from the demo technician of tenant A: "help" answers a
# card queued on teams:replies (a Redis write, no database); the "typing"
# activity is authenticated and resolved the same way and needs nothing
# else, so it measures authentication alone
bot_activity() {
    printf '{"type":"%s","id":"bench-1","serviceUrl":"%s","channelId":"msteams","from":{"id":"29:bench","aadObjectId":"%s"},"recipient":{"id":"28:%s"},"conversation":{"id":"a:bench","conversationType":"personal"},"channelData":{"tenant":{"id":"%s"}},"text":"help"}' \
        "$1" "$BENCH_SERVICE_URL" "$TECH_AAD_OID_A" "$BOT_APP_ID_A" \
        "$MS_TENANT_A"
}
BENCH_ACTIVITY=$(bot_activity typing)
help_activity=$(bot_activity message)
export BENCH_ACTIVITY

node bench/mint-tokens.js "$BENCH_KEYS" "$BOT_APP_ID_A" "$BENCH_SERVICE_URL" 1 \
    > "$work/one-token"
node bench/mint-tokens.js "$BENCH_KEYS" "$BOT_APP_ID_A" "$BENCH_SERVICE_URL" \
    "$fresh" > "$work/fresh-tokens"

# the request must be accepted, or the bench would measure refusals
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
       -H "Authorization: Bearer $(cat "$work/one-token")" \
       -H 'Content-Type: application/json' --data "$BENCH_ACTIVITY" \
       "$BENCH_URL/api/teams/messages")
if [ "$code" != 200 ]; then
    echo "bench: the authenticated bot request answers $code, not 200" >&2
    exit 1
fi

nginx_worker() {
    pgrep -P "$(cat "$BENCH_NGINX_PID")" | head -1
}

worker_rss() {
    ps -o rss= -p "$(nginx_worker)" | tr -d ' '
}

printf '\nngx_teams_module bench: %ss per case, %s connections, %s wrk thread(s)\n' \
    "$duration" "$conns" "$threads"
printf 'nginx: 1 worker on cpu 1; wrk on cpu 0; PostgreSQL, Redis and the stand-in share the machine\n\n'
bench_header

bench_case "return 200 (baseline)" "$BENCH_URL/baseline"
baseline_rps=$last_rps

bench_case "GET /api/teams/status (PG + Redis)" "$BENCH_URL/api/teams/status"
bench_ratio "status / baseline" "$last_rps" "$baseline_rps"

rss_before=$(worker_rss)

BENCH_TOKENS=$work/one-token \
    bench_case "authenticated, no work, cached token" "$BENCH_URL" \
    -s bench/bot-message.lua
bench_ratio "cached token / baseline" "$last_rps" "$baseline_rps"

BENCH_TOKENS=$work/fresh-tokens \
    bench_case "authenticated, no work, fresh token" "$BENCH_URL" \
    -s bench/bot-message.lua
bench_ratio "fresh token / baseline" "$last_rps" "$baseline_rps"

BENCH_ACTIVITY=$help_activity BENCH_TOKENS=$work/one-token \
    bench_case "bot help, reply queued, cached token" "$BENCH_URL" \
    -s bench/bot-message.lua
bench_ratio "help / baseline" "$last_rps" "$baseline_rps"

printf '\nnginx worker RSS: %s kB before the bot cases, %s kB after\n' \
    "$rss_before" "$(worker_rss)"

# --- Issue 4: the message extension search and a Universal Action (add
# note), through the module and through the reference Bot Framework SDK for
# Node (bench/botbuilder: CloudAdapter + TeamsActivityHandler, validating
# the same tokens against the stand-in's keys, running the module's own
# statements on the same PostgreSQL with generic plans as the module's
# sessions do, publishing the same event), in this run, with the same
# cached token and wrk settings.

bb_port=${BENCH_BOTBUILDER_PORT:-8092}
bb_url=http://127.0.0.1:$bb_port
mock_url=${BENCH_SERVICE_URL%/amer/}

invoke_activity() {
    local name=$1 value=$2
    printf '{"type":"invoke","name":"%s","id":"bench-inv","serviceUrl":"%s","channelId":"msteams","from":{"id":"29:bench","aadObjectId":"%s"},"recipient":{"id":"28:%s"},"conversation":{"id":"a:bench","conversationType":"personal","tenantId":"%s"},"channelData":{"tenant":{"id":"%s"}},"value":%s}' \
        "$name" "$BENCH_SERVICE_URL" "$TECH_AAD_OID_A" "$BOT_APP_ID_A" \
        "$MS_TENANT_A" "$MS_TENANT_A" "$value"
}

# a search answering 10 tickets of the demo data: the initial run (the
# technician's recent work) would depend on assignments, "TIC" matches all
query_activity=$(invoke_activity composeExtension/query \
    '{"commandId":"searchTickets","parameters":[{"name":"query","value":"TIC"}],"queryOptions":{"skip":0,"count":10}}')
note_activity=$(invoke_activity adaptiveCard/action \
    '{"action":{"type":"Action.Execute","id":"add-note","verb":"add_note","data":{"ticket_id":"'"$TICKET_ID_A"'","ticket":"'"$TICKET_ID_A"'","note":"bench note","text":"bench note"}},"trigger":"manual"}')

answer() {   # answer URL BODY -> HTTP status
    curl -s -o "$work/answer" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $(cat "$work/one-token")" \
        -H 'Content-Type: application/json' --data "$2" \
        "$1/api/teams/messages"
}

bb_pid=
bb_stop() {
    [ -n "$bb_pid" ] && kill "$bb_pid" 2>/dev/null && wait "$bb_pid" 2>/dev/null
    bb_pid=
}
trap 'bb_stop; rm -rf "$work"' EXIT

bb_start() {
    local i
    if [ -z "${BENCH_PG_PORT:-}" ]; then
        echo "botbuilder: BENCH_PG_PORT not set; skipped" >&2
        return 1
    fi
    if [ ! -d bench/botbuilder/node_modules ]; then
        (cd bench/botbuilder && npm install --no-audit --no-fund \
            > "$work/npm.log" 2>&1) || {
            tail -5 "$work/npm.log" >&2
            echo "botbuilder: npm install failed; skipped" >&2
            return 1
        }
    fi
    # the module's own statements, so both do the same database work
    mkdir -p "$work/sql"
    for s in caller search note; do
        build/pg-ceiling --sql "$s" > "$work/sql/$s.sql" || return 1
    done
    PGHOST=127.0.0.1 PGPORT=$BENCH_PG_PORT PGDATABASE=teams PGUSER=postgres \
        PGOPTIONS='-c plan_cache_mode=force_generic_plan' \
        BOT_SQL_DIR=$work/sql BOT_REDIS_PORT=${BENCH_REDIS_PORT:-6379} \
        BOT_PSA_URL=$BENCH_URL \
        BOT_PORT=$bb_port BOT_APP_ID=$BOT_APP_ID_A \
        BOT_OPENID_METADATA=$mock_url/botframework/v1/.well-known/openidconfiguration \
        BOT_ENTRA_METADATA=$mock_url/common/v2.0/.well-known/openid-configuration \
        taskset -c 1 node bench/botbuilder/bot.js > "$work/botbuilder.log" 2>&1 &
    bb_pid=$!
    for i in $(seq 100); do
        grep -q listening "$work/botbuilder.log" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$work/botbuilder.log" >&2
    echo "botbuilder: the reference bot did not start; skipped" >&2
    return 1
}

# pg_ceiling search|note SECONDS CLIENTS: build/pg-ceiling on wrk's cpu
pg_ceiling() {
    (set -a; . "$top/sql/seed/demo-ids.env"; set +a
     exec taskset -c 0 build/pg-ceiling \
         "hostaddr=127.0.0.1 port=$BENCH_PG_PORT dbname=teams user=postgres" \
         "$@")
}

# the module's statement for an operation straight against PostgreSQL from
# C, 4 connections like the module's pool: what any front end could get at
# most from this database on this machine
ceiling() {
    local label=$1 which=$2 rps
    [ -x build/pg-ceiling ] || return 0
    rps=$(pg_ceiling "$which" "$duration" 4) || {
        printf '%-44s %s\n' "$label" "failed"
        return 0
    }
    printf '%-44s %12.0f\n' "$label" "$rps"
    last_ceiling=$rps
}

# module vs botbuilder for one operation: both must answer 200 first
versus() {
    local label=$1 body=$2 which=$3 m_code b_code=none m_rps m_p99 b_rps
    local m_cpu=
    m_code=$(answer "$BENCH_URL" "$body")
    printf '  (module answer: %s)\n' "$(head -c 160 "$work/answer")" >&2
    [ -n "$bb_pid" ] && b_code=$(answer "$bb_url" "$body")
    if [ "$m_code" = 200 ]; then
        BENCH_ACTIVITY=$body BENCH_TOKENS=$work/one-token BENCH_UNIQUE_IDS=1 \
            BENCH_CPU_PID=$(nginx_worker) \
            bench_case "$label, module" "$BENCH_URL" -s bench/bot-message.lua
        m_rps=$last_rps
        m_p99=$last_p99
        m_cpu=$last_cpu_us
    elif [ "$m_code" = 501 ]; then
        printf '%-44s %s\n' "$label, module" \
            "skipped: answers 501 (not implemented yet)"
    else
        printf '%-44s %s\n' "$label, module" "skipped: answers $m_code"
        head -c 300 "$work/answer" >&2; echo >&2
    fi
    if [ "$b_code" = 200 ]; then
        BENCH_ACTIVITY=$body BENCH_TOKENS=$work/one-token BENCH_UNIQUE_IDS=1 \
            BENCH_CPU_PID=$bb_pid \
            bench_case "$label, botbuilder" "$bb_url" -s bench/bot-message.lua
    else
        printf '%-44s %s\n' "$label, botbuilder" "skipped: answers $b_code"
    fi
    if [ "$m_code" = 200 ] && [ "$b_code" = 200 ]; then
        b_rps=$last_rps
        bench_ratio "module / botbuilder requests/s" "$m_rps" "$b_rps"
        printf '%-44s %12s\n' "  p99 module vs botbuilder (ms)" \
            "$m_p99 vs $last_p99"
        # the front end's own CPU per request: what each costs, apart
        # from the database both share the two cores with
        printf '%-44s %12s\n' "  CPU per request, nginx vs node (us)" \
            "$m_cpu vs $last_cpu_us"
        bench_ratio "node / nginx CPU per request" "$last_cpu_us" "$m_cpu"
        last_ceiling=
        ceiling "$label, its SQL alone (no HTTP)" "$which"
        if [ -n "$last_ceiling" ]; then
            bench_ratio "SQL alone / botbuilder (the most possible)" \
                "$last_ceiling" "$b_rps"
        fi
    fi
}

# A database in use, not a new one: PostgreSQL plans a prepared statement
# (and each foreign-key check) once per connection, and plans made on the
# seed's empty receipts and comment threads scan them whole until
# autovacuum's next ANALYZE.  So notes are written first, straight to
# PostgreSQL, then the tables are analyzed.
pg_ceiling note 3 4 > /dev/null
psql "hostaddr=127.0.0.1 port=$BENCH_PG_PORT dbname=teams user=postgres" \
    -qc ANALYZE

# writes spread over tenant A's tickets (bench/bot-message.lua)
psql "hostaddr=127.0.0.1 port=$BENCH_PG_PORT dbname=teams user=postgres" -Atc \
    "SELECT ticket_id FROM tickets WHERE tenant = '$PSA_TENANT_A'" \
    > "$work/tickets"
export BENCH_TICKETS=$work/tickets BENCH_TICKET=$TICKET_ID_A

printf '\nmessage extension and Universal Actions: module vs botbuilder (node on cpu 1 like nginx)\n'
printf 'add note: each request on the next of tenant A'"'"'s %s tickets\n' \
    "$(wc -l < "$work/tickets")"
bb_start || true
bench_header
versus "composeExtension/query (10 tickets)" "$query_activity" search
versus "adaptiveCard/action add note" "$note_activity" note
bb_stop

# nginx worker RSS during a long run: flat means no per-request growth
rss_secs=${BENCH_RSS_DURATION:-60}
if [ "$(answer "$BENCH_URL" "$query_activity")" = 200 ]; then
    rss_label="composeExtension/query" rss_body=$query_activity
else
    rss_label="bot message (search not implemented yet)"
    rss_body=$BENCH_ACTIVITY
fi
printf '\nnginx worker RSS over %ss of %s (kB, every 5 s):\n' \
    "$rss_secs" "$rss_label"
BENCH_ACTIVITY=$rss_body BENCH_TOKENS=$work/one-token \
    taskset -c 0 wrk -t "$threads" -c "$conns" -d "${rss_secs}s" \
    -s bench/bot-message.lua "$BENCH_URL" > "$work/rss-wrk.txt" &
wrk_pid=$!
samples=()
for i in $(seq $((rss_secs / 5))); do
    sleep 5
    samples+=("$(worker_rss)")
done
wait "$wrk_pid" || true
printf '  %s\n' "${samples[*]}"
awk -v first="${samples[1]:-${samples[0]}}" -v last="${samples[-1]}" 'BEGIN {
    g = (last - first) / first * 100
    printf "  growth after warm-up: %+.1f%% (%s)\n", g,
        (g < 2) ? "flat" : "GROWING"
}'

# --- Issue 5 (helper "notify"): activity-feed notifications; a separate
# script with its own worker (the stack's worker is paused meanwhile).
# BENCH_NOTIFY=0 leaves it out (its limits-on case alone takes ~15 min).
if [ "${BENCH_NOTIFY:-1}" = 0 ]; then
    printf '\nnotifications: left out (BENCH_NOTIFY=0)\n'
elif [ -n "${BENCH_REDIS_PORT:-}" ] && [ -n "${BENCH_MOCK_PORT:-}" ] \
   && [ -n "${BENCH_STATE:-}" ]; then
    BENCH_PG_CONNINFO="hostaddr=127.0.0.1 port=$BENCH_PG_PORT dbname=teams user=postgres" \
        bash bench/notify.sh
else
    printf '\nnotifications: skipped (build.sh bench passes BENCH_REDIS_PORT, BENCH_MOCK_PORT, BENCH_STATE)\n'
fi
