"""Choosing anchor words for a pattern: the words that must occur for it to match, and how
rare they are likely to be (so that the gate tries few patterns per comment)."""

from __future__ import annotations

from bot.risk.patterns import NONWORD, Alt, Seq

NO_ANCHOR = 1e9


def alt_cost(alt: Alt, common: frozenset[str]) -> float:
    anchor = alt.anchor
    cost = 1.0 + max(0, 5 - len(anchor)) * 12
    if anchor in common or (alt.tail and any(w.startswith(anchor) for w in common)):
        cost += 100
    return cost


def seq_anchor(seq: Seq, common: frozenset[str]) -> tuple[float, tuple[Alt, ...], bool]:
    """Word forms of one required node (one of them must occur for `seq` to match), their
    cost, and whether that node starts the sequence (so matching can begin at it)."""
    choices: list[tuple[float, tuple[Alt, ...], bool]] = []
    first = True
    for node in seq:
        if node.gap:
            continue
        if node.optional:
            first = False
            continue
        if node.word is not None:
            choices.append((alt_cost(node.word, common), (node.word,), first))
        else:
            subs = [seq_anchor(s, common) for s in node.options]
            choices.append(
                (
                    sum(c for c, _, _ in subs),
                    tuple(a for _, alts, _ in subs for a in alts),
                    first and all(f for _, _, f in subs),
                )
            )
        first = False
    if not choices:
        return NO_ANCHOR, (), False
    return min(choices, key=lambda c: c[0])


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


def required_nodes(seq: Seq, common: frozenset[str]) -> list[tuple[float, tuple[Alt, ...]]]:
    """Cost and word forms of every required node that is a word or a group of words."""
    out: list[tuple[float, tuple[Alt, ...]]] = []
    for node in seq:
        if node.optional or node.gap:
            continue
        if node.word is not None:
            out.append((alt_cost(node.word, common), (node.word,)))
        else:
            subs = [seq_anchor(s, common) for s in node.options]
            out.append((sum(c for c, _, _ in subs), tuple(a for _, alts, _ in subs for a in alts)))
    return out


def max_words(seq: Seq) -> int:
    """The most words a match of `seq` can span (bounds the search around an anchor)."""
    total = 0
    for node in seq:
        if node.gap:
            total += node.gap
        elif node.word is not None:
            total += 1 + len(NONWORD.findall(node.word.literal))
        else:
            total += max(max_words(option) for option in node.options)
    return total
