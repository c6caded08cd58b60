package Teams::Actions;

# Helpers of the action suites (t/07*.t): post an activity to the bot
# endpoint as a demo user, read the bot's reply back from teams:replies and
# the PSA events from the event bus streams, switch the tenant's Teams
# settings.  Every card an answer or a reply carries is collected for
# Teams::Cards::cards_ok().

use strict;
use warnings;

use Exporter 'import';
use JSON::PP ();
use Test::Nginx::Socket ();
use Teams::Cards;
use Teams::Tokens;
use Teams::Util qw(psql redis_cli json_encode json_decode);

our @EXPORT = qw(
    actions_setup post post_text post_invoke reply_for stream_entries
    last_event event_count set_integration restore_integration config_bump
    uniq
    ids tenant_a
);

my $ids;
sub ids { $ids //= demo_ids() }
sub tenant_a { ids()->{PSA_TENANT_A} }

my $seq = 0;
sub uniq { sprintf '%d-%d-%d', $$, time, ++$seq }

# The demo seed, a profile ready to send (the harness seeds no secret) and
# the nginx configuration of the bot endpoint for every block.
sub actions_setup {
    ensure_demo_seed();
    psql("UPDATE microsoft_profiles SET client_secret_ref ="
         . " 'v1:fixture:fixture' WHERE tenant = \$1 AND profile_id = \$2"
         . " AND client_secret_ref = ''",
         ids()->{PSA_TENANT_A}, ids()->{PROFILE_ID_A});
    # nginx starts with the first block: nothing to wait for yet
    restore_integration(wait => 0);
    Test::Nginx::Socket::add_block_preprocessor(sub {
        my $block = shift;
        $block->set_value('http_config', <<"CONF");
    teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}";
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};
    teams_public_url http://127.0.0.1:$ENV{TEST_NGINX_PORT};
    teams_psa_base_url https://psa.example;
    teams_jwks_file botframework $ENV{TEST_TEAMS_STATE_DIR}/keys/botfw.jwks.json;
    teams_jwks_file entra $ENV{TEST_TEAMS_STATE_DIR}/keys/entra.jwks.json;
    teams_connector_hosts 127.0.0.1:$ENV{TEST_TEAMS_MOCK_PORT};
CONF
        $block->set_value('config', <<'CONF');
    location = /api/teams/messages { teams_bot; }
    location = /api/teams/status { teams_status; }
CONF
    });
}

# post(%o): one activity (see Teams::Tokens::activity for %o; plus id,
# ctype, value).  Returns a hash: status, body, json (the decoded answer),
# id (the activity id) and, for a message, reply (see reply_for); headers
# adds request headers.
sub post {
    my (%o) = @_;
    my $aad = exists $o{aad} ? delete $o{aad} : ids()->{TECH_AAD_OID_A};
    my $extra = delete $o{headers} // {};
    my $a = json_decode(activity(aad => $aad, %o));
    $a->{id} = $o{id} // ('act-' . uniq());
    $a->{conversation}{conversationType} = $o{ctype} if $o{ctype};
    $a->{conversation}{id} = $o{conversation} if $o{conversation};
    my ($s, $h, $b) = Test::Nginx::Socket::http_request('POST',
        '/api/teams/messages',
        { 'Content-Type' => 'application/json',
          'Authorization' => 'Bearer ' . bf_token(), %$extra },
        json_encode($a));
    my %r = (status => $s, body => $b // '', id => $a->{id});
    $r{json} = eval { json_decode($b) } if defined $b && length $b;
    my $label = $o{name} // "message '" . substr($o{text} // '', 0, 30)
                . "'";
    cards_from_answer($label, $r{json}) if ref $r{json};
    if (($a->{type} // 'message') ne 'invoke') {
        $r{reply} = reply_for($a->{id}, $label);
    }
    return \%r;
}

sub post_text {
    my ($text, %o) = @_;
    return post(text => $text, %o);
}

sub post_invoke {
    my ($name, $value, %o) = @_;
    return post(type => 'invoke', name => $name, value => $value, %o);
}

# XREVRANGE of a stream: a list of { id, fields... }, newest first.
sub stream_entries {
    my ($stream, $count) = @_;
    my @lines = redis_cli('XREVRANGE', $stream, '+', '-', 'COUNT',
                          $count // 20);
    my @out;
    while (@lines) {
        my $id = shift @lines;
        next unless $id =~ /^\d+-\d+$/;
        my %e = (_id => $id);
        while (@lines && $lines[0] !~ /^\d+-\d+$/) {
            my $k = shift @lines;
            $e{$k} = shift @lines;
        }
        push @out, \%e;
    }
    return @out;
}

# The teams:replies entry answering activity $id (undef when none), with
# its activity decoded as {activity_json}; its cards are collected.
sub reply_for {
    my ($id, $label) = @_;
    for my $e (stream_entries('teams:replies', 50)) {
        next unless ($e->{reply_to} // '') eq $id;
        $e->{activity_json} = eval { json_decode($e->{activity}) };
        cards_from_activity($label // $id, $e->{activity_json});
        return $e;
    }
    return undef;
}

sub event_count {
    my ($type) = @_;
    return redis_cli('XLEN', "alga-psa:event-stream:global:$type") // 0;
}

# the newest event of a type, decoded (the "event" field)
sub last_event {
    my ($type) = @_;
    my ($e) = stream_entries("alga-psa:event-stream:global:$type", 1);
    return undef unless $e && $e->{event};
    return json_decode($e->{event});
}

my @CAPS = qw(personal_tab personal_bot group_chat_bot message_extension
              activity_notifications);
my @ALLOWED = qw(assign_ticket add_note reply_to_contact log_time
                 approval_response);

# set_integration(caps => [...], allowed => [...]): tenant A's Teams
# settings, then the config version bump the admin API does.
sub set_integration {
    my (%o) = @_;
    psql("UPDATE teams_integrations SET enabled_capabilities = \$2::jsonb,"
         . " allowed_actions = \$3::jsonb WHERE tenant = \$1",
         ids()->{PSA_TENANT_A}, json_encode($o{caps} // \@CAPS),
         json_encode($o{allowed} // \@ALLOWED));
    config_bump($o{wait} // 1);
}

# config_bump([wait]): INCR teams:config:version, as the admin API does
# after a change, and (unless wait is false) wait for nginx's next poll to
# apply it (its /api/teams/status config_version); dies when it does not
# within 15 s.
sub config_bump {
    my ($wait) = @_;
    my $v = redis_cli('INCR', 'teams:config:version');
    die "INCR teams:config:version failed\n" unless defined $v && $v =~ /^\d+$/;
    return $v unless $wait // 1;
    my $applied;
    Test::Nginx::Socket::wait_until(sub {
        my ($s, $h, $b) = Test::Nginx::Socket::http_request('GET',
            '/api/teams/status');
        my $j = eval { json_decode($b // '') };
        $applied = ref $j ? $j->{config_version} : undef;
        return defined $applied && $applied >= $v;
    }, 15, 100) or die "config version $v not applied within 15 s"
                       . " (status says " . ($applied // 'null') . ")\n";
    return $v;
}

sub restore_integration {
    my (%o) = @_;
    my $cur = psql("SELECT enabled_capabilities::text || allowed_actions::text"
                   . " FROM teams_integrations WHERE tenant = \$1",
                   ids()->{PSA_TENANT_A});
    my $want = json_encode(\@CAPS) . json_encode(\@ALLOWED);
    (my $c = $cur // '') =~ s/\s//g;
    return if $c eq $want;
    # cached settings follow within one poll: wait for it, like a change
    set_integration(%o);
}

1;
