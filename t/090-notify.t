# Activity-feed notifications (issue 5), end to end: internal_notifications
# trigger and POST /api/teams/notify -> outbox -> teams:notifications ->
# teams-worker -> Graph sendActivityNotification at the stand-in ->
# teams_notification_deliveries.  Every category with the exact Graph
# request, every skip reason, 403/404, a 429 storm and a 5xx spell under
# the stand-in's enforced limits, kill -9 of the worker mid-batch, Redis
# flushed with pending deliveries, PostgreSQL restarted under load and two
# workers at once: nothing lost, nothing sent twice.
#
# Uses its own consumer group (t090-<pid>); needs the worker, the module
# and the stand-in.  Profile A's secret is set (encrypted) for the suite
# and put back afterwards.
use strict;
use warnings;

use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

my $worker = $ENV{TEST_TEAMS_WORKER};
plan skip_all => 'TEST_TEAMS_WORKER not executable'
    unless $worker && -x $worker;

ensure_demo_seed();

my $Ids  = demo_ids();
my $TA   = $Ids->{PSA_TENANT_A};
my $TB   = $Ids->{PSA_TENANT_B};
my $APP  = $Ids->{BOT_APP_ID_A};
my $Top  = $ENV{TEST_TEAMS_REPO};
my $Tmp  = "$Top/t/servroot-notify-$$";
my $Group = "t090-$$";
my $Mock = standin_url();
my $Psa  = 'https://psa.example.test';

mkdir $Tmp;

# ------------------------------------------------------------- fixture

my $old_secret = psql(q{SELECT client_secret_ref FROM microsoft_profiles
                        WHERE tenant = $1::uuid AND profile_id = $2::uuid},
                      $TA, $Ids->{PROFILE_ID_A});
my $ct = `printf 'notify-suite-secret' | "$Top/build/teams-secret" encrypt --key-file "$ENV{TEST_TEAMS_SECRET_KEY_FILE}" --tenant $TA --profile $Ids->{PROFILE_ID_A}`;
chomp $ct;
die "teams-secret failed" unless $ct =~ /^v1:/;
psql(q{UPDATE microsoft_profiles SET client_secret_ref = $3
       WHERE tenant = $1::uuid AND profile_id = $2::uuid},
     $TA, $Ids->{PROFILE_ID_A}, $ct);

my $key = sprintf 'tk_t090_%08x%08x', int(rand(2**32)), int(rand(2**32));
psql(q{INSERT INTO api_keys (api_key_id, api_key, user_id, tenant,
       description, active, purpose)
       VALUES ('af000000-0000-4000-8000-000000000901',
               encode(sha256(convert_to($1, 'UTF8')), 'hex'), $2::uuid,
               $3::uuid, 't090', true, 'general')
       ON CONFLICT (tenant, api_key_id)
       DO UPDATE SET api_key = EXCLUDED.api_key}, $key,
     $Ids->{ADMIN_USER_ID_A}, $TA);

# an internal user of tenant A, t090-<name>, with no linked account
sub internal_user {
    my ($id, $name) = @_;
    psql(q{INSERT INTO users (tenant, user_id, username, first_name,
           last_name, email, hashed_password, user_type)
           VALUES ($1::uuid, $2::uuid, 't090-' || $3, $3, 'Identity',
                   't090-' || $3 || '@example.test', 'x', 'internal')
           ON CONFLICT DO NOTHING}, $TA, $id, $name);
    return $id;
}

# a user without a linked Microsoft account
my $NOID = internal_user('a2000000-0000-4000-8000-000000000901', 'noid');

# one whose linked Microsoft account id is not an object id (it would go
# into the Graph URL's path)
my $BADID = internal_user('a2000000-0000-4000-8000-000000000902', 'badid');
psql(q{INSERT INTO user_auth_accounts (tenant, user_id, provider,
       provider_account_id, provider_email, metadata)
       VALUES ($1::uuid, $2::uuid, 'microsoft', '../../me/chats',
               't090-badid@example.test', '{}')
       ON CONFLICT DO NOTHING}, $TA, $BADID);

END {
    stop_all();
    if (defined $old_secret) {
        eval {
            psql(q{UPDATE microsoft_profiles SET client_secret_ref = $3
                   WHERE tenant = $1::uuid AND profile_id = $2::uuid},
                 $TA, $Ids->{PROFILE_ID_A}, $old_secret);
            psql(q{DELETE FROM api_keys WHERE api_key_id =
                   'af000000-0000-4000-8000-000000000901'});
            psql(q{DELETE FROM teams_notification_preferences
                   WHERE tenant = $1::uuid}, $TA);
            redis_cli('XGROUP', 'DESTROY', 'teams:notifications', $Group);
            standin_request('DELETE', '/_faults');
            standin_request('DELETE', '/_limits');
        };
    }
    system('rm', '-rf', $Tmp);
}

