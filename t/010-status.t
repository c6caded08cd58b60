# GET /api/teams/status: both async backends end to end -- up, down, back,
# under concurrency, and with clients that leave mid-query.

use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);
use Test::Nginx::Socket 'no_plan';

our $State = $ENV{TEST_TEAMS_STATE_DIR};
our $PgPort = $ENV{TEST_TEAMS_PG_PORT};

# Polls status until it answers $want; returns seconds taken or undef.
sub status_within {
    my ($want, $limit) = @_;
    my $t0 = time;
    while (time - $t0 < $limit) {
        my ($status) = http_request('GET', '/api/teams/status');
        return time - $t0 if defined $status && $status == $want;
        sleep 0.1;
    }
    return undef;
}

# Holds an exclusive lock on the migrations table for $secs, so the status
# query waits on it; returns the pid of the psql holding it.
# lock_migrations(): a psql holding teams_schema_migrations locked (the
# status query reads it) until unlock_migrations($pid) cancels it.
sub lock_migrations {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', '/dev/null';
        $ENV{PGAPPNAME} = 't010-locker';
        exec('psql', $ENV{TEST_TEAMS_PG_CONNINFO}, '-q', '-c',
             "BEGIN; LOCK TABLE teams_schema_migrations IN ACCESS EXCLUSIVE "
             . "MODE; SELECT pg_sleep(120); COMMIT;");
        exit 127;
    }
    wait_until(sub {
        my $n = psql("SELECT count(*) FROM pg_locks l JOIN pg_class c "
                     . "ON c.oid = l.relation WHERE c.relname = "
                     . "'teams_schema_migrations' AND l.mode = "
                     . "'AccessExclusiveLock' AND l.granted");
        defined $n && $n =~ /^\s*1/;
    }, 10, 50) or die "the migrations table was not locked within 10 s\n";
    return $pid;
}

sub unlock_migrations {
    my ($pid) = @_;
    psql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity"
         . " WHERE application_name = 't010-locker'");
    waitpid($pid, 0);
}

# true once n queries wait on a lock in Postgres
sub lock_waiters {
    my ($n) = @_;
    return wait_until(sub {
        my $w = psql("SELECT count(*) FROM pg_stat_activity"
                     . " WHERE wait_event_type = 'Lock'");
        defined $w && $w >= $n;
    }, 15, 20);
}

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', <<"CONF") unless defined $block->http_config;
    teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}" pool_size=4;
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};
CONF
    $block->set_value('config', <<'CONF') unless defined $block->config;
    location = /api/teams/status { teams_status; }
CONF
});

run_tests();

__DATA__

=== TEST 1: both backends up: 200 with versions and the migration level
--- request
GET /api/teams/status
--- error_code: 200
--- response_headers
Content-Type: application/json
--- response_body_like
^\{"status":"ok","module":"ngx_teams_module","version":"\d+\.\d+\.\d+","nginx":"1\.22\.1","down":\[\],"postgres":\{"ok":true,"server_version":"\d+\.\d+","migration":"\d{4}","error":null,"pool":\{"size":4,"up":\d,"connecting":\d,"waiting":0\}\},"redis":\{"ok":true,"error":null\},"key_sets":\{"botframework":\{"source":"(file|worker)","keys":\d+,"age_seconds":(\d+|null)\},"entra":\{"source":"(file|worker)","keys":\d+,"age_seconds":(\d+|null)\}\},"config_version":(\d+|null)\}$
--- no_error_log
[error]
[alert]



=== TEST 1a: key sets from files are reported with their key count and age
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO";
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT;
    teams_jwks_file botframework $TEST_TEAMS_STATE_DIR/keys/botfw.jwks.json;
