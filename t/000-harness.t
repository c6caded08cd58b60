# Self-tests of our Test::Nginx-compatible harness (t/lib/Test/Nginx/Socket.pm)
# and of tools/stack.sh.  Plain nginx only: ngx_teams_module is not loaded.

BEGIN { $ENV{TEST_NGINX_LOAD_MODULES} = '' }

use Test::Nginx::Socket 'no_plan';
use File::Temp ();

repeat_each(1);
no_shuffle();

# Fills in sections for blocks that ask for it (like Test::Nginx's).
add_block_preprocessor(sub {
    my $block = shift;
    return unless $block->name =~ /preprocessor/;
    $block->set_value('config', <<'CONF') unless defined $block->config;
    location = /pre { return 200 "from preprocessor"; }
CONF
    $block->set_value('request', "GET /pre") unless defined $block->request;
});

run_tests();

# ---------------------------------------------------------------------------
# Failure detection: a suite of deliberately wrong expectations must fail
# exactly where expected.  It runs after run_tests() so it can reuse the port.

sub run_sub_suite {
    my ($text, %env) = @_;
    my $dir = File::Temp->newdir(DIR => servroot() . '/..',
                                 TEMPLATE => 'servroot-sub-XXXX');
    my $file = "$dir/sub.t";
    open my $fh, '>', $file or die $!;
    print $fh $text;
    close $fh;
    local %ENV = (%ENV, TEST_NGINX_SERVROOT => "$dir/servroot", %env);
    my $lib = repo_root() . '/t/lib';
    my $out = `$^X -I$lib $file 2>&1`;
    return ($? >> 8, $out);
}

{
    my ($rc, $out) = run_sub_suite(<<'SUITE');
use Test::Nginx::Socket 'no_plan';
run_tests();
__DATA__

=== TEST 1: wrong body
--- config
    location = /t { return 200 "real\n"; }
--- request
GET /t
--- response_body
expected

=== TEST 2: wrong status
--- config
    location = /t { return 200 "x"; }
--- request
GET /t
--- error_code: 404

=== TEST 3: wrong header, header that should be absent
--- config
    location = /t { add_header X-A a; add_header X-B b; return 200 "x"; }
--- request
GET /t
--- response_headers
X-A: not-a
!X-B

=== TEST 4: missing error_log line, unexpected no_error_log line
--- config
    location = /t { return 200 "x"; }
--- request
GET /t
--- error_log
this text never appears in the log
--- no_error_log
[debug]

=== TEST 5: nginx -t on a good config but must_die
--- config
    location = /t { return 200 "x"; }
--- nginx_test
--- must_die

=== TEST 6: timeout
--- config
    location / { root html; limit_rate_after 1000; limit_rate 1; }
--- user_files eval
[["big.txt", "x" x 3000]]
--- request
GET /big.txt
--- timeout: 0.5

=== TEST 7: undefined variable
--- config
    location = /t { return 200 "$TEST_NGINX_SURELY_UNDEFINED_VAR"; }
--- request
GET /t

=== TEST 8: body regex mismatch
--- config
    location = /t { return 200 "abc"; }
--- request
GET /t
--- response_body_like: ^xyz$

=== TEST 9: this one passes
--- config
    location = /t { return 200 "ok"; }
--- request
GET /t
--- response_body chomp
ok
SUITE

    isnt($rc, 0, 'failing sub-suite exits non-zero');
    my %want_fail = (
        'TEST 1: wrong body - response_body - response is expected' => 1,
        'TEST 2: wrong status - status code ok' => 1,
        'TEST 3: wrong header, header that should be absent - header X-A ok' => 1,
        'TEST 3: wrong header, header that should be absent - header X-B not present' => 1,
        'TEST 4: missing error_log line, unexpected no_error_log line - pattern "this text never appears in the log" should match a line in error.log' => 1,
        'TEST 4: missing error_log line, unexpected no_error_log line - pattern "[debug]" should not match any line in error.log' => 1,
        'TEST 5: nginx -t on a good config but must_die - nginx -t fails' => 1,
        'TEST 6: timeout - ERROR: client socket timed out' => 1,
        'TEST 8: body regex mismatch - response_body_like - response is expected' => 1,
    );
    my @not_ok = $out =~ /^not ok \d+ - (.*)$/mg;
    my @ok = $out =~ /^ok \d+ - (.*)$/mg;
    for my $t (sort keys %want_fail) {
        ok((grep { $_ eq $t } @not_ok), "sub-suite detects: $t")
            or diag($out);
    }
    ok((grep { /^TEST 7: undefined variable - .*TEST_NGINX_SURELY_UNDEFINED_VAR/ } @not_ok),
       'sub-suite: undefined $TEST_NGINX_ variable fails the block');
    ok((grep { $_ eq 'TEST 9: this one passes - response_body - response is expected' } @ok),
       'sub-suite: passing block after failing ones still passes');
    ok((grep { $_ eq 'TEST 3: wrong header, header that should be absent - status code ok' } @ok),
       'sub-suite: default status check is 200');
    my @unexpected = grep {
        my $n = $_;
        !$want_fail{$n} && $n !~ /^TEST 7:/
    } @not_ok;
    is_deeply(\@unexpected, [], 'sub-suite: no other failures') or diag($out);
}

