# Issue 4, the message extension: composeExtension/query (search, initial
# run, paging, other tenants' records never shown), fetchTask prefilled
# from the message, submitAction creating a ticket or adding the message
# to a ticket or task with its Teams source; the capability switch,
# malformed values (400), unsupported invokes (501), duplicate submits.

use strict;
use warnings;
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;
use Teams::Cards;
use Teams::Actions;

actions_setup();
our $Ids = ids();
our $T = tenant_a();

sub q { main::post_invoke('composeExtension/query', @_) }

our %Msg = (id => 'm-ext-1', subject => '',
            body => { contentType => 'html',
                      content => '<p>Printer is <b>jammed</b> again &amp; again</p>' },
            from => { user => { displayName => 'Pat Customer' } },
            createdDateTime => '2026-01-05T10:00:00Z',
            linkToMessage => 'https://teams.microsoft.com/l/message/19:x/1');

run_tests();

__DATA__

=== TEST 1: query: initial run, search, paging, kinds, tenant scope
--- test_script
my $r = main::q({ commandId => 'search', parameters => [{ name => 'initialRun', value => 'true' }], queryOptions => { skip => 0, count => 5 } });
is($r->{status}, 200, 'initial run: 200');
is($r->{json}{composeExtension}{type}, 'result', 'initial run: result');
is($r->{json}{composeExtension}{attachmentLayout}, 'list', 'list layout');
my $att = $r->{json}{composeExtension}{attachments};
ok(@$att >= 1 && @$att <= 5, 'initial run: at most count items');
is($att->[0]{preview}{contentType}, 'application/vnd.microsoft.card.thumbnail', 'thumbnail preview');
like(json_encode($att->[0]), qr{psa\.example/msp/}, 'deep link to the PSA');
$r = main::q({ commandId => 'searchTickets', parameters => [{ name => 'query', value => 'TIC' }], queryOptions => { skip => 0, count => 10 } });
is(scalar @{ $r->{json}{composeExtension}{attachments} }, 10, 'search TIC: 10 tickets');
my $p2 = main::q({ commandId => 'searchTickets', parameters => [{ name => 'query', value => 'TIC' }], queryOptions => { skip => 10, count => 10 } });
my %first = map { $_->{content}{body}[0]{text} => 1 } @{ $r->{json}{composeExtension}{attachments} };
ok(!grep({ $first{$_->{content}{body}[0]{text}} } @{ $p2->{json}{composeExtension}{attachments} }), 'skip: the next page differs');
$r = main::q({ commandId => 'search', parameters => [{ name => 'q', value => 'vpn' }] });
like($r->{body}, qr/VPN/, 'search by title');
$r = main::q({ commandId => 'search', parameters => [{ name => 'q', value => 'TIC001000' }] });
like($r->{body}, qr/TIC001000/, 'search by number');
$r = main::q({ commandId => 'searchContacts', parameters => [{ name => 'q', value => '@' }] });
like($r->{body}, qr/"contact"|E-mail|\@/, 'search contacts by e-mail');
$r = main::q({ commandId => 'searchApprovals', parameters => [{ name => 'q', value => '' }] }, aad => $main::Ids->{APPROVER_AAD_OID_A});
is($r->{status}, 200, 'approvals search: 200');
# a closed ticket's result offers no changes, an open one's does, as its record card
my $closed = psql("SELECT ticket_number FROM tickets WHERE tenant = \$1 AND is_closed ORDER BY ticket_number LIMIT 1", $main::T);
my $open = psql("SELECT ticket_number FROM tickets WHERE tenant = \$1 AND NOT is_closed ORDER BY ticket_number LIMIT 1", $main::T);
$r = main::q({ commandId => 'searchTickets', parameters => [{ name => 'query', value => $closed }] });
like($r->{body}, qr/\Q$closed\E/, 'closed ticket found');
unlike($r->{body}, qr/"Add note"|"Assign"/, 'closed ticket: no Add note or Assign');
$r = main::q({ commandId => 'searchTickets', parameters => [{ name => 'query', value => $open }] });
like($r->{body}, qr/"Add note"/, 'open ticket: Add note');
# tenant B's records never show
my $b_title = psql("SELECT title FROM tickets WHERE tenant = \$1 AND ticket_id = \$2", $main::Ids->{PSA_TENANT_B}, $main::Ids->{TICKET_ID_B});
$r = main::q({ commandId => 'search', parameters => [{ name => 'q', value => $main::Ids->{TICKET_ID_B} }] });
unlike($r->{body}, qr/\Q$main::Ids->{TICKET_ID_B}\E/, 'tenant B ticket id: not found');
cards_ok(22);
--- no_error_log
[alert]
[crit]



