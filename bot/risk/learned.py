"""A learned lexicon beside the hand-written rules: word and stem weights per category.

The rules catch what someone thought of; residents say the same things in endless other
ways. The lexicon, trained on the labelled corpora by `python -m bot.risk.train`, gives each
word, word stem and word pair a weight per category, so a comment is flagged by what its
words lean towards even when no rule matches. It is data (config/risk/learned/lexicon.json):
a municipality can read which words weigh, and retrain it on its own labelled comments.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from bot.risk.native import native_module
from bot.risk.rulefiles import RuleFileError
from bot.risk.types import Category, Evidence

if TYPE_CHECKING:
    from bot.risk._native import LexiconCore

LEXICON_FILE = Path("learned") / "lexicon.json"
_TOKEN = re.compile(r"[0-9a-zåäöéüæø]+", re.IGNORECASE)
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "æ": "a", "ø": "o"})
_REPEATS = re.compile(r"(.)\1{2,}")
ACUTE = "acute"
# Distinct words remembered with their feature rows (bounded: emptied when full).
WORD_CACHE_LIMIT = 100_000
MAX_EVIDENCE = 3
GRAM_SIZES = (4, 5)  # character n-grams: chosen by leave-writer-out cross-validation
# Small words weigh in the score but explain nothing on a card's "why".
_NOT_EVIDENCE = frozenset(
    [
        "jag",
        "mig",
        "mej",
        "min",
        "mitt",
        "mina",
        "du",
        "dig",
        "din",
        "ditt",
        "han",
        "hon",
        "hen",
        "den",
        "det",
        "de",
        "dem",
        "vi",
        "oss",
        "ni",
        "er",
        "och",
        "att",
        "i",
        "pa",
        "som",
        "en",
        "ett",
        "ar",
        "var",
        "har",
        "hade",
        "inte",
        "for",
        "med",
        "till",
        "av",
        "om",
        "sa",
        "men",
        "eller",
        "kan",
        "ska",
        "vill",
        "nar",
        "vad",
        "hur",
        "dar",
        "fran",
        "ut",
        "upp",
        "da",
        "nu",
        "bara",
        "ocksa",
        "sig",
        "sin",
        "sitt",
        "sina",
        "allt",
        "alla",
        "mer",
        "the",
        "to",
        "and",
        "of",
        "is",
        "it",
        "my",
        "me",
        "i",
        "you",
    ]
)


def fold(word: str) -> str:
    """A word as the lexicon knows it: lowercase, no å/ä/ö, no stretched letters."""
    return collapse(word.lower().translate(_FOLD))


def collapse(word: str) -> str:
    """A word with its stretched letters collapsed ("neej" stays, "neeej" is "nej")."""
    return _REPEATS.sub(r"\1", word)


def _latin1_table() -> bytes:
    """Per Latin-1 byte: the folded lowercase token letter it stands for, else a space."""
    out = []
    for code in range(256):
        folded = chr(code).lower().translate(_FOLD)
        keep = len(folded) == 1 and _TOKEN.fullmatch(folded) is not None
        out.append(ord(folded) if keep and folded.isascii() else 32)
    return bytes(out)


# Latin-1 text (most comments) is lowercased, folded and split in one bytes.translate; a
# token letter is then ASCII, and [0-9a-z] is what _TOKEN matches there (IGNORECASE adds
# only letters beyond Latin-1, such as the Kelvin sign).
_LATIN1_TOKENS = _latin1_table()
_TOKEN_REPEATS = re.compile(r"([0-9a-z])\1{2,}")


class _Blanks(dict[str, str]):
    """A character beyond Latin-1 that can be no part of a word (its lowercase is one
    character that _TOKEN does not take) as a space; others as they are."""

    def __missing__(self, char: str) -> str:
        lowered = char.lower()
        separator = len(lowered) == 1 and not _TOKEN.fullmatch(lowered.translate(_FOLD))
        if len(self) > WORD_CACHE_LIMIT:
            self.clear()
        out = self[char] = " " if separator else char
        return out


_BLANKS = _Blanks()
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")


def _blank(match: re.Match[str]) -> str:
    return _BLANKS[match.group()]


def words(text: str) -> list[str]:
    """The folded words of a text (the fast path, without spans)."""
    try:
        spaced = text.encode("latin-1").translate(_LATIN1_TOKENS).decode("ascii")
    except UnicodeEncodeError:
        return _wide_words(text, words)
    if _TOKEN_REPEATS.search(spaced):
        # Separators are spaces here, so a repeat lies within a word or is a run of spaces,
        # which split() ignores: one pass over the text collapses what a pass per word would.
        spaced = _REPEATS.sub(r"\1", spaced)
    return spaced.split()


def stretched_words(text: str) -> list[str]:
    """words(), but stretched letters left as they are (collapse() maps one to the other,
    word by word, and the native core remembers that per word instead of looking each time)."""
    try:
        return text.encode("latin-1").translate(_LATIN1_TOKENS).decode("ascii").split()
    except UnicodeEncodeError:
        return _wide_words(text, stretched_words)


def _wide_words(text: str, narrow: Callable[[str], list[str]]) -> list[str]:
    """words() or stretched_words() (`narrow`) for text beyond Latin-1."""
    # Emojis, dashes and quotes beyond Latin-1 only separate words: as spaces, the text
    # usually takes the Latin-1 path.
    blanked = _BEYOND_LATIN1.sub(_blank, text)  # only the few wide characters are looked up
    if blanked.isascii() or not _BEYOND_LATIN1.search(blanked):
        return narrow(blanked)
    folded = text.lower().translate(_FOLD)
    found = _TOKEN.findall(folded)
    return [_REPEATS.sub(r"\1", w) for w in found] if _REPEATS.search(folded) else found


def tokens(text: str) -> list[tuple[str, int, int]]:
    """The folded words of a text with their spans in the original text."""
    folded = text.lower().translate(_FOLD)
    if len(folded) != len(text):  # a rare letter whose lowercase is longer: go word by word
        return [(fold(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if _REPEATS.search(folded):
        return [
            (_REPEATS.sub(r"\1", m.group()), m.start(), m.end()) for m in _TOKEN.finditer(folded)
        ]
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]


def grams(word: str) -> Iterator[str]:
    """The word's character 4- and 5-grams, its edges marked: what it shares with its other
    forms, compounds and misspellings ("socialsekreteraren", "soc-sekreterare", "sekretrare")."""
    marked = f"<{word}>"
    for n in GRAM_SIZES:
        for i in range(len(marked) - n + 1):
            yield marked[i : i + n]


def features(words: list[tuple[str, int, int]]) -> Iterator[tuple[str, int, int]]:
    """Every feature of a text, with the span it comes from: words, stems, character n-grams
    and word pairs."""
    for i, (word, start, end) in enumerate(words):
        yield "w:" + word, start, end
        if len(word) > 5:
            yield "p:" + word[:5], start, end
        if len(word) > 7:
            yield "p:" + word[:7], start, end
        for gram in grams(word):
            yield "c:" + gram, start, end
        if i + 1 < len(words):
            nxt, _, nxt_end = words[i + 1]
            yield f"b:{word}_{nxt}", start, nxt_end


@dataclass(frozen=True)
class Head:
    """One category's (or acute's) weights, bias and decision threshold, as in the file, and
    the margins past the threshold at which it adds its category beside the rules (with a weak
    rule sign, alone), when training chose them (see bot.risk.calibrate)."""

    bias: float
    threshold: float
    weights: Mapping[str, float]
    margins: tuple[float, float] | None = None


class Lexicon:
    """The learned heads, packed for speed: one row of weights per feature, one column a head."""

    def __init__(self, version: str, heads: Mapping[str, Head]) -> None:
        self.version = version
        self.names = list(heads)
        vocabulary = sorted({f for head in heads.values() for f in head.weights})
        index = {f: i for i, f in enumerate(vocabulary)}
        # One plain dict per feature kind, so the hot path looks words up without building keys.
        self._word = {f[2:]: i for f, i in index.items() if f.startswith("w:")}
        self._stem = {f[2:]: i for f, i in index.items() if f.startswith("p:")}
        self._gram = {f[2:]: i for f, i in index.items() if f.startswith("c:")}
        pairs = {f[2:]: i for f, i in index.items() if f.startswith("b:")}
        # A pair feature names two words ("b:first_second"); one without its second never fires.
        self._pair = {tuple(f.split("_", 1)): i for f, i in pairs.items() if "_" in f}
        self._weights = np.zeros((len(vocabulary), len(self.names)))
        for column, head in enumerate(heads.values()):
            for feature, weight in head.weights.items():
                self._weights[index[feature], column] = weight
        self._bias = np.array([h.bias for h in heads.values()])
        self.thresholds = [h.threshold for h in heads.values()]  # per head, as `names`
        self.margins = [h.margins for h in heads.values()]  # per head: chosen, or None
        self._bias_list: list[float] = self._bias.tolist()
        # Per distinct word: the rows of its own features and their sums (see _own_sums).
        self._own: dict[str, tuple[tuple[int, ...], list[float]]] = {}
        native = native_module()
        self._core: LexiconCore | None = None
        if native is not None:
            self._core = native.LexiconCore(
                self._weights, self._bias, self._pair, self.own_rows, collapse, WORD_CACHE_LIMIT,
                _LATIN1_TOKENS, _BLANKS, _NOT_EVIDENCE,
            )

    def _own_sums(self, w: str) -> tuple[tuple[int, ...], list[float]]:
        """A word's own rows (ascending, each once) and their sums per head, added one after
        another from zero as the native core adds them; remembered."""
        found = self._own.get(w)
        if found is None:
            rows = tuple(sorted(set(self.own_rows(w))))
            sums = [0.0] * len(self.names)
            for r in rows:
                sums = [a + b for a, b in zip(sums, self._row(r), strict=True)]
            if len(self._own) > WORD_CACHE_LIMIT:
                self._own.clear()
            found = self._own[w] = (rows, sums)
        return found

    def _row(self, r: int) -> list[float]:
        return cast("list[float]", self._weights[r].tolist())

    def own_rows(self, w: str) -> tuple[int, ...]:
        """The rows of a word's own features: the word, its stems and its n-grams."""
        gram = self._gram
        candidates = [
            self._word.get(w),
            self._stem.get(w[:5]) if len(w) > 5 else None,
            self._stem.get(w[:7]) if len(w) > 7 else None,
            *(gram.get(g) for g in grams(w)),
        ]
        return tuple(r for r in candidates if r is not None)

    def _score(self, words: list[str]) -> list[float]:
        """Probability per head for a text with these words: its features' rows, each
        counted once, added in the order LexiconCore adds them (see there), so that the two
        give the same floats."""
        z = [0.0] * len(self.names)
        seen: set[int] = set()
        previous = None
        pair = self._pair
        for w in words:
            rows, sums = self._own_sums(w)
            if not seen.issuperset(rows):
                z = [a + b for a, b in zip(z, sums, strict=True)]
                for r in rows:
                    if r in seen:
                        z = [a - b for a, b in zip(z, self._row(r), strict=True)]
                seen.update(rows)
            if previous is not None:
                both = pair.get((previous, w))
                if both is not None and both not in seen:
                    seen.add(both)
                    z = [a + b for a, b in zip(z, self._row(both), strict=True)]
            previous = w
        return [
            1.0 / (1.0 + math.exp(-min(max(b + v, -30.0), 30.0)))
            for b, v in zip(self._bias_list, z, strict=True)
        ]

    def probabilities(self, text: str) -> list[float]:
        """Probability per head, in the order of `names`."""
        core = self._core
        if core is not None:
            found = core.text_probabilities(text)
            return core.probabilities(stretched_words(text)) if found is None else found
        return self.python_probabilities(text)

    def python_probabilities(self, text: str) -> list[float]:
        """probabilities() in Python: the reference for the native core."""
        return self._score(words(text))

    def score(self, text: str) -> dict[str, float]:
        """Probability per category (and "acute") for one text."""
        return dict(zip(self.names, self.probabilities(text), strict=True))

    def evidence(self, text: str, category: Category) -> tuple[Evidence, ...]:
        """The content words that pushed a category furthest."""
        return self._evidence(text, self.names.index(category.value), category)

    def flagged(self, text: str) -> tuple[dict[Category, tuple[Evidence, ...]], bool]:
        """Categories over their thresholds with the words that weighed most, and acute."""
        over = [p >= t for p, t in zip(self.probabilities(text), self.thresholds, strict=True)]
        if not any(over):
            return {}, False
        result: dict[Category, tuple[Evidence, ...]] = {}
        acute = False
        for column, name in enumerate(self.names):
            if over[column] and name == ACUTE:
                acute = True
            elif over[column]:
                result[Category(name)] = self._evidence(text, column, Category(name))
        return result, acute and bool(result)

    def _word_weights(self, word: str) -> list[float]:
        """Per head, the summed weights of one word's own features."""
        return self._own_sums(word)[1]

    def _evidence(self, text: str, column: int, category: Category) -> tuple[Evidence, ...]:
        """The content words that pushed a category furthest (only when it is flagged)."""
        core = self._core
        scored = None if core is None else core.word_weights(text, column)
        if scored is None:
            scored = self.python_word_weights(text, column)
        scored.sort(key=lambda x: -x[0])
        return tuple(
            Evidence(category, start, end, text[start:end], f"learned.{category}")
            for _, start, end in scored[:MAX_EVIDENCE]
        )

    def python_word_weights(self, text: str, column: int) -> list[tuple[float, int, int]]:
        """(weight, start, end) per content word weighing for head `column`, in text order:
        the reference for the native core's word_weights."""
        scored = []
        for word, start, end in tokens(text):
            if word in _NOT_EVIDENCE:
                continue
            weight = self._word_weights(word)[column]
            if weight > 0:
                scored.append((weight, start, end))
        return scored


