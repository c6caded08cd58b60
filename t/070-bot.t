# Issue 4, the personal bot: every command through POST /api/teams/messages,
# the reply queued on teams:replies (fields per CONVENTIONS), the rows the
# PSA itself would write and the PSA event on the event bus stream.  Guards:
# not permitted, read-only, wrong tenant, not found, invalid input,
# capability and action disabled, duplicate submit.  The client-user
# refusal is an identity refusal, covered in t/060-identity.t.

use strict;
use warnings;
use Digest::SHA ();
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;
use Teams::Cards;
use Teams::Actions;

actions_setup();
our $Ids = ids();
our $T = tenant_a();

# the text of a reply activity (its cards' JSON), for like()
sub rt { my $r = shift; return $r->{reply} ? $r->{reply}{activity} : '' }

run_tests();

__DATA__

=== TEST 1: help, unknown text, group chat, the teams:replies entry
--- test_script
my $r = main::post_text('help');
is($r->{status}, 200, 'help: 200 at once');
is($r->{body}, '{}', 'help: empty body');
my $e = $r->{reply};
ok($e, 'help: reply queued');
is($e->{tenant}, $main::T, 'reply: tenant');
is($e->{profile}, $main::Ids->{PROFILE_ID_A}, 'reply: profile');
is($e->{service_url}, service_url(), 'reply: service_url');
is($e->{conversation}, 'a:personal-1', 'reply: conversation');
is($e->{reply_to}, $r->{id}, 'reply: reply_to');
like($e->{idempotency}, qr/^reply:\Q$r->{id}\E:/, 'reply: idempotency');
is($e->{activity_json}{type}, 'message', 'reply: a message activity');
like(main::rt($r), qr/PSA bot commands/, 'help: the command list');
my $r2 = main::post_text('help');
isnt($r2->{reply}{idempotency}, $e->{idempotency}, 'idempotency unique per reply');
my $long = 'f:' . ('7' x 600) . uniq();
$r = main::post_text('help', id => $long);
is($r->{reply}{reply_to}, $long, 'a 600-byte activity id: replied to as it is');
like($r->{reply}{idempotency}, qr/^reply:\Q${\ Digest::SHA::sha256_hex($long)}\E:[0-9a-f]{32}$/,
     'a 600-byte activity id: the reply key holds its SHA-256, within the worker\'s 200 bytes');

$r = main::post_text('what is this');
like(main::rt($r), qr/PSA bot commands/, 'unknown text: help');
$r = main::post_text('my tickets', ctype => 'groupChat');
like(main::rt($r), qr/personal chat/, 'group chat: personal only');
$r = main::post_text('my tickets', ctype => 'channel');
like(main::rt($r), qr/personal chat/, 'channel: personal only');
cards_ok(5);
--- no_error_log
[alert]
[crit]



=== TEST 2: my tickets, my approvals, ticket <n>, not found, wrong tenant
--- test_script
my $r = main::post_text('my tickets');
is($r->{status}, 200, 'my tickets: 200');
like(main::rt($r), qr/Your open tickets/, 'my tickets: list');
like(main::rt($r), qr/TIC00/, 'my tickets: numbers');
$r = main::post_text('my approvals', aad => $main::Ids->{APPROVER_AAD_OID_A});
like(main::rt($r), qr/Time sheets waiting for approval|Nothing is waiting/, 'my approvals: list');
$r = main::post_text('my approvals');
like(main::rt($r), qr/not allow/, 'my approvals: a technician may not approve');
$r = main::post_text('ticket TIC001000');
like(main::rt($r), qr/Outlook keeps asking/, 'ticket: record card');
like(main::rt($r), qr/"refresh"/, 'ticket: Universal Actions refresh');
like(main::rt($r), qr{psa\.example/msp/tickets/}, 'ticket: PSA link');
like(main::rt($r), qr{teams\.microsoft\.com/l/entity/}, 'ticket: Teams deep link');
$r = main::post_text('ticket 1000');
like(main::rt($r), qr/Outlook keeps asking/, 'ticket by bare number');
$r = main::post_text('ticket TIC999999');
like(main::rt($r), qr/could not find/, 'ticket: not found');
$r = main::post_text('ticket ' . $main::Ids->{TICKET_ID_B});
like(main::rt($r), qr/could not find/, 'tenant B ticket id: not found');
unlike(main::rt($r), qr/\Q$main::Ids->{TICKET_ID_B}\E/, 'tenant B: nothing of it shown');
$r = main::post_text('ticket');
like(main::rt($r), qr/PSA bot commands|ticket/, 'ticket without a number: usage');
cards_ok(8);
--- no_error_log
[alert]
[crit]



