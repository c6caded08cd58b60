# A user's own notification settings from the bot: the `notifications`
# command answers the settings card; saving it through the card
# (Action.Execute, verb notifications_save) writes the user's preference and
# answers the refreshed card.  That a muted category is then skipped for
# the user is t/090-notify.t's "user_muted" case.

use strict;
use warnings;
use Test::Nginx::Socket 'no_plan';
use Teams::Tokens;
use Teams::Cards;
use Teams::Actions;

actions_setup();
our $Ids = ids();
our $T = tenant_a();
our $U = $Ids->{TECH_USER_ID_A};

sub pref {
    my ($category) = @_;
    my $v = psql("SELECT enabled FROM teams_notification_preferences"
                 . " WHERE tenant = \$1 AND user_id = \$2 AND category = \$3",
                 $main::T, $main::U, $category);
    $v =~ s/\s+//g if defined $v;
    return $v;
}

sub save {
    my (%data) = @_;
    return main::post_invoke('adaptiveCard/action',
        { action => { type => 'Action.Execute', verb => 'notifications_save',
                      data => { kind => 'notifications', %data } },
          trigger => 'manual' });
}

psql("DELETE FROM teams_notification_preferences WHERE tenant = \$1"
     . " AND user_id = \$2", $T, $U);
END {
    psql("DELETE FROM teams_notification_preferences WHERE tenant = \$1"
         . " AND user_id = \$2", $T, $U) if $ENV{TEST_TEAMS_PG_CONNINFO};
}

run_tests();

__DATA__

=== TEST 1: `notifications` replies with the settings card, one toggle per category
--- test_script
my $r = main::post_text('notifications');
is($r->{status}, 200, 'answered at once');
ok($r->{reply}, 'a reply is queued for the worker');
my $card = $r->{reply} ? $r->{reply}{activity} : '';
like($card, qr/Input\.Toggle/, 'toggles');
like($card, qr/"id":"notify_assignment"/, 'assignment');
like($card, qr/"verb":"notifications_save"/, 'saved with Action.Execute');
$r = main::post_text('Notification settings');
ok($r->{reply}, 'also as "notification settings"');
main::cards_ok(2);



=== TEST 2: saving writes the preference and answers the refreshed card
--- test_script
my $r = main::save(notify_assignment => 'false', notify_sla_risk => 'true');
is($r->{status}, 200, 'saved');
is($r->{json}{statusCode}, 200, 'an Universal Actions answer');
like($r->{body}, qr/"id":"notify_assignment","[^}]*"value":"false"/,
     'the card shows assignment off')
    or diag($r->{body});
is(main::pref('assignment'), 'f', 'assignment muted for the user');
$r = main::save(notify_assignment => 'true');
is(main::pref('assignment'), 't', 'and back on');
$r = main::save(notify_nonsense => 'true');
is($r->{status}, 200, 'a field it does not know: answered');
like($r->{body}, qr/"text":"Not saved: the card sent no choices\.","/,
     'says it was not saved, and why');
main::cards_ok(3);



=== TEST 3: malformed data is a 400, another user's settings are never touched
--- test_script
my $r = main::post_invoke('adaptiveCard/action',
    { action => { type => 'Action.Execute', verb => 'notifications_save',
                  data => 'x' }, trigger => 'manual' });
is($r->{status}, 400, 'data must be an object');
my $before = psql("SELECT count(*) FROM teams_notification_preferences"
                  . " WHERE user_id <> \$1", $main::U);
$r = main::save(notify_assignment => 'false');
is(psql("SELECT count(*) FROM teams_notification_preferences"
        . " WHERE user_id <> \$1", $main::U), $before,
   "only the caller's own rows change");
