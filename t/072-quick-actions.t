# Issue 4, quick actions: task/fetch and task/submit dialogs and Universal
# Actions (adaptiveCard/action, Action.Execute): forms prefilled, required
# fields re-rendered with messages, cancel without side effects, success
# with a confirmation card; duplicate submits through each invoke type;
# malformed values 400; the refresh card shows each viewer only what they
# may do; a not-permitted approval; an action disabled centrally.

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

sub exec_action {
    my ($verb, $data, %o) = @_;
    return main::post_invoke('adaptiveCard/action',
        { action => { type => 'Action.Execute', verb => $verb, data => $data },
          trigger => 'manual' }, %o);
}

sub notes { psql("SELECT count(*) FROM comments WHERE tenant = \$1 AND note = \$2", $main::T, $_[0]) }

run_tests();

__DATA__

=== TEST 1: task/fetch opens the prefilled form; task/submit validates, re-renders, writes, dedups; cancel
--- test_script
my $u = uniq();
my $r = main::post_invoke('task/fetch', { data => { action => 'add_note', ticket => 'TIC001001' } });
is($r->{status}, 200, 'task/fetch: 200');
is($r->{json}{task}{type}, 'continue', 'task/fetch: a dialog');
like($r->{body}, qr/"id":"ticket".*?"value":"TIC001001"/, 'task/fetch: prefilled');
like($r->{body}, qr/Action\.Submit/, 'dialog buttons are Action.Submit');
my ($nonce) = $r->{body} =~ /"nonce":"([0-9a-f]+)"/;
ok($nonce, 'the form carries a nonce');
$r = main::post_invoke('task/submit', { data => { action => 'add_note', ticket => 'TIC001001', text => '', nonce => $nonce } });
is($r->{json}{task}{type}, 'continue', 'empty note: the dialog again');
like($r->{body}, qr/This field is required/, 'empty note: field message');
$r = main::post_invoke('task/submit', { data => { action => 'add_note', ticket => 'TIC001001', text => "dialog note $u", nonce => $nonce } });
like($r->{body}, qr/Internal note added/, 'task/submit: confirmation card');
like($r->{body}, qr{psa\.example/msp/tickets/}, 'confirmation: deep link');
is(main::notes("dialog note $u"), 1, 'task/submit: the note');
$r = main::post_invoke('task/submit', { data => { action => 'add_note', ticket => 'TIC001001', text => "dialog note $u", nonce => $nonce } });
like($r->{body}, qr/Internal note added/, 'double click: the same answer');
is(main::notes("dialog note $u"), 1, 'double click: no second note');
$r = main::post_invoke('task/submit', { data => { action => 'cancel', text => "cancelled $u" } });
is($r->{status}, 200, 'cancel: 200');
is($r->{body}, '', 'cancel: the dialog closes (empty answer)');
$r = main::post_invoke('task/submit', { data => { verb => 'cancel' } });
is($r->{status}, 200, 'cancel verb: 200');
is(main::notes("cancelled $u"), 0, 'cancel: nothing written');
$r = main::post_invoke('task/fetch', { data => { action => 'log_time', kind => 'task', ref => $main::Ids->{TASK_ID_A} } });
like($r->{body}, qr/"id":"duration"/, 'log time form');
$r = main::post_invoke('task/submit', { data => { action => 'log_time', kind => 'ticket', ref => 'TIC001001', duration => 'soon', nonce => "lt-$u" } });
like($r->{body}, qr/Enter a duration/, 'bad duration: re-rendered with a message');
$r = main::post_invoke('task/submit', { data => { action => 'log_time', kind => 'ticket', ref => 'TIC001001', duration => '45m', note => "dlg time $u", nonce => "lt2-$u" } });
like($r->{body}, qr/Time logged/, 'log time: confirmation');
is(psql("SELECT billable_duration FROM time_entries WHERE tenant = \$1 AND notes = \$2", $main::T, "dlg time $u"), 45, 'log time: 45 minutes');
cards_ok(7);
--- no_error_log
[alert]
[crit]



