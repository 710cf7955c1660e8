"""The rules work by meaning: sentences written for these tests (not taken from any corpus)
that express the concepts the rules are built on, each with the category it must get, and
hard negatives (idioms, praise, accidents, general questions, fiction, å/ä/ö-less spellings
that collide with other words: "så/sa", "är/år", "var/vår", "do/dö") that must get nothing.

tests/risk/data/concepts.jsonl: {"id", "text", "category"}, category null for a negative.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.risk import RiskEngine

CONCEPTS = Path(__file__).parent / "data" / "concepts.jsonl"
ITEMS = [json.loads(line) for line in CONCEPTS.read_text(encoding="utf-8").splitlines() if line]
POSITIVES = [i for i in ITEMS if i["category"]]
NEGATIVES = [i for i in ITEMS if not i["category"]]


def test_the_concept_set_is_broad() -> None:
    categories = {i["category"] for i in POSITIVES}
    assert len(POSITIVES) >= 250
    assert len(NEGATIVES) >= 150
    assert categories == {
        "child_at_risk",
        "crime",
        "crisis",
        "individual_case",
        "personal_data",
        "prohibited",
        "serious_criticism",
    }


@pytest.mark.parametrize("item", POSITIVES, ids=[i["id"] for i in POSITIVES])
def test_concept_is_flagged(engine: RiskEngine, item: dict[str, str]) -> None:
    got = {c.value for c in engine.assess(item["text"]).categories}
    assert item["category"] in got, f"{item['text']!r} gave {sorted(got)}"


@pytest.mark.parametrize("item", NEGATIVES, ids=[i["id"] for i in NEGATIVES])
def test_hard_negative_is_not_flagged(engine: RiskEngine, item: dict[str, str]) -> None:
    got = {c.value for c in engine.assess(item["text"]).categories}
    assert not got, f"{item['text']!r} gave {sorted(got)}"


@pytest.mark.parametrize(
    ("text", "acute"),
    [
        ("jag orkar inte leva längre", True),
        ("Har tagit alla mina tabletter. Förlåt.", True),
        ("står på bron nu. hejdå", True),
        ("Bättre för alla om jag inte fanns.", False),
        ("Jag skär mig när ångesten kommer", False),
        ("Det sitter en bebis ensam i en bil på parkeringen och det är 30 grader, just nu", True),
        ("Vi kommer att spränga er skola på måndag", True),
        ("Min cykel blev stulen förra veckan", False),
    ],
)
def test_acute(engine: RiskEngine, text: str, acute: bool) -> None:
    result = engine.assess(text)
    assert result.categories
    assert result.acute is acute


@pytest.mark.parametrize(
    "text",
    [
        "jag tänker INTE hoppa från tian, är bara höjdrädd",
        "I don't want to die, I just don't know how to cope",
        "Jag vill inte dö, men jag mår så dåligt",
    ],
)
def test_denied_wish_to_die_is_not_acute(engine: RiskEngine, text: str) -> None:
    assert not engine.assess(text).acute
