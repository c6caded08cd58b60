#!/usr/bin/env bash
# sql/migrate.sh CONNINFO
#
# Applies sql/migrations/NNNN_name.sql in lexical order, each in its own
# transaction together with its row in teams_schema_migrations, skipping
# versions already recorded there.  Safe to run any number of times.
#
#   CONNINFO              a libpq connection string or URI, e.g.
#                         "hostaddr=127.0.0.1 port=55432 dbname=teams user=postgres"
#   TEAMS_MIGRATE_UNTIL   optional version (e.g. 0010): stop before the first
#                         migration whose version is >= it (used by tests)
#
# Prints one line per applied migration and a summary; exits non-zero with a
# message naming the failing migration (which is rolled back completely).
set -euo pipefail
export LC_ALL=C

prog=$(basename "$0")
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

if [ $# -ne 1 ] || [ -z "${1:-}" ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]
then
    echo "usage: $prog CONNINFO" >&2
    exit 2
fi

conninfo=$1
until=${TEAMS_MIGRATE_UNTIL:-}
dir=$(cd "$(dirname "$0")" && pwd)/migrations

command -v psql >/dev/null 2>&1 || die "psql not found (install postgresql-client)"
[ -d "$dir" ] || die "no migrations directory at $dir"
case "$dir" in *"'"*) die "migrations path must not contain a quote: $dir" ;; esac

psql_cmd=(psql -X -q -v ON_ERROR_STOP=1 -d "$conninfo")

if ! "${psql_cmd[@]}" -c 'SET client_min_messages = warning;
        CREATE TABLE IF NOT EXISTS teams_schema_migrations (
            version     text PRIMARY KEY,
            name        text,
            applied_at  timestamptz DEFAULT now())' >/dev/null
then
    die "cannot connect or create teams_schema_migrations (conninfo: ${conninfo})"
fi

applied_list=$("${psql_cmd[@]}" -At -c \
    'SELECT version FROM teams_schema_migrations ORDER BY version') \
    || die "cannot read teams_schema_migrations"

shopt -s nullglob
files=("$dir"/[0-9][0-9][0-9][0-9]_*.sql)
[ ${#files[@]} -gt 0 ] || die "no migrations found in $dir"

n_applied=0
n_skipped=0
n_held=0

for f in "${files[@]}"; do
    base=$(basename "$f" .sql)
    version=${base%%_*}
    name=${base#*_}

    if [ -n "$until" ] && [[ ! "$version" < "$until" ]]; then
        n_held=$((n_held + 1))
        continue
    fi

    if printf '%s\n' "$applied_list" | grep -qx -- "$version"; then
        n_skipped=$((n_skipped + 1))
        continue
    fi

    # One transaction: lock, re-check (another runner may have won), apply
    # the file, record it.  Any error rolls all of it back.
    out=$("${psql_cmd[@]}" -o /dev/null -v version="$version" -v name="$name" 2>&1 <<SQL
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('teams_schema_migrations'));
SELECT EXISTS (SELECT 1 FROM teams_schema_migrations
               WHERE version = :'version') AS teams_already \gset
\if :teams_already
\echo teams-migrate:already-applied
ROLLBACK;
\q
\endif
\i '$f'
INSERT INTO teams_schema_migrations (version, name)
VALUES (:'version', :'name');
COMMIT;
SQL
    ) || {
        printf '%s\n' "$out" >&2
        die "migration $base failed; it was rolled back (database unchanged by it)"
    }

    if printf '%s\n' "$out" | grep -qx 'teams-migrate:already-applied'; then
        n_skipped=$((n_skipped + 1))
        continue
    fi
    # Pass through INFO lines the migration chose to report.
    printf '%s\n' "$out" | grep -v '^$' | sed 's/^/    /' || true
    printf 'applied %s\n' "$base"
    n_applied=$((n_applied + 1))
done

summary="$prog: $n_applied applied, $n_skipped already applied"
if [ -n "$until" ]; then
    summary="$summary, $n_held held back (TEAMS_MIGRATE_UNTIL=$until)"
fi
echo "$summary"