def _head(path: Path, name: str, table: object) -> Head:
    if not isinstance(table, dict):
        raise RuleFileError(path, None, f"\"{name}\" ska vara ett objekt")
    try:
        weights = {str(k): float(v) for k, v in dict(table.get("weights", {})).items()}
        margins = table.get("margins")
        chosen = None
        if margins is not None:
            chosen = (float(margins["with_rule"]), float(margins["alone"]))
            if not all(0.0 <= m <= 1.0 for m in chosen):
                raise ValueError("margins ska ligga mellan 0 och 1")
        return Head(float(table["bias"]), float(table["threshold"]), weights, chosen)
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleFileError(path, None, f"\"{name}\": {exc}") from exc


def load_lexicon(rules_dir: Path) -> Lexicon | None:
    """The learned lexicon in rules_dir/learned/, or None when there is none."""
    path = rules_dir / LEXICON_FILE
    if not path.is_file():
        return None
    try:  # JSON, not TOML: 50,000 weights parse in 30 ms instead of 300
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RuleFileError(path, exc.lineno, exc.msg) from exc
    if not isinstance(data, dict):
        raise RuleFileError(path, None, "filen ska vara ett JSON-objekt")
    names = [c.value for c in Category] + [ACUTE]
    unknown = set(data) - {*names, "meta"}
    if unknown:
        raise RuleFileError(path, None, f"okända avsnitt: {', '.join(sorted(unknown))}")
    heads = {name: _head(path, name, data[name]) for name in names if name in data}
    return Lexicon(str(data.get("meta", {}).get("version", "")), heads)
