# GET /api/teams/admin/deliveries (issue 5): the tenant's delivery records
# with filters, newest first, keyset pagination, 422 field errors for every
# bad filter, RBAC, the audit row, and never another tenant's rows.
#
# The suite's rows are dated in 2001 so that the window since/until keeps
# them apart from what other suites record; they are removed afterwards.

use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;

ensure_demo_seed();

our $Ids = demo_ids();
our $TA = $Ids->{PSA_TENANT_A};
our $TB = $Ids->{PSA_TENANT_B};
our $UA = $Ids->{TECH_USER_ID_A};
our $UA2 = $Ids->{ADMIN_USER_ID_A};
our $UB = $Ids->{TECH_USER_ID_B} // $Ids->{ADMIN_USER_ID_B};
our $Win = 'since=2001-01-01T00:00:00Z&until=2001-02-01T00:00:00Z';

our %Key;
my @KeyRows = (
    ['admin_a', 'af000000-0000-4000-8000-0000000009a1', $TA,
     $Ids->{ADMIN_USER_ID_A}],
    ['admin_b', 'bf000000-0000-4000-8000-0000000009a1', $TB,
     $Ids->{ADMIN_USER_ID_B}],
    ['tech_a',  'af000000-0000-4000-8000-0000000009a2', $TA,
     $Ids->{TECH_USER_ID_A}],
);

for my $k (@KeyRows) {
    my ($name, $id, $tenant, $user) = @$k;
    $Key{$name} = sprintf 'tk_t091_%08x%08x', int(rand(2**32)),
        int(rand(2**32));
    psql(q{INSERT INTO api_keys (api_key_id, api_key, user_id, tenant,
               description, active, purpose)
           VALUES ($1::uuid, $2, $3::uuid, $4::uuid, 't091', true,
                   'general')
           ON CONFLICT (tenant, api_key_id) DO UPDATE
           SET api_key = EXCLUDED.api_key, active = true},
         $id, sha256_hex($Key{$name}), $user, $tenant);
}

# [tenant, notification, user, category, status, error_code, minute]
our @Rows;
my $n = 0;
sub nid { sprintf 'd0910000-0000-4000-8000-%012d', ++$n }
for my $r (
    [$TA, $UA,  'assignment',       'sent',    undef,          1],
    [$TA, $UA,  'customer_reply',   'failed',  'graph_not_found', 2],
    [$TA, $UA2, 'assignment',       'skipped', 'user_not_mapped', 3],
    [$TA, $UA,  'sla_risk',         'sent',    undef,          4],
    [$TA, $UA2, 'approval_request', 'sent',    undef,          5],
    [$TA, $UA,  'escalation',       'failed',  'graph_throttled', 6],
    [$TA, $UA,  'assignment',       'sent',    undef,          6],
    [$TB, $UB,  'assignment',       'sent',    undef,          3],
    [$TB, $UB,  'sla_risk',         'failed',  'unknown',      4],
) {
    my ($t, $u, $cat, $st, $code, $min) = @$r;
    my $id = nid();
    push @Rows, { tenant => $t, notification => $id, user => $u,
                  category => $cat, status => $st, minute => $min };
    psql(q{INSERT INTO teams_notification_deliveries (tenant,
               internal_notification_id, category, destination_type,
               destination_id, attempt_number, idempotency_key, status,
               error_code, error_message, retryable, created_at)
           VALUES ($1::uuid, $2::uuid, $3, 'user_activity', 'oid-' || $4,
                   1, teams_notify_idempotency_key($2::uuid, $4::uuid), $5,
                   $6, CASE WHEN $6 IS NOT NULL THEN $6 || ': t091' END,
                   CASE WHEN $5 = 'failed' THEN false END,
                   '2001-01-10T10:00:00Z'::timestamptz
                   + $7::int * interval '1 minute')
           ON CONFLICT (tenant, idempotency_key) DO NOTHING},
         $t, $id, $cat, $u, $st, $code, $min);
}

END {
    if ($ENV{TEST_TEAMS_PG_CONNINFO} && %Key) {
        psql(q{DELETE FROM teams_notification_deliveries
               WHERE internal_notification_id::text LIKE 'd0910000-%'});
        psql(q{DELETE FROM api_keys
               WHERE api_key_id::text LIKE '_f000000-0000-4000-8000-0000000009a_'});
    }
}

sub api {
    my ($query, $key, $method) = @_;
    my %h;
    $h{'x-api-key'} = $Key{$key} // $key if defined $key;
    my ($s, $hd, $b) = http_request($method // 'GET',
        '/api/teams/admin/deliveries' . (defined $query ? "?$query" : ''),
        \%h, undef);
    my $j = eval { json_decode($b) };
    return ($s, $j, $b, $hd);
}

