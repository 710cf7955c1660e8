"""Floors on the held-out and validation sets, written by people who saw neither the rules nor
the other sets.

Only aggregates are compared and a failure shows figures, never a held-out text: these sets
measure generalisation only as long as nobody writes rules against their misses. The floors sit
about 0.03 under what the engine reached when they were written (see the closing notes); raise
them when the engine gets better, never lower them to let a change pass.
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
        "individual_case": (0.79, 0.74),
        "crime": (0.70, 0.72),
        "child_at_risk": (0.72, 0.89),
        "crisis": (0.78, 0.85),
        "personal_data": (0.88, 0.88),
        "prohibited": (0.92, 0.50),
        "serious_criticism": (0.92, 0.77),
    },
    HOLDOUT2: {
        "individual_case": (0.69, 0.84),
        "crime": (0.66, 0.79),
        "child_at_risk": (0.87, 0.87),
        "crisis": (0.92, 0.90),
        "personal_data": (0.97, 0.86),
        "prohibited": (0.83, 0.71),
        "serious_criticism": (0.74, 0.88),
    },
    # Written and scored before the third session's rule changes, never read.
    HOLDOUT3: {
        "individual_case": (0.80, 0.61),
        "crime": (0.69, 0.75),
        "child_at_risk": (0.73, 0.91),
        "crisis": (0.82, 0.87),
        "personal_data": (0.89, 0.86),
        "prohibited": (0.79, 0.86),
        "serious_criticism": (0.80, 0.78),
    },
    # Written in the fourth session and scored once before any of its changes, never read.
    HOLDOUT4: {
        "individual_case": (0.80, 0.83),
        "crime": (0.81, 0.81),
        "child_at_risk": (0.82, 0.90),
        "crisis": (0.90, 0.94),
        "personal_data": (0.90, 0.97),
        "prohibited": (0.86, 0.82),
        "serious_criticism": (0.84, 0.81),
    },
    # Chose the former fixed margins of the lexicon (bot/risk/hybrid.py), never trained on.
    VALID: {
        "individual_case": (0.58, 0.87),
        "crime": (0.80, 0.88),
        "child_at_risk": (0.86, 0.73),
        "crisis": (0.94, 0.82),
        "personal_data": (0.90, 0.92),
        "prohibited": (0.86, 0.72),
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
