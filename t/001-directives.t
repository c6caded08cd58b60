# Every directive's validation at "nginx -t": a clear message naming the
# directive and the problem, and a good configuration accepted.

use strict;
use warnings;
use File::Temp ();
use Test::Nginx::Socket 'no_plan';

my $fixtures = File::Temp::tempdir(CLEANUP => 1);
$ENV{TEST_TEAMS_FIXTURES} = $fixtures;

sub write_file {
    my ($name, $text, $mode) = @_;
    open my $fh, '>', "$fixtures/$name" or die "$name: $!";
    print $fh $text;
    close $fh;
    chmod $mode // 0600, "$fixtures/$name";
}

write_file('key.good', ('0123456789abcdef' x 4) . "\n");
write_file('key.short', ('0123456789abcdef' x 3) . "\n");
write_file('key.nothex', ('0123456789abcdeg' x 4) . "\n");
write_file('key.open', ('0123456789abcdef' x 4) . "\n", 0644);
# a real 2048-bit key set: the stand-in's
{
    open my $in, '<', "$ENV{TEST_TEAMS_STATE_DIR}/keys/botfw.jwks.json"
        or die "stand-in key set: $!";
    local $/;
    write_file('jwks.good', scalar <$in>);
}
write_file('jwks.notjson', '{"keys":[');
write_file('jwks.nokeys', '{"other":[]}');
write_file('jwks.norsa', '{"keys":[{"kty":"EC","kid":"k1","x":"a","y":"b"}]}');

# the shipped example, with a key file that exists here
{
    open my $in, '<', "$ENV{TEST_TEAMS_REPO}/conf/teams.conf" or die $!;
    local $/;
    my $text = <$in>;
    $text =~ s{/etc/nginx/teams/secret.key}{$fixtures/key.good};
    # nginx -t binds nothing, and ssl needs certificates we do not ship
    $text =~ s{listen 443 ssl http2;}{listen 127.0.0.1:$ENV{TEST_NGINX_PORT};};
    write_file('teams.conf', $text);
}

run_tests();

__DATA__

=== TEST 1: teams_postgres refuses a host name (it would block on DNS)
--- http_config
    teams_postgres "host=db.example.com dbname=teams";
--- nginx_test
--- must_die
--- error_log
teams_postgres: host "db.example.com" must be a numeric IP address or a unix socket directory



=== TEST 2: teams_postgres refuses a host name in hostaddr
--- http_config
    teams_postgres "hostaddr=db.example.com dbname=teams";
--- nginx_test
--- must_die
--- error_log
teams_postgres: hostaddr "db.example.com" must be a numeric IP address



=== TEST 3: teams_postgres refuses a malformed connection string
--- http_config
    teams_postgres "hostaddr=127.0.0.1 dbname";
--- nginx_test
--- must_die
--- error_log
teams_postgres: invalid connection string



=== TEST 4: teams_postgres refuses an unknown connection keyword
--- http_config
    teams_postgres "hostaddr=127.0.0.1 colour=blue";
--- nginx_test
--- must_die
--- error_log
teams_postgres: invalid connection string: invalid connection option "colour"



=== TEST 5: teams_postgres pool_size must be in range
--- http_config
    teams_postgres "hostaddr=127.0.0.1 dbname=teams" pool_size=0;
--- nginx_test
--- must_die
--- error_log
teams_postgres: pool_size must be between 1 and 256



=== TEST 6: teams_postgres refuses an unknown parameter
--- http_config
    teams_postgres "hostaddr=127.0.0.1 dbname=teams" pool=4;
--- nginx_test
--- must_die
--- error_log
teams_postgres: invalid parameter "pool=4"



=== TEST 7: teams_postgres refuses a bad timeout
--- http_config
    teams_postgres "hostaddr=127.0.0.1 dbname=teams" queue_timeout=soon;
--- nginx_test
--- must_die
--- error_log
teams_postgres: invalid parameter "queue_timeout=soon"



=== TEST 8: teams_postgres only once
--- http_config
    teams_postgres "hostaddr=127.0.0.1 dbname=teams";
    teams_postgres "hostaddr=127.0.0.2 dbname=teams";
--- nginx_test
--- must_die
--- error_log
"teams_postgres" directive is duplicate



=== TEST 9: teams_postgres belongs in the http block
--- config
    teams_postgres "hostaddr=127.0.0.1 dbname=teams";
--- nginx_test
--- must_die
--- error_log
"teams_postgres" directive is not allowed here



=== TEST 10: teams_postgres accepts a unix socket directory, IPv6 and all parameters
--- http_config
    teams_postgres "host=/var/run/postgresql hostaddr=::1 dbname=teams"
                   pool_size=8 max_queue=10 queue_timeout=2s
                   connect_timeout=500ms query_timeout=10s;
--- nginx_test
--- error_log
test is successful



=== TEST 11: teams_redis refuses a host name
--- http_config
    teams_redis redis.example.com:6379;
