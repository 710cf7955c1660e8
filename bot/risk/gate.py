"""Which patterns are worth trying on a text, and at which words: set operations over words.

A pattern matches in one of a few ways (variants); each way needs certain words (one form
of each must occur) and begins at a word where one of its first word forms occurs. What each
distinct word of the normalised text satisfies is worked out once and remembered, so that
for a comment the gate is a few unions in C: the variants whose rarest needed word occurs are
checked for the others (bit masks), and the survivors' patterns are tried only at the words
where a match can begin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import reduce
from operator import or_

from bot.risk.anchors import Cue, cue_cost
from bot.risk.compiled import CompiledPattern

# Distinct words remembered (bounded: the cache is emptied when it is full).
WORD_CACHE_LIMIT = 50_000
_EMPTY: frozenset[int] = frozenset()
# What one word satisfies: a mask of needed words, variants it triggers, variants it begins.
WordInfo = tuple[int, frozenset[int], frozenset[int]]


class Plan:
    """What the gate found in one text."""

    __slots__ = ("_firsts", "_have", "_variants", "live")

    def __init__(
        self,
        live: list[int],
        variants: set[int] | frozenset[int] = _EMPTY,
        have: int = 0,
        firsts: tuple[frozenset[int], ...] = (),
    ) -> None:
        self.live = live  # the patterns that may match, in order
        self._variants = variants  # their variants that may match
        self._have = have
        self._firsts = firsts  # per word, the variants that may begin there


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


class Gate:
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

    def plan(self, words: list[str]) -> Plan:
        """The patterns that may match the text with these words."""
        if not words:
            return Plan(sorted({self._owner[v] for v in self._always}))
        masks, triggers, firsts = zip(*map(self._cache.__getitem__, words), strict=True)
        have = reduce(or_, masks)
        needs = self._needs
        live = {v for v in _EMPTY.union(*triggers) if (m := needs[v]) & have == m}
        live.update(self._always)
        if not live:
            return Plan([])
        owner = self._owner
        return Plan(sorted({owner[v] for v in live}), live, have, firsts)

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

    def learn(self, word: str) -> WordInfo:
        """What one word satisfies."""
        cue_needs, cue_first, need_trigger = self._cue_needs, self._cue_first, self._need_trigger
        cues = self._cues(word)
        ids = {n for c in cues for n in cue_needs.get(c, ())}
        if len(self._interned) > WORD_CACHE_LIMIT:
            self._interned.clear()
        return (
            sum(1 << n for n in ids),
            self._intern(_EMPTY.union(*(need_trigger.get(n, _EMPTY) for n in ids))),
            self._intern(_EMPTY.union(*(cue_first.get(c, _EMPTY) for c in cues))),
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
