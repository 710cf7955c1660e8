"""Weighing matches into an assessment: suppression, scores, acute cues, evidence, advice."""

from __future__ import annotations

import re

from bot.risk.pii import PiiMatch
from bot.risk.ruleset import Rule, RuleSet
from bot.risk.types import Assessment, Category, Evidence

ORDER = {c: i for i, c in enumerate(Category)}
_CATEGORIES = list(Category)
# What ends a benign rule's scope: runs of these characters, whose end is where the next
# sentence or clause begins.
_SCOPE_ENDS = {"sentence": re.compile(r"[.!?\n]+"), "clause": re.compile(r"[.!?\n,;:]+")}
_PII_CATEGORY = Category.PERSONAL_DATA
_PII_ORDER = ORDER[_PII_CATEGORY]

# One match of a rule's pattern: (rule, pattern index, start, end) in the original text.
Hit = tuple[Rule, int, int, int]
# Evidence before it is kept, in its sort order: (category order, not acute, start, -end,
# order of finding, rule id, text if not the span's).
_Ev = tuple[int, bool, int, int, int, str, str | None]


class Weigher:
    """Turns a text's hits and personal data into an Assessment with per-category scores."""

    def __init__(self, ruleset: RuleSet) -> None:
        self._rs = ruleset
        self._caps = {r.id: r.cap for r in ruleset.rules if r.cap is not None}
        self.nothing = Assessment(categories=(), acute=False, ruleset_version=ruleset.version)
        self._advice: dict[tuple[tuple[Category, ...], frozenset[Category]], tuple[str, ...]] = {}

    def weigh(
        self, text: str, hits: list[Hit], pii: list[PiiMatch]
    ) -> tuple[Assessment, dict[Category, float]]:
        """The assessment of `text` and the summed weights per category."""
        if not hits and not pii:
            return self.nothing, {}
        rs = self._rs
        positives: list[Hit] = []
        benign: list[Hit] = []
        acute_cues: list[Hit] = []
        for hit in hits:
            kind = hit[0].kind
            (positives if kind == "rule" else benign if kind == "benign" else acute_cues).append(
                hit
            )
        evidence: list[_Ev] = []
        # Per category, the weight of each signal: (rule id, pattern index, or -1 for data).
        weights: dict[Category, dict[tuple[str, int], float]] = {}
        spans: dict[Category, list[tuple[int, int]]] = {}
        # Strongest first, so that a weak cue inside a stronger one's span is not counted twice.
        positives.sort(key=_strength)
        for rule, pattern, start, end in positives:
            for cat in rule.categories:
                if benign and _suppressed(text, cat, start, end, benign):
                    continue
                taken = spans.setdefault(cat, [])
                overlapping = False
                for s, e in taken:
                    if s < end and start < e:
                        overlapping = True
                        break
                taken.append((start, end))
                evidence.append(
                    (ORDER[cat], not rule.acute, start, -end, len(evidence), rule.id, None)
                )
                # Each pattern is one signal and counts once: two different distress cues add
                # up, a repeated swear word does not, nor does a word inside a stronger cue.
                if not overlapping:
                    weights.setdefault(cat, {})[rule.id, pattern] = rule.weight
        for match in pii:
            kind = match.kind if match.cued else f"{match.kind}_uncued"
            weight = rs.pii.weights.get(kind, 0.0 if not match.cued else 1.0)
            if weight <= 0 or _suppressed(
                text, _PII_CATEGORY, match.start, match.end, benign
            ):
                continue
            rule_id = f"personal_data.{kind}"
            evidence.append(
                (_PII_ORDER, True, match.start, -match.end, len(evidence), rule_id, match.text)
            )
            per_rule = weights.setdefault(_PII_CATEGORY, {})
            per_rule[rule_id, -1] = max(per_rule.get((rule_id, -1), 0.0), weight)
        scores = {c: _score(w, self._caps) for c, w in weights.items()}
        threshold = rs.threshold - 1e-9
        flagged = {c for c, s in scores.items() if s >= threshold}
        if not flagged:
            return self.nothing, scores
        for rule, _, start, end in acute_cues:
            cats = rule.categories
            if rule.standalone:
                # An emergency of its own (a missing person with dementia): it makes the item
                # acute whatever was flagged, and is shown under the first flagged category.
                cats = (min(flagged, key=ORDER.__getitem__),)
            for cat in cats:
                if cat in flagged and not _suppressed(text, cat, start, end, benign):
                    evidence.append((ORDER[cat], False, start, -end, len(evidence), rule.id, None))
        return self._assessment(text, evidence, flagged), scores

    def _assessment(self, text: str, evidence: list[_Ev], flagged: set[Category]) -> Assessment:
        kept: list[Evidence] = []
        per_cat: dict[int, int] = {}
        seen: set[tuple[int, int, int]] = set()
        limit = self._rs.max_evidence
        allowed = {ORDER[c] for c in flagged}
        # Sorted by category, acute first, then by position (and kept in order of finding).
        evidence.sort()
        for order, calm, start, neg_end, _, rule_id, shown in evidence:
            key = (order, start, neg_end)
            if order not in allowed or key in seen or per_cat.get(order, 0) >= limit:
                continue
            seen.add(key)
            per_cat[order] = per_cat.get(order, 0) + 1
            kept.append(
                Evidence(
                    _CATEGORIES[order],
                    start,
                    -neg_end,
                    text[start:-neg_end] if shown is None else shown,
                    rule_id,
                    not calm,
                )
            )
        categories = tuple(sorted(flagged, key=ORDER.__getitem__))
        acute_cats = frozenset(e.category for e in kept if e.acute)
        advice = self._advice.get((categories, acute_cats))
        if advice is None:
            advice = self._advice[categories, acute_cats] = self._advise(categories, acute_cats)
        return Assessment(
            categories=categories,
            acute=bool(acute_cats),
            evidence=tuple(kept),
            ruleset_version=self._rs.version,
            advice=advice,
        )

    def _advise(
        self, categories: tuple[Category, ...], acute: frozenset[Category]
    ) -> tuple[str, ...]:
        rs = self._rs
        advice: list[str] = []
        for cat in categories:
            advice += rs.advice.get(cat, ())
            if cat in acute:
                advice += rs.acute_advice.get(cat, ())
        return tuple(dict.fromkeys(advice))


