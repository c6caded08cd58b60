package Teams::Tokens;

# Tokens and activities for the identity suites: JWS built and signed here
# (openssl does the RSA), so a test can sign exactly the bytes it wants --
# duplicate members, odd headers -- which no JWT library would produce.

use strict;
use warnings;

use Exporter 'import';
use Digest::SHA ();
use File::Temp ();
use IPC::Open2 ();
use JSON::PP ();
use MIME::Base64 ();

our @EXPORT = qw(
    b64url jws sign_raw bf_claims bf_token entra_claims entra_token
    activity demo_ids key_file load_fixture unload_fixture ensure_demo_seed
    service_url
);

my $json = JSON::PP->new->canonical;

sub b64url {
    my $s = MIME::Base64::encode_base64($_[0], '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+$//;
    return $s;
}

sub key_file {
    my ($which, $kind) = @_;    # botfw|entra, key|pub|kid|jwks
    my $dir = "$ENV{TEST_TEAMS_STATE_DIR}/keys";
    return "$dir/$which.key.pem" if $kind eq 'key';
    return "$dir/$which.pub.pem" if $kind eq 'pub';
    return "$dir/$which.jwks.json" if $kind eq 'jwks';
    open my $fh, '<', "$dir/$which.kid" or die "$dir/$which.kid: $!";
    local $/;
    my $kid = <$fh>;
    $kid =~ s/\s+$//;
    return $kid;
}

# RSASSA-PKCS1-v1_5 over $data with the PEM key in $keyfile
sub sign_raw {
    my ($data, $keyfile, $bits) = @_;
    $bits //= 256;
    my $pid = IPC::Open2::open2(my $out, my $in, 'openssl', 'dgst',
                                "-sha$bits", '-sign', $keyfile);
    binmode $in;
    binmode $out;
    print $in $data;
    close $in;
    local $/;
    my $sig = <$out>;
    waitpid $pid, 0;
    die "openssl dgst failed" if $? != 0;
    return $sig;
}

# jws(header => {...}|'text', payload => {...}|'text', key => file, ...)
sub jws {
    my %a = @_;
    my $h = ref $a{header} ? $json->encode($a{header}) : $a{header};
    my $p = ref $a{payload} ? $json->encode($a{payload}) : $a{payload};
    my $input = b64url($h) . '.' . b64url($p);
    my $alg = $a{alg} // (ref $a{header} ? $a{header}{alg} : 'RS256');
    my $sig;
    if ($alg =~ /^RS(256|384|512)$/) {
        $sig = sign_raw($input, $a{key}, $1);
    } elsif ($alg eq 'HS256') {
        $sig = Digest::SHA::hmac_sha256($input, $a{hmac_key});
    } elsif ($alg eq 'none') {
        $sig = '';
    } else {
        $sig = sign_raw($input, $a{key}, 256);
    }
    return $input . '.' . b64url($sig);
}

my %ids;

sub demo_ids {
    return \%ids if %ids;
    my $file = "$ENV{TEST_TEAMS_REPO}/sql/seed/demo-ids.env";
    open my $fh, '<', $file or die "$file: $!";
    while (<$fh>) {
        $ids{$1} = $2 if /^([A-Z0-9_]+)=(\S+)/;
    }
    return \%ids;
}

sub service_url { "http://127.0.0.1:$ENV{TEST_TEAMS_MOCK_PORT}/amer/" }

sub bf_claims {
    my %o = @_;
    my $now = time;
    my %c = (
        iss => 'https://api.botframework.com',
        aud => demo_ids()->{BOT_APP_ID_A},
        exp => $now + 3600,
        nbf => $now - 10,
        iat => $now - 10,
        serviceurl => service_url(),
    );
    while (my ($k, $v) = each %o) {
        if (defined $v) { $c{$k} = $v } else { delete $c{$k} }
    }
    return \%c;
}

sub bf_token {
    my (%o) = @_;
    my $alg = delete $o{alg} // 'RS256';
    my $header = delete $o{header} // {
        alg => $alg, typ => 'JWT', kid => key_file('botfw', 'kid')
    };
    my $key = delete $o{key} // key_file('botfw', 'key');
    return jws(header => $header, payload => bf_claims(%o), key => $key,
               alg => $alg);
}

