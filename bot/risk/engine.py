"""The risk engine: normalise once, gate rules by anchor words, match, weigh, explain."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from bot.risk.compiled import CompiledPattern
from bot.risk.gate import Gate
from bot.risk.normalize import Normalizer
from bot.risk.pii import PiiDetector, PiiMatch
from bot.risk.ruleset import Rule, RuleSet
from bot.risk.types import Assessment, Category, Evidence

_ORDER = {c: i for i, c in enumerate(Category)}
_WORD = re.compile(r"\w+")
_CLAUSE_END = re.compile(r"[.!?,;:\n]")
_SENTENCE_END = re.compile(r"[.!?\n]+")
_CLAUSE_BREAK = re.compile(r"[.!?\n,;:]+")
_PII_CATEGORY = Category.PERSONAL_DATA


@dataclass(frozen=True, slots=True)
class _Hit:
    rule: Rule
    pattern: int
    start: int
    end: int


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
        self._caps = {r.id: r.cap for r in ruleset.rules if r.cap is not None}
        self._gate = Gate(ruleset.rules)
        # Each rule's required context as at most two regexes (one search instead of many).
        self._requires = {r.id: _merged(r.requires) for r in ruleset.rules}

    def _negated(self, text: str, m: re.Match[str], raw: bool, negators_at: list[int]) -> bool:
        """A negator inside the match's gaps, or in the words just before it (same clause)."""
        negator = self._negator_rx
        if negator is None:
            return False
        start = m.start()
        inside = (
            negator.search(text, start, m.end())
            if raw
            else any(gap and negator.search(gap) for gap in m.groups())
        )
        near = bisect.bisect_left(negators_at, start - 80)
        if inside or not self._window or near >= len(negators_at) or negators_at[near] >= start:
            return bool(inside)
        before = text[max(0, start - 80) : start]
        ends = list(_CLAUSE_END.finditer(before))
        if ends:
            before = before[ends[-1].end() :]
        for word in reversed(_WORD.findall(before)[-self._window :] if self._window else []):
            if word in self._breakers:
                return False
            if word in self._negators:
                return True
        return False

    def _match(self, original: str) -> tuple[list[_Hit], list[PiiMatch]]:
        norm = self._normalizer.normalize(original)
        text = norm.text
        hits: list[_Hit] = []
        rules = self.ruleset.rules
        context: dict[str, bool] = {}
        negators_at: list[int] | None = None
        for (r, p), positions in self._gate.candidates(text).items():
            rule = rules[r]
            pattern = rule.patterns[p]
            if pattern.on_original:
                hits += [_Hit(rule, p, *m.span()) for m in pattern.regex.finditer(original)]
                continue
            if positions is None:
                matches = list(pattern.regex.finditer(text))
            elif pattern.anchor_first:
                found = (pattern.regex.match(text, pos) for pos in set(positions))
                matches = [m for m in found if m is not None]
            elif pattern.raw:
                matches = list(pattern.regex.finditer(text))
            else:
                # A match contains an anchor occurrence, so it lies within the pattern's
                # longest possible span around the occurrences.
                lo = max(0, min(positions) - pattern.lead)
                hi = min(len(text), max(positions) + pattern.span)
                matches = list(pattern.regex.finditer(text, lo, hi))
            for m in matches:
                s, e = m.span()
                if s == e:
                    continue
                if rule.negatable:
                    if negators_at is None:
                        negators_at = self._negator_positions(text)
                    if self._negated(text, m, pattern.raw, negators_at):
                        continue
                if rule.requires and not self._context(rule, text, original, context):
                    break
                hits.append(_Hit(rule, p, *norm.span(s, e)))
        return hits, self._pii.find(original)

    def _negator_positions(self, text: str) -> list[int]:
        """Where negation words start in `text` (computed once per text)."""
        if self._negator_rx is None:
            return []
        return [m.start() for m in self._negator_rx.finditer(text)]

    def _context(self, rule: Rule, text: str, original: str, cache: dict[str, bool]) -> bool:
        """Whether the text has what the rule requires (e.g. a child); cached per text."""
        if rule.id not in cache:
            on_norm, on_orig = self._requires[rule.id]
            cache[rule.id] = bool(
                (on_norm is not None and on_norm.search(text))
                or (on_orig is not None and on_orig.search(original))
            )
        return cache[rule.id]

    def assess(self, text: str) -> Assessment:
        """Assess one comment: categories, acute, evidence spans, advice and rule-set version."""
        return self._assess(text)[0]

    def scores(self, text: str) -> dict[Category, float]:
        """Summed rule weights per category (flagged at >= threshold), for tuning and review."""
        return self._assess(text)[1]

    def _assess(self, text: str) -> tuple[Assessment, dict[Category, float]]:
        if not isinstance(text, str):
            raise TypeError("text must be a str")
        hits, pii = self._match(text)
        rs = self.ruleset
        positives = [h for h in hits if h.rule.kind == "rule"]
        benign = [h for h in hits if h.rule.kind == "benign"]
        acute_cues = [h for h in hits if h.rule.kind == "acute"]
        sentences = _bounds(text, benign)
        evidence: list[Evidence] = []
        weights: dict[Category, dict[str, float]] = defaultdict(dict)
        spans: dict[Category, list[tuple[int, int]]] = defaultdict(list)
        # Strongest first, so that a weak cue inside a stronger one's span is not counted twice.
        for hit in sorted(positives, key=lambda h: -h.rule.weight):
            for cat in hit.rule.categories:
                if _suppressed(cat, hit.start, hit.end, benign, sentences):
                    continue
                taken = spans[cat]
                overlapping = any(s < hit.end and hit.start < e for s, e in taken)
                taken.append((hit.start, hit.end))
                evidence.append(
                    Evidence(
                        cat,
                        hit.start,
                        hit.end,
                        text[hit.start : hit.end],
                        hit.rule.id,
                        hit.rule.acute,
                    )
                )
                # Each pattern is one signal and counts once: two different distress cues add
                # up, a repeated swear word does not, nor does a word inside a stronger cue.
                if not overlapping:
                    weights[cat][f"{hit.rule.id}\0{hit.pattern}"] = hit.rule.weight
        for match in pii:
            kind = match.kind if match.cued else f"{match.kind}_uncued"
            weight = rs.pii.weights.get(kind, 0.0 if not match.cued else 1.0)
            if weight <= 0 or _suppressed(_PII_CATEGORY, match.start, match.end, benign, sentences):
                continue
            rule_id = f"personal_data.{kind}"
            evidence.append(Evidence(_PII_CATEGORY, match.start, match.end, match.text, rule_id))
            per_rule = weights[_PII_CATEGORY]
            per_rule[rule_id] = max(per_rule.get(rule_id, 0.0), weight)
        scores = {c: _score(w, self._caps) for c, w in weights.items()}
        flagged = {c for c, s in scores.items() if s >= rs.threshold - 1e-9}
        for hit in acute_cues:
            cats = hit.rule.categories
            if hit.rule.standalone and flagged:
                # An emergency of its own (a missing person with dementia): it makes the item
                # acute whatever was flagged, and is shown under the first flagged category.
                cats = (min(flagged, key=_ORDER.__getitem__),)
            for cat in cats:
                if cat in flagged and not _suppressed(cat, hit.start, hit.end, benign, sentences):
                    evidence.append(
                        Evidence(
                            cat, hit.start, hit.end, text[hit.start : hit.end], hit.rule.id, True
                        )
                    )
        return self._assessment(evidence, flagged), scores

    def _assessment(self, evidence: list[Evidence], flagged: set[Category]) -> Assessment:
        rs = self.ruleset
        kept: list[Evidence] = []
        per_cat: dict[Category, int] = defaultdict(int)
        seen: set[tuple[Category, int, int]] = set()
        evidence.sort(key=lambda e: (_ORDER[e.category], not e.acute, e.start, -e.end))
        for ev in evidence:
            key = (ev.category, ev.start, ev.end)
            if ev.category not in flagged or key in seen or per_cat[ev.category] >= rs.max_evidence:
                continue
            seen.add(key)
            per_cat[ev.category] += 1
            kept.append(ev)
        categories = tuple(sorted(flagged, key=_ORDER.__getitem__))
        acute_cats = {e.category for e in kept if e.acute}
        advice: list[str] = []
        for cat in categories:
            advice += rs.advice.get(cat, ())
            if cat in acute_cats:
                advice += rs.acute_advice.get(cat, ())
        return Assessment(
            categories=categories,
            acute=bool(acute_cats),
            evidence=tuple(kept),
            ruleset_version=self.version,
            advice=tuple(dict.fromkeys(advice)),
        )


