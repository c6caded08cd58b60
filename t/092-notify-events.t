# The optional worker role notify_events (issue 5 item 6), end to end:
# assigning a ticket from the bot publishes TICKET_ASSIGNED; the worker
# with notify_events = on turns it into an internal_notifications row
# (teams_notify_from_event), the trigger into an outbox row, and the
# sender into the assignee's Graph sendActivityNotification at the
# stand-in.  Also: a client comment, a time sheet submitted, idempotency
# per event id, internal comments ignored.

use strict;
use warnings;
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;
use Teams::Cards;
use Teams::Actions;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

my $worker = $ENV{TEST_TEAMS_WORKER};
plan skip_all => 'TEST_TEAMS_WORKER not executable'
    unless $worker && -x $worker;

actions_setup();
our $Ids = ids();
our $T = tenant_a();
our $Top = $ENV{TEST_TEAMS_REPO};
our $Tmp = "$Top/t/servroot-notify-events-$$";
our $Group = "t092-$$";
our $Pid;
mkdir $Tmp;

my $old_secret = psql(q{SELECT client_secret_ref FROM microsoft_profiles
                        WHERE tenant = $1::uuid AND profile_id = $2::uuid},
                      $T, $Ids->{PROFILE_ID_A});
my $ct = `printf 'notify-events-secret' | "$Top/build/teams-secret" encrypt --key-file "$ENV{TEST_TEAMS_SECRET_KEY_FILE}" --tenant $T --profile $Ids->{PROFILE_ID_A}`;
chomp $ct;
die "teams-secret failed" unless $ct =~ /^v1:/;
psql(q{UPDATE microsoft_profiles SET client_secret_ref = $3
       WHERE tenant = $1::uuid AND profile_id = $2::uuid},
     $T, $Ids->{PROFILE_ID_A}, $ct);

END {
    if ($Pid) {
        kill 'TERM', $Pid;
        waitpid($Pid, 0);
    }
    if (defined $old_secret) {
        psql(q{UPDATE microsoft_profiles SET client_secret_ref = $3
               WHERE tenant = $1::uuid AND profile_id = $2::uuid},
             $T, $Ids->{PROFILE_ID_A}, $old_secret);
        redis_cli('XGROUP', 'DESTROY', 'teams:notifications', $Group);
    }
    system('rm', '-rf', $Tmp);
}

open my $fh, '>', "$Tmp/w.conf" or die $!;
print $fh <<"CONF";
postgres = $ENV{TEST_TEAMS_PG_CONNINFO}
redis = 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT}
consumer = t092
group = $Group
graph_base = @{[ standin_url() ]}
token_endpoint_base = @{[ standin_url() ]}
openid_botframework = off
openid_entra = off
secret_key_file = $ENV{TEST_TEAMS_SECRET_KEY_FILE}
notify_psa_url = https://psa.example.test
notify_events = on
CONF
close $fh;

$Pid = fork() // die "fork: $!";
if ($Pid == 0) {
    open(STDOUT, '>', '/dev/null');
    open(STDERR, '>>', "$Tmp/w.log");
    exec($worker, '--config', "$Tmp/w.conf") or die "exec: $!";
}

sub wait_for {
    my ($secs, $cond) = @_;
    my $deadline = time() + $secs;
    while (time() < $deadline) {
        my $v = eval { $cond->() };
        return $v if $v;
        sleep(0.1);
    }
    return undef;
}

sub worker_log { local $/; open my $f, '<', "$Tmp/w.log" or return ''; <$f> }

sub graph_to {
    my ($oid, $since, $re) = @_;
    my $rec = standin_recorded(kind => 'graph', method => 'POST',
                               since => $since);
    return [ grep { $_->{path} eq "/v1.0/users/$oid/teamwork/sendActivityNotification"
                    && ref $_->{body} && $_->{body}{topic}{value} =~ $re }
             @$rec ];
}

sub last_seq {
    my $rec = standin_recorded();
    return @$rec ? $rec->[-1]{seq} : 0;
}

sub uuid {
    my $h = join '', map { sprintf '%04x', int(rand(65536)) } 1 .. 8;
    substr($h, 12, 1) = '4';
    substr($h, 16, 1) = '8';
    return join '-', substr($h, 0, 8), substr($h, 8, 4), substr($h, 12, 4),
        substr($h, 16, 4), substr($h, 20, 12);
}

sub publish {
    my ($type, $payload, $id) = @_;
    $id //= uuid();
    redis_cli('XADD', "alga-psa:event-stream:global:$type", '*', 'event',
              json_encode({ id => $id, eventType => $type,
                            timestamp => '2024-01-01T00:00:00.000Z',
                            payload => { tenantId => $main::T, %$payload } }));
    return $id;
}

