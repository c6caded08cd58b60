#!/usr/bin/env bash
# bench/notify.sh: activity-feed notification measurements (issue 5), run
# by bench/run.sh's notify section against the bench stack.  Measurements,
# not tests.
#
#   1. raw capacity, limits off (ours and the stand-in's): N notifications
#      inserted at once into internal_notifications (the trigger enqueues
#      them); notifications/s from the first insert to the last delivery
#      recorded; the worker's RSS;
#   2. latency at a paced load (BENCH_NOTIFY_PACED/s for 10 s): p50/p99
#      from the insert's commit time to the delivery recorded after the
#      Graph call (an upper bound of insert -> Graph call);
#   3. limits on (ours and the stand-in's enforcing 5/s per tenant, 50/s
#      per app): T tenants x P notifications through one Entra app; the
#      achieved rate, the stand-in's max observed rates and its 429 count.
#
# Environment (set by run.sh): BENCH_PG_CONNINFO, BENCH_REDIS_PORT,
# BENCH_MOCK_PORT, BENCH_STATE (secret.key, teams-worker.pid);
# BENCH_NOTIFY_N (20000), BENCH_NOTIFY_PACED (1000), BENCH_NOTIFY_TENANTS
# (100), BENCH_NOTIFY_PER_TENANT (200), BENCH_NOTIFY_CONCURRENCY (256).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

: "${BENCH_PG_CONNINFO:?}" "${BENCH_REDIS_PORT:?}" "${BENCH_MOCK_PORT:?}"
: "${BENCH_STATE:?}"
n=${BENCH_NOTIFY_N:-20000}
paced=${BENCH_NOTIFY_PACED:-1000}
tenants=${BENCH_NOTIFY_TENANTS:-100}
per_tenant=${BENCH_NOTIFY_PER_TENANT:-200}
conc=${BENCH_NOTIFY_CONCURRENCY:-256}
mock=http://127.0.0.1:$BENCH_MOCK_PORT
work=$(mktemp -d)
run=b$$-   # tags this run's notifications (titles)
wpid=

# shellcheck disable=SC1091
. "$top/sql/seed/demo-ids.env"

q() { psql "$BENCH_PG_CONNINFO" -XAtq -v ON_ERROR_STOP=1 "$@"; }