# Valgrind mode on plain nginx: must run clean with t/valgrind.suppress.
SKIP: {
    skip 'valgrind not installed', 3 unless `which valgrind` =~ /\S/;
    skip 'TEST_TEAMS_SKIP_VALGRIND_SELFTEST set', 3
        if $ENV{TEST_TEAMS_SKIP_VALGRIND_SELFTEST};
    my ($rc, $out) = run_sub_suite(<<'SUITE', TEST_NGINX_USE_VALGRIND => 1);
use Test::Nginx::Socket 'no_plan';
run_tests();
__DATA__

=== TEST 1: valgrind
--- config
    location = /t { return 200 "vg\n"; }
    location = /p { proxy_pass http://127.0.0.1:$TEST_NGINX_PORT/t; }
--- request
GET /p
--- response_body
vg
SUITE
    is($rc, 0, 'valgrind sub-suite passes') or diag($out);
    like($out, qr/^ok \d+ - TEST 1: valgrind - valgrind: no memory errors$/m,
         'valgrind check ran');
    like($out, qr/^ok \d+ - TEST 1: valgrind - response_body/m,
         'valgrind run served the request');
}

__DATA__

=== TEST 1: simple request, default status 200
--- config
    location = /t { return 200 "hello\n"; }
--- request
GET /t
--- response_body
hello



=== TEST 2: error_code and response_body_like
--- config
    location = /t { return 404 "nothing here"; }
--- request
GET /t
--- error_code: 404
--- response_body_like: ^nothing\s+here$



=== TEST 3: response_headers, absent header, headers_like
--- config
    location = /t {
        add_header X-Foo "foo value";
        add_header X-Num 12345;
        return 200 "h";
    }
--- request
GET /t
--- response_headers
X-Foo: foo value
Content-Type: text/plain
!X-Not-There
X-Empty:
--- response_headers_like
X-Num: ^\d+$



=== TEST 4: more_headers reach nginx; Host default is localhost
--- config
    location = /t { return 200 "foo=$http_x_foo bar=$http_x_bar host=$host"; }
--- more_headers
X-Foo: one
X-Bar: two words
--- request
GET /t
--- response_body chomp
foo=one bar=two words host=localhost



=== TEST 5: POST body given after the request line; env expansion in config
--- config
    location = /echo {
        proxy_set_header X-Body $request_body;
        proxy_set_header X-Len $content_length;
        proxy_pass http://127.0.0.1:$TEST_NGINX_PORT/inner;
    }
    location = /inner { return 200 "[$http_x_body] len=$http_x_len"; }
--- request
POST /echo
hello world
--- response_body chomp
[hello world] len=11



=== TEST 6: request_body section and ${TEST_NGINX_PORT} form
--- config
    location = /echo {
        proxy_set_header X-Body $request_body;
        proxy_pass http://127.0.0.1:${TEST_NGINX_PORT}/inner;
    }
    location = /inner { return 200 "[$http_x_body] $request_method"; }
--- request
PUT /echo
--- request_body
{"a": 1}
--- response_body chomp
[{"a": 1}] PUT



=== TEST 7: chunked response is decoded
--- config
    location = /chunked {
        sub_filter 'a' 'b';
        sub_filter_once off;
        sub_filter_types *;
        return 200 "aaa-aaa";
    }
--- request
GET /chunked
--- response_headers
Transfer-Encoding: chunked
!Content-Length
--- response_body chomp
bbb-bbb



=== TEST 8: error_log and no_error_log (plain lines)
--- config
    location / { root html; }
--- request
GET /missing.html
--- error_code: 404
--- error_log
open() "
missing.html" failed (2: No such file or directory)
--- no_error_log
[alert]
[emerg]



=== TEST 9: error_log eval with regexes
--- config
    location / { root html; }
--- request
GET /missing2.html
--- error_code: 404
--- error_log eval
[qr/\[error\] \d+#\d+: \*\d+ open\(\) ".*missing2\.html" failed/, "No such file"]
--- no_error_log eval
qr/\[crit\]/



=== TEST 9b: error_log_like and no_error_log_like (one regex per line)
--- config
    location / { root html; }
--- request
GET /missing3.html
--- error_code: 404
--- error_log_like
^\d{4}/\d\d/\d\d [\d:]+ \[error\] .*missing3\.html" failed
No such file
--- no_error_log_like
\[(alert|crit|emerg)\]



=== TEST 9c: add_block_preprocessor supplies config and request
--- response_body chomp
from preprocessor



=== TEST 10: http_config, main_config
--- main_config
    worker_rlimit_nofile 4096;
--- http_config
    map $uri $mapped {
        default  "from-map";
    }
--- config
    location = /t { return 200 "$mapped"; }
--- request
GET /t
--- response_body chomp
from-map



=== TEST 11: request eval with several requests and per-request bodies
--- config
    location = /a { return 200 "A"; }
    location = /b { return 201 "B"; }
--- request eval
["GET /a", "GET /b"]
--- error_code eval
[200, 201]
--- response_body eval
["A", "B"]



=== TEST 12: request_eval section
--- config
    location = /q { return 200 "$arg_x"; }
--- request_eval
"GET /q?x=" . (6 * 7)
--- response_body chomp
42



=== TEST 13: user_files are served from html/
--- config
    location / { root html; }
--- user_files
>>> index.html
<p>static</p>
>>> sub/a.txt
sub file
--- request
GET /sub/a.txt
--- response_body
sub file



=== TEST 14: timeout with abort is tolerated; wait works; user_files eval
--- config
    location / { root html; limit_rate_after 1000; limit_rate 1; }
--- user_files eval
[["big.txt", "x" x 3000]]
--- request
GET /big.txt
--- timeout: 0.5
--- abort
--- wait: 0.1



=== TEST 15: nginx_test accepts a good config
--- config
    location = /t { return 200 "x"; }
--- nginx_test
--- error_log
test is successful



=== TEST 16: nginx_test rejects an unknown directive
--- config
    location = /t { no_such_directive on; }
--- nginx_test
--- must_die
--- error_log
unknown directive "no_such_directive"



=== TEST 17: nginx_test exit code
--- config
    location = /t { return; }
--- nginx_test
--- error_code_like: ^1$
--- error_log
invalid number of arguments in "return" directive



=== TEST 18: must_die when starting for real
--- main_config
    no_such_main_directive on;
--- must_die
--- error_log
unknown directive "no_such_main_directive"



=== TEST 19: test_script with http_request, error_log_text, restart
--- config
    location = /t { add_header X-T yes; return 200 "script"; }
--- test_script
my ($st, $h, $body) = http_request('GET', '/t', { 'X-Any' => 1 });
is($st, 200, 'test_script: status');
is($h->{'x-t'}, 'yes', 'test_script: lower-cased header names');
is($body, 'script', 'test_script: body');
($st, $h, $body) = http_request('POST', '/t', {}, 'payload');
is($st, 200, 'test_script: POST');
ok(nginx_running(), 'test_script: nginx running');
like(error_log_text(), qr/\[debug\]/, 'test_script: error_log_text');

start_nginx_with(config => 'location = /t { return 200 "second"; }');
($st, $h, $body) = http_get('/t');
is($body, 'second', 'test_script: start_nginx_with replaced the config');
stop_nginx();
ok(!nginx_running(), 'test_script: stop_nginx');
($st) = http_get('/t');
ok(!defined $st, 'test_script: no status when nginx is down');
like($Test::Nginx::Socket::LastError, qr/connect/, 'test_script: LastError');



=== TEST 20: Redis stop/start through tools/stack.sh
--- config
    location = /t { return 200 "x"; }
--- test_script
is(redis_cli('PING'), 'PONG', 'redis: up');
ok(defined redis_cli('SET', 'harness:k', 'v'), 'redis: SET');
stack('redis-stop');
ok(!defined redis_cli('PING'), 'redis: down after redis-stop');
stack('redis-stop');    # idempotent
ok(1, 'redis: redis-stop twice is fine');
stack('redis-start');
ok(wait_until(sub { (redis_cli('PING') // '') eq 'PONG' }, 10),
   'redis: up again after redis-start');
ok(!defined redis_cli('GET', 'harness:k') || redis_cli('GET', 'harness:k') eq '',
   'redis: no persistence across restart');



=== TEST 21: PostgreSQL with parameters
--- config
    location = /t { return 200 "x"; }
--- test_script
is(psql('SELECT $1::int + $2::int', 2, 3), 5, 'psql: parameters');
is(psql('SELECT $1', "it's; DROP TABLE x; --"), "it's; DROP TABLE x; --",
   'psql: values are literals, not SQL');
is(psql('SELECT coalesce($1, $2)', undef, 'dflt'), 'dflt', 'psql: undef is NULL');
my @rows = psql('SELECT g, g * 2 FROM generate_series(1, 3) g');
is_deeply(\@rows, [[1, 2], [2, 4], [3, 6]], 'psql: rows');
is(psql('SELECT current_database()'), 'teams', 'psql: database teams');
ok(!eval { psql('SELECT no_such_column'); 1 }, 'psql: errors die');



=== TEST 22: stand-in health via http_request to another port
--- config
    location = /t { return 200 "x"; }
--- test_script
SKIP: {
    skip 'stand-in not running', 2
        unless -f "$ENV{TEST_TEAMS_REPO}/standin/ms-standin.js";
    my ($st, $h, $body) =
        http_request('GET', "http://127.0.0.1:$ENV{TEST_TEAMS_MOCK_PORT}/_health");
    is($st, 200, 'stand-in: /_health');
    is(ref standin_recorded(), 'ARRAY', 'stand-in: standin_recorded');
}



=== TEST 23: skip_nginx skips on a matching version
--- skip_nginx: 1: > 0.1
--- config
    location = /t { return 500; }
--- request
GET /t



=== TEST 24: skip_nginx does not skip otherwise; env vars exported
--- skip_nginx: 1: < 0.1
--- config
    location = /t { return 200 "$TEST_TEAMS_REDIS_PORT"; }
--- request
GET /t
--- response_body eval
$ENV{TEST_TEAMS_REDIS_PORT}



=== TEST 25: master_process on via main_config is not required; raw_request
--- config
    location = /t { return 200 "raw:$request_method:$server_protocol"; }
--- raw_request eval
"GET /t HTTP/1.0\r\n\r\n"
--- response_body chomp
raw:GET:HTTP/1.0