# the suite's rows of a tenant, newest first (created_at, then delivery id)
sub expected {
    my ($tenant, $f) = @_;
    return [ map { $_->{notification} }
             sort { $b->{minute} <=> $a->{minute} }
             grep { $_->{tenant} eq $tenant && (!$f || $f->($_)) } @Rows ];
}

sub ids_of { [ map { $_->{internal_notification_id} } @{ $_[0]{deliveries} } ] }

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', <<"CONF") unless defined $block->http_config;
    teams_postgres "$ENV{TEST_TEAMS_PG_CONNINFO}" pool_size=2;
    teams_redis 127.0.0.1:$ENV{TEST_TEAMS_REDIS_PORT};
    teams_secret_key_file $ENV{TEST_TEAMS_SECRET_KEY_FILE};
CONF
    $block->set_value('config', <<'CONF') unless defined $block->config;
    location ^~ /api/teams/admin/ { teams_admin; }
CONF
});

run_tests();

__DATA__

=== TEST 1: RBAC, method, the tenant's own rows only, newest first, every field
--- test_script
my ($s, $j, $b, $h);

($s, $j) = main::api($main::Win, undef);
is($s, 401, 'no key: 401');

($s, $j) = main::api($main::Win, 'tech_a');
is($s, 403, 'technician without system_settings:read: 403');
like($j->{error}{message}, qr/system_settings:read/, 'names the permission');

($s, $j, $b, $h) = main::api($main::Win, 'admin_a', 'POST');
is($s, 405, 'POST: 405');

my $before = psql(q{SELECT count(*) FROM teams_admin_audit_events
                    WHERE tenant = $1::uuid AND route = 'deliveries'
                      AND result_status = 'success'}, $main::TA);

($s, $j) = main::api($main::Win, 'admin_a');
is($s, 200, 'tenant A: 200');
my @got = @{ main::ids_of($j) };
# two rows share minute 6: the delivery id breaks the tie, so compare sets
# per minute and the order of the minutes
my %minute = map { $_->{notification} => $_->{minute} } @main::Rows;
is(scalar @got, 7, 'tenant A: its 7 rows');
is_deeply([ map { $minute{$_} } @got ], [6, 6, 5, 4, 3, 2, 1],
          'newest first');
ok(!grep({ $_->{tenant} ne $main::TA } map { my $i = $_;
      grep { $_->{notification} eq $i } @main::Rows } @got),
   'no row of tenant B');
is($j->{next_cursor}, undef, 'one page: no next cursor');

my ($row) = grep { $_->{internal_notification_id} eq $main::Rows[1]{notification} }
    @{ $j->{deliveries} };
is($row->{status}, 'failed', 'status');
is($row->{error_code}, 'graph_not_found', 'error_code');
is($row->{error_message}, 'graph_not_found: t091', 'error_message');
is($row->{category}, 'customer_reply', 'category');
is($row->{user_id}, $main::UA, 'user_id');
is($row->{destination_type}, 'user_activity', 'destination_type');
is($row->{attempt_number}, 1, 'attempt_number is a number');
ok(JSON::PP::is_bool($row->{retryable}) && !$row->{retryable},
   'retryable is a boolean');
is($row->{idempotency_key},
   "teams-notify:$main::Rows[1]{notification}:$main::UA:user_activity",
   'idempotency_key');
is($row->{created_at}, '2001-01-10T10:02:00.000000Z', 'created_at in UTC');
is($row->{sent_at}, undef, 'sent_at null');
like($row->{delivery_id}, qr/^[0-9a-f-]{36}$/, 'delivery_id');

my $after = psql(q{SELECT count(*) FROM teams_admin_audit_events
                   WHERE tenant = $1::uuid AND route = 'deliveries'
                     AND result_status = 'success'}, $main::TA);
is($after, $before + 1, 'the read is audited');

($s, $j) = main::api($main::Win, 'admin_b');
is($s, 200, 'tenant B: 200');
is_deeply([ sort @{ main::ids_of($j) } ],
          [ sort @{ main::expected($main::TB) } ], 'tenant B sees only its 2');

# tenant B asking for tenant A's notification by id: nothing
($s, $j) = main::api("$main::Win&notification_id=$main::Rows[0]{notification}",
                     'admin_b');
is($s, 200, 'another tenant\'s notification id: 200');
is(scalar @{ $j->{deliveries} }, 0, '... and no rows');