def _strength(hit: Hit) -> float:
    return -hit[0].weight


def _score(weights: dict[tuple[str, int], float], caps: dict[str, float]) -> float:
    """Sum of weights per category, each rule limited to its cap."""
    per_rule: dict[str, float] = {}
    for (rule, _), weight in weights.items():
        per_rule[rule] = per_rule.get(rule, 0.0) + weight
    total = 0.0
    for rule, w in per_rule.items():
        total += min(w, caps.get(rule, w))
    return total


def _suppressed(text: str, cat: Category, start: int, end: int, benign: list[Hit]) -> bool:
    """Whether a benign hit of the category covers the span: anywhere in the text, overlapping
    it, or in the same sentence or clause (its scope)."""
    for rule, _, b_start, b_end in benign:
        if cat not in rule.categories:
            continue
        scope = rule.scope
        if scope == "text":
            return True
        if scope == "overlap":
            if b_start < end and start < b_end:
                return True
        elif _same_scope(text, _SCOPE_ENDS[scope], start, b_start):
            return True
    return False


def _same_scope(text: str, ends: re.Pattern[str], a: int, b: int) -> bool:
    """Whether offsets a and b lie in the same sentence (or clause): no run of `ends` finishes
    after the first and at or before the second. The first run to finish after an offset is
    the first found from it, so one short search from the earlier offset tells."""
    first, last = (a, b) if a <= b else (b, a)
    if first == last:
        return True
    m = ends.search(text, first)
    return m is None or m.end() > last
