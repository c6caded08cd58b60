# The Adaptive Card checker itself (t/cards/check.js through
# Teams::Cards): a good card passes; a card with a parse warning, a
# validation failure, the wrong version, 28 KB or more, or not JSON fails.
# Then every card the C card builders write (t/unit/card_builders_test.c,
# long inputs included) goes through it.  No nginx needed.

use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/lib";
use File::Temp ();
use Test::More;

BEGIN { $ENV{TEST_TEAMS_REPO} //= "$FindBin::Bin/.." }
use Teams::Cards;

plan skip_all => 'node or t/cards/node_modules missing'
    unless -d "$ENV{TEST_TEAMS_REPO}/t/cards/node_modules"
           && system('node --version > /dev/null 2>&1') == 0;

my $good = '{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"hi","wrap":true}],"actions":[{"type":"Action.Execute","title":"Go","verb":"go"}]}';
my @bad = (
    [unknown_element => '{"type":"AdaptiveCard","version":"1.5","body":[{"type":"Nope"}]}', qr/UnknownElementType/],
    [input_without_id => '{"type":"AdaptiveCard","version":"1.5","body":[{"type":"Input.Text"}]}', qr/validation/],
    [too_many_actions => '{"type":"AdaptiveCard","version":"1.5","body":[],"actions":[' . join(',', map { qq({"type":"Action.OpenUrl","title":"$_","url":"https://x/$_"}) } 1 .. 6) . ']}', qr/TooManyActions/],
    [unknown_action => '{"type":"AdaptiveCard","version":"1.5","body":[],"actions":[{"type":"Action.Fly","title":"x"}]}', qr/parse/],
    [wrong_version => '{"type":"AdaptiveCard","version":"1.2","body":[]}', qr/version/],
    [not_a_card => '{"type":"Message","version":"1.5"}', qr/not an AdaptiveCard/],
    [not_json => '{"type":', qr/not JSON/],
    [too_large => '{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"' . ('x' x (28 * 1024)) . '"}]}', qr/28 KB/],
);

is_deeply([cards_check([[good => $good]])], [], 'a good card passes');
for my $b (@bad) {
    my @p = cards_check([[$b->[0] => $b->[1]]]);
    ok(scalar(grep { /$b->[2]/ } @p), "$b->[0] fails") or diag explain \@p;
}
my @p = cards_check([[good => $good], [bad => $bad[0][1]], [good2 => $good]]);
is(scalar @p, 1, 'in a batch only the bad card is named');
like($p[0], qr/^bad:/, 'by its label');

# the C builders' cards
my $unit = "$ENV{TEST_TEAMS_REPO}/build/unit-tests";
SKIP: {
    skip 'build/unit-tests not built', 2 unless -x $unit;
    my $dir = File::Temp->newdir();
    local $ENV{TEAMS_CARD_DUMP_DIR} = $dir->dirname;
    my $out = `"$unit" card_ 2>&1`;
    like($out, qr/ 0 failed/, 'card builder unit tests pass') or diag $out;
    my @cards;
    for my $f (sort glob($dir->dirname . '/*.json')) {
        open my $fh, '<:raw', $f or die "$f: $!";
        local $/;
        push @cards, [($f =~ m{([^/]+)\.json$})[0], scalar <$fh>];
    }
    my @problems = cards_check(\@cards);
    ok(@cards >= 40 && !@problems,
       scalar(@cards) . ' builder cards valid, long inputs included')
        or diag join "\n", @problems;
}

done_testing();
