package Test::Nginx::Socket;

# Our own Test::Nginx::Socket-compatible harness for ngx_teams_module,
# written on Test::Base (the upstream module is not packaged for Debian and
# third-party code is not copied into this project).  Suites look like:
#
#     use Test::Nginx::Socket 'no_plan';
#     run_tests();
#     __DATA__
#     === TEST 1: hello
#     --- config
#         location = /t { return 200 "hi\n"; }
#     --- request
#     GET /t
#     --- response_body
#     hi
#
# See t/lib/README.md for the full list of sections, helpers and variables.

use strict;
use warnings;

use Test::Base -base;

use Cwd ();
use Errno ();
use File::Basename ();
use File::Path ();
use File::Spec;
use POSIX ();
use Time::HiRes ();

use Teams::Util ();
use Test::More ();

our @EXPORT = qw(
    run_tests run_test repeat_each no_shuffle no_long_string no_root_location
    env_to_nginx add_block_preprocessor log_level master_on master_off master_process_enabled
    workers worker_connections check_accum_error_log server_port
    servroot html_dir repo_root

    http_request http_get http_raw
    start_nginx_with stop_nginx nginx_running nginx_pid
    error_log_text sleep_ms wait_until stack ensure_backends current_block

    psql psql_rows redis_cli
    standin_url standin_request standin_recorded standin_reset
    json_encode json_decode

    done_testing explain note subtest BAIL_OUT new_ok
);

{
    no warnings 'once';
    *psql             = \&Teams::Util::psql;
    *psql_rows        = \&Teams::Util::psql_rows;
    *redis_cli        = \&Teams::Util::redis_cli;
    *standin_url      = \&Teams::Util::standin_url;
    *standin_request  = \&Teams::Util::standin_request;
    *standin_recorded = \&Teams::Util::standin_recorded;
    *standin_reset    = \&Teams::Util::standin_reset;
    *json_encode      = \&Teams::Util::json_encode;
    *json_decode      = \&Teams::Util::json_decode;
    *done_testing     = \&Test::More::done_testing;
    *explain          = \&Test::More::explain;
    *note             = \&Test::More::note;
    *subtest          = \&Test::More::subtest;
    *BAIL_OUT         = \&Test::More::BAIL_OUT;
    *new_ok           = \&Test::More::new_ok;
}

# ------------------------------------------------------------ settings

our $RepoRoot = $ENV{TEST_TEAMS_REPO} || do {
    my $d = File::Basename::dirname(Cwd::abs_path(__FILE__));
    Cwd::abs_path("$d/../../../..");
};
$ENV{TEST_TEAMS_REPO} = $RepoRoot;

our $Port = $ENV{TEST_NGINX_PORT} || $ENV{TEST_NGINX_SERVER_PORT} || 1984;
$ENV{TEST_NGINX_PORT} = $ENV{TEST_NGINX_SERVER_PORT} = $Port;

# t/servroot; a run on another port gets its own t/servroot-PORT so two
# concurrent runs never share (and wipe) one servroot.
our $ServRoot = $ENV{TEST_NGINX_SERVROOT}
    || "$RepoRoot/t/servroot" . ($Port == 1984 ? '' : "-$Port");
$ServRoot = File::Spec->rel2abs($ServRoot);
$ENV{TEST_NGINX_SERVROOT} = $ServRoot;
$ENV{TEST_NGINX_HTML_DIR} = "$ServRoot/html";

our $NginxBinary = $ENV{TEST_NGINX_BINARY}
    || (-x '/usr/sbin/nginx' ? '/usr/sbin/nginx' : 'nginx');
our $LogLevel = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcess = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $Workers = 1;
our $WorkerConnections = 1024;
our $Valgrind = $ENV{TEST_NGINX_USE_VALGRIND} || '';
our $Timeout = $ENV{TEST_NGINX_TIMEOUT} || ($Valgrind ? 30 : 3);
our $Settle = defined $ENV{TEST_NGINX_SLEEP} ? $ENV{TEST_NGINX_SLEEP} : 0.05;
our $ValgrindExit = 99;
our $RepeatEach = 1;
our @EnvToNginx;
our $CurrentBlock;
our @BlockPreprocessors;

my $StartupTimeout = $Valgrind ? 60 : 10;
my $StopTimeout = $Valgrind ? 60 : 10;

# -------------------------------------------------------- suite-level API

sub repeat_each {
    $RepeatEach = shift if @_;
    return $RepeatEach;
}
sub no_shuffle { }
sub no_long_string { }
sub no_root_location { }
sub check_accum_error_log { }
sub env_to_nginx { push @EnvToNginx, @_ }
sub add_block_preprocessor { push @BlockPreprocessors, @_ }
sub log_level { $LogLevel = shift if @_; $LogLevel }
sub master_on { $MasterProcess = 'on' }
sub master_off { $MasterProcess = 'off' }
sub master_process_enabled {
    $MasterProcess = $_[0] ? 'on' : 'off' if @_;
    $MasterProcess eq 'on';
}
sub workers { $Workers = shift if @_; $Workers }
sub worker_connections { $WorkerConnections = shift if @_; $WorkerConnections }
sub server_port { $Port }
sub servroot { $ServRoot }
sub html_dir { "$ServRoot/html" }
sub repo_root { $RepoRoot }
sub current_block { $CurrentBlock }

