#!/usr/bin/env perl
# t/020-migrations.t — sql/migrate.sh, the migrations and the demo seed,
# against a scratch database on the PostgreSQL named by
# TEST_TEAMS_PG_CONNINFO.  Plain Test::More, no nginx.
use strict;
use warnings;
use Test::More;
use FindBin ();
use File::Temp ();
use File::Copy ();
use File::Path ();
use Digest::SHA qw(sha256_hex);

my $base = $ENV{TEST_TEAMS_PG_CONNINFO};
plan skip_all => 'TEST_TEAMS_PG_CONNINFO is not set (needs a PostgreSQL '
    . 'superuser connection, e.g. "hostaddr=127.0.0.1 port=55532 '
    . 'dbname=teams user=postgres")'
    unless defined $base && length $base;
plan skip_all => 'psql not found in PATH'
    unless grep { -x "$_/psql" } split /:/, ($ENV{PATH} // '');

my $top     = "$FindBin::Bin/..";
my $migrate = "$top/sql/migrate.sh";
my $seed    = "$top/sql/seed/demo.sql";
my $db      = "teams_mig_$$";
my $conn    = with_dbname($base, $db);

# Run a command; return (exit status, stdout+stderr).
sub run_cmd {
    my @cmd = @_;
    my $pid = open(my $fh, '-|');
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDERR, '>&', \*STDOUT or die;
        exec @cmd or do { print "exec $cmd[0]: $!\n"; exit 127 };
    }
    local $/;
    my $out = <$fh>;
    close $fh;
    return ($? >> 8, defined $out ? $out : '');
}

