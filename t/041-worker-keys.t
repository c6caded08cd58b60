#!/usr/bin/perl
# teams-worker key sets: fetch OpenID metadata + JWKS, publish to Redis
# (teams:keys:<set>, :fetched_at, teams:keys:version), refresh on a
# teams:control "refresh_keys" entry at most once a minute per set, and
# never replace a published set with a failed or bad fetch.
#
# Needs TEST_TEAMS_WORKER, TEST_TEAMS_REDIS_PORT, TEST_TEAMS_PG_CONNINFO and
# TEST_TEAMS_MOCK_PORT (the stand-in); TEST_TEAMS_STATE_DIR is optional (its
# keys/*.jwks.json are compared when present).  Part of the suite runs its
# own tiny HTTP server on a free loopback port to serve bad metadata and
# keys.  Uses its own consumer group; the teams:keys:* keys it changes are
# put back (or deleted when they were absent) at the end, and
# teams:keys:version is then bumped so that readers reload.
use strict;
use warnings;

use Test::More;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

my $worker   = $ENV{TEST_TEAMS_WORKER};
my $rport    = $ENV{TEST_TEAMS_REDIS_PORT};
my $conninfo = $ENV{TEST_TEAMS_PG_CONNINFO};
my $mport    = $ENV{TEST_TEAMS_MOCK_PORT};
my $state    = $ENV{TEST_TEAMS_STATE_DIR};

plan skip_all => 'TEST_TEAMS_WORKER, TEST_TEAMS_REDIS_PORT, '
    . 'TEST_TEAMS_PG_CONNINFO and TEST_TEAMS_MOCK_PORT must be set'
    unless $worker && $rport && $conninfo && $mport;
plan skip_all => "TEST_TEAMS_WORKER=$worker is not executable"
    unless -x $worker;
plan skip_all => 'redis-cli not installed'
    unless system('command -v redis-cli >/dev/null 2>&1') == 0;

my $tmp   = tempdir(CLEANUP => 1);
my $group = "t041-group-$$";
my $mock  = "http://127.0.0.1:$mport";
my $http  = HTTP::Tiny->new(timeout => 10);
my $json  = JSON::PP->new->canonical;
my $line_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ teams-worker\[\d+\] (?:error|warn|info|debug): /;

my $bf_meta    = "$mock/botframework/v1/.well-known/openidconfiguration";
my $entra_meta = "$mock/common/v2.0/.well-known/openid-configuration";

my $health = $http->get("$mock/_health");
plan skip_all => "stand-in not answering on $mock" unless $health->{success};

# ------------------------------------------------------------- helpers

sub slurp {
    my ($path) = @_;
    open(my $fh, '<', $path) or return '';
    local $/;
    my $s = <$fh>;
    return defined $s ? $s : '';
}

sub spew {
    my ($path, $text) = @_;
    open(my $fh, '>', "$path.new") or die "$path: $!";
    print $fh $text;
    close $fh;
    rename("$path.new", $path) or die "rename $path: $!";
}

sub redis {
    my (@cmd) = @_;
    open(my $fh, '-|', 'redis-cli', '--raw', '-h', '127.0.0.1', '-p', $rport,
         @cmd) or die "redis-cli: $!";
    my $out = do { local $/; <$fh> };
    close $fh;
    $out = '' unless defined $out;
    $out =~ s/\n\z//;
    return $out;
}

# SET with the value on stdin (binary-safe, any length)
sub redis_set {
    my ($key, $value) = @_;
    die "bad key $key" unless $key =~ /^[\w:.-]+\z/;
    open(my $fh, '|-', "redis-cli -h 127.0.0.1 -p $rport -x SET $key "
         . '>/dev/null') or die "redis-cli: $!";
    print $fh $value;
    close $fh;
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

sub start_worker {
    my ($log, @args) = @_;
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open(STDOUT, '>', '/dev/null') or die;
        open(STDERR, '>', $log) or die;
        exec($worker, @args) or die "exec: $!";
    }
    return $pid;
}

