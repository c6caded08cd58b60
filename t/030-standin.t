#!/usr/bin/perl
# Self-test of standin/ms-standin.js, the local stand-in for Microsoft's
# cloud.  Starts its own instance on 127.0.0.1:58990 with a temporary keys
# directory (it does not use the shared TEST_TEAMS_MOCK_PORT instance) and
# drives it with curl.  Needs node, curl and openssl.
use strict;
use warnings;

use Test::More;
use JSON::PP;
use File::Temp qw(tempdir);
use FindBin;
use MIME::Base64 qw(decode_base64);
use Time::HiRes qw(time);

my $script = "$FindBin::Bin/../standin/ms-standin.js";
my $port   = 58990;
my $B      = "http://127.0.0.1:$port";
my $tmp    = tempdir(CLEANUP => 1);
my $keys   = "$tmp/keys";
my $json   = JSON::PP->new->canonical;

for my $tool (qw(node curl openssl)) {
    system("command -v $tool >/dev/null 2>&1") == 0
        or plan skip_all => "$tool not installed";
}

my ($pid, $fh);

sub start_standin {
    $pid = open($fh, '-|', 'node', $script, '--port', $port,
                '--keys-dir', $keys)
        or die "cannot start node: $!";
    my $line = <$fh>;
    return $line;
}

sub stop_standin {
    return unless $pid;
    kill 'TERM', $pid;
    close $fh;                  # waits for the child
    my $st = $?;
    undef $pid;
    return $st;
}

END { stop_standin() if $pid }

sub slurp {
    my ($f) = @_;
    open(my $h, '<', $f) or die "$f: $!";
    local $/;
    my $d = <$h>;
    close $h;
    return $d;
}

sub spew {
    my ($f, $d) = @_;
    open(my $h, '>', $f) or die "$f: $!";
    binmode $h;
    print $h $d;
    close $h;
}

sub b64u_decode {
    my ($s) = @_;
    $s =~ tr{-_}{+/};
    $s .= '=' x ((4 - length($s) % 4) % 4);
    return decode_base64($s);
}

sub jwt_parts {
    my ($tok) = @_;
    my ($h, $p, $s) = split /\./, $tok;
    return ($json->decode(b64u_decode($h)), $json->decode(b64u_decode($p)),
            "$h.$p", b64u_decode($s));
}

# openssl dgst -verify on a compact JWS; returns true when "Verified OK".
sub openssl_verify {
    my ($tok, $pub, $hash) = @_;
    my (undef, undef, $input, $sig) = jwt_parts($tok);
    spew("$tmp/jws.in", $input);
    spew("$tmp/jws.sig", $sig);
    my $out = `openssl dgst -$hash -verify '$pub' -signature '$tmp/jws.sig' '$tmp/jws.in' 2>&1`;
    return $? == 0 && $out =~ /Verified OK/;
}

