# The first answers of each surface before any work: methods and missing
# credentials.

use strict;
use warnings;
use Test::Nginx::Socket 'no_plan';

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', <<"CONF") unless defined $block->http_config;
    teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}";
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};
CONF
});

run_tests();

__DATA__

=== TEST 1: teams_notify refuses a request without a PSA API key
--- config
    location = /api/teams/notify { teams_notify; }
--- request
POST /api/teams/notify
{"a":1}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_headers
Content-Type: application/json
--- response_body_like
^\{"error":\{"code":"missing_api_key","message":"[^"]+"\}\}$
--- no_error_log
[alert]
[crit]



=== TEST 2: the bot refuses a request without a token before reading it
--- config
    location = /api/teams/messages { teams_bot; }
--- request
POST /api/teams/messages
{"type":"message","text":"help"}
--- error_code: 401
--- response_headers
WWW-Authenticate: Bearer
Content-Type: application/json
--- response_body chomp
{"error":{"code":"missing_token","message":"The request could not be authenticated.","reason":"no Authorization header"}}



=== TEST 3: the tab session refuses a request without a token
--- config
    location = /api/teams/tab/session { teams_tab; }
--- request
POST /api/teams/tab/session
--- error_code: 401
--- response_body_like
"code":"missing_token"



=== TEST 4: the bot and the tab take POST only
--- config
    location = /api/teams/messages { teams_bot; }
    location = /api/teams/tab/session { teams_tab; }
--- test_script
for my $path ('/api/teams/messages', '/api/teams/tab/session') {
    my ($status) = http_request('GET', $path);
    is($status, 405, "GET $path is 405");
}



=== TEST 5: no key set loaded yet: 503 that says so, not 401
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO";
    # nothing listens here, so no published key set can arrive
    teams_redis 127.0.0.1:1;
--- config
    location = /api/teams/messages { teams_bot; }
--- request
POST /api/teams/messages
{}
--- more_headers
Authorization: Bearer a.b.c
--- error_code: 503
--- response_body_like
"code":"keys_not_loaded"
