# The setup flow end to end: tenant B, which has no Teams setup in the demo,
# gets a Microsoft profile, a Teams binding and an active integration through
# the admin API; its technician can then use the bot; a deactivation is
# refused by the bot within seconds (admin changes drop identity caches).

use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;

ensure_demo_seed();

our $Ids = demo_ids();
our $TB = $Ids->{PSA_TENANT_B};
our $AppB = 'b99b0000-0000-4000-8000-00000000000b';
our $KeyB = sprintf 'tk_e2e_%08x%08x', int(rand(2**32)), int(rand(2**32));
our $KeyId = 'bf000000-0000-4000-8000-0000000005e2';

sub clean_b {
    psql(q{DELETE FROM teams_integrations WHERE tenant = $1::uuid}, $TB);
    psql(q{DELETE FROM microsoft_profile_consumer_bindings
           WHERE tenant = $1::uuid}, $TB);
    psql(q{DELETE FROM microsoft_profiles WHERE tenant = $1::uuid}, $TB);
    psql(q{DELETE FROM api_keys WHERE tenant = $1::uuid AND api_key_id = $2::uuid},
         $TB, $KeyId);
}

clean_b();
psql(q{INSERT INTO api_keys (api_key_id, api_key, user_id, tenant, description,
           active, purpose)
       VALUES ($1::uuid, $2, $3::uuid, $4::uuid, 'e2e', true, 'general')},
     $KeyId, sha256_hex($KeyB), $Ids->{ADMIN_USER_ID_B}, $TB);
END { clean_b() if $ENV{TEST_TEAMS_PG_CONNINFO} }

sub admin {
    my ($method, $path, $body) = @_;
    my ($s, $h, $b) = http_request($method, "/api/teams/admin/$path",
        { 'x-api-key' => $main::KeyB,
          defined $body ? ('Content-Type' => 'application/json') : () },
        defined $body ? json_encode($body) : undef);
    return ($s, ($b // '') =~ /^\s*[\{\[]/ ? json_decode($b) : $b);
}

sub bot_b {
    my $token = bf_token(aud => $main::AppB);
    my ($s, $h, $b) = http_request('POST', '/api/teams/messages',
        { 'Content-Type' => 'application/json',
          Authorization => "Bearer $token" },
        activity(tenant => $main::Ids->{MS_TENANT_B},
                 aad => $main::Ids->{TECH_AAD_OID_B}));
    my ($code) = ($b // '') =~ /"code":"([^"]+)"/;
    return ($s, $code // '');
}

run_tests();

__DATA__

=== TEST 1: from nothing to a working bot through the admin API, and back
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO";
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT;
    teams_public_url https://teams.example.com;
    teams_secret_key_file $TEST_TEAMS_SECRET_KEY_FILE;
    teams_jwks_file botframework $TEST_TEAMS_STATE_DIR/keys/botfw.jwks.json;
    teams_jwks_file entra $TEST_TEAMS_STATE_DIR/keys/entra.jwks.json;
    teams_connector_hosts 127.0.0.1:$TEST_TEAMS_MOCK_PORT;
--- config
    location ^~ /api/teams/admin/ { teams_admin; }
    location = /api/teams/messages { teams_bot; }
--- test_script
my ($s, $j, $code);

($s, $code) = main::bot_b();
is("$s $code", '401 invalid_token', 'before setup the app is unknown');

($s, $j) = main::admin('POST', 'profiles', {
    display_name => 'Contoso Teams', client_id => $main::AppB,
    tenant_id => $main::Ids->{MS_TENANT_B},
    client_secret => 'contoso-secret-value-0123456789' });
is($s, 201, 'profile created');
my $pid = $j->{id};

($s, $j) = main::admin('PUT', 'bindings/teams', { profile_id => $pid });
is($s, 200, 'bound to Teams');
is($j->{install_status}, 'install_pending', 'install pending');

($s, $code) = main::bot_b();
is("$s $code", '403 integration_not_configured',
   'bound but not active: the bot says so');

($s, $j) = main::admin('GET', 'integration/readiness');
is($s, 200, 'readiness');
is($j->{ready}, JSON::PP::true, 'ready: key sets loaded, profile complete')
    or diag(explain($j));
my %items = map { $_->{id} => $_->{ok} } @{ $j->{items} };
ok($items{botframework_keys_loaded} && $items{entra_keys_loaded},
   'both key sets count as loaded');

($s, $j) = main::admin('POST', 'integration/activate');
is($s, 200, 'activated');
is($j->{install_status}, 'active', 'active');

ok(wait_until(sub { (main::bot_b())[0] == 200 }, 5),
   "tenant B's technician is accepted once active");

($s, $j) = main::admin('POST', 'integration/deactivate');
is($s, 200, 'deactivated');
my $t0 = time;
ok(wait_until(sub {
    my ($st, $c) = main::bot_b();
    $st == 403 && $c eq 'integration_not_configured';
}, 5), 'refused again within seconds, not after the cache expires');

($s, $j) = main::admin('POST', "profiles/$pid/archive");
is($s, 409, 'a bound profile cannot be archived');

($s, $j) = main::admin('POST', 'integration/activate');
is($s, 200, 'reactivated');
ok(wait_until(sub { (main::bot_b())[0] == 200 }, 5), 'accepted again');
--- no_error_log
[alert]
[crit]
contoso-secret-value
