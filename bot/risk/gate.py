"""Which patterns are worth trying on a text, and at which words: set operations over words.

A pattern matches in one of a few ways (variants); each way needs certain words (one form
of each must occur) and begins at a word where one of its first word forms occurs. What each
distinct word of the normalised text satisfies is worked out once and remembered, so that
for a comment the gate is a few unions in C: the variants whose rarest needed word occurs are
checked for the others (bit masks), and the survivors' patterns are tried only at the words
where a match can begin. The native core (bot.risk.native) does the same with C arrays; this
module is its reference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Protocol

from bot.risk.anchors import Cue, cue_cost
from bot.risk.compiled import CompiledPattern
from bot.risk.native import NativeCoreOwner, native_module

if TYPE_CHECKING:
    from bot.risk._native import GateCore

# Distinct words remembered (bounded: the cache is emptied when it is full).
WORD_CACHE_LIMIT = 50_000
_EMPTY: frozenset[int] = frozenset()
# What one word satisfies: a mask of needed words, variants it triggers, variants it begins.
WordInfo = tuple[int, frozenset[int], frozenset[int]]


class TextPlan(Protocol):
    """What the gate found in one text: Plan, or the native core's NativePlan."""

    live: list[int]  # the patterns that may match, in order

    def positions(self, starts: list[int]) -> dict[int, list[int]]:
        """Per live pattern, the ascending offsets (`starts` of the words) where it may
        begin."""
        ...

    def starts_of(self, k: int) -> list[int] | None:
        """Indexes of the words where pattern k may begin, or None when it matches."""
        ...

    def needs_met(self, k: int) -> bool:
        """Whether some way pattern k can match has every word it needs in the text."""
        ...


class Plan:
    """What the gate found in one text."""

    __slots__ = ("_firsts", "_gate", "_have", "_variants", "live")

    def __init__(
        self,
        gate: Gate,
        live: list[int],
        variants: set[int] | frozenset[int] = _EMPTY,
        have: int = 0,
        firsts: tuple[frozenset[int], ...] = (),
    ) -> None:
        self._gate = gate
        self.live = live  # the patterns that may match, in order
        self._variants = variants  # their variants that may match
        self._have = have
        self._firsts = firsts  # per word, the variants that may begin there

    def positions(self, starts: list[int]) -> dict[int, list[int]]:
        """Per live pattern, the ascending offsets (`starts` of the words) where it may begin."""
        return self._gate.positions(self, starts)

    def starts_of(self, k: int) -> list[int] | None:
        """See Gate.starts_of."""
        return self._gate.starts_of(k, self)

    def needs_met(self, k: int) -> bool:
        """See Gate.needs_met."""
        return self._gate.needs_met(k, self)


class _Cache(dict[str, WordInfo]):
    """What each distinct word satisfies, worked out on first sight."""

    def __init__(self, gate: Gate) -> None:
        super().__init__()
        self._gate = gate

    def __missing__(self, word: str) -> WordInfo:
        if len(self) > WORD_CACHE_LIMIT:
            self.clear()
        info = self[word] = self._gate.learn(word)
        return info


