"""The native core (bot/risk/_native.pyx) gives the answers of its Python reference.

The gate's plan (the patterns tried, where they may begin, and the context patterns looked
for on request) and the lexicon's probabilities are compared, float for float, on every
labelled text and on texts made to reach the corners: no words, stretched letters, text beyond
Latin-1, and word caches emptied as they fill.
"""

from __future__ import annotations

import json
import pickle
import random
import threading
from pathlib import Path

import pytest

from bot.risk import HybridEngine, load_engine
from bot.risk.gate import Gate
from bot.risk.learned import Lexicon, load_lexicon
from bot.risk.native import NATIVE_ENV, native_in_use, native_module
from bot.risk.normalize import Normalizer, word_starts

DATA = Path(__file__).resolve().parents[1] / "data"
CORNERS = [
    "",
    "   ",
    "😂😂😂",
    "Jaaaaag orkar inteeeee mer, neeeej",
    "sjuuuukt braaa 1000 kr!!!",
    "hej—då “citat” łódź Ωmega ǅ neeeej",
    "ﬁn ﬂicka İstanbul KELVIN \u212a",
    "Grannens barn blir slagen varje kväll och jag hör skrik",
    "Min socialsekreterare svarar aldrig, ring mig på 070-123 45 67",
    "i d i o t e r allihop, j*vla f4n",
]


def _texts() -> list[str]:
    texts = list(CORNERS)
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                if isinstance(row.get("text"), str):
                    texts.append(row["text"])
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


@pytest.fixture(scope="module")
def hybrid() -> HybridEngine:
    engine = load_engine()
    if engine.rules._gate._core is None:
        pytest.skip(f"the native core is not in use ({NATIVE_ENV} is off)")
    return engine


def test_the_native_core_is_built() -> None:
    """CI's machine has a C compiler: an install that failed to build the core is a defect
    (the engine would still answer, at a little over half the speed)."""
    import os

    if os.environ.get(NATIVE_ENV, "").strip().lower() in {"off", "0", "false", "no"}:
        assert not native_in_use()
        return
    assert native_module() is not None, "bot/risk/_native.pyx was not built: run make install"


def _compare_plans(gate: Gate, normalizer: Normalizer, text: str, context: range) -> None:
    norm, words, starts = normalizer.normalize_words(text)
    if starts is None:
        starts = word_starts(norm.text)
    assert gate._core is not None
    native, python = gate._core.plan(words), gate.python_plan(words)
    assert native.live == python.live, text
    assert native.positions(starts) == python.positions(starts), text
    for k in context:
        assert native.starts_of(k) == python.starts_of(k), (k, text)


def test_the_gate_plans_as_its_reference(hybrid: HybridEngine, texts: list[str]) -> None:
    rules = hybrid.rules
    context = range(rules._n_rule_patterns, len(rules._patterns))
    for text in texts:
        _compare_plans(rules._gate, rules._normalizer, text, context)


