"""Which patterns are worth trying on a text, and where: one regex pass over anchor words.

Every pattern has anchor word forms, one of which must occur for it to match. All anchors go
into a single prefix-tree regex; each occurrence found in the text selects the patterns that
use it. Patterns whose anchor is their first word are then matched right at the occurrence
(re.match at a position) instead of being searched for across the whole text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from bot.risk.patterns import Trie
from bot.risk.ruleset import Rule

Key = tuple[int, int]  # (rule index, pattern index)
Candidates = dict[Key, list[int] | None]  # word starts to match at, or None: search everywhere


def trie_regex(words: set[str]) -> str:
    """One regex matching any of `words`, factored as a prefix tree (fast in Python's re)."""
    trie: Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: Trie) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return f"(?:{body})?" if len(alts) == 1 else body + "?"
        return body

    return build(trie)


class Gate:
    """Maps anchor occurrences in a normalised text to the patterns they make worth trying."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        # Literals are marked "^word" when they must begin a word, "word" when anywhere.
        self.always: list[Key] = []
        self._sets: dict[Key, tuple[frozenset[str], ...]] = {}
        self._first: dict[Key, bool] = {}
        self._trigger: dict[str, list[Key]] = defaultdict(list)
        starts: set[str] = set()
        inside: set[str] = set()
        for r, rule in enumerate(rules):
            for p, pattern in enumerate(rule.patterns):
                if pattern.anchors is None:
                    self.always.append((r, p))
                    continue
                sets = []
                for j, alts in enumerate((pattern.anchors, *pattern.also)):
                    marked = set()
                    for alt in alts:
                        at_first = j == 0 and pattern.anchor_first
                        lit = alt.first_run if at_first else alt.anchor
                        begins = not alt.head if at_first else alt.anchor_starts_word
                        (starts if begins else inside).add(lit)
                        marked.add("^" + lit if begins else lit)
                    sets.append(frozenset(marked))
                key = (r, p)
                self._sets[key] = tuple(sets)
                self._first[key] = pattern.anchor_first
                for lit in sets[pattern.trigger]:
                    self._trigger[lit].append(key)
        # The regex finds the longest literal at a position; shorter ones that are its
        # prefixes (at a word start) or its substrings (anywhere) are implied by it.
        lengths = sorted({len(k) for k in inside})
        # Positions are needed only for each pattern's anchor set (where matching starts).
        positional = {m for sets in self._sets.values() for m in sets[0]}
        self._implied_inside: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
        self._implied_start: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
        for lit in starts | inside:
            subs = [
                lit[i : i + n]
                for n in lengths
                for i in range(len(lit) - n + 1)
                if lit[i : i + n] in inside
            ]
            prefixes = ["^" + lit[:n] for n in range(1, len(lit) + 1) if lit[:n] in starts]
            for table, marks in (
                (self._implied_inside, subs),
                (self._implied_start, subs + prefixes),
            ):
                table[lit] = (
                    frozenset(marks),
                    tuple(m for m in dict.fromkeys(marks) if m in positional),
                )
        parts = []
        if starts or inside:
            parts.append(r"\b(?:" + trie_regex(starts | inside) + ")")
        if inside:
            parts.append("(?:" + trie_regex(inside) + ")")
        self._rx = re.compile("|".join(parts)) if parts else None

    def candidates(self, text: str) -> Candidates:
        """Patterns to try on `text`, each with the word starts where its anchor occurs."""
        found: Candidates = dict.fromkeys(self.always)
        if self._rx is None:
            return found
        seen, present = self._scan(text)
        triggered: set[Key] = set()
        trigger = self._trigger
        for lit in seen:
            keys = trigger.get(lit)
            if keys:
                triggered.update(keys)
        all_sets = self._sets
        for key in triggered:
            sets = all_sets[key]
            if all(not s.isdisjoint(seen) for s in sets):
                found[key] = [pos for lit in sets[0] & seen for pos in present[lit]]
        return found

    def _scan(self, text: str) -> tuple[frozenset[str], dict[str, list[int]]]:
        """The anchor literals occurring in `text`, and word starts of the positional ones."""
        present: dict[str, list[int]] = {}
        seen: set[str] = set()
        at_start, inside = self._implied_start, self._implied_inside
        for m in self._rx.finditer(text):  # type: ignore[union-attr]
            ws = m.start()
            if ws and (text[ws - 1].isalnum() or text[ws - 1] == "_"):
                marks, positional = inside[m.group()]
                while ws and (text[ws - 1].isalnum() or text[ws - 1] == "_"):
                    ws -= 1
            else:
                marks, positional = at_start[m.group()]
            seen |= marks
            for marked in positional:
                if marked in present:
                    present[marked].append(ws)
                else:
                    present[marked] = [ws]
        # A frozenset, so that isdisjoint() walks the smaller of two sets.
        return frozenset(seen), present
