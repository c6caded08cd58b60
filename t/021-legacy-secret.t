# The legacy configuration's client secret reaches the default profile
# encrypted (sql/migrate-legacy-secrets.sh), never in clear, once.

use strict;
use warnings;
use Test::More;

my $conninfo = $ENV{TEST_TEAMS_PG_CONNINFO}
    or plan skip_all => 'TEST_TEAMS_PG_CONNINFO is not set';
my $key = $ENV{TEST_TEAMS_SECRET_KEY_FILE}
    or plan skip_all => 'TEST_TEAMS_SECRET_KEY_FILE is not set';
my $top = $ENV{TEST_TEAMS_REPO} // '.';
my $tool = "$top/build/teams-secret";
-x $tool or plan skip_all => 'build/teams-secret is not built';

my $db = "teams_legacy_$$";
(my $admin = $conninfo) =~ s/dbname=\S+/dbname=postgres/;
(my $scratch = $conninfo) =~ s/dbname=\S+/dbname=$db/;

sub sql {
    my ($ci, $q) = @_;
    my $out = `psql "$ci" -At -v ON_ERROR_STOP=1 -c "$q" 2>&1`;
    die "psql: $out" if $?;
    chomp $out;
    return $out;
}

sql($admin, "CREATE DATABASE $db");
END { sql($admin, "DROP DATABASE IF EXISTS $db") if $admin }

my $tenant = 'c1e90000-0000-4000-8000-000000000001';
my $secret = 'legacy~Secret.value_0123456789';

# schema up to before the legacy profile migration, then a legacy config
system("TEAMS_MIGRATE_UNTIL=0011 $top/sql/migrate.sh '$scratch' >/dev/null") == 0
    or die 'migrate';
sql($scratch, "INSERT INTO tenants (tenant, client_name, email) VALUES ('$tenant', 'Legacy', 'a\@legacy.example')");
sql($scratch, "INSERT INTO tenant_secrets (tenant, secret_name, secret_value) VALUES "
    . "('$tenant', 'microsoft_client_id', 'c1e9a000-0000-4000-8000-00000000000a'),"
    . "('$tenant', 'microsoft_tenant_id', 'c1e9b000-0000-4000-8000-00000000000b'),"
    . "('$tenant', 'microsoft_client_secret', '$secret')");
system("$top/sql/migrate.sh '$scratch' >/dev/null") == 0 or die 'migrate';

is(sql($scratch, "SELECT client_secret_ref FROM microsoft_profiles WHERE tenant = '$tenant'"),
   '', 'SQL alone does not copy a clear-text secret');

my $log = `$top/sql/migrate-legacy-secrets.sh '$scratch' '$key' 2>&1`;
is($?, 0, 'the secret migration runs');
unlike($log, qr/\Q$secret\E/, 'and never prints the secret');

my ($profile, $ref) = split /\|/, sql($scratch,
    "SELECT profile_id, client_secret_ref FROM microsoft_profiles WHERE tenant = '$tenant'");
like($ref, qr/^v1:[A-Za-z0-9+\/=]+:[A-Za-z0-9+\/=]+$/, 'stored as a v1 envelope');
unlike($ref, qr/\Q$secret\E/, 'not in clear');

my $plain = `printf '%s' '$ref' | $tool decrypt --key-file '$key' --tenant $tenant --profile $profile`;
chomp $plain;
is($plain, $secret, 'decrypts to the legacy secret with the master key');

`$top/sql/migrate-legacy-secrets.sh '$scratch' '$key' 2>&1`;
is(sql($scratch, "SELECT client_secret_ref FROM microsoft_profiles WHERE tenant = '$tenant'"),
   $ref, 'running it again changes nothing');

done_testing();