def _merged(
    patterns: tuple[CompiledPattern, ...],
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    out: list[re.Pattern[str] | None] = []
    for original in (False, True):
        sources = [p.regex.pattern for p in patterns if p.on_original is original]
        if not sources:
            out.append(None)
            continue
        try:
            out.append(re.compile("|".join(f"(?:{s})" for s in sources)))
        except re.error:  # e.g. repeated group names: fall back to a non-merged alternation
            out.append(
                re.compile("|".join(f"(?:{re.sub(r'[(][?]P<', '(?:<', s)})" for s in sources))
            )
    return out[0], out[1]


def _score(weights: dict[str, float], caps: dict[str, float]) -> float:
    """Sum of weights per category, each rule limited to its cap."""
    per_rule: dict[str, float] = defaultdict(float)
    for key, weight in weights.items():
        per_rule[key.split("\0", 1)[0]] += weight
    return sum(min(w, caps.get(rule, w)) for rule, w in per_rule.items())


def _bounds(text: str, benign: list[_Hit]) -> dict[str, list[int]]:
    """End offsets of sentences and clauses, computed only when a benign rule needs them."""
    scopes = {b.rule.scope for b in benign}
    out: dict[str, list[int]] = {}
    if "sentence" in scopes:
        out["sentence"] = [m.end() for m in _SENTENCE_END.finditer(text)]
    if "clause" in scopes:
        out["clause"] = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
    return out


def _sentence_of(pos: int, ends: list[int]) -> int:
    for i, end in enumerate(ends):
        if pos < end:
            return i
    return len(ends)


def _suppressed(
    cat: Category, start: int, end: int, benign: list[_Hit], bounds: dict[str, list[int]]
) -> bool:
    for b in benign:
        if cat not in b.rule.categories:
            continue
        scope = b.rule.scope
        if scope == "text":
            return True
        if scope == "overlap" and b.start < end and start < b.end:
            return True
        ends = bounds.get(scope)
        if ends is not None and _sentence_of(start, ends) == _sentence_of(b.start, ends):
            return True
    return False
