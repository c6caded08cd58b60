# Issue 4: the action system through POST /api/teams/messages -- bot
# commands (replies on teams:replies), Universal Actions, dialogs and the
# message extension; rows checked in Postgres, events in Redis.

use strict;
use warnings;
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;

ensure_demo_seed();
# a profile needs a secret to be ready (the harness seeds none)
psql("UPDATE microsoft_profiles SET client_secret_ref = 'v1:fixture:fixture'"
     . " WHERE tenant = 'a0000000-0000-4000-8000-000000000001'"
     . " AND profile_id = 'a1000000-0000-4000-8000-000000000001'"
     . " AND client_secret_ref = ''");

our $Ids = demo_ids();

sub post_activity {
    my (%o) = @_;
    my $aad = exists $o{aad} ? delete $o{aad} : $main::Ids->{TECH_AAD_OID_A};
    my $a = json_decode(activity(aad => $aad, %o));
    $a->{id} = $o{id} // ('act-' . int(rand(1e9)));
    $a->{conversation}{conversationType} = $o{ctype} if $o{ctype};
    my ($s, $h, $b) = http_request('POST', '/api/teams/messages',
        { 'Content-Type' => 'application/json',
          'Authorization' => 'Bearer ' . bf_token() }, json_encode($a));
    return ($s, $b, $a->{id});
}

sub last_reply {
    my $out = redis_cli('XREVRANGE', 'teams:replies', '+', '-', 'COUNT', '1');
    return $out // '';
}

