"""Floors on the held-out and validation sets, written by people who saw neither the rules nor
the other sets.

Only aggregates are compared and a failure shows figures, never a held-out text: these sets
measure generalisation only as long as nobody writes rules against their misses. The floors sit
about 0.03 under what the engine reached when they were written (see the closing notes); raise
them when the engine gets better, never lower them to let a change pass. The one exception is a
trade the routines ask for (a missed crisis is the worst failure): a precision floor lowered for
more crisis recall says so beside it, with the figures in that session's closing note.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.risk import RiskEngine
from bot.risk.evaluate import (
    HOLDOUT,
    HOLDOUT2,
    HOLDOUT3,
    HOLDOUT4,
    MONTH,
    VALID,
    Report,
    load_items,
    score,
)

# (file, category): (precision floor, recall floor)
FLOORS = {
    HOLDOUT: {
        "individual_case": (0.79, 0.81),
        "crime": (0.70, 0.74),
        "child_at_risk": (0.72, 0.89),
        "crisis": (0.78, 0.89),
        "personal_data": (0.88, 0.88),
        "prohibited": (0.97, 0.60),
        "serious_criticism": (0.93, 0.77),
    },
    HOLDOUT2: {
        "individual_case": (0.69, 0.84),
        "crime": (0.67, 0.79),
        "child_at_risk": (0.87, 0.87),
        "crisis": (0.92, 0.92),
        "personal_data": (0.97, 0.86),
        "prohibited": (0.84, 0.82),
        "serious_criticism": (0.75, 0.88),
    },
    # Written and scored before the third session's rule changes, never read.
    HOLDOUT3: {
        "individual_case": (0.80, 0.64),
        "crime": (0.69, 0.75),
        "child_at_risk": (0.73, 0.91),
        "crisis": (0.75, 0.87),  # crisis recall bought with precision (session 6): 0.82 -> 0.75
        "personal_data": (0.89, 0.86),
        "prohibited": (0.79, 0.86),
        "serious_criticism": (0.80, 0.83),
    },
    # Written in the fourth session and scored once before any of its changes, never read.
    HOLDOUT4: {
        "individual_case": (0.80, 0.83),
        "crime": (0.83, 0.82),
        "child_at_risk": (0.82, 0.92),
        "crisis": (0.90, 0.97),
        "personal_data": (0.90, 0.97),
        "prohibited": (0.88, 0.83),
        "serious_criticism": (0.84, 0.83),
    },
    # Chose the former fixed margins of the lexicon (bot/risk/hybrid.py), never trained on.
    VALID: {
        "individual_case": (0.58, 0.87),
        "crime": (0.80, 0.88),
        "child_at_risk": (0.86, 0.77),
        "crisis": (0.85, 0.87),  # crisis recall bought with precision (session 6): 0.94 -> 0.85
        "personal_data": (0.90, 0.92),
        "prohibited": (0.89, 0.78),
        "serious_criticism": (0.71, 0.74),
    },
}


@pytest.fixture(scope="module")
def reports(engine: RiskEngine) -> dict[Path, Report]:
    return {path: score(engine, load_items(path)) for path in FLOORS if path.is_file()}


@pytest.mark.parametrize("path", list(FLOORS), ids=[p.name for p in FLOORS])
def test_held_out_precision_and_recall(reports: dict[Path, Report], path: Path) -> None:
    if path not in reports:
        pytest.skip(f"{path.name} is not present")
    report = reports[path]
    below = [
        f"{category}: P {report.precision(category):.3f} (floor {p_floor}), "
        f"R {report.recall(category):.3f} (floor {r_floor})"
        for category, (p_floor, r_floor) in FLOORS[path].items()
        if report.precision(category) < p_floor or report.recall(category) < r_floor
    ]
    assert not below, "\n".join(below)


def test_a_realistic_month_raises_few_false_cards(engine: RiskEngine) -> None:
    """risk_month.jsonl is a month of comments as they come in: nine in ten are ordinary. A
    card on an ordinary comment costs a communicator's attention; a risky comment with no card
    at all is the failure that matters most."""
    if not MONTH.is_file():
        pytest.skip(f"{MONTH.name} is not present")
    report = score(engine, load_items(MONTH))
    false_cards = f"{report.quiet_flagged} of {report.quiet} ordinary comments got a card"
    assert report.quiet_flagged <= 25, false_cards
    risky = report.total - report.quiet
    assert report.risky_silent <= 5, f"{report.risky_silent} of {risky} risky comments got no card"