sub stop_worker {
    my ($pid) = @_;
    return undef unless $pid && kill(0, $pid);
    kill 'TERM', $pid;
    my $deadline = time() + 15;
    while (time() < $deadline) {
        return $? >> 8 if waitpid($pid, WNOHANG) == $pid;
        sleep(0.05);
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return undef;
}

sub version { my $v = redis('GET', 'teams:keys:version'); $v eq '' ? 0 : $v }

sub kids {
    my ($text) = @_;
    my $doc = eval { decode_json($text) } or return '';
    return join(',', sort map { $_->{kid} // '' } @{ $doc->{keys} || [] });
}

# the stand-in's recorded openid requests after seq $since: list of paths
sub recorded {
    my ($since) = @_;
    my $r = $http->get("$mock/_recorded?kind=openid&since=$since");
    return () unless $r->{success};
    return map { $_->{path} } @{ decode_json($r->{content}) };
}

sub last_seq {
    my $r = $http->get("$mock/_recorded?kind=openid");
    return 0 unless $r->{success};
    my $list = decode_json($r->{content});
    return @$list ? $list->[-1]{seq} : 0;
}

sub xadd { redis('XADD', 'teams:control', '*', @_) }

sub acked {
    my ($id) = @_;
    return wait_for(10, sub {
        redis('XPENDING', 'teams:control', $group) =~ /^0\b/ ? 1 : 0
    });
}

sub free_port {
    for my $port (map { 20000 + int(rand(30000)) } 1 .. 50) {
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => $port, Proto => 'tcp',
                                      ReuseAddr => 1, Listen => 1)
            or next;
        close $s;
        return $port;
    }
    die 'no free port';
}

# ------------------------------------------------ save what we change

my @saved_keys = map { ("teams:keys:$_", "teams:keys:$_:fetched_at") }
                 qw(botframework entra);
my %saved;
for my $k (@saved_keys, 'teams:keys:version') {
    $saved{$k} = redis('GET', $k) if redis('EXISTS', $k) eq '1';
}

sub restore {
    redis('DEL', map { "teams:keys:$_:refresh_lock" } qw(botframework entra));
    if (!grep { exists $saved{$_} } @saved_keys) {
        redis('DEL', @saved_keys, 'teams:keys:version');
        return;
    }
    for my $k (@saved_keys) {
        if (exists $saved{$k}) { redis_set($k, $saved{$k}) }
        else { redis('DEL', $k) }
    }
    redis('INCR', 'teams:keys:version');
}

redis('DEL', @saved_keys,
      map { "teams:keys:$_:refresh_lock" } qw(botframework entra));

# the keys the stand-in serves
my %served;
for my $set (['botframework', "$mock/botframework/v1/.well-known/keys",
              'botfw'],
             ['entra', "$mock/common/discovery/v2.0/keys", 'entra']) {
    my ($name, $url, $file) = @$set;
    my $text = ($state && -f "$state/keys/$file.jwks.json")
             ? slurp("$state/keys/$file.jwks.json")
             : $http->get($url)->{content};
    $served{$name} = decode_json($text);
}

# --------------------------------------------- publish at start (A)

my $log_a = "$tmp/worker-a.log";
my $v0    = version();
my $seq0  = last_seq();
my $t0    = time();

my $pid_a = start_worker($log_a, '--postgres', $conninfo,
                         '--redis', "127.0.0.1:$rport",
                         '--consumer', "t041-a-$$", '--group', $group,
                         '--openid-botframework', $bf_meta,
                         '--openid-entra', $entra_meta);

ok(wait_for(20, sub {
    redis('EXISTS', 'teams:keys:botframework', 'teams:keys:entra') eq '2'
}), 'both key sets published at start') or diag(slurp($log_a));

for my $set (qw(botframework entra)) {
    my $text = redis('GET', "teams:keys:$set");
    my $doc = eval { decode_json($text) };
    is_deeply($doc, $served{$set}, "teams:keys:$set equals the served JWKS");
    ok(kids($text), "teams:keys:$set has kids (" . kids($text) . ')');
    my $at = redis('GET', "teams:keys:$set:fetched_at");
    ok($at =~ /^\d+$/ && abs($at - time()) < 60,
       "teams:keys:$set:fetched_at is the unix time ($at)");
}

is(version(), $v0 + 2, 'teams:keys:version incremented once per set');

my @paths = recorded($seq0);
is(scalar(grep { m{/v1/\.well-known/openidconfiguration$} } @paths), 1,
   'botframework metadata fetched once');
is(scalar(grep { m{/botframework/v1/\.well-known/keys$} } @paths), 1,
   'botframework keys fetched once');
is(scalar(grep { m{/v2\.0/\.well-known/openid-configuration$} } @paths), 1,
   'entra metadata fetched once');
is(scalar(grep { m{/discovery/v2\.0/keys$} } @paths), 1,
   'entra keys fetched once');

like(slurp($log_a), qr/ info: key set botframework: published 1 key\(s\) from \Q$mock\E\/botframework\/v1\/\.well-known\/keys, version \d+$/m,
     'publish logged');

ok(wait_for(10, sub {
    redis('XINFO', 'GROUPS', 'teams:control') =~ /\Q$group\E/
}), 'consumer group created on teams:control');

# ---------------------------------------------- refresh on request

{
    my $seq = last_seq();
    my $v   = version();
    my $id  = xadd('type', 'refresh_keys', 'set', 'botframework',
                   'reason', 'unknown_kid');

    ok(wait_for(10, sub { version() == $v + 1 }),
       'refresh_keys botframework: version incremented') or diag(slurp($log_a));
    my @p = recorded($seq);
    ok((grep { m{/botframework/v1/\.well-known/openidconfiguration$} } @p)
       && (grep { m{/botframework/v1/\.well-known/keys$} } @p),
       'refresh_keys botframework: metadata and keys fetched again');
    ok(!grep({ m{v2\.0} } @p), 'refresh_keys botframework: entra untouched');
    ok(acked($id), 'refresh_keys entry acknowledged');
    like(slurp($log_a), qr/control entry \Q$id\E: key set botframework: refreshing \(reason unknown_kid\)/,
         'refresh logged with its reason');
    my $ttl = redis('TTL', 'teams:keys:botframework:refresh_lock');
    ok($ttl > 0 && $ttl <= 60, "refresh lock held for <= 60 s ($ttl)");

    # a second request inside the minute: skipped
    $seq = last_seq();
    $v   = version();
    $id  = xadd('type', 'refresh_keys', 'set', 'botframework',
                'reason', 'unknown_kid');
    ok(wait_for(10, sub {
        slurp($log_a) =~ /control entry \Q$id\E: key set botframework: refresh skipped/
    }), 'second refresh inside the minute: skipped and logged')
        or diag(slurp($log_a));
    ok(acked($id), 'skipped request acknowledged');
    is(version(), $v, 'skipped: version unchanged');
    is(scalar(recorded($seq)), 0, 'skipped: nothing fetched');

    # "all": botframework is still locked, entra is not
    $seq = last_seq();
    $v   = version();
    $id  = xadd('type', 'refresh_keys', 'set', 'all');
    ok(wait_for(10, sub { version() == $v + 1 }),
       'refresh_keys all: one set refreshed') or diag(slurp($log_a));
    ok(acked($id), 'refresh_keys all acknowledged');
    @p = recorded($seq);
    ok((grep { m{/discovery/v2\.0/keys$} } @p)
       && !(grep { m{botframework} } @p),
       'refresh_keys all: entra fetched, botframework skipped (locked)');

    # nonsense set: acknowledged, nothing fetched
    $seq = last_seq();
    $id  = xadd('type', 'refresh_keys', 'set', 'every');
    ok(wait_for(10, sub {
        slurp($log_a) =~ /control entry \Q$id\E: refresh_keys: "set" must be/
    }), 'unknown set: logged');
    ok(acked($id), 'unknown set: acknowledged');
    is(scalar(recorded($seq)), 0, 'unknown set: nothing fetched');
}

# ---------------------------------- a stand-in fault keeps the set

SKIP: {
    my $r = $http->post("$mock/_faults", {
        headers => { 'content-type' => 'application/json' },
        content => encode_json({ match => 'keys', status => 500 }) });
    my $probe = $http->get("$mock/botframework/v1/.well-known/keys");
    if (!$r->{success} || $probe->{status} != 500) {
        $http->delete("$mock/_faults");
        skip('the stand-in does not apply faults to openid requests; '
             . 'covered by our own server below', 4);
    }

    redis('DEL', 'teams:keys:botframework:refresh_lock');
    my $before = redis('GET', 'teams:keys:botframework');
    my $v = version();
    my $id = xadd('type', 'refresh_keys', 'set', 'botframework');
    ok(wait_for(15, sub {
        slurp($log_a) =~ /error: key set botframework: JWKS GET \S+ failed: HTTP 500; the published set is kept/
    }), 'stand-in fault 500: error logged') or diag(slurp($log_a));
    ok(acked($id), 'stand-in fault: entry acknowledged');
    is(version(), $v, 'stand-in fault: version unchanged');
    is(redis('GET', 'teams:keys:botframework'), $before,
       'stand-in fault: published set kept');
    $http->delete("$mock/_faults");
}

my $rc = stop_worker($pid_a);
is($rc, 0, 'worker A: SIGTERM, exit 0');

# --------------------------- our own server: bad metadata and keys

my $sport = free_port();
my $own   = "http://127.0.0.1:$sport";
my $mode  = "$tmp/mode";
my $entra_jwks = slurp($state && -f "$state/keys/entra.jwks.json"
                       ? "$state/keys/entra.jwks.json" : '/dev/null')
                 || $http->get("$mock/common/discovery/v2.0/keys")->{content};

spew($mode, 'good');

my $server = fork() // die "fork: $!";
if ($server == 0) {
    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                  LocalPort => $sport, Proto => 'tcp',
                                  ReuseAddr => 1, Listen => 16)
        or die "listen: $!";
    while (my $c = $l->accept) {
        my $req = '';
        while (defined(my $line = <$c>)) {
            $req .= $line;
            last if $line =~ /^\r?\n\z/;
        }
        my ($path) = $req =~ m{^GET (\S+)};
        my $m = slurp($mode);
        my ($status, $body) = (404, '{}');
        if (defined $path && $path eq '/meta') {
            my $jwks = $m eq 'otherhost'
                     ? "$mock/common/discovery/v2.0/keys" : "$own/keys";
            ($status, $body) = (200, encode_json({
                issuer => 'https://login.microsoftonline.com/{tenantid}/v2.0',
                jwks_uri => $jwks }));
        } elsif (defined $path && $path eq '/keys') {
            ($status, $body) =
                $m eq 'garbage' ? (200, '{"keys": GARBAGE-MARKER-41')
              : $m eq 'nokeys'  ? (200, '{"keys":[{"kty":"EC","kid":"x",'
                                        . '"crv":"P-256"}]}')
              : $m eq 'error'   ? (500, '{"error":"GARBAGE-MARKER-500"}')
              : (200, $entra_jwks);
        }
        print $c "HTTP/1.1 $status X\r\nContent-Type: application/json\r\n"
            . 'Content-Length: ' . length($body)
            . "\r\nConnection: close\r\n\r\n$body";
        close $c;
    }
    exit 0;
}

ok(wait_for(5, sub { $http->get("$own/meta")->{success} }),
   "own server up on $own");

my $log_b = "$tmp/worker-b.log";
my $v1 = version();

my $pid_b = start_worker($log_b, '--postgres', $conninfo,
                         '--redis', "127.0.0.1:$rport",
                         '--consumer', "t041-b-$$", '--group', $group,
                         '--openid-botframework', 'off',
                         '--openid-entra', "$own/meta",
                         '--keys-refresh-interval', '1h');

ok(wait_for(15, sub { version() == $v1 + 1 }),
   'worker B: entra published from our server at start')
    or diag(slurp($log_b));
like(slurp($log_b), qr/ info: key set botframework: off/,
     'worker B: botframework off, logged');
ok(wait_for(10, sub {
    slurp($log_b) =~ /stream teams:control: consuming/
}), 'worker B: consuming teams:control');

my $good = redis('GET', 'teams:keys:entra');
is_deeply(decode_json($good), decode_json($entra_jwks),
          'worker B: published the served JWKS');

# each bad answer in turn, then a good one (which resets the backoff)
for my $case (['error', qr/JWKS GET \Q$own\E\/keys failed: HTTP 500/],
              ['garbage', qr/JWKS \Q$own\E\/keys refused: /],
              ['nokeys', qr/JWKS \Q$own\E\/keys refused: /],
              ['otherhost', qr/OpenID metadata \Q$own\E\/meta has a jwks_uri on another host/]) {
    my ($m, $re) = @$case;

    spew($mode, $m);
    redis('DEL', 'teams:keys:entra:refresh_lock');
    my $seq = last_seq();
    my $v = version();
    my $id = xadd('type', 'refresh_keys', 'set', 'entra');

    ok(wait_for(15, sub {
        slurp($log_b) =~ /error: key set entra: $re.*; the published set is kept, retry 1 in \d+\.\d{3}s$/m
    }), "$m: error logged with the reason") or diag(slurp($log_b));
    ok(acked($id), "$m: entry acknowledged");
    is(version(), $v, "$m: version unchanged");
    is(redis('GET', 'teams:keys:entra'), $good, "$m: published set kept");
    if ($m eq 'otherhost') {
        is(scalar(grep { m{/keys$} } recorded($seq)), 0,
           'otherhost: the other host was never asked');
    }

    spew($mode, 'good');
    redis('DEL', 'teams:keys:entra:refresh_lock');
    $v = version();
    xadd('type', 'refresh_keys', 'set', 'entra');
    ok(wait_for(15, sub { version() == $v + 1 }),
       "$m: a good fetch publishes again") or diag(slurp($log_b));
}

# a failure is retried on its own, with backoff (first retry in 5-10 s)
{
    spew($mode, 'garbage');
    redis('DEL', 'teams:keys:entra:refresh_lock');
    my $v = version();
    my $errors = () = slurp($log_b) =~ /error: key set entra/g;
    xadd('type', 'refresh_keys', 'set', 'entra');
    ok(wait_for(15, sub {
        my $n = () = slurp($log_b) =~ /error: key set entra/g;
        $n > $errors
    }), 'retry: first failure logged');
    my $failed_at = time();
    spew($mode, 'good');
    ok(wait_for(25, sub { version() == $v + 1 }),
       sprintf('retry: published by the retry, %.1f s after the failure',
               time() - $failed_at)) or diag(slurp($log_b));
    ok(time() - $failed_at >= 4, 'retry: not before the backoff');
    like(slurp($log_b), qr/error: key set entra: JWKS \S+ refused: .*retry 1 in (?:[5-9]|10)\.\d{3}s$/m,
         'retry: first retry scheduled in 5-10 s');
}

$rc = stop_worker($pid_b);
is($rc, 0, 'worker B: SIGTERM, exit 0');

kill 'TERM', $server;
waitpid($server, 0);

# ------------------------------------------------------------- logs

for my $log ($log_a, $log_b) {
    my $text = slurp($log);
    my @lines = split /\n/, $text;
    is(scalar(grep { !/$line_re/ } @lines), 0, "$log: every line formatted")
        or diag($text);
    unlike($text, qr/GARBAGE-MARKER/, "$log: response bodies never logged");
    unlike($text, qr/"n":|"keys":/, "$log: keys never logged");
    unlike($text, qr/\Q$conninfo\E/, "$log: conninfo never logged");
}

# ------------------------------------------------------------ cleanup

redis('XGROUP', 'DESTROY', 'teams:control', $group);
restore();

done_testing();
