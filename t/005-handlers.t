# Handlers of surfaces whose issues have not landed answer a clear 501 JSON
# error, with the request body read and discarded.

use strict;
use warnings;
use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: teams_bot answers 501 with a JSON error until the bot lands
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO";
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT;
--- config
    location = /api/teams/messages { teams_bot; }
--- request
POST /api/teams/messages
{"type":"message","text":"help"}
--- more_headers
Content-Type: application/json
--- error_code: 501
--- response_headers
Content-Type: application/json
--- response_body chomp
{"error":{"code":"not_implemented","message":"this Teams surface is not available in this version of ngx_teams_module"}}
--- no_error_log
[alert]
[crit]



=== TEST 2: teams_tab, teams_admin and teams_notify answer 501 too
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO";
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT;
--- config
    location = /tab { teams_tab; }
    location = /admin { teams_admin; }
    location = /notify { teams_notify; }
--- test_script
for my $path ('/tab', '/admin', '/notify') {
    my ($status, $headers, $body) = http_request('POST', $path,
        { 'Content-Type' => 'application/json' }, '{"a":1}');
    is($status, 501, "$path answers 501");
    like($body, qr/"code":"not_implemented"/, "$path says not_implemented");
}
--- no_error_log
[alert]