class Gate(NativeCoreOwner):
    """Maps the words of a normalised text to the patterns to try and where to try them.

    Patterns from index `triggered` on are only looked at on request (see starts_of)."""

    def __init__(
        self, patterns: Sequence[CompiledPattern], common: frozenset[str], triggered: int
    ) -> None:
        cue_ids: dict[Cue, int] = {}
        need_ids: dict[frozenset[int], int] = {}
        cue_needs: dict[int, list[int]] = defaultdict(list)
        cue_first: dict[int, list[int]] = defaultdict(list)
        need_trigger: dict[int, list[int]] = defaultdict(list)
        need_cost: list[float] = []
        self._owner: list[int] = []  # the pattern of each variant
        self._needs: list[int] = []  # mask of the needed words of each variant
        self._variants: list[list[int]] = [[] for _ in patterns]
        self._always: list[int] = []
        self._exact: set[int] = set()  # variants whose needs met are a match

        def cue_id(cue: Cue) -> int:
            return cue_ids.setdefault(cue, len(cue_ids))

        for k, pattern in enumerate(patterns):
            for first, needs, exact in pattern.variants:
                v = len(self._owner)
                self._owner.append(k)
                self._variants[k].append(v)
                if exact:
                    self._exact.add(v)
                ids = set()
                for cues in needs:
                    key = frozenset(cue_id(c) for c in cues)
                    if key not in need_ids:
                        need_ids[key] = len(need_ids)
                        need_cost.append(sum(cue_cost(c, common) for c in cues))
                        for c in key:
                            cue_needs[c].append(need_ids[key])
                    ids.add(need_ids[key])
                self._needs.append(sum(1 << n for n in ids))
                if k >= triggered:
                    pass
                elif ids:
                    need_trigger[min(ids, key=need_cost.__getitem__)].append(v)
                else:
                    self._always.append(v)
                for cue in first:
                    cue_first[cue_id(cue)].append(v)
        self._cue_needs = {c: tuple(ns) for c, ns in cue_needs.items()}
        self._cue_first = {c: frozenset(vs) for c, vs in cue_first.items()}
        self._need_trigger = {n: frozenset(vs) for n, vs in need_trigger.items()}
        self._by_kind: dict[str, dict[str, list[int]]] = {k: defaultdict(list) for k in "=<>~"}
        for (kind, literal), c in cue_ids.items():
            self._by_kind[kind][literal].append(c)
        self._lengths = {k: sorted({len(lit) for lit in d}) for k, d in self._by_kind.items()}
        self._cache = _Cache(self)
        self._interned: dict[frozenset[int], frozenset[int]] = {}
        self._n_needs = len(need_ids)
        self._n_patterns = len(patterns)
        self._core = self._native_core()

    def _native_core(self) -> GateCore | None:
        """The native core's copy of the tables, or None (see bot.risk.native)."""
        native = native_module()
        if native is None:
            return None
        needs = [_bits(m) for m in self._needs]
        core: GateCore = native.GateCore(
            self._owner, needs, self._always, self._exact, self._n_needs, self._n_patterns,
            self.word_ids, WORD_CACHE_LIMIT,
        )
        return core


    def plan(self, words: list[str]) -> TextPlan:
        """The patterns that may match the text with these words."""
        if self._core is not None:
            return self._core.plan(words)
        return self.python_plan(words)

    def python_plan(self, words: list[str]) -> Plan:
        """plan() in Python: the reference for the native core."""
        if not words:
            return Plan(self, sorted({self._owner[v] for v in self._always}))
        masks, triggers, firsts = zip(*map(self._cache.__getitem__, words), strict=True)
        have = reduce(or_, masks)
        needs = self._needs
        live = {v for v in _EMPTY.union(*triggers) if (m := needs[v]) & have == m}
        live.update(self._always)
        if not live:  # context patterns (starts_of) may still be present
            return Plan(self, [], live, have, firsts)
        owner = self._owner
        return Plan(self, sorted({owner[v] for v in live}), live, have, firsts)

    def positions(self, plan: Plan, starts: list[int]) -> dict[int, list[int]]:
        """Per live pattern, the ascending offsets (`starts` of the words) where it may begin."""
        at: dict[int, list[int]] = {}
        owner = self._owner
        # One intersection per word, in C; most are empty.
        for pos, found in zip(starts, map(plan._variants.intersection, plan._firsts), strict=True):
            if not found:
                continue
            for v in found:
                k = owner[v]
                where = at.get(k)
                if where is None:
                    at[k] = [pos]
                elif where[-1] != pos:  # another variant of k beginning at the same word
                    where.append(pos)
        return at

    def starts_of(self, k: int, plan: Plan) -> list[int] | None:
        """Indexes of the words where pattern k (one looked at on request) may begin, or
        None when it is known to match (its words alone say so)."""
        have, needs = plan._have, self._needs
        live = {v for v in self._variants[k] if (m := needs[v]) & have == m}
        if not live:
            return []
        if not live.isdisjoint(self._exact):
            return None
        return [i for i, f in enumerate(plan._firsts) if not live.isdisjoint(f)]

    def needs_met(self, k: int, plan: Plan) -> bool:
        """Whether some way pattern k can match has every word it needs in the planned text."""
        have, needs = plan._have, self._needs
        return any((m := needs[v]) & have == m for v in self._variants[k])

    def learn(self, word: str) -> WordInfo:
        """What one word satisfies."""
        ids, triggers, firsts = self.word_ids(word)
        if len(self._interned) > WORD_CACHE_LIMIT:
            self._interned.clear()
        return sum(1 << n for n in ids), self._intern(triggers), self._intern(firsts)

    def word_ids(self, word: str) -> tuple[set[int], frozenset[int], frozenset[int]]:
        """What one word satisfies: its needed words, the variants it triggers, and the
        variants that may begin at it."""
        cue_needs, cue_first, need_trigger = self._cue_needs, self._cue_first, self._need_trigger
        cues = self._cues(word)
        ids = {n for c in cues for n in cue_needs.get(c, ())}
        return (
            ids,
            _EMPTY.union(*(need_trigger.get(n, _EMPTY) for n in ids)),
            _EMPTY.union(*(cue_first.get(c, _EMPTY) for c in cues)),
        )

    def _intern(self, ids: frozenset[int]) -> frozenset[int]:
        return self._interned.setdefault(ids, ids)

    def _cues(self, word: str) -> list[int]:
        """Every cue the word satisfies."""
        by_kind, lengths = self._by_kind, self._lengths
        out = list(by_kind["="].get(word, ()))
        n_word = len(word)
        for n in lengths["<"]:
            if n > n_word:
                break
            out += by_kind["<"].get(word[:n], ())
        for n in lengths[">"]:
            if n > n_word:
                break
            out += by_kind[">"].get(word[-n:], ())
        infix = by_kind["~"]
        for n in lengths["~"]:
            if n > n_word:
                break
            for i in range(n_word - n + 1):
                out += infix.get(word[i : i + n], ())
        return out


def _bits(mask: int) -> list[int]:
    """The positions of the set bits of mask."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out
