"""Compiling a rule pattern: its regex (compiled lazily) and the word cues the gate uses."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.risk.anchors import Variant, hint_cue, leading_alts, variants
from bot.risk.patterns import (
    NONWORD,
    PatternError,
    Seq,
    max_words,
    parse_alt,
    parse_seq,
    seq_regex,
)
from bot.risk.rawregex import begins_with_digit, first_class, first_words, required_chars

# A raw regex may start with "(?#ord|*ord)": words one of which must occur before it is tried.
_HINT = re.compile(r"\(\?#([^)]*)\)")


class LazyRegex:
    """A regex compiled on first use. Patterns generated from the rule language are valid by
    construction, and most are needed only when their words occur; this keeps engine load
    fast. Hand-written "re:" regexes are compiled at load so errors name their line."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        """The compiled regex."""
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """As re.Pattern.search."""
        return self.compiled().search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """As re.Pattern.match."""
        return self.compiled().match(text, pos, endpos)

    def finditer(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        """As re.Pattern.finditer."""
        return self.compiled().finditer(text, pos, endpos)


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    """A compiled pattern with the ways it can match, as word cues for the gate."""

    source: str
    regex: re.Pattern[str] | LazyRegex
    on_original: bool = False
    raw: bool = False
    # Matched at every word where its first word occurs (overlapping matches count), rather
    # than left to right as re.finditer does (used when the first word is optional).
    anchor_first: bool = False
    # The ways it can match. A raw regex has one: its hint words, if any, are a word it
    # needs, and the word it begins at is known only for some (see rawregex).
    variants: tuple[Variant, ...] = (((), (), False),)
    # Searched for with finditer (a raw regex whose first word is not known).
    searched: bool = False
    # A searched regex whose matches begin at a word starting with a digit ("\\b\\d+ kr"):
    # matched at those words only, left to right.
    digit_led: bool = False
    # A character class every match has one of (only for raw regexes with a rare one).
    prefilter: re.Pattern[str] | None = None
    # For a searched regex: the characters its matches can begin with, as
    # bot.risk.scan.character_class gives a class (None: not known).
    first_chars: bytes | None = None
    # Every match lies within one sentence: a pattern of the rule language whose word forms
    # are single runs of letters ("e-post" may span ". ", its parts joined by \W*).
    one_sentence: bool = False
    # The most words a match spans (0: not known, for raw regexes): a match beginning at a word
    # has the words it needs within this many words of it.
    max_words: int = 0

    def compiled(self) -> re.Pattern[str]:
        """The compiled regex."""
        regex = self.regex
        return regex.compiled() if isinstance(regex, LazyRegex) else regex


def _raw(source: str, rx: re.Pattern[str], *, on_original: bool) -> CompiledPattern:
    body = rx.pattern
    hint = _HINT.match(body)
    needs = []
    if hint:
        needs.append(tuple(dict.fromkeys(hint_cue(parse_alt(w)) for w in hint.group(1).split("|"))))
    # Matches of a regex over the original text cannot be placed at normalised words.
    first = None if on_original else first_words(body)
    if first:
        needs.append(first)
    return CompiledPattern(
        source,
        rx,
        on_original,
        raw=True,
        variants=((first or (), tuple(needs), False),),
        searched=not first,
        digit_led=not first and not on_original and begins_with_digit(body),
        prefilter=required_chars(body),
        first_chars=None if first else first_class(body),
    )


# What a "re:" regex is matched against is folded: lowercase, å/ä/ö as a/o, runs of a vowel as
# one ("took" is "tok"). Literals written otherwise can never match, so they are refused at load.
_NOT_LITERAL = re.compile(r"\\.|\[(?:\\.|[^\]])*\]|\(\?[#P]?<?[=!]?[^:)]*[:)]|\{\d*,?\d*\}")
_UNFOLDED = re.compile(r"([aeiouy])\1|[A-ZÅÄÖåäöéü]")


def _check_folded(regex: str) -> None:
    """Refuse a "re:" regex whose literal letters folded text never contains."""
    found = _UNFOLDED.search(_NOT_LITERAL.sub(" ", regex))
    if found is None:
        return
    what = found.group()
    hint = (
        "vokaler i följd skrivs som en i normaliserad text (»took« är »tok«)"
        if len(what) == 2
        else "normaliserad text har bara gemener utan å/ä/ö/é/ü (»Åby« är »aby«)"
    )
    raise PatternError(f"»{what}« kan aldrig träffa: {hint}; använd 'orig:' för originaltexten")


def compile_pattern(
    source: str,
    lists: Mapping[str, tuple[Seq, ...]],
    *,
    common: frozenset[str] = frozenset(),
) -> CompiledPattern:
    """Compile one pattern of the rule language into a regex plus its word cues."""
    source = source.strip()
    if not source:
        raise PatternError("tomt mönster")
    for prefix in ("re:", "orig:"):
        if source.startswith(prefix):
            if any(ord(c) < 32 for c in source):
                raise PatternError(
                    "styrtecken i det reguljära uttrycket; skriv det inom enkla citattecken "
                    "('re:\\bord\\b') så att \\b inte blir ett backsteg"
                )
            try:
                rx = re.compile(source[len(prefix) :])
            except re.error as exc:
                raise PatternError(f"ogiltigt reguljärt uttryck: {exc}") from exc
            if prefix == "re:":
                _check_folded(source[len(prefix) :])
            return _raw(source, rx, on_original=prefix == "orig:")
    seq = parse_seq(source, lists)
    regex = LazyRegex(seq_regex(seq))
    return CompiledPattern(
        source,
        regex,
        anchor_first=leading_alts(seq) is not None,
        variants=tuple(variants(seq, common)),
        one_sentence=_single_runs(seq),
        max_words=max_words(seq),
    )


def _single_runs(seq: Seq) -> bool:
    """Whether every word form of the sequence is one run of letters (no "e-post")."""
    return all(
        not NONWORD.search(node.word.literal)
        if node.word is not None
        else all(_single_runs(option) for option in node.options)
        for node in seq
    )