sub entra_claims {
    my %o = @_;
    my $ids = demo_ids();
    my $now = time;
    my $tid = $o{tid} // $ids->{MS_TENANT_A};
    my %c = (
        iss => "https://login.microsoftonline.com/$tid/v2.0",
        aud => $ids->{BOT_APP_ID_A},
        tid => $tid,
        oid => $ids->{TECH_AAD_OID_A},
        scp => 'access_as_user',
        ver => '2.0',
        name => 'Tess Tech',
        preferred_username => 'tech@northwind.example',
        exp => $now + 3600,
        nbf => $now - 10,
        iat => $now - 10,
    );
    while (my ($k, $v) = each %o) {
        if (defined $v) { $c{$k} = $v } else { delete $c{$k} }
    }
    return \%c;
}

sub entra_token {
    my (%o) = @_;
    my $header = delete $o{header} // {
        alg => 'RS256', typ => 'JWT', kid => key_file('entra', 'kid')
    };
    my $key = delete $o{key} // key_file('entra', 'key');
    return jws(header => $header, payload => entra_claims(%o), key => $key);
}

# A personal-chat message from the technician of tenant A, as JSON text.
sub activity {
    my %o = @_;
    my $ids = demo_ids();
    my $oid = exists $o{aad} ? $o{aad} : $ids->{TECH_AAD_OID_A};
    my $a = {
        type => $o{type} // 'message',
        id => 'act-1',
        serviceUrl => $o{serviceUrl} // service_url(),
        channelId => $o{channelId} // 'msteams',
        from => { id => '29:teams-user-id',
                  defined $oid ? (aadObjectId => $oid) : () },
        recipient => { id => '28:' . $ids->{BOT_APP_ID_A} },
        conversation => { id => 'a:personal-1', conversationType => 'personal' },
        channelData => { tenant => { id => $o{tenant} // $ids->{MS_TENANT_A} } },
        text => $o{text} // 'help',
    };
    $a->{name} = $o{name} if $o{name};
    $a->{value} = $o{value} if $o{value};
    return $json->encode($a);
}

sub psql_file {
    my ($file) = @_;
    system('psql', $ENV{TEST_TEAMS_PG_CONNINFO}, '-q', '-v', 'ON_ERROR_STOP=1',
           '-f', $file) == 0 or die "psql -f $file failed";
}

# The demo seed, once, when the harness started its own empty database.
sub ensure_demo_seed {
    my $n = `psql "$ENV{TEST_TEAMS_PG_CONNINFO}" -At -c "SELECT count(*) FROM tenants WHERE tenant = 'a0000000-0000-4000-8000-000000000001'"`;
    return if defined $n && $n =~ /^1/;
    my $key = sprintf 'tk_test_%08x%08x', int(rand(2**32)), int(rand(2**32));
    system('psql', $ENV{TEST_TEAMS_PG_CONNINFO}, '-q', '-v', 'ON_ERROR_STOP=1',
           '-v', "admin_api_key_a=${key}a", '-v', "admin_api_key_b=${key}b",
           '-v', "mock_url=http://127.0.0.1:$ENV{TEST_TEAMS_MOCK_PORT}",
           '-f', "$ENV{TEST_TEAMS_REPO}/sql/seed/demo.sql") == 0
        or die "demo seed failed";
}

sub load_fixture {
    my ($name) = @_;
    psql_file("$ENV{TEST_TEAMS_REPO}/t/fixtures/$name.sql");
}

sub unload_fixture {
    my ($name) = @_;
    psql_file("$ENV{TEST_TEAMS_REPO}/t/fixtures/$name-cleanup.sql");
}

1;
