"""Detectors for personal data: personnummer, phone numbers, e-mail and street addresses."""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import date

from bot.risk.normalize import clean_for_detectors, fold_literal, might_gain_characters
from bot.risk.repair import detectors_need_cleaning, is_latin1

_PNR = re.compile(
    r"(?<![\w+\-/.,])((?:18|19|20)?)(\d{2})(\d{2})(\d{2})( ?[-+] ?| ?)(\d{4})(?![\w]|[-/.,]\d)"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+ ?|00)46[ \-]?(?:\(0\)[ \-]?)?[1-9]|\(?0[1-9])"
    r"(?:(?:[ \-/]{1,3}|\) ?)?\d){5,8}(?![\d]|[\-/]\d)"
)
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[a-zA-Z]{2,}(?!\w)")
# "[\d@]|[nN][oO][lL][lL]", written to start with one character class: sre then scans for
# that class in C instead of trying the pattern at every position.
_DIGIT_OR_AT = re.compile(r"[\d@nN](?:(?<=[nN])[oO][lL][lL]|(?<![nN]))")
# Cheap tests that a detector can match at all: six digits in a row for a personnummer, a
# leading 0 or +46 for a phone number.
_SIX_DIGITS = re.compile(r"\d{6}")
_SIX_ASCII_DIGITS = re.compile(r"[0-9]{6}")  # the same in Latin-1 text, without Unicode lookups
_DIGITS_OR_AT = frozenset("0123456789@")
# A digit beyond ASCII (\d is any decimal digit): looked for only in non-ASCII text.
_WIDE_DIGIT = re.compile(r"[^\x00-\x7f](?<=\d)")
_PHONE_START = re.compile(r"\+ ?46|0046|0[1-9]")
_NUMBER_WORDS = {
    "noll": "0",
    "ett": "1",
    "en": "1",
    "två": "2",
    "tva": "2",
    "tre": "3",
    "fyra": "4",
    "fem": "5",
    "sex": "6",
    "sju": "7",
    "åtta": "8",
    "atta": "8",
    "nio": "9",
}
_WORD_ALT = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_SPELLED_PHONE = re.compile(
    rf"(?<!\w)noll(?:[\s,\-]{{1,3}}(?:{_WORD_ALT}|\d+)(?!\w)){{3,12}}", re.IGNORECASE
)
_MOBILE_THIRD = "02369"
_SERVICE_PREFIXES = ("020", "0771", "0900", "0939", "0944", "099")
_SENTENCE_END = re.compile(r"[.!?\n]")
# "(?<=\s)\d{1,3}...", started at a digit (see _DIGIT_OR_AT).
_HOUSE_NUMBER = re.compile(r"\d(?<=\s\d)\d{0,2}(?:\s?[a-hA-H])?(?![\w]|[,./]\d|\s*%)")
# The same for Latin-1 text, where \d is [0-9]: a range test per character instead of a lookup
# in the Unicode database.
_HOUSE_NUMBER_LATIN1 = re.compile(
    r"[0-9](?<=\s[0-9])[0-9]{0,2}(?:\s?[a-hA-H])?(?![\w]|[,./][0-9]|\s*%)"
)
_STREET_PREFIX = re.compile(
    r"(?<!\w)(?:norra|s[öo]dra|[öo]stra|v[äa]stra|stora|lilla|gamla|nya)\s+$", re.IGNORECASE
)


def national_digits(number: str) -> str:
    """Digits of a phone number in national form: "+46 70-123" becomes "070123"."""
    raw = number.strip().replace("(0)", "")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+46"):
        return "0" + digits[2:]
    if digits.startswith("0046"):
        return "0" + digits[4:]
    return digits


def luhn_ok(ten_digits: str) -> bool:
    """True when the tenth digit is the Luhn check digit of the first nine."""
    total = 0
    for i, ch in enumerate(ten_digits[:9]):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10 == int(ten_digits[9])


