"""How the rules and the learned lexicon are combined: what the lexicon may add, and what not."""

from __future__ import annotations

import pytest

from bot.risk import DEFAULT_RULES_DIR
from bot.risk.engine import RiskEngine
from bot.risk.hybrid import ALONE, UNNAMED, WITH_RULE, HybridEngine
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


def test_the_lexicon_adds_children_at_risk_only_where_a_child_is_named(rules: RiskEngine) -> None:
    # child_at_risk.toml binds the lexicon to its requires (learned_requires = true). sigmoid(1.9)
    # = 0.87: past the bar for the lexicon alone (0.84 at threshold 0.2), short of UNNAMED.
    sure = HybridEngine(rules, _lexicon(probability_bias=1.9, threshold=0.2))
    assert 0.2 + 0.8 * ALONE < 0.87 < UNNAMED
    adult = "Grannen slår sin fru varje helg, man hör allt genom väggen"
    assert Category.CHILD_AT_RISK not in sure.assess(adult).categories
    assert Category.CRIME in sure.assess(adult).categories
    for named in (
        "Grannens dotter gråter varje kväll",
        "mamma o pappa bråkar hela tiden och jag sitter i badrummet",
        "mamma och hennes nya kille skriker på oss hela nätterna",
        "typ tre pers från 8an väntar utanför varje dag",
    ):
        assert Category.CHILD_AT_RISK in sure.assess(named).categories, named


def test_a_category_without_learned_requires_binds_nothing(rules: RiskEngine) -> None:
    assert rules.has_context("Grannen slår sin fru", Category.CRIME)
    assert not rules.has_context("Grannen slår sin fru", Category.CHILD_AT_RISK)
    assert rules.has_context("Grannens barn blir slagna", Category.CHILD_AT_RISK)


def test_a_certain_lexicon_adds_children_at_risk_even_where_no_child_is_named(
    rules: RiskEngine,
) -> None:
    certain = HybridEngine(rules, _lexicon(probability_bias=30.0))
    assert Category.CHILD_AT_RISK in certain.assess("Grannen slår sin fru varje helg").categories
