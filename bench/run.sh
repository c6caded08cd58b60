#!/usr/bin/env bash
# bench/run.sh: measurements, not tests.  Starts a private stack, then runs
# wrk against the module's endpoints and against a "return 200" location of
# the same nginx in the same run, and prints requests/s, p50/p99 and ratios.
#
# Environment: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50),
# BENCH_THREADS (1).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

state=$top/build/bench-stack
pg=55632 redis=56579 mock=58280 port=8091
duration=${BENCH_DURATION:-10}
conns=${BENCH_CONNECTIONS:-50}
threads=${BENCH_THREADS:-1}
conninfo="hostaddr=127.0.0.1 port=$pg dbname=teams user=postgres"

# shellcheck disable=SC1091
. "$top/bench/lib.sh"

cleanup() {
    [ -f "$state/nginx/logs/nginx.pid" ] \
        && kill -QUIT "$(cat "$state/nginx/logs/nginx.pid")" 2>/dev/null
    "$top/tools/stack.sh" all-stop "$state" 2>/dev/null || true
}
trap cleanup EXIT

rm -rf "$state"
mkdir -p "$state"
"$top/tools/stack.sh" all-start "$state" $pg $redis $mock
"$top/tools/stack.sh" secret-key "$state" > /dev/null
sql/migrate.sh "$conninfo" > "$state/migrate.log"

# one nginx worker on one core, wrk on the other: a fair, repeatable split
mkdir -p "$state/nginx/logs" "$state/nginx/conf" "$state/nginx/body"
sed -e "s|@MODULE@|$top/build/ngx_teams_module.so|g" \
    -e "s|@STATE@|$state|g" -e "s|@WORKERS@|1|g" -e "s|@LOG_LEVEL@|warn|g" \
    -e "s|@NGINX_PORT@|$port|g" -e "s|@PG_PORT@|$pg|g" \
    -e "s|@REDIS_PORT@|$redis|g" -e "s|@MOCK_PORT@|$mock|g" \
    -e "s|@MOCK_URL@|http://127.0.0.1:$mock|g" \
    conf/demo.conf.in > "$state/nginx/conf/nginx.conf"
taskset -c 1 /usr/sbin/nginx -p "$state/nginx" -c conf/nginx.conf
sleep 0.5

base=http://127.0.0.1:$port

printf '\nngx_teams_module bench: %ss per case, %s connections, %s wrk thread(s)\n' \
    "$duration" "$conns" "$threads"
printf 'nginx: 1 worker on cpu 1; wrk on cpu 0; PostgreSQL and Redis share the machine\n\n'
bench_header

bench_case "return 200 (baseline)" "$base/baseline"
baseline_rps=$last_rps

bench_case "GET /api/teams/status (PG + Redis)" "$base/api/teams/status"
bench_ratio "status / baseline" "$last_rps" "$baseline_rps"

rss=$(ps -o rss= -p "$(pgrep -P "$(cat "$state/nginx/logs/nginx.pid")" | head -1)")
printf '\nnginx worker RSS after the run: %s kB\n' "$rss"
