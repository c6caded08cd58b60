# Attacks on the Bot Framework and Entra token checks, against the live
# endpoints: each claim wrong in turn, times at the skew boundary, forged
# algorithms and keys, tampering, malformed compact forms, and activity
# mismatches.  A token refused anywhere must never reach the identity
# lookup or the body's content.

use strict;
use warnings;
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;

ensure_demo_seed();
load_fixture('identity');
END { unload_fixture('identity') if $ENV{TEST_TEAMS_PG_CONNINFO} }

our $Ids = demo_ids();
our $Kid = key_file('botfw', 'kid');
our $EntraKid = key_file('entra', 'kid');

sub post_bot {
    my ($token, $body, %h) = @_;
    return http_request('POST', '/api/teams/messages',
        { 'Content-Type' => 'application/json',
          defined $token ? (Authorization => "Bearer $token") : (), %h },
        $body // activity());
}

sub code_of { ($_[0] // '') =~ /"code":"([^"]+)"/ ? $1 : '' }

# the Bot Framework key set as teams-worker publishes it in Redis: the
# JWKS of a key file, fetched $age seconds ago; true once nginx has it
sub publish_bf_keys {
    my ($file, $age) = @_;
    open my $fh, '<', key_file($file, 'jwks') or die $!;
    my $jwks = do { local $/; <$fh> };
    $age //= 0;
    redis_cli('SET', 'teams:keys:botframework', $jwks);
    redis_cli('SET', 'teams:keys:botframework:fetched_at', time - $age);
    redis_cli('INCR', 'teams:keys:version');
    return wait_until(sub {
        my (undef, undef, $st) = http_request('GET', '/api/teams/status');
        ($st // '') =~ /"botframework":\{"source":"worker","keys":1,"age_seconds":(\d+)/
            && abs($1 - $age) < 100;
    }, 15);
}

# what was published before, and putting it back
sub saved_bf_keys {
    return [map { scalar redis_cli('GET', $_) }
            'teams:keys:botframework', 'teams:keys:botframework:fetched_at'];
}

sub restore_bf_keys {
    my ($saved) = @_;
    my ($set, $at) = @$saved;
    if (defined $set && length $set) {
        redis_cli('SET', 'teams:keys:botframework', $set);
        redis_cli('SET', 'teams:keys:botframework:fetched_at', $at // time);
    } else {
        redis_cli('DEL', 'teams:keys:botframework',
                  'teams:keys:botframework:fetched_at');
    }
    redis_cli('INCR', 'teams:keys:version');
}

sub hdr { { alg => 'RS256', typ => 'JWT', kid => $main::Kid, @_ } }

sub flip_char {
    my ($s, $pos) = @_;
    my $c = substr($s, $pos, 1);
    substr($s, $pos, 1) = $c eq 'A' ? 'B' : 'A';
    return $s;
}

sub public_pem {
    open my $fh, '<', key_file('botfw', 'pub') or die $!;
    local $/;
    return scalar <$fh>;
}

# [name, token, activity or undef, status, code]
sub cases {
    my $now = time;
    my $good = bf_token();
    my ($h, $p, $s) = split /\./, $good;
    my $key = key_file('botfw', 'key');
    my $claims = bf_claims();
    my $enc = JSON::PP->new->canonical;
    my $payload = $enc->encode($claims);

    return (
        ['valid RS256 token', $good, undef, 200, ''],
        ['valid RS384 token', bf_token(alg => 'RS384'), undef, 200, ''],
        ['valid RS512 token', bf_token(alg => 'RS512'), undef, 200, ''],
        ['issuer of another service', bf_token(iss => 'https://sts.windows.net/x/'), undef, 401, 'invalid_token'],
        ['issuer with a trailing slash', bf_token(iss => 'https://api.botframework.com/'), undef, 401, 'invalid_token'],
        ['no issuer', bf_token(iss => undef), undef, 401, 'invalid_token'],
        ['audience of an app we do not serve', bf_token(aud => '0badba5e-0000-4000-8000-000000000000'), undef, 401, 'invalid_token'],
        ['two audiences', bf_token(aud => [$Ids->{BOT_APP_ID_A}, 'other']), undef, 401, 'invalid_token'],
        ['no audience', bf_token(aud => undef), undef, 401, 'invalid_token'],
        ['expired beyond the 5 minute skew', bf_token(exp => $now - 360), undef, 401, 'invalid_token'],
        ['expired within the 5 minute skew', bf_token(exp => $now - 240), undef, 200, ''],
        ['not yet valid beyond the skew', bf_token(nbf => $now + 360), undef, 401, 'invalid_token'],
        ['not yet valid within the skew', bf_token(nbf => $now + 240), undef, 200, ''],
        ['no exp', bf_token(exp => undef), undef, 401, 'invalid_token'],
        ['exp as a string', bf_token(exp => "" . ($now + 3600)), undef, 401, 'invalid_token'],
        ['alg none, unsigned', jws(header => { alg => 'none', typ => 'JWT', kid => $Kid }, payload => $claims, alg => 'none'), undef, 401, 'invalid_token'],
        ['alg none with a signature', jws(header => { alg => 'none', kid => $Kid }, payload => $claims, key => $key, alg => 'RS256'), undef, 401, 'invalid_token'],
        ['HS256 keyed with the public key', jws(header => { alg => 'HS256', typ => 'JWT', kid => $Kid }, payload => $claims, alg => 'HS256', hmac_key => public_pem()), undef, 401, 'invalid_token'],
        ['PS256', jws(header => hdr(alg => 'PS256'), payload => $claims, key => $key, alg => 'PS256'), undef, 401, 'invalid_token'],
        ['ES256', jws(header => hdr(alg => 'ES256'), payload => $claims, key => $key, alg => 'ES256'), undef, 401, 'invalid_token'],
        ['RS256 by a key not in the set, under our kid', jws(header => hdr(), payload => $claims, key => key_file('entra', 'key')), undef, 401, 'invalid_token'],
        ['RS256 by another key with its own kid', jws(header => hdr(kid => $EntraKid), payload => $claims, key => key_file('entra', 'key')), undef, 401, 'invalid_token'],
        ['no kid', jws(header => { alg => 'RS256', typ => 'JWT' }, payload => $claims, key => $key), undef, 401, 'invalid_token'],
        ['embedded jwk header', jws(header => hdr(jwk => { kty => 'RSA', n => 'AQAB', e => 'AQAB' }), payload => $claims, key => $key), undef, 401, 'invalid_token'],
        ['jku header', jws(header => hdr(jku => 'https://evil.example/keys'), payload => $claims, key => $key), undef, 401, 'invalid_token'],
        ['x5u header', jws(header => hdr(x5u => 'https://evil.example/cert'), payload => $claims, key => $key), undef, 401, 'invalid_token'],
        ['crit header', jws(header => hdr(crit => ['exp']), payload => $claims, key => $key), undef, 401, 'invalid_token'],
        ['typ other than JWT', jws(header => hdr(typ => 'JWE'), payload => $claims, key => $key), undef, 401, 'invalid_token'],
        ['duplicate member in the header', jws(header => qq({"alg":"RS256","alg":"none","kid":"$Kid"}), payload => $payload, key => $key, alg => 'RS256'), undef, 401, 'invalid_token'],
        ['duplicate member in the payload', jws(header => hdr(), payload => substr($payload, 0, -1) . qq(,"aud":"0badba5e-0000-4000-8000-000000000000"}), key => $key), undef, 401, 'invalid_token'],
        ['payload not JSON', jws(header => hdr(), payload => 'not json', key => $key), undef, 401, 'invalid_token'],
        ['payload a JSON array', jws(header => hdr(), payload => '[1,2]', key => $key), undef, 401, 'invalid_token'],
        ['tampered header', b64url($enc->encode(hdr(typ => 'jwt'))) . ".$p.$s", undef, 401, 'invalid_token'],
        ['tampered payload', "$h." . b64url($enc->encode(bf_claims(aud => 'c99c0000-0000-4000-8000-00000000000c'))) . ".$s", undef, 401, 'invalid_token'],
        ['tampered signature', "$h.$p." . flip_char($s, 10), undef, 401, 'invalid_token'],
        ['truncated signature', "$h.$p." . substr($s, 0, -4), undef, 401, 'invalid_token'],
        ['two segments', "$h.$p", undef, 401, 'invalid_token'],
        ['four segments', "$h.$p.$s.$s", undef, 401, 'invalid_token'],
        ['empty signature', "$h.$p.", undef, 401, 'invalid_token'],
        ['padding in base64url', "$h=.$p.$s", undef, 401, 'invalid_token'],
        ['standard base64 characters', "$h.$p." . ($s =~ tr{-_}{+/}r) . '+', undef, 401, 'invalid_token'],
        ['oversized token', "$h." . ('A' x 20000) . ".$s", undef, 401, 'invalid_token'],
        ['serviceurl claim for another service URL', bf_token(serviceurl => 'https://smba.trafficmanager.net/emea/'), undef, 401, 'invalid_token'],
        ['no serviceurl claim', bf_token(serviceurl => undef), undef, 401, 'invalid_token'],
        ['serviceUrl host not a Bot Connector host', bf_token(serviceurl => 'https://evil.example/amer/'), activity(serviceUrl => 'https://evil.example/amer/'), 403, 'service_url_not_allowed'],
        ['serviceUrl in clear text to a remote host', bf_token(serviceurl => 'http://smba.trafficmanager.net/amer/'), activity(serviceUrl => 'http://smba.trafficmanager.net/amer/'), 403, 'service_url_not_allowed'],
        ['channel the key is not endorsed for', $good, activity(channelId => 'carrier-pigeon'), 403, 'endorsement_failed'],
        ["token for tenant C's app on tenant A's Microsoft tenant", bf_token(aud => 'c99c0000-0000-4000-8000-00000000000c'), undef, 403, 'wrong_tenant'],
        ["tenant A's app with tenant B's Microsoft tenant", $good, activity(tenant => $Ids->{MS_TENANT_B}), 403, 'wrong_tenant'],
        ["tenant B's user through tenant A's app", $good, activity(aad => $Ids->{TECH_AAD_OID_B}), 403, 'user_not_linked'],
        ['an Entra token on the bot endpoint', entra_token(), undef, 401, 'invalid_token'],
    );
}

add_block_preprocessor(sub {
    my $block = shift;
    # the key sets as teams-worker publishes them in Redis, not from files
    $block->set_value('http_config', <<"CONF") if defined $block->keys_from_redis;
    teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}";
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};
    teams_connector_hosts 127.0.0.1:$ENV{TEST_TEAMS_MOCK_PORT};
CONF
    $block->set_value('http_config', <<"CONF") unless defined $block->http_config;
    teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}";
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};
    teams_public_url http://127.0.0.1:$ENV{TEST_NGINX_PORT};
    teams_jwks_file botframework $ENV{TEST_TEAMS_STATE_DIR}/keys/botfw.jwks.json;
    teams_jwks_file entra $ENV{TEST_TEAMS_STATE_DIR}/keys/entra.jwks.json;
    teams_connector_hosts 127.0.0.1:$ENV{TEST_TEAMS_MOCK_PORT} smba.trafficmanager.net;
    # room for tokens past our own 16 KiB bound, which is then what refuses
    large_client_header_buffers 4 64k;
CONF
    $block->set_value('config', <<'CONF');
    location = /api/teams/messages { teams_bot; }
    location = /api/teams/tab/session { teams_tab; }
    location = /api/teams/status { teams_status; }
CONF
});