# ------------------------------------------------------------- helpers

my %Workers;

sub start_worker {
    my ($name, %o) = @_;
    my $conf = "$Tmp/$name.conf";
    open my $fh, '>', $conf or die "$conf: $!";
    print $fh <<"CONF";
postgres = $ENV{TEST_TEAMS_PG_CONNINFO}
redis = 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT}
consumer = $name
group = $Group
graph_base = $Mock
token_endpoint_base = $Mock
openid_botframework = off
openid_entra = off
secret_key_file = $ENV{TEST_TEAMS_SECRET_KEY_FILE}
notify_psa_url = $Psa
notify_lease = 4s
notify_claim_idle = 2s
notify_max_attempts = 10
notify_rate_limits = @{[ $o{limits} // 'on' ]}
CONF
    close $fh;
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open(STDOUT, '>', '/dev/null');
        open(STDERR, '>>', "$Tmp/$name.log");
        exec($worker, '--config', $conf) or die "exec: $!";
    }
    $Workers{$name} = $pid;
    return $pid;
}

sub stop_worker {
    my ($name, $sig) = @_;
    my $pid = delete $Workers{$name} or return;
    kill($sig // 'TERM', $pid);
    my $deadline = time() + 15;
    while (time() < $deadline) {
        return if waitpid($pid, WNOHANG) == $pid;
        sleep(0.05);
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
}

sub stop_all { stop_worker($_) for keys %Workers }

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

sub uuid {
    my $h = join '', map { sprintf '%04x', int(rand(65536)) } 1 .. 8;
    substr($h, 12, 1) = '4';
    substr($h, 16, 1) = '8';
    return join '-', substr($h, 0, 8), substr($h, 8, 4), substr($h, 12, 4),
        substr($h, 16, 4), substr($h, 20, 12);
}

# inserts internal_notifications rows; returns their ids
sub notify {
    my (%o) = @_;
    my $n = $o{count} // 1;
    my @ids;
    my @rows;
    for (1 .. $n) {
        my $id = uuid();
        push @ids, $id;
    }
    my $sql = q{INSERT INTO internal_notifications (internal_notification_id,
                tenant, user_id, template_name, language_code, title,
                message, link, metadata)
                SELECT x::uuid, $1::uuid, $2::uuid, $3, 'en', $4, $5, $6,
                       $7::jsonb
                  FROM unnest(string_to_array($8, ',')) AS x};
    psql($sql, $o{tenant} // $TA, $o{user} // $Ids->{TECH_USER_ID_A},
         $o{template} // 'ticket-assigned', $o{title} // 'Ticket assigned',
         $o{message} // 'A ticket was assigned to you.',
         $o{link} // "/msp/tickets/$Ids->{TICKET_ID_A}",
         $o{metadata} // undef, join(',', @ids));
    return @ids;
}

sub delivery {
    my ($id) = @_;
    my @r = psql(q{SELECT status, coalesce(error_code, ''),
                   coalesce(error_message, ''), attempt_number,
                   destination_type, destination_id, idempotency_key,
                   coalesce(category, '')
                   FROM teams_notification_deliveries
                   WHERE internal_notification_id = $1::uuid}, $id);
    return @r ? $r[0] : undef;
}

sub final_count {
    my (@ids) = @_;
    return psql(q{SELECT count(*) FROM teams_notification_deliveries
                  WHERE internal_notification_id = ANY
                        (string_to_array($1, ',')::uuid[])
                    AND (status IN ('sent', 'skipped')
                         OR (status = 'failed' AND retryable = false))},
                join(',', @ids));
}

sub sent_count {
    my (@ids) = @_;
    return psql(q{SELECT count(*) FROM teams_notification_deliveries
                  WHERE internal_notification_id = ANY
                        (string_to_array($1, ',')::uuid[])
                    AND status = 'sent'}, join(',', @ids));
}

sub wait_sent {
    my ($secs, @ids) = @_;
    return wait_for($secs, sub { sent_count(@ids) == @ids });
}

# Graph calls answered 204 at the stand-in per (user, title) since $since
sub graph_calls {
    my ($since) = @_;
    my $rec = standin_recorded(kind => 'graph', method => 'POST',
                               since => $since // 0);
    return [ grep { $_->{path} =~ /sendActivityNotification$/ } @$rec ];
}

sub last_seq {
    my $rec = standin_recorded();
    return @$rec ? $rec->[-1]{seq} : 0;
}

sub uri_enc {
    my ($s) = @_;
    $s =~ s/([^A-Za-z0-9\-_.~])/sprintf '%%%02X', ord $1/ge;
    return $s;
}

sub deep_link {
    my ($kind, $id, $web) = @_;
    return "https://teams.microsoft.com/l/entity/$APP/psa?webUrl="
        . uri_enc("$Psa$web") . '&context='
        . uri_enc(qq({"subEntityId":"$kind:$id"}));
}

standin_request('DELETE', '/_faults');
standin_request('DELETE', '/_limits');
redis_cli('DEL', 'teams:notifications:marker');

start_worker('w1');

# ------------------------------------------------- each category, exactly

my $since = last_seq();
my $long = 'Customer wrote: ' . ('x' x 300);
my $task = $Ids->{TASK_ID_A};
my $proj = $Ids->{PROJECT_ID_A};
my $ts   = $Ids->{TIMESHEET_ID_A};
my $tk   = $Ids->{TICKET_ID_A};

my @cases = (
    ['ticket-assigned', "/msp/tickets/$tk", 'assignmentCreated',
     deep_link('ticket', $tk, "/msp/tickets/$tk")],
    ['task-assigned', "/msp/projects/$proj?phaseId=x&taskId=$task",
     'assignmentCreated',
     deep_link('task', $task, "/msp/projects/$proj?taskId=$task")],
    ['ticket-comment-added-client', "/msp/tickets/$tk#comment-1",
     'customerReplyReceived', deep_link('ticket', $tk, "/msp/tickets/$tk")],
    ['sla-escalation', "/msp/tickets/$tk", 'workEscalated',
     deep_link('ticket', $tk, "/msp/tickets/$tk")],
    ['sla-warning', "/msp/tickets/$tk", 'slaRiskDetected',
     deep_link('ticket', $tk, "/msp/tickets/$tk")],
    ['sla-breach', "/msp/tickets/$tk", 'slaRiskDetected',
     deep_link('ticket', $tk, "/msp/tickets/$tk")],
    ['time-sheet-submitted', "/msp/time-sheet-approvals?approvalId=$ts",
     'approvalRequested',
     deep_link('approval', $ts, "/msp/time-sheet-approvals?approvalId=$ts")],
);

my %title_of;
my @cat_ids;
for my $c (@cases) {
    my $title = "t090 $c->[0] " . uuid();
    my ($id) = notify(template => $c->[0], link => $c->[1], title => $title,
                      message => $long);
    $title_of{$id} = [$title, @$c];
    push @cat_ids, $id;
}

ok(wait_sent(20, @cat_ids), 'every category is sent')
    or diag explain [ map { delivery($_) } @cat_ids ];

my $calls = graph_calls($since);
my $oid = $Ids->{TECH_AAD_OID_A};
for my $id (@cat_ids) {
    my ($title, $tpl, $link, $type, $deep) = @{ $title_of{$id} };
    my @c = grep { ref $_->{body} && $_->{body}{topic}{value} eq $title }
        @$calls;
    is(scalar @c, 1, "$tpl: one Graph call");
    next unless @c;
    my $b = $c[0]{body};
    is($c[0]{path}, "/v1.0/users/$oid/teamwork/sendActivityNotification",
       "$tpl: path");
    like($c[0]{headers}{authorization} // '', qr/^Bearer \S+$/,
         "$tpl: bearer token");
    is($b->{activityType}, $type, "$tpl: activity type $type");
    is($b->{topic}{source}, 'text', "$tpl: topic source text");
    is($b->{topic}{webUrl}, $deep, "$tpl: deep link to the record");
    ok(length($b->{topic}{webUrl}) < 1024, "$tpl: webUrl under 1024");
    my $p = $b->{previewText}{content};
    ok(length($p) <= 150, "$tpl: preview at most 150 characters");
    like($p, qr/^Customer wrote: x+\x{2026}$/, "$tpl: preview clipped");
    is_deeply($b->{templateParameters}, [{ name => 'title',
                                           value => $title }],
              "$tpl: template parameters");
    my $d = delivery($id);
    is_deeply([@$d[0, 1, 3, 4, 5]], ['sent', '', 1, 'user_activity', $oid],
              "$tpl: delivery recorded as sent, attempt 1");
    is($d->[6], "teams-notify:$id:$Ids->{TECH_USER_ID_A}:user_activity",
       "$tpl: idempotency key");
}

# the trigger is idempotent: the same id cannot be enqueued twice
is(psql(q{SELECT teams_notify_enqueue($1::uuid, $2::uuid, $3::uuid,
          'ticket-assigned', 't', 'm', NULL, NULL, 'info', 'normal', 'api')},
        $TA, $cat_ids[0], $Ids->{TECH_USER_ID_A}), 'duplicate',
   'enqueue again: duplicate');

# ------------------------------------------------------ every skip reason

psql(q{UPDATE teams_integrations SET notification_categories =
       '["assignment","customer_reply","approval_request","escalation"]'
       WHERE tenant = $1::uuid}, $TA);
psql(q{INSERT INTO teams_notification_preferences (tenant, user_id, category,
       enabled) VALUES ($1::uuid, $2::uuid, 'customer_reply', false)
       ON CONFLICT (tenant, user_id, category) DO UPDATE SET enabled = false},
     $TA, $Ids->{TECH2_USER_ID_A});

my %skip = (
    unsupported_category => [notify(template => 'invoice-generated')],
    integration_inactive => [notify(tenant => $TB,
                                    user => $Ids->{TECH_USER_ID_B})],
    category_disabled    => [notify(template => 'sla-warning')],
    user_muted           => [notify(template => 'ticket-comment-added-client',
                                    user => $Ids->{TECH2_USER_ID_A})],
    not_msp_user         => [notify(user => $Ids->{CLIENT_USER_ID_A})],
    no_teams_identity    => [notify(user => $NOID)],
);
my %code = (unsupported_category => '', integration_inactive =>
            'integration_inactive', category_disabled => '',
            user_muted => '', not_msp_user => 'user_not_mapped',
            no_teams_identity => 'user_not_mapped');

ok(wait_for(15, sub { final_count(map { @$_ } values %skip)
                      == scalar(keys %skip) }), 'every skip recorded');
for my $why (sort keys %skip) {
    my $d = delivery($skip{$why}[0]);
    is($d->[0], 'skipped', "$why: status skipped");
    is($d->[1], $code{$why}, "$why: error_code '$code{$why}'");
    like($d->[2], qr/^\Q$why\E: /, "$why: reason recorded");
}

my ($badid) = notify(user => $BADID);
ok(wait_for(10, sub { final_count($badid) == 1 }), 'bad account id: final');
my $bd = delivery($badid);
is_deeply([@$bd[0, 1]], ['skipped', 'user_not_mapped'],
          'an account id that is not an object id: skipped, not sent');
like($bd->[2], qr/^no_teams_identity: .*not an Entra object id/,
     'an account id that is not an object id: the reason');

# the add-on expired
psql(q{UPDATE tenant_addons SET expires_at = now() - interval '1 day'
       WHERE tenant = $1::uuid AND addon_key = 'teams'}, $TA);
my ($addon) = notify();
ok(wait_for(10, sub { final_count($addon) == 1 }), 'addon skip recorded');
is_deeply([@{ delivery($addon) }[0, 1]], ['skipped', 'addon_inactive'],
          'addon_inactive');
psql(q{UPDATE tenant_addons SET expires_at = NULL
       WHERE tenant = $1::uuid AND addon_key = 'teams'}, $TA);
psql(q{UPDATE teams_integrations SET notification_categories =
       '["assignment","customer_reply","approval_request","escalation","sla_risk"]'
       WHERE tenant = $1::uuid}, $TA);

# ------------------------------------------------------ 403 / 404 at once

standin_request('POST', '/_faults', [
    { match => "users/$Ids->{TECH3_AAD_OID_A}/teamwork", status => 404,
      count => 1 },
    { match => "users/$Ids->{APPROVER_AAD_OID_A}/teamwork", status => 403,
      count => 1 }]);
my ($n404) = notify(user => $Ids->{TECH3_USER_ID_A});
my ($n403) = notify(user => $Ids->{APPROVER_USER_ID_A});
ok(wait_for(10, sub { final_count($n404, $n403) == 2 }), '403/404 final');
my $d404 = delivery($n404);
is_deeply([@$d404[0, 1, 3]], ['failed', 'graph_not_found', 1],
          '404: failed at once, graph_not_found');
like($d404->[2], qr/404 Not Found: the Microsoft user does not exist/,
     '404: readable reason');
my $d403 = delivery($n403);
is_deeply([@$d403[0, 1, 3]], ['failed', 'graph_unauthorized', 1],
          '403: failed at once, graph_unauthorized');
like($d403->[2], qr/not installed for this user/, '403: readable reason');
standin_request('DELETE', '/_faults');

# ---------------------------------------------------- POST /api/teams/notify

start_nginx_with({
    http_config => qq{teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}" pool_size=2;
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};},
    config => q{location = /api/teams/notify { teams_notify; }},
});

my $pid = uuid();
my $body = json_encode({ internal_notification_id => $pid,
                         user_id => $Ids->{TECH_USER_ID_A},
                         template_name => 'ticket-assigned',
                         title => 'Via HTTP', message => 'm',
                         link => "/msp/tickets/$tk" });
my ($st, $h, $b) = http_request('POST', '/api/teams/notify',
    { 'Content-Type' => 'application/json' }, $body);
is($st, 401, 'notify without a key: 401');
($st, $h, $b) = http_request('POST', '/api/teams/notify',
    { 'x-api-key' => $key }, '{"user_id":"x"}');
is($st, 400, 'notify with a bad body: 400');
($st, $h, $b) = http_request('POST', '/api/teams/notify',
    { 'x-api-key' => $key }, $body);
is($st, 202, 'notify: 202 queued');
like($b, qr/"status":"queued"/, 'queued');
is(psql(q{SELECT count(*) FROM teams_notification_outbox
          WHERE internal_notification_id = $1::uuid}, $pid), 1,
   'durable in the outbox when answered');
($st, $h, $b) = http_request('POST', '/api/teams/notify',
    { 'x-api-key' => $key }, $body);
is($st, 200, 'notify again: 200');
like($b, qr/"status":"duplicate"/, 'duplicate');
ok(wait_sent(10, $pid), 'notify via HTTP: sent');
stop_nginx();

# ------------------------------------------------ 429 storm under the limits

standin_request('DELETE', '/_stats');
standin_request('POST', '/_limits', { enabled => JSON::PP::true(),
    per_app_tenant_rps => 5, per_app_rps => 50,
    bulk_per_app_tenant_rps => 2, bulk_per_app_rps => 20 });
standin_request('POST', '/_faults', [{ match => 'sendActivityNotification$',
    status => 429, retry_after => 1, count => 15 }]);
$since = last_seq();
my @storm = notify(count => 40, title => 'storm');
ok(wait_sent(60, @storm), '429 storm: all 40 sent afterwards')
    or diag explain psql_rows(q{SELECT status, count(*) FROM
        teams_notification_deliveries WHERE internal_notification_id = ANY
        (string_to_array($1, ',')::uuid[]) GROUP BY 1}, join(',', @storm));
my ($s, $stats) = standin_request('GET', '/_stats');
is($stats->{limit_violations}, 0, '429 storm: no limit violation');
ok($stats->{max_observed_rps_per_app_tenant} <= 5,
   "429 storm: at most 5/s per app per tenant "
   . "($stats->{max_observed_rps_per_app_tenant})");
my $ok204 = grep { ($_->{status} // 0) == 204 } @{ graph_calls($since) };
is($ok204, 40, '429 storm: exactly 40 accepted calls (no duplicates)');
ok(psql(q{SELECT max(attempt_number) FROM teams_notification_deliveries
          WHERE internal_notification_id = ANY
          (string_to_array($1, ',')::uuid[])}, join(',', @storm)) > 1,
   '429 storm: retried attempts recorded');
standin_request('DELETE', '/_faults');
standin_request('DELETE', '/_limits');

# ---------------------------------------------------------------- 5xx spell

standin_request('POST', '/_faults', [{ match => 'sendActivityNotification$',
    status => 503, count => 10 }]);
$since = last_seq();
my @spell = notify(count => 20, title => 'spell');
ok(wait_sent(40, @spell), '5xx spell: all 20 sent afterwards');
# only this spell's calls: a late delivery of an earlier case is not one
$ok204 = grep { ($_->{status} // 0) == 204
                && ref $_->{body} && ref $_->{body}{topic}
                && ($_->{body}{topic}{value} // '') eq 'spell' }
         @{ graph_calls($since) };
is($ok204, 20, '5xx spell: no duplicates');
standin_request('DELETE', '/_faults');

# retries end: failed with the last error
standin_request('POST', '/_faults', [{ match =>
    "users/$Ids->{TECH3_AAD_OID_A}/teamwork", status => 500, count => 100 }]);
my ($bounded) = notify(user => $Ids->{TECH3_USER_ID_A});
# speed the retries up: make the row due at once after each failure
ok(wait_for(60, sub {
    psql(q{UPDATE teams_notification_outbox SET next_attempt_at = now()
           WHERE internal_notification_id = $1::uuid
             AND status = 'pending'}, $bounded);
    final_count($bounded) == 1 }), 'bounded retries end');
my $db = delivery($bounded);
is_deeply([@$db[0, 1, 3]], ['failed', 'graph_server_error', 10],
          'failed after notify_max_attempts with the last error');
standin_request('DELETE', '/_faults');

# -------------------------------------------------- kill -9 mid-batch

stop_worker('w1');
standin_request('POST', '/_faults', [{ match => 'sendActivityNotification$',
    delay_ms => 800 }]);
$since = last_seq();
my @killed = notify(count => 60, title => 'kill9');
start_worker('w1');
ok(wait_for(20, sub { @{ graph_calls($since) } >= 10 }),
   'kill -9: requests in flight');
stop_worker('w1', 'KILL');
my $inflight = @{ graph_calls($since) };
standin_request('DELETE', '/_faults');
start_worker('w2');
ok(wait_sent(40, @killed), 'kill -9: all 60 sent after another worker '
   . 'took over');
my %per;
$per{ $_->{body}{topic}{value} }++ for grep { ($_->{status} // 0) == 204 }
    @{ graph_calls($since) };
my $calls_total = grep { ($_->{status} // 0) == 204 } @{ graph_calls($since) };
ok($calls_total - 60 <= $inflight,
   "kill -9: duplicates only among the $inflight in flight at the kill "
   . '(' . ($calls_total - 60) . ')');
is(psql(q{SELECT count(*) FROM teams_notification_outbox
          WHERE internal_notification_id = ANY
          (string_to_array($1, ',')::uuid[]) AND status <> 'done'},
        join(',', @killed)), 0, 'kill -9: outbox drained');

# -------------------------------------------- Redis flushed, rows pending

stop_worker('w2');
my @flushed = notify(count => 20, title => 'flushed');
# as if a pump had moved them to the stream just before the flush
psql(q{UPDATE teams_notification_outbox SET status = 'enqueued',
       enqueued_at = now() WHERE internal_notification_id = ANY
       (string_to_array($1, ',')::uuid[])}, join(',', @flushed));
redis_cli('FLUSHALL');
start_worker('w1');
ok(wait_sent(20, @flushed), 'Redis flushed: all 20 re-enqueued and sent');

# ---------------------------------------- PostgreSQL restarted under load

stop_worker('w1');
start_worker('w1', limits => 'off');
$since = last_seq();
standin_request('POST', '/_faults', [{ match => 'sendActivityNotification$',
    delay_ms => 200 }]);
my @pgload = notify(count => 300, title => 'pgload');
wait_for(10, sub { @{ graph_calls($since) } >= 20 });
stack('pg-restart');
standin_request('DELETE', '/_faults');
ok(wait_sent(60, @pgload), 'PostgreSQL restarted: all 300 sent');
$calls_total = grep { ($_->{status} // 0) == 204 } @{ graph_calls($since) };
is($calls_total, 300, 'PostgreSQL restarted: no duplicates');

# --------------------------------------------------------- two workers

start_worker('w2', limits => 'off');
ok(wait_for(15, sub {
    (redis_cli('XINFO', 'CONSUMERS', 'teams:notifications', $Group) // '')
        =~ /w2/
}), 'two workers: w2 reads the stream');
$since = last_seq();
my @two = notify(count => 400, title => 'two');
ok(wait_sent(40, @two), 'two workers: all 400 sent');
$calls_total = grep { ($_->{status} // 0) == 204 } @{ graph_calls($since) };
is($calls_total, 400, 'two workers: each sent exactly once');
my $cons = redis_cli('XINFO', 'CONSUMERS', 'teams:notifications', $Group);
like($cons // '', qr/w1/, 'two workers: w1 in the group');
like($cons // '', qr/w2/, 'two workers: w2 in the group');

stop_all();

# nothing secret in the logs
my $logs = `cat $Tmp/*.log`;
unlike($logs, qr/notify-suite-secret|eyJ[A-Za-z0-9_-]{20,}/,
       'no secret or token in the worker logs');

done_testing();