sub rows_for_event {
    my ($id) = @_;
    return psql(q{SELECT count(*) FROM internal_notifications
                  WHERE metadata ->> 'eventId' = $1}, $id);
}

run_tests();

__DATA__

=== TEST 1: assign from the bot -> the assignee's activity-feed notification
--- test_script
ok(main::wait_for(10, sub { main::worker_log() =~ /notify events: consuming/ }),
   'the worker consumes the PSA event streams');
my $since = main::last_seq();
my $email = psql("SELECT email FROM users WHERE tenant = \$1 AND user_id = \$2",
                 $main::T, $main::Ids->{TECH2_USER_ID_A});
my $r = main::post_text("assign ticket TIC001003 to $email");
like($r->{reply} ? $r->{reply}{activity} : '', qr/Ticket assigned/,
     'the bot assigned the ticket');
my $ev = last_event('TICKET_ASSIGNED');
ok($ev && $ev->{id}, 'TICKET_ASSIGNED published');
my $oid = $main::Ids->{TECH2_AAD_OID_A};
my $calls = main::wait_for(20, sub {
    my $c = main::graph_to($oid, $since, qr/TIC001003/);
    @$c ? $c : undef });
ok($calls, "the assignee's Graph sendActivityNotification arrived")
    or diag main::worker_log();
if ($calls) {
    is(scalar @$calls, 1, 'exactly one');
    is($calls->[0]{body}{activityType}, 'assignmentCreated', 'activity type');
    like($calls->[0]{body}{topic}{webUrl},
         qr{^https://teams\.microsoft\.com/l/entity/}, 'deep link');
}
is(psql(q{SELECT template_name FROM internal_notifications
          WHERE metadata ->> 'eventId' = $1}, $ev->{id}), 'ticket-assigned',
   'internal_notifications row: ticket-assigned for the assignee');

# the same event again (a redelivery): nothing new
main::publish('TICKET_ASSIGNED', $ev->{payload}, $ev->{id});
sleep(1.5);
is(main::rows_for_event($ev->{id}), 1, 'idempotent per event id');

=== TEST 2: client comment, internal comment, time sheet submitted
--- test_script
my $tk = psql(q{SELECT ticket_id FROM tickets WHERE tenant = $1::uuid
                AND ticket_number = 'TIC001003'}, $main::T);
my $assignee = psql(q{SELECT assigned_to FROM tickets WHERE tenant = $1::uuid
                      AND ticket_id = $2::uuid}, $main::T, $tk);
my $since = main::last_seq();
my $c1 = main::publish('TICKET_COMMENT_ADDED', { ticketId => $tk,
    userId => $assignee, comment => { id => 'c1', content => 'Any news?',
    isInternal => JSON::PP::false, authorType => 'client' } });
my $c2 = main::publish('TICKET_COMMENT_ADDED', { ticketId => $tk,
    userId => $assignee, comment => { id => 'c2', content => 'note',
    isInternal => JSON::PP::true, authorType => 'internal' } });
ok(main::wait_for(10, sub { main::rows_for_event($c1) == 1 }),
   'client comment: one notification');
is(psql(q{SELECT template_name || ' ' || user_id || ' ' || link
          FROM internal_notifications WHERE metadata ->> 'eventId' = $1}, $c1),
   "ticket-comment-added-client $assignee /msp/tickets/$tk#comment-c1",
   'client comment: for the assigned technician');
is(main::rows_for_event($c2), 0, 'internal comment: none');

my $ts = $main::Ids->{TIMESHEET_ID_A};
my $sub = psql(q{SELECT user_id FROM time_sheets WHERE tenant = $1::uuid
                 AND id = $2::uuid}, $main::T, $ts);
my $t1 = main::publish('TIME_SHEET_SUBMITTED', { timeSheetId => $ts,
                                                 userId => $sub });
ok(main::wait_for(10, sub { main::rows_for_event($t1) >= 1 }),
   'time sheet: notifications for the approvers');
my @rows = psql(q{SELECT user_id, link FROM internal_notifications
                  WHERE metadata ->> 'eventId' = $1}, $t1);
ok(!grep({ $_->[0] eq $sub } @rows), 'never the submitter');
ok(!grep({ $_->[1] !~ m{/msp/time-sheet-approvals\?approvalId=$ts} } @rows),
   'links to the approval');
my $cat = psql(q{SELECT DISTINCT o.category FROM teams_notification_outbox o
                 JOIN internal_notifications n ON n.internal_notification_id
                      = o.internal_notification_id AND n.tenant = o.tenant
                 WHERE n.metadata ->> 'eventId' = $1}, $t1);
is($cat, 'approval_request', 'classified approval_request');
