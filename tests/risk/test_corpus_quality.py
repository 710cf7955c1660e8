"""Quality on the labelled development corpus and on independently written paraphrases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.risk import RiskEngine
from bot.risk.evaluate import CORPUS, load_items, score
from bot.risk.types import Category

PARAPHRASES = sorted((Path(__file__).parent / "data").glob("paraphrases*.jsonl"))


@pytest.mark.skipif(not CORPUS.is_file(), reason="the labelled corpus is not present")
def test_corpus_precision_and_recall(engine: RiskEngine) -> None:
    report = score(engine, load_items(CORPUS))
    print(f"\nakut, träffsäkerhet: {report.acute_accuracy:.3f}")
    for cat in (c.value for c in Category):
        assert report.precision(cat) >= 0.90, cat
        assert report.recall(cat) >= 0.90, cat
    assert report.recall("crisis") >= 0.95
    assert report.recall("child_at_risk") >= 0.95
    assert report.acute_accuracy >= 0.95


def test_independently_written_paraphrases(engine: RiskEngine) -> None:
    """Comments written for these tests, not taken from the corpus: a floor on generalisation."""
    hits = total = false_alarms = negatives = 0
    for path in PARAPHRASES:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            got = {c.value for c in engine.assess(item["text"]).categories}
            if item["category"] is None:
                negatives += 1
                false_alarms += bool(got)
            else:
                total += 1
                hits += item["category"] in got
    assert total > 100
    assert hits / total >= 0.9
    assert false_alarms == 0