=== TEST 3: assign to me, to a name, to an e-mail; missing assignee: prefilled card; event
--- test_script
my $email = psql("SELECT email FROM users WHERE tenant = \$1 AND user_id = \$2", $main::T, $main::Ids->{TECH2_USER_ID_A});
my $name = psql("SELECT concat_ws(' ', first_name, last_name) FROM users WHERE tenant = \$1 AND user_id = \$2", $main::T, $main::Ids->{TECH2_USER_ID_A});
my $sql = "SELECT assigned_to FROM tickets WHERE tenant = \$1 AND ticket_number = 'TIC001003'";
my $r = main::post_text("assign ticket TIC001003 to $email");
like(main::rt($r), qr/Ticket assigned/, 'to e-mail: confirmation');
is(psql($sql, $main::T), $main::Ids->{TECH2_USER_ID_A}, 'to e-mail: row');
my $ev = last_event('TICKET_ASSIGNED');
is($ev->{eventType}, 'TICKET_ASSIGNED', 'event: type');
is($ev->{payload}{tenantId}, $main::T, 'event: tenantId');
is($ev->{payload}{userId}, $main::Ids->{TECH2_USER_ID_A}, 'event: userId (the assignee)');
is($ev->{payload}{assignedByUserId}, $main::Ids->{TECH_USER_ID_A}, 'event: assignedByUserId');
ok($ev->{payload}{ticketId}, 'event: ticketId');
$r = main::post_text('assign ticket TIC001003 to me');
like(main::rt($r), qr/Ticket assigned/, 'to me: confirmation');
is(psql($sql, $main::T), $main::Ids->{TECH_USER_ID_A}, 'to me: row');
$r = main::post_text("assign ticket TIC001003 to $name");
like(main::rt($r), qr/Ticket assigned/, 'to a name: confirmation');
is(psql($sql, $main::T), $main::Ids->{TECH2_USER_ID_A}, 'to a name: row');
$r = main::post_text('assign ticket TIC001003 to nobody-at-all');
like(main::rt($r), qr/No active MSP user matches/, 'unknown assignee: form with field message');
$r = main::post_text('assign ticket TIC001003');
like(main::rt($r), qr/Input\.Text/, 'no assignee: the form');
like(main::rt($r), qr/"id":"ticket".*?"value":"TIC001003"/, 'no assignee: prefilled ticket');
main::post_text('assign ticket TIC001003 to me');
is(psql("SELECT count(*) FROM teams_audit_events WHERE tenant = \$1 AND action_id = 'assign_ticket' AND surface = 'bot' AND actor_user_id = \$2", $main::T, $main::Ids->{TECH_USER_ID_A}) > 0, 1, 'audit rows');
cards_ok(6);
--- no_error_log
[alert]
[crit]



