"""Compiling a rule pattern: its regex (compiled lazily) and the anchor words the gate uses."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.risk.anchors import NO_ANCHOR, leading_alts, max_words, required_nodes, seq_anchor
from bot.risk.patterns import Alt, PatternError, Seq, parse_alt, parse_seq, seq_regex

# A raw regex may start with "(?#ord|*ord)": words one of which must occur before it is tried.
_HINT = re.compile(r"\(\?#([^)]*)\)")
# Generous characters per word, for bounding searches around an anchor occurrence.
WORD_CHARS = 40
# A required word (or small group) whose forms average this cost or less (not common words,
# not very short) also has to occur before a pattern is tried.
RARE_ENOUGH = 12.0


class LazyRegex:
    """A regex compiled on first use. Patterns generated from the rule language are valid by
    construction, and most are needed only when their anchor words occur; this keeps engine
    load fast. Hand-written "re:" regexes are compiled at load so errors name their line."""

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
    """A compiled pattern with the word forms that must occur for it to match."""

    source: str
    regex: re.Pattern[str] | LazyRegex
    anchors: tuple[Alt, ...] | None
    on_original: bool = False
    raw: bool = False
    anchor_first: bool = False
    lead: int = 0
    span: int = 0
    # Further required words, each given as the word forms that satisfy it: the gate tries
    # the pattern only when every set has a form in the text.
    also: tuple[tuple[Alt, ...], ...] = ()
    # Which word set (0 = anchors, 1.. = also) is the rarest: the one that triggers a try.
    trigger: int = 0


def compile_pattern(
    source: str,
    lists: Mapping[str, tuple[Seq, ...]],
    *,
    common: frozenset[str] = frozenset(),
) -> CompiledPattern:
    """Compile one pattern of the rule language into a regex plus its anchor word forms."""
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
            hint = _HINT.match(source[len(prefix) :])
            anchors = tuple(parse_alt(w) for w in hint.group(1).split("|")) if hint else None
            return CompiledPattern(source, rx, anchors, prefix == "orig:", raw=True, span=10**6)
    seq = parse_seq(source, lists)
    regex = LazyRegex(seq_regex(seq))
    cost, cheapest, _ = seq_anchor(seq, common)
    span = max_words(seq) * WORD_CHARS
    if cost >= NO_ANCHOR:
        return CompiledPattern(source, regex, None, span=span)
    leading = leading_alts(seq)
    # Gate on the first word when it is known (matching then starts right there), and let the
    # cheapest word and other rare words filter further.
    anchors = leading if leading is not None else cheapest
    extra = [cheapest] if leading is not None and cheapest != leading else []
    trigger = 1 if extra else 0
    extra += [
        alts
        for node_cost, alts in required_nodes(seq, common)
        if alts not in (anchors, cheapest) and node_cost <= RARE_ENOUGH * len(alts)
    ]
    return CompiledPattern(
        source,
        regex,
        anchors,
        anchor_first=leading is not None,
        lead=span,
        span=span,
        also=tuple(extra),
        trigger=trigger,
    )
