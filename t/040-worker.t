#!/usr/bin/perl
# teams-worker: configuration errors, --check-config, the control stream
# (alive key, ping -> pong), SIGTERM, and starting while Redis is down.
#
# Needs TEST_TEAMS_WORKER (build/teams-worker), TEST_TEAMS_REDIS_PORT and
# TEST_TEAMS_PG_CONNINFO.  The "Redis down" part runs its own Redis with
# tools/stack.sh (or redis-server directly when that script is missing) on
# the first free port from TEST_TEAMS_REDIS_PORT + 17 (or from
# TEST_TEAMS_WORKER_PORT) up.  Uses its own consumer group, so a worker
# already consuming the shared Redis does not take our messages.
use strict;
use warnings;

use Test::More;
use File::Temp qw(tempdir);
use FindBin;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

my $worker   = $ENV{TEST_TEAMS_WORKER};
my $rport    = $ENV{TEST_TEAMS_REDIS_PORT};
my $conninfo = $ENV{TEST_TEAMS_PG_CONNINFO};

plan skip_all => 'TEST_TEAMS_WORKER, TEST_TEAMS_REDIS_PORT and '
    . 'TEST_TEAMS_PG_CONNINFO must be set'
    unless $worker && $rport && $conninfo;
plan skip_all => "TEST_TEAMS_WORKER=$worker is not executable"
    unless -x $worker;
plan skip_all => 'redis-cli not installed'
    unless system('command -v redis-cli >/dev/null 2>&1') == 0;

my $tmp   = tempdir(CLEANUP => 1);
my $stack = "$FindBin::Bin/../tools/stack.sh";
my $group = "t040-group-$$";
my $line_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ teams-worker\[\d+\] (?:error|warn|info|debug): /;

sub slurp {
    my ($path) = @_;
    open(my $fh, '<', $path) or return '';
    local $/;
    my $s = <$fh>;
    return defined $s ? $s : '';
}

sub spew {
    my ($path, $text) = @_;
    open(my $fh, '>', $path) or die "$path: $!";
    print $fh $text;
    close $fh;
}

# run the worker to completion: (exit status, stdout, stderr)
sub run_worker {
    my (@args) = @_;
    my $out = "$tmp/run.out";
    my $err = "$tmp/run.err";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open(STDOUT, '>', $out) or die;
        open(STDERR, '>', $err) or die;
        exec($worker, @args) or die "exec: $!";
    }
    my $deadline = time() + 10;
    while (time() < $deadline) {
        my $r = waitpid($pid, WNOHANG);
        return ($? >> 8, slurp($out), slurp($err)) if $r == $pid;
        sleep(0.05);
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return (-1, slurp($out), slurp($err));
}

# start the worker in the background, stderr to $log
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

# wait up to $secs for the process to exit: exit status or undef
sub wait_exit {
    my ($pid, $secs) = @_;
    my $deadline = time() + $secs;
    while (time() < $deadline) {
        return $? >> 8 if waitpid($pid, WNOHANG) == $pid;
        sleep(0.05);
    }
    return undef;
}

sub kill_hard {
    my ($pid) = @_;
    return unless $pid && kill(0, $pid);
    kill 'KILL', $pid;
    waitpid($pid, 0);
}

sub redis {
    my ($port, @cmd) = @_;
    open(my $fh, '-|', 'redis-cli', '-h', '127.0.0.1', '-p', $port, @cmd)
        or die "redis-cli: $!";
    my $out = do { local $/; <$fh> };
    close $fh;
    $out = '' unless defined $out;
    $out =~ s/\s+\z//;
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

# A private port for our own Redis / an unused Postgres port: near the shared
# Redis port (TEST_TEAMS_WORKER_PORT overrides), the first one we can bind.
sub free_port {
    my ($from) = @_;
    for my $port ($from .. $from + 50) {
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => $port, Proto => 'tcp',
                                      ReuseAddr => 1, Listen => 1)
            or next;
        close $s;
        return $port;
    }
    die "no free port in $from .. " . ($from + 50);
}

my $port_base = $ENV{TEST_TEAMS_WORKER_PORT} || $rport + 17;

my $redis_addr = "127.0.0.1:$rport";

# key sets are t/041's: no fetching from Microsoft, no publishing here
my @keys_off = ('--openid-botframework', 'off', '--openid-entra', 'off');

# ------------------------------------------------------------ bad config

{
    my ($rc, $out, $err) = run_worker('--redis', $redis_addr);
    is($rc, 2, 'missing postgres: exit 2');
    like($err, qr/missing required setting "postgres"/,
         'missing postgres: named');
}