sub events { redis_cli('XLEN', "alga-psa:event-stream:global:$_[0]") // 0 }

add_block_preprocessor(sub {
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
CONF
});

run_tests();

__DATA__

=== TEST 1: bot: help, my tickets, ticket, unknown text, group chat
--- test_script
my ($s, $b) = main::post_activity(text => 'help');
is($s, 200, 'help: 200');
is($b, '{}', 'help: empty body');
like(main::last_reply(), qr/PSA bot commands/, 'help: reply queued');

($s, $b) = main::post_activity(text => 'my tickets');
is($s, 200, 'my tickets: 200');
like(main::last_reply(), qr/Your open tickets/, 'my tickets: list');
like(main::last_reply(), qr/TIC00/, 'my tickets: numbers');

($s, $b) = main::post_activity(text => 'ticket TIC001000');
like(main::last_reply(), qr/Outlook keeps asking/, 'ticket: record card');
like(main::last_reply(), qr/refresh/, 'ticket: refresh');
like(main::last_reply(), qr/psa.example\/msp\/tickets\//, 'ticket: PSA link');

($s, $b) = main::post_activity(text => 'ticket TIC999999');
like(main::last_reply(), qr/could not find/, 'ticket: not found');

($s, $b) = main::post_activity(text => 'what is this');
like(main::last_reply(), qr/PSA bot commands/, 'unknown: help');

($s, $b) = main::post_activity(text => 'my tickets', ctype => 'groupChat');
like(main::last_reply(), qr/personal chat/, 'group chat: personal only');
--- no_error_log
[alert]
[crit]



=== TEST 2: bot: add note writes a comment thread, an audit row, an event; a retry does nothing
--- test_script
my $before = main::events('TICKET_COMMENT_ADDED');
my $run = int(rand(1e9));
my ($s, $b, $id) = main::post_activity(text => "add note TIC001001: checked the VPN logs $run", id => "act-note-$run");
is($s, 200, 'add note: 200');
like(main::last_reply(), qr/Internal note added/, 'add note: confirmation');
my $n = psql("SELECT count(*) FROM comments c JOIN comment_threads t ON t.tenant = c.tenant AND t.thread_id = c.thread_id WHERE c.tenant = \$1 AND c.note = 'checked the VPN logs $run' AND c.is_internal AND t.is_internal AND c.author_type = 'internal' AND c.user_id = \$2", $main::Ids->{PSA_TENANT_A}, $main::Ids->{TECH_USER_ID_A});
is($n, 1, 'add note: internal comment in its thread');
is(psql("SELECT count(*) FROM teams_audit_events WHERE tenant = \$1 AND action_id = 'add_note' AND surface = 'bot'", $main::Ids->{PSA_TENANT_A}) >= 1, 1, 'audit row');
is(main::events('TICKET_COMMENT_ADDED'), $before + 1, 'event published');
($s, $b) = main::post_activity(text => "add note TIC001001: checked the VPN logs $run", id => "act-note-$run");
is(psql("SELECT count(*) FROM comments WHERE tenant = \$1 AND note = 'checked the VPN logs $run'", $main::Ids->{PSA_TENANT_A}), 1, 'duplicate: no second comment');
is(main::events('TICKET_COMMENT_ADDED'), $before + 1, 'duplicate: no second event');
like(main::last_reply(), qr/Internal note added/, 'duplicate: same answer');
--- no_error_log
[alert]
[crit]



=== TEST 3: bot: assign, reply, log time, approve, request changes; guards
--- test_script
my $T = $main::Ids->{PSA_TENANT_A};
my $run = int(rand(1e9));
# re-runnable: time sheet 1 waits for approval again
psql("UPDATE time_sheets SET approval_status = 'SUBMITTED', approved_at = NULL, approved_by = NULL WHERE tenant = \$1 AND id = \$2", $T, $main::Ids->{TIMESHEET_ID_A});
main::post_activity(text => 'assign ticket TIC001003 to me');
like(main::last_reply(), qr/Ticket assigned/, 'assign: confirmation');
is(psql("SELECT assigned_to FROM tickets WHERE tenant = \$1 AND ticket_number = 'TIC001003'", $T), $main::Ids->{TECH_USER_ID_A}, 'assign: row');
main::post_activity(text => 'assign ticket TIC001003');
like(main::last_reply(), qr/Input.Text/, 'assign without assignee: form');
main::post_activity(text => "reply to contact TIC001004: we are on it $run");
like(main::last_reply(), qr/Reply sent/, 'reply: confirmation');
is(psql("SELECT count(*) FROM comments WHERE tenant = \$1 AND note = 'we are on it $run' AND NOT is_internal", $T), 1, 'reply: not internal');
main::post_activity(text => "log time ticket TIC001001 1h30m: remote session $run");
like(main::last_reply(), qr/Time logged/, 'log time: confirmation');
is(psql("SELECT billable_duration FROM time_entries WHERE tenant = \$1 AND notes = 'remote session $run'", $T), 90, 'log time: 90 minutes');
main::post_activity(text => 'log time ticket TIC001001 forever: x');
like(main::last_reply(), qr/Enter a duration/, 'log time: bad duration re-renders');
main::post_activity(text => 'approve ' . $main::Ids->{TIMESHEET_ID_A}, aad => $main::Ids->{APPROVER_AAD_OID_A});
like(main::last_reply(), qr/Time sheet approved/, 'approve: confirmation');
is(psql("SELECT approval_status FROM time_sheets WHERE tenant = \$1 AND id = \$2", $T, $main::Ids->{TIMESHEET_ID_A}), 'APPROVED', 'approve: row');
main::post_activity(text => 'approve a4000000-0000-4000-8000-000000000002');
like(main::last_reply(), qr/not allow/, 'technician cannot approve');
main::post_activity(text => 'add note TIC001001: read only', aad => $main::Ids->{READONLY_AAD_OID_A});
like(main::last_reply(), qr/not allow/, 'read-only cannot add notes');
main::post_activity(text => 'ticket ' . $main::Ids->{TICKET_ID_B});
like(main::last_reply(), qr/could not find/, 'tenant B ticket: not found');
--- no_error_log
[alert]
[crit]



=== TEST 4: message extension query, fetchTask, submitAction; card action refresh
--- test_script
my ($s, $b) = main::post_activity(type => 'invoke', name => 'composeExtension/query',
    value => { commandId => 'search', parameters => [{ name => 'initialRun', value => 'true' }], queryOptions => { skip => 0, count => 5 } });
is($s, 200, 'query: 200');
like($b, qr/"type":"result"/, 'query: result');
like($b, qr/card.thumbnail/, 'query: previews');
($s, $b) = main::post_activity(type => 'invoke', name => 'composeExtension/query',
    value => { commandId => 'search', parameters => [{ name => 'q', value => 'vpn' }] });
like($b, qr/VPN/, 'query: search by title');
($s, $b) = main::post_activity(type => 'invoke', name => 'composeExtension/fetchTask',
    value => { commandId => 'createTicket', commandContext => 'message',
               messagePayload => { id => 'm1', subject => '', body => { contentType => 'html', content => '<p>Printer is <b>jammed</b> again</p>' },
                                   from => { user => { displayName => 'Pat' } }, linkToMessage => 'https://teams.microsoft.com/l/message/1/2' } });
is($s, 200, 'fetchTask: 200');
like($b, qr/"type":"continue"/, 'fetchTask: dialog');
like($b, qr/Printer is jammed again/, 'fetchTask: prefilled');
($s, $b) = main::post_activity(type => 'invoke', name => 'composeExtension/submitAction',
    value => { commandId => 'createTicket', commandContext => 'message',
               data => { title => 'Printer jammed', description => 'x', client => 'a6000000-0000-4000-8000-000000000001', nonce => 'n-create-1' },
               messagePayload => { id => 'm1', linkToMessage => 'https://teams.microsoft.com/l/message/1/2', body => { content => 'x' } } });
is($s, 200, 'submitAction: 200');
like($b, qr/Ticket created/, 'submitAction: result card');
is(psql("SELECT attributes->'teams_source'->>'message_id' FROM tickets WHERE tenant = \$1 AND title = 'Printer jammed'", $main::Ids->{PSA_TENANT_A}), 'm1', 'ticket stores the Teams source');
($s, $b) = main::post_activity(type => 'invoke', name => 'adaptiveCard/action',
    value => { action => { type => 'Action.Execute', verb => 'refresh', data => { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} } } });
is($s, 200, 'refresh: 200');
like($b, qr/"statusCode":200/, 'refresh: UAM body');
($s, $b) = main::post_activity(type => 'invoke', name => 'adaptiveCard/action', value => { action => { type => 'Action.Submit' } });
is($s, 400, 'card action: not Execute: 400');
($s, $b) = main::post_activity(type => 'invoke', name => 'composeExtension/queryLink', value => {});
is($s, 501, 'queryLink: 501');
--- no_error_log
[alert]
[crit]
