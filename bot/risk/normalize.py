"""Normalise Swedish social-media text once, keeping a map back to the original offsets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Set
from itertools import accumulate, compress, count
from operator import add
from typing import TYPE_CHECKING

from bot.risk.native import NativeCoreOwner, native_module
from bot.risk.repair import (
    COMBINING,
    COMPAT,
    FOLD_BYTES,
    FOLD_TABLE,
    Normalized,
    Repaired,
    clean_for_detectors,
    compat,
    lower_per_char,
    might_gain_characters,
    needs_repair,
    repair,
    repaired,
    rewrite,
)

if TYPE_CHECKING:
    from bot.risk._native import NormCore

__all__ = [
    "WORDS",
    "Normalized",
    "Normalizer",
    "clean_for_detectors",
    "fold_literal",
    "might_gain_characters",
    "repair",
]

VOWELS = "aeiouy"

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
_LEET.update({"€": "e", "!": "i", "|": "i"})
_MASK_CHARS = "*#"
# A token that mixes letters with digits or symbols; only those get a Python-level look.
_OBFUSCATED_HINT = re.compile(r"[a-z][0-9@$€*#]|[0-9@$€*#][a-z]|[a-z][!|][a-z]")
# The symbol tokens ("[\w@$€!|*#]+") that have such a mix, whole.
_HINTED_TOKEN = re.compile(
    r"(?<![\w@$€!|*#])[\w@$€!|*#]*?"
    r"(?:[a-z][0-9@$€*#]|[0-9@$€*#][a-z]|[a-z][!|][a-z])[\w@$€!|*#]*"
)
_HINT_CHARS = frozenset("0123456789@$€*#!|")
_PLAIN_NUMBERISH = re.compile(r"\d+[a-z]+|[a-z]+\d+")
_SPACED = re.compile(r"(?<!\w)(?:[a-z][ .\-_*]){2,}[a-z](?!\w)")
_SPACED_SEP = re.compile(r"[ .\-_*]")
_REPEAT = re.compile(r"([aeiouy])\1+|([b-df-hj-np-tv-xz])\2{2,}")
# Tests equivalent to searching for _OBFUSCATED_HINT, for _SPACED, and for the three spaced
# letters that make the late repairs worth a look, started at a rare character (sre scans for
# a leading character class in C) instead of at every position.
_OBFUSCATED_FAST = re.compile(
    r"[0-9@$€*#!|](?:(?<=[a-z][0-9@$€*#])|(?<=[0-9@$€*#])(?=[a-z])|(?<=[a-z][!|])(?=[a-z]))"
)
_SPACED_ANY = re.compile(r"[ .\-_*](?<=(?<!\w)[a-z][ .\-_*])[a-z](?:[ .\-_*][a-z])+(?!\w)")
_SPACED_FAST = re.compile(r"[ .\-_*](?<=\b[a-z][ .\-_*])[a-z][ .\-_*][a-z]\b")
# Words and what lies between them: the odd items of split() are the words.
WORDS = re.compile(r"(\w+)")
# Latin-1 text: word characters (as \w) kept, the rest made spaces, so str.split finds words.
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
_WORD_BYTES = bytes(i if chr(i).isalnum() or chr(i) == "_" else 32 for i in range(256))
# What the native core's fold() found in the folded text (bits; see bot/risk/_native.pyx).
STRETCHED, OBFUSCATED, SPACED = 1, 2, 4
# Distinct words remembered as free of repeated letters (bounded; cleared when full).
_PLAIN_LIMIT = 100_000


def fold_literal(text: str) -> str:
    """Fold a rule literal as text is folded: lowercase, no diacritics, repeats collapsed."""
    folded = COMBINING.sub("", text.lower()).translate(FOLD_TABLE)
    return _REPEAT.sub(_collapse, folded)


def _collapse(match: re.Match[str]) -> str:
    vowel = match.group(1)
    return vowel if vowel else match.group(2) * 2


class Normalizer(NativeCoreOwner):
    """Lowercase, fold diacritics, map emojis, undo leetspeak/masks/spacing, collapse repeats."""

    def __init__(
        self, *, emoji_words: Mapping[str, str] | None = None, mask_words: Iterable[str] = ()
    ) -> None:
        self._emoji = {k: f" {v} " for k, v in (emoji_words or {}).items()}
        keys = sorted(self._emoji, key=len, reverse=True)
        single = all(len(k) == 1 for k in keys)
        if single:  # one character class is much faster to scan
            pattern = "[" + "".join(re.escape(k) for k in keys) + "]"
        else:
            pattern = "|".join(re.escape(k) for k in keys)
        self._emoji_rx = re.compile(pattern) if keys else None
        # Single-character emojis are found with a set test on the text's characters.
        self._emoji_chars = frozenset(keys) if single else None
        self._mask_words = sorted(dict.fromkeys(fold_literal(w) for w in mask_words if w), key=len)
        self._plain: set[str] = set()
        self._core = self._native_core()

    def _native_core(self) -> NormCore | None:
        """The native core's copy of the folding table and the emojis, or None (see
        bot.risk.native); it folds text whose emojis are single characters."""
        native = native_module()
        if native is None or (self._emoji_chars is None and self._emoji):
            return None
        core: NormCore = native.NormCore("".join(FOLD_TABLE), self._emoji)
        return core


    def characters(self, text: str) -> set[str]:
        """set(text), from the native core when there is one (under half the cost)."""
        core = self._core
        return set(text) if core is None else core.characters(text)

    def normalize(self, original: str) -> Normalized:
        """Return the normalised form of `original` with its offset map."""
        return self.normalize_words(original)[0]

    def normalize_words(
        self, original: str, chars: Set[str] | None = None
    ) -> tuple[Normalized, list[str], list[int] | None]:
        """The normalised text, its words (\\w+ runs), and where they begin when that was
        worked out on the way (else None: see word_starts). `chars`: those of `original`."""
        core = self._core
        fixed = None
        if core is not None and not needs_repair(original, chars):
            folded = core.fold(original)  # most comments: nothing to repair first
        else:
            fixed = repaired(original, chars)
            folded = core.fold(fixed.text) if core is not None and fixed.starts is None else None
        if folded is None:
            if fixed is None:
                fixed = repaired(original, chars)
            text, starts, ends, words, where = self._fold(fixed)
            # Digits and symbols are untouched by lowercasing and folding: the characters
            # known from before still tell whether leetspeak is possible.
            obfuscated = (
                not _HINT_CHARS.isdisjoint(fixed.characters())
                and _OBFUSCATED_FAST.search(text) is not None
            )
            spaced = _SPACED_FAST.search(text) is not None
            stretched = None
        else:  # the native core has looked for these on its way
            text, starts, ends, words, where, marks = folded
            obfuscated, spaced = bool(marks & OBFUSCATED), bool(marks & SPACED)
            stretched = bool(marks & STRETCHED)
        if not obfuscated and not spaced:
            if stretched is None:
                stretched = self._has_repeats(words)
            if stretched and core is not None:
                text, starts, ends, words, where = core.collapse(text, starts, ends)
            elif stretched:
                text, starts, ends = rewrite(text, starts, ends, _REPEAT, _collapse)
                words, where = split_words(text)
            return Normalized(original, text, starts, ends), words, where
        before = text
        if obfuscated:
            text, starts, ends = rewrite(text, starts, ends, _HINTED_TOKEN, self._deobfuscate)
        if _SPACED_ANY.search(text):
            text, starts, ends = rewrite(
                text, starts, ends, _SPACED, lambda m: _SPACED_SEP.sub("", m.group())
            )
        if text is not before:  # a masked word may be restored beyond Latin-1
            words, where = split_words(text)
        if self._has_repeats(words):
            text, starts, ends = rewrite(text, starts, ends, _REPEAT, _collapse)
            words, where = split_words(text)
        return Normalized(original, text, starts, ends), words, where

    def _fold(
        self, fixed: Repaired
    ) -> tuple[str, list[int] | None, list[int] | None, list[str], list[int] | None]:
        """The repaired text lowercased, its marks removed, folded and its emojis made words:
        (text, starts, ends, words, word starts or None)."""
        ascii_only = fixed.text.isascii()
        marks = fixed.has_marks()
        if marks and COMPAT.search(fixed.text):
            fixed.apply(COMPAT, compat)
        text, starts, ends = fixed.text, fixed.starts, fixed.ends
        lowered = text.lower()
        if len(lowered) != len(text):
            text, starts, ends = lower_per_char(text, starts, ends)
        else:
            text = lowered
        # Lowercasing keeps emojis and never makes Latin-1 text wider: what is known of the
        # characters still tells whether those are there.
        fixed.text, fixed.starts, fixed.ends = text, starts, ends
        wide = False
        if not ascii_only:
            if marks and COMBINING.search(text):
                fixed.apply(COMBINING, lambda m: "")
            wide = fixed.is_wide()
            if wide:
                fixed.text = fixed.text.translate(FOLD_TABLE)
            else:  # one byte per character: bytes.translate is a plain table lookup
                fixed.text = fixed.text.encode("latin-1").translate(FOLD_BYTES).decode("latin-1")
            rx = self._emoji_rx
            if rx is not None and self._has_emoji(fixed):
                emoji = self._emoji
                fixed.apply(rx, lambda m: emoji[m.group()])
                wide = wide and fixed.is_wide()
        words, where = split_words(fixed.text, latin1=not wide)
        return fixed.text, fixed.starts, fixed.ends, words, where

    def _has_emoji(self, fixed: Repaired) -> bool:
        if self._emoji_chars is None:
            return self._emoji_rx is not None and self._emoji_rx.search(fixed.text) is not None
        return not self._emoji_chars.isdisjoint(fixed.characters())

    def _has_repeats(self, words: list[str]) -> bool:
        """Whether a word has a repeated letter (as _REPEAT finds; they lie within words)."""
        if self._plain.issuperset(words):
            return False
        unknown = set(words).difference(self._plain)
        if len(self._plain) > _PLAIN_LIMIT:
            self._plain.clear()
        found = False
        for word in unknown:
            if _REPEAT.search(word):
                found = True
            else:
                self._plain.add(word)
        return found

    def _deobfuscate(self, match: re.Match[str]) -> str:
        token = match.group()
        if not _OBFUSCATED_HINT.search(token):
            return token
        core = token.rstrip("!|")
        tail = token[len(core) :]
        if any(c in _MASK_CHARS for c in core):
            return self._unmask(core) + tail
        if _PLAIN_NUMBERISH.fullmatch(core) or not any(c.isalpha() for c in core):
            return token
        return "".join(_LEET.get(c, c) for c in core) + tail

    def _unmask(self, token: str) -> str:
        parts: list[str] = []
        for c in token:
            if c in _MASK_CHARS:
                parts.append(r"\w{0,3}" if parts and parts[-1] == r"\w{1,3}" else r"\w{1,3}")
            elif c in _LEET:
                parts.append(f"[{re.escape(_LEET[c])}{re.escape(c)}]")
            else:
                parts.append(re.escape(c))
        candidate = re.compile("".join(parts))
        for word in self._mask_words:
            if candidate.fullmatch(word):
                return word
        return "".join(_LEET.get(c, c) for c in token)


def split_words(text: str, *, latin1: bool | None = None) -> tuple[list[str], list[int] | None]:
    """The \\w+ runs of `text`, and their offsets when they came for free (else None)."""
    if latin1 is None:
        latin1 = not _BEYOND_LATIN1.search(text)
    if latin1:  # bytes.translate and str.split are far cheaper than a regex split
        pieces = text.encode("latin-1").translate(_WORD_BYTES).decode("latin-1").split(" ")
        return list(filter(None, pieces)), None
    parts = WORDS.split(text)
    return parts[1::2], list(accumulate(map(len, parts)))[0 : len(parts) - 1 : 2]


def word_starts(text: str) -> list[int]:
    """Offset of each word of a Latin-1 `text` (as split_words found them)."""
    pieces = text.encode("latin-1").translate(_WORD_BYTES).decode("latin-1").split(" ")
    # A piece begins after the pieces before it and one separator each.
    begins = list(map(add, accumulate(map(len, pieces), initial=0), count()))
    return list(compress(begins, pieces))
