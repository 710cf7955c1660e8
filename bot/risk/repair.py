"""Text repairs that keep a map back to the original offsets: broken encodings, HTML
entities, invisible marks, look-alike letters, odd spaces; and the folding tables.

Most comments need none of the rarer repairs. Whether one could apply is decided from the
set of characters in the text (computed once per comment), since a set test costs far less
than a regex scan over the text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass

# One character in, one character out: offsets stay put. Facebook Swedish often lacks å/ä/ö,
# so both the text and the rule literals are folded the same way.
FOLD: dict[int, str] = {}
for _chars, _to in (
    ("åäáàâãāæ", "a"),
    ("öøóòôõō", "o"),
    ("éèêëē", "e"),
    ("üúùû", "u"),
    ("íìîïı", "i"),
    ("ýÿ", "y"),
    ("ç", "c"),
    ("ñ", "n"),
    ("ß", "s"),
    ("’‘´`", "'"),
    ("–—‐‑‒―", "-"),
    (
        "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
        "\u202f\u205f\u3000",
        " ",
    ),
    ("\r\u2028\u2029\x0b\x0c\x85", "\n"),
):
    for _c in _chars:
        FOLD[ord(_c)] = _to
# A list indexed by code point translates several times faster than a dict; characters past
# its end raise IndexError, which str.translate takes as "leave unchanged".
FOLD_TABLE = [chr(i) for i in range(max(FOLD) + 1)]
for _k, _v in FOLD.items():
    FOLD_TABLE[_k] = _v
# The same for text that is all Latin-1 (what Swedish text mostly is), byte for byte.
FOLD_BYTES = bytes(ord(FOLD_TABLE[i]) for i in range(256))
# Whitespace and line-break variants only: one character each way, for the PII detectors.
_SPACES = {k: v for k, v in FOLD.items() if v in (" ", "\n", "-")}
_SPACE_TABLE = str.maketrans(_SPACES)
_SPACE_CHARS = frozenset(map(chr, _SPACES))

# Invisible characters (soft hyphen, zero-width, direction marks, variation selectors) and
# combining marks vanish; they split words for no visible reason.
COMBINING = re.compile(r"[\u0300-\u036f\u00ad\u200b-\u200f\u2060-\u2064\ufeff\ufe00-\ufe0f]+")
_COMPOSE = re.compile(r".[\u0300-\u036f]+")
# What _COMPOSE needs: a search for one character of a class skips ahead, where _COMPOSE's
# leading "." tries every position (most texts with marks have only an emoji's U+FE0F).
_COMBINING_ACCENT = re.compile(r"[\u0300-\u036f]")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
# Text that went through a broken pipeline: JSON-escaped twice ("\u00e5") or UTF-8 read as
# Latin-1/CP1252 ("Ã¥"). Both are repaired so that "sj\u00e4lvmord" and "sjÃ¤lvmord" match.
_ESCAPED = re.compile(r"\\u[0-9a-fA-F]{4}")
_MOJIBAKE = re.compile(
    r"[\u00c2-\u00df][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_MOJIBAKE_LEADS = frozenset(map(chr, range(0xC2, 0xE0)))
# Fullwidth, mathematical and enclosed letters/digits ("𝐣𝐚𝐯𝐥𝐚", "ｆａｎ") used to dodge filters.
COMPAT = re.compile(r"[\uff01-\uff5e\u2460-\u24ff\U0001d400-\U0001d7ff\U0001f130-\U0001f189]")
# Characters that mark removal, composition or look-alike repair would touch.
_MARKS = frozenset(
    chr(c)
    for a, b in (
        (0x300, 0x36F),
        (0xAD, 0xAD),
        (0x200B, 0x200F),
        (0x2060, 0x2064),
        (0xFEFF, 0xFEFF),
        (0xFE00, 0xFE0F),
        (0xFF01, 0xFF5E),
        (0x2460, 0x24FF),
        (0x1D400, 0x1D7FF),
        (0x1F130, 0x1F189),
    )
    for c in range(a, b + 1)
)
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
# Marks that removal takes out and leaves nothing in their place (COMBINING without accents),
# and the others: accents composed into letters, look-alikes made letters or digits.
_INVISIBLE_RUN = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff\ufe00-\ufe0f]+")
_VISIBLE_MARKS = frozenset(c for c in _MARKS if not _INVISIBLE_RUN.fullmatch(c))


# Not frozen: one is made for every comment, and a frozen dataclass sets each field through
# object.__setattr__ (three times the cost). Nothing changes one once it is made.
@dataclass(slots=True)
class Normalized:
    """A normalised text and, per normalised character, its span in the original."""

    original: str
    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the original text."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


@dataclass(slots=True)
class Repaired:
    """Text under repair: its offset map so far and what is known of its characters."""

    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None
    chars: Set[str] | None = None  # the characters of `text`, or None when not known

    def characters(self) -> Set[str]:
        """The set of characters in the text (computed once)."""
        if self.chars is None:
            self.chars = set(self.text)
        return self.chars

    def apply(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> None:
        """Replace the matches of `pattern`, keeping the offset map."""
        text, self.starts, self.ends = rewrite(self.text, self.starts, self.ends, pattern, repl)
        if text is not self.text:
            self.text, self.chars = text, None

    def is_wide(self) -> bool:
        """Whether a character lies beyond Latin-1."""
        return not is_latin1(self.text)

    def has_marks(self) -> bool:
        """Whether invisible marks, combining marks or look-alike letters occur."""
        return not self.text.isascii() and not self.characters().isdisjoint(_MARKS)


def repair(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Undo HTML entities, double JSON escaping and mojibake, keeping an offset map."""
    fixed = repaired(text)
    return fixed.text, fixed.starts, fixed.ends


