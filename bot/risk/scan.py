"""Matching's first step: the regex matches of the gate's live patterns in one text.

What the matches mean (negation, required context, spans in the original) is the engine's
second step. This step is a loop of regex calls, one per pattern and candidate word, so the
native core (bot.risk.native) runs it without the interpreter's overhead per call; this module
holds the reference in Python and the per-pattern tables both read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from bot.risk.compiled import CompiledPattern
from bot.risk.gate import Plan, TextPlan
from bot.risk.native import NativeCoreOwner, native_module

if TYPE_CHECKING:
    from bot.risk._native import NativePlan, ScanCore

# Per live pattern that matched: its index and its matches, in the order they were found.
Found = list[tuple[int, list[re.Match[str]]]]

# How a pattern is tried (bits of the core's flag per pattern).
ON_ORIGINAL, SEARCHED, OVERLAPPING, IN_A_SENTENCE, DIGIT_LED = 1, 2, 4, 8, 16


class Scanner(NativeCoreOwner):
    """Tries the live patterns of a plan: a regex search for patterns whose first word is
    unknown (in the native core, anchored matches at the few characters that can begin one,
    when they are known and few), and anchored matches at the words where the others may
    begin (or, for a regex that begins with a number, at the words that do)."""

    def __init__(self, patterns: Sequence[CompiledPattern]) -> None:
        self._patterns = list(patterns)
        self._compiled: list[re.Pattern[str] | None] = [None] * len(self._patterns)
        self._core = self._native_core()

    def _native_core(self) -> ScanCore | None:
        """The native core's copy of the flags, or None (see bot.risk.native)."""
        native = native_module()
        if native is None:
            return None
        flags = bytes(
            ON_ORIGINAL * p.on_original
            + SEARCHED * (p.searched and not p.digit_led)
            + OVERLAPPING * p.anchor_first
            + IN_A_SENTENCE * p.one_sentence
            + DIGIT_LED * p.digit_led
            for p in self._patterns
        )
        spans = [p.max_words for p in self._patterns]
        prefilters = [p.prefilter for p in self._patterns]
        classes = [None if rx is None else character_class(rx) for rx in prefilters]
        firsts = [p.first_chars for p in self._patterns]
        core: ScanCore = native.ScanCore(
            flags, spans, prefilters, self._compiled, self.compiled, classes, firsts
        )
        return core


    def compiled(self, k: int) -> re.Pattern[str]:
        """Pattern k's regex, compiled on first use."""
        rx = self._compiled[k]
        if rx is None:
            rx = self._compiled[k] = self._patterns[k].compiled()
        return rx

    def warm(self) -> None:
        """Compile every pattern now."""
        for k in range(len(self._patterns)):
            self.compiled(k)

    def scan(self, plan: TextPlan, text: str, original: str, starts: list[int]) -> Found:
        """The live patterns' matches: over the original text for patterns written for it,
        else over the normalised `text`, whose words begin at `starts`."""
        if self._core is not None and not isinstance(plan, Plan):
            return self._core.scan(cast("NativePlan", plan), text, original, starts)
        return self.python_scan(plan, text, original, starts)

    def python_scan(self, plan: TextPlan, text: str, original: str, starts: list[int]) -> Found:
        """scan() in Python: the reference for the native core."""
        at = plan.positions(starts)
        found: Found = []
        for k in plan.live:
            pattern = self._patterns[k]
            where_text = original if pattern.on_original else text
            if pattern.prefilter is not None and not pattern.prefilter.search(where_text):
                continue
            rx = self.compiled(k)
            if pattern.digit_led:
                digits = [s for s in starts if text[s].isdecimal()]
                matches = matches_at(rx, text, digits, overlapping=False)
            elif pattern.on_original or pattern.searched:
                matches = list(rx.finditer(where_text))
            else:
                where = at.get(k)
                if where is None:
                    continue
                matches = matches_at(rx, text, where, pattern.anchor_first)
            if matches:
                found.append((k, matches))
        return found

    def any_present(
        self,
        ks: tuple[int, ...],
        plan: TextPlan,
        text: str,
        original: str,
        starts: list[int],
        *,
        present: dict[int, bool],
    ) -> bool:
        """Whether any of the patterns `ks` (looked at on request: a rule's required context)
        matches somewhere, stopping at the first that does; each answer is kept in `present`
        for the rest of the text."""
        if self._core is not None and not isinstance(plan, Plan):
            return self._core.any_present(
                ks, cast("NativePlan", plan), text, original, starts, present
            )
        return self.python_any_present(ks, plan, text, original, starts, present=present)

    def python_any_present(
        self,
        ks: tuple[int, ...],
        plan: TextPlan,
        text: str,
        original: str,
        starts: list[int],
        *,
        present: dict[int, bool],
    ) -> bool:
        """any_present() in Python: the reference for the native core."""
        for k in ks:
            found = present.get(k)
            if found is None:
                found = present[k] = self._present(k, plan, text, original, starts)
            if found:
                return True
        return False

    def _present(
        self, k: int, plan: TextPlan, text: str, original: str, starts: list[int]
    ) -> bool:
        """Whether pattern k matches somewhere: searched as scan() does, or matched at the
        words where it may begin. Like a live pattern, it is not tried without the words it
        needs."""
        if not plan.needs_met(k):
            return False
        pattern = self._patterns[k]
        where_text = original if pattern.on_original else text
        if pattern.prefilter is not None and not pattern.prefilter.search(where_text):
            return False
        rx = self.compiled(k)
        if pattern.searched:
            return rx.search(where_text) is not None
        where = plan.starts_of(k)
        return where is None or any(rx.match(text, starts[i]) is not None for i in where)


_ONE_CLASS = re.compile(r"\[(?:[^\\\]]|\\.)+\]")  # what rawregex.required_chars makes
_ESCAPED_CLASS = re.compile(r"\\[^\W_]")  # \d, \w, \s, \p...: more than the characters written


def character_class(prefilter: re.Pattern[str]) -> bytes:
    """A prefilter's characters below 256 as 256 bits (c's bit is bit c % 8 of byte c // 8),
    then a byte that is 1 when it may also match a character above: a class with an escape
    such as \\d, a character above 255, a negated class or a case-insensitive flag. The native
    core tests the bits against a text's characters instead of searching it; the regex
    decides the rest. A prefilter that is not one class of characters gets every bit: it
    never rules a text out."""
    if not _ONE_CLASS.fullmatch(prefilter.pattern):
        return b"\xff" * 33
    bits = bytearray(33)
    for code in range(256):
        if prefilter.match(chr(code)):
            bits[code // 8] |= 1 << code % 8
    beyond = (
        bool(prefilter.flags & re.IGNORECASE)
        or prefilter.pattern.startswith("[^")
        or _ESCAPED_CLASS.search(prefilter.pattern) is not None
        or any(ord(ch) > 255 for ch in prefilter.pattern)
    )
    bits[32] = beyond
    return bytes(bits)


def matches_at(
    rx: re.Pattern[str], text: str, positions: list[int], overlapping: bool
) -> list[re.Match[str]]:
    """Matches beginning at the given word starts: all of them, or left to right without
    overlap as re.finditer finds them (a match can begin nowhere else)."""
    out = []
    free = 0
    for pos in positions:
        if pos < free:
            continue
        m = rx.match(text, pos)
        if m is not None:
            out.append(m)
            if not overlapping:
                free = m.end()
    return out