{
    my ($rc, $out, $err) = run_worker('--postgres', $conninfo);
    is($rc, 2, 'missing redis: exit 2');
    like($err, qr/missing required setting "redis"/, 'missing redis: named');
}

{
    spew("$tmp/unknown.conf", "# test\npostgres = $conninfo\n"
         . "redis = $redis_addr\ncolour = blue\n");
    my ($rc, $out, $err) = run_worker('--config', "$tmp/unknown.conf");
    is($rc, 2, 'unknown key: exit 2');
    like($err, qr/unknown\.conf:4: unknown setting "colour"/,
         'unknown key: file, line and key named');
}

{
    my ($rc, $out, $err) = run_worker('--postgres', $conninfo,
                                      '--redis', $redis_addr,
                                      '--colour', 'blue');
    is($rc, 2, 'unknown flag: exit 2');
    like($err, qr/unknown option "--colour"/, 'unknown flag: named');
}

for my $bad ('localhost:6379', '127.0.0.1:70000', '127.0.0.1:',
             'unix:relative', '[::1') {
    my ($rc, $out, $err) = run_worker('--postgres', $conninfo,
                                      '--redis', $bad);
    is($rc, 2, "bad redis address '$bad': exit 2");
    like($err, qr/invalid "redis" address "\Q$bad\E"/,
         "bad redis address '$bad': named");
}

{
    my ($rc, $out, $err) = run_worker('--config', "$tmp/nonexistent.conf");
    is($rc, 2, 'missing config file: exit 2');
    like($err, qr/cannot read config file "\Q$tmp\E\/nonexistent\.conf"/,
         'missing config file: named');

    ($rc, $out, $err) = run_worker('--config', $tmp);
    is($rc, 2, 'config file is a directory: exit 2');
    like($err, qr/cannot read config file "\Q$tmp\E"/,
         'config file is a directory: named');
}

{
    my ($rc, $out, $err) = run_worker('--postgres', $conninfo,
                                      '--redis', $redis_addr,
                                      '--log-level', 'chatty');
    is($rc, 2, 'bad log level: exit 2');
    like($err, qr/invalid "log_level" value "chatty"/, 'bad log level: named');
}

{
    my ($rc, $out, $err) = run_worker('--postgres',
                                      'password=hunter2 nonsense',
                                      '--redis', $redis_addr);
    is($rc, 2, 'malformed conninfo: exit 2');
    like($err, qr/invalid "postgres" connection string/,
         'malformed conninfo: named');
    unlike($err, qr/hunter2/, 'malformed conninfo: password not shown');
}

{
    my ($rc, $out, $err) = run_worker('--help');
    is($rc, 0, '--help: exit 0');
    like($out, qr/usage: teams-worker/, '--help: usage on stdout');
    like($out, qr/--secret-key-file/, '--help: lists the settings');
}

{
    spew("$tmp/ok.conf", "postgres = $conninfo\nredis = 127.0.0.1:1\n"
         . "group = g\nlog_level = debug\n");
    my ($rc, $out, $err) = run_worker('--config', "$tmp/ok.conf",
                                      '--redis', $redis_addr,
                                      '--check-config');
    is($rc, 0, '--check-config: exit 0') or diag($err);
    like($err, qr/configuration ok/, '--check-config: says so');
}

# ------------------------------------------------------- running worker

