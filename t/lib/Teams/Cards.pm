package Teams::Cards;

# Every Adaptive Card a suite sees goes through the npm adaptivecards parser
# (t/cards/check.js): no parse error or warning, no validation failure,
# version 1.5 and under 28 KB.  Suites collect cards as they go --
# cards_from_answer() for invoke answers, cards_from_activity() for the
# reply activities on teams:replies -- and call cards_ok() at the end of a
# block, which runs node once over all of them (one process per block keeps
# the suites fast).

use strict;
use warnings;

use Exporter 'import';
use File::Temp ();
use POSIX ();
use JSON::PP ();
use Test::More ();

our @EXPORT = qw(
    cards_from_answer cards_from_activity collect_card cards_ok
    cards_check cards_pending cards_total
);

use constant CARD_MAX => 28 * 1024;
use constant ADAPTIVE => 'application/vnd.microsoft.card.adaptive';

my $JSON = JSON::PP->new->utf8->canonical;
my @Pending;    # [label, card text]
my $Total = 0;  # cards checked in this process

sub _enc { ref $_[0] ? $JSON->encode($_[0]) : $_[0] }

# collect_card(label, card as a structure or JSON text)
sub collect_card {
    my ($label, $card) = @_;
    push @Pending, [$label, _enc($card)];
    return 1;
}

sub _attachments {
    my ($label, $list) = @_;
    my $n = 0;
    for my $i (0 .. $#{ $list || [] }) {
        my $at = $list->[$i];
        next unless ref $at eq 'HASH';
        if (($at->{contentType} // '') eq ADAPTIVE) {
            collect_card("$label attachment $i", $at->{content});
            $n++;
        }
        my $pv = $at->{preview};
        if (ref $pv eq 'HASH' && ($pv->{contentType} // '') eq ADAPTIVE) {
            collect_card("$label preview $i", $pv->{content});
            $n++;
        }
    }
    return $n;
}

# The cards of an invoke answer (JSON text or a structure): message
# extension results and previews, task module cards, Universal Action
# response bodies.  Returns how many it collected.
sub cards_from_answer {
    my ($label, $body) = @_;
    my $b = ref $body ? $body : eval { $JSON->decode($body) };
    return 0 unless ref $b eq 'HASH';
    my $n = 0;
    if (my $ce = $b->{composeExtension}) {
        $n += _attachments("$label composeExtension", $ce->{attachments});
    }
    if (my $t = $b->{task}) {
        my $card = ref $t->{value} eq 'HASH' ? $t->{value}{card} : undef;
        if (ref $card eq 'HASH'
            && ($card->{contentType} // '') eq ADAPTIVE)
        {
            collect_card("$label task card", $card->{content});
            $n++;
        }
    }
    if (($b->{type} // '') eq ADAPTIVE && exists $b->{value}) {
        collect_card("$label adaptiveCard/action", $b->{value});
        $n++;
    }
    $n += _attachments("$label", $b->{attachments}) if $b->{attachments};
    return $n;
}

# The cards of a reply activity (teams:replies "activity" field).
sub cards_from_activity {
    my ($label, $activity) = @_;
    my $a = ref $activity ? $activity : eval { $JSON->decode($activity) };
    return 0 unless ref $a eq 'HASH';
    return _attachments("$label reply", $a->{attachments});
}

sub cards_pending { scalar @Pending }
sub cards_total { $Total }

# cards_check(\@[label, text]) -> list of problem lines (empty: all good)
sub cards_check {
    my ($cards) = @_;
    my $dir = File::Temp->newdir();
    my (@files, %label, @problems);
    for my $i (0 .. $#$cards) {
        my ($label, $text) = @{ $cards->[$i] };
        my $f = sprintf '%s/card-%04d.json', $dir->dirname, $i;
        open my $fh, '>:raw', $f or die "$f: $!";
        print $fh $text;
        close $fh;
        push @problems, "$label: " . length($text) . " bytes >= 28 KB"
            if length($text) >= CARD_MAX;
        push @files, $f;
        $label{$f} = $label;
    }
    return @problems unless @files;
    my $check = "$ENV{TEST_TEAMS_REPO}/t/cards/check.js";
    my $pid = open(my $out, '-|') // die "node: fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        exec 'node', $check, @files or POSIX::_exit(127);
    }
    my %seen;
    while (my $line = <$out>) {
        chomp $line;
        if ($line =~ /^ok (\S+)$/) {
            $seen{$1} = 1;
        } elsif ($line =~ /^not ok (\S+?): (.*)$/) {
            $seen{$1} = 1;
            push @problems, "$label{$1}: $2";
        } else {
            push @problems, "check.js: $line";
        }
    }
    close $out;
    push @problems, "check.js exited " . ($? >> 8) . " without naming a card"
        if $? && !@problems;
    push @problems, map { "$label{$_}: not checked" }
                    grep { !$seen{$_} } @files;
    return @problems;
}

# cards_ok([min]): one test over all collected cards, then a fresh list.
# min (default 1) is how many cards the block must have produced.
sub cards_ok {
    my ($min) = @_;
    $min //= 1;
    my @cards = @Pending;
    @Pending = ();
    $Total += @cards;
    my @problems = cards_check(\@cards);
    my $tb = Test::More->builder;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $ok = $tb->ok(!@problems && @cards >= $min,
        scalar(@cards) . ' cards valid (adaptivecards parser, < 28 KB)');
    $tb->diag($_) for @problems;
    $tb->diag("only " . scalar(@cards) . " cards, expected $min")
        if @cards < $min;
    return $ok;
}

1;
