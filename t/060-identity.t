# The identity matrix: every way a caller is accepted or refused, on each
# Teams entry point -- bot messages, message-extension invokes (same
# endpoint, invoke activities) and the tab's session.

use strict;
use warnings;
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;
use Teams::Actions qw(config_bump);

ensure_demo_seed();
load_fixture('identity');
END { unload_fixture('identity') if $ENV{TEST_TEAMS_PG_CONNINFO} }

our $Ids = demo_ids();

# [what, Microsoft tenant, app (client id), Entra object id, status, code]
our @Matrix = (
    ['technician', $Ids->{MS_TENANT_A}, $Ids->{BOT_APP_ID_A},
     $Ids->{TECH_AAD_OID_A}, 200, undef],
    ['read-only user', $Ids->{MS_TENANT_A}, $Ids->{BOT_APP_ID_A},
     $Ids->{READONLY_AAD_OID_A}, 200, undef],
    ['client-portal user', $Ids->{MS_TENANT_A}, $Ids->{BOT_APP_ID_A},
     $Ids->{CLIENT_USER_AAD_OID_A}, 403, 'client_user'],
    ['unknown user', $Ids->{MS_TENANT_A}, $Ids->{BOT_APP_ID_A},
     'a3000000-0000-4000-8000-0000000000ee', 403, 'user_not_linked'],
    ['inactive user', $Ids->{MS_TENANT_A}, $Ids->{BOT_APP_ID_A},
     'a3000000-0000-4000-8000-0000000000f1', 403, 'user_inactive'],
    ["tenant B's user through tenant A's app", $Ids->{MS_TENANT_A},
     $Ids->{BOT_APP_ID_A}, $Ids->{TECH_AAD_OID_B}, 403, 'user_not_linked'],
    ['wrong Microsoft tenant for the app', $Ids->{MS_TENANT_B},
     $Ids->{BOT_APP_ID_A}, $Ids->{TECH_AAD_OID_A}, 403, 'wrong_tenant'],
    ['integration not active (tenant C)',
     'ad0c0000-0000-4000-8000-00000000000c',
     'c99c0000-0000-4000-8000-00000000000c',
     'c3000000-0000-4000-8000-000000000002', 403,
     'integration_not_configured'],
    ['profile archived (tenant D)', 'ad0d0000-0000-4000-8000-00000000000d',
     'd99d0000-0000-4000-8000-00000000000d',
     'd3000000-0000-4000-8000-000000000002', 403, 'profile_not_ready'],
    ['profile without a secret (tenant E)',
     'ad0e0000-0000-4000-8000-00000000000e',
     'e99e0000-0000-4000-8000-00000000000e',
     'e3000000-0000-4000-8000-000000000002', 403, 'profile_not_ready'],
    ['one app claimed by two PSA tenants (F1, F2)',
     'ad0f0000-0000-4000-8000-00000000000f',
     'f99f0000-0000-4000-8000-00000000000f',
     'f3000000-0000-4000-8000-000000000002', 403, 'ambiguous_tenant'],
    ["tenant C's app used with tenant A's Microsoft tenant",
     $Ids->{MS_TENANT_A}, 'c99c0000-0000-4000-8000-00000000000c',
     $Ids->{TECH_AAD_OID_A}, 403, 'wrong_tenant'],
    ['an app no PSA tenant has', $Ids->{MS_TENANT_A},
     '0badba5e-0000-4000-8000-000000000000', $Ids->{TECH_AAD_OID_A}, 401,
     'invalid_token'],
);

sub post_bot {
    my ($token, $body) = @_;
    return http_request('POST', '/api/teams/messages',
        { 'Content-Type' => 'application/json',
          'Authorization' => "Bearer $token" }, $body);
}

sub code_of { ($_[0] // '') =~ /"code":"([^"]+)"/ ? $1 : undef }

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', <<"CONF");
    teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}";
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};
    teams_public_url http://127.0.0.1:$ENV{TEST_NGINX_PORT};
    teams_jwks_file botframework $ENV{TEST_TEAMS_STATE_DIR}/keys/botfw.jwks.json;
    teams_jwks_file entra $ENV{TEST_TEAMS_STATE_DIR}/keys/entra.jwks.json;
    teams_connector_hosts 127.0.0.1:$ENV{TEST_TEAMS_MOCK_PORT};
CONF
    $block->set_value('config', <<'CONF');
    location = /api/teams/messages { teams_bot; }
    location = /api/teams/tab/session { teams_tab; }
CONF
});

run_tests();

__DATA__

=== TEST 1: the bot: every identity outcome on a message activity
--- test_script
for my $m (@main::Matrix) {
    my ($what, $ms, $app, $oid, $want, $code) = @$m;
    my ($s, $h, $b) = main::post_bot(bf_token(aud => $app),
                                     activity(tenant => $ms, aad => $oid));
    is($s, $want, "bot message, $what: $want");
    is(main::code_of($b), $code, "bot message, $what: code")
        if defined $code;
    is($b, '{}', "bot message, $what: accepted") if $want == 200;
    like($b, qr/"message":"[^"]{20,}"/, "bot message, $what: says why")
        if $want != 200;
}
--- no_error_log
[alert]
[crit]



