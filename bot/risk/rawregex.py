"""Cheap tests for hand-written regexes ("re:" and "orig:" patterns), read from their parse:
the word every match begins at, characters one of which every match contains, and the
characters a match can begin with. All are only ever necessary conditions, so a regex whose
form is not recognised is simply searched."""

from __future__ import annotations

import importlib
import re
from typing import Any

from bot.risk.anchors import Cue

try:  # the regex parser of the standard library (private, so guarded)
    _parser: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - another Python: no analysis, regexes are searched
    _parser = None

# A character class is used as a test only when it is rare enough in comments: letters and
# spaces are common, digits less so, punctuation rare.
_MAX_RARITY = 25


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def first_words(source: str) -> tuple[Cue, ...] | None:
    """Cues of the word every match of the regex begins at (it starts "\\b" and a literal
    word), or None when that cannot be told."""
    items = _parse(source)
    if items is None or items.state.flags & re.IGNORECASE:
        return None
    rest = _after_word_boundary(items)
    if rest is None:
        return None
    heads = _heads(rest)
    cues = [_word_cue(run, nxt) for run, nxt in heads]
    if not heads or any(c is None for c in cues):
        return None
    return tuple(dict.fromkeys(c for c in cues if c is not None))


def begins_with_digit(source: str) -> bool:
    """Whether every match begins at a word whose first character is a digit (the regex
    starts "\\b" and a digit), so that it need only be tried at such words."""
    items = _parse(source)
    rest = None if items is None else _after_word_boundary(items)
    return rest is not None and _digit(rest[0])


def _after_word_boundary(items: Any) -> list[Any] | None:
    """What follows the leading assertions of a parsed regex when they include "\\b" (so a
    match begins at a word of the text), else None. Under (?a), "\\b" also falls inside a word
    ("ж5", "жjag"), so it does not count."""
    if items.state.flags & re.ASCII:
        return None
    items = list(items)
    i, boundary = 0, False
    while i < len(items) and items[i][0] in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        boundary = boundary or items[i] == (_c.AT, _c.AT_BOUNDARY)
        i += 1
    return items[i:] if boundary and i < len(items) else None


def _digit(item: Any) -> bool:
    """Whether the item matches a digit first (\\d, [0-9], 7, \\d+, (\\d...))."""
    op, av = item
    if op is _c.LITERAL:
        return chr(av).isdecimal()
    if op is _c.IN:
        return bool(av) and all(
            (o is _c.CATEGORY and a is _c.CATEGORY_DIGIT)
            or (o is _c.LITERAL and chr(a).isdecimal())
            or (o is _c.RANGE and all(chr(c).isdecimal() for c in range(a[0], a[1] + 1)))
            for o, a in av
        )
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        return av[0] >= 1 and bool(av[2]) and _digit(av[2][0])
    if op is _c.SUBPATTERN:
        return bool(av[3]) and _digit(av[3][0])
    return False


def _heads(items: list[Any], limit: int = 256) -> list[tuple[str, Any]]:
    """The literal runs a match can begin with (alternatives expanded), each with the
    item that follows it (None at the end)."""
    chars: list[str] = []
    for n, (op, av) in enumerate(items):
        if op is _c.LITERAL:
            chars.append(chr(av))
            continue
        if op is _c.BRANCH:
            options = [list(b) for b in av[1]]
        elif op is _c.IN and all(o is _c.LITERAL for o, _ in av):
            options = [[m] for m in av]
        else:
            return [("".join(chars), items[n])]
        out = [
            ("".join(chars) + run, nxt)
            for option in options
            for run, nxt in _heads(option + items[n + 1 :], limit)
        ]
        return out if len(out) <= limit else [("".join(chars), items[n])]
    return [("".join(chars), None)]


def _word_cue(run: str, nxt: Any) -> Cue | None:
    word = run[: next((j for j, ch in enumerate(run) if not _is_word(ch)), len(run))]
    if not word:
        return None
    exact = len(word) < len(run) or (nxt is not None and _ends_word(nxt))
    return ("=" if exact else "<"), word


def _ends_word(item: Any) -> bool:
    op, av = item
    if op is _c.AT:
        return bool(av is _c.AT_BOUNDARY)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1 and len(av[2]):
        return _ends_word(av[2][0])
    if op is _c.IN:
        return all(
            (o is _c.CATEGORY and a in (_c.CATEGORY_NOT_WORD, _c.CATEGORY_SPACE))
            or (o is _c.LITERAL and not _is_word(chr(a)))
            for o, a in av
        )
    return False


def required_chars(source: str) -> re.Pattern[str] | None:
    """A character class one character of which every match contains, when a rare one
    can be found among the regex's required parts; else None."""
    items = _parse(source)
    if items is None:
        return None
    best = min(_required(list(items)), key=lambda c: c[0], default=None)
    if best is None or best[0] > _MAX_RARITY:
        return None
    return re.compile("[" + best[1] + "]", items.state.flags & re.IGNORECASE)


def _parse(source: str) -> Any:
    if _parser is None:
        return None
    try:
        return _parser.parse(source)
    except (re.error, TypeError, ValueError):  # pragma: no cover - compiled fine before
        return None