cleanup() {
    [ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
    curl -s -X DELETE "$mock/_limits" > /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

start_notify_worker() {   # start_notify_worker LIMITS(on|off)
    cat > "$work/worker.conf" <<CONF
postgres = $BENCH_PG_CONNINFO
redis = 127.0.0.1:$BENCH_REDIS_PORT
consumer = bench-notify
graph_base = $mock
token_endpoint_base = $mock
openid_botframework = off
openid_entra = off
secret_key_file = $BENCH_STATE/secret.key
notify_psa_url = https://psa.example.com
notify_concurrency = $conc
notify_rate_limits = $1
CONF
    build/teams-worker --config "$work/worker.conf" >> "$work/worker.log" 2>&1 &
    wpid=$!
}

stop_notify_worker() {
    kill "$wpid" 2>/dev/null || true
    wait "$wpid" 2>/dev/null || true
    wpid=
}

wait_done() {   # wait_done TAG COUNT TIMEOUT_S
    local i
    for i in $(seq $(($3 * 10))); do
        [ "$(q -c "SELECT count(*) FROM teams_notification_deliveries d
                   JOIN internal_notifications n
                     ON n.internal_notification_id = d.internal_notification_id
                    AND n.tenant = d.tenant
                  WHERE n.title LIKE '$1%' AND d.status = 'sent'")" -ge "$2" ] \
            && return 0
        sleep 0.1
    done
    echo "  (timed out waiting for $1)" >&2
    return 1
}

insert() {   # insert TAG COUNT [TENANT USER]
    q -c "INSERT INTO internal_notifications (tenant, user_id, template_name,
          language_code, title, message, link)
          SELECT '${3:-$PSA_TENANT_A}', '${4:-$TECH_USER_ID_A}',
                 'ticket-assigned', 'en', '$1 ' || g, 'bench notification',
                 '/msp/tickets/$TICKET_ID_A'
            FROM generate_series(1, $2) AS g"
}

# the stack's own worker would share the stream: pause it for the bench
stack_worker=$(cat "$BENCH_STATE/teams-worker.pid" 2>/dev/null || true)
[ -n "$stack_worker" ] && kill -STOP "$stack_worker" 2>/dev/null || true

printf '\nactivity-feed notifications (teams-worker -> stand-in Graph)\n'

# ---------------------------------------------------------- raw capacity

curl -s -X DELETE "$mock/_limits" > /dev/null
curl -s -X DELETE "$mock/_faults" > /dev/null
curl -s -X DELETE "$mock/_recorded" > /dev/null
curl -s -X DELETE "$mock/_stats" > /dev/null
start_notify_worker off
insert "${run}warm" 500
wait_done "${run}warm" 500 60

t0=$(date +%s.%N)
insert "${run}raw" "$n"
t1=$(date +%s.%N)
wait_done "${run}raw" "$n" 300 || true
q -c "SELECT count(*), extract(epoch FROM max(d.sent_at) - min(n.created_at)),
             percentile_cont(0.99) WITHIN GROUP (ORDER BY
               extract(epoch FROM d.sent_at - n.created_at) * 1000)
        FROM teams_notification_deliveries d
        JOIN internal_notifications n
          ON n.internal_notification_id = d.internal_notification_id
         AND n.tenant = d.tenant
       WHERE n.title LIKE '${run}raw %' AND d.status = 'sent'" > "$work/raw"
IFS='|' read -r cnt secs p99b < "$work/raw"
rss=$(ps -o rss= -p "$wpid" | tr -d ' ')
awk -v n="$cnt" -v s="$secs" -v i0="$t0" -v i1="$t1" -v rss="$rss" \
    -v p99="$p99b" 'BEGIN {
    printf "  raw, limits off: %d notifications in %.2f s = %.0f notifications/s\n", n, s, n / s
    printf "    (insert of all rows took %.2f s; backlog p99 insert->recorded %.0f ms)\n", i1 - i0, p99
    printf "    worker RSS after: %d kB\n", rss
}'
dup=$(curl -s "$mock/_stats" | node -e '
    let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
        const j = JSON.parse(s);
        console.log(j.requests_by_kind.graph || 0);
    });')
printf '    Graph calls at the stand-in: %s for %s notifications (warm-up 500 included)\n' \
    "$dup" "$((n + 500))"

# ------------------------------------------------- latency at a paced load

for i in $(seq 100); do
    insert "${run}paced" $((paced / 10)) > /dev/null
    sleep 0.1
done
wait_done "${run}paced" $((paced * 10)) 120 || true
q -c "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms),
             percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), max(ms)
        FROM (SELECT extract(epoch FROM d.sent_at - n.created_at) * 1000
                     AS ms
                FROM teams_notification_deliveries d
                JOIN internal_notifications n
                  ON n.internal_notification_id = d.internal_notification_id
                 AND n.tenant = d.tenant
               WHERE n.title LIKE '${run}paced %' AND d.status = 'sent') x" \
    | awk -F'|' -v r="$paced" '{
    printf "  paced %d/s for 10 s: insert -> delivery recorded p50 %.0f ms, p99 %.0f ms, max %.0f ms\n", r, $1, $2, $3 }'
printf '    worker RSS after: %s kB\n' "$(ps -o rss= -p "$wpid" | tr -d ' ')"
stop_notify_worker

# ------------------------------------------- limits on: T tenants x P each