{
    my $consumer = "t040-$$";
    my $log = "$tmp/worker.log";

    spew("$tmp/run.conf", "postgres = $conninfo\nredis = 127.0.0.1:1\n"
         . "group = $group\nopenid_botframework = off\n"
         . "openid_entra = off\n");

    my $t0 = time();
    my $pid = start_worker($log, '--config', "$tmp/run.conf",
                           '--redis', $redis_addr, '--consumer', $consumer);

    my $alive = wait_for(10, sub {
        my $v = redis($rport, 'GET', "teams:worker:alive:$consumer");
        return $v =~ /^\d+$/ ? $v : undef;
    });
    ok($alive, 'alive key set') or diag(slurp($log));
    ok($alive && abs($alive - time()) < 60, 'alive key holds the unix time');
    my $ttl = redis($rport, 'TTL', "teams:worker:alive:$consumer");
    ok($ttl > 0 && $ttl <= 30, "alive key expires in <= 30 s ($ttl)");

    # wait until our group exists so the ping is not missed
    ok(wait_for(10, sub {
        redis($rport, 'XINFO', 'GROUPS', 'teams:control') =~ /\Q$group\E/
    }), 'consumer group created on teams:control');

    my $id = redis($rport, 'XADD', 'teams:control', '*', 'type', 'ping');
    like($id, qr/^\d+-\d+$/, "XADD ping: $id");

    my $pong = wait_for(10, sub {
        my $v = redis($rport, 'GET', "teams:worker:pong:$id");
        return length $v ? $v : undef;
    });
    is($pong, $consumer, 'pong key holds the consumer name')
        or diag(slurp($log));
    $ttl = redis($rport, 'TTL', "teams:worker:pong:$id");
    ok($ttl > 0 && $ttl <= 60, "pong key expires in <= 60 s ($ttl)");

    ok(wait_for(5, sub {
        (redis($rport, 'XPENDING', 'teams:control', $group) =~ /^0\b/) ? 1 : 0
    }), 'ping acknowledged (nothing pending)');

    ok(wait_for(5, sub { slurp($log) =~ /control entry \Q$id\E: type=ping/ }),
       'control entry logged');

    ok(kill(0, $pid), 'worker still running');

    my $t1 = time();
    kill 'TERM', $pid;
    my $rc = wait_exit($pid, 3);
    is($rc, 0, sprintf('SIGTERM: exit 0 (in %.2f s)', time() - $t1));
    kill_hard($pid) unless defined $rc;

    my $text = slurp($log);
    like($text, qr/ info: stopping$/m, 'logs "stopping"');
    is(redis($rport, 'EXISTS', "teams:worker:alive:$consumer"), '0',
       'alive key removed on a clean stop');

    my @lines = split /\n/, $text;
    ok(@lines >= 3, 'worker logged');
    is(scalar(grep { !/$line_re/ } @lines), 0, 'every log line is formatted')
        or diag($text);
    unlike($text, qr/\Q$conninfo\E/, 'conninfo never logged');

    redis($rport, 'DEL', "teams:worker:pong:$id");
}

# --------------------------------------------- starting with Redis down

{
    my $port     = free_port($port_base);
    my $dir      = "$tmp/redis-stack";
    my $consumer = "t040-down-$$";
    my $log      = "$tmp/worker-down.log";
    my $direct   = !-x $stack;

    mkdir $dir;

    my $redis_start = sub {
        if ($direct) {
            system('redis-server', '--bind', '127.0.0.1', '--port', $port,
                   '--save', '', '--appendonly', 'no', '--daemonize', 'yes',
                   '--dir', $dir, '--pidfile', "$dir/redis.pid",
                   '--logfile', "$dir/redis.log") == 0
                or return 0;
            return wait_for(10, sub { redis($port, 'PING') eq 'PONG' });
        }
        return system($stack, 'redis-start', $dir, $port) == 0;
    };

    my $redis_stop = sub {
        if ($direct) {
            redis($port, 'SHUTDOWN', 'NOSAVE');
            return wait_for(10, sub { redis($port, 'PING') ne 'PONG' });
        }
        return system($stack, 'redis-stop', $dir) == 0;
    };

    note('tools/stack.sh missing: using redis-server directly') if $direct;

    my $pid = start_worker($log, '--postgres', $conninfo,
                           '--redis', "127.0.0.1:$port",
                           '--consumer', $consumer, '--group', $group,
                           @keys_off);

    my @warns;
    wait_for(15, sub {
        @warns = (slurp($log) =~ /^.* warn: redis 127\.0\.0\.1:$port: cannot connect.*$/mg);
        @warns >= 2;
    });
    ok(@warns >= 2, 'Redis down: retries logged at warn ('
       . scalar(@warns) . ')') or diag(slurp($log));
    # about 3 s after the first retry: a few more, not one per poll
    sleep(2.5);
    is(waitpid($pid, WNOHANG), 0, 'Redis down: still running');
    my $text = slurp($log);
    @warns = ($text =~ /^.* warn: redis 127\.0\.0\.1:$port: cannot connect.*$/mg);
    ok(@warns <= 7, 'Redis down: retries back off (' . scalar(@warns) . ')')
        or diag($text);

    ok($redis_start->(), "Redis started on $port");

    ok(wait_for(20, sub {
        redis($port, 'GET', "teams:worker:alive:$consumer") =~ /^\d+$/
    }), 'connects once Redis is up') or diag(slurp($log));
    like(slurp($log), qr/ info: redis 127\.0\.0\.1:$port: connected/,
         'logs the connection');

    # an outage at run time: reconnect, no exit
    ok($redis_stop->(), 'Redis stopped under the worker');
    sleep(1.5);
    is(waitpid($pid, WNOHANG), 0, 'Redis outage: still running');
    ok($redis_start->(), 'Redis started again');
    ok(wait_for(40, sub {
        redis($port, 'GET', "teams:worker:alive:$consumer") =~ /^\d+$/
    }), 'reconnects after the outage') or diag(slurp($log));
    # a fresh Redis: the group is created again after the alive key
    ok(wait_for(10, sub {
        redis($port, 'XINFO', 'GROUPS', 'teams:control') =~ /\Q$group\E/
    }), 'consumer group there again');

    my $id = redis($port, 'XADD', 'teams:control', '*', 'type', 'ping');
    is(wait_for(10, sub {
        my $v = redis($port, 'GET', "teams:worker:pong:$id");
        return length $v ? $v : undef;
    }), $consumer, 'consumes again after the outage');

    kill 'TERM', $pid;
    my $rc = wait_exit($pid, 3);
    is($rc, 0, 'SIGTERM after the outage: exit 0');
    kill_hard($pid) unless defined $rc;

    $redis_stop->();
}

