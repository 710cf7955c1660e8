"""Normalise Swedish social-media text once, keeping a map back to the original offsets."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

VOWELS = "aeiouy"

# One character in, one character out: offsets stay put. Facebook Swedish often lacks å/ä/ö,
# so both the text and the rule literals are folded the same way.
_FOLD: dict[int, str] = {}
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
        _FOLD[ord(_c)] = _to
_FOLD_TABLE = str.maketrans(_FOLD)
_FOLDABLE = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")
_SPACE_CHARS = re.compile(
    "[" + re.escape("".join(chr(k) for k, v in _FOLD.items() if v in (" ", "\n", "-"))) + "]"
)
# Whitespace and line-break variants only: one character each way, for the PII detectors.
_SPACE_TABLE = str.maketrans({k: v for k, v in _FOLD.items() if v in (" ", "\n", "-")})

# Invisible characters (soft hyphen, zero-width, direction marks, variation selectors) and
# combining marks vanish; they split words for no visible reason.
_COMBINING = re.compile(r"[\u0300-\u036f\u00ad\u200b-\u200f\u2060-\u2064\ufeff\ufe00-\ufe0f]+")
_COMPOSE = re.compile(r".[\u0300-\u036f]+")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
# Text that went through a broken pipeline: JSON-escaped twice ("\u00e5") or UTF-8 read as
# Latin-1/CP1252 ("Ã¥"). Both are repaired so that "sj\u00e4lvmord" and "sjÃ¤lvmord" match.
_ESCAPED = re.compile(r"\\u[0-9a-fA-F]{4}")
_MOJIBAKE = re.compile(
    r"[\u00c2-\u00df][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
# Fullwidth, mathematical and enclosed letters/digits ("𝐣𝐚𝐯𝐥𝐚", "ｆａｎ") used to dodge filters.
_COMPAT = re.compile(r"[\uff01-\uff5e\u2460-\u24ff\U0001d400-\U0001d7ff\U0001f130-\U0001f189]")
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
_LEET.update({"€": "e", "!": "i", "|": "i"})
_MASK_CHARS = "*#"
# A token that mixes letters with digits or symbols; only those get a Python-level look.
_OBFUSCATED_HINT = re.compile(r"[a-z][0-9@$€*#]|[0-9@$€*#][a-z]|[a-z][!|][a-z]")
_SYMBOL_TOKEN = re.compile(r"[\w@$€!|*#]+")
_PLAIN_NUMBERISH = re.compile(r"\d+[a-z]+|[a-z]+\d+")
_SPACED = re.compile(r"(?<!\w)(?:[a-z][ .\-_*]){2,}[a-z](?!\w)")
_SPACED_SEP = re.compile(r"[ .\-_*]")
_REPEAT = re.compile(r"([aeiouy])\1+|([b-df-hj-np-tv-xz])\2{2,}")
# One pass deciding whether any of the three late repairs is needed at all.
_LATE = re.compile(
    f"{_OBFUSCATED_HINT.pattern}|\\b[a-z][ .\\-_*][a-z][ .\\-_*][a-z]\\b"
    "|([aeiouy])\\1|([b-df-hj-np-tv-xz])\\2\\2"
)
# Any character that one of the rarer repairs (marks, look-alikes, mojibake) would touch.
_EXOTIC = re.compile(
    "[\u0300-\u036f\u00ad\u200b-\u200f\u2060-\u2064\ufeff\ufe00-\ufe0f\uff01-\uff5e"
    "\u2460-\u24ff\U0001d400-\U0001d7ff\U0001f130-\U0001f189\u00c2-\u00df]"
)


def fold_literal(text: str) -> str:
    """Fold a rule literal as text is folded: lowercase, no diacritics, repeats collapsed."""
    folded = _COMBINING.sub("", text.lower()).translate(_FOLD_TABLE)
    return _REPEAT.sub(_collapse, folded)


def _collapse(match: re.Match[str]) -> str:
    vowel = match.group(1)
    return vowel if vowel else match.group(2) * 2


@dataclass(frozen=True, slots=True)
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


class Normalizer:
    """Lowercase, fold diacritics, map emojis, undo leetspeak/masks/spacing, collapse repeats."""

    def __init__(
        self, *, emoji_words: Mapping[str, str] | None = None, mask_words: Iterable[str] = ()
    ) -> None:
        self._emoji = {k: f" {v} " for k, v in (emoji_words or {}).items()}
        keys = sorted(self._emoji, key=len, reverse=True)
        if all(len(k) == 1 for k in keys):  # one character class is much faster to scan
            pattern = "[" + "".join(re.escape(k) for k in keys) + "]"
        else:
            pattern = "|".join(re.escape(k) for k in keys)
        self._emoji_rx = re.compile(pattern) if keys else None
        self._mask_words = sorted({fold_literal(w) for w in mask_words if w}, key=len)

    def normalize(self, original: str) -> Normalized:
        """Return the normalised form of `original` with its offset map."""
        text = original
        starts: list[int] | None = None
        ends: list[int] | None = None
        text, starts, ends = repair(text)
        ascii_only = text.isascii()
        exotic = not ascii_only and _EXOTIC.search(text) is not None
        if exotic and _COMPAT.search(text):
            text, starts, ends = _rewrite(text, starts, ends, _COMPAT, _compat)
        lowered = text.lower()
        if len(lowered) != len(text):
            text, starts, ends = _lower_per_char(text, starts, ends)
        else:
            text = lowered
        if not ascii_only:
            if exotic and _COMBINING.search(text):
                text, starts, ends = _rewrite(text, starts, ends, _COMBINING, lambda m: "")
            text = text.translate(_FOLD_TABLE)
            if self._emoji_rx is not None and self._emoji_rx.search(text):
                emoji = self._emoji
                text, starts, ends = _rewrite(
                    text, starts, ends, self._emoji_rx, lambda m: emoji[m.group()]
                )
        if not _LATE.search(text):
            return Normalized(original, text, starts, ends)
        if _OBFUSCATED_HINT.search(text):
            text, starts, ends = _rewrite(text, starts, ends, _SYMBOL_TOKEN, self._deobfuscate)
        if _SPACED.search(text):
            text, starts, ends = _rewrite(
                text, starts, ends, _SPACED, lambda m: _SPACED_SEP.sub("", m.group())
            )
        if _REPEAT.search(text):
            text, starts, ends = _rewrite(text, starts, ends, _REPEAT, _collapse)
        return Normalized(original, text, starts, ends)

    def _deobfuscate(self, match: re.Match[str]) -> str:
        token = match.group()
        if not _OBFUSCATED_HINT.search(token):
            return token
        core = token.rstrip("!|")
        tail = token[len(core) :]
        if any(c in _MASK_CHARS for c in core):
            return self._unmask(core) + tail
        if _PLAIN_NUMBERISH.fullmatch(core) or not any(c.isalpha() for c in core):
            return token
        return "".join(_LEET.get(c, c) for c in core) + tail

    def _unmask(self, token: str) -> str:
        parts: list[str] = []
        for c in token:
            if c in _MASK_CHARS:
                parts.append(r"\w{0,3}" if parts and parts[-1] == r"\w{1,3}" else r"\w{1,3}")
            elif c in _LEET:
                parts.append(f"[{re.escape(_LEET[c])}{re.escape(c)}]")
            else:
                parts.append(re.escape(c))
        candidate = re.compile("".join(parts))
        for word in self._mask_words:
            if candidate.fullmatch(word):
                return word
        return "".join(_LEET.get(c, c) for c in token)


def repair(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Undo HTML entities, double JSON escaping and mojibake, keeping an offset map."""
    starts: list[int] | None = None
    ends: list[int] | None = None
    if "&" in text and _ENTITY.search(text):
        text, starts, ends = _rewrite(text, starts, ends, _ENTITY, _unescape)
    if "\\u" in text and _ESCAPED.search(text):
        text, starts, ends = _rewrite(
            text, starts, ends, _ESCAPED, lambda m: chr(int(m.group()[2:], 16))
        )
    if not text.isascii() and _EXOTIC.search(text) and _MOJIBAKE.search(text):
        text, starts, ends = _rewrite(text, starts, ends, _MOJIBAKE, _demojibake)
    return text, starts, ends


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