=== TEST 2: task invokes: malformed values 400
--- test_script
for my $n ('task/fetch', 'task/submit') {
    my $r = main::post_invoke($n, { nodata => 1 });
    is($r->{status}, 400, "$n without data: 400");
    $r = main::post_invoke($n, { data => 'x' });
    is($r->{status}, 400, "$n data not an object: 400");
    $r = main::post_invoke($n, { data => { action => 'no_such_action' } });
    is($r->{status}, 400, "$n unknown action: 400");
    $r = main::post_invoke($n, { data => { action => 'my_tickets' } });
    is($r->{status}, 400, "$n a read action: 400");
    $r = main::post_invoke($n, { data => {} });
    is($r->{status}, 400, "$n no action: 400");
}
my $r = main::post_invoke('task/fetch', 'nope');
is($r->{status}, 400, 'value not an object: 400');
like($r->{body}, qr/"code":"bad_request"/, 'error body');
--- no_error_log
[alert]
[crit]



=== TEST 3: adaptiveCard/action: add note, re-render, duplicate, cancel, refresh, form
--- test_script
my $u = uniq();
my $before = event_count('TICKET_COMMENT_ADDED');
my $r = main::exec_action('add_note', { ticket => 'TIC001002', text => "uam note $u", nonce => "x-$u" });
is($r->{status}, 200, 'Execute add_note: 200');
is($r->{json}{statusCode}, 200, 'UAM body statusCode 200');
is($r->{json}{type}, 'application/vnd.microsoft.card.adaptive', 'UAM body type card');
like($r->{body}, qr/Internal note added/, 'confirmation card');
is(main::notes("uam note $u"), 1, 'the note');
is(event_count('TICKET_COMMENT_ADDED'), $before + 1, 'the event');
$r = main::exec_action('add_note', { ticket => 'TIC001002', text => "uam note $u", nonce => "x-$u" });
like($r->{body}, qr/Internal note added/, 'duplicate: same answer');
is(main::notes("uam note $u"), 1, 'duplicate: no second note');
is(event_count('TICKET_COMMENT_ADDED'), $before + 1, 'duplicate: no second event');
$r = main::exec_action('add_note', { ticket => 'TIC001002', text => '' });
like($r->{body}, qr/This field is required/, 'empty: the form re-rendered with a message');
like($r->{body}, qr/"verb":"add_note"/, 'form buttons are Action.Execute');
$r = main::exec_action('cancel', { action => 'cancel', text => "cancel $u" });
like($r->{body}, qr/Nothing was changed/, 'cancel: a card saying so');
is(main::notes("cancel $u"), 0, 'cancel: nothing written');
$r = main::exec_action('form', { action => 'assign_ticket', ticket => 'TIC001002' });
like($r->{body}, qr/"id":"assignee"/, 'form verb: the assign form');
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} });
is($r->{json}{statusCode}, 200, 'refresh: 200 in the body');
like($r->{body}, qr/"verb":"refresh"/, 'refresh: the card refreshes again');
like($r->{body}, qr/"Add note"/, 'technician: Add note button');
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} }, aad => $main::Ids->{READONLY_AAD_OID_A});
unlike($r->{body}, qr/"Add note"|"Assign"|"Log time"/, 'read-only viewer: no mutating buttons');
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_B} });
like($r->{body}, qr/could not find/, 'refresh of a tenant B ticket: not found');
$r = main::exec_action('refresh', { kind => 'task', ref => $main::Ids->{TASK_ID_A} });
like($r->{body}, qr/"Log time"/, 'task card: Log time');
$r = main::exec_action('refresh', { kind => 'contact', ref => $main::Ids->{CONTACT_ID_A} });
is($r->{json}{statusCode}, 200, 'contact card');
cards_ok(10);
--- no_error_log
[alert]
[crit]



=== TEST 3b: a long nonce keys by its hash: bounded, repeats dedup, a different tail is a new action
--- test_script
my $u = uniq();
my $long = "L-$u-" . ('n' x 4000);
my $r = main::exec_action('add_note', { ticket => 'TIC001002', text => "long nonce $u", nonce => "${long}1" });
like($r->{body}, qr/Internal note added/, 'a 4 KB nonce: written');
my $hash = Digest::SHA::sha256_hex("${long}1");
is(psql("SELECT count(*) FROM teams_action_receipts WHERE idempotency_key = \$1",
        "add_note:$main::Ids->{TECH_USER_ID_A}:$hash"), 1, 'the receipt is keyed by its SHA-256');
