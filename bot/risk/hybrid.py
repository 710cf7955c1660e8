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

    def assess(self, text: str) -> Assessment:
        """Assess one comment with the rules, then add what the lexicon is sure of."""
        found, rule_scores = self.rules._assess(text)  # one pass gives both
        if self.lexicon is None:
            return replace(found, ruleset_version=self.version)
        p = self.lexicon.score(text)
        extra = [c for c in Category if c not in found.categories and self._agrees(
            p[c.value], self.lexicon.threshold(c.value), rule_scores.get(c, 0.0))]
        acute = found.acute or bool(
            (found.categories or extra) and p[ACUTE] >= self.lexicon.threshold(ACUTE)
            and (found.acute or any(rule_scores.values())))
        if not extra and acute == found.acute:
            return replace(found, ruleset_version=self.version)
        categories = tuple(c for c in Category if c in found.categories or c in extra)
        advice = list(found.advice)
        for category in extra:
            advice += self.ruleset.advice.get(category, ())
        if acute:
            for category in categories:
                advice += self.ruleset.acute_advice.get(category, ())
        evidence = found.evidence + tuple(
            e for c in extra for e in self.lexicon.evidence(text, c))
        return Assessment(categories=categories, acute=acute, evidence=evidence,
                          ruleset_version=self.version, advice=tuple(dict.fromkeys(advice)))

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
