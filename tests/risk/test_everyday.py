"""Everyday comments on a kommun page must raise nothing.

tests/risk/data/everyday.jsonl holds 149 ordinary comments (questions, thanks, events, school
runs, pets, sports, weather) that share words with the risk rules: "ta med tändare till
grillplatsen", "skar mig på en glasbit", "ska hämta min lillebror". They were written by a
reviewer of the third session's rules, who found that rules fitted to single training sentences
flagged most of them. A channel flooded with such cards is the second worst failure there is.
The rules must raise none of them. The learned lexicon reads words and their pieces, not
sentences, and several of these were written to mirror risky sentences it trained on ("lärarna
satt och tittade på ... rektorn pratade med eleverna"): it may add a card to fifteen at most.
That is the price of its character n-grams and, since the fourth session, of margins chosen per
category on writers the rules never saw (bot/risk/calibrate.py): across the held-out,
validation and month sets they cut risky comments left without a card from 82 to 65, while
cards on the month's 359 ordinary comments went from 19 to 23 (and here from 10 to 15).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.risk import RiskEngine
from bot.risk.hybrid import HybridEngine

EVERYDAY = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "everyday.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
LEXICON_ALLOWANCE = 15


@pytest.mark.parametrize("item", EVERYDAY, ids=[i["id"] for i in EVERYDAY])
def test_the_rules_raise_nothing_on_an_everyday_comment(
    engine: HybridEngine, item: dict[str, str]
) -> None:
    found = engine.rules.assess(item["text"])
    why = [(e.rule, e.text) for e in found.evidence]
    assert not found.categories, f"{item['text']!r} gave {why}"


def test_the_lexicon_adds_almost_no_cards_to_everyday_comments(engine: RiskEngine) -> None:
    carded = [i["id"] for i in EVERYDAY if engine.assess(i["text"]).categories]
    assert len(carded) <= LEXICON_ALLOWANCE, f"cards on {carded}"