$r = main::exec_action('add_note', { ticket => 'TIC001002', text => "long nonce $u", nonce => "${long}1" });
like($r->{body}, qr/Internal note added/, 'the same nonce again: same answer');
is(main::notes("long nonce $u"), 1, 'the same nonce again: no second note');
$r = main::exec_action('add_note', { ticket => 'TIC001002', text => "long nonce $u", nonce => "${long}2" });
like($r->{body}, qr/Internal note added/, 'differs only after 4 KB: written');
is(main::notes("long nonce $u"), 2, 'differs only after 4 KB: a second note');
--- no_error_log
[alert]
[crit]



=== TEST 4: adaptiveCard/action: malformed values 400 in the UAM error shape
--- test_script
my $r = main::post_invoke('adaptiveCard/action', { action => { type => 'Action.Submit' } });
is($r->{status}, 400, 'not Execute: 400');
is($r->{json}{type}, 'application/vnd.microsoft.error', 'UAM error type');
is($r->{json}{statusCode}, 400, 'UAM error statusCode');
$r = main::post_invoke('adaptiveCard/action', { action => { type => 'Action.Execute' } });
is($r->{status}, 400, 'no verb: 400');
$r = main::post_invoke('adaptiveCard/action', { action => { type => 'Action.Execute', verb => 'add_note', data => 'x' } });
is($r->{status}, 400, 'data not an object: 400');
$r = main::post_invoke('adaptiveCard/action', { action => { type => 'Action.Execute', verb => 'launch_rockets', data => {} } });
is($r->{status}, 400, 'unknown verb: 400');
$r = main::post_invoke('adaptiveCard/action', { action => { type => 'Action.Execute', verb => 'refresh', data => { kind => 'ticket' } } });
is($r->{status}, 400, 'refresh without ref: 400');
$r = main::post_invoke('adaptiveCard/action', { noaction => 1 });
is($r->{status}, 400, 'no action: 400');
--- no_error_log
[alert]
[crit]



