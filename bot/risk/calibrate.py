"""Choose, per category, how sure the lexicon must be to add a category beside the rules.

The lexicon adds a category the rules missed when its probability passes the head's threshold
by a margin: a small one when a rule saw a weak sign of the category, a larger one when no rule
saw anything (see bot.risk.hybrid). The margins are chosen on comments by writers the rules were
never corrected against, with each comment's probability from a lexicon that never read its
writer (the out-of-fold probabilities of training), so the choice sees what the engine will do
on people it has never met. Recall counts more where a miss hurts most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.risk.engine import RiskEngine
from bot.risk.hybrid import adds, bar
from bot.risk.types import Category

# A missed crisis or a missed child at risk is the worst thing the product can do (the issue
# asks recall 0.95 for them against 0.90 for the rest): their margins maximise F2, the others F1.
BETA: dict[str, float] = {Category.CRISIS.value: 2.0, Category.CHILD_AT_RISK.value: 2.0}
# Calibration comments are about half risky and their ordinary ones hard by design; a kommun's
# page gets about one risky comment in ten, most of the rest easy. A card on a comment without
# risk counts twice: at 1, the margins put 29 of the realistic month's 359 ordinary comments on
# cards (19 with the former fixed margins 0.3/0.8), at 2 23, while risky comments left without a
# card across the hold-out, validation and month sets went from 82 to 65 (55 at 1).
NEGATIVE_WEIGHT = 2.0
WITH_RULE_GRID = tuple(round(m, 2) for m in np.arange(0.0, 0.95, 0.1))
ALONE_GRID = tuple(round(m, 2) for m in np.arange(0.3, 1.0001, 0.05))


@dataclass(frozen=True)
class RuleOutcome:
    """What the rules made of one comment: the categories flagged, the summed weight per
    category (a weak sign is above zero), and the categories a negation or idiom ruled out."""

    found: frozenset[str]
    scores: dict[str, float]
    ruled_out: frozenset[str]


@dataclass(frozen=True)
class Choice:
    """The margins chosen for one category, and what they gave on the calibration comments."""

    with_rule: float
    alone: float
    precision: float
    recall: float


def rule_outcomes(engine: RiskEngine, texts: Sequence[str]) -> list[RuleOutcome]:
    """The rules' verdict on each text."""
    out = []
    for text in texts:
        found, scores, ruled_out = engine.assess_with_vetoes(text)
        out.append(
            RuleOutcome(
                frozenset(c.value for c in found.categories),
                {c.value: s for c, s in scores.items()},
                frozenset(c.value for c in ruled_out),
            )
        )
    return out


def choose_margins(
    category: str,
    probabilities: NDArray[np.float64],
    threshold: float,
    truth: NDArray[np.bool_],
    outcomes: Sequence[RuleOutcome],
    *,
    negative_weight: float = NEGATIVE_WEIGHT,
) -> Choice:
    """The margins (with a weak rule sign, alone) that give the best F-beta for the category
    on these comments; among equals, the larger ones (fewer cards from the lexicon alone)."""
    beta2 = BETA.get(category, 1.0) ** 2
    flagged = np.array([category in o.found for o in outcomes])
    weak = np.array([o.scores.get(category, 0.0) for o in outcomes])
    vetoed = np.array([category in o.ruled_out for o in outcomes])
    best: tuple[float, float, float, Choice] | None = None
    for with_rule in WITH_RULE_GRID:
        for alone in ALONE_GRID:
            bars = (bar(threshold, with_rule), bar(threshold, alone))
            extra = np.array(
                [
                    adds(float(p), float(w), bool(v), *bars)
                    for p, w, v in zip(probabilities, weak, vetoed, strict=True)
                ]
            )
            predicted = flagged | extra
            tp = float((predicted & truth).sum())
            fp = float((predicted & ~truth).sum())
            weighed = tp / max(tp + negative_weight * fp, 1.0)
            recall = tp / max(float(truth.sum()), 1.0)
            score = (
                (1 + beta2) * weighed * recall / (beta2 * weighed + recall)
                if weighed + recall
                else 0.0
            )
            key = (round(score, 6), with_rule, alone)
            if best is None or key > best[:3]:
                precision = round(tp / max(tp + fp, 1.0), 3)
                best = (*key, Choice(with_rule, alone, precision, round(recall, 3)))
    assert best is not None
    return best[3]
