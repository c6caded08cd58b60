#!/usr/bin/env bash
# sql/migrate-legacy-secrets.sh CONNINFO KEY_FILE
#
# Carries the PSA's legacy single Microsoft configuration's client secret
# (tenant_secrets.microsoft_client_secret, in clear) into the default profile
# that migration 0011 made from it, encrypted under the module's master key.
# SQL alone cannot: the key never enters the database.  Only profiles still
# without a secret are touched, so running it again changes nothing.  The
# legacy row is left as the PSA keeps it.  Secrets pass through a pipe to
# build/teams-secret, never through the command line or a log.
set -euo pipefail

conninfo=${1:?usage: migrate-legacy-secrets.sh CONNINFO KEY_FILE}
key_file=${2:?usage: migrate-legacy-secrets.sh CONNINFO KEY_FILE}
tool=$(cd "$(dirname "$0")/.." && pwd)/build/teams-secret

[ -x "$tool" ] || { echo "migrate-legacy-secrets: $tool is not built" >&2; exit 1; }

has_legacy=$(psql "$conninfo" -At -v ON_ERROR_STOP=1 -c \
    "SELECT to_regclass('tenant_secrets') IS NOT NULL")
[ "$has_legacy" = t ] || exit 0

n=0
while IFS=$'\t' read -r tenant profile secret; do
    # Entra secrets are printable; anything else is left for an admin
    case $secret in
        ''|*[![:print:]]*) echo "migrate-legacy-secrets: tenant $tenant: legacy secret unusable, re-enter it" >&2; continue ;;
    esac
    ciphertext=$(printf '%s' "$secret" \
        | "$tool" encrypt --key-file "$key_file" --tenant "$tenant" \
                          --profile "$profile")
    psql "$conninfo" -q -v ON_ERROR_STOP=1 -v tenant="$tenant" \
        -v profile="$profile" -v ct="$ciphertext" <<'SQL'
UPDATE microsoft_profiles
   SET client_secret_ref = :'ct', updated_at = now()
 WHERE tenant = :'tenant'::uuid AND profile_id = :'profile'::uuid
   AND client_secret_ref = '';
SQL
    n=$((n + 1))
done < <(psql "$conninfo" -At -F $'\t' -v ON_ERROR_STOP=1 -c "
    SELECT p.tenant, p.profile_id, btrim(s.secret_value)
      FROM microsoft_profiles p
      JOIN tenant_secrets s ON s.tenant = p.tenant
       AND s.secret_name = 'microsoft_client_secret'
     WHERE p.is_default AND NOT p.is_archived AND p.client_secret_ref = ''
       AND p.display_name_normalized = 'default microsoft profile'
       AND btrim(s.secret_value) !~ '^v1:'")

echo "migrate-legacy-secrets: $n legacy secret(s) encrypted into default profiles" >&2
