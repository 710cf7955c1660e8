"""The native core (bot/risk/_native.pyx) gives the answers of its Python reference.

Normalising (text, offset map, words and where they begin), the gate's plan (the patterns
tried, where they may begin, and the context patterns looked for on request), the regex
matches of the live patterns and the lexicon's probabilities are compared, float for float, on
every labelled text and on texts made to reach the corners: no words, stretched letters,
leetspeak, spaced letters, emojis, invisible marks, text beyond Latin-1, and word caches emptied
as they fill.
"""

from __future__ import annotations

import json
import pickle
import random
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.risk import HybridEngine, learned, load_engine
from bot.risk.gate import Gate
from bot.risk.learned import Lexicon, load_lexicon
from bot.risk.native import NATIVE_ENV, native_in_use, native_module
from bot.risk.normalize import (
    _OBFUSCATED_FAST,
    _REPEAT,
    _SPACED_FAST,
    OBFUSCATED,
    SPACED,
    STRETCHED,
    Normalizer,
    word_starts,
)
from bot.risk.patterns import SEP
from bot.risk.rawregex import first_class
from bot.risk.scan import character_class

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
    "Jag ❤️ er! 😂😂 tuuuusen taaack ssssnälla",
    "a\u0301ngest, ma\u0308nniskor\u200b och \u00adbindestreck\ufeff",
    "ＨＥＪ 𝐣𝐚𝐯𝐥𝐚 Ⓐ",
    "x_y_z a.b.c. 1_a b c i!d |a a| €uro h4h4 1a",
    "Σ ΟΔΟΣ ﬀ ǈ \t`tab`\r\n\x0b",
    "&amp; &#229; \\u00e5 sj\u00c3\u00a4lv",
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


def _normalized(normalizer: Normalizer, text: str) -> tuple[object, ...]:
    norm, words, starts = normalizer.normalize_words(text, set(text))
    if starts is None:
        starts = word_starts(norm.text)
    span = [norm.span(i, i + 1) for i in range(len(norm.text))]
    return norm.text, span, words, starts


def _python_twin(native: Normalizer) -> Normalizer:
    """A copy of the normaliser that runs its Python reference."""
    assert native._core is not None
    python = pickle.loads(pickle.dumps(native))
    python._core = None
    return python


