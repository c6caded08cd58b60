#!/usr/bin/perl
# teams-worker bot replies: teams:replies entries are POSTed to the Bot
# Connector (the stand-in) with a bot token of profile A fetched once by
# client credentials; 429 Retry-After, 5xx spells, 401, permanent 4xx,
# hosts outside connector_hosts, Teams' per-conversation pacing and
# SIGTERM mid-backlog.
#
# Needs TEST_TEAMS_WORKER, TEST_TEAMS_REDIS_PORT, TEST_TEAMS_PG_CONNINFO,
# TEST_TEAMS_MOCK_PORT and TEST_TEAMS_SECRET_KEY_FILE, with the demo seed
# applied under that key (build.sh test does both).  The workers run in a
# group of their own; conversations are unique to the run; the stand-in's
# faults and credentials added here are removed at the end.
use strict;
use warnings;

use Test::More;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP;
use MIME::Base64 qw(decode_base64);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Time::Local qw(timegm);

my $worker   = $ENV{TEST_TEAMS_WORKER};
my $rport    = $ENV{TEST_TEAMS_REDIS_PORT};
my $conninfo = $ENV{TEST_TEAMS_PG_CONNINFO};
my $mport    = $ENV{TEST_TEAMS_MOCK_PORT};
my $keyfile  = $ENV{TEST_TEAMS_SECRET_KEY_FILE};

plan skip_all => 'TEST_TEAMS_WORKER, TEST_TEAMS_REDIS_PORT, '
    . 'TEST_TEAMS_PG_CONNINFO, TEST_TEAMS_MOCK_PORT and '
    . 'TEST_TEAMS_SECRET_KEY_FILE must be set'
    unless $worker && $rport && $conninfo && $mport && $keyfile;
plan skip_all => 'redis-cli or psql not installed'
    unless system('command -v redis-cli psql >/dev/null 2>&1') == 0;

my $repo = dirname(dirname(__FILE__));
my %id;
{
    open(my $fh, '<', "$repo/sql/seed/demo-ids.env") or die "demo-ids: $!";
    while (<$fh>) { $id{$1} = $2 if /^(\w+)=(\S+)/ }
}

my $tmp   = tempdir(CLEANUP => 1);
my $mock  = "http://127.0.0.1:$mport";
my $http  = HTTP::Tiny->new(timeout => 10);
my $group = "t080-$$";
my $run   = "t080-$$-" . int(time());
my $svc   = "$mock/amer/";

plan skip_all => "stand-in not answering on $mock"
    unless $http->get("$mock/_health")->{success};

# ------------------------------------------------------------- helpers

sub slurp { open(my $fh, '<', $_[0]) or return ''; local $/; <$fh> // '' }

sub redis {
    open(my $fh, '-|', 'redis-cli', '--raw', '-h', '127.0.0.1', '-p', $rport,
         @_) or die "redis-cli: $!";
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    $out =~ s/\n\z//;
    return $out;
}

sub wait_for {
    my ($secs, $cond) = @_;
    my $deadline = time() + $secs;
    while (time() < $deadline) {
        my $v = $cond->();
        return $v if $v;
        sleep(0.1);
    }
    return undef;
}

sub post_json {
    my ($path, $body) = @_;
    return $http->request($_[2] // 'POST', "$mock$path", {
        headers => { 'content-type' => 'application/json' },
        content => encode_json($body) });
}

sub recorded {
    my ($since, $kind) = @_;
    my $r = $http->get("$mock/_recorded?kind=$kind&since=$since");
    return () unless $r->{success};
    return @{ decode_json($r->{content}) };
}

sub last_seq {
    my @all = recorded(0, 'connector,token,graph,openid');
    return @all ? $all[-1]{seq} : 0;
}

sub iso_ms {
    my ($t) = @_;
    $t =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(?:\.(\d+))?Z$/ or return 0;
    return (timegm($6, $5, $4, $3, $2 - 1, $1) + ($7 ? "0.$7" : 0)) * 1000;
}