=== TEST 5: approvals through the card: approve, request changes with comment, technician refused
--- test_script
my $u = uniq();
my $S1 = $main::Ids->{TIMESHEET_ID_A};
my $S2 = 'a4000000-0000-4000-8000-000000000002';
psql("UPDATE time_sheets SET approval_status = 'SUBMITTED', approved_at = NULL, approved_by = NULL WHERE tenant = \$1 AND id IN (\$2, \$3)", $main::T, $S1, $S2);
my $r = main::exec_action('refresh', { kind => 'approval', ref => $S1 }, aad => $main::Ids->{APPROVER_AAD_OID_A});
like($r->{body}, qr/"Approve"/, 'approver sees Approve');
$r = main::exec_action('refresh', { kind => 'approval', ref => $S1 });
unlike($r->{body}, qr/"Approve"/, 'the technician (owner) does not');
$r = main::exec_action('approval_response', { approval => $S1, decision => 'approve', nonce => "a-$u" });
is($r->{json}{statusCode}, 200, 'technician approving: answered in the body');
like($r->{body}, qr/not allow/, 'technician approving: not allowed');
is(psql("SELECT approval_status FROM time_sheets WHERE tenant = \$1 AND id = \$2", $main::T, $S1), 'SUBMITTED', 'technician: nothing changed');
$r = main::exec_action('approval_response', { approval => $S1, decision => 'approve', nonce => "a2-$u" }, aad => $main::Ids->{APPROVER_AAD_OID_A});
like($r->{body}, qr/Time sheet approved/, 'approve: confirmation');
is(psql("SELECT approval_status || ' ' || approved_by FROM time_sheets WHERE tenant = \$1 AND id = \$2", $main::T, $S1), "APPROVED $main::Ids->{APPROVER_USER_ID_A}", 'approve: row');
is(psql("SELECT count(*) FROM time_entries WHERE tenant = \$1 AND time_sheet_id = \$2 AND approval_status <> 'APPROVED'", $main::T, $S1), 0, 'approve: entries approved');
$r = main::exec_action('approval_response', { approval => $S2, decision => 'request_changes', comment => '', nonce => "a3-$u" }, aad => $main::Ids->{APPROVER_AAD_OID_A});
like($r->{body}, qr/"id":"comment"/, 'request changes without a comment: the form');
$r = main::post_invoke('task/submit', { data => { action => 'approval_response', approval => $S2, decision => 'request_changes', comment => "fix Friday $u", nonce => "a4-$u" } }, aad => $main::Ids->{APPROVER_AAD_OID_A});
like($r->{body}, qr/Changes requested/, 'request changes through a dialog: confirmation');
is(psql("SELECT count(*) FROM time_sheet_comments WHERE tenant = \$1 AND time_sheet_id = \$2 AND comment = \$3", $main::T, $S2, "fix Friday $u"), 1, 'request changes: comment row');
my $ev = last_event('TIME_SHEET_CHANGES_REQUESTED');
is($ev->{payload}{timeSheetId}, $S2, 'event: timeSheetId');
is($ev->{payload}{approvalStatus}, 'CHANGES_REQUESTED', 'event: approvalStatus');
$r = main::post_invoke('task/submit', { data => { action => 'approval_response', approval => $S2, decision => 'request_changes', comment => "fix Friday $u", nonce => "a4-$u" } }, aad => $main::Ids->{APPROVER_AAD_OID_A});
like($r->{body}, qr/Changes requested/, 'duplicate dialog submit: same answer');
is(psql("SELECT count(*) FROM time_sheet_comments WHERE tenant = \$1 AND time_sheet_id = \$2 AND comment = \$3", $main::T, $S2, "fix Friday $u"), 1, 'duplicate: one comment');
$r = main::exec_action('approval_response', { approval => 'a4000000-0000-4000-8000-0000000000ff', decision => 'approve', nonce => "a5-$u" }, aad => $main::Ids->{APPROVER_AAD_OID_A});
like($r->{body}, qr/could not find/, 'unknown sheet: not found');
psql("UPDATE time_sheets SET approval_status = 'SUBMITTED', approved_at = NULL, approved_by = NULL WHERE tenant = \$1 AND id IN (\$2, \$3)", $main::T, $S1, $S2);
psql("UPDATE time_entries SET approval_status = 'SUBMITTED' WHERE tenant = \$1 AND time_sheet_id IN (\$2, \$3)", $main::T, $S1, $S2);
cards_ok(8);
--- no_error_log
[alert]
[crit]



=== TEST 6: add_note removed from allowed_actions: refused centrally, button gone
--- test_script
my $u = uniq();
set_integration(allowed => [qw(assign_ticket reply_to_contact log_time approval_response)]);
my $r = main::exec_action('add_note', { ticket => 'TIC001002', text => "off $u", nonce => "o-$u" });
like($r->{body}, qr/not allow|not enabled|turned off/i, 'add_note disabled: refused');
is(main::notes("off $u"), 0, 'nothing written');
$r = main::post_invoke('task/submit', { data => { action => 'add_note', ticket => 'TIC001002', text => "off2 $u", nonce => "o2-$u" } });
like($r->{body}, qr/not allow|not enabled|turned off/i, 'dialog: refused');
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} });
unlike($r->{body}, qr/"Add note"/, 'no Add note button');
like($r->{body}, qr/"Assign"/, 'other buttons stay');
restore_integration();
cards_ok(3);
--- no_error_log
[alert]
[crit]



=== TEST 7: a permission revoked in the PSA: the next write is refused at once, reads follow the cached context
--- test_script
my $u = uniq();
my $r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} });
like($r->{body}, qr/"Add note"/, 'before: Add note button (context now cached)');
# the technician's roles lose ticket:update, outside the admin API
psql("CREATE TABLE t072_revoked AS"
     . " WITH d AS (DELETE FROM role_permissions rp USING user_roles ur, permissions p"
     . " WHERE ur.tenant = \$1 AND ur.user_id = \$2 AND rp.tenant = ur.tenant"
     . " AND rp.role_id = ur.role_id AND p.tenant = rp.tenant"
     . " AND p.permission_id = rp.permission_id AND p.resource = 'ticket'"
     . " AND p.action = 'update' RETURNING rp.*) SELECT * FROM d",
     $main::T, $main::Ids->{TECH_USER_ID_A});
