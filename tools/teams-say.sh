#!/usr/bin/env bash
# tools/teams-say.sh "TEXT" — say something to the demo bot as a Teams user
# would: a personal-chat message activity with a Bot Framework token signed
# by the local stand-in's key, sent to the module; then the bot's reply as
# the stand-in's Bot Connector received it (the worker posts it there).
#
#   AS=tech|approver|readonly|client  (default tech, tenant A's users)
#   tools/teams-say.sh "my tickets"
#   tools/teams-say.sh "assign ticket TIC001001 to me"
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
env_file=$top/.run/demo.env
[ -f "$env_file" ] || { echo "teams-say: run ./build.sh run first" >&2; exit 1; }
# shellcheck disable=SC1090
. "$env_file"

case ${AS:-tech} in
    tech) oid=$TECH_AAD_OID_A ;;
    approver) oid=$APPROVER_AAD_OID_A ;;
    readonly) oid=$READONLY_AAD_OID_A ;;
    client) oid=$CLIENT_USER_AAD_OID_A ;;
    *) echo "teams-say: AS is tech, approver, readonly or client" >&2; exit 2 ;;
esac

text=${1:?usage: teams-say.sh \"TEXT\"}
id="say-$(date +%s%N)"
token=$(node "$top/bench/mint-tokens.js" "$top/.run/keys" "$BOT_APP_ID_A" \
        "$SERVICE_URL" 1)
activity=$(node -e '
const [id, url, oid, app, tenant, text] = process.argv.slice(1);
process.stdout.write(JSON.stringify({
    type: "message", id, serviceUrl: url, channelId: "msteams",
    from: { id: "29:demo-" + oid, aadObjectId: oid },
    recipient: { id: "28:" + app },
    conversation: { id: "a:demo-" + oid, conversationType: "personal" },
    channelData: { tenant: { id: tenant } }, text }));
' "$id" "$SERVICE_URL" "$oid" "$BOT_APP_ID_A" "$MS_TENANT_A" "$text")

curl -s -w '  (HTTP %{http_code})\n' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data "$activity" "$TEAMS_URL/api/teams/messages"

# the worker posts the reply to the stand-in's Bot Connector
for _ in $(seq 30); do
    reply=$(curl -s "$MOCK_MS_URL/_recorded?kind=connector" | node -e '
let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
    const hit = JSON.parse(s).filter(e => e.path.endsWith("/" + process.argv[1]));
    if (hit.length) console.log(JSON.stringify(hit[hit.length - 1].body, null, 1));
});' "$id")
    if [ -n "$reply" ]; then
        printf '%s\n' "$reply"
        exit 0
    fi
    sleep 0.2
done
echo "teams-say: no reply reached the Bot Connector stand-in yet" >&2
