package Teams::Util;

# Shared helpers for ngx_teams_module test suites: a tiny HTTP/1.1 client,
# parameterized psql, redis-cli and the Microsoft stand-in's control API.
# Core Perl only.  All backends are addressed by the TEST_TEAMS_* variables
# (see t/lib/Test/Nginx/Socket.pm).

use strict;
use warnings;

use Exporter 'import';
use File::Temp ();
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Time::HiRes ();

our @EXPORT = qw(
    psql psql_rows redis_cli
    standin_url standin_request standin_recorded standin_reset
    http_raw_request parse_http_response
    json_encode json_decode
);

our $LastError;

my $JSON = JSON::PP->new->utf8->canonical->allow_nonref;

sub json_encode { $JSON->encode($_[0]) }
sub json_decode { $JSON->decode($_[0]) }

# ------------------------------------------------------------------ HTTP

# http_raw_request($host, $port, $raw_request_bytes, $timeout)
# -> ($raw_response, $error).  Reads until EOF (send "Connection: close").
sub http_raw_request {
    my ($host, $port, $raw, $timeout) = @_;
    $timeout ||= 3;
    my $sock = IO::Socket::INET->new(
        PeerAddr => $host, PeerPort => $port, Proto => 'tcp',
        Timeout => $timeout,
    ) or return (undef, "connect to $host:$port failed: $@");
    binmode $sock;
    my $deadline = Time::HiRes::time() + $timeout;
    my $sel = IO::Select->new($sock);
    my $off = 0;
    while ($off < length $raw) {
        my $left = $deadline - Time::HiRes::time();
        return (undef, 'client socket timed out while sending')
            if $left <= 0 || !$sel->can_write($left);
        my $n = syswrite($sock, $raw, length($raw) - $off, $off);
        if (!defined $n) {
            next if $!{EINTR} || $!{EAGAIN};
            # the server may answer early and close (e.g. 413); read it
            last;
        }
        $off += $n;
    }
    my $resp = '';
    while (1) {
        my $left = $deadline - Time::HiRes::time();
        return ($resp, 'client socket timed out')
            if $left <= 0 || !$sel->can_read($left);
        my $n = sysread($sock, my $buf, 65536);
        if (!defined $n) {
            next if $!{EINTR} || $!{EAGAIN};
            return ($resp, "read failed: $!") if $!{ECONNRESET} && !length $resp;
            last;
        }
        last if $n == 0;
        $resp .= $buf;
    }
    close $sock;
    return ($resp, undef);
}

# parse_http_response($raw) -> ($status, \%headers, $body, \@header_pairs)
# Header names are lower-cased; repeated headers are joined with ", ".
# Chunked bodies are decoded; Content-Length bodies are cut to length.
sub parse_http_response {
    my ($raw) = @_;
    return (undef, {}, undef, []) unless defined $raw && length $raw;
    my ($head, $body) = split /\r?\n\r?\n/, $raw, 2;
    $body = '' unless defined $body;
    my @lines = split /\r?\n/, $head;
    my $status_line = shift @lines;
    my ($status) = $status_line =~ m{^HTTP/\d+\.\d+\s+(\d{3})};
    my (%h, @pairs);
    for my $l (@lines) {
        my ($k, $v) = $l =~ /^([^:]+):\s*(.*?)\s*$/ or next;
        push @pairs, [$k, $v];
        $k = lc $k;
        $h{$k} = exists $h{$k} ? "$h{$k}, $v" : $v;
    }
    if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
        my $out = '';
        while (length $body) {
            $body =~ s/^([0-9a-fA-F]+)[^\r\n]*\r?\n// or last;
            my $len = hex $1;
            last if $len == 0;
            $out .= substr($body, 0, $len, '');
            $body =~ s/^\r?\n//;
        }
        $body = $out;
    }
    elsif (defined $h{'content-length'} && $h{'content-length'} =~ /^\d+$/
           && length($body) > $h{'content-length'}) {
        $body = substr($body, 0, $h{'content-length'});
    }
    return ($status, \%h, $body, \@pairs);
}

# ------------------------------------------------------------- PostgreSQL

sub _conninfo {
    my $ci = $ENV{TEST_TEAMS_PG_CONNINFO}
        or die "TEST_TEAMS_PG_CONNINFO is not set\n";
    return $ci;
}