def _required(items: list[Any]) -> list[tuple[float, str]]:
    """(rarity, character class body) for every part a match cannot do without."""
    out: list[tuple[float, str]] = []
    for op, av in items:
        if op is _c.LITERAL:
            out.append(_charset([(op, av)]))
        elif op is _c.IN:
            out.append(_charset(av))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
            out += _required(list(av[2]))
        elif op is _c.SUBPATTERN and not av[1] and not av[2]:
            out += _required(list(av[3]))
        elif op is _c.SUBPATTERN:
            # A scoped flag ("(?i:...)") changes what a letter matches, not a quote or a digit.
            out += [c for c in _required(list(av[3])) if not _has_letters(c[1])]
        elif op is _c.ATOMIC_GROUP:
            out += _required(list(av))
        elif op is _c.BRANCH:
            bests = [min(_required(list(b)), key=lambda c: c[0], default=None) for b in av[1]]
            if bests and all(b is not None for b in bests):
                out.append((sum(b[0] for b in bests if b), "".join(b[1] for b in bests if b)))
    return out


def _has_letters(body: str) -> bool:
    """Whether a character class body (as _charset writes it) names a letter."""
    return any(ch.isalpha() for ch in body.replace(r"\d", ""))


def _charset(members: list[Any]) -> tuple[float, str]:
    rarity = 0.0
    body = []
    for op, av in members:
        if op is _c.LITERAL:
            ch = chr(av)
            rarity += _rarity(ch)
            body.append(re.escape(ch))
        elif op is _c.RANGE and av[1] - av[0] < 20:
            for code in range(av[0], av[1] + 1):
                rarity += _rarity(chr(code))
            body.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is _c.CATEGORY and av is _c.CATEGORY_DIGIT:
            rarity += 20
            body.append(r"\d")
        else:
            return float("inf"), ""
    return rarity, "".join(body)


def _rarity(ch: str) -> float:
    """How common a character is in comments (normalised text is all lower case)."""
    if ch.islower() or ch.isspace():
        return 30
    if ch.isalpha():
        return 10
    return 2 if ch.isdigit() else 1


# What a class escape matches, as written in a regex.
_CATEGORY_ESCAPES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def first_class(source: str) -> bytes | None:
    """The characters a match can begin with, for trying a searched regex only where one of
    them is: 256 bits for the characters below 256 (c's bit is bit c % 8 of byte c // 8), then
    a byte that is 1 when a character above may begin one too. None when that cannot be told,
    or a match may be empty (it begins anywhere)."""
    items = _parse(source)
    if items is None:
        return None
    flags = items.state.flags
    found = _first(list(items), bool(flags & re.IGNORECASE))
    if found is None or found[1] or not found[0]:
        return None
    members = found[0]
    rx = re.compile("|".join(members), flags & re.ASCII)
    bits = bytearray(33)
    for code in range(256):
        if rx.fullmatch(chr(code)):
            bits[code // 8] |= 1 << code % 8
    # Case-insensitive letters have partners above 255 ("k" and the Kelvin sign).
    bits[32] = any(
        m.startswith("(?i:") or _escapes_class(m) or any(ord(ch) > 255 for ch in m)
        for m in members
    )
    return bytes(bits)


def _escapes_class(member: str) -> bool:
    """Whether a member written by _one_character uses a class escape (\\d, \\w, \\s...)."""
    return any(escape in member for escape in _CATEGORY_ESCAPES.values())


def _first(items: list[Any], ignorecase: bool) -> tuple[list[str], bool] | None:
    """The one-character regexes a match of the items can begin with, and whether it can be
    empty; None when not known. Assertions consume nothing, so what follows them begins."""
    members: list[str] = []
    for op, av in items:
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue
        found = _first_item(op, av, ignorecase)
        if found is None:
            return None
        members += found[0]
        if not found[1]:
            return members, False
    return members, True


def _first_item(op: Any, av: Any, ignorecase: bool) -> tuple[list[str], bool] | None:
    """What _first gives for one item of a parse."""
    if op in (_c.LITERAL, _c.IN):
        one = _one_character(op, av)
        scoped = "(?i:{})" if ignorecase else "(?-i:{})"
        return None if one is None else ([scoped.format(one)], False)
    if op is _c.BRANCH:
        return _first_of_any([list(branch) for branch in av[1]], ignorecase)
    if op is _c.SUBPATTERN and not (av[1] | av[2]) & ~re.IGNORECASE:
        inner = (ignorecase or bool(av[1] & re.IGNORECASE)) and not av[2] & re.IGNORECASE
        return _first(list(av[3]), inner)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        found = _first(list(av[2]), ignorecase) if av[1] else ([], True)
        return None if found is None else (found[0], found[1] or av[0] == 0)
    if op is _c.ATOMIC_GROUP:
        return _first(list(av), ignorecase)
    return None  # any character, a back reference, a conditional, other flags: not known


def _first_of_any(branches: list[list[Any]], ignorecase: bool) -> tuple[list[str], bool] | None:
    """What _first gives for alternatives: any may begin a match, and be empty."""
    members: list[str] = []
    empty = False
    for branch in branches:
        found = _first(branch, ignorecase)
        if found is None:
            return None
        members += found[0]
        empty = empty or found[1]
    return members, empty


def _one_character(op: Any, av: Any) -> str | None:
    """A regex for one character as a LITERAL or IN item matches it; None for a negated
    class or one this does not read."""
    if op is _c.LITERAL:
        return re.escape(chr(av))
    body = []
    for o, a in av:
        if o is _c.LITERAL:
            body.append(re.escape(chr(a)))
        elif o is _c.RANGE:
            body.append(f"{re.escape(chr(a[0]))}-{re.escape(chr(a[1]))}")
        elif o is _c.CATEGORY and str(a) in _CATEGORY_ESCAPES:
            body.append(_CATEGORY_ESCAPES[str(a)])
        else:
            return None
    return "[" + "".join(body) + "]"