sub with_dbname {
    my ($ci, $name) = @_;
    if ($ci =~ m{^postgres(?:ql)?://}) {
        $ci =~ s{^(postgres(?:ql)?://[^/?]*)(/[^?]*)?}{$1/$name};
        return $ci;
    }
    return "$ci dbname=$name";   # the last dbname wins in libpq
}

# One SQL command on the scratch db, unaligned tuples-only output.
sub dbq {
    my ($sql, $c) = @_;
    my ($rc, $out) = run_cmd('psql', '-X', '-q', '-At', '-v',
                             'ON_ERROR_STOP=1', '-d', $c // $conn,
                             '-c', $sql);
    die "psql failed ($rc): $sql\n$out" if $rc;
    chomp $out;
    return $out;
}

my ($rc, $out) = run_cmd('psql', '-X', '-q', '-At', '-d', $base, '-c',
                         qq{CREATE DATABASE "$db"});
if ($rc) {
    plan skip_all => "cannot create scratch database $db: $out";
}
my $created = 1;
END {
    if ($created) {
        run_cmd('psql', '-X', '-q', '-d', $base, '-c',
                qq{DROP DATABASE IF EXISTS "$db" WITH (FORCE)});
    }
}

my @files = sort map { s{.*/}{}r } glob "$top/sql/migrations/[0-9]*_*.sql";
ok(scalar(@files) >= 4, 'migration files present: ' . join(' ', @files));

# ---- usage and connection errors ---------------------------------------

($rc, $out) = run_cmd($migrate);
isnt($rc, 0, 'migrate.sh without CONNINFO fails');
like($out, qr/usage/i, '... with a usage line');

($rc, $out) = run_cmd($migrate,
                      'hostaddr=127.0.0.1 port=1 dbname=x user=x '
                      . 'connect_timeout=2');
isnt($rc, 0, 'migrate.sh with an unreachable server fails');
like($out, qr/error:.*connect/i, '... with a clear message');

# ---- partial run: PSA core only ----------------------------------------

{
    local $ENV{TEAMS_MIGRATE_UNTIL} = '0010';
    ($rc, $out) = run_cmd($migrate, $conn);
}
is($rc, 0, 'migrate.sh TEAMS_MIGRATE_UNTIL=0010 succeeds') or diag $out;
like($out, qr/^applied 0001_psa_core$/m, '0001 applied');
unlike($out, qr/^applied 0010/m, '0010 held back');
like($out, qr/held back/, 'summary mentions held-back migrations');
is(dbq(q{SELECT to_regclass('microsoft_profiles') IS NULL}), 't',
   'no Teams tables yet');

# Legacy single Microsoft configurations (tenant secrets).
my %lt = (
    enc   => '00000000-0000-4000-8000-0000000000e1',   # encrypted secret
    plain => '00000000-0000-4000-8000-0000000000e2',   # plaintext secret
    none  => '00000000-0000-4000-8000-0000000000e3',   # no legacy config
    empty => '00000000-0000-4000-8000-0000000000e4',   # empty client id
);
for my $k (sort keys %lt) {
    dbq(qq{INSERT INTO tenants (tenant, client_name, email)
         VALUES ('$lt{$k}', 'Legacy $k', '$k\@legacy.example')});
}
my $env = 'v1:AAECAwQFBgcICQoL:c2VjcmV0LWNpcGhlcnRleHQtYW5kLXRhZw==';
dbq(qq{INSERT INTO tenant_secrets (tenant, secret_name, secret_value) VALUES
     ('$lt{enc}', 'microsoft_client_id', 'legacy-app-1'),
     ('$lt{enc}', 'microsoft_client_secret', '$env'),
     ('$lt{enc}', 'microsoft_tenant_id', 'contoso.onmicrosoft.com'),
     ('$lt{plain}', 'microsoft_client_id', 'legacy-app-2'),
     ('$lt{plain}', 'microsoft_client_secret', 'plaintext-secret'),
     ('$lt{empty}', 'microsoft_client_id', '  ')});

# ---- full run, then a second run ---------------------------------------

($rc, $out) = run_cmd($migrate, $conn);
is($rc, 0, 'migrate.sh full run succeeds') or diag $out;
for my $f (@files) {
    next if $f lt '0010';
    my $b = $f =~ s/\.sql$//r;
    like($out, qr/^applied \Q$b\E$/m, "$b applied");
}
unlike($out, qr/^applied 000[12]/m, 'core migrations not re-applied');
unlike($out, qr/plaintext-secret/, 'legacy secret never printed');
like($out, qr/\d+ applied, \d+ already applied/, 'summary line');

($rc, $out) = run_cmd($migrate, $conn);
is($rc, 0, 'second run succeeds') or diag $out;
unlike($out, qr/^applied /m, 'second run applies nothing');
like($out, qr/0 applied, ${\ scalar @files} already applied/,
     'second run summary');

is(dbq('SELECT count(*) FROM teams_schema_migrations'), scalar(@files),
   'one teams_schema_migrations row per migration');
is(dbq(q{SELECT string_agg(version || '_' || name, ' ' ORDER BY version)
         FROM teams_schema_migrations}),
   join(' ', map { s/\.sql$//r } @files), 'versions and names recorded');

# ---- every migration file is re-runnable on its own ---------------------

for my $f (@files) {
    ($rc, $out) = run_cmd('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
                          '-d', $conn, '-1', '-f',
                          "$top/sql/migrations/$f");
    is($rc, 0, "$f re-runs cleanly") or diag $out;
}

# ---- schema: tables and exact columns -----------------------------------

my %cols = (
    microsoft_profiles => [qw(tenant:uuid profile_id:uuid display_name:text
        display_name_normalized:text client_id:text tenant_id:text
        client_secret_ref:text is_default:boolean is_archived:boolean
        archived_at capabilities:jsonb email_admin_consent_required:boolean
        email_admin_consent_granted_at email_admin_consent_tenant_id:text)],
    microsoft_profile_consumer_bindings => [qw(tenant:uuid consumer_type:text
        profile_id:uuid created_by:uuid updated_by:uuid created_at updated_at)],
    teams_integrations => [qw(tenant:uuid selected_profile_id:uuid
        install_status:text enabled_capabilities:jsonb
        notification_categories:jsonb allowed_actions:jsonb last_error:text
        app_id:text bot_id:text package_metadata:jsonb
        default_meeting_organizer_upn:text
        default_meeting_organizer_object_id:text download_recordings:boolean
        expose_recordings_in_portal:boolean recordings_subscription_id:text
        transcripts_subscription_expires_at meeting_artifact_webhook_secret:text
        send_meeting_invites:boolean notification_channels:jsonb)],
    teams_conversation_references => [qw(tenant:uuid microsoft_user_id:text
        conversation_id:text conversation_type:text service_url:text
        tenant_id_aad:text channel_id_bot_framework:text last_activity_at
        context:jsonb context_expires_at)],
    teams_notification_deliveries => [qw(tenant:uuid delivery_id:uuid
        internal_notification_id:uuid category:text destination_type:text
        destination_id:text attempt_number:integer idempotency_key:text
        provider_message_id:text status:text error_code:text
        error_message:text retryable:boolean provider_request_id:text
        sent_at delivered_at responded_at created_at)],
    teams_audit_events => [qw(tenant:uuid event_id:uuid actor_user_id:uuid
        microsoft_user_id:text surface:text action_id:text target_type:text
        target_id:text idempotency_key:text payload_hash:text
        result_status:text error_code:text created_at)],
    teams_notification_outbox => [qw(tenant:uuid id:uuid
        internal_notification_id:uuid user_id:uuid category:text
        payload:jsonb status:text attempts:integer next_attempt_at
        created_at updated_at)],
    teams_action_receipts => [qw(tenant:uuid idempotency_key:text action:text
        result:jsonb created_at)],
    user_auth_accounts => [qw(tenant:uuid user_id:uuid provider:text
        provider_account_id:text provider_email:text metadata:jsonb)],
    api_keys => [qw(api_key_id:uuid api_key tenant:uuid user_id:uuid
        active:boolean expires_at purpose)],
    tickets => [qw(tenant:uuid ticket_id:uuid ticket_number:text title:text
        assigned_to:uuid is_closed:boolean board_id:uuid client_id:uuid
        status_id:uuid title_index:tsvector response_state)],
    time_sheets => [qw(tenant:uuid id:uuid user_id:uuid period_id:uuid
        approval_status submitted_at approved_at approved_by:uuid)],
    time_entries => [qw(tenant:uuid entry_id:uuid work_item_id:uuid
        work_item_type:text billable_duration:integer work_date:date
        work_timezone:text time_sheet_id:uuid)],
    internal_notifications => [qw(internal_notification_id:uuid tenant:uuid
        user_id:uuid template_name link:text metadata:jsonb priority:text)],
    next_number => [qw(tenant:uuid entity_type:text last_number:bigint
        initial_value:bigint prefix:text padding_length:integer)],
);
for my $t (sort keys %cols) {
    my %have = map { split /\|/ } split /\n/, dbq(qq{
        SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = '$t'});
    ok(%have, "table $t exists") or next;
    my @bad;
    for my $spec (@{ $cols{$t} }) {
        my ($c, $type) = split /:/, $spec;
        if (!exists $have{$c}) { push @bad, "$c missing"; next }
        push @bad, "$c is $have{$c}, want $type"
            if defined $type && $have{$c} ne $type;
    }
    is("@bad", '', "$t columns");
}

is(dbq(q{SELECT string_agg(a.attname, ',' ORDER BY k.ord)
         FROM pg_constraint c,
              unnest(c.conkey) WITH ORDINALITY AS k (attnum, ord),
              pg_attribute a
        WHERE c.conname = 'teams_notification_outbox_notification_user_uk'
          AND a.attrelid = c.conrelid AND a.attnum = k.attnum}),
   'tenant,internal_notification_id,user_id', 'outbox unique key');

# Every primary key starts with tenant, except the PSA's own exceptions
# (global catalogs, the migrations table, two PSA tables keyed that way).
is(dbq(q{SELECT coalesce(string_agg(c.conrelid::regclass::text, ','
                                   ORDER BY c.conrelid::regclass::text), '')
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid
                            AND a.attnum = c.conkey[1]
        WHERE c.contype = 'p' AND a.attname <> 'tenant'
          AND c.connamespace = current_schema()::regnamespace}),
   'internal_notification_categories,internal_notification_subtypes,'
   . 'internal_notification_templates,internal_notifications,'
   . 'teams_schema_migrations,time_sheet_comments,'
   . 'user_internal_notification_preferences',
   'primary keys lead with tenant (listed PSA exceptions only)');

# CHECK values are enforced.
for my $bad (
    "INSERT INTO microsoft_profile_consumer_bindings (tenant, consumer_type,
         profile_id) SELECT tenant, 'outlook', profile_id
       FROM microsoft_profiles LIMIT 1",
    "INSERT INTO teams_integrations (tenant, install_status)
     VALUES ('$lt{none}', 'done')",
    "INSERT INTO teams_notification_outbox (tenant, internal_notification_id,
         user_id, status) VALUES ('$lt{none}', gen_random_uuid(),
         gen_random_uuid(), 'lost')",
) {
    my ($r) = run_cmd('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
                      $conn, '-c', $bad);
    isnt($r, 0, 'CHECK rejects: ' . ($bad =~ s/\s+/ /gr));
}

# ---- legacy profile migration -------------------------------------------

sub profiles_of {
    my ($t) = @_;
    return dbq(qq{SELECT count(*) FROM microsoft_profiles WHERE tenant = '$t'});
}
is(profiles_of($lt{enc}), 1, 'legacy tenant: exactly one profile');
is(dbq(qq{SELECT display_name || '|' || is_default || '|' || client_id || '|'
               || tenant_id || '|' || client_secret_ref || '|' || is_archived
          FROM microsoft_profiles WHERE tenant = '$lt{enc}'}),
   "Default Microsoft profile|true|legacy-app-1|contoso.onmicrosoft.com|$env|false",
   'legacy values preserved in the default profile');
is(dbq(qq{SELECT string_agg(b.consumer_type, ',' ORDER BY b.consumer_type)
          FROM microsoft_profile_consumer_bindings b
          JOIN microsoft_profiles p USING (tenant, profile_id)
         WHERE b.tenant = '$lt{enc}' AND p.is_default}),
   'calendar,email,msp_sso', 'bindings for the legacy consumers, not teams');
is(profiles_of($lt{plain}), 1, 'plaintext-secret tenant: one profile');
is(dbq(qq{SELECT client_id || '|' || tenant_id || '|[' || client_secret_ref
               || ']' FROM microsoft_profiles WHERE tenant = '$lt{plain}'}),
   'legacy-app-2|common|[]', 'plaintext secret not copied; tenant common');
is(dbq(qq{SELECT count(*) FROM microsoft_profile_consumer_bindings
         WHERE tenant = '$lt{plain}'}), 3, '... and bound');
is(profiles_of($lt{none}), 0, 'tenant without legacy config: no profile');
is(profiles_of($lt{empty}), 0, 'tenant with empty client id: no profile');

# Re-running the legacy migration (also after an admin change) is a no-op.
dbq(qq{UPDATE microsoft_profile_consumer_bindings SET profile_id = profile_id
      WHERE tenant = '$lt{enc}'});
dbq(qq{DELETE FROM microsoft_profile_consumer_bindings
      WHERE tenant = '$lt{plain}' AND consumer_type = 'calendar'});
for (1 .. 2) {
    ($rc, $out) = run_cmd('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
        $conn, '-f', "$top/sql/migrations/0011_teams_legacy_profile.sql");
    is($rc, 0, "legacy migration re-run $_") or diag $out;
}
is(dbq(q{SELECT count(*) FROM microsoft_profiles}), 2,
   'still exactly one profile per legacy tenant');
is(dbq(q{SELECT count(*) FROM microsoft_profile_consumer_bindings}), 5,
   'bindings not re-created for tenants that already have a profile');

# A failing migration is rolled back and not recorded.
{
    my $tmp = File::Temp->newdir;
    File::Path::make_path("$tmp/migrations");
    File::Copy::copy($migrate, "$tmp/migrate.sh") or die;
    chmod 0755, "$tmp/migrate.sh";
    File::Copy::copy("$top/sql/migrations/$_", "$tmp/migrations/$_")
        for @files;
    open my $fh, '>', "$tmp/migrations/0999_broken.sql" or die;
    print $fh "CREATE TABLE teams_broken_probe (x int);\n"
            . "SELECT no_such_function();\n";
    close $fh;
    ($rc, $out) = run_cmd("$tmp/migrate.sh", $conn);
    isnt($rc, 0, 'a failing migration makes migrate.sh fail');
    like($out, qr/0999_broken.*rolled back/, '... naming the migration');
    is(dbq(q{SELECT to_regclass('teams_broken_probe') IS NULL
              AND NOT EXISTS (SELECT 1 FROM teams_schema_migrations
                               WHERE version = '0999')}), 't',
       '... and nothing of it remains');
}

# ---- demo seed ------------------------------------------------------------

my %id;
open my $ids, '<', "$top/sql/seed/demo-ids.env" or die "demo-ids.env: $!";
while (<$ids>) {
    $id{$1} = $2 if /^([A-Z0-9_]+)=(\S+)\s*$/;
}
close $ids;
for my $k (qw(PSA_TENANT_A PSA_TENANT_B MS_TENANT_A BOT_APP_ID_A
              TECH_AAD_OID_A TECH_USER_ID_A APPROVER_AAD_OID_A
              APPROVER_USER_ID_A READONLY_AAD_OID_A CLIENT_USER_AAD_OID_A
              ADMIN_USER_ID_A TECH_AAD_OID_B MS_TENANT_B PROFILE_ID_A)) {
    like($id{$k} // '', qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
         "demo-ids.env: $k");
}

($rc, $out) = run_cmd('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
                      $conn, '-f', $seed);
isnt($rc, 0, 'seed without admin_api_key_a fails');

my @seedvars = ('-v', 'admin_api_key_a=demo-key-a-1', '-v',
                'admin_api_key_b=demo-key-b-1', '-v',
                'mock_url=http://127.0.0.1:58180');
($rc, $out) = run_cmd('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
                      @seedvars, '-d', $conn, '-f', $seed);
is($rc, 0, 'demo seed runs') or diag $out;

my $fingerprint_sql = q{SELECT concat_ws(',',
    (SELECT count(*) FROM tenants), (SELECT count(*) FROM users),
    (SELECT count(*) FROM tickets), (SELECT count(*) FROM comments),
    (SELECT count(*) FROM permissions), (SELECT count(*) FROM role_permissions),
    (SELECT count(*) FROM user_roles), (SELECT count(*) FROM projects),
    (SELECT count(*) FROM project_tasks), (SELECT count(*) FROM time_entries),
    (SELECT count(*) FROM time_sheets), (SELECT count(*) FROM api_keys),
    (SELECT count(*) FROM microsoft_profiles),
    (SELECT count(*) FROM user_auth_accounts),
    (SELECT string_agg(ticket_number, '' ORDER BY ticket_id) FROM tickets),
    (SELECT sum(last_number) FROM next_number))};
my $fp1 = dbq($fingerprint_sql);

($rc, $out) = run_cmd('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
                      @seedvars, '-d', $conn, '-f', $seed);
is($rc, 0, 'demo seed runs a second time') or diag $out;
is(dbq($fingerprint_sql), $fp1, 'second seed run changes nothing');

my ($ta, $tb) = @id{qw(PSA_TENANT_A PSA_TENANT_B)};
for my $t ($ta, $tb) {
    cmp_ok(dbq(qq{SELECT count(*) FROM tickets WHERE tenant = '$t'}), '>=', 50,
           "tenant $t has >= 50 tickets");
}
is(dbq(qq{SELECT count(*) FROM tickets WHERE tenant = '$ta'
           AND ticket_number !~ '^TIC[0-9]{6}\$'}), 0,
   'ticket numbers follow generate_next_number (TIC + 6 digits)');
cmp_ok(dbq(qq{SELECT count(*) FROM tickets WHERE tenant = '$ta'
              AND assigned_to = '$id{TECH_USER_ID_A}' AND NOT is_closed}),
       '>=', 5, 'TECH_USER_ID_A has >= 5 open tickets');
is(dbq(qq{SELECT count(*) FROM time_sheets WHERE tenant = '$ta'
          AND user_id = '$id{TECH_USER_ID_A}'
          AND approval_status = 'SUBMITTED'}), 1,
   'TECH_USER_ID_A has a SUBMITTED time sheet');
cmp_ok(dbq(qq{SELECT count(*) FROM time_entries WHERE tenant = '$ta'
              AND time_sheet_id = '$id{TIMESHEET_ID_A}'}), '>=', 5,
       '... with entries');
is(dbq(qq{SELECT user_id FROM user_auth_accounts WHERE tenant = '$ta'
          AND provider = 'microsoft'
          AND provider_account_id = '$id{TECH_AAD_OID_A}'}),
   $id{TECH_USER_ID_A}, 'TECH_AAD_OID_A maps to TECH_USER_ID_A');
is(dbq(qq{SELECT user_id FROM user_auth_accounts WHERE tenant = '$ta'
          AND provider = 'microsoft'
          AND provider_account_id = '$id{APPROVER_AAD_OID_A}'}),
   $id{APPROVER_USER_ID_A}, 'APPROVER_AAD_OID_A maps to APPROVER_USER_ID_A');
is(dbq(qq{SELECT u.user_type || '|' || (u.contact_id IS NOT NULL)
          FROM user_auth_accounts a JOIN users u USING (tenant, user_id)
         WHERE a.tenant = '$ta'
           AND a.provider_account_id = '$id{CLIENT_USER_AAD_OID_A}'}),
   'client|true', 'client-portal user is a client linked to a contact');
is(dbq(qq{SELECT count(*) FROM user_auth_accounts WHERE tenant = '$tb'
          AND provider_account_id = '$id{TECH_AAD_OID_B}'}), 1,
   'TECH_AAD_OID_B is linked in tenant B');

# Permissions through roles.
sub perms_of {
    my ($t, $u) = @_;
    return dbq(qq{SELECT coalesce(string_agg(DISTINCT p.resource || ':'
                                 || p.action, ' '), '')
          FROM user_roles ur
          JOIN roles r USING (tenant, role_id)
          JOIN role_permissions rp USING (tenant, role_id)
          JOIN permissions p USING (tenant, permission_id)
          JOIN users u ON u.tenant = ur.tenant AND u.user_id = ur.user_id
         WHERE ur.tenant = '$t' AND ur.user_id = '$u'
           AND ((u.user_type = 'client' AND r.client AND p.client)
             OR (u.user_type <> 'client' AND r.msp AND p.msp))});
}
my $admin = perms_of($ta, $id{ADMIN_USER_ID_A});
like($admin, qr/\bsystem_settings:read\b/, 'admin: system_settings:read');
like($admin, qr/\bsystem_settings:update\b/, 'admin: system_settings:update');
my $appr = perms_of($ta, $id{APPROVER_USER_ID_A});
like($appr, qr/\btimesheet:approve\b/, 'approver: timesheet:approve');
my $tech = perms_of($ta, $id{TECH_USER_ID_A});
like($tech, qr/\bticket:update\b/, 'tech: ticket:update');
like($tech, qr/\btimeentry:create\b/, 'tech: timeentry:create');
unlike($tech, qr/\btimesheet:approve\b/, 'tech: no timesheet:approve');
unlike($tech, qr/\bsystem_settings:/, 'tech: no system_settings');
my $ro = perms_of($ta, dbq(qq{SELECT user_id FROM user_auth_accounts
    WHERE tenant = '$ta' AND provider_account_id = '$id{READONLY_AAD_OID_A}'}));
like($ro, qr/\bticket:read\b/, 'read-only: ticket:read');
is(join(' ', grep { !/:read$/ } split / /, $ro), '',
   'read-only: read permissions only');

# API keys: SHA-256 hex of the plaintext.
is(dbq(qq{SELECT tenant FROM api_keys WHERE active
          AND api_key = '${\ sha256_hex('demo-key-a-1')}'}), $ta,
   'admin key A stored as SHA-256 hex, tenant A');
is(dbq(qq{SELECT tenant FROM api_keys WHERE active
          AND api_key = '${\ sha256_hex('demo-key-b-1')}'}), $tb,
   'admin key B stored as SHA-256 hex, tenant B');
is(dbq(q{SELECT count(*) FROM api_keys WHERE api_key LIKE 'demo-key%'}), 0,
   'no plaintext keys stored');

# Teams state: A active and bound, B none.
is(dbq(qq{SELECT i.install_status || '|' || p.client_id || '|' || p.tenant_id
          FROM teams_integrations i
          JOIN microsoft_profiles p
            ON p.tenant = i.tenant AND p.profile_id = i.selected_profile_id
          JOIN microsoft_profile_consumer_bindings b
            ON b.tenant = i.tenant AND b.consumer_type = 'teams'
           AND b.profile_id = p.profile_id
         WHERE i.tenant = '$ta' AND p.profile_id = '$id{PROFILE_ID_A}'}),
   "active|$id{BOT_APP_ID_A}|$id{MS_TENANT_A}",
   'tenant A: active integration bound to PROFILE_ID_A');
is(dbq(qq{SELECT (SELECT count(*) FROM teams_integrations WHERE tenant = '$tb')
             + (SELECT count(*) FROM microsoft_profiles WHERE tenant = '$tb')}),
   0, 'tenant B: no integration, no profile');

done_testing();
