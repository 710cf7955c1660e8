"""The risk engine: normalise once, gate patterns by the words present, match, weigh, explain."""

from __future__ import annotations

import bisect
import re
from collections.abc import Set
from datetime import date

from bot.risk.compiled import CompiledPattern
from bot.risk.gate import Gate, TextPlan
from bot.risk.normalize import WORDS, Normalizer, word_starts
from bot.risk.pii import PiiDetector
from bot.risk.ruleset import Rule, RuleSet
from bot.risk.scan import Scanner
from bot.risk.types import Assessment, Category
from bot.risk.weigh import Hit, Weigher

_WORD = re.compile(r"\w+")
_CLAUSE_END_CHARS = ".!?,;:\n"  # a negation reaches back to the last of these


class RiskEngine:
    """Assesses Swedish comments for risk with a loaded, compiled RuleSet."""

    def __init__(self, ruleset: RuleSet, *, today: date | None = None) -> None:
        self.ruleset = ruleset
        self.version = ruleset.version
        self.labels = dict(ruleset.labels)
        self._normalizer = Normalizer(emoji_words=ruleset.emoji, mask_words=ruleset.mask_words)
        self._pii = PiiDetector(ruleset.pii, today=today)
        self.pii_detector = self._pii
        self._negators = ruleset.negators
        self._breakers = ruleset.scope_breakers
        self._window = ruleset.negation_window
        neg = sorted(ruleset.negators, key=len, reverse=True)
        self._negator_rx = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, neg)) + r")\b") if neg else None
        )
        # Negators that are single words are found among the words, without a search.
        self._negators_are_words = all(WORDS.fullmatch(n) for n in neg)
        # All patterns in one list (rule order), each with its rule and index in the rule.
        self._patterns: list[CompiledPattern] = []
        self._owners: list[tuple[Rule, int]] = []
        for rule in ruleset.rules:
            for p, pattern in enumerate(rule.patterns):
                self._patterns.append(pattern)
                self._owners.append((rule, p))
        self._n_rule_patterns = len(self._patterns)
        # A rule's required context (e.g. a child) is looked for like its patterns, gated;
        # rules of a file share their context, which is then looked for once.
        self._requires: dict[str, tuple[int, ...]] = {}
        known: dict[str, int] = {}
        for rule in ruleset.rules:
            for pattern in rule.requires:
                if pattern.source not in known:
                    known[pattern.source] = len(self._patterns)
                    self._patterns.append(pattern)
            self._requires[rule.id] = tuple(known[p.source] for p in rule.requires)
        self._contexts: dict[Category, tuple[int, ...]] = {}
        for cat, patterns in ruleset.contexts.items():
            for pattern in patterns:
                if pattern.source not in known:
                    known[pattern.source] = len(self._patterns)
                    self._patterns.append(pattern)
            self._contexts[cat] = tuple(known[p.source] for p in patterns)
        self._scanner = Scanner(self._patterns)
        self._gate = Gate(self._patterns, ruleset.common_words, self._n_rule_patterns)
        self._weigher = Weigher(ruleset)
        self.nothing = self._weigher.nothing  # the one assessment of a text with no findings

    def warm(self) -> RiskEngine:
        """Compile every pattern now (about a second) rather than on first use, so that no
        comment waits for a compilation; returns the engine."""
        self._scanner.warm()
        return self

    def assess(self, text: str) -> Assessment:
        """Assess one comment: categories, acute, evidence spans, advice and rule-set version."""
        return self._assess(text)[0]

    def scores(self, text: str) -> dict[Category, float]:
        """Summed rule weights per category (flagged at >= threshold), for tuning and review."""
        return self._assess(text)[1]

    def _assess(self, text: str) -> tuple[Assessment, dict[Category, float]]:
        return self.assess_with_vetoes(text)[:2]

    def assess_with_vetoes(
        self, text: str
    ) -> tuple[Assessment, dict[Category, float], frozenset[Category]]:
        """The assessment, the summed weights, and the categories the rules ruled out: a
        pattern matched but was negated ("vill inte dö"), or a benign context matched ("dör av
        skratt"). A learned model that reads words, not sentences, must not overrule those."""
        if not isinstance(text, str):
            raise TypeError("text must be a str")
        # What the cheap tests of normalising and detecting look at.
        chars = self._normalizer.characters(text)
        ruled_out: set[Category] = set()  # _match adds the categories of negated matches
        hits = self._match(text, chars, ruled_out)
        found, scores = self._weigher.weigh(text, hits, self._pii.find(text, chars))
        for rule, _, _, _ in hits:
            if rule.kind == "benign":
                ruled_out.update(rule.categories)
        return found, scores, frozenset(ruled_out)

    def _match(
        self, original: str, chars: Set[str] | None = None,
        negated: set[Category] | None = None,
    ) -> list[Hit]:
        norm, words, starts = self._normalizer.normalize_words(original, chars)
        plan = self._gate.plan(words)
        if not plan.live:
            return []
        text = norm.text
        if starts is None:
            starts = word_starts(text)
        hits: list[Hit] = []
        context: dict[tuple[int, ...], bool] = {}
        present: dict[int, bool] = {}
        negators_at: list[int] | None = None
        patterns, owners = self._patterns, self._owners
        # Hits come in rule-file order, then by position: among equally strong hits the
        # weighing counts the first, so the order is part of the result (and is stable).
        for k, matches in self._scanner.scan(plan, text, original, starts):
            rule, p = owners[k]
            pattern = patterns[k]
            if pattern.on_original:
                hits += [(rule, p, *m.span()) for m in matches]
                continue
            for m in matches:
                s, e = m.span()
                if s == e:
                    continue
                if rule.negatable:
                    if negators_at is None:
                        negators_at = self._negator_positions(text, words, starts)
                    if self._negated(text, m, pattern.raw, negators_at):
                        if negated is not None:
                            negated.update(rule.categories)
                        continue
                if rule.requires and not self._context(
                    rule, text, original, plan, starts, context, present
                ):
                    break
                hits.append((rule, p, *norm.span(s, e)))
        return hits

    def has_context(self, text: str, category: Category) -> bool:
        """Whether the text has what the category's rule file binds the learned lexicon to
        (learned_requires: a child named); True when the file binds it to nothing."""
        needed = self._contexts.get(category)
        if not needed:
            return True
        norm, words, starts = self._normalizer.normalize_words(text, set(text))
        plan = self._gate.plan(words)
        if starts is None:
            starts = word_starts(norm.text)
        return self._scanner.any_present(needed, plan, norm.text, text, starts, present={})

    def _negator_positions(self, text: str, words: list[str], starts: list[int]) -> list[int]:
        """Where negation words start in `text` (computed once per text)."""
        if self._negator_rx is None:
            return []
        if self._negators_are_words:
            negators = self._negators
            if negators.isdisjoint(words):  # in C; many comments have none
                return []
            return [starts[i] for i, w in enumerate(words) if w in negators]
        return [m.start() for m in self._negator_rx.finditer(text)]

    def _negated(self, text: str, m: re.Match[str], raw: bool, negators_at: list[int]) -> bool:
        """A negator inside the match's gaps, or in the words just before it (same clause)."""
        negator = self._negator_rx
        if negator is None:
            return False
        start = m.start()
        if not raw and self._negators_are_words:
            # Gaps hold whole words, so a negator in one, or one just before the match, is
            # among the negator words found in the text: none near means not negated.
            near = bisect.bisect_left(negators_at, start - 80)
            if near >= len(negators_at) or negators_at[near] >= m.end():
                return False
        inside = (
            negator.search(text, start, m.end())
            if raw
            else any(gap and negator.search(gap) for gap in m.groups())
        )
        near = bisect.bisect_left(negators_at, start - 80)
        if inside or not self._window or near >= len(negators_at) or negators_at[near] >= start:
            return bool(inside)
        before = text[max(0, start - 80) : start]
        # The clause's start: after the last of its end characters (rfind runs in C; a
        # regex would walk the whole stretch).
        cut = max(map(before.rfind, _CLAUSE_END_CHARS))
        if cut >= 0:
            before = before[cut + 1 :]
        for word in reversed(_WORD.findall(before)[-self._window :] if self._window else []):
            if word in self._breakers:
                return False
            if word in self._negators:
                return True
        return False

    def _context(
        self,
        rule: Rule,
        text: str,
        original: str,
        plan: TextPlan,
        starts: list[int],
        cache: dict[tuple[int, ...], bool],
        present: dict[int, bool],
    ) -> bool:
        """Whether the text has what the rule requires (e.g. a child); cached per text, per
        group of context patterns and per pattern (groups of different files share some)."""
        needed = self._requires[rule.id]
        found = cache.get(needed)
        if found is None:
            found = cache[needed] = self._scanner.any_present(
                needed, plan, text, original, starts, present=present
            )
        return found