=== TEST 2: the message extension: every identity outcome on an invoke
--- test_script
for my $m (@main::Matrix) {
    my ($what, $ms, $app, $oid, $want, $code) = @$m;
    my ($s, $h, $b) = main::post_bot(bf_token(aud => $app),
        activity(type => 'invoke', name => 'composeExtension/query',
                 value => { commandId => 'searchTickets', parameters => [] },
                 tenant => $ms, aad => $oid));
    # the identity is settled before the surface: accepted callers reach
    # the message extension, which answers with search results
    is($s, $want, "invoke, $what: status");
    is(main::code_of($b), $want == 200 ? undef : $code,
       "invoke, $what: code");
    like($b, qr/"composeExtension":\{"type":"result"/,
         "invoke, $what: search result") if $want == 200;
}
--- no_error_log
[alert]
[crit]



=== TEST 3: the tab session: every identity outcome on an Entra token
--- test_script
for my $m (@main::Matrix) {
    my ($what, $ms, $app, $oid, $want, $code) = @$m;
    my ($s, $h, $b) = http_request('POST', '/api/teams/tab/session',
        { Authorization => 'Bearer '
          . entra_token(tid => $ms, aud => $app, oid => $oid) }, '');
    is($s, $want, "tab session, $what: $want");
    is(main::code_of($b), $code, "tab session, $what: code")
        if defined $code;
}
--- no_error_log
[alert]
[crit]



=== TEST 4: the tab session answers the PSA user and tenant
--- test_script
my ($s, $h, $b) = http_request('POST', '/api/teams/tab/session',
    { Authorization => 'Bearer ' . entra_token() }, '');
is($s, 200, 'accepted');
my $j = json_decode($b);
is($j->{tenant}, $main::Ids->{PSA_TENANT_A}, 'PSA tenant');
is($j->{user_id}, $main::Ids->{TECH_USER_ID_A}, 'PSA user');
is($j->{profile_id}, $main::Ids->{PROFILE_ID_A}, 'Microsoft profile');
is($j->{microsoft_tenant_id}, $main::Ids->{MS_TENANT_A}, 'Entra tenant');
is($j->{aad_object_id}, $main::Ids->{TECH_AAD_OID_A}, 'Entra object id');
is($j->{username}, 'tech@northwind.example', 'username from the token');



=== TEST 5: the tab accepts a v1 token whose audience is our Application ID URI
--- test_script
my $tid = $main::Ids->{MS_TENANT_A};
my $app = $main::Ids->{BOT_APP_ID_A};
my ($s, $h, $b) = http_request('POST', '/api/teams/tab/session',
    { Authorization => 'Bearer ' . entra_token(
        iss => "https://sts.windows.net/$tid/", ver => '1.0',
        aud => "api://127.0.0.1:$ENV{TEST_NGINX_PORT}/$app") }, '');
is($s, 200, 'v1 token accepted');
($s, $h, $b) = http_request('POST', '/api/teams/tab/session',
    { Authorization => 'Bearer ' . entra_token(
        iss => "https://sts.windows.net/$tid/", ver => '1.0',
        aud => "api://evil.example/$app") }, '');
is($s, 401, 'v1 token for another host refused');



=== TEST 6: no Entra object id on the activity
--- test_script
my ($s, $h, $b) = main::post_bot(bf_token(), activity(aad => undef));
is($s, 403, 'refused');
is(main::code_of($b), 'user_not_identified', 'says the user is unknown');



=== TEST 7: an admin change takes effect without waiting for the cache
--- test_script
my ($s) = main::post_bot(bf_token(), activity());
is($s, 200, 'active before');
psql("UPDATE teams_integrations SET install_status = 'install_pending'"
     . " WHERE tenant = \$1", $main::Ids->{PSA_TENANT_A});
config_bump(0);
ok(wait_until(sub {
    my ($st, $hh, $bb) = main::post_bot(bf_token(), activity());
    $st == 403 && main::code_of($bb) eq 'integration_not_configured';
}, 15), 'refused within seconds of the change');
psql("UPDATE teams_integrations SET install_status = 'active'"
     . " WHERE tenant = \$1", $main::Ids->{PSA_TENANT_A});
config_bump(0);
ok(wait_until(sub { (main::post_bot(bf_token(), activity()))[0] == 200 }, 15),
   'accepted again');



=== TEST 8: Postgres down: a clear 503, and back when it returns
--- test_script
stack('pg-stop');
config_bump(0);
my ($s, $h, $b);
ok(wait_until(sub {
    ($s, $h, $b) = main::post_bot(bf_token(), activity(aad => $main::Ids->{APPROVER_AAD_OID_A}));
    $s == 503;
}, 15), '503 while Postgres is down, once the cached identity is dropped');
is(main::code_of($b), 'unavailable', 'says so');
stack('pg-start');
ok(wait_until(sub {
    (main::post_bot(bf_token(), activity(aad => $main::Ids->{APPROVER_AAD_OID_A})))[0] == 200
}, 15), 'back once Postgres is');
--- no_error_log
[alert]
[crit]



=== TEST 9: activities that ask nothing (typing) are still authenticated and resolved first
--- test_script
my ($s, $h, $b) = main::post_bot(bf_token(), activity(type => 'typing'));
is($s, 200, 'typing from the technician: 200');
is($b, '{}', 'and nothing else');
($s, $h, $b) = main::post_bot(bf_token(),
    activity(type => 'typing', aad => $main::Ids->{CLIENT_USER_AAD_OID_A}));
is($s, 403, 'typing from a client-portal user: refused');
is(main::code_of($b), 'client_user', 'with its reason');
($s) = main::post_bot(undef, activity(type => 'typing'));
is($s, 401, 'typing without a token: 401');
