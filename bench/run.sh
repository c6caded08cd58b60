#!/usr/bin/env bash
# bench/run.sh: measurements, not tests.  Run by "./build.sh bench", which
# starts the stack and passes BENCH_URL, BENCH_KEYS (the stand-in's keys),
# BENCH_SERVICE_URL and BENCH_NGINX_PID.  Every case runs against the same
# nginx as a "return 200" baseline in the same run, and is reported as a
# ratio to it.
#
# Environment: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50),
# BENCH_THREADS (1), BENCH_FRESH_TOKENS (20000).
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

# a personal message from the demo technician of tenant A
BENCH_ACTIVITY=$(cat <<JSON
{"type":"message","id":"bench-1","serviceUrl":"$BENCH_SERVICE_URL","channelId":"msteams","from":{"id":"29:bench","aadObjectId":"$TECH_AAD_OID_A"},"recipient":{"id":"28:$BOT_APP_ID_A"},"conversation":{"id":"a:bench","conversationType":"personal"},"channelData":{"tenant":{"id":"$MS_TENANT_A"}},"text":"help"}
JSON
)
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

worker_rss() {
    ps -o rss= -p "$(pgrep -P "$(cat "$BENCH_NGINX_PID")" | head -1)" \
        | tr -d ' '
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
    bench_case "bot message, cached token" "$BENCH_URL" -s bench/bot-message.lua
bench_ratio "cached token / baseline" "$last_rps" "$baseline_rps"

BENCH_TOKENS=$work/fresh-tokens \
    bench_case "bot message, fresh token each request" "$BENCH_URL" \
    -s bench/bot-message.lua
bench_ratio "fresh token / baseline" "$last_rps" "$baseline_rps"

printf '\nnginx worker RSS: %s kB before the bot cases, %s kB after\n' \
    "$rss_before" "$(worker_rss)"
