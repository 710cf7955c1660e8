"""Types of the native core (bot/risk/_native.pyx)."""

import re
from collections.abc import Callable, Iterable, Mapping

import numpy as np
from numpy.typing import NDArray

class NativePlan:
    live: list[int]
    def positions(self, starts: list[int]) -> dict[int, list[int]]: ...
    def starts_of(self, k: int) -> list[int] | None: ...
    def needs_met(self, k: int) -> bool: ...

class GateCore:
    def __init__(
        self,
        owner: list[int],
        needs: list[list[int]],
        always: list[int],
        exact: Iterable[int],
        n_needs: int,
        n_patterns: int,
        learn: Callable[[str], tuple[Iterable[int], Iterable[int], Iterable[int]]],
        limit: int,
    ) -> None: ...
    def plan(self, words: list[str]) -> NativePlan: ...

class LexiconCore:
    def __init__(
        self,
        weights: NDArray[np.float64],
        bias: NDArray[np.float64],
        pairs: dict[tuple[str, ...], int],
        own: Callable[[str], tuple[int, ...]],
        collapse: Callable[[str], str],
        limit: int,
        letters: bytes,
        blanks: Mapping[str, str],
        not_evidence: frozenset[str],
    ) -> None: ...
    def text_probabilities(self, text: str) -> list[float] | None: ...
    def word_weights(self, text: str, column: int) -> list[tuple[float, int, int]] | None: ...
    def probabilities(self, words: list[str]) -> list[float]: ...

class ScanCore:
    def __init__(
        self,
        flags: bytes,
        spans: list[int],
        prefilters: list[re.Pattern[str] | None],
        compiled: list[re.Pattern[str] | None],
        compile: Callable[[int], re.Pattern[str]],
        classes: list[bytes | None],
        firsts: list[bytes | None],
    ) -> None: ...
    def scan(
        self, plan: NativePlan, text: str, original: str, starts: list[int]
    ) -> list[tuple[int, list[re.Match[str]]]]: ...
    def any_present(
        self,
        ks: tuple[int, ...],
        plan: NativePlan,
        text: str,
        original: str,
        starts: list[int],
        present: dict[int, bool],
    ) -> bool: ...

Folded = tuple[str, list[int] | None, list[int] | None, list[str], list[int]]

class NormCore:
    def __init__(self, fold: str, emoji: dict[str, str]) -> None: ...
    def fold(
        self, text: str
    ) -> tuple[str, list[int] | None, list[int] | None, list[str], list[int], int] | None: ...
    def characters(self, text: str) -> set[str]: ...
    def collapse(self, text: str, starts: list[int] | None, ends: list[int] | None) -> Folded: ...

def sentence_numbers(text: str, starts: list[int]) -> list[int]: ...