=== TEST 2: query: malformed values 400, unsupported invokes 501, documented empty answers
--- test_script
my $r = main::q('not an object');
is($r->{status}, 400, 'value not an object: 400');
$r = main::q({ commandId => 'search', parameters => 'x' });
is($r->{status}, 400, 'parameters not an array: 400');
$r = main::q({ commandId => 'search', parameters => [{ value => 'x' }] });
is($r->{status}, 400, 'parameter without a name: 400');
$r = main::post_invoke('composeExtension/fetchTask', { commandContext => 'message' });
is($r->{status}, 400, 'fetchTask without commandId: 400');
$r = main::post_invoke('composeExtension/fetchTask', { commandId => 'nope' });
is($r->{status}, 400, 'fetchTask unknown command: 400');
$r = main::post_invoke('composeExtension/submitAction', { commandId => 'createTicket' });
is($r->{status}, 400, 'submitAction without data: 400');
for my $n (qw(composeExtension/queryLink composeExtension/selectItem signin/tokenExchange fileConsent/invoke no/such)) {
    $r = main::post_invoke($n, {});
    is($r->{status}, 501, "$n: 501");
}
$r = main::post_invoke('composeExtension/setting', {});
is($r->{status}, 200, 'setting: documented empty 200');
--- no_error_log
[alert]
[crit]



=== TEST 3: fetchTask: create-ticket and update dialogs prefilled from the message; outside a message
--- test_script
my $r = main::post_invoke('composeExtension/fetchTask', { commandId => 'createTicket', commandContext => 'message', messagePayload => \%main::Msg });
is($r->{status}, 200, 'fetchTask: 200');
is($r->{json}{task}{type}, 'continue', 'a dialog');
like($r->{body}, qr/Printer is jammed again (?:&|\\u0026) again/, 'plain text of the HTML body');
like($r->{body}, qr/From Teams, Pat Customer/, 'sender');
like($r->{body}, qr{teams\.microsoft\.com/l/message/19:x/1}, 'link to the message');
like($r->{body}, qr/Input\.ChoiceSet.*?"id":"client"/, 'client choice');
$r = main::post_invoke('composeExtension/fetchTask', { commandId => 'updateFromMessage', commandContext => 'message', messagePayload => \%main::Msg });
like($r->{body}, qr/"id":"mode"/, 'update dialog: note or reply');
like($r->{body}, qr/"value":"ticket"/, 'update dialog: kind ticket');
$r = main::post_invoke('composeExtension/fetchTask', { commandId => 'createTicket', commandContext => 'compose' });
like($r->{body}, qr/Started outside a message/, 'outside a message: a clear, recoverable form');
cards_ok(3);
--- no_error_log
[alert]
[crit]



=== TEST 4: submitAction: create ticket with its Teams source, event; duplicate; validation; cancel
--- test_script
my $u = uniq();
my $before = event_count('TICKET_CREATED');
my %v = (commandId => 'createTicket', commandContext => 'message', messagePayload => \%main::Msg,
         data => { title => "Printer jammed $u", description => 'x', client => $main::Ids->{CLIENT_ID_A}, nonce => "n-create-$u" });