printf '  seeding %d tenants (one Entra app, one Microsoft tenant each)\n' \
    "$tenants"
{
    echo "BEGIN;"
    for i in $(seq "$tenants"); do
        t=$(printf 'e0000000-0000-4000-8000-%012d' "$i")
        p=$(printf 'e1000000-0000-4000-8000-%012d' "$i")
        u=$(printf 'e2000000-0000-4000-8000-%012d' "$i")
        m=$(printf 'ed000000-0000-4000-8000-%012d' "$i")
        ct=$(printf 'bench-secret' | build/teams-secret encrypt \
             --key-file "$BENCH_STATE/secret.key" --tenant "$t" --profile "$p")
        cat <<SQL
INSERT INTO tenants (tenant, client_name, email) VALUES ('$t', 'bench $i', 'b$i@example.test') ON CONFLICT DO NOTHING;
INSERT INTO users (tenant, user_id, username, hashed_password, email, user_type) VALUES ('$t', '$u', 'tech$i', 'x', 'tech$i@example.test', 'internal') ON CONFLICT DO NOTHING;
INSERT INTO user_auth_accounts (tenant, user_id, provider, provider_account_id) VALUES ('$t', '$u', 'microsoft', '$u') ON CONFLICT DO NOTHING;
INSERT INTO tenant_addons (tenant, addon_key) VALUES ('$t', 'teams') ON CONFLICT DO NOTHING;
INSERT INTO microsoft_profiles (tenant, profile_id, display_name, display_name_normalized, client_id, tenant_id, client_secret_ref) VALUES ('$t', '$p', 'bench', 'bench', '$BOT_APP_ID_A', '$m', '$ct') ON CONFLICT (tenant, profile_id) DO UPDATE SET client_secret_ref = EXCLUDED.client_secret_ref;
INSERT INTO teams_integrations (tenant, selected_profile_id, install_status, enabled_capabilities, notification_categories, app_id) VALUES ('$t', '$p', 'active', '["activity_notifications"]', '["assignment"]', '$BOT_APP_ID_A') ON CONFLICT DO NOTHING;
SQL
    done
    echo "COMMIT;"
} > "$work/tenants.sql"
q -f "$work/tenants.sql" > /dev/null

curl -s -X DELETE "$mock/_stats" > /dev/null
curl -s -X POST -H 'Content-Type: application/json' "$mock/_limits" \
    --data '{"enabled":true,"per_app_tenant_rps":5,"per_app_rps":50,"bulk_per_app_tenant_rps":2,"bulk_per_app_rps":20}' \
    > /dev/null
start_notify_worker on
# interleaved across tenants, as a PSA under load would produce them
q -c "INSERT INTO internal_notifications (tenant, user_id, template_name,
      language_code, title, message, link)
      SELECT ('e0000000-0000-4000-8000-' || lpad(t::text, 12, '0'))::uuid,
             ('e2000000-0000-4000-8000-' || lpad(t::text, 12, '0'))::uuid,
             'ticket-assigned', 'en', '${run}limited ' || t || '-' || k, 'bench',
             '/msp/tickets/$TICKET_ID_A'
        FROM generate_series(1, $per_tenant) AS k,
             generate_series(1, $tenants) AS t
       ORDER BY k, t" > /dev/null
total=$((tenants * per_tenant))
ts0=$(date +%s.%N)
wait_done "${run}limited" "$total" $((total / 40 + 120)) || true
ts1=$(date +%s.%N)
curl -s "$mock/_stats" > "$work/stats.json"
node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
    const n = +process.argv[2], s = process.argv[4] - process.argv[3];
    console.log(`  limits on, ${process.argv[5]} tenants x ${process.argv[6]}: ${n} notifications in ${s.toFixed(1)} s = ${(n / s).toFixed(1)}/s`);
    console.log(`    stand-in: max observed ${j.max_observed_rps_per_app}/s per app (limit 50), ${j.max_observed_rps_per_app_tenant}/s per app per tenant (limit 5), 429s: ${j.limit_violations}`);
' "$work/stats.json" "$total" "$ts0" "$ts1" "$tenants" "$per_tenant"
printf '    worker RSS after: %s kB\n' "$(ps -o rss= -p "$wpid" | tr -d ' ')"
stop_notify_worker

[ -n "$stack_worker" ] && kill -CONT "$stack_worker" 2>/dev/null || true
