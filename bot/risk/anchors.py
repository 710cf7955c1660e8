"""Which words a pattern needs: the words a match can begin with and the words it must
contain, as cues on single words of the text, so that the gate tries a pattern only where
and when it can match.

A cue is (kind, literal): kind "=" (the word is the literal), "<" (starts with it), ">" (ends
with it) or "~" (contains it); a word is a \\w+ run of the normalised text.
"""

from __future__ import annotations

from functools import lru_cache

from bot.risk.patterns import NONWORD, Alt, Node, Seq

Cue = tuple[str, str]
# One way a pattern can match: the cues of the word it begins at; for every word it needs,
# the cues one of which that word meets; and whether meeting them is a match (the pattern is
# that one word, every form of it a single run of letters, so its cues say exactly what the
# regex does).
Variant = tuple[tuple[Cue, ...], tuple[tuple[Cue, ...], ...], bool]


@lru_cache(maxsize=1 << 16)
def word_cue(alt: Alt) -> Cue:
    """The condition some word of the text meets wherever `alt` matches."""
    runs = alt.runs
    if len(runs) == 1:
        kind = "~" if alt.head and alt.tail else ">" if alt.head else "<" if alt.tail else "="
        return kind, runs[0]
    return ("<" if alt.anchor_starts_word else "~"), alt.anchor


@lru_cache(maxsize=1 << 16)
def first_cue(alt: Alt) -> Cue:
    """The condition the word where a match of `alt` begins meets."""
    runs = alt.runs
    if len(runs) == 1:
        return word_cue(alt)
    return ("~" if alt.head else "<"), runs[0]


def hint_cue(alt: Alt) -> Cue:
    """A hint word of a raw regex: its longest run begins a word, or occurs anywhere."""
    return ("<" if alt.anchor_starts_word else "~"), alt.anchor


@lru_cache(maxsize=1 << 16)
def cue_cost(cue: Cue, common: frozenset[str]) -> float:
    """How often a cue is likely to be met: short and common words cost more."""
    kind, literal = cue
    cost = 1.0 + max(0, 5 - len(literal)) * 12
    if kind == "=":
        common_hit = literal in common
    elif kind == "<":
        common_hit = any(w.startswith(literal) for w in common)
    elif kind == ">":
        common_hit = any(w.endswith(literal) for w in common)
    else:
        common_hit = any(literal in w for w in common)
    return cost + (100 if common_hit else 0)


def first_alts(seq: Seq) -> list[Alt]:
    """Every word form a match of `seq` can begin with (leading optional words included)."""
    out: list[Alt] = []
    for node in seq:
        if node.gap:
            continue
        out += _node_first(node)
        if not node.optional:
            break
    return out


def _node_first(node: Node) -> list[Alt]:
    if node.word is not None:
        return [node.word]
    return [alt for option in node.options for alt in first_alts(option)]


def leading_alts(seq: Seq) -> tuple[Alt, ...] | None:
    """The word forms a match must begin with, or None when the start is optional."""
    nodes = [n for n in seq if not n.gap]
    if not nodes or nodes[0].optional:
        return None
    node = nodes[0]
    if node.word is not None:
        return (node.word,)
    out: list[Alt] = []
    for option in node.options:
        sub = leading_alts(option)
        if sub is None:
            return None
        out += sub
    return tuple(out)


def variants(seq: Seq, common: frozenset[str]) -> list[Variant]:
    """Ways `seq` can match. A first required group of phrases gives one per phrase, each
    needing that phrase's own words ("(inte nu|aldrig mer)": "nu" or "mer" must occur)."""
    lead: list[Alt] = []
    required = [n for n in seq if not n.optional and not n.gap]
    alone = len([n for n in seq if not n.gap]) == 1
    for node in seq:
        if node.gap:
            continue
        if node.optional:
            lead += _node_first(node)
            continue
        rest = [_need(n, common) for n in required if n is not node]
        phrases = [o for o in node.options if not _single_word(o)]
        if node.word is not None:
            return [_variant([*lead, node.word], [(node.word,), *rest], exact=alone)]
        words = [o[0].word for o in node.options if _single_word(o) and o[0].word]
        if not phrases:
            return [_variant(lead + words, [tuple(words), *rest], exact=alone)]
        out = [_variant(lead + words, [tuple(words), *rest], exact=alone)] if words else []
        for phrase in phrases:
            own = [_need(n, common) for n in phrase if not n.optional and not n.gap]
            out.append(_variant(lead + first_alts(phrase), own + rest, exact=False))
        return out
    return []


def _single_word(option: Seq) -> bool:
    return len(option) == 1 and option[0].word is not None and not option[0].optional


def _variant(first: list[Alt], needs: list[tuple[Alt, ...]], *, exact: bool) -> Variant:
    return (
        tuple(dict.fromkeys(first_cue(a) for a in first)),
        tuple(dict.fromkeys(tuple(dict.fromkeys(word_cue(a) for a in alts)) for alts in needs)),
        exact and all(not NONWORD.search(a.literal) for a in first),
    )


def _need(node: Node, common: frozenset[str]) -> tuple[Alt, ...]:
    """Word forms one of which a match of the (required) node contains."""
    return _rarest_need(node, common)[1]


def _rarest_need(node: Node, common: frozenset[str]) -> tuple[float, tuple[Alt, ...]]:
    if node.word is not None:
        return cue_cost(word_cue(node.word), common), (node.word,)
    # A word list is one tuple shared by every pattern that names it: weigh it once.
    cached = _RAREST.get(id(node.options))
    if cached is not None and cached[0] is node.options and cached[1] is common:
        return cached[2]
    out = _rarest_of_options(node.options, common)
    if len(_RAREST) > 10_000:
        _RAREST.clear()
    _RAREST[id(node.options)] = (node.options, common, out)
    return out


# Per group of options (kept, so that its id is not reused while it is here).
_RAREST: dict[int, tuple[tuple[Seq, ...], frozenset[str], tuple[float, tuple[Alt, ...]]]] = {}


def _rarest_of_options(
    options: tuple[Seq, ...], common: frozenset[str]
) -> tuple[float, tuple[Alt, ...]]:
    # An option matches only with all its required words: its rarest one stands for it.
    total = 0.0
    alts: list[Alt] = []
    for option in options:
        cost, forms = min(
            (_rarest_need(n, common) for n in option if not n.optional and not n.gap),
            key=lambda c: c[0],
        )
        total += cost
        alts += forms
    return total, tuple(alts)