run_tests();

__DATA__

=== TEST 1: Bot Framework tokens: each attack refused with its status and code
--- test_script
my @cases = main::cases();
cmp_ok(scalar @cases, '>=', 45, 'at least 45 cases');
for my $c (@cases) {
    my ($name, $token, $act, $want, $code) = @$c;
    my ($s, $h, $b) = main::post_bot($token, $act);
    is($s, $want, "$name: $want");
    is(main::code_of($b), $code, "$name: code $code") if $code;
    like($h->{'www-authenticate'} // '', qr/^Bearer/, "$name: WWW-Authenticate")
        if $want == 401;
}
--- no_error_log
[alert]
[crit]



=== TEST 2: credentials that are not a Bearer token
--- test_script
my $t = bf_token();
my @cases = (
    ['no Authorization', undef, 'missing_token'],
    ['Basic scheme', "Basic $t", 'invalid_token'],
    ['Bearer with nothing', 'Bearer', 'invalid_token'],
    ['Bearer with two spaces', "Bearer  $t", 'invalid_token'],
    ['token with a space inside', 'Bearer ' . substr($t, 0, 20) . ' ' . substr($t, 20), 'invalid_token'],
);
for my $c (@cases) {
    my ($name, $auth, $code) = @$c;
    my ($s, $h, $b) = http_request('POST', '/api/teams/messages',
        { 'Content-Type' => 'application/json',
          defined $auth ? (Authorization => $auth) : () }, activity());
    is($s, 401, "$name: 401");
    is(main::code_of($b), $code, "$name: $code");
}
my ($s) = http_request('POST', '/api/teams/messages',
    { Authorization => "bearer $t" }, activity());
is($s, 200, 'the scheme is case-insensitive');



=== TEST 3: a valid token with a malformed body: 400, after authentication
--- test_script
my $t = bf_token();
my @cases = (
    ['not JSON', '{"type":"message"'],
    ['a JSON array', '[]'],
    ['serviceUrl not a string', '{"type":"message","serviceUrl":1,"channelId":"msteams","from":{"id":"x"},"conversation":{"id":"c"}}'],
    ['no conversation', '{"type":"message","serviceUrl":"x","channelId":"msteams","from":{"id":"x"}}'],
    ['duplicate members', '{"type":"message","type":"invoke"}'],
);
for my $c (@cases) {
    my ($s, $h, $b) = main::post_bot($t, $c->[1]);
    is($s, 400, "$c->[0]: 400");
    is(main::code_of($b), 'invalid_activity', "$c->[0]: invalid_activity");
}
my ($s) = main::post_bot(undef, '{"type":');
is($s, 401, 'without a token the body is not even parsed');



=== TEST 4: a repeated token is served from the cache, and a tampered copy still refused
--- test_script
my $t = bf_token();
for my $i (1 .. 3) {
    my ($s) = main::post_bot($t);
    is($s, 200, "request $i with the same token");
}
my ($h, $p, $sig) = split /\./, $t;
my ($s) = main::post_bot("$h.$p." . main::flip_char($sig, 5));
is($s, 401, 'a tampered copy of a cached token is refused');
($s) = main::post_bot($t, activity(serviceUrl => 'https://smba.trafficmanager.net/amer/'));
is($s, 401, 'a cached token is still checked against the activity');



=== TEST 5: Entra tokens on the tab session
--- test_script
my $now = time;
my $tid = $main::Ids->{MS_TENANT_A};
my @cases = (
    ['valid v2 token', entra_token(), 200, ''],
    ['issuer for another tenant', entra_token(iss => 'https://login.microsoftonline.com/ad0b0000-0000-4000-8000-00000000000b/v2.0'), 401, 'invalid_token'],
    ['Bot Framework issuer', entra_token(iss => 'https://api.botframework.com'), 401, 'invalid_token'],
    ['no access_as_user scope', entra_token(scp => 'User.Read'), 401, 'invalid_token'],
    ['no oid', entra_token(oid => undef), 401, 'invalid_token'],
    ['expired', entra_token(exp => $now - 400), 401, 'invalid_token'],
    ['audience of another app', entra_token(aud => '0badba5e-0000-4000-8000-000000000000'), 401, 'invalid_token'],
    ['a Bot Framework token on the tab', bf_token(), 401, 'invalid_token'],
    ['signed by the Bot Framework key under the Entra kid', jws(header => { alg => 'RS256', typ => 'JWT', kid => $main::EntraKid }, payload => entra_claims(), key => key_file('botfw', 'key')), 401, 'invalid_token'],
);
for my $c (@cases) {
    my ($name, $token, $want, $code) = @$c;
    my ($s, $h, $b) = http_request('POST', '/api/teams/tab/session',
        { Authorization => "Bearer $token" }, '');
    is($s, $want, "tab: $name: $want");
    is(main::code_of($b), $code, "tab: $name: $code") if $code;
}



=== TEST 6: an unknown kid asks the worker for a refresh (once a minute) and is still refused
--- keys_from_redis
--- test_script
# keys as teams-worker publishes them, not from a file
my $saved = main::saved_bf_keys();
ok(main::publish_bf_keys('botfw'), 'published keys picked up without a reload');
my ($ok) = main::post_bot(bf_token());
is($ok, 200, 'and used');

my $before = redis_cli('XLEN', 'teams:control') // 0;
my $forged = jws(header => main::hdr(kid => 'kid-nobody-has'),
                 payload => bf_claims(), key => key_file('entra', 'key'));
my ($s, $h, $b) = main::post_bot($forged);
is($s, 401, 'unknown kid refused');
($s) = main::post_bot($forged);
is($s, 401, 'and again');
# the request is sent without waiting for its reply: let it land
wait_until(sub { (redis_cli('XLEN', 'teams:control') // 0) > $before }, 10);
sleep_ms(300);
my $after = redis_cli('XLEN', 'teams:control') // 0;
is($after - $before, 1, 'one refresh request for two unknown kids');
my $last = join ' ', redis_cli('XREVRANGE', 'teams:control', '+', '-', 'COUNT', 1);
like($last, qr/type refresh_keys set botframework reason unknown_kid/,
     'the request names the key set and why');

main::restore_bf_keys($saved);
--- error_log
unknown_kid, asked the worker to refresh the botframework key set



=== TEST 7: the signing key withdrawn while the body is still arriving: refused, nothing read from the old set
--- keys_from_redis
--- test_script
use IO::Socket::INET;
my $saved = main::saved_bf_keys();
ok(main::publish_bf_keys('botfw'), 'the Bot Framework key published');

# headers and half the body, then the set is replaced by one without the key
my $body = activity();
my $half = int(length($body) / 2);
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $ENV{TEST_NGINX_PORT}) or die $!;
print $s "POST /api/teams/messages HTTP/1.1\r\nHost: localhost\r\n"
    . "Connection: close\r\nContent-Type: application/json\r\n"
    . "Authorization: Bearer " . bf_token() . "\r\n"
    . "Content-Length: " . length($body) . "\r\n\r\n" . substr($body, 0, $half);
sleep_ms(300);
ok(main::publish_bf_keys('entra', 5000), 'a set without that key replaced it');
print $s substr($body, $half);
my $answer = do { local $/; <$s> };
like($answer // '', qr{^HTTP/1\.1 401 }, 'refused with 401');
is(main::code_of($answer), 'invalid_token', 'as an invalid token');
like($answer // '', qr/withdrawn while the request was read/, 'saying why');

main::restore_bf_keys($saved);
--- no_error_log
[alert]
[crit]



=== TEST 8: a body refused for its size is still consumed: none of its bytes are taken for a next request
--- test_script
use IO::Socket::INET;
use IO::Select;
my $smuggled = "GET /api/teams/status HTTP/1.1\r\nHost: localhost\r\n\r\n";
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $ENV{TEST_NGINX_PORT}) or die $!;
print $s "POST /api/teams/messages HTTP/1.1\r\nHost: localhost\r\n"
    . "Content-Type: application/json\r\n"
    . "Authorization: Bearer " . bf_token() . "\r\n"
    . "Content-Length: 300000\r\n\r\n" . $smuggled;
# the first answer, then 1.5 s more for a second one
my ($got, $sel) = ('', IO::Select->new($s));
my $until = time + ($Test::Nginx::Socket::Valgrind ? 30 : 10);
while (time < $until) {
    next unless $sel->can_read(0.2);
    my $n = sysread($s, my $chunk, 65536);
    last unless $n;
    $got .= $chunk;
    $until = time + 1.5 if $got =~ /"body_too_large"/ && $until > time + 1.5;
}
like($got, qr{^HTTP/1\.1 413 }, 'the oversized body: 413');
like($got, qr/"code":"body_too_large"/, 'saying so');
my $answers = () = $got =~ m{HTTP/1\.1 \d{3} }g;
is($answers, 1, 'one answer: the bytes after the headers were not read as a request')
    or diag($got);
--- no_error_log
[alert]
[crit]
