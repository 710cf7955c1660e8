"""Margins chosen per category on writers the rules never saw, stored with the lexicon, used."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.risk import DEFAULT_RULES_DIR
from bot.risk.calibrate import ALONE_GRID, RuleOutcome, choose_margins, rule_outcomes
from bot.risk.engine import RiskEngine
from bot.risk.hybrid import HybridEngine, adds, bar
from bot.risk.learned import ACUTE, Head, Lexicon, load_lexicon
from bot.risk.rulefiles import RuleFileError
from bot.risk.ruleset import load_ruleset
from bot.risk.train import main as train_main
from bot.risk.types import Category

NOTHING = RuleOutcome(frozenset(), {}, frozenset())
WEAK = RuleOutcome(frozenset(), {"crime": 0.5}, frozenset())


@pytest.fixture(scope="module")
def rules() -> RiskEngine:
    return RiskEngine(load_ruleset(DEFAULT_RULES_DIR))


def test_the_lexicon_adds_past_its_bar_unless_a_negation_ruled_the_category_out() -> None:
    assert adds(0.7, 0.0, False, with_rule=0.6, alone=0.8) is False
    assert adds(0.7, 0.5, False, with_rule=0.6, alone=0.8) is True  # a weak rule sign lowers it
    assert adds(0.9, 0.0, True, with_rule=0.6, alone=0.8) is False  # "vill inte dö"
    assert adds(0.9, 0.5, True, with_rule=0.6, alone=0.8) is True  # another rule still saw it
    assert bar(0.6, 0.5) == pytest.approx(0.8)


def test_margins_let_through_what_is_risky_and_keep_out_what_is_not() -> None:
    # Risky comments score 0.9 and 0.85 with nothing from the rules; a harmless one 0.7.
    p = np.array([0.9, 0.85, 0.7, 0.2])
    truth = np.array([True, True, False, False])
    choice = choose_margins("crime", p, 0.5, truth, [NOTHING] * 4)
    assert bar(0.5, choice.alone) <= 0.85 and bar(0.5, choice.alone) > 0.7
    assert (choice.precision, choice.recall) == (1.0, 1.0)
    # Among equally good margins the larger one: fewer cards from the lexicon alone.
    assert choice.alone == max(m for m in ALONE_GRID if bar(0.5, m) <= 0.85 + 1e-9)


def test_a_weak_rule_sign_gets_its_own_lower_margin() -> None:
    p = np.array([0.6, 0.6, 0.6])
    truth = np.array([True, False, False])
    choice = choose_margins("crime", p, 0.5, truth, [WEAK, NOTHING, NOTHING])
    assert bar(0.5, choice.with_rule) <= 0.6 < bar(0.5, choice.alone)
    assert (choice.precision, choice.recall) == (1.0, 1.0)


def test_recall_weighs_more_for_crisis_than_for_criticism() -> None:
    # One more risky comment at 0.75 costs two false cards at 0.75 and 0.8.
    p = np.array([0.95, 0.95, 0.95, 0.75, 0.8, 0.75])
    truth = np.array([True, True, True, True, False, False])
    outcomes = [NOTHING] * len(p)
    crisis = choose_margins(Category.CRISIS.value, p, 0.5, truth, outcomes)
    criticism = choose_margins(Category.SERIOUS_CRITICISM.value, p, 0.5, truth, outcomes)
    assert crisis.recall == 1.0 and criticism.recall == 0.75


def test_rule_outcomes_carry_flags_weak_signs_and_vetoes(rules: RiskEngine) -> None:
    crisis, denied = rule_outcomes(rules, ["Jag orkar inte leva längre", "Jag vill inte dö"])
    assert Category.CRISIS.value in crisis.found
    assert Category.CRISIS.value in denied.ruled_out and not denied.found


def test_per_head_margins_are_what_the_hybrid_uses(rules: RiskEngine) -> None:
    names = [c.value for c in Category if c is not Category.PERSONAL_DATA] + [ACUTE]
    # sigmoid(0.2) = 0.55, threshold 0.5: past a margin of 0.05, short of the default 0.8.
    eager = Lexicon("t", {n: Head(0.2, 0.5, {}, (0.0, 0.05)) for n in names})
    default = Lexicon("t", {n: Head(0.2, 0.5, {}) for n in names})
    text = "När öppnar simhallen igen?"
    assert Category.CRIME in HybridEngine(rules, eager).assess(text).categories
    assert HybridEngine(rules, default).assess(text).categories == ()


def test_training_chooses_and_stores_margins_on_the_calibration_file(tmp_path: Path) -> None:
    corpus = DEFAULT_RULES_DIR.parents[1] / "tests" / "data" / "risk_corpus.jsonl"
    lines = corpus.read_text(encoding="utf-8").splitlines()
    train, calibration = tmp_path / "train.jsonl", tmp_path / "calib.jsonl"
    train.write_text("\n".join(lines[:160]) + "\n", encoding="utf-8")
    calibration.write_text("\n".join(lines[160:240]) + "\n", encoding="utf-8")
    out = tmp_path / "learned" / "lexicon.json"
    args = [str(train), str(calibration), "--out", str(out), "--calibrate", str(calibration)]
    assert train_main(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["crisis"]["margins"]) == {"with_rule", "alone"}
    assert "margins" not in data[ACUTE]
    lexicon = load_lexicon(tmp_path)
    assert lexicon is not None
    assert all(m is not None for n, m in zip(lexicon.names, lexicon.margins, strict=True)
               if n != ACUTE)


def test_a_calibration_file_outside_the_training_files_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "train.jsonl"
    source.write_text('{"id": "a1", "text": "hej", "categories": []}\n', encoding="utf-8")
    with pytest.raises(SystemExit):
        train_main([str(source), "--out", str(tmp_path / "x.json"),
                    "--calibrate", str(tmp_path / "other.jsonl")])


def test_margins_out_of_range_name_the_file(tmp_path: Path) -> None:
    target = tmp_path / "learned" / "lexicon.json"
    target.parent.mkdir()
    head = {"bias": 0.0, "threshold": 0.5, "weights": {}, "margins": {"with_rule": 2, "alone": 0.5}}
    target.write_text(json.dumps({"crisis": head}), encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"lexicon\.json.*margins"):
        load_lexicon(tmp_path)