def test_normalising_gives_what_its_reference_gives(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    native = hybrid.rules._normalizer
    python = _python_twin(native)
    for text in texts:
        assert _normalized(native, text) == _normalized(python, text), text


def test_what_folding_finds_is_what_the_reference_regexes_find(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    core = hybrid.rules._normalizer._core
    assert core is not None
    made = ["a.b.c", "x a_b_c y", "_a b c", "ab!", "a b c d", "é.f.g", "a-b-c1", "€a", "9a"]
    for text in texts + made + ["aaa", "zzz", "zz", "öö", "a!", "!a", "a|b"]:
        folded = core.fold(text)
        if folded is None:
            continue
        out, marks = folded[0], folded[5]
        assert bool(marks & STRETCHED) == bool(_REPEAT.search(out)), text
        assert bool(marks & OBFUSCATED) == bool(_OBFUSCATED_FAST.search(out)), text
        assert bool(marks & SPACED) == bool(_SPACED_FAST.search(out)), text


def test_folding_leaves_to_python_what_it_does_not_do(hybrid: HybridEngine) -> None:
    core = hybrid.rules._normalizer._core
    assert core is not None
    assert core.fold("ＨＥＪ") is None  # look-alike letters
    assert core.fold("İ") is None  # "i̇" when lowercased: two characters
    ascii_only = ("hej sven\t`x`", None, None, ["hej", "sven", "x"], [0, 4, 10], 0)
    assert core.fold("Hej SVEN\t`x`") == ascii_only  # only lowercased, tab and ` kept
    text, starts, ends, words, where, _ = core.fold("Å\ufe0f😂")
    assert text.startswith("a ") and words[0] == "a" and where[0] == 0
    assert starts is not None and ends is not None
    assert (starts[0], ends[0]) == (0, 1) and (starts[-1], ends[-1]) == (2, 3)
    with pytest.raises(ValueError, match="one start and end"):
        core.collapse("aa", [0], [1])
    native = native_module()
    assert native is not None
    with pytest.raises(ValueError, match="one character"):
        native.NormCore("", {"ab": " x "})


def test_the_scan_finds_the_matches_of_its_reference(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    rules = hybrid.rules
    scanner = rules._scanner
    assert scanner._core is not None
    for text in texts:
        norm, words, starts = rules._normalizer.normalize_words(text)
        if starts is None:
            starts = word_starts(norm.text)
        plan = rules._gate.plan(words)
        native = scanner.scan(plan, norm.text, text, starts)
        python = scanner.python_scan(plan, norm.text, text, starts)
        assert [(k, [m.span() for m in ms]) for k, ms in native] == [
            (k, [m.span() for m in ms]) for k, ms in python
        ], text


def test_sentences_end_where_the_rule_language_cannot_cross(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    """The scan skips a word whose sentence lacks a word the pattern needs; a sentence ends
    exactly where the separator of the rule language (SEP) cannot reach the next word."""
    native = native_module()
    assert native is not None
    separator = re.compile(SEP)
    made = ["Hon slog. Barnet grät", "Nej!! Ja?! Okej... bra.. bra.", "e. coli\noch mer. ", "a . b"]
    for original in texts + made:
        norm, words, starts = hybrid.rules._normalizer.normalize_words(original)
        text = norm.text
        if starts is None:
            starts = word_starts(text)
        numbers = native.sentence_numbers(text, starts)
        for i in range(1, len(words)):
            gap = separator.match(text, starts[i - 1] + len(words[i - 1]))
            crossed = gap is not None and gap.end() == starts[i]
            assert (numbers[i] == numbers[i - 1]) == crossed, (text, words[i - 1], words[i])
    with pytest.raises(ValueError, match="out of order"):
        native.sentence_numbers("ett två", [4, 0])
    with pytest.raises(ValueError, match="beyond"):
        native.sentence_numbers("ett", [0, 9])


def test_context_is_found_as_its_reference_finds_it(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    """Every group of context patterns a rule requires, and every context pattern alone,
    is present in the same texts natively and in Python, with the same answers kept."""
    rules = hybrid.rules
    scanner = rules._scanner
    groups = sorted(set(rules._requires.values()) - {()})
    singles = [(k,) for k in range(rules._n_rule_patterns, len(rules._patterns))]
    assert len(groups) > 5 and len(singles) > 50
    found = 0
    for i, text in enumerate(texts[::2]):  # half of them (the Python plan is slow)
        norm, words, starts = rules._normalizer.normalize_words(text)
        if starts is None:
            starts = word_starts(norm.text)
        native_plan = rules._gate.plan(words)
        python_plan = rules._gate.python_plan(words)
        native: dict[int, bool] = {}
        python: dict[int, bool] = {}
        for ks in groups + (singles if i % 4 == 0 else []):  # singles: a quarter suffices
            answer = scanner.any_present(ks, native_plan, norm.text, text, starts, present=native)
            reference = scanner.python_any_present(
                ks, python_plan, norm.text, text, starts, present=python
            )
            assert answer == reference, (ks, text)
            found += answer
            assert native == python, text
    assert found > 500


def test_context_takes_a_native_plan_and_patterns_it_has(hybrid: HybridEngine) -> None:
    native = native_module()
    assert native is not None
    rules = hybrid.rules
    core = rules._scanner._core
    assert core is not None
    text = "grannens barn blir slagen"
    plan = rules._gate.plan(text.split())
    with pytest.raises(TypeError):
        core.any_present((0,), native.NativePlan(), text, text, [0, 9, 14, 19], {})
    with pytest.raises(IndexError):
        core.any_present((len(rules._patterns),), plan, text, text, [0, 9, 14, 19], {})
    with pytest.raises(IndexError):
        plan.needs_met(-1)
    other = native.ScanCore(b"\0", [0], [None], [None], lambda k: None, [None], [None])
    with pytest.raises(ValueError, match="another set of patterns"):
        other.any_present((0,), plan, text, text, [0, 9, 14, 19], {})
    # An answer already kept is not looked for again.
    k = rules._requires[next(r.id for r in rules.ruleset.rules if r.requires)][0]
    assert core.any_present((k,), plan, text, text, [0, 9, 14, 19], {k: True})
    assert not core.any_present((k,), plan, text, text, [0, 9, 14, 19], {k: False})


def test_a_scan_takes_a_native_plan_with_one_start_per_word(hybrid: HybridEngine) -> None:
    native = native_module()
    assert native is not None
    rules = hybrid.rules
    core = rules._scanner._core
    assert core is not None
    words = ["grannens", "barn", "blir", "slagen"]
    plan = rules._gate.plan(words)
    with pytest.raises(ValueError, match="word starts"):
        core.scan(plan, "grannens barn blir slagen", "", [0])
    with pytest.raises(TypeError):
        core.scan(native.NativePlan(), "", "", [])
    with pytest.raises(TypeError):
        core.scan(rules._gate.python_plan(words), "", "", [0, 9, 14, 19])
    other = native.ScanCore(b"\0", [0], [None], [None], lambda k: None, [None], [None])
    with pytest.raises(ValueError, match="another set of patterns"):
        other.scan(plan, "grannens barn blir slagen", "", [0, 9, 14, 19])
    with pytest.raises(ValueError, match="one flag"):
        native.ScanCore(b"\0\0", [0], [None], [None], lambda k: None, [None], [None])


def test_a_pattern_is_tried_only_where_its_words_lie_within_its_span() -> None:
    """A pattern spanning at most n words is tried at a word only when the words it needs
    occur among the n from there, and, for one of the rule language (flag 8), in the same
    sentence: "barn ...2 slagen" (four words) is not tried where "slagen" comes later."""
    native = native_module()
    assert native is not None
    words = {"barn": ({0}, {0}, {0}), "slagen": ({1}, (), ())}  # needs, triggers, begins
    gate = native.GateCore([0], [[0, 1]], [], set(), 2, 1, lambda w: words.get(w, ({}, (), ())), 9)
    regex = re.compile(r"barn(?:\W+\w+){0,2}?\W+slagen")

    class Recorder:
        def __init__(self) -> None:
            self.tried: list[int] = []

        def match(self, text: str, pos: int) -> re.Match[str] | None:
            self.tried.append(pos)
            return regex.match(text, pos)

        def compile(self, k: int) -> Recorder:
            return self

    text = "barn a b c slagen barn a slagen barn. slagen"
    tokens = text.replace(".", "").split()
    starts = [m.start() for m in re.finditer(r"\w+", text)]
    one_sentence = ["barn a slagen"]
    across = [*one_sentence, "barn. slagen"]
    for flags, tried, matched in [(8, [18], one_sentence), (0, [18, 32], across)]:
        recorder = Recorder()
        core = native.ScanCore(
            bytes([flags]), [4], [None], [recorder], recorder.compile, [None], [None]
        )
        found = core.scan(gate.plan(tokens), text, text, starts)
        assert recorder.tried == tried
        assert [(k, [m.group() for m in ms]) for k, ms in found] == [(0, matched)]
    with pytest.raises(ValueError, match="span of -1"):
        native.ScanCore(bytes([0]), [-1], [None], [None], lambda k: None, [None], [None])


class _Everywhere:
    """A regex that records the texts it is asked to search, and finds nothing."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    def finditer(self, text: str) -> list[re.Match[str]]:
        self.searched.append(text)
        return []

    def compile(self, k: int) -> _Everywhere:
        return self


def test_a_prefilter_rules_out_exactly_the_texts_its_search_would() -> None:
    """The native core tests a prefilter's characters below 256 as bits against the text's,
    and asks its regex only when the class may match a character above 255 and the text has
    one: the texts it rules out are those that prefilter.search() finds nothing in."""
    native = native_module()
    assert native is not None
    gate = native.GateCore([0], [[]], [0], set(), 0, 1, lambda w: (set(), (), ()), 10)
    plan = gate.plan([])
    rng = random.Random(11)
    alphabet = "ab Kk@NJ6190é\u212a\u0663\U0001f600\u017f\xb5\u039c."
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(6))) for _ in range(3000)]
    classes = [r"[6-91]", r"[\d]", r"[NJ]", r"[@]", r"[é]", r"[^a]", r"[\xb5]", r"[\.]"]
    prefilters = [re.compile(c) for c in classes] + [re.compile("[k]", re.IGNORECASE)]
    for prefilter in prefilters:
        source = prefilter.pattern
        everywhere = _Everywhere()
        core = native.ScanCore(
            bytes([2]), [0], [prefilter], [everywhere], everywhere.compile,
            [character_class(prefilter)], [None],
        )
        for text in texts:
            everywhere.searched.clear()
            core.scan(plan, text, text, [])
            searched = bool(everywhere.searched)
            assert searched == (prefilter.search(text) is not None), (source, text)
    assert character_class(re.compile("ab")) == b"\xff" * 33  # not a class: never rules out
    assert character_class(re.compile("[^a]"))[32] == 1
    with pytest.raises(ValueError, match="class of characters for each prefilter"):
        native.ScanCore(
            bytes([2]), [0], [re.compile("[a]")], [None], lambda k: None, [None], [None]
        )


class _Tried:
    """A regex that records where it is matched and how often it is searched."""

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.at: list[int] = []
        self.searches = 0

    def match(self, text: str, pos: int) -> re.Match[str] | None:
        self.at.append(pos)
        return self.rx.match(text, pos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        self.searches += 1
        return self.rx.finditer(text)

    def search(self, text: str) -> re.Match[str] | None:
        self.searches += 1
        return self.rx.search(text)

    def compile(self, k: int) -> _Tried:
        return self


def test_a_searched_regex_tried_at_its_first_characters_finds_what_a_search_finds() -> None:
    """A searched regex whose matches can begin only with some characters (first_class) is
    matched only at those of the text while they are few, and searched when they are not:
    either way its matches are finditer's and whether it is there is search's answer, over
    the normalised text (flag 2) and the original (flag 1)."""
    native = native_module()
    assert native is not None
    gate = native.GateCore([0], [[]], [0], set(), 0, 1, lambda w: (set(), (), ()), 10)
    plan = gate.plan([])
    rng = random.Random(12)
    rich = "ab kK.!?\nNUJST 16789 ar arig \u212a\U0001f600xé٣"
    texts = [
        "".join(rng.choice(rich if rng.random() < share else "hej d") for _ in range(length))
        for share in (0.03, 0.2, 1.0)
        for length in (0, 1, 5, 40, 200)
        for _ in range(200)
    ]
    regexes = [
        r"(?:^|(?<=[.!?\n])|(?<=[.!?\n] ))(?:[6-9]|1[0-7]) ?(?:ar|arig)\W*$",
        r"\b(?:NU|JUST NU)\b",
        r"(?i:\bk\w*)",
        r"(?:^|[.!?]\s*)(?:ab|b+)",
        r"\b\d+ ?ar\b",
        r"a(?=b)|(?<!x)bb",
    ]
    for source in regexes:
        first = first_class(source)
        assert first is not None, source
        for flag in (1, 2):
            tried = _Tried(re.compile(source))
            core = native.ScanCore(
                bytes([flag]), [0], [None], [tried], tried.compile, [None], [first]
            )
            only_matched = 0
            for text in texts:
                tried.at.clear()
                tried.searches = 0
                found = core.scan(plan, text, text, [])
                spans = [m.span() for _, matches in found for m in matches]
                assert spans == [m.span() for m in tried.rx.finditer(text)], (source, text)
                if not tried.searches:
                    only_matched += 1
                    for i in tried.at:
                        code = ord(text[i])
                        assert (first[code // 8] >> code % 8 & 1 if code < 256 else first[32])
                present = core.any_present((0,), plan, text, text, [], {})
                assert present == (tried.rx.search(text) is not None), (source, text)
            assert only_matched > len(texts) // 3, source  # the way without a search is taken
    with pytest.raises(ValueError, match="first characters: a class is 256 bits"):
        native.ScanCore(bytes([2]), [0], [None], [None], lambda k: None, [None], [b"\1"])


def test_a_scan_reads_what_it_checked_even_when_python_code_changes_it_meanwhile() -> None:
    """Prefilters and regexes run Python code in the middle of a scan: the starts are copied
    once, and the list of regex slots, which the Scanner fills, is read with a check."""
    native = native_module()
    assert native is not None
    digit = re.compile(r"\b\d")
    gate = native.GateCore([0], [[]], [0], set(), 0, 1, lambda w: (set(), (), ()), 10)
    plan = gate.plan(["a", "b"])
    starts = [0, 2]

    class Meddler:
        def search(self, text: str) -> bool:
            starts.clear()
            starts.append(10**12)
            return True

    # No character of the class below 256, and one beyond it in the text: the prefilter's
    # search decides.
    beyond = bytes(32) + b"\x01"
    core = native.ScanCore(
        bytes([16]), [0], [Meddler()], [digit], lambda k: digit, [beyond], [None]
    )
    found = core.scan(plan, "a 1 \u221e", "a 1 \u221e", starts)
    assert [(k, [m.span() for m in ms]) for k, ms in found] == [(0, [(2, 3)])]
    with pytest.raises(TypeError, match="once"):
        core.__init__(
            bytes([1, 2]), [0, 0], [None, None], [None, None], lambda k: digit, [None, None],
            [None, None],
        )
    compiled: list[re.Pattern[str] | None] = [None]
    shrunk = native.ScanCore(bytes([16]), [0], [None], compiled, lambda k: digit, [None], [None])
    compiled.clear()
    with pytest.raises(IndexError, match="no regex slot"):
        shrunk.scan(plan, "a 1", "a 1", [0, 2])
    with pytest.raises(ValueError, match="out of order"):
        native.sentence_numbers("a b c", [0, 2, 2])
    with pytest.raises(ValueError, match="come together"):
        native.NormCore("", {}).collapse("aa", None, [0])


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
    # Words of up to 46 Latin-1 letters are looked up in the core's table, the others (long,
    # or with a letter beyond Latin-1) in its dict: both are emptied as they fill.
    beyond = [
        "grannens barn blir slagen ωμέγα varje kväll",
        "socialsekreterarnaarbetsmiljöundersökningsrapportensammanfattningen barn slagen",
        "Çocuk dövülüyor, grannens barn blir slagen",
    ]
    for text in random.Random(3).sample(texts, 150) + beyond * 3:
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


def test_the_lexicon_reads_a_text_in_one_pass_as_python_splits_it(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    """One pass in C scores every text whose characters beyond Latin-1 are separators as
    Python's stretched_words() splits it, and finds the words that weigh for a head as
    Python's tokens() does, and leaves the others (a letter beyond Latin-1) to Python: long
    words, stretched letters and word pairs included."""
    lexicon = hybrid.lexicon
    assert lexicon is not None and lexicon._core is not None
    core = lexicon._core
    rng = random.Random(7)
    alphabet = "aAöÖé ß_-.!1\n\t😀—“\u212aǅłΩ\u200b\xa0"
    made = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(3000)]
    pairs = [" ".join(pair) for pair in list(lexicon._pair)[:200]]
    long_words = ["hemtjänstpersonalensarbetsmiljöproblemsutredningen är sen", "a" * 40 + " b"]
    declined = weighing = 0
    for text in texts + made + pairs + long_words:
        found = core.text_probabilities(text)
        wide_letter = any(ord(c) > 255 and learned._BLANKS[c] != " " for c in text)
        assert (found is None) == wide_letter, text
        if found is None:
            declined += 1
        else:
            assert found == core.probabilities(learned.stretched_words(text)), text
            assert found == lexicon.python_probabilities(text), text
        # The words shown as the lexicon's evidence: their spans and weights per head.
        for column in range(len(lexicon.names)):
            weights = core.word_weights(text, column)
            assert (weights is None) == wide_letter, text
            if weights is not None:
                assert weights == lexicon.python_word_weights(text, column), (text, column)
                weighing += bool(weights)
    assert declined > 100
    assert weighing > 1000
    with pytest.raises(IndexError, match=f"head {len(lexicon.names)} out of range"):
        core.word_weights("jag", len(lexicon.names))
    with pytest.raises(ValueError, match="ASCII letter or space"):
        native_module().LexiconCore(  # type: ignore[union-attr]
            lexicon._weights, lexicon._bias, {}, lexicon.own_rows, learned.collapse, 10,
            bytes(range(256)), learned._BLANKS, learned._NOT_EVIDENCE,
        )
    for pair, row in [(("jag", 1), 0), (("jag",), 0), (("jag", "vill"), 10**9)]:
        with pytest.raises(ValueError, match="is not a pair of words"):
            native_module().LexiconCore(  # type: ignore[union-attr]
                lexicon._weights, lexicon._bias, {pair: row}, lexicon.own_rows,
                learned.collapse, 10, learned._LATIN1_TOKENS, learned._BLANKS,
                learned._NOT_EVIDENCE,
            )


def test_the_lexicon_scores_as_its_reference_with_its_word_cache_emptied(
    texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.risk import DEFAULT_RULES_DIR

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
    assert python.rules._gate._core is None and python.rules._scanner._core is None
    assert python.rules._normalizer._core is None
    assert python.lexicon is not None and python.lexicon._core is None
    for text in random.Random(5).sample(texts, 1500) + CORNERS:
        assert python.assess(text) == hybrid.assess(text), text


def test_an_unpickled_gate_rebuilds_its_core(hybrid: HybridEngine) -> None:
    gate = pickle.loads(pickle.dumps(hybrid.rules._gate))
    assert gate._core is not None and gate._core is not hybrid.rules._gate._core
    words = ["grannens", "barn", "blir", "slagen"]
    assert gate.plan(words).live == gate.python_plan(words).live


def test_an_unpickled_engine_rebuilds_every_core(hybrid: HybridEngine) -> None:
    rules = pickle.loads(pickle.dumps(hybrid.rules))
    for part in (rules._gate, rules._scanner, rules._normalizer):
        assert part._core is not None
    text = "Grannens barn blir slagen varje kväll 😢 och jag hör skriiiik"
    assert rules.assess(text) == hybrid.rules.assess(text)


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


def test_plans_made_while_others_live_and_after_they_go_are_as_the_reference(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    """A finished plan's tables are wiped and kept for the next: plans that live side by side,
    more of them than are kept, and plans made after others went in any order, must each be
    as a fresh one."""
    rules = hybrid.rules
    gate, normalizer = rules._gate, rules._normalizer
    assert gate._core is not None
    rng = random.Random(11)
    sample = rng.sample(texts, 60) + CORNERS

    def words_of(text: str) -> list[str]:
        return normalizer.normalize_words(text)[1]

    for _ in range(3):
        batch = rng.sample(sample, 12)
        plans = [(gate._core.plan(words_of(text)), text) for text in batch]
        for plan, text in plans:
            reference = gate.python_plan(words_of(text))
            assert plan.live == reference.live, text
        rng.shuffle(plans)
        while plans:
            plans.pop()
            # Made while some are still alive and after some went: their tables came back.
            _compare_plans(gate, normalizer, rng.choice(sample), [])


def test_latin1_text_is_lowercased_as_str_lower_lowercases_it(hybrid: HybridEngine) -> None:
    """Text of one byte per character is lowercased in the core, from a table made with
    str.lower: every Latin-1 character, capitals such as Ö, Þ and À among them."""
    native = hybrid.rules._normalizer
    python = _python_twin(native)
    letters = "".join(map(chr, range(0x20, 0x100)))
    for text in [letters, letters.upper(), "GRANNENS BARN ÄR RÄDDA, ÖPPNA DÖRREN ÅT DEM"]:
        assert _normalized(native, text) == _normalized(python, text), text


def test_the_characters_of_a_text_are_the_set_python_makes(
    hybrid: HybridEngine, texts: list[str]
) -> None:
    """What the engine's cheap tests look at: each Latin-1 character once, the others as met."""
    core = hybrid.rules._normalizer._core
    assert core is not None
    made = ["", "aaaa", "ÿÿ\x00\x00", "😂a😂", "\u212a\u212ak", "".join(map(chr, range(300)))]
    for text in texts + made:
        assert core.characters(text) == set(text), text