def test_the_gate_plans_as_its_reference_with_its_word_cache_emptied_as_it_fills(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    rules = hybrid.rules
    gate = pickle.loads(pickle.dumps(rules._gate))
    native = native_module()
    assert native is not None
    gate._core = native.GateCore(
        gate._owner, [_bits(m) for m in gate._needs], gate._always, gate._exact,
        gate._n_needs, gate._n_patterns, gate.word_ids, 5,
    )
    context = range(rules._n_rule_patterns, len(rules._patterns))
    for text in random.Random(3).sample(texts, 150):
        _compare_plans(gate, rules._normalizer, text, context)


def _bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def test_the_lexicon_scores_as_its_reference_float_for_float(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    lexicon = hybrid.lexicon
    assert lexicon is not None and lexicon._core is not None
    for text in texts:
        assert lexicon.probabilities(text) == lexicon.python_probabilities(text), text


def test_the_lexicon_scores_as_its_reference_with_its_word_cache_emptied(
    texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.risk import DEFAULT_RULES_DIR, learned

    monkeypatch.setattr(learned, "WORD_CACHE_LIMIT", 3)
    lexicon = load_lexicon(DEFAULT_RULES_DIR)
    assert isinstance(lexicon, Lexicon) and lexicon._core is not None
    for text in random.Random(4).sample(texts, 400):
        assert lexicon.probabilities(text) == lexicon.python_probabilities(text), text


def test_turned_off_the_engine_runs_its_python_reference_with_the_same_answers(
    hybrid: HybridEngine, texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NATIVE_ENV, "off")
    monkeypatch.setenv("SOMEVAKTEN_RISK_CACHE", "off")
    python = load_engine()
    assert python.rules._gate._core is None
    assert python.lexicon is not None and python.lexicon._core is None
    for text in random.Random(5).sample(texts, 1500) + CORNERS:
        assert python.assess(text) == hybrid.assess(text), text


def test_an_unpickled_gate_rebuilds_its_core(hybrid: HybridEngine) -> None:
    gate = pickle.loads(pickle.dumps(hybrid.rules._gate))
    assert gate._core is not None and gate._core is not hybrid.rules._gate._core
    words = ["grannens", "barn", "blir", "slagen"]
    assert gate.plan(words).live == gate.python_plan(words).live


def test_threads_sharing_an_engine_get_the_answers_of_one(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    """Each comment's plan and sums are its own: nothing in the core is shared mid-comment."""
    sample = random.Random(6).sample(texts, 300)
    expected = [hybrid.assess(t) for t in sample]
    failures: list[str] = []

    def work(offset: int) -> None:
        for i in range(len(sample)):
            j = (i + offset) % len(sample)
            if hybrid.assess(sample[j]) != expected[j]:
                failures.append(sample[j])

    threads = [threading.Thread(target=work, args=(n * 37,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_bad_tables_are_refused_not_read_out_of_bounds(hybrid: HybridEngine) -> None:
    native = native_module()
    assert native is not None

    def learn(word: str) -> tuple[set[int], frozenset[int], frozenset[int]]:
        return set(), frozenset(), frozenset()

    with pytest.raises(ValueError, match="out of order"):
        native.GateCore([1, 0], [[], []], [], set(), 1, 2, learn, 10)
    with pytest.raises(ValueError, match="out of range"):
        native.GateCore([0], [[5]], [], set(), 1, 1, learn, 10)
    with pytest.raises(ValueError, match="out of range"):
        native.GateCore([0], [[]], [10**8], set(), 0, 1, learn, 10)
    with pytest.raises(ValueError, match="out of range"):  # a word's ids, checked as learned
        native.GateCore([0], [[0]], [], set(), 1, 1, lambda w: ({10**8}, (), ()), 10).plan(["x"])
    with pytest.raises(OverflowError):  # not kept: the core's memory is freed
        native.GateCore([0], [[0]], [], set(), 1, 1, lambda w: ({2**40}, (), ()), 10).plan(["x"])
    core = native.GateCore([0, 0], [[0], []], [1], set(), 1, 2, learn, 10)
    with pytest.raises(TypeError, match="once"):
        core.__init__([0], [[]], [], set(), 0, 1, learn, 10)
    plan = core.plan(["ord"])
    assert plan.live == [0]
    with pytest.raises(IndexError):
        plan.starts_of(2)
    assert plan.starts_of(1) == []  # a pattern with no variants never matches


def test_without_the_built_core_the_engine_says_so_once_and_runs_in_python(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import sys

    import bot.risk
    from bot.risk import native

    monkeypatch.setitem(sys.modules, "bot.risk._native", None)  # import fails as if unbuilt
    monkeypatch.delattr(bot.risk, "_native", raising=False)
    native._built.cache_clear()
    try:
        with caplog.at_level("WARNING", logger="bot.risk.native"):
            assert native.native_module() is None
            assert native.native_module() is None
        warnings = [r for r in caplog.records if "not built" in r.getMessage()]
        assert len(warnings) == 1
    finally:
        native._built.cache_clear()


def test_a_lexicon_of_one_head_scores_as_its_reference() -> None:
    """numpy sums a single column pairwise; the reference adds row after row, as C does."""
    from bot.risk.learned import Head, grams

    rng = random.Random(8)
    words = [f"ord{i}" for i in range(150)]
    features = {f"c:{g}" for w in words for g in grams(w)} | {f"w:{w}" for w in words}
    for _ in range(20):
        weights = {f: rng.uniform(-3, 3) * 10 ** rng.randint(-6, 0) for f in features}
        lexicon = Lexicon("t", {"crisis": Head(rng.uniform(-1, 1), 0.5, weights)})
        assert lexicon._core is not None
        text = " ".join(rng.sample(words, 120))
        assert lexicon.probabilities(text) == lexicon.python_probabilities(text)


def test_a_word_pair_feature_without_its_second_word_is_ignored_as_in_python() -> None:
    from bot.risk.learned import Head

    weights = {"b:foo": 1.0, "b:foo_bar": 2.0, "w:foo": 0.5}
    lexicon = Lexicon("t", {"crisis": Head(0.0, 0.5, weights)})
    for text in ["foo", "foo bar", "bar foo foo", ""]:
        assert lexicon.probabilities(text) == lexicon.python_probabilities(text), text


def test_a_plan_takes_one_start_per_word_and_comes_from_a_gate(hybrid: HybridEngine) -> None:
    native = native_module()
    assert native is not None
    plan = hybrid.rules._gate.plan(["grannens", "barn", "blir", "slagen"])
    with pytest.raises(ValueError, match="word starts"):
        plan.positions([0])
    with pytest.raises(TypeError):
        native.NativePlan().starts_of(0)
    with pytest.raises(TypeError):
        native.NativePlan().positions([])