--- nginx_test
--- must_die
--- error_log
teams_redis: "redis.example.com:6379" must be IP:port with a numeric address



=== TEST 12: teams_redis needs a port
--- http_config
    teams_redis 127.0.0.1;
--- nginx_test
--- must_die
--- error_log
teams_redis: "127.0.0.1" must be IP:port



=== TEST 13: teams_redis refuses a port out of range
--- http_config
    teams_redis 127.0.0.1:70000;
--- nginx_test
--- must_die
--- error_log
teams_redis: "127.0.0.1:70000" must be IP:port



=== TEST 14: teams_redis refuses a relative unix socket
--- http_config
    teams_redis unix:redis.sock;
--- nginx_test
--- must_die
--- error_log
teams_redis: "unix:redis.sock": the unix socket path must be absolute



=== TEST 15: teams_redis refuses a bad timeout
--- http_config
    teams_redis 127.0.0.1:6379 timeout=never;
--- nginx_test
--- must_die
--- error_log
teams_redis: invalid timeout "never"



=== TEST 16: teams_redis refuses an unknown parameter
--- http_config
    teams_redis 127.0.0.1:6379 db=2;
--- nginx_test
--- must_die
--- error_log
teams_redis: invalid parameter "db=2" (expected timeout=T)



=== TEST 17: teams_redis accepts IPv6 and unix sockets
--- http_config
    teams_redis [::1]:6379 timeout=250ms;
--- nginx_test
--- error_log
test is successful



=== TEST 18: teams_public_url must be http or https
--- http_config
    teams_public_url ftp://psa.example.com;
--- nginx_test
--- must_die
--- error_log
teams_public_url: "ftp://psa.example.com" must be an absolute http:// or https:// URL with a host



=== TEST 19: teams_psa_base_url must not carry a query
--- http_config
    teams_psa_base_url "https://psa.example.com/?x=1";
--- nginx_test
--- must_die
--- error_log
teams_psa_base_url: "https://psa.example.com/?x=1" must not have a query or fragment



=== TEST 20: teams_graph_url refuses white space
--- http_config
    teams_graph_url "https://graph.micro soft.com";
--- nginx_test
--- must_die
--- error_log
teams_graph_url: "https://graph.micro soft.com" contains white space or control characters



=== TEST 21: teams_token_endpoint refuses user information
--- http_config
    teams_token_endpoint "https://user:pw@login.example.com";
--- nginx_test
--- must_die
--- error_log
teams_token_endpoint: "https://user:pw@login.example.com" must not contain user information



=== TEST 22: teams_botframework_openid_url refuses an empty host
--- http_config
    teams_botframework_openid_url https:///v1/.well-known/openidconfiguration;
--- nginx_test
--- must_die
--- error_log
teams_botframework_openid_url: "https:///v1/.well-known/openidconfiguration" must be an absolute http:// or https:// URL with a host



=== TEST 23: teams_entra_openid_url refuses a bad port
--- http_config
    teams_entra_openid_url https://login.example.com:99999/common;
--- nginx_test
--- must_die
--- error_log
teams_entra_openid_url: "https://login.example.com:99999/common" has a port above 65535



=== TEST 24: Microsoft endpoint directives accept good URLs
--- http_config
    teams_public_url https://psa.example.com/;
    teams_psa_base_url https://psa.example.com;
    teams_botframework_openid_url http://127.0.0.1:58080/botframework/v1/.well-known/openidconfiguration;
    teams_entra_openid_url http://127.0.0.1:58080/common/v2.0/.well-known/openid-configuration;
    teams_token_endpoint http://[::1]:58080;
    teams_graph_url https://graph.microsoft.com;
    teams_connector_hosts smba.trafficmanager.net *.example.com 127.0.0.1:58080 [::1]:1;
--- nginx_test
--- error_log
test is successful



=== TEST 25: teams_connector_hosts refuses a bad host
--- http_config
    teams_connector_hosts smba.trafficmanager.net "bad_host!";
--- nginx_test
--- must_die
--- error_log
teams_connector_hosts: "bad_host!" has a character not allowed in a host name



=== TEST 26: teams_connector_hosts refuses port 0
--- http_config
    teams_connector_hosts 127.0.0.1:0;
--- nginx_test
--- must_die
--- error_log
teams_connector_hosts: "127.0.0.1:0" has port 0



=== TEST 26a: teams_connector_hosts takes at most 16 hosts
--- http_config
    teams_connector_hosts a1.example a2.example a3.example a4.example
        a5.example a6.example a7.example a8.example a9.example a10.example
        a11.example a12.example a13.example a14.example a15.example
        a16.example a17.example;
--- nginx_test
--- must_die
--- error_log
teams_connector_hosts: at most 16 hosts



=== TEST 27: teams_secret_key_file must exist
--- http_config
    teams_secret_key_file $TEST_TEAMS_FIXTURES/key.missing;