my $r = main::post_invoke('composeExtension/submitAction', \%v);
is($r->{status}, 200, 'submitAction: 200');
is($r->{json}{composeExtension}{type}, 'result', 'result card');
like($r->{body}, qr/Ticket created/, 'confirmation');
like($r->{body}, qr{psa\.example/msp/tickets/}, 'deep link');
is(psql("SELECT attributes->'teams_source'->>'message_id' || ' ' || (attributes->'teams_source'->>'link') || ' ' || source FROM tickets WHERE tenant = \$1 AND title = \$2", $main::T, "Printer jammed $u"), 'm-ext-1 https://teams.microsoft.com/l/message/19:x/1 teams', 'ticket stores the Teams source');
is(event_count('TICKET_CREATED'), $before + 1, 'event');
my $ev = last_event('TICKET_CREATED');
is($ev->{payload}{tenantId}, $main::T, 'event: tenantId');
is($ev->{payload}{userId}, $main::Ids->{TECH_USER_ID_A}, 'event: userId');
is($ev->{payload}{ticketId}, psql("SELECT ticket_id FROM tickets WHERE tenant = \$1 AND title = \$2", $main::T, "Printer jammed $u"), 'event: ticketId');
$r = main::post_invoke('composeExtension/submitAction', \%v);
like($r->{body}, qr/Ticket created/, 'duplicate submit: same answer');
is(psql("SELECT count(*) FROM tickets WHERE tenant = \$1 AND title = \$2", $main::T, "Printer jammed $u"), 1, 'duplicate submit: one ticket');
is(event_count('TICKET_CREATED'), $before + 1, 'duplicate submit: one event');
$r = main::post_invoke('composeExtension/submitAction', { %v, data => { title => '', client => $main::Ids->{CLIENT_ID_A}, nonce => "n2-$u" } });
is($r->{json}{task}{type}, 'continue', 'missing title: the dialog again');
like($r->{body}, qr/This field is required/, 'missing title: field message');
$r = main::post_invoke('composeExtension/submitAction', { %v, data => { title => "bad client $u", client => $main::Ids->{CLIENT_ID_A} =~ s/1$/9/r, nonce => "n3-$u" } });
like($r->{body}, qr/Choose one of your clients/, 'unknown client: field message');
$r = main::post_invoke('composeExtension/submitAction', { %v, data => { action => 'cancel', title => "cancelled $u" } });
is($r->{status}, 200, 'cancel: 200');
is(psql("SELECT count(*) FROM tickets WHERE tenant = \$1 AND title = \$2", $main::T, "cancelled $u"), 0, 'cancel: nothing written');
psql("DELETE FROM tickets WHERE tenant = \$1 AND title = \$2", $main::T, "Printer jammed $u");
cards_ok(4);
--- no_error_log
[alert]
[crit]