# req(METHOD, PATH, json => REF | form => [k=v...] | raw => STR,
#     headers => [...]) -> {code, time, headers{lc}, body, json}
sub req {
    my ($method, $path, %o) = @_;
    my @cmd = ('curl', '-s', '-S', '--max-time', '10', '-X', $method,
               '-D', "$tmp/resp.h", '-o', "$tmp/resp.b",
               '-w', '%{http_code} %{time_total}');
    push @cmd, '-H', $_ for @{ $o{headers} || [] };
    if (exists $o{json}) {
        push @cmd, '-H', 'Content-Type: application/json',
                   '--data-binary', $json->encode($o{json});
    }
    push @cmd, '--data-urlencode', $_ for @{ $o{form} || [] };
    push @cmd, '--data-binary', $o{raw} if exists $o{raw};
    push @cmd, "$B$path";
    unlink "$tmp/resp.b", "$tmp/resp.h";
    open(my $c, '-|', @cmd) or die "curl: $!";
    my $w = do { local $/; <$c> };
    close $c;
    my ($code, $t) = split ' ', ($w // '000 0');
    my %h;
    if (-e "$tmp/resp.h") {
        for (split /\r?\n/, slurp("$tmp/resp.h")) {
            $h{ lc $1 } = $2 if /^([^:\s]+):\s*(.*)$/;
        }
    }
    my $body = -e "$tmp/resp.b" ? slurp("$tmp/resp.b") : '';
    my $j = eval { length $body ? $json->decode($body) : undef };
    return { code => $code, time => $t, headers => \%h, body => $body,
             json => $j };
}

my $r;

# ------------------------------------------------------------- start
my $line = start_standin();
ok(defined $line, 'stand-in started') or BAIL_OUT('stand-in did not start');
is($line, "ms-standin listening on $B\n", 'ready line');

for my $n (qw(botfw entra)) {
    ok(-s "$keys/$n.$_", "$n.$_ written")
        for qw(key.pem pub.pem kid jwks.json);
}
my $botfw_kid = slurp("$keys/botfw.kid");
my $entra_kid = slurp("$keys/entra.kid");
s/\s+$// for $botfw_kid, $entra_kid;
isnt($botfw_kid, $entra_kid, 'distinct kids');

is(req('GET', '/_health')->{json}{ok}, JSON::PP::true, '/_health');

# ------------------------------------------------------------ OpenID
$r = req('GET', '/botframework/v1/.well-known/openidconfiguration');
is($r->{code}, 200, 'botfw openid 200');
is($r->{json}{issuer}, 'https://api.botframework.com', 'botfw issuer');
is($r->{json}{jwks_uri}, "$B/botframework/v1/.well-known/keys",
   'botfw jwks_uri');
is_deeply($r->{json}{id_token_signing_alg_values_supported}, ['RS256'],
          'botfw algs');
is_deeply($r->{json}{token_endpoint_auth_methods_supported},
          ['private_key_jwt'], 'botfw auth methods');
ok($r->{json}{authorization_endpoint}, 'botfw authorization_endpoint');

$r = req('GET', '/botframework/v1/.well-known/keys');
is($r->{code}, 200, 'botfw keys 200');
is(scalar @{ $r->{json}{keys} }, 1, 'one botfw key');
my $k = $r->{json}{keys}[0];
is($k->{kty}, 'RSA', 'kty');
is($k->{use}, 'sig', 'use');
is($k->{kid}, $botfw_kid, 'botfw kid matches file');
like($k->{n}, qr/^[A-Za-z0-9_-]{300,}$/, 'n base64url');
is($k->{e}, 'AQAB', 'e');
ok((grep { $_ eq 'msteams' } @{ $k->{endorsements} }), 'msteams endorsed');
ok((grep { $_ eq 'emulator' } @{ $k->{endorsements} }), 'emulator endorsed');
is_deeply($json->decode(slurp("$keys/botfw.jwks.json")), $r->{json},
          'botfw.jwks.json equals served keys');

$r = req('GET', '/common/v2.0/.well-known/openid-configuration');
is($r->{code}, 200, 'entra common openid 200');
is($r->{json}{issuer}, 'https://login.microsoftonline.com/{tenantid}/v2.0',
   'common issuer has {tenantid}');
is($r->{json}{jwks_uri}, "$B/common/discovery/v2.0/keys", 'entra jwks_uri');
my $tid = '11111111-2222-4333-8444-555555555555';
$r = req('GET', "/$tid/v2.0/.well-known/openid-configuration");
is($r->{json}{issuer}, "https://login.microsoftonline.com/$tid/v2.0",
   'tenant issuer');
is($r->{json}{token_endpoint}, "$B/$tid/oauth2/v2.0/token",
   'tenant token_endpoint');
for my $p ('/common/discovery/v2.0/keys', "/$tid/discovery/v2.0/keys") {
    $r = req('GET', $p);
    is($r->{json}{keys}[0]{kid}, $entra_kid, "entra kid at $p");
}
is_deeply($json->decode(slurp("$keys/entra.jwks.json")), $r->{json},
          'entra.jwks.json equals served keys');

# ------------------------------------------------------------- token
req('DELETE', '/_recorded');
my @cc = ('grant_type=client_credentials', 'client_id=app-1',
          'client_secret=s3cret');
$r = req('POST', "/$tid/oauth2/v2.0/token",
         form => [@cc, 'scope=https://graph.microsoft.com/.default']);
is($r->{code}, 200, 'token 200');
is($r->{json}{token_type}, 'Bearer', 'token_type');
is($r->{json}{expires_in}, 3599, 'expires_in');
is($r->{json}{ext_expires_in}, 3599, 'ext_expires_in');
my $graph_token = $r->{json}{access_token};
my ($th, $tp) = jwt_parts($graph_token);
is($th->{alg}, 'RS256', 'token alg');
is($th->{kid}, $entra_kid, 'token kid is entra');
is($tp->{aud}, 'https://graph.microsoft.com', 'aud from scope');
is($tp->{tid}, $tid, 'tid');
is($tp->{appid}, 'app-1', 'appid');
is($tp->{iss}, "https://sts.windows.net/$tid/", 'iss');
ok(ref $tp->{roles} eq 'ARRAY', 'roles');
ok($tp->{exp} - $tp->{iat} == 3599 && $tp->{nbf} == $tp->{iat},
   'iat/nbf/exp');
ok(openssl_verify($graph_token, "$keys/entra.pub.pem", 'sha256'),
   'token verifies with entra.pub.pem');

$r = req('POST', '/botframework.com/oauth2/v2.0/token',
         form => [@cc, 'scope=https://api.botframework.com/.default']);
(undef, $tp) = jwt_parts($r->{json}{access_token});
is($tp->{aud}, 'https://api.botframework.com', 'botframework aud');

$r = req('POST', "/$tid/oauth2/v2.0/token",
         form => ['grant_type=client_credentials', 'client_id=app-1',
                  'scope=https://graph.microsoft.com/.default']);
is($r->{code}, 400, 'missing client_secret 400');
is($r->{json}{error}, 'invalid_request', 'invalid_request');
like($r->{json}{error_description}, qr/client_secret/, 'error_description');

is(req('POST', '/_credentials',
       json => { client_id => 'app-1', client_secret => 'right' })->{code},
   204, 'register credentials');
$r = req('POST', "/$tid/oauth2/v2.0/token",
         form => [@cc, 'scope=https://graph.microsoft.com/.default']);
is($r->{code}, 401, 'wrong secret 401');
is($r->{json}{error}, 'invalid_client', 'invalid_client');
$r = req('POST', "/$tid/oauth2/v2.0/token",
         form => ['grant_type=client_credentials', 'client_id=app-1',
                  'client_secret=right',
                  'scope=https://graph.microsoft.com/.default']);
is($r->{code}, 200, 'right secret 200');
req('DELETE', '/_credentials');

$r = req('GET', '/_recorded?kind=token');
is(scalar @{ $r->{json} }, 5, 'token requests recorded');
is_deeply([ map { $_->{status} } @{ $r->{json} } ],
          [200, 200, 400, 401, 200], 'token statuses recorded');

# ------------------------------------------------------------- graph
is(req('DELETE', '/_recorded')->{code}, 204, 'DELETE /_recorded 204');
is_deeply(req('GET', '/_recorded')->{json}, [], 'recorder empty');

my $notif = { topic => { source => 'text', value => 'Ticket 42',
                         webUrl => 'https://teams.microsoft.com/l/x' },
              activityType => 'ticketAssigned',
              previewText => { content => 'hello' } };
my $san = '/v1.0/users/u-1/teamwork/sendActivityNotification';
$r = req('POST', "$san?trace=yes", json => $notif,
         headers => ["Authorization: Bearer $graph_token", 'X-Test: one']);
is($r->{code}, 204, 'sendActivityNotification 204');
is($r->{body}, '', 'no body');
$r = req('POST', $san, json => $notif);
is($r->{code}, 401, 'no bearer 401');
$r = req('POST', '/v1.0/teamwork/sendActivityNotificationToRecipients',
         json => { %$notif, recipients => [] },
         headers => ["Authorization: Bearer $graph_token"]);
like($r->{code}, qr/^20[24]$/, 'bulk send 2xx');
$r = req('GET', '/v1.0/users/u-1',
         headers => ["Authorization: Bearer $graph_token"]);
is($r->{code}, 200, 'other graph path 200');
is_deeply($r->{json}, {}, 'other graph path {}');

$r = req('GET', '/_recorded?kind=graph');
is(scalar @{ $r->{json} }, 4, 'four graph requests recorded');
my $e = $r->{json}[0];
is($e->{kind}, 'graph', 'kind');
is($e->{method}, 'POST', 'method');
is($e->{path}, $san, 'path');
is_deeply($e->{query}, { trace => 'yes' }, 'query');
is($e->{headers}{'x-test'}, 'one', 'header recorded lower-case');
is($e->{headers}{authorization}, "Bearer $graph_token", 'authorization');
is_deeply($e->{body}, $notif, 'JSON body recorded');
is($e->{status}, 204, 'status recorded');
like($e->{time}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'time');
ok($r->{json}[1]{seq} > $e->{seq}, 'seq increases');
is($r->{json}[1]{status}, 401, '401 recorded');
$r = req('GET', '/_recorded?path_prefix=/v1.0/users/u-1/teamwork');
is(scalar @{ $r->{json} }, 2, 'path_prefix filter');

# ---------------------------------------------------------- connector
my $conv = '/amer/v3/conversations/a%3A1xyz/activities';
$r = req('POST', $conv, json => { type => 'message', text => 'hi' },
         headers => ["Authorization: Bearer $graph_token"]);
is($r->{code}, 200, 'connector send 200');
ok($r->{json}{id}, 'activity id');
$r = req('POST', "$conv/123", json => { type => 'message' },
         headers => ["Authorization: Bearer $graph_token"]);
ok($r->{code} == 200 && $r->{json}{id}, 'connector reply 200 {id}');
$r = req('POST', '/amer/v3/conversations',
         json => { members => [{ id => '29:x' }], tenantId => $tid },
         headers => ["Authorization: Bearer $graph_token"]);
ok($r->{code} == 200 && $r->{json}{id}, 'create conversation {id}');
is(req('POST', $conv, json => {})->{code}, 401, 'connector needs bearer');
is(scalar @{ req('GET', '/_recorded?kind=connector')->{json} }, 4,
   'connector recorded');

is(req('DELETE', '/_recorded')->{code}, 204, 'DELETE /_recorded again');
is_deeply(req('GET', '/_recorded')->{json}, [], 'empty again');

# ------------------------------------------------------------- faults
$r = req('POST', '/_faults',
         json => { match => 'sendActivityNotification$', method => 'POST',
                   status => 429, retry_after => 2, count => 1 });
is($r->{code}, 201, 'fault added');
my @auth = (headers => ["Authorization: Bearer $graph_token"]);
$r = req('POST', $san, json => $notif, @auth);
is($r->{code}, 429, 'fault 429');
is($r->{headers}{'retry-after'}, '2', 'Retry-After: 2');
is($r->{json}{error}{code}, 'TooManyRequests', 'graph error body');
$r = req('POST', $san, json => $notif, @auth);
is($r->{code}, 204, 'then success');
is_deeply([ map { $_->{status} } @{ req('GET', '/_recorded')->{json} } ],
          [429, 204], 'fault recorded with status sent');
$r = req('GET', '/_faults');
is($r->{json}[0]{hits}, 1, 'fault hits');
is($r->{json}[0]{remaining}, 0, 'fault used up');
is(req('DELETE', '/_faults')->{code}, 204, 'faults cleared');
is_deeply(req('GET', '/_faults')->{json}, [], 'no faults');

req('POST', '/_faults',
    json => { match => '/v3/conversations/', delay_ms => 700, count => 1 });
$r = req('POST', $conv, json => { type => 'message' }, @auth);
ok($r->{code} == 200 && $r->{time} >= 0.65, "delayed answer ($r->{time}s)");
$r = req('POST', $conv, json => { type => 'message' }, @auth);
ok($r->{code} == 200 && $r->{time} < 0.5, "next answer fast ($r->{time}s)");

req('POST', '/_faults', json => { match => '/oauth2/', status => 503,
                                  count => 1, body => { x => 1 } });
$r = req('POST', "/$tid/oauth2/v2.0/token",
         form => [@cc, 'scope=https://graph.microsoft.com/.default']);
ok($r->{code} == 503 && $r->{json}{x} == 1, 'token fault with custom body');
is(req('POST', '/_faults', json => { match => '(' })->{code}, 400,
   'bad regex rejected');
req('DELETE', '/_faults');

# ------------------------------------------------------------- limits
# low limits, so that six calls from a slow machine still exceed them
is(req('POST', '/_limits', json => { enabled => JSON::PP::true,
                                     per_app_tenant_rps => 2,
                                     per_app_rps => 2 })->{code},
   200, 'limits enabled');
my ($n429, $ra) = (0, '');
for (1 .. 6) {
    $r = req('POST', $san, json => $notif, @auth);
    if ($r->{code} == 429) {
        $n429++;
        $ra = $r->{headers}{'retry-after'};
    }
}
ok($n429 >= 1, "6 quick calls: $n429 answered 429");
is($ra, '1', 'limit 429 has Retry-After: 1');
$r = req('GET', '/_stats');
ok($r->{json}{limit_violations} >= 1, 'violation counted');
ok($r->{json}{max_observed_rps_per_app_tenant} >= 3,
   'max_observed_rps_per_app_tenant');
ok($r->{json}{max_observed_rps_per_app} >= 3, 'max_observed_rps_per_app');
ok($r->{json}{requests_by_kind}{graph} >= 6, 'requests_by_kind');
is(req('DELETE', '/_limits')->{code}, 204, 'limits reset');
$r = req('GET', '/_stats');
is($r->{json}{limit_violations}, 0, 'stats cleared');
ok(!$r->{json}{limits}{enabled}, 'limits off');
my $ok = 0;
for (1 .. 6) {
    $ok++ if req('POST', $san, json => $notif, @auth)->{code} == 204;
}
is($ok, 6, 'no 429 once limits are off');

# --------------------------------------------------------------- mint
my $claims = { iss => 'https://api.botframework.com', aud => 'bot-app',
               serviceurl => "$B/amer/", exp => time() + 600 };
$r = req('POST', '/_mint', json => { key => 'botframework',
                                     payload => $claims });
is($r->{code}, 200, 'mint 200');
my $minted = $r->{json}{token};
my ($mh, $mp) = jwt_parts($minted);
is_deeply($mh, { alg => 'RS256', typ => 'JWT', kid => $botfw_kid },
          'minted header');
is_deeply($mp, $claims, 'minted payload');
ok(openssl_verify($minted, "$keys/botfw.pub.pem", 'sha256'),
   'minted token verifies with openssl dgst -sha256 -verify botfw.pub.pem');
ok(!openssl_verify($minted, "$keys/entra.pub.pem", 'sha256'),
   'does not verify with the entra key');
my @p = split /\./, $minted;
my $tampered = join '.', $p[0],
    MIME::Base64::encode_base64url('{"aud":"evil"}'), $p[2];
ok(!openssl_verify($tampered, "$keys/botfw.pub.pem", 'sha256'),
   'tampered payload fails');

$r = req('POST', '/_mint', json => { key => 'botframework',
         header => { alg => 'RS512' }, payload => { a => 1 } });
ok(openssl_verify($r->{json}{token}, "$keys/botfw.pub.pem", 'sha512'),
   'RS512 mint verifies with sha512');
$r = req('POST', '/_mint', json => { key => 'entra',
         header => { alg => 'HS256', kid => 'nope' }, payload => { a => 1 } });
($mh) = jwt_parts($r->{json}{token});
is_deeply($mh, { alg => 'HS256', typ => 'JWT', kid => 'nope' },
          'bad header kept as given');
ok(openssl_verify($r->{json}{token}, "$keys/entra.pub.pem", 'sha256'),
   'bad-alg token still RS256-signed with entra key');
is(req('POST', '/_mint', json => { key => 'x', payload => {} })->{code}, 400,
   'mint with unknown key 400');

# -------------------------------------------------------------- misc
$r = req('GET', '/nope');
is($r->{code}, 404, 'unknown path 404');
is($r->{json}{error}, 'not_found', '404 JSON');

# ------------------------------------------------------------ restart
my $pubn = req('GET', '/botframework/v1/.well-known/keys')->{json}{keys}[0]{n};
is(stop_standin(), 0, 'exits 0 on SIGTERM');
$line = start_standin();
is($line, "ms-standin listening on $B\n", 'restarted');
$r = req('GET', '/botframework/v1/.well-known/keys');
is($r->{json}{keys}[0]{kid}, $botfw_kid, 'restart keeps botfw kid');
is($r->{json}{keys}[0]{n}, $pubn, 'restart keeps botfw key');
is(req('GET', '/common/discovery/v2.0/keys')->{json}{keys}[0]{kid},
   $entra_kid, 'restart keeps entra kid');
is(stop_standin(), 0, 'stopped');

done_testing();
