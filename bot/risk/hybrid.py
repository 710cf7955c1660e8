"""The hand-written rules widened by the learned lexicon: what either finds is flagged."""

from __future__ import annotations

from dataclasses import replace

from bot.risk.engine import RiskEngine
from bot.risk.learned import ACUTE, Lexicon
from bot.risk.types import Assessment, Category

# Whether a personnummer, a phone number or an address is in a text is a fact the detectors
# establish; a guess from the surrounding words only adds false alarms.
DETECTED_ONLY = frozenset({Category.PERSONAL_DATA})
# How much of the way from a head's trained threshold to certainty the lexicon must go to add a
# category: less when a rule saw a weak sign of it too, more when no rule saw anything (the
# rules read negation and idioms, "jag vill inte dö, jag vill bara ha sommar"; a bag of words
# does not). Chosen with a lexicon trained without risk_dev2.jsonl, for the fewest false alarms
# on the concept sentences' hard negatives; recall on risk_dev2 fell by at most 0.05 per
# category against no margin at all, and stayed far above the rules alone (crisis 0.81 vs 0.60).
WITH_RULE, ALONE = 0.3, 0.5

class HybridEngine:
    """Rules first (precise, with their evidence and advice), then the lexicon for what
    residents say in ways no rule anticipated; a missed crisis is the worst failure. The
    lexicon adds a category when its probability passes the head's threshold (chosen by
    cross-validation in training) by a margin; personal data is left to the detectors."""

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
        extra = [c for c in Category if c not in found.categories and c not in DETECTED_ONLY
                 and p[c.value] >= self._bar(self.lexicon.threshold(c.value),
                                             rule_scores.get(c, 0.0))]
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
    def _bar(threshold: float, rule_score: float) -> float:
        """What the lexicon's probability must reach to add a category."""
        return threshold + (1.0 - threshold) * (WITH_RULE if rule_score > 0 else ALONE)

    def scores(self, text: str) -> dict[Category, float]:
        """The rules' summed weights per category (the lexicon's are in lexicon.score)."""
        return self.rules.scores(text)