sub jwt_claims {
    my ($jwt) = @_;
    my $p = (split /\./, $jwt)[1] // '';
    $p =~ tr{-_}{+/};
    $p .= '=' x ((4 - length($p) % 4) % 4);
    return eval { decode_json(decode_base64($p)) } || {};
}

my $seq_no = 0;
sub reply {
    my (%a) = @_;
    my $n = ++$seq_no;
    my @f = (tenant => $a{tenant} // $id{PSA_TENANT_A},
             profile => $a{profile} // $id{PROFILE_ID_A},
             service_url => $a{service_url} // $svc,
             conversation => $a{conversation},
             reply_to => $a{reply_to} // "act-$n",
             activity => $a{activity}
                 // encode_json({ type => 'message', text => "reply $n" }),
             idempotency => $a{idempotency} // "$run-$n");
    redis('XADD', 'teams:replies', '*', @f);
    return { @f };
}

my $conf = "$tmp/w.conf";
open(my $cf, '>', $conf) or die;
print $cf <<CONF;
postgres = $conninfo
redis = 127.0.0.1:$rport
group = $group
consumer = t080-worker
token_endpoint_base = $mock
openid_botframework = off
openid_entra = off
secret_key_file = $keyfile
connector_hosts = 127.0.0.1:$mport
notify = off
CONF
close $cf;

sub start_worker {
    my ($log) = @_;
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open(STDOUT, '>', '/dev/null') or die;
        open(STDERR, '>>', $log) or die;
        exec($worker, '--config', $conf) or die "exec: $!";
    }
    return $pid;
}