# ------------------------------------------ starting with Postgres down

{
    my $port     = free_port($port_base + 1);
    my $consumer = "t040-nopg-$$";
    my $log      = "$tmp/worker-nopg.log";

    my $pid = start_worker($log,
                           '--postgres', "hostaddr=127.0.0.1 port=$port "
                           . "dbname=teams user=postgres password=hunter2",
                           '--redis', $redis_addr, '--consumer', $consumer,
                           '--group', $group, @keys_off);

    sleep(2.5);
    is(waitpid($pid, WNOHANG), 0, 'Postgres down: still running after 2.5 s');
    my $text = slurp($log);
    like($text, qr/ warn: postgres 127\.0\.0\.1:$port\/teams: cannot connect/,
         'Postgres down: retries logged at warn') or diag($text);
    unlike($text, qr/hunter2/, 'Postgres down: password never logged');

    kill 'TERM', $pid;
    my $rc = wait_exit($pid, 3);
    is($rc, 0, 'SIGTERM while Postgres is down: exit 0');
    kill_hard($pid) unless defined $rc;
}

# ----------------------------------------------------- stream retention

{
    my $port     = free_port($port_base + 2);
    my $dir      = "$tmp/redis-trim";
    my $consumer = "t040-trim-$$";
    my $log      = "$tmp/worker-trim.log";

    mkdir $dir;
    ok(system($stack, 'redis-start', $dir, $port) == 0,
       "a Redis of its own on $port");

    # teams:replies: one old entry every group has acknowledged, one old
    # entry another group has read and not acknowledged, a recent one
    redis($port, 'XADD', 'teams:replies', '1000-0', 'n', '1');
    redis($port, 'XADD', 'teams:replies', '2000-0', 'n', '2');
    redis($port, 'XADD', 'teams:replies', '3000-0', 'n', '3');
    redis($port, 'XGROUP', 'CREATE', 'teams:replies', 'other', '0');
    redis($port, 'XREADGROUP', 'GROUP', 'other', 'c1', 'COUNT', '3',
          'STREAMS', 'teams:replies', '>');
    redis($port, 'XACK', 'teams:replies', 'other', '1000-0', '3000-0');
    my $recent = redis($port, 'XADD', 'teams:replies', '*', 'n', '4');
    # teams:control: an old entry and a recent one, no other group
    redis($port, 'XADD', 'teams:control', '1000-0', 'type', 'old');
    my $ctl = redis($port, 'XADD', 'teams:control', '*', 'type', 'new');

    my $pid = start_worker($log, '--postgres', $conninfo,
                           '--redis', "127.0.0.1:$port",
                           '--consumer', $consumer, '--group', $group,
                           @keys_off);
    my $ids = sub {
        join ' ', grep { /^\d+-\d+$/ }
                  split /\n/, redis($port, 'XRANGE', $_[0], '-', '+');
    };
    ok(wait_for(15, sub { $ids->('teams:control') eq $ctl }),
       'control: the old acknowledged entry trimmed, the recent one kept')
        or diag($ids->('teams:control') . "\n" . slurp($log));
    is($ids->('teams:replies'), "2000-0 3000-0 $recent",
       'replies: trimmed up to the entry another group has not acknowledged');
    like(slurp($log), qr/ info: stream teams:replies: trimmed 1 entries/,
         'the trim is logged');

    redis($port, 'XACK', 'teams:replies', 'other', '2000-0');
    kill 'TERM', $pid;
    my $rc = wait_exit($pid, 3);
    is($rc, 0, 'retention: SIGTERM, exit 0');
    kill_hard($pid) unless defined $rc;
    system($stack, 'redis-stop', $dir);
}

# leave the shared Redis as we found it
redis($rport, 'XGROUP', 'DESTROY', 'teams:control', $group);

done_testing();
