# The admin API (/api/teams/admin/, teams_admin;): PSA API keys and RBAC,
# Microsoft profiles, consumer bindings, the Teams integration, readiness,
# activation, setup information, the legacy configuration, the audit trail,
# secrets at rest and in logs, and cross-tenant isolation.
#
# Tenant B (no Microsoft profile in the demo seed) is the playground: its
# Teams rows are wiped before and after the suite.  Tenant A's seeded Teams
# setup is only read, or refused a change, so other suites keep it.

use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;

ensure_demo_seed();

our $Ids = demo_ids();
our $TA = $Ids->{PSA_TENANT_A};
our $TB = $Ids->{PSA_TENANT_B};
our $Top = $ENV{TEST_TEAMS_REPO};
our $KeyFile = $ENV{TEST_TEAMS_SECRET_KEY_FILE};

sub rand_key { sprintf 'tk_adm_%08x%08x%08x', map { int(rand(2**32)) } 1 .. 3 }

# our own API keys: [name, api_key_id, tenant, user, active, expires]
our %Key;
our @KeyRows = (
    ['admin_a',    'af000000-0000-4000-8000-0000000005a1', $TA,
     $Ids->{ADMIN_USER_ID_A}, 'true', undef],
    ['admin_b',    'bf000000-0000-4000-8000-0000000005a1', $TB,
     $Ids->{ADMIN_USER_ID_B}, 'true', undef],
    ['readonly_a', 'af000000-0000-4000-8000-0000000005a2', $TA,
     $Ids->{READONLY_USER_ID_A}, 'true', undef],
    ['tech_a',     'af000000-0000-4000-8000-0000000005a3', $TA,
     $Ids->{TECH_USER_ID_A}, 'true', undef],
    ['inactive_a', 'af000000-0000-4000-8000-0000000005a4', $TA,
     $Ids->{ADMIN_USER_ID_A}, 'false', undef],
    ['expired_a',  'af000000-0000-4000-8000-0000000005a5', $TA,
     $Ids->{ADMIN_USER_ID_A}, 'true', '2020-01-01T00:00:00Z'],
    ['client_a',   'af000000-0000-4000-8000-0000000005a6', $TA,
     $Ids->{CLIENT_USER_ID_A}, 'true', undef],
    ['deadusr_a',  'af000000-0000-4000-8000-0000000005a7', $TA,
     'a2000000-0000-4000-8000-0000000005a1', 'true', undef],
);
our $DeadUser = 'a2000000-0000-4000-8000-0000000005a1';

sub clean_b {
    psql(q{DELETE FROM teams_integrations WHERE tenant = $1::uuid}, $TB);
    psql(q{DELETE FROM microsoft_profile_consumer_bindings
           WHERE tenant = $1::uuid}, $TB);
    psql(q{DELETE FROM microsoft_profiles WHERE tenant = $1::uuid}, $TB);
    psql(q{DELETE FROM teams_admin_audit_events WHERE tenant = $1::uuid},
         $TB);
}

sub setup_fixture {
    clean_b();
    # an admin whose PSA account is inactive
    psql(q{INSERT INTO users (tenant, user_id, username, hashed_password,
               email, user_type, is_inactive)
           VALUES ($1::uuid, $2::uuid, 'gone.admin@example.test', '!',
                   'gone.admin@example.test', 'internal', true)
           ON CONFLICT DO NOTHING}, $TA, $DeadUser);
    psql(q{INSERT INTO user_roles (tenant, user_id, role_id)
           VALUES ($1::uuid, $2::uuid, 'ae000000-0000-4000-8000-000000000001')
           ON CONFLICT DO NOTHING}, $TA, $DeadUser);
    for my $k (@KeyRows) {
        my ($name, $id, $tenant, $user, $active, $exp) = @$k;
        $Key{$name} = rand_key();
        psql(q{INSERT INTO api_keys (api_key_id, api_key, user_id, tenant,
                   description, active, expires_at, purpose)
               VALUES ($1::uuid, $2, $3::uuid, $4::uuid, 'admin API test',
                       $5::boolean, $6::timestamptz, 'general')
               ON CONFLICT (tenant, api_key_id) DO UPDATE
               SET api_key = EXCLUDED.api_key, active = EXCLUDED.active,
                   expires_at = EXCLUDED.expires_at},
             $id, sha256_hex($Key{$name}), $user, $tenant, $active, $exp);
    }
}

sub teardown_fixture {
    clean_b();
    psql(q{DELETE FROM api_keys WHERE api_key_id::text LIKE '_f000000-0000-4000-8000-0000000005a_'});
    psql(q{DELETE FROM user_roles WHERE tenant = $1::uuid AND user_id = $2::uuid},
         $TA, $DeadUser);
    psql(q{DELETE FROM users WHERE tenant = $1::uuid AND user_id = $2::uuid},
         $TA, $DeadUser);
}

setup_fixture();
END { teardown_fixture() if $ENV{TEST_TEAMS_PG_CONNINFO} && %Key }

# api($method, $path, $key_name_or_undef, $body_ref_or_text)
#   -> ($status, $decoded_json_or_undef, $raw_body, $headers)
sub api {
    my ($method, $path, $key, $body) = @_;
    my %h = ('Content-Type' => 'application/json');
    $h{'x-api-key'} = $Key{$key} // $key if defined $key;
    $body = json_encode($body) if ref $body;
    my ($s, $hd, $b) = http_request($method, "/api/teams/admin/$path", \%h,
                                    $body);
    my $j = eval { json_decode($b) };
    return ($s, $j, $b, $hd);
}