def _compat(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def _lower_per_char(
    text: str, starts: list[int] | None, ends: list[int] | None
) -> tuple[str, list[int], list[int]]:
    """Lowercase one character at a time (some characters grow when lowercased)."""
    if starts is None or ends is None:
        starts = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
    return "".join(c.lower()[0] if c.lower() else c for c in text), starts, ends


def clean_for_detectors(original: str) -> Normalized:
    """Original case kept, but odd spaces unified, invisible marks removed, accents composed."""
    text = original.translate(_SPACE_TABLE) if _SPACE_CHARS.search(original) else original
    text, starts, ends = repair(text)
    if text.isascii() or not _EXOTIC.search(text):
        return Normalized(original, text, starts, ends)
    if _COMPOSE.search(text):
        text, starts, ends = _rewrite(
            text, starts, ends, _COMPOSE, lambda m: unicodedata.normalize("NFC", m.group())
        )
    if _COMBINING.search(text):
        text, starts, ends = _rewrite(text, starts, ends, _COMBINING, lambda m: "")
    if _COMPAT.search(text):
        text, starts, ends = _rewrite(text, starts, ends, _COMPAT, _compat)
    return Normalized(original, text, starts, ends)


def _rewrite(
    text: str,
    starts: list[int] | None,
    ends: list[int] | None,
    pattern: re.Pattern[str],
    repl: Callable[[re.Match[str]], str],
) -> tuple[str, list[int] | None, list[int] | None]:
    matches = [m for m in pattern.finditer(text) if m.start() < m.end()]
    replacements = [repl(m) for m in matches]
    if all(new == m.group() for new, m in zip(replacements, matches, strict=True)):
        return text, starts, ends
    if starts is None or ends is None:
        starts = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for match, new in zip(matches, replacements, strict=True):
        a, b = match.span()
        if new == match.group():
            continue
        pieces.append(text[pos:a])
        new_starts += starts[pos:a]
        new_ends += ends[pos:a]
        if len(new) == b - a:
            new_starts += starts[a:b]
            new_ends += ends[a:b]
        else:
            new_starts += [starts[a]] * len(new)
            new_ends += [ends[b - 1]] * len(new)
        pieces.append(new)
        pos = b
    pieces.append(text[pos:])
    new_starts += starts[pos:]
    new_ends += ends[pos:]
    return "".join(pieces), new_starts, new_ends
