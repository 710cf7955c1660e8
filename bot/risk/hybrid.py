"""The hand-written rules widened by the learned lexicon: what either finds is flagged."""

from __future__ import annotations

from dataclasses import replace

from bot.risk.engine import RiskEngine
from bot.risk.learned import ACUTE, Lexicon
from bot.risk.types import Assessment, Category

AGREE = 0.9   # the lexicon's confidence needed when a rule saw a weak sign as well
SURE = 0.95   # ... and when no rule saw anything


class HybridEngine:
    """Rules first (precise, with their evidence and advice), then the lexicon for what
    residents say in ways no rule anticipated; a missed crisis is the worst failure."""

    def __init__(self, rules: RiskEngine, lexicon: Lexicon | None) -> None:
        self.rules = rules
        self.lexicon = lexicon
        self.ruleset = rules.ruleset
        self.labels = rules.labels
        self.pii_detector = rules.pii_detector
        self.version = rules.version + (f"+lex.{lexicon.version}" if lexicon else "")
        self._rules_nothing = rules.nothing
        self._nothing = replace(rules.nothing, ruleset_version=self.version)
        # Per category: its column and threshold in the lexicon, looked up once.
        self._heads: list[tuple[Category, int, float]] = []
        self._acute_column, self._acute_threshold = 0, 0.0
        if lexicon is not None:
            columns = {name: i for i, name in enumerate(lexicon.names)}
            self._heads = [
                (c, columns[c.value], lexicon.thresholds[columns[c.value]]) for c in Category
            ]
            self._acute_column = columns[ACUTE]
            self._acute_threshold = lexicon.thresholds[self._acute_column]

    def warm(self) -> HybridEngine:
        """Compile every rule pattern now rather than on first use (see RiskEngine.warm)."""
        self.rules.warm()
        return self

    def assess(self, text: str) -> Assessment:
        """Assess one comment with the rules, then add what the lexicon is sure of."""
        found, rule_scores = self.rules._assess(text)  # one pass gives both
        lexicon = self.lexicon
        if lexicon is None:
            return self._versioned(found)
        p = lexicon.probabilities(text)
        extra = [
            c
            for c, column, threshold in self._heads
            if c not in found.categories
            and self._agrees(p[column], threshold, rule_scores.get(c, 0.0))
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

    @staticmethod
    def _agrees(probability: float, threshold: float, rule_score: float) -> bool:
        """The lexicon adds a category when a rule saw a weak sign of it too and the lexicon
        is quite sure, or on its own when it is very sure; hard negatives stay quiet."""
        if rule_score > 0:
            return probability >= max(threshold, AGREE)
        return probability >= max(threshold, SURE)

    def scores(self, text: str) -> dict[Category, float]:
        """The rules' summed weights per category (the lexicon's are in lexicon.score)."""
        return self.rules.scores(text)