=== TEST 4: add note: comment in its thread, audit, receipt, event; retry changes nothing; missing text: prefilled card
--- test_script
my $u = uniq();
my $before = event_count('TICKET_COMMENT_ADDED');
my $r = main::post_text("add note TIC001001: checked the VPN logs $u", id => "act-note-$u");
is($r->{status}, 200, 'add note: 200');
like(main::rt($r), qr/Internal note added/, 'add note: confirmation');
is(psql("SELECT count(*) FROM comments c JOIN comment_threads t ON t.tenant = c.tenant AND t.thread_id = c.thread_id AND t.ticket_id = c.ticket_id WHERE c.tenant = \$1 AND c.note = \$2 AND c.is_internal AND t.is_internal AND c.author_type = 'internal' AND c.user_id = \$3", $main::T, "checked the VPN logs $u", $main::Ids->{TECH_USER_ID_A}), 1, 'internal comment in its thread');
is(psql("SELECT count(*) FROM teams_action_receipts WHERE tenant = \$1 AND action = 'add_note' AND idempotency_key LIKE \$2", $main::T, "%act-note-$u"), 1, 'receipt');
is(psql("SELECT count(*) FROM teams_audit_events WHERE tenant = \$1 AND action_id = 'add_note' AND surface = 'bot' AND idempotency_key LIKE \$2 AND microsoft_user_id = \$3", $main::T, "%act-note-$u", $main::Ids->{TECH_AAD_OID_A}), 1, 'audit row');
is(event_count('TICKET_COMMENT_ADDED'), $before + 1, 'one event');
my $ev = last_event('TICKET_COMMENT_ADDED');
is($ev->{payload}{tenantId}, $main::T, 'event: tenantId');
is($ev->{payload}{userId}, $main::Ids->{TECH_USER_ID_A}, 'event: userId');
is($ev->{payload}{comment}{content}, "checked the VPN logs $u", 'event: comment content');
ok($ev->{payload}{ticketId} && $ev->{id} && $ev->{timestamp}, 'event: ticketId, id, timestamp');
$r = main::post_text("add note TIC001001: checked the VPN logs $u", id => "act-note-$u");
is(psql("SELECT count(*) FROM comments WHERE tenant = \$1 AND note = \$2", $main::T, "checked the VPN logs $u"), 1, 'retry: no second comment');
is(event_count('TICKET_COMMENT_ADDED'), $before + 1, 'retry: no second event');
like(main::rt($r), qr/Internal note added/, 'retry: the same answer');
$r = main::post_text('add note TIC001001');
like(main::rt($r), qr/Add internal note/, 'no text: the form');
like(main::rt($r), qr/"id":"ticket".*?"value":"TIC001001"/, 'no text: prefilled');
$r = main::post_text("add note TIC999999: nothing $u");
like(main::rt($r), qr/could not find/, 'unknown ticket: not found');
cards_ok(4);
--- no_error_log
[alert]
[crit]