--- request
GET /api/teams/status
--- response_body_like
"key_sets":\{"botframework":\{"source":"file","keys":1,"age_seconds":\d+\},"entra":\{"source":"worker",



=== TEST 2: the migration level is the newest applied migration
--- test_script
my $want = psql("SELECT max(version) FROM teams_schema_migrations");
$want =~ s/\s+//g;
my ($status, $h, $body) = http_request('GET', '/api/teams/status');
is($status, 200, 'status 200');
like($body, qr/"migration":"\Q$want\E"/, "migration $want reported");



=== TEST 2a: config_version is the teams:config:version the worker has applied
--- test_script
my $v = redis_cli('INCR', 'teams:config:version');
my $seen;
ok(wait_until(sub {
    my (undef, undef, $body) = http_request('GET', '/api/teams/status');
    ($seen) = ($body // '') =~ /"config_version":(\d+)\}$/;
    defined $seen && $seen == $v;
}, 15, 100), "config_version follows the counter to $v")
    or diag("status says " . ($seen // 'null'));



=== TEST 3: only GET and HEAD
--- request
POST /api/teams/status
x
--- error_code: 405



=== TEST 4: HEAD answers without a body
--- request
HEAD /api/teams/status
--- error_code: 200
--- response_body chomp



=== TEST 5: Redis down turns status to 503 within 2 s, and back to 200 within 5 s of its restart
--- test_script
my ($s) = http_request('GET', '/api/teams/status');
is($s, 200, 'up before');
stack('redis-stop', $main::State);
my $t = main::status_within(503, 2);
ok(defined $t, 'status is 503 within 2 s of Redis stopping')
    and diag(sprintf 'took %.2f s', $t);
my ($code, $h, $body) = http_request('GET', '/api/teams/status');
like($body, qr/"down":\["redis"\]/, 'names redis as down');
like($body, qr/"redis":\{"ok":false,"error":"[^"]+"\}/, 'says why');
like($body, qr/"postgres":\{"ok":true/, 'postgres still ok');
stack('redis-start', $main::State, $ENV{TEST_TEAMS_REDIS_PORT});
$t = main::status_within(200, 5);
ok(defined $t, 'status is 200 within 5 s of Redis restarting')
    and diag(sprintf 'took %.2f s', $t);
--- no_error_log
[alert]
[crit]



=== TEST 6: Postgres down turns status to 503 within 2 s, and back to 200 within 5 s of its restart
--- test_script
my ($s) = http_request('GET', '/api/teams/status');
is($s, 200, 'up before');
stack('pg-stop', $main::State);
my $t = main::status_within(503, 2);
ok(defined $t, 'status is 503 within 2 s of Postgres stopping')
    and diag(sprintf 'took %.2f s', $t);
my ($code, $h, $body) = http_request('GET', '/api/teams/status');
like($body, qr/"down":\["postgres"\]/, 'names postgres as down');
like($body, qr/"postgres":\{"ok":false,"server_version":[^,]+,"migration":null,"error":"[^"]+"/, 'says why');
like($body, qr/"redis":\{"ok":true/, 'redis still ok');
stack('pg-start', $main::State, $main::PgPort);
$t = main::status_within(200, 5);
ok(defined $t, 'status is 200 within 5 s of Postgres restarting')
    and diag(sprintf 'took %.2f s', $t);
ok(wait_until(sub {
    my (undef, undef, $b) = http_request('GET', '/api/teams/status');
    ($b // '') =~ /"pool":\{"size":4,"up":4,/;
}, 5), 'the whole pool reconnected within 5 s');
--- no_error_log
[alert]
[crit]



=== TEST 7: both down at once: 503 naming both
--- test_script
stack('redis-stop', $main::State);
stack('pg-stop', $main::State);
ok(defined main::status_within(503, 2), '503');
my ($code, $h, $body) = http_request('GET', '/api/teams/status');
like($body, qr/"down":\["postgres","redis"\]/, 'names both');
stack('pg-start', $main::State, $main::PgPort);
stack('redis-start', $main::State, $ENV{TEST_TEAMS_REDIS_PORT});
ok(defined main::status_within(200, 5), 'recovers');
--- no_error_log
[alert]
[crit]



=== TEST 8: 500 concurrent status requests through a pool of 4 connections are all answered
--- test_script
my $n = 500;
my (@socks, %buf);
for my $i (1 .. $n) {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_PORT},
                                  Proto => 'tcp', Blocking => 1)
        or die "connect $i: $!";
    push @socks, $s;
}
# every request is on the wire before any answer is read
for my $s (@socks) {
    print $s "GET /api/teams/status HTTP/1.1\r\nHost: localhost\r\n"
             . "Connection: close\r\n\r\n";
}
my $sel = IO::Select->new(@socks);
my $deadline = time + 20;
while ($sel->count && time < $deadline) {
    for my $s ($sel->can_read(1)) {
        my $r = sysread($s, my $chunk, 65536);
        if ($r) { $buf{$s} .= $chunk; next }
        $sel->remove($s);
        close $s;
    }
}
my %codes;
for my $s (@socks) {
    my ($code) = ($buf{$s} // '') =~ m{^HTTP/1\.1 (\d+)};
    $codes{$code // 'none'}++;
}
is($codes{200} // 0, $n, "all $n answered 200")
    or diag(explain(\%codes));
--- main_config
worker_rlimit_nofile 4096;
--- no_error_log
[alert]
[crit]



=== TEST 9: a client that disconnects mid-query: the connection drains and goes back to the pool
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO" pool_size=1;
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT;
--- test_script
my $locker = main::lock_migrations();
for (1 .. 3) {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_PORT})
        or die $!;
    print $s "GET /api/teams/status HTTP/1.1\r\nHost: x\r\n\r\n";
    sleep 0.2;
    close $s;   # one waits on the lock in Postgres, two in our queue
}
main::unlock_migrations($locker);
my $t = main::status_within(200, 5);
ok(defined $t, 'the single pooled connection serves the next request');
my ($code, $h, $body) = http_request('GET', '/api/teams/status');
like($body, qr/"pool":\{"size":1,"up":1,"connecting":0,"waiting":0\}/,
     'nothing left waiting, connection not lost');
--- error_log
client prematurely closed connection
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: a query that waits too long in the queue answers 503 and says why
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO" pool_size=1 queue_timeout=300ms;
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT;
--- test_script
my $locker = main::lock_migrations();
my $pid = fork // die;
if ($pid == 0) { http_request('GET', '/api/teams/status'); exit 0 }
ok(main::lock_waiters(1), 'the first request holds the only connection');
my ($code, $h, $body) = http_request('GET', '/api/teams/status');
is($code, 503, 'queued request gives up');
like($body, qr/"error":"timed out waiting for a connection"/, 'says why');
main::unlock_migrations($locker);
waitpid($pid, 0);
ok(defined main::status_within(200, 3), 'fine again afterwards');
--- no_error_log
[alert]
[crit]



=== TEST 11: a query over query_timeout answers 503, and the pool reconnects
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO" pool_size=1 query_timeout=400ms;
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT;
--- test_script
my $locker = main::lock_migrations();
my ($code, $h, $body) = http_request('GET', '/api/teams/status');
is($code, 503, 'slow query answered 503');
like($body, qr/"error":"query timed out"/, 'says why');
main::unlock_migrations($locker);
ok(defined main::status_within(200, 5), 'reconnected and fine again');
--- error_log
teams postgres: query timed out
--- no_error_log
[alert]
[crit]



=== TEST 12: a Redis that stops answering times out, is dropped, and is reconnected
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO";
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT timeout=300ms;
--- test_script
ok(defined main::status_within(200, 3), 'up');
# every client's commands wait while Redis is paused
redis_cli('CLIENT', 'PAUSE', '1500', 'ALL');
my ($code, $h, $body) = http_request('GET', '/api/teams/status');
is($code, 503, 'hung Redis answered 503');
like($body, qr/"redis":\{"ok":false,"error":"redis command timed out"\}/, 'says why');
ok(defined main::status_within(200, 5), 'reconnected');
--- error_log
teams redis: 127.0.0.1:
command timed out
--- no_error_log
[alert]
[crit]



=== TEST 13: status recovers by itself when nginx starts before Postgres
--- test_script
stack('pg-stop', $main::State);
stop_nginx();
start_nginx_with(current_block());
my ($code) = http_request('GET', '/api/teams/status');
is($code, 503, 'Postgres not there at start: 503');
stack('pg-start', $main::State, $main::PgPort);
ok(defined main::status_within(200, 5), 'connects once it is there');
--- no_error_log
[alert]
[crit]



=== TEST 14: a schema change under a prepared statement: the connection is recycled and the next request works
--- http_config
    teams_postgres "$TEST_TEAMS_PG_CONNINFO" pool_size=1;
    teams_redis 127.0.0.1:$TEST_TEAMS_REDIS_PORT;
--- test_script
my ($code) = http_request('GET', '/api/teams/status');
is($code, 200, 'statement prepared and run');
# max(version) becomes an integer: the prepared result type changes
psql('ALTER TABLE teams_schema_migrations ALTER COLUMN version TYPE integer'
     . ' USING version::integer');
my ($c1, $h1, $b1) = http_request('GET', '/api/teams/status');
ok(wait_until(sub { (http_request('GET', '/api/teams/status'))[0] == 200 }, 5),
   'answers 200 again after at most one refused request');
psql('ALTER TABLE teams_schema_migrations ALTER COLUMN version TYPE text'
     . " USING lpad(version::text, 4, '0')");
ok(wait_until(sub { (http_request('GET', '/api/teams/status'))[0] == 200 }, 5),
   'and after the change back');
--- error_log
prepared statements invalidated by a schema change; reconnecting
--- no_error_log
[alert]
[crit]