def repaired(text: str, chars: Set[str] | None = None) -> Repaired:
    """As repair(), keeping what is known of the characters (`chars`: those of `text`)."""
    out = Repaired(text, chars=chars)
    if "&" in text and _ENTITY.search(text):
        out.apply(_ENTITY, _unescape)
    if "\\u" in out.text and _ESCAPED.search(out.text):
        out.apply(_ESCAPED, lambda m: chr(int(m.group()[2:], 16)))
    if (
        not out.text.isascii()
        and not out.characters().isdisjoint(_MOJIBAKE_LEADS)
        and _MOJIBAKE.search(out.text)
    ):
        out.apply(_MOJIBAKE, _demojibake)
    return out


def needs_repair(text: str, chars: Set[str] | None = None) -> bool:
    """Whether repaired() may change `text`: False means it would return the text as it is
    (no "&", no "\\u", no letter that begins mojibake), found without building a Repaired."""
    if "&" in text or "\\u" in text:
        return True
    return not text.isascii() and not (chars or set(text)).isdisjoint(_MOJIBAKE_LEADS)


def is_latin1(text: str) -> bool:
    """Whether every character is Latin-1: a search in C, where max() of the characters
    compares them one by one (0.4 against 1.0 us for a typical comment)."""
    return text.isascii() or _BEYOND_LATIN1.search(text) is None


def detectors_need_cleaning(text: str, chars: Set[str]) -> bool:
    """Whether the detectors must read `text` through clean_for_detectors() (`chars`: its
    characters). False when cleaning would not change it, and when its only marks are
    invisible ones right after a symbol, as in most texts with an emoji ("❤️" is U+2764 then
    U+FE0F): no detector reads a symbol as part of a number, an address or an e-mail address,
    so with the mark or without it they find the same, at the same offsets."""
    if not chars.isdisjoint(_SPACE_CHARS) or needs_repair(text, chars):
        return True
    if text.isascii() or chars.isdisjoint(_MARKS):
        return False
    if not chars.isdisjoint(_VISIBLE_MARKS):
        return True
    for run in _INVISIBLE_RUN.finditer(text):
        start = run.start()
        before = text[start - 1] if start else " "
        if before <= "\x7f" or before.isalnum() or before == "_" or before.isspace():
            return True  # the mark may split a word, a number or "noll"
    return False