sub stop_worker {
    my ($pid) = @_;
    return undef unless $pid && kill(0, $pid);
    kill 'TERM', $pid;
    my $deadline = time() + 20;
    while (time() < $deadline) {
        return $? >> 8 if waitpid($pid, WNOHANG) == $pid;
        sleep(0.05);
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return undef;
}

# the conversation's recorded connector POSTs since $since
sub posts {
    my ($since, $conv) = @_;
    my $enc = $conv;
    $enc =~ s/([^A-Za-z0-9\-_.!~*'()])/sprintf('%%%02X', ord($1))/ge;
    return grep { $_->{method} eq 'POST'
                  && index($_->{path}, "/v3/conversations/$enc/") >= 0 }
           recorded($since, 'connector');
}

# profile A's secret, so the stand-in checks what the worker sends
my $secret_tool = dirname($worker) . '/teams-secret';
my $envelope = `psql "$conninfo" -Atc "select client_secret_ref from microsoft_profiles where tenant = '$id{PSA_TENANT_A}' and profile_id = '$id{PROFILE_ID_A}'"`;
chomp $envelope;
plan skip_all => 'profile A has no client secret (demo seed missing?)'
    unless $envelope =~ /^v1:/;
my $secret = '';
if (-x $secret_tool) {
    open(my $sp, '-|', "printf '%s' '$envelope' | '$secret_tool' decrypt "
         . "--key-file '$keyfile' --tenant $id{PSA_TENANT_A} "
         . "--profile $id{PROFILE_ID_A}") or die;
    $secret = do { local $/; <$sp> } // '';
    close $sp;
    chomp $secret;
}

my @faults;
sub fault {
    my $r = post_json('/_faults', $_[0]);
    die "fault: $r->{status} $r->{content}" unless $r->{status} == 201;
    push @faults, decode_json($r->{content})->{id};
}

END {
    $http->request('DELETE', "$mock/_faults/$_") for @faults;
    $http->request('DELETE', "$mock/_credentials") if $secret ne '';
}

if ($secret ne '') {
    my $r = post_json('/_credentials', { client_id => $id{BOT_APP_ID_A},
                                         client_secret => $secret });
    ok($r->{success}, 'stand-in told profile A\'s real secret');
}

my $log = "$tmp/worker.log";

# ------------------------------------------------ sent, token once, cached

my $since = last_seq();
my $pid = start_worker($log);
ok(wait_for(10, sub { slurp($log) =~ /stream teams:replies: consuming/ }),
   'worker consumes teams:replies')
    or diag(slurp($log));

my $conv = "a:$run-basic";
reply(conversation => $conv, reply_to => "act-a$_") for 1 .. 3;
ok(wait_for(10, sub { posts($since, $conv) == 3 }), '3 replies posted');
reply(conversation => $conv, reply_to => 'act-a4');
ok(wait_for(10, sub { posts($since, $conv) == 4 }), 'a 4th later');

my @p = posts($since, $conv);
(my $enc = $conv) =~ s/:/%3A/g;
is_deeply([ map { $_->{path} } @p ],
          [ map { "/amer/v3/conversations/$enc/activities/act-a$_" } 1 .. 4 ],
          'POST {serviceUrl}v3/conversations/{conv}/activities/{replyToId}');
is($p[0]{status}, 200, 'the Connector accepted it');
is($p[0]{body}{replyToId}, 'act-a1', 'body carries replyToId');
is($p[0]{body}{type}, 'message', 'body is the activity');
like($p[0]{headers}{'content-type'}, qr{^application/json}, 'JSON');

my ($bearer) = ($p[0]{headers}{authorization} // '') =~ /^Bearer (\S+)$/;
ok($bearer, 'Authorization: Bearer <token>');
my $c = jwt_claims($bearer // '');
is($c->{appid}, $id{BOT_APP_ID_A}, 'token for the bot app id');
is($c->{tid}, $id{MS_TENANT_A}, 'token from profile A\'s Entra tenant');
is($c->{aud}, 'https://api.botframework.com', 'token for the Connector');
is(scalar(grep { ($_->{headers}{authorization} // '') eq "Bearer $bearer" }
          @p), 4, 'every reply carries the same token');

my @tok = grep { $_->{path} =~ m{/oauth2/v2\.0/token$} }
          recorded($since, 'token');
is(scalar(@tok), 1, 'one token request for several replies (cached)');
is($tok[0]{path}, "/$id{MS_TENANT_A}/oauth2/v2.0/token",
   'token endpoint of profile A\'s tenant');
my $form = $tok[0]{body} // '';
$form = join('&', map { "$_=$form->{$_}" } sort keys %$form) if ref $form;
like($form, qr/grant_type=client_credentials/, 'client credentials');
like($form, qr/client_id=\Q$id{BOT_APP_ID_A}\E/, 'client id BOT_APP_ID_A');
like($form, qr/scope=https(?:%3A|:)(?:%2F|\/){2}api\.botframework\.com(?:%2F|\/)\.default/i,
     'scope api.botframework.com/.default');
is($tok[0]{status}, 200, 'the stand-in accepted the decrypted secret')
    if $secret ne '';
unlike(slurp($log), qr/\Q$bearer\E/, 'the token is not logged');
unlike(slurp($log), qr/\Q$secret\E/, 'the secret is not logged')
    if $secret ne '';

# ------------------------------------------------------ 429 Retry-After

$conv = "a:$run-429";
fault({ match => "$run-429", kind => 'connector', status => 429,
        retry_after => 2, count => 1 });
reply(conversation => $conv);
ok(wait_for(15, sub { grep { ($_->{status} // 0) == 200 }
                           posts($since, $conv) }), '429 then sent');
@p = posts($since, $conv);
is_deeply([ map { $_->{status} } @p ], [ 429, 200 ], 'two attempts');
my $gap = iso_ms($p[1]{time}) - iso_ms($p[0]{time});
cmp_ok($gap, '>=', 1900, "Retry-After: 2 honoured (${gap} ms)");
cmp_ok($gap, '<', 4000, 'and not much longer');

# ------------------------------------------------------------ 5xx spell

$conv = "a:$run-5xx";
fault({ match => "$run-5xx", kind => 'connector', status => 503,
        count => 3 });
reply(conversation => $conv);
ok(wait_for(20, sub { grep { ($_->{status} // 0) == 200 }
                           posts($since, $conv) }), '5xx spell then sent');
@p = posts($since, $conv);
is_deeply([ map { $_->{status} } @p ], [ 503, 503, 503, 200 ],
          'retried with backoff until sent');
my @gaps = map { iso_ms($p[$_]{time}) - iso_ms($p[$_ - 1]{time}) } 1 .. 3;
ok($gaps[2] > $gaps[0], "backoff grows (@gaps ms)");

# ------------------------- a waiting conversation holds up no other one

my ($cx, $cy) = ("a:$run-holx", "a:$run-holy");
fault({ match => "$run-holx", kind => 'connector', status => 429,
        retry_after => 3, count => 1 });
reply(conversation => $cx, reply_to => 'act-x1');
reply(conversation => $cx, reply_to => 'act-x2');
reply(conversation => $cy, reply_to => 'act-y1');
ok(wait_for(20, sub { (grep { ($_->{status} // 0) == 200 }
                             posts($since, $cx)) == 2
                      && posts($since, $cy) == 1 }),
   'both conversations sent');
my @px = posts($since, $cx);
my ($py) = posts($since, $cy);
is_deeply([ map { "$_->{body}{replyToId} $_->{status}" } @px ],
          [ 'act-x1 429', 'act-x1 200', 'act-x2 200' ],
          'the waiting conversation keeps its order');
cmp_ok(iso_ms($py->{time}), '<', iso_ms($px[1]{time}),
       'the other conversation went while it waited');
cmp_ok(iso_ms($py->{time}) - iso_ms($px[0]{time}), '<', 1500,
       'at once, not after the 3 s Retry-After ('
       . (iso_ms($py->{time}) - iso_ms($px[0]{time})) . ' ms)');
cmp_ok(iso_ms($px[1]{time}) - iso_ms($px[0]{time}), '>=', 2900,
       'the Retry-After still honoured');

# a reply whose wait ran out while another conversation's POST was slow
# still goes before the later replies of its conversation
my ($ce, $cd) = ("a:$run-ordx", "a:$run-ordd");
fault({ match => "$run-ordx", kind => 'connector', status => 503,
        count => 1 });
fault({ match => "$run-ordd", kind => 'connector', delay_ms => 2000,
        count => 2 });
# the worker busy with a slow POST, so that the next three come in one read
reply(conversation => $cd, reply_to => 'act-d0');
ok(wait_for(10, sub { posts($since, $cd) == 1 }), 'a slow POST under way');
reply(conversation => $ce, reply_to => 'act-e1');
reply(conversation => $cd, reply_to => 'act-d1');
reply(conversation => $ce, reply_to => 'act-e2');
ok(wait_for(20, sub { (grep { ($_->{status} // 0) == 200 }
                             posts($since, $ce)) == 2 }),
   'slow neighbour: both replies sent');
is_deeply([ map { "$_->{body}{replyToId} $_->{status}" } posts($since, $ce) ],
          [ 'act-e1 503', 'act-e1 200', 'act-e2 200' ],
          'slow neighbour: still in order');

# ------------------------------------------------ 401: new token, once

$conv = "a:$run-401";
my $tok_before = scalar(grep { $_->{path} =~ /token$/ }
                        recorded($since, 'token'));
fault({ match => "$run-401", kind => 'connector', status => 401,
        count => 1 });
reply(conversation => $conv);
ok(wait_for(10, sub { grep { ($_->{status} // 0) == 200 }
                           posts($since, $conv) }), '401 then sent');
is_deeply([ map { $_->{status} } posts($since, $conv) ], [ 401, 200 ],
          'retried once');
is(scalar(grep { $_->{path} =~ /token$/ } recorded($since, 'token')),
   $tok_before + 1, 'with a new token');

# ---------------------------------------------- permanent 4xx: no retry

$conv = "a:$run-403";
fault({ match => "$run-403", kind => 'connector', status => 403,
        count => 5, body => { error => { code => 'BotNotInConversationRoster',
                                         message => 'not in roster' } } });
my $r403 = reply(conversation => $conv);
ok(wait_for(10, sub { slurp($log) =~ /reply \Q$r403->{idempotency}\E .*failed/ }),
   '403 logged as failed');
sleep(1.5);
is(scalar(posts($since, $conv)), 1, 'not retried');
like(slurp($log), qr/reply \Q$r403->{idempotency}\E .*HTTP 403 BotNotInConversationRoster: not in roster/,
     'with a readable reason');
my $failed = redis('XREVRANGE', 'teams:replies:failed', '+', '-', 'COUNT',
                   '20');
like($failed, qr/\Q$r403->{idempotency}\E\n(?:.*\n)*?403\n/,
     'recorded in teams:replies:failed with its status');

# ------------------------------------- a serviceUrl on a host not allowed

$since = last_seq();
$conv = "a:$run-evil";
my $evil = reply(conversation => $conv,
                 service_url => "http://localhost:$mport/amer/");
my $evil2 = reply(conversation => $conv,
                  service_url => "http://127.0.0.1:$mport.evil.example/amer/");
ok(wait_for(10, sub { slurp($log) =~ /reply \Q$evil2->{idempotency}\E .*failed/ }),
   'replies to other hosts refused');
like(slurp($log), qr/reply \Q$evil->{idempotency}\E .*not on an allowed Bot Connector host/,
     'with the reason');
is(scalar(posts($since, $conv)), 0, 'never posted');
is(scalar(recorded($since, 'token')), 0, 'no token fetched for it');

# ------------------------------------------ Teams' per-conversation limits

$since = last_seq();
$conv = "a:$run-pace";
reply(conversation => $conv, reply_to => "act-p$_") for 1 .. 20;
ok(wait_for(20, sub { posts($since, $conv) == 20 }), '20 replies posted');
my @t = map { iso_ms($_->{time}) } posts($since, $conv);
my ($max1, $max2) = (0, 0);
for my $i (0 .. $#t) {
    my $n1 = grep { $_ >= $t[$i] && $_ < $t[$i] + 1000 } @t;
    my $n2 = grep { $_ >= $t[$i] && $_ < $t[$i] + 2000 } @t;
    $max1 = $n1 if $n1 > $max1;
    $max2 = $n2 if $n2 > $max2;
}
cmp_ok($max1, '<=', 7, "at most 7 posts in any second ($max1)");
cmp_ok($max2, '<=', 8, "at most 8 in any 2 s ($max2)");
is_deeply([ map { $_->{body}{replyToId} } posts($since, $conv) ],
          [ map { "act-p$_" } 1 .. 20 ], 'in order, each once');

# ---------------------------------------------- SIGTERM mid-backlog

$since = last_seq();
$conv = "a:$run-term";
reply(conversation => $conv, reply_to => "act-t$_") for 1 .. 16;
ok(wait_for(10, sub { posts($since, $conv) >= 3 }), 'backlog started');
is(stop_worker($pid), 0, 'SIGTERM: worker exits 0');
my $done = () = posts($since, $conv);
cmp_ok($done, '<', 16, "stopped mid-backlog ($done of 16 sent)");
like(redis('XPENDING', 'teams:replies', $group), qr/^[1-9]/,
     'entries left pending');

$pid = start_worker($log);
ok(wait_for(20, sub { posts($since, $conv) >= 16 }),
   'the next start sends the rest');
sleep(1);
is_deeply([ sort { $a cmp $b } map { $_->{body}{replyToId} }
            posts($since, $conv) ],
          [ sort { $a cmp $b } map { "act-t$_" } 1 .. 16 ],
          'none lost, none twice');
is(redis('XPENDING', 'teams:replies', $group) =~ /^(\d+)/ ? $1 : -1, 0,
   'nothing pending');

is(stop_worker($pid), 0, 'worker stopped');
unlike(slurp($log), qr/Bearer|client_secret/, 'no secrets in the log');
redis('XGROUP', 'DESTROY', 'teams:replies', $group);

done_testing();