=== TEST 5: reply to contact: not internal; a ticket without a contact
--- test_script
my $u = uniq();
my $before = event_count('TICKET_COMMENT_ADDED');
my $r = main::post_text("reply to contact TIC001004: we are on it $u");
like(main::rt($r), qr/Reply sent/, 'reply: confirmation');
is(psql("SELECT count(*) FROM comments c JOIN comment_threads t ON t.tenant = c.tenant AND t.thread_id = c.thread_id WHERE c.tenant = \$1 AND c.note = \$2 AND NOT c.is_internal AND NOT t.is_internal", $main::T, "we are on it $u"), 1, 'reply: a customer-visible comment');
is(event_count('TICKET_COMMENT_ADDED'), $before + 1, 'reply: event');
# a ticket of our own without a contact (removed again below)
my $num = 'TICN' . substr($u =~ s/\D//gr, -8);
psql("INSERT INTO tickets (tenant, ticket_id, ticket_number, title, status_id, priority_id, entered_by, entered_at, updated_at, is_closed, board_id, client_id, contact_name_id) SELECT tenant, gen_random_uuid(), \$2, 'no contact', status_id, priority_id, entered_by, now(), now(), false, board_id, client_id, NULL FROM tickets WHERE tenant = \$1 AND ticket_number = 'TIC001004'", $main::T, $num);
$r = main::post_text("reply to contact $num: hello $u");
like(main::rt($r), qr/no contact to reply to/, 'no contact: refused');
is(psql("SELECT count(*) FROM comments WHERE tenant = \$1 AND note = \$2", $main::T, "hello $u"), 0, 'no contact: nothing written');
psql("DELETE FROM tickets WHERE tenant = \$1 AND ticket_number = \$2", $main::T, $num);
$r = main::post_text('reply to contact TIC001004');
like(main::rt($r), qr/Reply to the contact/, 'no text: the form');
cards_ok(3);
--- no_error_log
[alert]
[crit]



=== TEST 6: log time: ticket 1h30m, task 45m, 1.5h; bad duration re-renders; missing duration
--- test_script
my $u = uniq();
my $r = main::post_text("log time ticket TIC001001 1h30m: remote session $u");
like(main::rt($r), qr/Time logged/, 'ticket 1h30m: confirmation');
is(psql("SELECT billable_duration || ' ' || work_item_type || ' ' || (time_sheet_id IS NOT NULL) FROM time_entries WHERE tenant = \$1 AND notes = \$2", $main::T, "remote session $u"), '90 ticket true', 'ticket 1h30m: 90 minutes on a time sheet');
my $ev = last_event('TIME_ENTRY_CREATED');
is($ev->{payload}{tenantId}, $main::T, 'event: tenantId');
is($ev->{payload}{userId}, $main::Ids->{TECH_USER_ID_A}, 'event: userId');
is($ev->{payload}{workItemType}, 'ticket', 'event: workItemType');
ok($ev->{payload}{timeEntryId}, 'event: timeEntryId');
$r = main::post_text("log time task $main::Ids->{TASK_ID_A} 45m: task work $u");
like(main::rt($r), qr/Time logged/, 'task 45m: confirmation');
is(psql("SELECT billable_duration || ' ' || work_item_type FROM time_entries WHERE tenant = \$1 AND notes = \$2", $main::T, "task work $u"), '45 project_task', 'task 45m: row');
$r = main::post_text("log time ticket TIC001002 1.5h: decimal $u");
is(psql("SELECT billable_duration FROM time_entries WHERE tenant = \$1 AND notes = \$2", $main::T, "decimal $u"), 90, '1.5h: 90 minutes');
$r = main::post_text('log time ticket TIC001001 forever: x');
like(main::rt($r), qr/Enter a duration/, 'bad duration: the form with a field message');
$r = main::post_text('log time ticket TIC001001');
like(main::rt($r), qr/"id":"duration"/, 'no duration: the form');
like(main::rt($r), qr/"value":"TIC001001"/, 'no duration: prefilled');
cards_ok(5);
--- no_error_log
[alert]
[crit]



=== TEST 7: approve, request changes: <comment>; technician refused; short reference
--- test_script
psql("UPDATE time_sheets SET approval_status = 'SUBMITTED', approved_at = NULL, approved_by = NULL WHERE tenant = \$1 AND id IN (\$2, \$3)", $main::T, $main::Ids->{TIMESHEET_ID_A}, 'a4000000-0000-4000-8000-000000000002');
my $u = uniq();
my $r = main::post_text('approve ' . $main::Ids->{TIMESHEET_ID_A});
like(main::rt($r), qr/not allow/, 'technician cannot approve');
is(psql("SELECT approval_status FROM time_sheets WHERE tenant = \$1 AND id = \$2", $main::T, $main::Ids->{TIMESHEET_ID_A}), 'SUBMITTED', 'technician: nothing changed');
$r = main::post_text('my approvals', aad => $main::Ids->{APPROVER_AAD_OID_A});
my ($short) = main::rt($r) =~ /approve (\w{8})\b/;
ok($short, "my approvals shows a short reference ($short)");
$r = main::post_text("approve $short", aad => $main::Ids->{APPROVER_AAD_OID_A});
like(main::rt($r), qr/Time sheet approved/, 'approve by the short reference');
my $sheet = psql("SELECT id FROM time_sheets WHERE tenant = \$1 AND approval_status = 'APPROVED' AND approved_at > now() - interval '1 minute' ORDER BY approved_at DESC LIMIT 1", $main::T);
ok($sheet, 'a sheet approved');
my $ev = last_event('TIME_SHEET_APPROVED');
is($ev->{payload}{timeSheetId}, $sheet, 'event: timeSheetId');
is($ev->{payload}{approverId}, $main::Ids->{APPROVER_USER_ID_A}, 'event: approverId');
is($ev->{payload}{tenantId}, $main::T, 'event: tenantId');
# the other one by full id
my $other = $sheet eq $main::Ids->{TIMESHEET_ID_A} ? 'a4000000-0000-4000-8000-000000000002' : $main::Ids->{TIMESHEET_ID_A};
$r = main::post_text("request changes $other: split the Monday entry $u", aad => $main::Ids->{APPROVER_AAD_OID_A});
like(main::rt($r), qr/Changes requested/, 'request changes: confirmation');
is(psql("SELECT approval_status FROM time_sheets WHERE tenant = \$1 AND id = \$2", $main::T, $other), 'CHANGES_REQUESTED', 'request changes: row');
is(psql("SELECT count(*) FROM time_sheet_comments WHERE tenant = \$1 AND time_sheet_id = \$2 AND comment = \$3 AND is_approver", $main::T, $other, "split the Monday entry $u"), 1, 'request changes: the approver comment');
$ev = last_event('TIME_SHEET_CHANGES_REQUESTED');
is($ev->{payload}{comment}, "split the Monday entry $u", 'event: comment');
$r = main::post_text("request changes $other", aad => $main::Ids->{APPROVER_AAD_OID_A});
like(main::rt($r), qr/"id":"comment"/, 'request changes without a comment: the form');
$r = main::post_text("approve $other", aad => $main::Ids->{APPROVER_AAD_OID_A});
like(main::rt($r), qr/not waiting for approval/, 'not pending any more');
$r = main::post_text('approve a4000000', aad => $main::Ids->{APPROVER_AAD_OID_A});
like(main::rt($r), qr/more than one record/, 'an ambiguous prefix is refused');
psql("UPDATE time_sheets SET approval_status = 'SUBMITTED', approved_at = NULL, approved_by = NULL WHERE tenant = \$1 AND id IN (\$2, \$3)", $main::T, $main::Ids->{TIMESHEET_ID_A}, 'a4000000-0000-4000-8000-000000000002');
cards_ok(7);
--- no_error_log
[alert]
[crit]



=== TEST 8: read-only user, action disabled, capability disabled
--- test_script
my $u = uniq();
my $r = main::post_text("add note TIC001001: read only $u", aad => $main::Ids->{READONLY_AAD_OID_A});
like(main::rt($r), qr/not allow/, 'read-only: refused');
$r = main::post_text('ticket TIC001000', aad => $main::Ids->{READONLY_AAD_OID_A});
like(main::rt($r), qr/Outlook keeps asking/, 'read-only: may read');
unlike(main::rt($r), qr/Add note/, 'read-only: no mutating buttons');
set_integration(allowed => [qw(assign_ticket reply_to_contact log_time approval_response)]);
$r = main::post_text("add note TIC001001: disabled $u");
like(main::rt($r), qr/not allow|not enabled|turned off/i, 'add_note not allowed: refused');
is(psql("SELECT count(*) FROM comments WHERE tenant = \$1 AND note = \$2", $main::T, "disabled $u"), 0, 'action disabled: nothing written');
$r = main::post_text('ticket TIC001000');
unlike(main::rt($r), qr/"verb":"add_note"/, 'action disabled: no Add note button');
set_integration(caps => [qw(personal_tab group_chat_bot message_extension activity_notifications)]);
$r = main::post_text("add note TIC001001: no bot $u");
like(main::rt($r), qr/not enabled|turned off|disabled|administrator/i, 'personal_bot disabled: clear refusal');
is(psql("SELECT count(*) FROM comments WHERE tenant = \$1 AND note = \$2", $main::T, "no bot $u"), 0, 'capability disabled: nothing written');
restore_integration();
$r = main::post_text("add note TIC001001: back $u");
like(main::rt($r), qr/Internal note added/, 'restored: works again');
cards_ok(6);
--- no_error_log
[alert]
[crit]



=== TEST 9: install stores the conversation reference and welcomes
--- test_script
my $conv = 'a:install-' . uniq();
my $r = main::post(type => 'installationUpdate', conversation => $conv, value => undef, text => undef);
my $a = json_decode(activity(type => 'installationUpdate'));
is($r->{status}, 200, 'installationUpdate: 200');
is(psql("SELECT count(*) FROM teams_conversation_references WHERE tenant = \$1 AND conversation_id = \$2 AND microsoft_user_id = \$3", $main::T, $conv, $main::Ids->{TECH_AAD_OID_A}), 1, 'conversation reference stored');
--- no_error_log
[alert]
[crit]
