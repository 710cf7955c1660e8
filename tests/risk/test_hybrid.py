"""How the rules and the learned lexicon are combined: what the lexicon may add, and what not."""

from __future__ import annotations

import pytest

from bot.risk import DEFAULT_RULES_DIR
from bot.risk.engine import RiskEngine
from bot.risk.hybrid import ALONE, WITH_RULE, HybridEngine
from bot.risk.learned import ACUTE, Head, Lexicon
from bot.risk.ruleset import load_ruleset
from bot.risk.types import Category

LEXICON_HEADS = [c.value for c in Category if c is not Category.PERSONAL_DATA] + [ACUTE]


def _lexicon(probability_bias: float, threshold: float = 0.5) -> Lexicon:
    """A lexicon without weights: every text gets the same probability for every head."""
    return Lexicon("test", {name: Head(probability_bias, threshold, {}) for name in LEXICON_HEADS})


@pytest.fixture(scope="module")
def rules() -> RiskEngine:
    return RiskEngine(load_ruleset(DEFAULT_RULES_DIR))


def test_the_rules_report_what_negation_and_benign_contexts_ruled_out(rules: RiskEngine) -> None:
    _, _, negated = rules.assess_with_vetoes("Jag vill inte dö, jag vill bara ha sommar")
    _, _, idiom = rules.assess_with_vetoes("Jag dog av skratt på bion")
    _, _, plain = rules.assess_with_vetoes("När öppnar simhallen igen?")
    assert Category.CRISIS in negated
    assert Category.CRISIS in idiom
    assert plain == frozenset()


def test_a_sure_lexicon_adds_categories_but_never_personal_data(rules: RiskEngine) -> None:
    sure = HybridEngine(rules, _lexicon(probability_bias=30.0))
    found = sure.assess("När öppnar simhallen igen?")
    assert Category.CRISIS in found.categories and Category.CRIME in found.categories
    assert Category.PERSONAL_DATA not in found.categories


def test_the_lexicon_never_overrules_a_negation_or_an_idiom(rules: RiskEngine) -> None:
    sure = HybridEngine(rules, _lexicon(probability_bias=30.0))
    negated, idiom = "Jag vill inte dö, jag vill bara ha sommar", "Jag dog av skratt på bion"
    for text in (negated, idiom):
        assert Category.CRISIS not in sure.assess(text).categories


def test_the_lexicon_alone_must_pass_the_threshold_by_a_margin(rules: RiskEngine) -> None:
    threshold = 0.5
    bar_alone = threshold + (1 - threshold) * ALONE
    bar_with_rule = threshold + (1 - threshold) * WITH_RULE
    assert bar_with_rule < bar_alone
    # sigmoid(0.2) = 0.55: over the threshold, under the bar; a plain text gets nothing.
    just_over = HybridEngine(rules, _lexicon(probability_bias=0.2, threshold=threshold))
    assert just_over.assess("När öppnar simhallen igen?").categories == ()