sub audit_count {
    my ($tenant, @cond) = @_;
    my $sql = q{SELECT count(*) FROM teams_admin_audit_events
                WHERE tenant = $1::uuid};
    my @p = ($tenant);
    while (my ($col, $v) = splice @cond, 0, 2) {
        push @p, $v;
        $sql .= " AND $col = \$" . scalar(@p);
    }
    my $n = psql($sql, @p);
    $n =~ s/\s+//g;
    return $n;
}

# Every line of the error log holding one of the given strings, except
# nginx's own debug dump of request headers (see the report: nginx core
# logs every request header at debug level, before any module runs).
sub log_leaks {
    my @needles = @_;
    my @bad;
    for my $line (split /\n/, error_log_text()) {
        next if $line =~ /\] \d+#\d+: \*\d+ http header: "x-api-key: /i;
        for my $n (@needles) {
            push @bad, $line if index($line, $n) >= 0;
        }
    }
    return @bad;
}

sub new_profile {
    my ($key, $name, %o) = @_;
    my ($s, $j) = api('POST', 'profiles', $key, {
        display_name => $name,
        client_id => $o{client_id} // 'b99b0000-0000-4000-8000-' . sprintf('%012x', int rand 2**40),
        tenant_id => $o{tenant_id} // $Ids->{MS_TENANT_B},
        client_secret => $o{secret} // 'Xy7~' . rand_key(),
    });
    die "create $name: $s" unless $s == 201;
    return $j;
}

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', <<"CONF") unless defined $block->http_config;
    teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}" pool_size=2;
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};
    teams_public_url https://Teams.Example.test:8443/;
    teams_secret_key_file $ENV{TEST_TEAMS_SECRET_KEY_FILE};
CONF
    $block->set_value('config', <<'CONF') unless defined $block->config;
    location ^~ /api/teams/admin/ { teams_admin; }
CONF
});

run_tests();

__DATA__

=== TEST 1: authentication and RBAC: missing, unknown, inactive, expired, client-portal and under-privileged keys
--- test_script
my ($s, $j, $b, $h);

($s, $j) = main::api('GET', 'profiles', undef);
is($s, 401, 'no key: 401');
is($j->{error}{code}, 'missing_api_key', 'missing_api_key');

($s, $j) = main::api('GET', 'profiles', 'tk_not_a_key_at_all');
is($s, 401, 'unknown key: 401');
is($j->{error}{code}, 'invalid_api_key', 'invalid_api_key');

($s, $j) = main::api('GET', 'profiles', 'x' x 600);
is($s, 401, 'absurdly long key: 401');

for my $k (qw(inactive_a expired_a deadusr_a)) {
    ($s, $j) = main::api('GET', 'profiles', $k);
    is($s, 401, "$k: 401");
    is($j->{error}{code}, 'invalid_api_key', "$k: invalid_api_key");
}

($s, $j) = main::api('GET', 'profiles', 'client_a');
is($s, 403, 'client-portal user: 403');
is($j->{error}{code}, 'forbidden', 'forbidden');

($s, $j) = main::api('GET', 'profiles', 'tech_a');
is($s, 403, 'technician without system_settings: 403 on a read');
like($j->{error}{message}, qr/system_settings:read/, 'names the permission');

($s, $j) = main::api('GET', 'profiles', 'readonly_a');
is($s, 403, 'read-only demo role has no system_settings: 403');

# grant the read-only role system_settings:read (not update) for this test
psql(q{INSERT INTO role_permissions (tenant, role_id, permission_id)
       SELECT $1::uuid, 'ae000000-0000-4000-8000-000000000006', permission_id
         FROM permissions WHERE tenant = $1::uuid AND resource = 'system_settings'
          AND action = 'read' AND msp ON CONFLICT DO NOTHING}, $main::TA);
($s, $j) = main::api('GET', 'profiles', 'readonly_a');
is($s, 200, 'with system_settings:read: GET 200');
($s, $j) = main::api('POST', "profiles/$main::Ids->{PROFILE_ID_A}/default",
                     'readonly_a');
is($s, 403, 'but POST 403');
like($j->{error}{message}, qr/system_settings:update/, 'names update');
psql(q{DELETE FROM role_permissions rp USING permissions p
        WHERE rp.tenant = $1::uuid
          AND rp.role_id = 'ae000000-0000-4000-8000-000000000006'
          AND p.tenant = rp.tenant AND p.permission_id = rp.permission_id
          AND p.resource = 'system_settings'}, $main::TA);

($s, $j) = main::api('GET', 'profiles', 'admin_a');
is($s, 200, 'admin: 200');
ok(ref $j->{profiles} eq 'ARRAY', 'a list');

($s, $j) = main::api('GET', 'nothing/here', 'admin_a');
is($s, 404, 'unknown route 404');
is($j->{error}{code}, 'not_found', 'not_found');

($s, $j, $b, $h) = main::api('DELETE', 'profiles', 'admin_a');
is($s, 405, 'wrong method 405');
is($h->{allow}, 'GET, POST', 'Allow header');
is($j->{error}{code}, 'method_not_allowed', 'method_not_allowed');

($s, $j) = main::api('GET', 'profiles', undef);
my $n = psql(q{SELECT api_key_id FROM api_keys WHERE api_key_id =
               'af000000-0000-4000-8000-0000000005a1' AND last_used_at
               > now() - interval '1 minute'});