def personnummer_kind(
    century: str, yymmdd: str, sep: str, tail: str, today: date | None = None
) -> str | None:
    """ "personnummer"/"samordningsnummer" when Luhn and date check out, else None."""
    if not luhn_ok(yymmdd + tail):
        return None
    today = today or date.today()  # noqa: DTZ011 - a birth date is a local calendar date
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    kind = "personnummer"
    if day > 60:
        day -= 60
        kind = "samordningsnummer"
    if century:
        year = int(century) * 100 + yy
    else:
        year = today.year - today.year % 100 + yy
        if (year, month, day) > (today.year, today.month, today.day):
            year -= 100
        if sep.strip() == "+":
            year -= 100
    try:
        born = date(year, month, day)
    except ValueError:
        return None
    return kind if born <= today and year >= 1850 else None


@dataclass(frozen=True, slots=True)
class PiiConfig:
    """Allowlists, address vocabulary and weights for the personal-data detectors."""

    own_numbers: frozenset[str] = frozenset()
    public_numbers: frozenset[str] = frozenset()
    nonpersonal_localparts: frozenset[str] = frozenset()
    street_suffixes: tuple[str, ...] = ("gatan", "vägen")
    address_cues: tuple[str, ...] = ("bor",)
    venue_cues: tuple[str, ...] = ()
    order_cues: tuple[str, ...] = ()
    weights: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal data found in the original text."""

    kind: str
    start: int
    end: int
    text: str
    cued: bool = True


class PiiDetector:
    """Finds personal data in original (not normalised) text."""

    def __init__(self, config: PiiConfig, today: date | None = None) -> None:
        self.config = config
        self._today = today
        self._allowed = config.own_numbers | config.public_numbers
        suffixes = {fold_literal(s) for s in config.street_suffixes} | {
            s.lower() for s in config.street_suffixes
        }
        self._suffixes = tuple(sorted(suffixes, key=len, reverse=True))
        self._longest = max(map(len, suffixes), default=0)
        self._alphabetic = all(s.isalpha() for s in suffixes)
        self._cue = _word_regex(config.address_cues)
        self._venue = _word_regex(config.venue_cues)
        self._order = _word_regex(config.order_cues)

    def find(self, text: str, chars: Set[str] | None = None) -> list[PiiMatch]:
        """All personal data in `text` (offsets in `text`), in order of position. `chars`:
        the set of characters in `text`, when known."""
        chars = set(text) if chars is None else chars
        latin1 = is_latin1(text)
        present = (
            not chars.isdisjoint(_DIGITS_OR_AT)
            # No Latin-1 character beyond ASCII is a digit.
            or (not latin1 and _WIDE_DIGIT.search(text) is not None)
            or "noll" in text.lower()
        )
        if not present and not might_gain_characters(text, chars):
            return []  # no digit, "@" or "noll", and cleaning could not add one
        if not detectors_need_cleaning(text, chars):
            return self._find(text, present, latin1=latin1)
        clean = clean_for_detectors(text, chars)
        if clean.text is text:  # unchanged: what is known of the characters still holds
            return self._find(text, present, latin1=latin1)
        out = []
        for m in self._find(clean.text, None, latin1=False):
            start, end = clean.span(m.start, m.end)
            out.append(PiiMatch(m.kind, start, end, text[start:end], m.cued))
        return out

    def _find(self, text: str, present: bool | None, *, latin1: bool) -> list[PiiMatch]:
        """Detections in a cleaned text; `present`: whether it has a digit, "@" or "noll"
        (None: not known), `latin1`: whether all its characters are (then \\d is [0-9])."""
        if present is None:
            present = _DIGIT_OR_AT.search(text) is not None
        if not present:
            return []
        found: list[PiiMatch] = []
        if (_SIX_ASCII_DIGITS if latin1 else _SIX_DIGITS).search(text):
            found += self._personnummer(text)
        if _PHONE_START.search(text):
            found += self._phones(text, found)
        if "noll" in text.lower():
            found += self._spelled_phones(text, found)
        if "@" in text:
            found += self._emails(text)
        found += self._addresses(text, latin1)
        found.sort(key=lambda m: m.start)
        return found

    def _personnummer(self, text: str) -> list[PiiMatch]:
        out = []
        for m in _PNR.finditer(text):
            century, yy, mm, dd, sep, tail = m.groups()
            if not sep and not century and text[m.start()] == "0" and yy[1] == "7":
                continue  # an unseparated 07x... is a mobile number, found below
            kind = personnummer_kind(century, yy + mm + dd, sep, tail, self._today)
            if kind and not self._order_context(text, m.start()):
                out.append(PiiMatch(kind, m.start(), m.end(), m.group()))
        return out

    def _order_context(self, text: str, start: int) -> bool:
        if self._order is None:
            return False
        return bool(self._order.search(fold_literal(text[max(0, start - 30) : start])))

    def _phones(self, text: str, taken: list[PiiMatch]) -> list[PiiMatch]:
        out = []
        for m in _PHONE.finditer(text):
            if any(t.start < m.end() and m.start() < t.end for t in taken):
                continue
            digits = national_digits(m.group().lstrip("("))
            if self._is_personal_number(digits) and not self._order_context(text, m.start()):
                out.append(PiiMatch("phone", m.start(), m.end(), m.group()))
        return out

    def _spelled_phones(self, text: str, taken: list[PiiMatch]) -> list[PiiMatch]:
        out = []
        for m in _SPELLED_PHONE.finditer(text):
            if any(t.start < m.end() and m.start() < t.end for t in taken):
                continue
            parts = re.findall(rf"{_WORD_ALT}|\d+", m.group(), re.IGNORECASE)
            digits = "".join(_NUMBER_WORDS.get(p.lower(), p) for p in parts)
            if self._is_personal_number(digits):
                out.append(PiiMatch("phone", m.start(), m.end(), m.group()))
        return out

    def _is_personal_number(self, digits: str) -> bool:
        if digits in self._allowed or digits.startswith(_SERVICE_PREFIXES):
            return False
        if digits.startswith("07"):
            return len(digits) == 10 and digits[2] in _MOBILE_THIRD
        return digits.startswith("0") and 8 <= len(digits) <= 10

    def _emails(self, text: str) -> list[PiiMatch]:
        out = []
        for m in _EMAIL.finditer(text):
            local = m.group().split("@", 1)[0].lower()
            if local not in self.config.nonpersonal_localparts:
                out.append(PiiMatch("email", m.start(), m.end(), m.group()))
        return out

    def _addresses(self, text: str, latin1: bool = False) -> list[PiiMatch]:
        """Street + house number, found from the number and widened to the street name
        (far cheaper than trying a street pattern at every position); `latin1`: whether all
        of the text's characters are."""
        out = []
        for m in (_HOUSE_NUMBER_LATIN1 if latin1 else _HOUSE_NUMBER).finditer(text):
            end_of_name = m.start()
            while end_of_name and text[end_of_name - 1].isspace():
                end_of_name -= 1
            # Street names end in a suffix of letters: look at the last letters before
            # walking back over the whole name.
            tail = text[max(0, end_of_name - self._longest) : end_of_name].lower()
            if self._alphabetic and not tail.endswith(self._suffixes):
                continue
            start = end_of_name
            while start and text[start - 1].isalpha():
                start -= 1
            name = text[start:end_of_name].lower()
            if not name.endswith(self._suffixes):
                continue
            suffix = next((s for s in self._suffixes if name.endswith(s)), None)
            if suffix is None or len(name) - len(suffix) < 2:
                continue
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue
            prefix = _STREET_PREFIX.search(text, max(0, start - 12), start)
            if prefix:
                start = prefix.start()
            out.append(
                PiiMatch(
                    "address",
                    start,
                    m.end(),
                    text[start : m.end()],
                    self._cued(text, start, m.end()),
                )
            )
        return out

    def _cued(self, text: str, start: int, end: int) -> bool:
        """A home address unless only a public place (library, school, box) is near it."""
        before = text[max(0, start - 80) : start]
        ends = list(_SENTENCE_END.finditer(before))
        if ends:
            before = before[ends[-1].end() :]
        after = _SENTENCE_END.split(text[end : end + 60], maxsplit=1)[0]
        context = fold_literal(before + " " + after)
        if self._cue is not None and self._cue.search(context):
            return True
        return not (self._venue is not None and self._venue.search(context))


def _word_regex(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole words or phrases; a trailing * allows any ending ("adress*")."""
    if not words:
        return None
    alts = (re.escape(w).replace(r"\*", r"\w*") for w in sorted(words, key=len, reverse=True))
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b")