# psql($sql, @params): run $sql with $1, $2, ... bound to @params.
# Values travel as psql variables and are inserted with :'pN' (psql quotes
# them as literals), so no value is ever spliced into SQL text by us; undef
# becomes NULL.  Cast in SQL where the type matters ($1::int).
# List context: rows as array refs.  Scalar context: first column of the
# first row (undef if none).  Dies on any SQL error.
sub psql {
    my ($sql, @params) = @_;
    my @vars;
    for my $i (0 .. $#params) {
        next unless defined $params[$i];
        my $v = $params[$i];
        die "psql: parameter " . ($i + 1) . " contains a NUL byte\n"
            if $v =~ /\0/;
        push @vars, '-v', 'p' . ($i + 1) . "=$v";
    }
    my $n = @params;
    (my $text = $sql) =~ s{\$(\d+)\b}{
        ($1 >= 1 && $1 <= $n)
            ? (defined $params[$1 - 1] ? ":'p$1'" : 'NULL')
            : die "psql: placeholder \$$1 has no parameter\n"
    }ge;
    my $tmp = File::Temp->new(SUFFIX => '.sql');
    print $tmp $text, "\n";
    close $tmp;
    my $err = File::Temp->new(SUFFIX => '.err');
    my @cmd = ('psql', '-X', '-q', '-At', '-F', "\t", '-v', 'ON_ERROR_STOP=1',
               @vars, '-d', _conninfo(), '-f', $tmp->filename);
    my $pid = open(my $out, '-|') // die "psql: fork: $!";
    if (!$pid) {
        open STDERR, '>', $err->filename or die;
        open STDIN, '<', '/dev/null' or die;
        exec @cmd or do { print STDERR "exec psql: $!\n"; POSIX::_exit(127) };
    }
    local $/;
    my $res = <$out>;
    close $out;
    my $rc = $?;
    if ($rc) {
        open my $e, '<', $err->filename;
        my $msg = do { local $/; <$e> } // '';
        die "psql failed (exit " . ($rc >> 8) . "): $msg\nSQL: $sql\n";
    }
    $res //= '';
    my @rows = map { [ split /\t/, $_, -1 ] } split /\n/, $res;
    return @rows if wantarray;
    return @rows ? $rows[0][0] : undef;
}

sub psql_rows { my @r = psql(@_); return \@r }

# ------------------------------------------------------------------ Redis

# redis_cli(@args): runs redis-cli against TEST_TEAMS_REDIS_PORT.
# Returns the output (chomped; list context: lines) or undef when redis-cli
# fails (e.g. Redis is down; the message is in $Teams::Util::LastError).
sub redis_cli {
    my @args = @_;
    my $port = $ENV{TEST_TEAMS_REDIS_PORT}
        or die "TEST_TEAMS_REDIS_PORT is not set\n";
    my $pid = open(my $out, '-|') // die "redis-cli: fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        open STDIN, '<', '/dev/null';
        exec 'redis-cli', '-h', '127.0.0.1', '-p', $port, @args
            or POSIX::_exit(127);
    }
    local $/;
    my $res = <$out> // '';
    close $out;
    # redis-cli exits 0 on server errors but prints "(error) ..." only on a
    # tty; failures to connect give a non-zero exit or "Could not connect".
    if ($? || $res =~ /^Could not connect/m) {
        $LastError = $res;
        return;
    }
    $res =~ s/\n\z//;
    return wantarray ? split(/\n/, $res) : $res;
}

# --------------------------------------------------------------- stand-in

sub standin_url {
    my $port = $ENV{TEST_TEAMS_MOCK_PORT}
        or die "TEST_TEAMS_MOCK_PORT is not set\n";
    return "http://127.0.0.1:$port";
}

# standin_request($method, $path, $json_body_or_undef)
# -> ($status, $decoded_json_or_raw_body)
sub standin_request {
    my ($method, $path, $data) = @_;
    my $port = $ENV{TEST_TEAMS_MOCK_PORT}
        or die "TEST_TEAMS_MOCK_PORT is not set\n";
    my $body = defined $data ? (ref $data ? json_encode($data) : $data) : '';
    my $raw = "$method $path HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
        . "Connection: close\r\n"
        . (length $body
           ? "Content-Type: application/json\r\nContent-Length: "
             . length($body) . "\r\n"
           : ($method =~ /^(POST|PUT|PATCH)$/ ? "Content-Length: 0\r\n" : ''))
        . "\r\n$body";
    my ($resp, $err) = http_raw_request('127.0.0.1', $port, $raw, 10);
    die "stand-in $method $path: $err\n" if $err;
    my ($status, $h, $rbody) = parse_http_response($resp);
    my $val = $rbody;
    if (defined $rbody && length $rbody
        && ($h->{'content-type'} // '') =~ /json/) {
        $val = eval { json_decode($rbody) } // $rbody;
    }
    return ($status, $val);
}

# standin_recorded(%query): the stand-in's recorded calls (array ref), e.g.
# standin_recorded(kind => 'graph', method => 'POST').
sub standin_recorded {
    my (%q) = @_;
    my $qs = join '&', map {
        my $v = $q{$_};
        $v =~ s/([^A-Za-z0-9_.~,-])/sprintf '%%%02X', ord $1/ge;
        "$_=$v";
    } sort keys %q;
    my ($status, $val) =
        standin_request('GET', '/_recorded' . (length $qs ? "?$qs" : ''));
    die "stand-in /_recorded returned $status\n" unless ($status // 0) == 200;
    return $val;
}

sub standin_reset {
    my ($status) = standin_request('POST', '/_reset');
    die "stand-in /_reset returned $status\n" unless ($status // 0) == 204;
    return 1;
}

1;
