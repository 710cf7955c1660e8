"""The hand-written rules widened by the learned lexicon: what either finds is flagged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from operator import ge, itemgetter

from bot.risk.engine import RiskEngine
from bot.risk.learned import ACUTE, Lexicon
from bot.risk.types import Assessment, Category

# Whether a personnummer, a phone number or an address is in a text is a fact the detectors
# establish; a guess from the surrounding words only adds false alarms.
DETECTED_ONLY = frozenset({Category.PERSONAL_DATA})
# How much of the way from a head's trained threshold to certainty the lexicon must go to add a
# category: less when a rule saw a weak sign of it too, more when no rule saw anything. Training
# chooses these per category (bot.risk.calibrate); these are for a lexicon without them. Chosen
# on risk_valid.jsonl in the third session: mean F1 0.827 at 0.3/0.8 against 0.824 at 0.3/0.6
# and 0.808 at 0.3/0.9, with as few cards on comments without risk (14 of 113) as before.
WITH_RULE, ALONE = 0.3, 0.8
# Where a rule file binds the lexicon to its requires (learned_requires, e.g. a child named) and
# the text has none of it, the lexicon adds the category only when it is this sure. Chosen on
# the development sets in the ninth session: of the lexicon's additions of child_at_risk to
# texts naming no child, 32 were wrong and 4 right; at 0.9 or more, 10 wrong and 3 right.
UNNAMED = 0.9


class HybridEngine:
    """Rules first (precise, with their evidence and advice), then the lexicon for what
    residents say in ways no rule anticipated; a missed crisis is the worst failure. The
    lexicon adds a category when its probability passes the head's threshold (chosen by
    cross-validation in training) by a margin. It never adds one the rules ruled out by negation
    or a benign context unless another rule still saw a sign of it ("jag vill INTE dö men ser
    ingen annan utväg"), and never personal data, which is the detectors' call."""

    def __init__(self, rules: RiskEngine, lexicon: Lexicon | None) -> None:
        self.rules = rules
        self.lexicon = lexicon
        self.ruleset = rules.ruleset
        self.labels = rules.labels
        self.pii_detector = rules.pii_detector
        self.version = rules.version + (f"+lex.{lexicon.version}" if lexicon else "")
        self._rules_nothing = rules.nothing
        self._nothing = replace(rules.nothing, ruleset_version=self.version)
        # Per category the lexicon may add: its column, and the bars with and without a weak
        # rule sign, worked out once.
        self._heads: list[tuple[Category, int, float, float]] = []
        # Per head, the lower of its two bars: most texts pass none, and are done with then
        # (the heads' probabilities picked and compared in C, no generator per text).
        self._low_columns: Callable[[list[float]], tuple[float, ...]] = lambda p: ()
        self._low_bars: tuple[float, ...] = ()
        self._acute_column, self._acute_threshold = 0, 0.0
        if lexicon is not None:
            columns = {name: i for i, name in enumerate(lexicon.names)}
            self._heads = [
                (c, column, bar(threshold, with_rule), bar(threshold, alone))
                for c in Category
                if c not in DETECTED_ONLY
                for column in (columns[c.value],)
                for threshold in (lexicon.thresholds[column],)
                for with_rule, alone in (lexicon.margins[column] or (WITH_RULE, ALONE),)
            ]
            # A head per category but personal data: six columns, picked as a tuple.
            self._low_columns = itemgetter(*(column for _, column, _, _ in self._heads))
            self._low_bars = tuple(min(w, a) for _, _, w, a in self._heads)
            self._acute_column = columns[ACUTE]
            self._acute_threshold = lexicon.thresholds[self._acute_column]

    def warm(self) -> HybridEngine:
        """Compile every rule pattern now rather than on first use (see RiskEngine.warm)."""
        self.rules.warm()
        return self

    def assess(self, text: str) -> Assessment:
        """Assess one comment with the rules, then add what the lexicon is sure of."""
        found, rule_scores, ruled_out = self.rules.assess_with_vetoes(text)
        lexicon = self.lexicon
        if lexicon is None:
            return self._versioned(found)
        p = lexicon.probabilities(text)
        if not any(map(ge, self._low_columns(p), self._low_bars)):
            added = []
        else:
            added = [
                (c, column)
                for c, column, with_rule, alone in self._heads
                if c not in found.categories
                and adds(p[column], rule_scores.get(c, 0.0), c in ruled_out, with_rule, alone)
            ]
        # A rule file can bind the lexicon to its requires (a child named): the lexicon reads
        # words, and violence against an adult shares most of them with violence against a
        # child.
        extra = [
            c for c, column in added if p[column] >= UNNAMED or self.rules.has_context(text, c)
        ]
        acute = found.acute or bool(
            (found.categories or extra)
            and p[self._acute_column] >= self._acute_threshold
            and (found.acute or any(rule_scores.values()))
        )
        if not extra and acute == found.acute:
            return self._versioned(found)
        categories = tuple(c for c in Category if c in found.categories or c in extra)
        advice = list(found.advice)
        for category in extra:
            advice += self.ruleset.advice.get(category, ())
        if acute:
            for category in categories:
                advice += self.ruleset.acute_advice.get(category, ())
        evidence = found.evidence + tuple(e for c in extra for e in lexicon.evidence(text, c))
        return Assessment(
            categories=categories,
            acute=acute,
            evidence=evidence,
            ruleset_version=self.version,
            advice=tuple(dict.fromkeys(advice)),
        )

    def _versioned(self, found: Assessment) -> Assessment:
        """The rules' assessment under this engine's version (shared when nothing was found)."""
        if found is self._rules_nothing:
            return self._nothing
        return Assessment(found.categories, found.acute, found.evidence, self.version, found.advice)

    def scores(self, text: str) -> dict[Category, float]:
        """The rules' summed weights per category (the lexicon's are in lexicon.score)."""
        return self.rules.scores(text)


def adds(
    probability: float, rule_score: float, ruled_out: bool, with_rule: float, alone: float
) -> bool:
    """Whether the lexicon adds a category the rules did not flag: its probability reaches
    the bar for a weak rule sign or for none, and no negation or idiom ruled the category out
    unless a rule still saw a sign of it."""
    seen = rule_score > 0
    return probability >= (with_rule if seen else alone) and (seen or not ruled_out)


def bar(threshold: float, margin: float) -> float:
    """What the lexicon's probability must reach: the threshold plus a share of the way to 1."""
    return threshold + (1.0 - threshold) * margin