=== TEST 5: submitAction update_from_message: ticket internal note, customer reply, task note
--- test_script
my $u = uniq();
my %base = (commandId => 'updateFromMessage', commandContext => 'message', messagePayload => \%main::Msg);
my $r = main::post_invoke('composeExtension/submitAction', { %base, data => { kind => 'ticket', ref => 'TIC001001', mode => 'note', text => "from teams note $u", nonce => "u1-$u" } });
like($r->{body}, qr/Internal note added/, 'ticket note: confirmation');
is(psql("SELECT count(*) FROM comments WHERE tenant = \$1 AND note = \$2 AND is_internal AND metadata->>'message_id' = 'm-ext-1'", $main::T, "from teams note $u"), 1, 'ticket note: internal, with the Teams source');
my $ev = last_event('TICKET_COMMENT_ADDED');
is($ev->{payload}{comment}{content}, "from teams note $u", 'event: comment');
$r = main::post_invoke('composeExtension/submitAction', { %base, data => { kind => 'ticket', ref => 'TIC001004', mode => 'reply', text => "from teams reply $u", nonce => "u2-$u" } });
like($r->{body}, qr/Reply sent/, 'customer reply: confirmation');
is(psql("SELECT count(*) FROM comments WHERE tenant = \$1 AND note = \$2 AND NOT is_internal", $main::T, "from teams reply $u"), 1, 'customer reply: not internal');
$r = main::post_invoke('composeExtension/submitAction', { %base, data => { kind => 'task', ref => $main::Ids->{TASK_ID_A}, text => "task note $u", nonce => "u3-$u" } });
like($r->{body}, qr/added|Note/i, 'task note: confirmation');
is(psql("SELECT count(*) FROM project_task_comments c JOIN comment_threads t ON t.tenant = c.tenant AND t.thread_id = c.thread_id WHERE c.tenant = \$1 AND c.task_id = \$2 AND c.note = \$3", $main::T, $main::Ids->{TASK_ID_A}, "task note $u"), 1, 'task note: project_task_comments row in its thread');
$r = main::post_invoke('composeExtension/submitAction', { %base, data => { kind => 'task', ref => $main::Ids->{TASK_ID_A}, text => "task note $u", nonce => "u3-$u" } });
is(psql("SELECT count(*) FROM project_task_comments WHERE tenant = \$1 AND note = \$2", $main::T, "task note $u"), 1, 'task note: duplicate writes nothing');
$r = main::post_invoke('composeExtension/submitAction', { %base, data => { kind => 'ticket', ref => $main::Ids->{TICKET_ID_B}, text => "wrong tenant $u", nonce => "u4-$u" } });
like($r->{body}, qr/could not find/, 'tenant B ticket: not found');
is(psql("SELECT count(*) FROM comments WHERE note = \$1", "wrong tenant $u"), 0, 'tenant B: nothing written');
$r = main::post_invoke('composeExtension/submitAction', { %base, data => { kind => 'ticket', ref => 'TIC001001', text => "read only $u", nonce => "u5-$u" } }, aad => $main::Ids->{READONLY_AAD_OID_A});
like($r->{body}, qr/not allow/, 'read-only: refused');
cards_ok(6);
--- no_error_log
[alert]
[crit]



=== TEST 6: capability message_extension disabled: a clear refusal
--- test_script
set_integration(caps => [qw(personal_tab personal_bot group_chat_bot activity_notifications)]);
my $r = main::q({ commandId => 'search', parameters => [{ name => 'q', value => 'vpn' }] });
is($r->{status}, 200, 'query: 200');
like($r->{body}, qr/not enabled/, 'query: says search is not enabled');
unlike($r->{body}, qr/VPN/, 'query: no results');
my $u = uniq();
$r = main::post_invoke('composeExtension/submitAction', { commandId => 'createTicket', commandContext => 'message', messagePayload => \%main::Msg, data => { title => "no ext $u", client => $main::Ids->{CLIENT_ID_A}, nonce => "c-$u" } });
like($r->{body}, qr/not enabled|turned off|administrator|not allow/i, 'submitAction: refused');
is(psql("SELECT count(*) FROM tickets WHERE tenant = \$1 AND title = \$2", $main::T, "no ext $u"), 0, 'submitAction: nothing written');
$r = main::post_invoke('composeExtension/fetchTask', { commandId => 'createTicket', commandContext => 'message', messagePayload => \%main::Msg });
like($r->{body}, qr/not enabled|turned off|administrator|not allow/i, 'fetchTask: refused');
unlike($r->{body}, qr/"id":"client"/, 'fetchTask: no create form');
restore_integration();
$r = main::q({ commandId => 'search', parameters => [{ name => 'q', value => 'vpn' }] });
like($r->{body}, qr/VPN/, 'restored: results again');
cards_ok(1);
--- no_error_log
[alert]
[crit]
