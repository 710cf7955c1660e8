"""The learned lexicon: trained from labelled comments, stored as data, scored fast."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.risk.learned import Lexicon, features, load_lexicon, tokens, words
from bot.risk.rulefiles import RuleFileError
from bot.risk.train import WRITER, read_rows, writer_folds
from bot.risk.train import main as train_main
from bot.risk.types import Category

RULES = Path(__file__).resolve().parents[2] / "config" / "risk"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    lex = load_lexicon(RULES)
    assert lex is not None
    return lex


def test_the_shipped_lexicon_flags_meaning_not_idioms(lexicon: Lexicon) -> None:
    text = "Jag orkar inte leva längre, ikväll gör jag slut på allt."
    flagged, acute = lexicon.flagged(text)
    assert Category.CRISIS in flagged and acute
    for evidence in flagged[Category.CRISIS]:
        assert text[evidence.start : evidence.end] == evidence.text
        assert evidence.text.lower() not in {"jag", "inte", "allt"}  # content words explain
    assert lexicon.flagged("Haha jag dör av skratt åt kulturnatten 😂") == ({}, False)
    assert lexicon.flagged("") == ({}, False)


def test_the_fast_path_sees_exactly_the_trained_features(lexicon: Lexicon) -> None:
    text = "HJÄÄÄLP min granne slår sina barn, de skriker varje kväll!!!"
    assert words(text) == [w for w, _, _ in tokens(text)]
    assert "hjalp" in words(text)
    trained = {f for f, _, _ in features(tokens(text))}
    assert {"w:barn", "b:sina_barn", "p:skrik"} <= trained
    scores = lexicon.score(text)
    # Personal data is the detectors' call alone: the lexicon has no head for it.
    assert set(scores) == {c.value for c in Category} - {"personal_data"} | {"acute"}
    assert all(0.0 <= p <= 1.0 for p in scores.values())


def test_a_broken_lexicon_names_its_file(tmp_path: Path) -> None:
    target = tmp_path / "learned" / "lexicon.json"
    target.parent.mkdir()
    target.write_text('{"crisis": {"bias": }}', encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"lexicon\.json"):
        load_lexicon(tmp_path)
    target.write_text('{"kris": {"bias": 0, "threshold": 0.5}}', encoding="utf-8")
    with pytest.raises(RuleFileError, match="okända avsnitt: kris"):
        load_lexicon(tmp_path)
    assert load_lexicon(tmp_path / "nowhere") is None


def test_training_is_reproducible_and_loadable(tmp_path: Path) -> None:
    corpus = RULES.parents[1] / "tests" / "data" / "risk_corpus.jsonl"
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()[:200]]
    source = tmp_path / "train.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    first, second = tmp_path / "a" / "learned" / "lexicon.json", tmp_path / "b.json"
    assert train_main([str(source), "--out", str(first)]) == 0
    assert train_main([str(source), "--out", str(second)]) == 0
    assert first.read_text() == second.read_text()
    lex = load_lexicon(tmp_path / "a")
    assert lex is not None and lex.version and "crisis" in lex.names


def test_thresholds_are_chosen_on_writers_the_model_never_read(tmp_path: Path) -> None:
    """Cross-validation folds keep each writer's comments together: a writer is a file plus
    the letters its ids begin with, so a model is scored only on people it did not read."""
    sources = {"a.jsonl": ["x001", "x002", "y001"], "b.jsonl": ["x001", "z001", "z002", "z003"]}
    for name, ids in sources.items():
        rows = [{"id": i, "text": "hej", "categories": []} for i in ids]
        (tmp_path / name).write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    rows = read_rows([tmp_path / name for name in sources])
    writers = [str(r[WRITER]) for r in rows]
    assert writers == ["a.jsonl:x"] * 2 + ["a.jsonl:y"] + ["b.jsonl:x"] + ["b.jsonl:z"] * 3
    folds = writer_folds(writers, folds=3)
    assert sorted(int(i) for fold in folds for i in fold) == list(range(len(rows)))
    owner = {writers[i]: k for k, fold in enumerate(folds) for i in fold}
    assert all(owner[writers[i]] == k for k, fold in enumerate(folds) for i in fold)
    assert len(folds[0]) == 3  # the largest writer first, alone in its fold


def test_one_writer_is_split_comment_by_comment() -> None:
    folds = writer_folds(["own.jsonl:"] * 12, folds=5)
    assert len(folds) == 5
    assert sorted(int(i) for fold in folds for i in fold) == list(range(12))
