"""Absence periods and dates typed the way Swedes type them in chat.

Rules, so that nothing is guessed silently:
- A weekday name ("fredag", "på fre") is its next occurrence strictly after today; today is "idag".
  "nästa fredag" is refused because Swedes disagree on whether it means this or next week's Friday.
- A date or week without a year is its next occurrence that is not over: a single date on or after
  today, a period whose end is on or after today (so on 21 Nov, "16–25 nov" is this November).
- A yearless end ("24/12–2/1") is the first occurrence on or after the start; a yearless start
  before an end with a year ("28/12–3/1 2027") is the last occurrence on or before that end.
- "24/12-26" is the traditional d/m-yy date (24 Dec 2026); if that lies in the past the text is
  refused, since it was probably a range. Write ranges as "24–26/12" or "24/12–26/12".
- Weeks are ISO weeks, Monday–Sunday; "den här veckan" includes its days already gone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

_MAX_INFERRED_CROSSING = 183
_HINT = "Skriv till exempel 24/12, 3–7 mars eller v. 52."
_MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
_DAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
_DAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_MONTH = (
    r"(?P<mon>jan(?:uari)?|feb(?:ruari)?|mars?|apr(?:il)?|maj|juni?|juli?|aug(?:usti)?"
    r"|sept?(?:ember)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = (
    r"(?P<wd>mån(?:dag)?|tis(?:dag)?|ons(?:dag)?|tor(?:s(?:dag)?)?|fre(?:dag)?|lör(?:dag)?"
    r"|sön(?:dag)?)\.?"
)
_ON_DAY = rf"(?:{_WEEKDAY},? )?(?:den )?"
_YEAR = r"(?:,? (?P<y>\d{4}))?"
_ORDINAL = r"(?::?[ae])?"
_SEPARATOR = re.compile(r" ?- ?| (?:till och med|till|t\.? ?o\.? ?m\.?) ")

_TODAY = re.compile(r"^i ?dag$")
_TOMORROW = re.compile(r"^i ?(?:morgon|morn|morrn)$")
_DAY_AFTER = re.compile(r"^(?:i ?)?övermorgon$")
_THIS_WEEK = re.compile(r"^(?:hela )?(?:den här veckan|denna veckan?|i veckan|veckan)$")
_NEXT_WEEK = re.compile(r"^(?:hela )?(?:nästa|kommande) vecka$")
_NEXT_WEEKDAY = re.compile(rf"^nästa {_WEEKDAY}$")
_WEEKDAY_ONLY = re.compile(rf"^(?:på |nu på |kommande )?{_WEEKDAY}$")
_WEEK = re.compile(rf"^(?:hela )?(?:v\.?|vecka) ?(?P<n>\d{{1,2}}){_YEAR}$")
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_NUMERIC = re.compile(
    rf"^{_ON_DAY}(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?:(?:,? |/)(?P<y>\d{{4}})|-(?P<yy>\d{{2}}))?$"
)
_TEXTUAL = re.compile(rf"^{_ON_DAY}(?P<d>\d{{1,2}}){_ORDINAL} {_MONTH}{_YEAR}$")
_BARE = re.compile(rf"^(?:den )?(?P<n>\d{{1,2}}){_ORDINAL}{_YEAR}$")


class DateParseError(ValueError):
    """A date or period that could not be read unambiguously; the message is Swedish."""


@dataclass(frozen=True)
class _Fixed:
    start: date
    end: date


@dataclass(frozen=True)
class _Day:
    day: int
    month: int
    year: int | None
    weekday: int | None = None  # a weekday written next to the date, checked after resolving


@dataclass(frozen=True)
class _Weekday:
    weekday: int


@dataclass(frozen=True)
class _Week:
    week: int
    year: int | None


@dataclass(frozen=True)
class _Bare:
    number: int
    year: int | None


_Spec = _Fixed | _Day | _Weekday | _Week | _Bare


def parse_period(text: str, *, today: date) -> tuple[date, date]:
    """Parse an absence period into (first day, last day), both inclusive."""
    s = _normalize(text)
    point = _parse_point(s, text, today)
    if point is not None and not isinstance(point, _Bare):
        return _resolve(point, None, today, text)
    found: list[tuple[_Spec, _Spec]] = []
    for sep in _SEPARATOR.finditer(s):
        pair = _pair(s[: sep.start()], s[sep.end() :], text, today)
        if pair is not None:
            found.append(pair)
    if len(found) != 1:
        raise DateParseError(_unclear(text))
    return _resolve(found[0][0], found[0][1], today, text)


def parse_date(text: str, *, today: date) -> date:
    """Parse a single day such as "i morgon", "fredag", "24/12" or "24 december 2026"."""
    point = _parse_point(_normalize(text), text, today)
    if isinstance(point, _Week) or (isinstance(point, _Fixed) and point.start != point.end):
        raise DateParseError(f"»{text.strip()}« är en hel vecka, inte ett datum. {_HINT}")
    if point is None or isinstance(point, _Bare):
        raise DateParseError(_unclear(text))
    return _resolve(point, None, today, text)[0]


def _unclear(text: str) -> str:
    return f"Kunde inte tolka datumet »{text.strip()}«. {_HINT}"


def _normalize(text: str) -> str:
    if len(text) > 80:
        raise DateParseError(_unclear(text[:40] + "…"))
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", text.strip().lower())
    s = re.sub(r"\s+", " ", s).rstrip(" ,.!?")
    return re.sub(r"^(?:från|fr\.? ?o\.? ?m\.?) ", "", s)


def _parse_point(s: str, text: str, today: date) -> _Spec | None:
    """Read one side of a period; None when s is not a date expression at all."""
    s = s.strip()
    return _parse_relative(s, text, today) or _parse_calendar(s, text, today)


def _parse_relative(s: str, text: str, today: date) -> _Spec | None:
    monday = today - timedelta(days=today.weekday())
    for pattern, days in ((_TODAY, 0), (_TOMORROW, 1), (_DAY_AFTER, 2)):
        if pattern.match(s):
            return _Fixed(today + timedelta(days=days), today + timedelta(days=days))
    for pattern, weeks in ((_THIS_WEEK, 0), (_NEXT_WEEK, 1)):
        if pattern.match(s):
            first = monday + timedelta(weeks=weeks)
            return _Fixed(first, first + timedelta(days=6))
    if m := _NEXT_WEEKDAY.match(s):
        raise DateParseError(
            f"»{text.strip()}« kan betyda två olika dagar. Skriv datumet, till exempel 27/11, "
            f"eller bara »{_DAY_NAMES[_weekday(m)]}« för den närmaste."
        )
    if m := _WEEKDAY_ONLY.match(s):
        return _Weekday(_weekday(m))
    return None


def _parse_calendar(s: str, text: str, today: date) -> _Spec | None:
    if m := _WEEK.match(s):
        week, year = int(m["n"]), _year(m)
        if not 1 <= week <= 53:
            raise DateParseError(f"Vecka {week} finns inte. Veckor numreras 1–53.")
        if year is not None and _week_span(week, year) is None:
            raise DateParseError(f"Vecka {week} finns inte år {year}.")
        return _Week(week, year)
    if m := _ISO.match(s):
        return _day(int(m["d"]), int(m["m"]), int(m["y"]), None, text)
    if m := _NUMERIC.match(s) or _TEXTUAL.match(s):
        month = _MONTHS.index(m["mon"][:3]) + 1 if "mon" in m.re.groupindex else int(m["m"])
        wd = _weekday(m) if m["wd"] else None
        short_year = m["yy"] if "yy" in m.re.groupindex else None
        if not short_year:
            return _day(int(m["d"]), month, _year(m), wd, text)
        year = 2000 + int(short_year)
        if date(year, month, _day(int(m["d"]), month, year, wd, text).day) < today:
            raise DateParseError(
                f"»{text.strip()}« ligger i det förflutna om -{short_year} är ett årtal. "
                f"Menar du en period? Skriv till exempel 24–26/12 eller 24/12–26/12."
            )
        return _day(int(m["d"]), month, year, wd, text)
    if m := _BARE.match(s):
        return _Bare(int(m["n"]), _year(m))
    return None


def _pair(left: str, right: str, text: str, today: date) -> tuple[_Spec, _Spec] | None:
    """Both sides of a period, with a bare number borrowing its month or week from the other."""
    a, b = _parse_point(left, text, today), _parse_point(right, text, today)
    if isinstance(a, _Bare) and isinstance(b, _Day) and a.year is None:
        return _day(a.number, b.month, b.year, None, text), b
    if isinstance(a, _Week) and isinstance(b, _Bare):
        if not 1 <= b.number <= 53:
            raise DateParseError(f"Vecka {b.number} finns inte. Veckor numreras 1–53.")
        return a, _Week(b.number, b.year)
    if a is None or b is None or isinstance(a, _Bare) or isinstance(b, _Bare):
        return None
    return a, b


def _resolve(a: _Spec, b: _Spec | None, today: date, text: str) -> tuple[date, date]:
    """Pin both sides to real dates by the rules in the module docstring."""
    if _is_yearless(a) and isinstance(b, _Fixed | _Day | _Week) and not _is_yearless(b):
        end = _after(b, today)[1]
        for start, _ in _spans(a, range(end.year + 1, end.year - 10, -1)):
            if start <= end:
                return _checked(a, b, start, end, text)
        raise DateParseError(_unclear(text))
    if _is_yearless(a):
        for start, own_end in _spans(a, range(today.year - 1, today.year + 10)):
            end = own_end if b is None else _after(b, start)[1]
            if end >= today:
                return _checked(a, b, start, end, text)
        raise DateParseError(_unclear(text))
    start, own_end = _after(a, today, strictly=True)
    return _checked(a, b, start, own_end if b is None else _after(b, start)[1], text)


def _checked(a: _Spec, b: _Spec | None, start: date, end: date, text: str) -> tuple[date, date]:
    if end < start:
        raise DateParseError(
            f"Slutet {_fmt(end)} ligger före början {_fmt(start)} i »{text.strip()}«."
        )
    # An inferred new year that makes a long period is usually a typo such as "30/3–3/3".
    inferred = _is_yearless(a) or (b is not None and _is_yearless(b))
    if inferred and start.year != end.year and (end - start).days > _MAX_INFERRED_CROSSING:
        raise DateParseError(
            f"»{text.strip()}« blir {(end - start).days + 1} dagar, {_fmt(start)}–{_fmt(end)}. "
            f"Skriv ut årtalen om det stämmer."
        )
    for spec, day in ((a, start), (b, end)):
        if isinstance(spec, _Day) and spec.weekday is not None and day.weekday() != spec.weekday:
            raise DateParseError(
                f"{_fmt(day)} är en {_DAY_NAMES[day.weekday()]}, "
                f"inte en {_DAY_NAMES[spec.weekday]}. Kontrollera datumet."
            )
    return start, end


def _after(spec: _Spec, start: date, *, strictly: bool = False) -> tuple[date, date]:
    """The first occurrence of spec ending on or after start (a weekday: after, if strictly)."""
    if isinstance(spec, _Fixed):
        return spec.start, spec.end
    if isinstance(spec, _Weekday):
        offset = (spec.weekday - start.weekday()) % 7 or (7 if strictly else 0)
        day = start + timedelta(days=offset)
        return day, day
    if isinstance(spec, _Bare):
        raise AssertionError("bare numbers are merged in _pair")
    years = range(start.year - 1, start.year + 10) if spec.year is None else [spec.year]
    for span in _spans(spec, years):
        if span[1] >= start or spec.year is not None:
            return span
    raise DateParseError(f"Datumet finns inte de närmaste åren. {_HINT}")


def _spans(spec: _Spec, years: range | list[int]) -> Iterator[tuple[date, date]]:
    for year in years:
        if isinstance(spec, _Day):
            try:
                day = date(year, spec.month, spec.day)
            except ValueError:
                continue
            yield day, day
        elif isinstance(spec, _Week) and (span := _week_span(spec.week, year)) is not None:
            yield span


def _week_span(week: int, year: int) -> tuple[date, date] | None:
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return monday, monday + timedelta(days=6)


def _day(day: int, month: int, year: int | None, weekday: int | None, text: str) -> _Day:
    try:
        date(2000 if year is None else year, month, day)  # 2000 is a leap year: 29/2 may exist
    except ValueError:
        suffix = "" if year is None else f" {year}"
        raise DateParseError(f"Datumet {day}/{month}{suffix} finns inte. {_HINT}") from None
    return _Day(day, month, year, weekday)


def _is_yearless(spec: _Spec) -> bool:
    return isinstance(spec, _Day | _Week) and spec.year is None


def _weekday(m: re.Match[str]) -> int:
    return _DAYS.index(m["wd"][:3])


def _year(m: re.Match[str]) -> int | None:
    return int(m["y"]) if m["y"] else None


def _fmt(d: date) -> str:
    return f"{d.day}/{d.month} {d.year}"