def might_gain_characters(text: str, chars: Set[str] | None = None) -> bool:
    """Whether repairs could put new characters in `text` (entities, escapes, look-alikes,
    or invisible marks that split words); mojibake, spaces and dashes give letters only."""
    if "&" in text or "\\u" in text:
        return True
    return not text.isascii() and not (chars or set(text)).isdisjoint(_MARKS)


def clean_for_detectors(original: str, chars: Set[str] | None = None) -> Normalized:
    """Original case kept, but odd spaces unified, invisible marks removed, accents composed."""
    chars = chars if chars is not None else set(original)
    text = original
    if not chars.isdisjoint(_SPACE_CHARS):
        text = original.translate(_SPACE_TABLE)
        chars = None
    fixed = repaired(text, chars)
    if not fixed.has_marks():
        return Normalized(original, fixed.text, fixed.starts, fixed.ends)
    if _COMBINING_ACCENT.search(fixed.text):
        fixed.apply(_COMPOSE, lambda m: unicodedata.normalize("NFC", m.group()))
    if COMBINING.search(fixed.text):
        fixed.apply(COMBINING, lambda m: "")
    if COMPAT.search(fixed.text):
        fixed.apply(COMPAT, compat)
    return Normalized(original, fixed.text, fixed.starts, fixed.ends)


def _demojibake(match: re.Match[str]) -> str:
    raw = match.group()
    try:
        data = bytes(ord(c) if ord(c) < 256 else c.encode("cp1252")[0] for c in raw)
        fixed = data.decode("utf-8")
    except (UnicodeError, ValueError):
        return raw
    # Only Latin letters and common punctuation count as a repair; "Ö–" stays as written.
    return fixed if "\u00a0" <= fixed <= "\u024f" or "\u2010" <= fixed <= "\u2027" else raw


def _unescape(match: re.Match[str]) -> str:
    return html.unescape(match.group())


def compat(match: re.Match[str]) -> str:
    """The plain form of a look-alike letter or digit."""
    return unicodedata.normalize("NFKC", match.group())


def lower_per_char(
    text: str, starts: list[int] | None, ends: list[int] | None
) -> tuple[str, list[int], list[int]]:
    """Lowercase one character at a time (some characters grow when lowercased)."""
    if starts is None or ends is None:
        starts = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
    return "".join(c.lower()[0] if c.lower() else c for c in text), starts, ends


def rewrite(
    text: str,
    starts: list[int] | None,
    ends: list[int] | None,
    pattern: re.Pattern[str],
    repl: Callable[[re.Match[str]], str],
) -> tuple[str, list[int] | None, list[int] | None]:
    """Replace the matches of `pattern` with repl(match), keeping the offset map."""
    changes = []
    for match in pattern.finditer(text):
        a, b = match.span()
        if a < b:
            new = repl(match)
            if new != text[a:b]:
                changes.append((a, b, new))
    if not changes:
        return text, starts, ends
    # Offsets so far (identity ranges until something has moved).
    old_starts: Sequence[int] = range(len(text)) if starts is None else starts
    old_ends: Sequence[int] = range(1, len(text) + 1) if ends is None else ends
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for a, b, new in changes:
        pieces.append(text[pos:a])
        new_starts += old_starts[pos:a]
        new_ends += old_ends[pos:a]
        if len(new) == b - a:
            new_starts += old_starts[a:b]
            new_ends += old_ends[a:b]
        else:
            new_starts += [old_starts[a]] * len(new)
            new_ends += [old_ends[b - 1]] * len(new)
        pieces.append(new)
        pos = b
    pieces.append(text[pos:])
    new_starts += old_starts[pos:]
    new_ends += old_ends[pos:]
    return "".join(pieces), new_starts, new_ends