=== TEST 2: filters
--- test_script
my ($s, $j);
my $W = $main::Win;
my %cases = (
    'status=sent' => sub { $_[0]{status} eq 'sent' },
    'status=failed' => sub { $_[0]{status} eq 'failed' },
    'category=assignment' => sub { $_[0]{category} eq 'assignment' },
    "user_id=$main::UA2" => sub { $_[0]{user} eq $main::UA2 },
    'status=sent&category=assignment' =>
        sub { $_[0]{status} eq 'sent' && $_[0]{category} eq 'assignment' },
    "notification_id=\U$main::Rows[3]{notification}" =>
        sub { $_[0]{notification} eq $main::Rows[3]{notification} },
);
for my $q (sort keys %cases) {
    ($s, $j) = main::api("$W&$q", 'admin_a');
    is($s, 200, "$q: 200");
    is_deeply([ sort @{ main::ids_of($j) } ],
              [ sort @{ main::expected($main::TA, $cases{$q}) } ], "$q: rows");
}

# since is inclusive, until exclusive; an offset is honoured
($s, $j) = main::api('since=2001-01-10T10:02:00Z&until=2001-01-10T12:04:00%2B02:00',
                     'admin_a');
is($s, 200, 'since/until with an offset: 200');
is_deeply([ sort @{ main::ids_of($j) } ],
          [ sort @{ main::expected($main::TA, sub {
              $_[0]{minute} >= 2 && $_[0]{minute} < 4 }) } ],
          'since inclusive, until exclusive');

=== TEST 3: keyset pagination walks every row once, stable under inserts
--- test_script
my ($s, $j);
my (@all, $cursor, $pages);
my %minute = map { $_->{notification} => $_->{minute} } @main::Rows;
do {
    my $q = "$main::Win&limit=2" . ($cursor ? "&cursor=$cursor" : '');
    ($s, $j) = main::api($q, 'admin_a');
    is($s, 200, "page " . ++$pages . ": 200");
    ok(@{ $j->{deliveries} } <= 2, 'at most limit rows');
    push @all, @{ main::ids_of($j) };
    $cursor = $j->{next_cursor};
    if ($pages == 1) {
        # a newer row arriving between pages does not shift the next pages
        psql(q{INSERT INTO teams_notification_deliveries (tenant,
                   internal_notification_id, category, destination_type,
                   destination_id, attempt_number, idempotency_key, status,
                   created_at)
               VALUES ($1::uuid, 'd0910000-0000-4000-8000-000000000999',
                       'assignment', 'user_activity', 'x', 1, 't091-late',
                       'sent', '2001-01-10T10:30:00Z')}, $main::TA);
    }
} while ($cursor && $pages < 10);
is($pages, 4, 'four pages of 2, 2, 2, 1');
is(scalar @all, 7, 'seven rows');
my %seen;
is(scalar(grep { !$seen{$_}++ } @all), 7, 'none twice');
is_deeply([ map { $minute{$_} } @all ], [6, 6, 5, 4, 3, 2, 1], 'in order');

=== TEST 4: every bad filter is a 422 naming the field
--- test_script
my ($s, $j);
my @bad = (
    ['status=open', 'status'],
    ['category=billing', 'category'],
    ['user_id=42', 'user_id'],
    ['notification_id=not-a-guid', 'notification_id'],
    ['since=yesterday', 'since'],
    ['since=2001-02-30T00:00:00Z', 'since'],
    ['until=2001-01-01T00:00:00', 'until'],
    ['until=2001-01-01T24:00:00Z', 'until'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=abc', 'cursor'],
    ["cursor=1_$main::TA'--", 'cursor'],
    ['status=', 'status'],
    ['status=sent&status=failed', 'status'],
    ['sort=asc', 'query'],
);
for my $c (@bad) {
    ($s, $j) = main::api($c->[0], 'admin_a');
    is($s, 422, "$c->[0]: 422");
    is($j->{error}{code}, 'validation_failed', "$c->[0]: validation_failed");
    ok($j->{error}{fields}{$c->[1]}, "$c->[0]: names $c->[1]");
}

($s, $j) = main::api('status=open&category=x&limit=0', 'admin_a');
is($s, 422, 'three bad filters: 422');
is_deeply([ sort keys %{ $j->{error}{fields} } ], [qw(category limit status)],
          'all three named');

($s, $j) = main::api('since=2001-01-10T10:00:00.123456%2B00:00&limit=200',
                     'admin_a');
is($s, 200, 'fractional seconds and limit 200: 200');
