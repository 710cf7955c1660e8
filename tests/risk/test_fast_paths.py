"""The engine's shortcuts agree with the slow forms they stand for.

The cheap tests (regexes started at a rare character, set tests, str.split for words) and
the gate (which patterns are tried, and where) must never change an outcome: these tests
compare them with the plain regexes, and the gate with searching every pattern everywhere.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from bot.risk import DEFAULT_RULES_DIR, load_engine, normalize, pii
from bot.risk.compiled import CompiledPattern
from bot.risk.engine import RiskEngine
from bot.risk.normalize import WORDS, split_words, word_starts
from bot.risk.patterns import max_words, parse_seq, seq_regex
from bot.risk.rawregex import begins_with_digit, first_class, first_words, required_chars
from bot.risk.ruleset import load_ruleset

DATA = Path(__file__).resolve().parents[1] / "data"


def _random_texts(alphabet: str, count: int = 20000, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 13))) for _ in range(count)
    ]


@pytest.mark.parametrize(
    ("fast", "slow", "alphabet"),
    [
        (
            normalize._OBFUSCATED_FAST,
            normalize._OBFUSCATED_HINT,
            "ab e_.*-#@$€!|14 0xZ\n",
        ),
        (normalize._SPACED_ANY, normalize._SPACED, "ab c.-_*1 xå"),
        (
            normalize._SPACED_FAST,
            re.compile(r"\b[a-z][ .\-_*][a-z][ .\-_*][a-z]\b"),
            "ab c.-_*1 xå",
        ),
        (pii._DIGIT_OR_AT, re.compile(r"[\d@]|[nN][oO][lL][lL]"), "nNoOlL1 2a@\tbx٣"),
    ],
)
def test_fast_tests_find_what_the_plain_regexes_find(
    fast: re.Pattern[str], slow: re.Pattern[str], alphabet: str
) -> None:
    for text in _random_texts(alphabet):
        assert bool(fast.search(text)) == bool(slow.search(text)), text


def test_hinted_tokens_are_the_symbol_tokens_with_a_hint() -> None:
    token = re.compile(r"[\w@$€!|*#]+")
    for text in _random_texts("abk e_.*-#@$€!|14 0xZå\n,"):
        expected = [
            m.span() for m in token.finditer(text) if normalize._OBFUSCATED_HINT.search(m.group())
        ]
        assert [m.span() for m in normalize._HINTED_TOKEN.finditer(text)] == expected, text


def test_house_numbers_found_from_the_digit_as_from_the_space() -> None:
    slow = re.compile(r"(?<=\s)\d{1,3}(?:\s?[a-hA-H])?(?![\w]|[,./]\d|\s*%)")
    for text in _random_texts("12a%,./@\tbx AHå\xa0", seed=2):
        expected = [m.span() for m in slow.finditer(text)]
        assert [m.span() for m in pii._HOUSE_NUMBER.finditer(text)] == expected, text
        # Latin-1 text: [0-9] stands for \d.
        assert [m.span() for m in pii._HOUSE_NUMBER_LATIN1.finditer(text)] == expected, text


def test_no_latin1_character_beyond_ascii_is_a_digit() -> None:
    """What lets the detectors read Latin-1 text with [0-9] and skip the search for wide digits."""
    assert not [chr(c) for c in range(0x80, 0x100) if re.match(r"\d", chr(c))]


@pytest.mark.parametrize("latin1", [True, False])
def test_words_and_their_offsets_are_the_regex_words(latin1: bool) -> None:
    alphabet = "ab é_1²½ -.,\n" + ("" if latin1 else "€…😂ő")
    for text in _random_texts(alphabet, 5000, seed=3):
        parts = WORDS.split(text)
        words, starts = split_words(text)
        assert words == parts[1::2], text
        expected = [len("".join(parts[: 2 * i + 1])) for i in range(len(words))]
        assert (starts if starts is not None else word_starts(text)) == expected, text


def test_separators_never_give_characters_back() -> None:
    """The possessive separator matches exactly where the old backtracking one did."""
    old_sep = r"(?:\.{2,}|…|(?![.!?](?:\s|$)|\n)\W)+"
    for source in ["orkar inte leva", "vill ...2 dö", "(ta (mitt|sitt) liv|avsluta allt)"]:
        new = re.compile(seq_regex(parse_seq(source)))
        old = re.compile(new.pattern.replace("\\w++", "\\w+").replace(_sep(), old_sep))
        for text in _random_texts("orkar inte leva . .. ! ? …,\nvill dö ta mitt liv", 3000, 4):
            assert [m.span() for m in new.finditer(text)] == [
                m.span() for m in old.finditer(text)
            ], (source, text)


def _sep() -> str:
    from bot.risk.patterns import SEP

    return SEP


def test_raw_regex_cues() -> None:
    assert first_words(r"(?#nu)\b(?:star|sitter)\b\W+nu") == (("=", "star"), ("=", "sitter"))
    assert first_words(r"\b(?:i|pa) \d+") == (("=", "i"), ("=", "pa"))
    assert first_words(r"\bklock\w*") == (("<", "klock"),)
    assert first_words(r"^\W*jag") is None
    assert first_words(r"(?i)\bnu\b") is None
    assert first_words(r"(?a)\bnu\b") is None  # \b would fall inside "жnu"
    rx = required_chars(r"\b(?:från|av)\s+[\"“”](?:polis)")
    assert rx is not None and rx.pattern == "[\"“”]"
    assert required_chars(r"\b(?:barn|unge)\b") is None
    # Inside a scoped flag only characters without case count: a quote still does.
    rx = required_chars(r"(?i:\b(?:från|av)\s+[\"“”]polis)")
    assert rx is not None and rx.pattern == "[\"“”]"
    assert required_chars(r"(?i:\bJUST NU\b)") is None


def test_a_regex_that_begins_with_a_number_is_tried_at_words_that_do() -> None:
    for source in [r"\b\d+ kr", r"(?#kr)\b\d{1,3} ?kr", r"\b[0-9]+", r"\b(\d+) dagar", r"\b7 av"]:
        assert begins_with_digit(source), source
    for source in [r"\d+ kr", r"\b\d* kr", r"\b(?:upp|\d+) kr", r"\b[\d.]+", r"\bkl \d"]:
        assert not begins_with_digit(source), source
    # A range from 0 to "٩" holds letters too; under (?a), \b lies between "ж" and "5".
    for source in ["\\b[0-\u0669]+ kr", r"(?a)\b\d+ kr"]:
        assert not begins_with_digit(source), source
    rules = RiskEngine(load_ruleset(DEFAULT_RULES_DIR))
    scanner = rules._scanner
    k = next(k for k, p in enumerate(rules._patterns) if p.digit_led and "kr" in p.source)
    pattern = rules._patterns[k]
    # Unicode digits are digits to \d: a word beginning with one is tried too.
    for text in ["det kostar 500 kr", "١٠٠ kr ville han ha", "a500 kr", "kr 500"]:
        words, where = split_words(text)
        starts = where if where is not None else word_starts(text)
        plan = rules._gate.plan(words)
        assert k in plan.live, text
        found = dict(scanner.scan(plan, text, text, starts))
        expected = [m.span() for m in pattern.compiled().finditer(text)]
        assert [m.span() for m in found.get(k, [])] == expected, text


def _begins(first: bytes, ch: str) -> bool:
    """Whether a character is one first_class says a match can begin with."""
    code = ord(ch)
    return bool(first[code // 8] >> code % 8 & 1) if code < 256 else bool(first[32])


def test_the_characters_a_match_begins_with_are_read_from_the_regex() -> None:
    def known(source: str) -> bytes:
        first = first_class(source)
        assert first is not None, source
        return first

    def chars(source: str) -> str:
        return "".join(chr(c) for c in range(256) if _begins(known(source), chr(c)))

    # Assertions consume nothing: a match begins at what follows them.
    assert chars(r"(?:^|(?<=[.!?\n])|(?<=[.!?\n] ))(?:[6-9]|1[0-7]) ?ar") == "16789"
    assert chars(r"\b(?:NU|JUST NU)\b") == "JN"
    assert chars(r"(?:^|[.!?]\s*)hej") == "!.?h"
    assert chars(r"(?:\s+|,)?(?:hej)") == "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ,h\x85\xa0"
    assert chars(r"(?:ab)?c+") == "ac"
    assert chars(r"(?i:k)x") == "Kk"
    assert chars(r"(?i)(?-i:k)x") == "k"
    assert chars(r"(?>a|b)") == "ab"
    # Above 255: "k" without case is also the Kelvin sign, \d also "٣"; "N" is only "N".
    assert known(r"(?i:k)")[32] == known(r"\d")[32] == 1
    assert known(r"\bNU")[32] == 0
    # A match that may be empty begins anywhere; so does one of any character, of a negated
    # class, or of a back reference.
    for source in [r"a*", r"(?:^|b)?", r".a", r"[^a]b", r"\W?x*", r"(a?)\1b", r"a{0}", r"(?s:.)"]:
        assert first_class(source) is None, source


@pytest.fixture(scope="module")
def rules() -> RiskEngine:
    return RiskEngine(load_ruleset(DEFAULT_RULES_DIR))


def test_every_match_of_a_searched_regex_begins_with_one_of_its_first_characters(
    rules: RiskEngine,
) -> None:
    """first_class of every searched regex of the rule set, against its matches in the
    labelled texts and in texts made of the characters its matches begin with."""
    texts = _corpus_texts()
    rng = random.Random(5)
    texts += [
        "".join(rng.choice("1 7.!?\nNU JUST nu ar arig Kk\u212a@ab Hej") for _ in range(40))
        for _ in range(2000)
    ]
    searched = [p for p in rules._patterns if p.first_chars is not None]
    assert len(searched) > 20
    for pattern in searched:
        assert pattern.searched
        rx = pattern.compiled()
        for text in texts:
            for m in rx.finditer(text):
                assert m.end() > m.start(), (pattern.source, text)
                assert _begins(pattern.first_chars, text[m.start()]), (pattern.source, text)


def _corpus_texts() -> list[str]:
    texts = []
    for path in [DATA / "risk_corpus.jsonl", DATA / "risk_dev.jsonl"]:
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line]
    return texts


def test_the_gate_never_skips_a_pattern_that_matches(rules: RiskEngine) -> None:
    """Every match of every rule pattern (searched everywhere) is one the gate allows."""
    texts = _corpus_texts()
    if not texts:
        pytest.skip("the labelled corpora are not present")
    for original in texts:
        norm, words, starts = rules._normalizer.normalize_words(original)
        if starts is None:
            starts = word_starts(norm.text)
        plan = rules._gate.plan(words)
        live = set(plan.live)
        at = plan.positions(starts)
        begins = {(pos, k) for k, where in at.items() for pos in where}
        for k in range(rules._n_rule_patterns):
            pattern = rules._patterns[k]
            text = original if pattern.on_original else norm.text
            matches = list(pattern.compiled().finditer(text))
            if not matches:
                continue
            assert k in live, (pattern.source, original)
            if pattern.prefilter is not None:
                assert pattern.prefilter.search(text), (pattern.source, original)
            if not pattern.searched and not pattern.on_original:
                for m in matches:
                    assert (m.start(), k) in begins, (pattern.source, original)
                    assert _within_span(pattern, text, m), (pattern.source, m.group())
            if pattern.digit_led:
                for m in matches:
                    assert m.start() in starts and text[m.start()].isdecimal(), pattern.source


def test_context_patterns_are_looked_for_only_where_they_can_match(rules: RiskEngine) -> None:
    """A rule's required context (patterns looked at on request) is not tried without the
    words it needs, nor at words where it cannot begin: across the development sets, every
    match of every context pattern is one that the plan allows."""
    texts = [
        json.loads(line)["text"]
        for path in sorted(DATA.glob("risk_*.jsonl"))
        if path.name.startswith(("risk_corpus", "risk_dev", "risk_more"))
        for line in path.open(encoding="utf-8")
        if line.strip()
    ]
    if not texts:
        pytest.skip("the labelled corpora are not present")
    context = range(rules._n_rule_patterns, len(rules._patterns))
    assert len(context) > 50
    for original in texts:
        norm, words, starts = rules._normalizer.normalize_words(original)
        if starts is None:
            starts = word_starts(norm.text)
        plan = rules._gate.plan(words)
        for k in context:
            pattern = rules._patterns[k]
            text = original if pattern.on_original else norm.text
            m = pattern.compiled().search(text)
            if m is None:
                continue
            assert plan.needs_met(k), (pattern.source, m.group())
            if pattern.prefilter is not None:
                assert pattern.prefilter.search(text), (pattern.source, original)
            if not pattern.searched:
                where = plan.starts_of(k)
                assert where is None or starts.index(m.start()) in where, pattern.source
                assert _within_span(pattern, text, m), (pattern.source, m.group())


def _within_span(pattern: CompiledPattern, text: str, m: re.Match[str]) -> bool:
    """The match spans no more words than its pattern says (a raw regex says nothing)."""
    spanned = len(WORDS.findall(text, m.start(), m.end()))
    return not pattern.max_words or spanned <= pattern.max_words


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("kommer fritidsgarden brinna", True),  # the optional word missing, the gap kept
        ("kommer den att brinna", True),
        ("kommer brinna", True),
        ("kommer ett tva tre fyra fem brinna", False),
    ],
)
def test_a_gap_before_an_optional_word_stays_when_the_word_is_missing(
    text: str, matches: bool
) -> None:
    regex = re.compile(seq_regex(parse_seq("kommer ...4 (att)? brinna")))
    assert bool(regex.match(text)) == matches


@pytest.mark.parametrize(
    ("source", "most"),
    [
        ("orkar inte leva", 3),
        ("barn ... slagen", 5),
        ("barn ...10 slagen", 12),
        ("(ta (mitt|sitt) liv|avsluta allt) nu?", 4),
        ("e-post till *chefen", 4),  # "e-post" may be two words
        ("... vill dö ...5", 2),  # a gap at either end matches nothing
        ("(jag|vi)? @barn ...2 (slår|slog)", 7),  # "min lilla dotter" is three
    ],
)
def test_a_pattern_knows_the_most_words_a_match_spans(source: str, most: int) -> None:
    lists = {"barn": tuple(parse_seq(w) for w in ("barn", "min lilla dotter", "sonen"))}
    assert max_words(parse_seq(source, lists)) == most


def test_a_warmed_engine_has_every_pattern_compiled_and_assesses_the_same() -> None:
    lazy = load_engine()
    eager = load_engine(eager=True)
    assert all(rx is not None for rx in eager.rules._scanner._compiled)
    assert not all(rx is not None for rx in lazy.rules._scanner._compiled)
    for text in _corpus_texts()[:200] or ["Jag orkar inte leva längre", "Tack för hjälpen!"]:
        assert eager.assess(text) == lazy.assess(text)


def _labelled_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            if line.strip() and isinstance(text := json.loads(line).get("text"), str):
                texts.append(text)
    return texts


_REPAIRABLE = [
    "&amp; &#229;",
    "sj\\u00e4lv",
    "sj\u00c3\u00a4lv",
    "a\u0301ngest",
    "tom\u200bte",
    "ring 070\u00a0123 45 67",
    "ＨＥＪ 𝐣𝐚𝐯𝐥𝐚",
    "bor på Storgatan\u20093",
    "&-tecken utan entitet, \\ufoo",
    "Ã (bara en ledbokstav)",
]


def test_text_said_to_need_no_repair_or_cleaning_comes_back_as_it_is() -> None:
    """needs_repair and detectors_need_cleaning let the normaliser and the detectors skip
    building a repair: when they say no, repairing must give back the very same text, and so
    must cleaning a text without marks (marks after a symbol: see the next test)."""
    from bot.risk.repair import (
        _MARKS,
        clean_for_detectors,
        detectors_need_cleaning,
        needs_repair,
        repaired,
    )

    labelled = _labelled_texts()
    said_yes = 0
    for text in labelled + _REPAIRABLE:
        chars = set(text)
        if not needs_repair(text, chars):
            fixed = repaired(text, chars)
            assert fixed.text is text and fixed.starts is None, text
        if not detectors_need_cleaning(text, chars):
            if chars.isdisjoint(_MARKS):
                clean = clean_for_detectors(text, chars)
                assert clean.text is text and clean.starts is None, text
        else:
            said_yes += 1
    for text in _REPAIRABLE[:-2]:  # the last two only look as if they needed a repair
        assert detectors_need_cleaning(text, set(text)), text
        assert clean_for_detectors(text).text != text, text
    assert said_yes < len(labelled) // 2  # the shortcut is the common path


# Invisible marks beside numbers, addresses, e-mail addresses and "noll": after an emoji
# (nothing to clean for the detectors) and after a letter, digit or space (cleaned).
_MARKED = [
    "Ring 070-123 45 67❤️ tack",
    "❤️070-123 45 67",
    "📞\u200d0701234567 🙏🏽",
    "Jag bor på Storgatan 5 🏊\u200d♀️ kom förbi",
    "🏠\ufe0fStorgatan 12",
    "mejla anna.berg@exempel.se👍\ufe0f",
    "ring n\u200boll sju noll ett två tre fyra fem sex sju",
    "ring 07\ufe0f0-123 45 67",
    "Storgatan\u200b 5, bor där",
    "anna\u00ad.berg@exempel.se",
    "\ufe0f0701234567",
    "ÅÄÖ\u200d0701234567",
]


def test_marks_after_a_symbol_are_left_for_the_detectors_as_cleaning_would_find() -> None:
    """detectors_need_cleaning lets the detectors read a text with an emoji's invisible marks
    as it is: what they find must be what they find in the cleaned text, at the same
    offsets in the original."""
    from bot.risk.repair import _MARKS, clean_for_detectors, detectors_need_cleaning

    detector = load_engine().pii_detector
    skipped = 0
    for text in _labelled_texts() + _REPAIRABLE + _MARKED:
        chars = set(text)
        if detectors_need_cleaning(text, chars):
            continue
        skipped += not text.isascii() and not chars.isdisjoint(_MARKS)
        clean = clean_for_detectors(text, chars)
        cleaned = []
        for m in detector._find(clean.text, None, latin1=False):
            start, end = clean.span(m.start, m.end)
            cleaned.append((m.kind, start, end, text[start:end], m.cued))
        found = [(m.kind, m.start, m.end, m.text, m.cued) for m in detector.find(text, chars)]
        assert found == cleaned, text
    assert skipped > 100  # texts with emoji take the shortcut
    for text in _MARKED[:6]:
        assert not detectors_need_cleaning(text, set(text)), text
        assert detector.find(text), text
    for text in _MARKED[6:]:
        assert detectors_need_cleaning(text, set(text)), text


def _same_sentence_by_numbering(text: str, ends: re.Pattern[str], a: int, b: int) -> bool:
    """The plain form: number the sentences by where each run of `ends` finishes."""
    finishes = [m.end() for m in ends.finditer(text)]

    def sentence(pos: int) -> int:
        return sum(1 for end in finishes if end <= pos)

    return sentence(a) == sentence(b)


def test_a_benign_rules_scope_is_found_as_by_numbering_its_sentences() -> None:
    """A benign hit of scope sentence or clause covers a finding in the same one: found with
    one search from the earlier offset, as numbering every sentence of the text finds it."""
    from bot.risk.weigh import _SCOPE_ENDS, _same_scope

    rng = random.Random(5)
    texts = [
        *_random_texts("ab .!?,;:\n.", count=1500, seed=5),
        "Jag dör av skratt. Han slog mig, sen gick han!",
        "nej... jag vill inte dö?! men orkar inte",
        "",
    ]
    for text in texts:
        for ends in _SCOPE_ENDS.values():
            for _ in range(8):
                a, b = rng.randrange(len(text) + 1), rng.randrange(len(text) + 1)
                expected = _same_sentence_by_numbering(text, ends, a, b)
                assert _same_scope(text, ends, a, b) == expected, (text, a, b)