--- nginx_test
--- must_die
--- error_log_like
cannot open ".*/key\.missing" \(2: No such file or directory\)



=== TEST 28: teams_secret_key_file must hold 64 hex characters
--- http_config
    teams_secret_key_file $TEST_TEAMS_FIXTURES/key.short;
--- nginx_test
--- must_die
--- error_log_like
teams_secret_key_file ".*/key\.short" must hold exactly 64 hex characters



=== TEST 29: teams_secret_key_file refuses non-hex characters
--- http_config
    teams_secret_key_file $TEST_TEAMS_FIXTURES/key.nothex;
--- nginx_test
--- must_die
--- error_log_like
teams_secret_key_file ".*/key\.nothex" must hold exactly 64 hex characters



=== TEST 30: teams_secret_key_file readable by others is accepted with a warning
--- http_config
    teams_secret_key_file $TEST_TEAMS_FIXTURES/key.open;
--- nginx_test
--- error_log_like
\[warn\] .*teams_secret_key_file ".*/key\.open" is accessible to other users; chmod 600 it
test is successful



=== TEST 31: teams_secret_key_file must not be a directory
--- http_config
    teams_secret_key_file $TEST_TEAMS_FIXTURES;
--- nginx_test
--- must_die
--- error_log
is not a regular file



=== TEST 32: teams_jwks_file must be JSON
--- http_config
    teams_jwks_file botframework $TEST_TEAMS_FIXTURES/jwks.notjson;
--- nginx_test
--- must_die
--- error_log_like
teams_jwks_file ".*/jwks\.notjson" is not a usable key set



=== TEST 33: teams_jwks_file needs a keys array
--- http_config
    teams_jwks_file botframework $TEST_TEAMS_FIXTURES/jwks.nokeys;
--- nginx_test
--- must_die
--- error_log_like
teams_jwks_file ".*/jwks\.nokeys" is not a usable key set: .*keys



=== TEST 34: teams_jwks_file needs a usable RSA key
--- http_config
    teams_jwks_file entra $TEST_TEAMS_FIXTURES/jwks.norsa;
--- nginx_test
--- must_die
--- error_log_like
teams_jwks_file ".*/jwks\.norsa" is not a usable key set



=== TEST 35: teams_jwks_file and the secret key accepted when good
--- http_config
    teams_jwks_file botframework $TEST_TEAMS_FIXTURES/jwks.good;
    teams_jwks_file entra $TEST_TEAMS_FIXTURES/jwks.good;
    teams_secret_key_file $TEST_TEAMS_FIXTURES/key.good;
--- nginx_test
--- error_log
test is successful



=== TEST 35a: teams_jwks_file names its key set
--- http_config
    teams_jwks_file graph $TEST_TEAMS_FIXTURES/jwks.good;
--- nginx_test
--- must_die
--- error_log
teams_jwks_file: unknown key set "graph" (botframework or entra)



=== TEST 35b: teams_jwks_file once per key set
--- http_config
    teams_jwks_file entra $TEST_TEAMS_FIXTURES/jwks.good;
    teams_jwks_file entra $TEST_TEAMS_FIXTURES/jwks.good;
--- nginx_test
--- must_die
--- error_log
teams_jwks_file: the entra key set is already given



=== TEST 36: a handler needs teams_postgres
--- http_config
    teams_redis 127.0.0.1:6379;
--- config
    location = /status { teams_status; }
--- nginx_test
--- must_die
--- error_log
teams handlers need "teams_postgres" in the http block



=== TEST 37: a handler needs teams_redis
--- http_config
    teams_postgres "hostaddr=127.0.0.1 dbname=teams";
--- config
    location = /status { teams_status; }
--- nginx_test
--- must_die
--- error_log
teams handlers need "teams_redis" in the http block



=== TEST 38: one teams handler per location
--- http_config
    teams_postgres "hostaddr=127.0.0.1 dbname=teams";
    teams_redis 127.0.0.1:6379;
--- config
    location = /api { teams_status; teams_bot; }
--- nginx_test
--- must_die
--- error_log
"teams_bot": this location already has a teams handler



=== TEST 39: handlers take no arguments
--- http_config
    teams_postgres "hostaddr=127.0.0.1 dbname=teams";
    teams_redis 127.0.0.1:6379;
--- config
    location = /api { teams_status on; }
--- nginx_test
--- must_die
--- error_log
invalid number of arguments in "teams_status" directive



=== TEST 40: handlers belong in a location
--- http_config
    teams_postgres "hostaddr=127.0.0.1 dbname=teams";
    teams_redis 127.0.0.1:6379;
    teams_admin;
--- nginx_test
--- must_die
--- error_log
"teams_admin" directive is not allowed here



=== TEST 41: the shipped conf/teams.conf example passes nginx -t
--- http_config
    include $TEST_TEAMS_FIXTURES/teams.conf;
--- nginx_test
--- error_log
test is successful
