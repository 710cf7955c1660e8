"""Floors on the two held-out sets, written by people who saw neither the rules nor the corpora.

Only aggregates are compared and a failure shows figures, never a held-out text: these sets
measure generalisation only as long as nobody writes rules against their misses. The floors sit
a little under what the engine reached when they were written (see the closing notes); raise
them when the engine gets better, never lower them to let a change pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.risk import RiskEngine
from bot.risk.evaluate import HOLDOUT, HOLDOUT2, Report, load_items, score

# (file, category): (precision floor, recall floor)
FLOORS = {
    HOLDOUT: {
        "individual_case": (0.75, 0.74),
        "crime": (0.70, 0.40),
        "child_at_risk": (0.75, 0.80),
        "crisis": (0.80, 0.72),
        "personal_data": (0.88, 0.88),
        "prohibited": (0.85, 0.42),
        "serious_criticism": (0.90, 0.53),
    },
    HOLDOUT2: {
        "individual_case": (0.67, 0.80),
        "crime": (0.68, 0.55),
        "child_at_risk": (0.80, 0.75),
        "crisis": (0.92, 0.68),
        "personal_data": (0.95, 0.85),
        "prohibited": (0.80, 0.67),
        "serious_criticism": (0.70, 0.64),
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