ok(psql("SELECT count(*) FROM t072_revoked") > 0, 'a role permission revoked');
$r = main::exec_action('add_note', { ticket => 'TIC001002', text => "revoked $u", nonce => "rv-$u" });
like($r->{body}, qr/not allow/i, 'add note: refused at once');
is(main::notes("revoked $u"), 0, 'nothing written');
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} });
like($r->{body}, qr/"Add note"/, 'reads: the cached context until it is dropped');
config_bump();
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} });
unlike($r->{body}, qr/"Add note"/, 'after the version moved: no Add note button');
like($r->{body}, qr/Outlook keeps asking|TIC001000/, 'still readable');
psql("INSERT INTO role_permissions SELECT * FROM t072_revoked");
psql("DROP TABLE t072_revoked");
config_bump();
$r = main::exec_action('add_note', { ticket => 'TIC001002', text => "restored $u", nonce => "rs-$u" });
like($r->{body}, qr/Internal note added/, 'restored: add note works again');
cards_ok(4);
--- no_error_log
[alert]
[crit]



=== TEST 7b: conditional request headers do not turn an answer into an error
--- test_script
my %cond = ('If-Match' => '"x"', 'If-Unmodified-Since' => 'Thu, 01 Jan 1970 00:00:01 GMT');
my $r = main::exec_action('cancel', { action => 'cancel', text => 'x' }, headers => \%cond);
is($r->{status}, 200, 'cancel: answered 200');
like($r->{body}, qr/Nothing was changed/, 'cancel: the card');
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} }, headers => \%cond);
is($r->{status}, 200, 'refresh: answered 200');
$r = main::post_invoke('task/fetch', { data => { action => 'add_note', ticket => 'TIC001001' } }, headers => \%cond);
is($r->{status}, 200, 'task/fetch: answered 200');
$r = main::post_text('help', headers => \%cond);
is($r->{status}, 200, 'a message: answered 200');
$r = main::post_invoke('composeExtension/query', { commandId => 'searchTickets', parameters => [{ name => 'searchText', value => 'printer' }] }, headers => \%cond);
is($r->{status}, 200, 'search: answered 200');
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} });
is($r->{status}, 200, 'and the next request is served');
--- no_error_log
[alert]
[crit]



=== TEST 8: settings with other than strings in them: the strings count, the rest is ignored
--- test_script
my $u = uniq();
my @caps = qw(personal_tab personal_bot group_chat_bot message_extension activity_notifications);
my @allowed = qw(assign_ticket add_note reply_to_contact log_time approval_response);
set_integration(allowed => [@allowed, { deep => [1, [2, [3]]] }, 42, ['add_note']],
                caps => [@caps, { x => { y => 1 } }]);
my $r = main::exec_action('add_note', { ticket => 'TIC001002', text => "mixed $u", nonce => "mx-$u" });
like($r->{body}, qr/Internal note added/, 'add note works');
is(main::notes("mixed $u"), 1, 'the note');
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} });
like($r->{body}, qr/"Add note"/, 'reads work, buttons as allowed');
set_integration(allowed => [(grep { $_ ne 'add_note' } @allowed), ['add_note'], { add_note => 1 }]);
$r = main::exec_action('add_note', { ticket => 'TIC001002', text => "nested $u", nonce => "nx-$u" });
like($r->{body}, qr/not allow|not enabled|turned off/i, 'add_note only nested: not allowed');
is(main::notes("nested $u"), 0, 'nothing written');
$r = main::exec_action('refresh', { kind => 'ticket', ref => $main::Ids->{TICKET_ID_A} });
unlike($r->{body}, qr/"Add note"/, 'no Add note button');
restore_integration();
cards_ok(4);
--- no_error_log
[alert]
[crit]