sub sleep_ms { Time::HiRes::sleep(($_[0] // 0) / 1000) }

# wait_until(sub { ... }, $timeout_s = 5, $interval_ms = 50): true as soon as
# the code returns true, false on timeout.
sub wait_until {
    my ($code, $timeout, $interval) = @_;
    $timeout //= 5;
    $interval //= 50;
    my $deadline = Time::HiRes::time() + $timeout;
    while (1) {
        my $r = $code->();
        return $r if $r;
        return 0 if Time::HiRes::time() >= $deadline;
        sleep_ms($interval);
    }
}

# ------------------------------------------------------------- backends

my $OrigPid = $$;

# Ctrl-C / kill: leave through END so nginx and our backends are stopped.
for my $sig (qw(INT TERM HUP)) {
    $SIG{$sig} = sub { exit(128 + ($sig eq 'INT' ? 2 : $sig eq 'TERM' ? 15 : 1)) }
        unless $SIG{$sig};
}
my %StartedBackends;
my $BackendsReady;

sub _stack_cmd {
    my ($verb, @args) = @_;
    my $out = '';
    my $pid = open(my $fh, '-|') // die "stack: fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        open STDIN, '<', '/dev/null';
        exec 'bash', "$RepoRoot/tools/stack.sh", $verb, @args
            or POSIX::_exit(127);
    }
    { local $/; $out = <$fh> // ''; }
    close $fh;
    return ($? >> 8, $out);
}

# stack($verb, [$state_dir,] @args): tools/stack.sh $verb $state_dir @args,
# $state_dir defaulting to TEST_TEAMS_STATE_DIR.  With no @args, start
# verbs get the port from TEST_TEAMS_*_PORT.  Dies on
# failure; returns stack.sh's stdout+stderr text.
sub stack {
    my ($verb, @args) = @_;
    my $dir;
    # the state directory may be given explicitly, like stack.sh's own CLI
    if (@args && defined $args[0] && $args[0] =~ m{^/} && -d $args[0]) {
        $dir = shift @args;
    }
    $dir //= $ENV{TEST_TEAMS_STATE_DIR}
        or die "stack: TEST_TEAMS_STATE_DIR is not set\n";
    if (!@args) {
        my %port = (
            'pg-start' => 'TEST_TEAMS_PG_PORT',
            'pg-restart' => 'TEST_TEAMS_PG_PORT',
            'redis-start' => 'TEST_TEAMS_REDIS_PORT',
            'standin-start' => 'TEST_TEAMS_MOCK_PORT',
        );
        if ($port{$verb}) {
            @args = ($ENV{$port{$verb}}
                     // die "stack: $port{$verb} is not set\n");
        }
        elsif ($verb eq 'all-start') {
            @args = map { $ENV{$_} // die "stack: $_ is not set\n" }
                qw(TEST_TEAMS_PG_PORT TEST_TEAMS_REDIS_PORT
                   TEST_TEAMS_MOCK_PORT);
        }
    }
    my ($rc, $out) = _stack_cmd($verb, $dir, @args);
    die "stack $verb failed (exit $rc):\n$out" if $rc;
    return $out;
}

# Starts PostgreSQL, Redis and the stand-in under t/servroot-backends unless
# TEST_TEAMS_PG_CONNINFO says someone else (build.sh test) already did.
sub ensure_backends {
    return 1 if $BackendsReady++;
    return 1 if $ENV{TEST_TEAMS_PG_CONNINFO};
    return 1 if $ENV{TEST_TEAMS_NO_BACKENDS};

    my $pg = $ENV{TEST_TEAMS_PG_PORT} ||= 55532;
    my $dir = $ENV{TEST_TEAMS_STATE_DIR} ||= "$RepoRoot/t/servroot-backends"
        . ($pg == 55532 ? '' : "-$pg");
    my $redis = $ENV{TEST_TEAMS_REDIS_PORT} ||= 56479;
    my $mock = $ENV{TEST_TEAMS_MOCK_PORT} ||= 58180;
    my $verbose = $ENV{TEST_TEAMS_VERBOSE};

    my $run = sub {
        my ($verb, @args) = @_;
        my ($rc, $out) = _stack_cmd($verb, $dir, @args);
        print STDERR $out if $verbose && length $out;
        die "harness: tools/stack.sh $verb @args failed:\n$out" if $rc;
        return $out;
    };

    my ($rc, $key) = _stack_cmd('secret-key', $dir);
    die "harness: tools/stack.sh secret-key failed:\n$key" if $rc;
    ($key) = grep { m{^/} } split /\n/, $key;
    $ENV{TEST_TEAMS_SECRET_KEY_FILE} ||= $key;

    for my $svc (['pg', $pg], ['redis', $redis], ['standin', $mock]) {
        my ($name, $port) = @$svc;
        if ($name eq 'standin' && !-f "$RepoRoot/standin/ms-standin.js") {
            print STDERR "# harness: standin/ms-standin.js missing; "
                . "stand-in not started\n";
            next;
        }
        my ($st) = _stack_cmd("$name-status", $dir);
        next if $st == 0;    # already running: not ours to stop
        $run->("$name-start", $port);
        $StartedBackends{$name} = 1;
    }

    $ENV{TEST_TEAMS_PG_CONNINFO} =
        "hostaddr=127.0.0.1 port=$pg dbname=teams user=postgres";

    my $migrate = "$RepoRoot/sql/migrate.sh";
    if (-f $migrate) {
        my $pid = open(my $fh, '-|') // die "fork: $!";
        if (!$pid) {
            open STDERR, '>&', \*STDOUT;
            open STDIN, '<', '/dev/null';
            exec 'bash', $migrate, $ENV{TEST_TEAMS_PG_CONNINFO}
                or POSIX::_exit(127);
        }
        my $out = do { local $/; <$fh> } // '';
        close $fh;
        die "harness: sql/migrate.sh failed (exit " . ($? >> 8) . "):\n$out"
            if $?;
        print STDERR $out if $verbose;
    }
    return 1;
}

sub _set_build_defaults {
    my $so = "$RepoRoot/build/ngx_teams_module.so";
    $ENV{TEST_TEAMS_MODULE} ||= $so if -f $so;
    my $w = "$RepoRoot/build/teams-worker";
    $ENV{TEST_TEAMS_WORKER} ||= $w if -f $w;
    if (!defined $ENV{TEST_NGINX_LOAD_MODULES} && $ENV{TEST_TEAMS_MODULE}) {
        $ENV{TEST_NGINX_LOAD_MODULES} = $ENV{TEST_TEAMS_MODULE};
    }
}

sub import {
    # runs for "use Test::Nginx::Socket ..." in a suite
    if (!grep { /^-base$/i } @_) {
        _set_build_defaults();
        my $ok = eval { ensure_backends(); 1 };
        if (!$ok) {
            my $e = $@;
            print STDERR "harness: cannot start backends:\n$e";
            print "Bail out!  harness: cannot start backends\n";
            exit 255;
        }
    }
    goto &Test::Base::import;
}

# ------------------------------------------------------- env expansion

sub _free_port {
    require IO::Socket::INET;
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1)
        or die "cannot find a free port: $@";
    return $s->sockport;
}

# Replace $TEST_NGINX_FOO / ${TEST_TEAMS_BAR}; die when undefined.
sub expand_env {
    my ($text) = @_;
    return $text unless defined $text;
    $text =~ s{\$(\{)?(TEST_(?:NGINX|TEAMS)_[A-Za-z0-9_]+)(?(1)\})}{
        my $n = $2;
        if (!defined $ENV{$n} && $n =~ /^TEST_NGINX_RAND_PORT_\d+$/) {
            $ENV{$n} = _free_port();
        }
        defined $ENV{$n} ? $ENV{$n}
            : die "No environment variable $n defined (used in test text)\n";
    }ge;
    return $text;
}

# ------------------------------------------------------- block helpers

# Section value with "NAME_eval" fallback (Perl code, evaluated in main).
sub _sec {
    my ($block, $name) = @_;
    if (exists $block->{$name}) {
        my @v = @{ $block->{$name} };
        return $v[0];
    }
    if (exists $block->{"${name}_eval"}) {
        my $code = $block->{"${name}_eval"}[0];
        my @v = eval "package main; no strict; $code";
        die "$name\_eval failed: $@" if $@;
        return @v == 1 ? $v[0] : \@v;
    }
    return undef;
}

sub _has { exists $_[0]->{$_[1]} || exists $_[0]->{"$_[1]_eval"} }

# Per-request value: array refs are indexed by request number.
sub _nth {
    my ($v, $i) = @_;
    return ref $v eq 'ARRAY' ? $v->[$i] : $v;
}

sub _lines {
    my ($v) = @_;
    return () unless defined $v;
    return @$v if ref $v eq 'ARRAY';
    return ($v) if ref $v;    # qr//
    return grep { /\S/ } split /\n/, $v;
}

# ------------------------------------------------------------ config

sub _slurp {
    my ($f) = @_;
    open my $fh, '<', $f or return '';
    binmode $fh;
    local $/;
    my $c = <$fh>;
    return $c // '';
}

sub _spew {
    my ($f, $c) = @_;
    File::Path::make_path(File::Basename::dirname($f));
    open my $fh, '>', $f or die "cannot write $f: $!";
    binmode $fh;
    print $fh $c;
    close $fh or die "cannot write $f: $!";
}

sub _build_config {
    my (%c) = @_;
    my $vg = $Valgrind ? 1 : 0;
    my $master = $vg ? 'off' : $MasterProcess;
    my @load = grep { length } split /\s+/, ($ENV{TEST_NGINX_LOAD_MODULES} // '');
    my $conf = "# generated by t/lib/Test/Nginx/Socket.pm"
        . (defined $c{name} ? " for: $c{name}" : '') . "\n";
    $conf .= "load_module $_;\n" for @load;
    $conf .= "daemon " . ($vg || $c{foreground} ? 'off' : 'on') . ";\n";
    $conf .= "master_process $master;\n";
    $conf .= "worker_processes $Workers;\n";
    $conf .= "user root;\n" if $master eq 'on' && $> == 0;
    $conf .= "pid logs/nginx.pid;\n";
    $conf .= "error_log logs/error.log $LogLevel;\n";
    $conf .= "env $_;\n" for @EnvToNginx;
    $conf .= "\n" . expand_env($c{main_config}) . "\n" if defined $c{main_config};
    my $ev = $ENV{TEST_NGINX_EVENT_TYPE} ? "    use $ENV{TEST_NGINX_EVENT_TYPE};\n" : '';
    $conf .= "events {\n    worker_connections $WorkerConnections;\n$ev}\n\n";
    $conf .= "http {\n"
        . "    access_log off;\n"
        . "    default_type text/plain;\n"
        . "    client_body_temp_path temp/client_body;\n"
        . "    proxy_temp_path temp/proxy;\n"
        . "    fastcgi_temp_path temp/fastcgi;\n"
        . "    uwsgi_temp_path temp/uwsgi;\n"
        . "    scgi_temp_path temp/scgi;\n\n";
    $conf .= expand_env($c{http_config}) . "\n" if defined $c{http_config};
    $conf .= "    server {\n"
        . "        listen 127.0.0.1:$Port;\n"
        . "        server_name localhost;\n\n";
    $conf .= expand_env($c{config}) . "\n" if defined $c{config};
    $conf .= "    }\n}\n";
    return $conf;
}

# Fresh servroot: kill a leftover nginx, wipe logs/conf/html, write files.
sub _prepare_servroot {
    my (%c) = @_;
    _kill_stale();
    for my $d (qw(logs conf html temp)) {
        File::Path::remove_tree("$ServRoot/$d");
        File::Path::make_path("$ServRoot/$d");
    }
    _spew("$ServRoot/conf/nginx.conf", _build_config(%c));
    for my $f (@{ $c{user_files} || [] }) {
        _spew("$ServRoot/html/$f->[0]", $f->[1]);
    }
    if ($ENV{TEST_NGINX_VERBOSE}) {
        print STDERR _slurp("$ServRoot/conf/nginx.conf");
    }
}

sub _parse_user_files {
    my ($v) = @_;
    return [] unless defined $v;
    return [ map { [@$_[0, 1]] } @$v ] if ref $v eq 'ARRAY';
    my @files;
    for my $chunk (split /^>>> /m, $v) {
        next unless length $chunk;
        my ($name, $body) = split /\n/, $chunk, 2;
        $name =~ s/\s+$//;
        push @files, [$name, $body // ''];
    }
    return \@files;
}

# ------------------------------------------------------- nginx process

my $NginxPid;          # running nginx (master or single process)
my $NginxChild;        # true when $NginxPid is our direct child (fg/valgrind)
my $ChildStatus;       # wait status of that child once reaped

sub _nginx_cmd {
    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', 'conf/nginx.conf',
               '-e', 'logs/error.log');
    return @cmd;
}

sub _valgrind_cmd {
    my @opts;
    if ($Valgrind eq '1') {
        @opts = ('--tool=memcheck', '-q', '--num-callers=50',
                 '--leak-check=full', '--show-possibly-lost=no',
                 '--errors-for-leak-kinds=definite');
    }
    else {
        @opts = split ' ', $Valgrind;
    }
    push @opts, "--error-exitcode=$ValgrindExit"
        unless grep { /^--error-exitcode/ } @opts;
    my $supp = "$RepoRoot/t/valgrind.suppress";
    push @opts, "--suppressions=$supp"
        if -f $supp && !grep { /^--suppressions/ } @opts;
    push @opts, "--log-file=$ServRoot/logs/valgrind.%p.log"
        unless grep { /^--log-file/ } @opts;
    return ('valgrind', @opts);
}

sub _spawn {
    my ($out_file, @cmd) = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $out_file or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT;
        chdir $ServRoot;
        exec @cmd or do { print STDERR "exec $cmd[0]: $!\n"; POSIX::_exit(127) };
    }
    return $pid;
}

sub _pid_alive {
    my ($pid) = @_;
    return 0 unless $pid;
    if ($NginxChild && $pid == $NginxPid) {
        return 0 if defined $ChildStatus;
        my $r = waitpid($pid, POSIX::WNOHANG());
        if ($r == $pid) {
            $ChildStatus = $?;
            return 0;
        }
        return 1;
    }
    return 0 unless kill 0, $pid;
    # a zombie of someone else's is as good as dead
    my $stat = _slurp("/proc/$pid/stat");
    return 0 if $stat =~ /^\d+ \(.*\) Z/s;
    return 1;
}

sub _read_pidfile {
    my $p = _slurp("$ServRoot/logs/nginx.pid");
    return $p =~ /^(\d+)/ ? $1 : undef;
}

sub _kill_stale {
    my $pid = _read_pidfile();
    return unless $pid && $pid != ($NginxPid // 0);
    my $cmdline = _slurp("/proc/$pid/cmdline");
    return unless $cmdline =~ /nginx/ && $cmdline =~ /\Q$ServRoot\E/;
    kill 'KILL', $pid;
    for (1 .. 100) { last unless kill 0, $pid; sleep_ms(20) }
}

sub _port_listening {
    my $hex = sprintf '%04X', $Port;
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
        my $t = _slurp($f);
        return 1 if $t =~ /^\s*\d+:\s+[0-9A-F]+:$hex\s+[0-9A-F]+:0000\s+0A\b/m;
    }
    return 0;
}

# Start nginx with the current servroot config.
# Returns (1, '') or (0, $startup_output).
sub _start_nginx {
    my (%opt) = @_;
    my $out_file = "$ServRoot/logs/nginx.out";
    my $fg = $Valgrind || $opt{foreground};
    $ChildStatus = undef;
    if ($fg) {
        my @cmd = _nginx_cmd();
        @cmd = (_valgrind_cmd(), @cmd) if $Valgrind;
        $NginxPid = _spawn($out_file, @cmd);
        $NginxChild = 1;
        my $deadline = Time::HiRes::time() + $StartupTimeout;
        while (1) {
            if (!_pid_alive($NginxPid)) {
                my $pid = $NginxPid;
                $NginxPid = undef;
                return (0, "nginx (pid $pid) exited during start-up, status "
                        . ($ChildStatus >> 8) . ":\n" . _slurp($out_file));
            }
            last if _port_listening() && -s "$ServRoot/logs/nginx.pid";
            if (Time::HiRes::time() > $deadline) {
                _stop_nginx_now();
                return (0, "nginx did not listen on port $Port within "
                        . "${StartupTimeout}s:\n" . _slurp($out_file));
            }
            sleep_ms(20);
        }
        return (1, '');
    }

    # daemon mode: nginx parses the config, binds, forks and exits 0
    my $pid = _spawn($out_file, _nginx_cmd());
    waitpid($pid, 0);
    my $st = $?;
    if ($st != 0) {
        return (0, "nginx failed to start (exit " . ($st >> 8) . "):\n"
                . _slurp($out_file));
    }
    $NginxChild = 0;
    my $deadline = Time::HiRes::time() + $StartupTimeout;
    while (1) {
        my $p = _read_pidfile();
        if ($p && _pid_alive($p)) {
            $NginxPid = $p;
            last;
        }
        if (Time::HiRes::time() > $deadline) {
            return (0, "nginx wrote no live pid to logs/nginx.pid within "
                    . "${StartupTimeout}s:\n" . _slurp($out_file));
        }
        sleep_ms(10);
    }
    return (1, '');
}

# Stop nginx (QUIT, then TERM, then KILL); returns a note on trouble.
sub _stop_nginx_now {
    return '' unless $NginxPid;
    my $pid = $NginxPid;
    my $note = '';
    my $deadline = Time::HiRes::time() + $StopTimeout;
    kill 'QUIT', $pid;
    while (_pid_alive($pid)) {
        if (Time::HiRes::time() > $deadline) {
            $note = "nginx (pid $pid) ignored QUIT for ${StopTimeout}s; killed";
            kill 'TERM', $pid;
            sleep_ms(500);
            kill 'KILL', $pid if _pid_alive($pid);
            for (1 .. 100) { last unless _pid_alive($pid); sleep_ms(20) }
            last;
        }
        sleep_ms(10);
    }
    # with master_process on, wait for workers to leave too
    for (1 .. 200) {
        last unless _port_listening();
        sleep_ms(10);
    }
    $NginxPid = undef;
    return $note;
}

sub nginx_running { $NginxPid && _pid_alive($NginxPid) ? 1 : 0 }
sub nginx_pid { $NginxPid }

sub error_log_text { _slurp("$ServRoot/logs/error.log") }

# Valgrind report for the last run: '' when clean.
sub _valgrind_report {
    my $report = '';
    opendir my $dh, "$ServRoot/logs" or return '';
    for my $f (sort grep { /^valgrind\..*\.log$/ } readdir $dh) {
        my $t = _slurp("$ServRoot/logs/$f");
        my $bad = 0;
        if ($t =~ /ERROR SUMMARY: (\d+) errors/) {
            $bad = 1 if $1 > 0;
        }
        else {
            # -q: anything but warnings means an error was reported
            for my $l (split /\n/, $t) {
                next if $l =~ /^==\d+==\s*$/;
                next if $l =~ /^==\d+== (Warning|WARNING):/;
                next if $l =~ /^==\d+==\s+(set address range perms|noted but unhandled)/;
                next if $l =~ /^--\d+--/;
                $bad = 1;
                last;
            }
        }
        $report .= "--- $f\n$t" if $bad;
    }
    if (defined $ChildStatus && ($ChildStatus >> 8) == $ValgrindExit
        && !length $report) {
        $report = "valgrind exited with --error-exitcode $ValgrindExit\n";
    }
    return $report;
}

# ------------------------------------------- helpers for Perl test code

# start_nginx_with($server_config) or start_nginx_with(config => ...,
# http_config => ..., main_config => ..., user_files => [[name, text]]).
# Dies when nginx does not start.
sub start_nginx_with {
    my %c;
    if (@_ == 1 && ref $_[0] && eval { $_[0]->isa('Test::Base::Block') }) {
        %c = _block_config($_[0]);
    }
    elsif (@_ == 1 && ref $_[0] eq 'HASH') {
        %c = %{ $_[0] };
    }
    elsif (@_ == 1) {
        %c = (config => $_[0]);
    }
    else {
        %c = @_;
    }
    $c{user_files} = _parse_user_files($c{user_files})
        if ref $c{user_files} ne 'ARRAY';
    _stop_nginx_now() if $NginxPid;
    _prepare_servroot(%c);
    my ($ok, $msg) = _start_nginx();
    die "start_nginx_with: $msg" unless $ok;
    return 1;
}

sub stop_nginx {
    my $note = _stop_nginx_now();
    warn "$note\n" if $note;
    return 1;
}

# http_request($method, $path_or_url, \%headers, $body, %opt)
#   -> ($status, \%headers (lower-case names), $body)
# $path may be "http://127.0.0.1:PORT/x" to reach another server.
# %opt: timeout => seconds.  On a connection error or timeout the status
# is undef and $Test::Nginx::Socket::LastError says why.
our $LastError;
sub http_request {
    my ($method, $path, $headers, $body, %opt) = @_;
    my ($host, $port) = ('127.0.0.1', $Port);
    if ($path =~ m{^https?://([^/:]+)(?::(\d+))?(/.*)?$}) {
        ($host, $port, $path) = ($1, $2 // 80, $3 // '/');
    }
    my $raw = _make_request($method, $path, 'HTTP/1.1', $headers, $body,
                            $host eq '127.0.0.1' && $port == $Port
                                ? 'localhost' : "$host:$port");
    my ($resp, $err) = Teams::Util::http_raw_request(
        $host, $port, $raw, $opt{timeout} || $Timeout);
    $LastError = $err;
    my ($status, $h, $b) = Teams::Util::parse_http_response($resp);
    $status = undef if $err && !defined $status;
    return ($status, $h, $b);
}

sub http_get { http_request('GET', $_[0], $_[1]) }

# http_raw($bytes, $timeout) -> raw response text (undef on failure)
sub http_raw {
    my ($raw, $timeout) = @_;
    my ($resp, $err) = Teams::Util::http_raw_request(
        '127.0.0.1', $Port, $raw, $timeout || $Timeout);
    $LastError = $err;
    return $resp;
}

sub _make_request {
    my ($method, $uri, $proto, $headers, $body, $host) = @_;
    my @h;
    my %seen;
    my @given = ref $headers eq 'ARRAY' ? @$headers
        : map { ($_, $headers->{$_}) } sort keys %{ $headers || {} };
    while (@given) {
        my ($k, $v) = splice @given, 0, 2;
        $seen{lc $k} = 1;
        push @h, "$k: $v";
    }
    unshift @h, "Host: $host" unless $seen{host};
    push @h, "Connection: close" unless $seen{connection};
    if ((defined $body && length $body) || $method =~ /^(POST|PUT|PATCH)$/) {
        push @h, "Content-Length: " . length($body // '')
            unless $seen{'content-length'} || $seen{'transfer-encoding'};
    }
    return "$method $uri $proto\r\n" . join('', map { "$_\r\n" } @h)
        . "\r\n" . ($body // '');
}

# ------------------------------------------------------------- checks

sub _name { my ($block) = @_; $block->name }

sub _check_log_patterns {
    my ($name, $text, $what, $yes, $no) = @_;
    my $failed = 0;
    for my $p (_lines($yes)) {
        my $hit = ref $p eq 'Regexp' ? $text =~ $p : index($text, $p) >= 0;
        $failed++ unless ok($hit, "$name - pattern \"$p\" should match a line in $what");
    }
    for my $p (_lines($no)) {
        my $hit = ref $p eq 'Regexp' ? $text =~ $p : index($text, $p) >= 0;
        $failed++ unless ok(!$hit, "$name - pattern \"$p\" should not match any line in $what");
    }
    return $failed;
}

# error_log (+ error_log_like: one regex per line) and the no_ variants
sub _log_expectations {
    my ($block) = @_;
    my (@yes, @no);
    push @yes, _lines(_sec($block, 'error_log'));
    push @no, _lines(_sec($block, 'no_error_log'));
    push @yes, map { ref $_ ? $_ : qr/$_/m } _lines(_sec($block, 'error_log_like'));
    push @no, map { ref $_ ? $_ : qr/$_/m } _lines(_sec($block, 'no_error_log_like'));
    return (\@yes, \@no);
}

sub _diag_log {
    my ($text) = @_;
    my @l = grep { m{^\d{4}/\d\d/\d\d [\d:]+ \[(?!debug\])} }
        split /\n/, $text;
    @l = @l[-25 .. -1] if @l > 25;
    diag("non-debug lines of error.log:\n" . join("\n", @l)) if @l;
}

sub _parse_request {
    my ($req) = @_;
    $req =~ s/^\s+//;
    my ($line, $rest) = split /\n/, $req, 2;
    $line =~ s/\s+$//;
    my ($method, $uri, $proto) = split ' ', $line;
    $proto //= 'HTTP/1.1';
    my $body;
    if (defined $rest && length $rest) {
        $body = $rest;
        $body =~ s/\n\z//;
    }
    return ($method, $uri, $proto, $body);
}

sub _more_headers {
    my ($v) = @_;
    my @h;
    for my $l (split /\n/, $v // '') {
        next unless $l =~ /\S/;
        my ($k, $val) = $l =~ /^\s*([^:\s]+)\s*:\s*(.*?)\s*$/
            or die "bad more_headers line: $l\n";
        push @h, $k, $val;
    }
    return \@h;
}

sub _run_request_checks {
    my ($block, $i, $nreq, $status, $h, $body, $err) = @_;
    my $name = _name($block);
    my $tag = $nreq > 1 ? " (req $i)" : '';

    if ($err && !_has($block, 'abort')) {
        fail("$name$tag - ERROR: $err");
    }

    if (_has($block, 'error_code_like')) {
        my $re = _nth(_sec($block, 'error_code_like'), $i);
        $re =~ s/\s+\z//;
        like($status // '', qr/$re/, "$name$tag - status code ok");
    }
    else {
        my $exp = _has($block, 'error_code')
            ? _nth(_sec($block, 'error_code'), $i) : 200;
        $exp =~ s/\s+//g if defined $exp;
        is($status // '', $exp, "$name$tag - status code ok");
    }

    for my $pair (['response_headers', 0], ['response_headers_like', 1]) {
        my ($sec, $is_like) = @$pair;
        next unless _has($block, $sec);
        my $v = _nth(_sec($block, $sec), $i);
        for my $l (split /\n/, $v // '') {
            next unless $l =~ /\S/;
            if ($l =~ /^\s*!\s*([^:\s]+)\s*$/) {
                ok(!exists $h->{lc $1}, "$name$tag - header $1 not present")
                    or diag("got $1: $h->{lc $1}");
                next;
            }
            my ($k, $val) = $l =~ /^\s*([^:\s]+)\s*:\s?(.*?)\s*$/
                or die "bad $sec line: $l\n";
            my $got = $h->{lc $k};
            if ($is_like) {
                like($got // '', qr/$val/, "$name$tag - header $k like ok");
            }
            elsif ($val eq '') {
                ok(!defined $got || $got eq '',
                   "$name$tag - header $k empty or absent");
            }
            else {
                is($got, $val, "$name$tag - header $k ok");
            }
        }
    }

    if (_has($block, 'response_body')) {
        my $exp = _nth(_sec($block, 'response_body'), $i);
        is($body // '', $exp // '', "$name$tag - response_body - response is expected");
    }
    if (_has($block, 'response_body_like')) {
        my $re = _nth(_sec($block, 'response_body_like'), $i);
        $re = $re->[0] if ref $re eq 'ARRAY';
        $re =~ s/\n\z// unless ref $re;
        like($body // '', ref $re ? $re : qr/$re/s,
             "$name$tag - response_body_like - response is expected");
    }
    if (_has($block, 'response_body_unlike')) {
        my $re = _nth(_sec($block, 'response_body_unlike'), $i);
        $re =~ s/\n\z// unless ref $re;
        unlike($body // '', ref $re ? $re : qr/$re/s,
               "$name$tag - response_body_unlike - response is expected");
    }
}

sub _skip_block {
    my ($block) = @_;
    if (_has($block, 'skip_nginx')) {
        my $v = _sec($block, 'skip_nginx');
        if ($v =~ /^\s*(\d+)\s*:\s*(<|<=|>|>=|==|!=)\s*([\d.]+)/) {
            my ($n, $op, $ver) = ($1, $2, $3);
            my $have = `$NginxBinary -v 2>&1` =~ m{nginx/([\d.]+)} ? $1 : '0';
            my $cmp = _vercmp($have, $ver);
            my %t = ('<' => $cmp < 0, '<=' => $cmp <= 0, '>' => $cmp > 0,
                     '>=' => $cmp >= 0, '==' => $cmp == 0, '!=' => $cmp != 0);
            return "nginx $have $op $ver" if $t{$op};
        }
    }
    if (_has($block, 'skip_eval')) {
        my $v = _sec($block, 'skip_eval');
        if ($v =~ /^\s*(\d+)\s*:\s*(.*)$/s) {
            my $r = eval "package main; no strict; $2";
            die "skip_eval: $@" if $@;
            return "skip_eval" if $r;
        }
    }
    return;
}

sub _vercmp {
    my @a = split /\./, $_[0];
    my @b = split /\./, $_[1];
    while (@a || @b) {
        my $c = (shift(@a) // 0) <=> (shift(@b) // 0);
        return $c if $c;
    }
    return 0;
}

sub _block_config {
    my ($block) = @_;
    return (
        name => _name($block),
        main_config => _sec($block, 'main_config'),
        http_config => _sec($block, 'http_config'),
        config => _sec($block, 'config'),
        user_files => _parse_user_files(_sec($block, 'user_files')),
    );
}

sub _run_nginx_test {
    my ($block) = @_;
    my $name = _name($block);
    _prepare_servroot(_block_config($block));
    my $out_file = "$ServRoot/logs/nginx.out";
    my $pid = _spawn($out_file, _nginx_cmd(), '-t');
    waitpid($pid, 0);
    my $code = $? >> 8;
    my $text = _slurp($out_file) . _slurp("$ServRoot/logs/error.log");
    if (_has($block, 'must_die')) {
        my $want = _sec($block, 'must_die');
        if (defined $want && $want =~ /^\s*(\d+)\s*$/) {
            is($code, $1, "$name - nginx -t exit code ok");
        }
        else {
            ok($code != 0, "$name - nginx -t fails")
                or diag("nginx -t output:\n$text");
        }
    }
    elsif (_has($block, 'error_code_like')) {
        my $re = _sec($block, 'error_code_like');
        $re =~ s/\s+\z//;
        like($code, qr/$re/, "$name - nginx -t exit code ok");
    }
    else {
        is($code, 0, "$name - nginx -t succeeds")
            or diag("nginx -t output:\n$text");
    }
    _check_log_patterns($name, $text, 'nginx -t output',
                        @{[ _log_expectations($block) ]})
        and diag("nginx -t output:\n$text");
}

sub run_test {
    my ($block) = @_;
    my $name = _name($block);
    local $CurrentBlock = $block;
    if (!$block->{_harness_preprocessed}++) {
        $_->($block) for @BlockPreprocessors;
    }

    if (my $why = _skip_block($block)) {
        SKIP: { skip("$name - $why", 1) }
        return;
    }

    local $Timeout = _has($block, 'timeout')
        ? do { (my $t = _sec($block, 'timeout')) =~ s/\s+//g; $t } : $Timeout;
    $Timeout =~ s/s$//;

    if (_has($block, 'nginx_test')) {
        _run_nginx_test($block);
        return;
    }

    _stop_nginx_now() if $NginxPid;
    _prepare_servroot(_block_config($block));
    my ($started, $msg) = _start_nginx();

    if (_has($block, 'must_die')) {
        ok(!$started, "$name - nginx must fail to start");
        _stop_nginx_now() if $started;
        my $text = $msg . error_log_text();
        _check_log_patterns($name, $text, 'error.log',
                            _log_expectations($block));
        return;
    }
    if (!$started) {
        fail("$name - nginx started") ;
        diag($msg);
        return;
    }

    my $failed_before = _failures();

    # requests
    my @reqs;
    if (_has($block, 'raw_request')) {
        my $r = _sec($block, 'raw_request');
        @reqs = map { { raw => $_ } } (ref $r eq 'ARRAY' ? @$r : ($r));
    }
    elsif (_has($block, 'request')) {
        my $r = _sec($block, 'request');
        for my $one (ref $r eq 'ARRAY' ? @$r : ($r)) {
            my ($m, $u, $p, $b) = _parse_request(expand_env($one));
            push @reqs, { method => $m, uri => $u, proto => $p, body => $b };
        }
    }
    my $hdrs = _more_headers(expand_env(_sec($block, 'more_headers')));
    my $rbody = _sec($block, 'request_body');
    if (defined $rbody) {
        $rbody = expand_env($rbody);
        $rbody =~ s/\n\z//;
    }
    for my $i (0 .. $#reqs) {
        my $r = $reqs[$i];
        my $raw = $r->{raw} // _make_request(
            $r->{method}, $r->{uri}, $r->{proto}, $hdrs,
            _nth($rbody, $i) // $r->{body}, 'localhost');
        my ($resp, $err) = Teams::Util::http_raw_request(
            '127.0.0.1', $Port, $raw, $Timeout);
        my ($status, $h, $body) = Teams::Util::parse_http_response($resp);
        _run_request_checks($block, $i, scalar @reqs, $status, $h, $body, $err);
    }

    # Perl scenario code
    if (_has($block, 'test_script')) {
        my $code = $block->{test_script}
            ? $block->{test_script}[0] : $block->{test_script_eval}[0];
        my $ok = eval "package main;\n#line 1 \"test_script of $name\"\n$code\n;1";
        fail("$name - test_script died: $@") unless $ok;
    }

    # error log
    if (_has($block, 'wait')) {
        (my $w = _sec($block, 'wait')) =~ s/\s+//g;
        Time::HiRes::sleep($w);
    }
    Time::HiRes::sleep($Settle) if $Settle;
    if (grep { _has($block, $_) }
        qw(error_log no_error_log error_log_like no_error_log_like)) {
        my $text = error_log_text();
        _check_log_patterns($name, $text, 'error.log',
                            _log_expectations($block));
    }
    _diag_log(error_log_text()) if _failures() > $failed_before;

    my $note = _stop_nginx_now();
    diag("$name: $note") if $note;
    if ($Valgrind) {
        my $rep = _valgrind_report();
        ok(!length $rep, "$name - valgrind: no memory errors")
            or diag($rep);
    }
}

sub _failures {
    return scalar grep { !$_ } Test::More->builder->summary;
}

sub run_tests {
    if (!-x $NginxBinary && $NginxBinary !~ m{/}) {
        # resolved through PATH by exec
    }
    elsif (!-x $NginxBinary) {
        die "TEST_NGINX_BINARY $NginxBinary is not executable\n";
    }
    File::Path::make_path($ServRoot);
    for my $block (blocks()) {
        for my $rep (1 .. $RepeatEach) {
            next if eval { run_test($block); 1 };
            my $e = $@;
            $e =~ s/\s+\z//;
            $e =~ s/\n/ | /g;
            fail(_name($block) . " - $e");
            _stop_nginx_now();
        }
    }
    _stop_nginx_now() unless $ENV{TEST_NGINX_NO_CLEAN};
}

END {
    if ($$ == $OrigPid) {
        my $rc = $?;
        _stop_nginx_now() if $NginxPid && !$ENV{TEST_NGINX_NO_CLEAN};
        for my $name (qw(standin redis pg)) {
            next unless $StartedBackends{$name};
            my ($r, $out) = _stack_cmd("$name-stop", $ENV{TEST_TEAMS_STATE_DIR});
            print STDERR $out if $r || $ENV{TEST_TEAMS_VERBOSE};
        }
        $? = $rc;
    }
}

1;