like($n // '', qr/5a1/, 'last_used_at refreshed for the used key');

# refused calls of a known tenant are audited
ok(main::audit_count($main::TA, result_status => 'failure',
                     error_code => 'invalid_api_key') >= 3,
   'refused keys of tenant A audited');
ok(main::audit_count($main::TA, result_status => 'failure',
                     error_code => 'forbidden') >= 2, 'forbidden audited');
ok(main::audit_count($main::TA, result_status => 'failure',
                     error_code => 'method_not_allowed') >= 1, '405 audited');
ok(main::audit_count($main::TA, result_status => 'success',
                     route => 'profiles', method => 'GET') >= 1,
   'reads audited');

my @leaks = main::log_leaks(values %main::Key);
is(scalar @leaks, 0, 'no API key in the error log (debug level)')
    or diag(join "\n", @leaks[0 .. ($#leaks > 4 ? 4 : $#leaks)]);
--- no_error_log
[alert]
[crit]



=== TEST 2: profiles: create, validation, list, get, update, rotate, default, archive; secrets at rest and in answers
--- test_script
my ($s, $j, $b);
my $secret = 'Qz9~abcdEFGH1234-secret-' . main::rand_key();
my $secret2 = 'R0t8~second-' . main::rand_key();

# validation
($s, $j) = main::api('POST', 'profiles', 'admin_b', '{"display_name":');
is($s, 400, 'malformed JSON 400');
is($j->{error}{code}, 'invalid_json', 'invalid_json');
($s, $j) = main::api('POST', 'profiles', 'admin_b', '[1,2]');
is($s, 400, 'non-object 400');
($s, $j) = main::api('POST', 'profiles', 'admin_b', '{"a":1,"a":2}');
is($s, 400, 'duplicate members 400');
($s, $j) = main::api('POST', 'profiles', 'admin_b', {
    display_name => '  ', client_id => 'nope', tenant_id => 'common',
    client_secret => '', colour => 'blue' });
is($s, 422, 'invalid fields 422');
is($j->{error}{code}, 'validation_failed', 'validation_failed');
is($j->{error}{fields}{display_name}, 'must not be empty', 'display_name');
is($j->{error}{fields}{client_id}, 'must be a GUID', 'client_id');
like($j->{error}{fields}{tenant_id}, qr/GUID/, 'tenant_id must be a GUID');
is($j->{error}{fields}{client_secret}, 'must not be empty', 'secret');
is($j->{error}{fields}{colour}, 'is not a known field', 'unknown field');
($s, $j) = main::api('POST', 'profiles', 'admin_b', {});
is($s, 422, 'empty object 422');
is(scalar keys %{$j->{error}{fields}}, 4, 'four required fields');
($s, $j) = main::api('POST', 'profiles', 'admin_b', {
    display_name => 'x', client_id => $main::Ids->{BOT_APP_ID_A},
    tenant_id => $main::Ids->{MS_TENANT_B}, client_secret => 'k' x 1025 });
is($s, 422, 'secret over 1024 bytes 422');

# create
($s, $j, $b) = main::api('POST', 'profiles', 'admin_b', {
    display_name => ' Tailwind Teams ', client_id =>
    'B99B0000-0000-4000-8000-00000000000B', tenant_id =>
    $main::Ids->{MS_TENANT_B}, client_secret => $secret });
is($s, 201, 'create 201');
my $p1 = $j->{id};
like($p1, qr/^[0-9a-f-]{36}$/, 'an id');
is($j->{display_name}, 'Tailwind Teams', 'trimmed name');
is($j->{client_id}, 'b99b0000-0000-4000-8000-00000000000b', 'client id lower-cased');
ok($j->{is_default}, 'first profile becomes the default');
is_deeply($j->{client_secret}, { present => JSON::PP::true(),
          hint => substr($secret, 0, 3) . "\x{2026}", usable => JSON::PP::true() },
          'secret masked: present, 3-character hint')
    or diag($b);
unlike($b, qr/\Q$secret\E/, 'the answer does not hold the secret');
unlike($b, qr/\Q${\ substr($secret, 0, 8)}\E/, 'nor a longer prefix');

# the stored column is ciphertext that decrypts to the secret
my $stored = psql(q{SELECT client_secret_ref FROM microsoft_profiles
                    WHERE tenant = $1::uuid AND profile_id = $2::uuid},
                  $main::TB, $p1);
$stored =~ s/\s+$//;
like($stored, qr{^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$}, 'v1 envelope stored');
unlike($stored, qr/\Q$secret\E/, 'not the secret');
my $tool = "$main::Top/build/teams-secret";
SKIP: {
    skip 'build/teams-secret not built (make tools)', 2 unless -x $tool;
    my $dec = `printf '%s' '$stored' | $tool decrypt --key-file $main::KeyFile --tenant $main::TB --profile $p1`;
    chomp $dec;
    is($dec, $secret, 'the CLI decrypts it back with the key');
    my $rc = system("printf '%s' '$stored' | $tool decrypt --key-file "
                    . "$main::KeyFile --tenant $main::TA --profile $p1 "
                    . ">/dev/null 2>&1");
    isnt($rc, 0, 'bound to the tenant: another tenant as AAD fails');
}

# display names unique per tenant, case-insensitively
($s, $j) = main::api('POST', 'profiles', 'admin_b', {
    display_name => 'TAILWIND teams', client_id => $main::Ids->{BOT_APP_ID_A},
    tenant_id => $main::Ids->{MS_TENANT_B}, client_secret => 'abc' });
is($s, 422, 'duplicate display name 422');
is($j->{error}{fields}{display_name}, 'is already used by another profile',
   'field error');
# ... but tenant A may use the same name (only B's key is used here)

my $p2 = main::new_profile('admin_b', 'Second', secret => $secret2)->{id};
($s, $j) = main::api('GET', 'profiles', 'admin_b');
is($s, 200, 'list 200');
is(scalar @{$j->{profiles}}, 2, 'two profiles');
my ($def) = grep { $_->{is_default} } @{$j->{profiles}};
is($def->{id}, $p1, 'still one default: the first');
my ($two) = grep { $_->{id} eq $p2 } @{$j->{profiles}};
ok(!$two->{is_default}, 'the second is not default');

($s, $j) = main::api('GET', "profiles/$p2", 'admin_b');
is($s, 200, 'get 200');
is($j->{display_name}, 'Second', 'get shows it');
($s, $j) = main::api('GET', "profiles/\U$p2", 'admin_b');
is($s, 200, 'upper-case id works too');
($s, $j) = main::api('GET', 'profiles/not-a-guid', 'admin_b');
is($s, 404, 'not a GUID: 404');
($s, $j) = main::api('GET', 'profiles/b1000000-0000-4000-8000-00000000dead',
                     'admin_b');
is($s, 404, 'unknown id 404');
is($j->{error}{code}, 'not_found', 'not_found');

# update metadata
($s, $j) = main::api('PATCH', "profiles/$p2", 'admin_b',
                     { display_name => 'Second renamed' });
is($s, 200, 'patch 200');
is($j->{display_name}, 'Second renamed', 'renamed');
is($j->{client_secret}{hint}, substr($secret2, 0, 3) . "\x{2026}",
   'secret untouched');
($s, $j) = main::api('PATCH', "profiles/$p2", 'admin_b',
                     { client_secret => 'nope', tenant_id => 'common' });
is($s, 422, 'patch with a secret or a bad tenant 422');
like($j->{error}{fields}{client_secret}, qr/POST profiles\/\{id\}\/secret/,
     'says where secrets change');
like($j->{error}{fields}{tenant_id}, qr/GUID/, 'tenant must be a GUID');
($s, $j) = main::api('PATCH', "profiles/$p2", 'admin_b', {});
is($s, 422, 'empty patch 422');
($s, $j) = main::api('PATCH', "profiles/$p2", 'admin_b',
                     { display_name => 'tailwind TEAMS' });
is($s, 422, 'patch to a duplicate name 422');

# rotate
my $secret3 = 'Zz3~rotated-' . main::rand_key();
($s, $j) = main::api('POST', "profiles/$p2/secret", 'admin_b',
                     { client_secret => $secret3 });
is($s, 200, 'rotate 200');
is($j->{client_secret}{hint}, substr($secret3, 0, 3) . "\x{2026}", 'new hint');
($s, $j) = main::api('POST', "profiles/$p2/secret", 'admin_b', {});
is($s, 422, 'rotate without a secret 422');
($s, $j) = main::api('POST', 'profiles/b1000000-0000-4000-8000-00000000dead/secret',
                     'admin_b', { client_secret => 'x' });
is($s, 404, 'rotate unknown 404');

# a short secret has no hint at all
($s, $j) = main::api('POST', "profiles/$p2/secret", 'admin_b',
                     { client_secret => 'short' });
is_deeply([$j->{client_secret}{present}, $j->{client_secret}{hint}],
          [JSON::PP::true(), undef], 'short secret: present, no hint');
main::api('POST', "profiles/$p2/secret", 'admin_b', { client_secret => $secret3 });

# default: exactly one
($s, $j) = main::api('POST', "profiles/$p2/default", 'admin_b');
is($s, 200, 'mark default 200');
ok($j->{is_default}, 'now default');
my $n = psql(q{SELECT count(*) FROM microsoft_profiles WHERE tenant = $1::uuid
               AND is_default}, $main::TB);
like($n, qr/^\s*1\s*$/, 'exactly one default');
($s, $j) = main::api('GET', "profiles/$p1", 'admin_b');
ok(!$j->{is_default}, 'the old default is not');
($s, $j) = main::api('POST', "profiles/$p2/default", 'admin_b');
is($s, 200, 'again: idempotent');

# archive: refused while bound, allowed when not
($s, $j) = main::api('PUT', 'bindings/email', 'admin_b', { profile_id => $p1 });
is($s, 200, 'bind email to p1');
($s, $j) = main::api('POST', "profiles/$p1/archive", 'admin_b');
is($s, 409, 'archive refused while bound');
is($j->{error}{code}, 'profile_in_use', 'profile_in_use');
like($j->{error}{message}, qr/email/, 'names the consumer');
($s, $j) = main::api('DELETE', 'bindings/email', 'admin_b');
is($s, 200, 'unbind');
ok($j->{deleted}, 'deleted');
($s, $j) = main::api('POST', "profiles/$p1/archive", 'admin_b');
is($s, 200, 'archive 200');
ok($j->{is_archived}, 'archived');
ok($j->{archived_at}, 'archived_at');
($s, $j) = main::api('POST', "profiles/$p1/archive", 'admin_b');
is($s, 200, 'archive again: idempotent');
($s, $j) = main::api('PATCH', "profiles/$p1", 'admin_b', { display_name => 'z' });
is($s, 409, 'an archived profile cannot be edited');
is($j->{error}{code}, 'profile_archived', 'profile_archived');
($s, $j) = main::api('POST', "profiles/$p1/default", 'admin_b');
is($s, 409, 'nor made default');
($s, $j) = main::api('PUT', 'bindings/msp_sso', 'admin_b', { profile_id => $p1 });
is($s, 409, 'nor bound');
# its name is free again
my $p3 = main::new_profile('admin_b', 'tailwind teams')->{id};
ok($p3, 'a new profile may reuse an archived name');

# tenant A's seeded profile: archive refused (bound to everything)
($s, $j) = main::api('POST', "profiles/$main::Ids->{PROFILE_ID_A}/archive",
                     'admin_a');
is($s, 409, "tenant A's bound profile: archive refused");
like($j->{error}{message}, qr/teams_integration/, 'names the integration');

# audit rows: one per call, change and audit together
ok(main::audit_count($main::TB, route => 'profiles', method => 'POST',
                     result_status => 'success', http_status => 201) >= 3,
   'creates audited');
ok(main::audit_count($main::TB, route => 'profiles/{id}/archive',
                     result_status => 'failure', error_code =>
                     'profile_in_use') == 1, 'refused archive audited');
ok(main::audit_count($main::TB, route => 'profiles/{id}/secret',
                     result_status => 'success', target_id => $p2) == 3,
   'rotations audited with their target');
ok(main::audit_count($main::TB, result_status => 'failure',
                     error_code => 'validation_failed') >= 5,
   'validation failures audited');
ok(main::audit_count($main::TB, result_status => 'failure',
                     error_code => 'invalid_json') == 3, '400s audited');

my @leaks = main::log_leaks($secret, $secret2, $secret3,
                            values %main::Key);
is(scalar @leaks, 0, 'no secret or API key in the error log')
    or diag(join "\n", @leaks[0 .. ($#leaks > 4 ? 4 : $#leaks)]);
--- no_error_log
[alert]
[crit]



=== TEST 3: bindings and cross-tenant isolation
--- test_script
my ($s, $j, $b);
main::clean_b();

($s, $j) = main::api('GET', 'bindings', 'admin_b');
is($s, 200, 'bindings 200');
is_deeply([map { [$_->{consumer}, $_->{source}] } @{$j->{bindings}}],
          [[msp_sso => 'none'], [email => 'none'], [calendar => 'none'],
           [teams => 'none']], 'nothing bound, no default');

my $d = main::new_profile('admin_b', 'Default one')->{id};
my $o = main::new_profile('admin_b', 'Other one')->{id};
($s, $j) = main::api('GET', 'bindings', 'admin_b');
my %by = map { $_->{consumer} => $_ } @{$j->{bindings}};
is($by{msp_sso}{source}, 'default', 'msp_sso resolves to the default');
is($by{msp_sso}{profile_id}, $d, '... the default profile');
is($by{email}{source}, 'default', 'email too');
is($by{calendar}{profile_id}, $d, 'calendar too');
is($by{teams}{source}, 'none', 'teams does not resolve to the default');
is($by{teams}{profile}, undef, 'no profile for teams');

($s, $j) = main::api('PUT', 'bindings/email', 'admin_b', { profile_id => $o });
is($s, 200, 'bind email');
is($j->{source}, 'explicit', 'explicit');
($s, $j) = main::api('PUT', 'bindings/teams', 'admin_b', { profile_id => $d });
is($s, 200, 'bind teams');
is($j->{install_status}, 'install_pending', 'integration created, install_pending');
my $sel = psql(q{SELECT selected_profile_id FROM teams_integrations
                 WHERE tenant = $1::uuid}, $main::TB);
like($sel, qr/\Q$d\E/, 'teams_integrations.selected_profile_id follows');

# rebinding teams changes no other consumer
($s, $j) = main::api('GET', 'bindings', 'admin_b');
my $before = { map { $_->{consumer} => [$_->{source}, $_->{profile_id}] }
               grep { $_->{consumer} ne 'teams' } @{$j->{bindings}} };
($s, $j) = main::api('PUT', 'bindings/teams', 'admin_b', { profile_id => $o });
is($s, 200, 'rebind teams');
($s, $j) = main::api('GET', 'bindings', 'admin_b');
my $after = { map { $_->{consumer} => [$_->{source}, $_->{profile_id}] }
              grep { $_->{consumer} ne 'teams' } @{$j->{bindings}} };
is_deeply($after, $before, 'msp_sso, email, calendar unchanged');
my ($t) = grep { $_->{consumer} eq 'teams' } @{$j->{bindings}};
is($t->{profile_id}, $o, 'teams moved');

# validation and unknowns
($s, $j) = main::api('PUT', 'bindings/fax', 'admin_b', { profile_id => $o });
is($s, 404, 'unknown consumer 404');
($s, $j) = main::api('PUT', 'bindings/email', 'admin_b', { profile_id => 'x' });
is($s, 422, 'profile_id must be a GUID');
($s, $j) = main::api('PUT', 'bindings/email', 'admin_b', {});
is($s, 422, 'profile_id required');
($s, $j) = main::api('PUT', 'bindings/email', 'admin_b',
                     { profile_id => 'b1000000-0000-4000-8000-00000000dead' });
is($s, 404, 'unknown profile 404');
($s, $j) = main::api('GET', 'bindings/email', 'admin_b');
is($s, 405, 'GET on a binding: 405');

# cross-tenant: B's key on A's profile id looks exactly like a missing id
my $a_id = $main::Ids->{PROFILE_ID_A};
my $missing = 'a1000000-0000-4000-8000-00000000dead';
for my $case (['GET', "profiles/%s", undef],
              ['PATCH', "profiles/%s", { display_name => 'pwned' }],
              ['POST', "profiles/%s/secret", { client_secret => 'pwned-secret-x' }],
              ['POST', "profiles/%s/default", undef],
              ['POST', "profiles/%s/archive", undef],
              ['PUT', "bindings/teams", { profile_id => '%s' }]) {
    my ($m, $pat, $body) = @$case;
    my $mk = sub { my $id = shift;
                   my $p = $pat =~ /%s/ ? sprintf($pat, $id) : $pat;
                   my $bd = $body && { map { my $v = $body->{$_}; $_ => ($v =~ /%s/ ? sprintf($v, $id) : $v) } keys %$body };
                   [main::api($m, $p, 'admin_b', $bd)] };
    my $x = $mk->($a_id);
    my $y = $mk->($missing);
    is($x->[0], 404, "$m $pat with tenant A's id: 404");
    is($x->[2], $y->[2], "$m $pat: same answer as a missing id");
}
my $a_name = psql(q{SELECT display_name FROM microsoft_profiles
                    WHERE profile_id = $1::uuid}, $a_id);
unlike($a_name, qr/pwned/, "tenant A's profile untouched");
my $binding = psql(q{SELECT profile_id FROM microsoft_profile_consumer_bindings
                     WHERE tenant = $1::uuid AND consumer_type = 'teams'},
                   $main::TB);
like($binding, qr/\Q$o\E/, "B's teams binding not moved to A's profile");

# B's reads never show A's data, and A's never show B's
for my $path (qw(profiles bindings integration integration/readiness
                 legacy-config)) {
    ($s, $j, $b) = main::api('GET', $path, 'admin_b');
    is($s, 200, "B GET $path");
    unlike($b, qr/\Q$a_id\E|\Q$main::Ids->{BOT_APP_ID_A}\E|Northwind/,
           "B GET $path shows nothing of A");
    ($s, $j, $b) = main::api('GET', $path, 'admin_a');
    unlike($b, qr/\Q$d\E|\Q$o\E|Default one|Other one/,
           "A GET $path shows nothing of B");
}

# DELETE teams binding: the integration loses its profile
($s, $j) = main::api('DELETE', 'bindings/teams', 'admin_b');
is($s, 200, 'unbind teams');
is($j->{install_status}, 'not_configured', 'integration not_configured');
($s, $j) = main::api('DELETE', 'bindings/teams', 'admin_b');
ok(!$j->{deleted}, 'second delete: nothing to delete');
--- no_error_log
[alert]
[crit]



=== TEST 4: integration: get, update, value sets, install status, readiness, activation refused, deactivate, setup
--- test_script
my ($s, $j, $b);
main::clean_b();

($s, $j) = main::api('GET', 'integration', 'admin_b');
is($s, 200, 'absent integration 200');
is($j->{install_status}, 'not_configured', 'not_configured');
ok(!$j->{configured}, 'configured false');
is_deeply($j->{enabled_capabilities}, [], 'no capabilities');
my $rows = psql(q{SELECT count(*) FROM teams_integrations WHERE tenant = $1::uuid},
                $main::TB);
like($rows, qr/^\s*0\s*$/, 'no row created by a read');

($s, $j) = main::api('GET', 'integration', 'admin_a');
is($j->{install_status}, 'active', "tenant A's seeded integration is active");

# value sets (psa-schema.md section 7)
($s, $j) = main::api('PATCH', 'integration', 'admin_b', {
    enabled_capabilities => ['personal_tab', 'channel_tab'],
    notification_categories => ['assignment', 'assignment'],
    allowed_actions => ['close_ticket'], selected_profile_id => 'x' });
is($s, 422, 'bad values 422');
is($j->{error}{fields}{enabled_capabilities}, 'contains an unknown value', 'capability');
is($j->{error}{fields}{notification_categories}, 'contains a value twice', 'dup');
is($j->{error}{fields}{allowed_actions}, 'contains an unknown value', 'action');
like($j->{error}{fields}{selected_profile_id}, qr/profile id/, 'profile id');
($s, $j) = main::api('PATCH', 'integration', 'admin_b', { x => 1 });
is($s, 422, 'unknown field 422');
($s, $j) = main::api('PATCH', 'integration', 'admin_b',
                     { enabled_capabilities => 'personal_tab' });
is($s, 422, 'not an array 422');

($s, $j) = main::api('PATCH', 'integration', 'admin_b', {
    enabled_capabilities => ['personal_bot', 'personal_tab'],
    notification_categories => ['sla_risk', 'assignment'],
    allowed_actions => [] });
is($s, 200, 'update without a profile 200');
is($j->{install_status}, 'not_configured', 'still not_configured');
is_deeply($j->{enabled_capabilities}, ['personal_tab', 'personal_bot'],
          'stored in canonical order');
is_deeply($j->{notification_categories}, ['assignment', 'sla_risk'], 'categories');

($s, $j) = main::api('GET', 'integration/readiness', 'admin_b');
is($s, 200, 'readiness 200');
ok(!$j->{ready}, 'not ready');
my %it = map { $_->{id} => $_ } @{$j->{items}};
is_deeply([sort keys %it], [sort qw(profile_bound secret_present client_id_valid
          tenant_id_valid public_url_set botframework_keys_loaded
          entra_keys_loaded)], 'the checklist items');
ok(!$it{profile_bound}{ok}, 'no profile bound');
ok($it{public_url_set}{ok}, 'public URL set');

($s, $j) = main::api('POST', 'integration/activate', 'admin_b');
is($s, 409, 'activation refused');
is($j->{error}{code}, 'not_ready', 'not_ready');
ok((grep { $_->{id} eq 'profile_bound' } @{$j->{error}{items}}), 'lists profile_bound');
ok(!(grep { $_->{ok} } @{$j->{error}{items}}), 'only failing items');

# select a profile: install_pending, teams binding consistent
my $p = main::new_profile('admin_b', 'Teams app B',
                          client_id => 'b99b0000-0000-4000-8000-00000000000b')->{id};
my $q = main::new_profile('admin_b', 'Teams app B2')->{id};
($s, $j) = main::api('PATCH', 'integration', 'admin_b', { selected_profile_id => $p });
is($s, 200, 'select a profile');
is($j->{install_status}, 'install_pending', 'install_pending');
is($j->{selected_profile}{display_name}, 'Teams app B', 'selected profile shown');
is_deeply($j->{enabled_capabilities}, ['personal_tab', 'personal_bot'],
          'other settings kept');
($s, $j) = main::api('GET', 'bindings', 'admin_b');
my ($tb) = grep { $_->{consumer} eq 'teams' } @{$j->{bindings}};
is($tb->{profile_id}, $p, 'teams binding follows the selected profile');
($s, $j) = main::api('PATCH', 'integration', 'admin_b',
                     { selected_profile_id => 'b1000000-0000-4000-8000-00000000dead' });
is($s, 404, 'unknown profile 404');

($s, $j) = main::api('GET', 'integration/readiness', 'admin_b');
%it = map { $_->{id} => $_ } @{$j->{items}};
ok($it{profile_bound}{ok}, 'profile bound');
ok($it{secret_present}{ok}, 'secret present');
ok($it{client_id_valid}{ok}, 'client id valid');
ok($it{tenant_id_valid}{ok}, 'tenant id valid');
ok(!$it{botframework_keys_loaded}{ok}, 'Bot Framework keys not loaded (no worker, no teams_jwks_file)');
ok(!$it{entra_keys_loaded}{ok}, 'Entra keys not loaded');
ok(!$j->{ready}, 'not ready');

($s, $j) = main::api('POST', 'integration/activate', 'admin_b');
is($s, 409, 'activation refused because of the key sets');
is_deeply([sort map { $_->{id} } @{$j->{error}{items}}],
          ['botframework_keys_loaded', 'entra_keys_loaded'],
          'exactly the failing items');
like(psql(q{SELECT install_status FROM teams_integrations WHERE tenant = $1::uuid},
          $main::TB), qr/install_pending/, 'status unchanged');

# a legacy 'common' tenant fails the tenant item
psql(q{UPDATE microsoft_profiles SET tenant_id = 'common' WHERE tenant = $1::uuid
       AND profile_id = $2::uuid}, $main::TB, $p);
($s, $j) = main::api('GET', 'integration/readiness', 'admin_b');
%it = map { $_->{id} => $_ } @{$j->{items}};
ok(!$it{tenant_id_valid}{ok}, "'common' is not a valid Microsoft tenant for Teams");
main::api('PATCH', "profiles/$p", 'admin_b', { tenant_id => $main::Ids->{MS_TENANT_B} });

# install status transitions (active set directly: activation needs key sets)
psql(q{UPDATE teams_integrations SET install_status = 'active'
       WHERE tenant = $1::uuid}, $main::TB);
($s, $j) = main::api('PATCH', "profiles/$p", 'admin_b', { display_name => 'Renamed B' });
like(psql(q{SELECT install_status FROM teams_integrations WHERE tenant = $1::uuid},
          $main::TB), qr/active/, 'renaming the selected profile keeps active');
($s, $j) = main::api('PATCH', "profiles/$p", 'admin_b',
                     { client_id => 'b99b0000-0000-4000-8000-0000000000bb' });
is($s, 200, 'change client id');
like(psql(q{SELECT install_status FROM teams_integrations WHERE tenant = $1::uuid},
          $main::TB), qr/install_pending/, 'client id change: install_pending');

psql(q{UPDATE teams_integrations SET install_status = 'active'
       WHERE tenant = $1::uuid}, $main::TB);
($s, $j) = main::api('PATCH', 'integration', 'admin_b', { selected_profile_id => $p });
is($j->{install_status}, 'active', 'selecting the same profile keeps active');
($s, $j) = main::api('PATCH', 'integration', 'admin_b', { selected_profile_id => $q });
is($j->{install_status}, 'install_pending', 'another profile: install_pending');

psql(q{UPDATE teams_integrations SET install_status = 'active'
       WHERE tenant = $1::uuid}, $main::TB);
($s, $j) = main::api('PUT', 'bindings/teams', 'admin_b', { profile_id => $p });
is($j->{install_status}, 'install_pending', 'rebinding teams: install_pending');
psql(q{UPDATE teams_integrations SET install_status = 'active'
       WHERE tenant = $1::uuid}, $main::TB);
($s, $j) = main::api('POST', 'integration/deactivate', 'admin_b');
is($s, 200, 'deactivate 200');
is($j->{install_status}, 'install_pending', 'deactivated: install_pending');

# setup information
($s, $j, $b) = main::api('GET', 'integration/setup', 'admin_b');
is($s, 200, 'setup 200');
is($j->{messaging_endpoint}, 'https://Teams.Example.test:8443/api/teams/messages',
   'messaging endpoint');
is($j->{application_id_uri},
   'api://teams.example.test/b99b0000-0000-4000-8000-0000000000bb',
   'Application ID URI: lower-cased host, no port, client id');
is($j->{bot_id}, 'b99b0000-0000-4000-8000-0000000000bb', 'bot id');
ok((grep { $_ eq 'TeamsActivity.Send' } @{$j->{graph_application_permissions}}),
   'TeamsActivity.Send');
is($j->{exposed_api_scope}, 'access_as_user', 'scope');
ok((grep { $_ eq '1fec8e78-bce4-4aaf-ab1b-5451cc387264' }
    @{$j->{pre_authorized_client_ids}}), 'Teams clients pre-authorized');
is($j->{web_application_info}{resource}, $j->{application_id_uri},
   'webApplicationInfo.resource');
like($j->{admin_consent_url}, qr{^https://login\.microsoftonline\.com/\Q$main::Ids->{MS_TENANT_B}\E/adminconsent\?client_id=},
     'admin consent URL');
unlike($b, qr/client_secret|v1:/, 'no secret material');

main::api('DELETE', 'bindings/teams', 'admin_b');
($s, $j) = main::api('GET', 'integration/setup', 'admin_b');
is($s, 409, 'setup without a profile: 409');
is($j->{error}{code}, 'not_configured', 'not_configured');
($s, $j) = main::api('POST', 'integration/deactivate', 'admin_b');
is($j->{install_status}, 'not_configured', 'deactivate without a profile: not_configured');

ok(main::audit_count($main::TB, route => 'integration/activate',
                     result_status => 'failure', error_code => 'not_ready') == 2,
   'refused activations audited');
ok(main::audit_count($main::TB, route => 'integration/readiness',
                     result_status => 'success') >= 3, 'readiness reads audited');
--- no_error_log
[alert]
[crit]



=== TEST 5: legacy single configuration through the default profile
--- test_script
my ($s, $j, $b);
main::clean_b();
my $secret = 'L3g~legacy-' . main::rand_key();

($s, $j) = main::api('GET', 'legacy-config', 'admin_b');
is($s, 200, 'legacy read 200');
ok(!$j->{configured}, 'nothing configured');

($s, $j) = main::api('PUT', 'legacy-config', 'admin_b', {
    client_id => $main::Ids->{BOT_APP_ID_A}, tenant_id => 'common' });
is($s, 422, 'creating needs a secret');
like($j->{error}{fields}{client_secret}, qr/required/, 'says so');
($s, $j) = main::api('PUT', 'legacy-config', 'admin_b', {
    client_id => 'nope', tenant_id => 'somewhere' });
is($s, 422, 'validation 422');
ok($j->{error}{fields}{client_id} && $j->{error}{fields}{tenant_id}, 'both fields');

($s, $j, $b) = main::api('PUT', 'legacy-config', 'admin_b', {
    client_id => 'b99b0000-0000-4000-8000-0000000000cc', tenant_id => 'common',
    client_secret => $secret });
is($s, 200, 'legacy write creates the default profile');
ok($j->{configured}, 'configured');
is($j->{tenant_id}, 'common', "legacy accepts 'common'");
ok($j->{client_secret}{present}, 'secret present');
unlike($b, qr/\Q$secret\E/, 'not returned');
my $pid = $j->{profile_id};

($s, $j) = main::api('GET', "profiles/$pid", 'admin_b');
ok($j->{is_default}, 'it is the default profile');
is($j->{display_name}, 'Default Microsoft profile', 'named like the migration');

($s, $j) = main::api('PUT', 'legacy-config', 'admin_b', {
    client_id => 'b99b0000-0000-4000-8000-0000000000dd',
    tenant_id => $main::Ids->{MS_TENANT_B} });
is($s, 200, 'legacy update');
is($j->{profile_id}, $pid, 'same profile');
is($j->{client_id}, 'b99b0000-0000-4000-8000-0000000000dd', 'client id updated');
ok($j->{client_secret}{present}, 'secret kept');
is($j->{client_secret}{hint}, substr($secret, 0, 3) . "\x{2026}", 'same secret');

($s, $j) = main::api('GET', 'legacy-config', 'admin_b');
is($j->{client_id}, 'b99b0000-0000-4000-8000-0000000000dd', 'read back');
($s, $j) = main::api('GET', 'legacy-config', 'admin_a');
is($j->{profile_id}, $main::Ids->{PROFILE_ID_A}, "tenant A's legacy view is its default profile");

my @leaks = main::log_leaks($secret);
is(scalar @leaks, 0, 'no secret in the error log');
--- no_error_log
[alert]
[crit]



=== TEST 6: without teams_secret_key_file: secrets cannot be stored (503), reads still work
--- http_config eval
qq{    teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}" pool_size=2;
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};
}
--- test_script
my ($s, $j) = main::api('POST', 'profiles', 'admin_b', {
    display_name => 'No key', client_id => $main::Ids->{BOT_APP_ID_A},
    tenant_id => $main::Ids->{MS_TENANT_B}, client_secret => 'abcdefghijklmnop' });
is($s, 503, 'create with a secret: 503');
is($j->{error}{code}, 'secret_key_missing', 'secret_key_missing');
like($j->{error}{message}, qr/teams_secret_key_file/, 'tells the admin what to set');
($s, $j) = main::api('GET', 'profiles', 'admin_a');
is($s, 200, 'reads work');
($s, $j) = main::api('GET', 'integration/readiness', 'admin_a');
my %it = map { $_->{id} => $_ } @{$j->{items}};
ok(!$it{public_url_set}{ok}, 'no public URL');
ok(!$it{secret_present}{ok}, 'secret not usable without a key');
--- no_error_log
[alert]
[crit]



=== TEST 7: PostgreSQL unreachable: 503
--- http_config
    teams_postgres "hostaddr=127.0.0.1 port=1 dbname=teams user=postgres connect_timeout=1" pool_size=1;
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT;
--- test_script
my ($s, $j) = main::api('GET', 'profiles', 'admin_a');
is($s, 503, 'answered 503');
is($j->{error}{code}, 'database_unavailable', 'database_unavailable');
--- no_error_log
[alert]
[crit]
