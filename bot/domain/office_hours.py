"""Office hours of a municipality's communicators, aware of Swedish holidays and DST.

Instants are timezone-aware datetimes; opening hours are wall-clock times in `timezone`.
Durations of open time are measured in real (UTC) time, so a DST night never adds or loses an hour.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

# Midsommarafton, julafton and nyårsafton are only DE_FACTO in `holidays`, not PUBLIC.
_CLOSED_CATEGORIES = ("public", "de_facto")
# Eves that end early are spread over OPTIONAL (e.g. "Valborgsmässoafton (från kl. 14.00)") and
# BANK (e.g. "Dag före Midsommarafton (från kl. 14.00)"); the "från kl." suffix marks them, which
# keeps full days off such as OPTIONAL's "Klämdag" out.
_HALF_DAY_CATEGORIES = ("optional", "bank")
_HALF_DAY_MARK = "(från kl."
# A policy that never opens would otherwise loop forever; three years is beyond any real gap.
_MAX_DAYS_AHEAD = 3 * 366
_TIME_TEXT = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
_WEEKDAYS = {
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: i for i, name in enumerate(("mån", "tis", "ons", "tor", "fre", "lör", "sön"))},
}


def _country_holidays(country: str, year: int, categories: tuple[str, ...]) -> holidays.HolidayBase:
    probe = holidays.country_holidays(country)
    wanted = tuple(c for c in categories if c in probe.supported_categories)
    language = "sv" if "sv" in probe.supported_languages else None
    # Names follow the process locale unless a language is given (LANG=C.UTF-8 gives English).
    return holidays.country_holidays(
        country, years=year, categories=wanted or ("public",), language=language
    )


@lru_cache(maxsize=128)
def _closed_days(country: str, year: int) -> Mapping[date, str]:
    return MappingProxyType(dict(_country_holidays(country, year, _CLOSED_CATEGORIES).items()))


@lru_cache(maxsize=128)
def _half_days(country: str, year: int) -> frozenset[date]:
    hs = _country_holidays(country, year, _HALF_DAY_CATEGORIES)
    return frozenset(d for d, name in hs.items() if _HALF_DAY_MARK in name)


def _to_utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"tidpunkten {t.isoformat()} saknar tidszon")
    return t.astimezone(UTC)


@dataclass(frozen=True)
class OfficeHours:
    """When the communicators are at work: weekdays, hours, holidays and local closed days."""

    start: time = time(8, 0)
    end: time = time(16, 30)
    weekdays: frozenset[int] = frozenset(range(5))
    timezone: str = "Europe/Stockholm"
    closed_dates: frozenset[date] = frozenset()
    half_days_end: time | None = None
    country: str = "SE"

    def __post_init__(self) -> None:
        for key in ("start", "end", "half_days_end"):
            value = getattr(self, key)
            if value is not None and value.tzinfo is not None:
                raise ValueError(f"office_hours.{key}: ange väggklockans tid utan tidszon")
        if self.start >= self.end:
            raise ValueError(
                f"office_hours.end: {self.end:%H:%M} måste vara senare än start {self.start:%H:%M}"
            )
        if self.half_days_end is not None and self.half_days_end <= self.start:
            raise ValueError(
                f"office_hours.half_days_end: {self.half_days_end:%H:%M} måste vara senare än "
                f"start {self.start:%H:%M}"
            )
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"office_hours.weekdays: ogiltiga veckodagar {sorted(self.weekdays)}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"office_hours.timezone: okänd tidszon {self.timezone!r}") from exc
        try:
            holidays.country_holidays(self.country)
        except NotImplementedError as exc:
            raise ValueError(f"office_hours.country: okänt land {self.country!r}") from exc

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> OfficeHours:
        """Build office hours from a policy-file table such as {"start": "08:00", ...}."""
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise ValueError(f"office_hours: okänd nyckel {key!r} (tillåtna: {sorted(known)})")
        default = cls()
        half = data.get("half_days_end")
        return cls(
            start=_parse_time("start", data.get("start", default.start)),
            end=_parse_time("end", data.get("end", default.end)),
            weekdays=_parse_weekdays(data.get("weekdays", default.weekdays)),
            timezone=_parse_str("timezone", data.get("timezone", default.timezone)),
            closed_dates=_parse_dates(data.get("closed_dates", default.closed_dates)),
            half_days_end=None if half is None else _parse_time("half_days_end", half),
            country=_parse_str("country", data.get("country", default.country)).upper(),
        )

    def holiday_name(self, d: date) -> str | None:
        """Name (Swedish where the country supports it) of the public or de facto holiday on d."""
        return _closed_days(self.country, d.year).get(d)

    def is_working_day(self, d: date) -> bool:
        """Whether the office opens at all on the local date d."""
        return self._window(d) is not None

    def is_open(self, t: datetime) -> bool:
        """Whether the office is open at the instant t."""
        utc = _to_utc(t)
        window = self._window(utc.astimezone(ZoneInfo(self.timezone)).date())
        return window is not None and window[0] <= utc < window[1]

    def next_open(self, t: datetime) -> datetime:
        """t itself if the office is open then, otherwise the next opening, in t's timezone."""
        utc = _to_utc(t)
        opening, _ = next(self._windows_after(utc))
        return t if opening == utc else opening.astimezone(t.tzinfo)

    def add_open_time(self, t: datetime, delta: timedelta) -> datetime:
        """The instant after delta of open time from t; always an open instant, in t's timezone."""
        if delta < timedelta(0):
            raise ValueError(f"negativ tidslängd: {delta}")
        remaining = delta
        for opening, closing in self._windows_after(_to_utc(t)):
            # Strictly less: landing exactly on closing time rolls over to the next opening.
            if remaining < closing - opening:
                return (opening + remaining).astimezone(t.tzinfo)
            remaining -= closing - opening
        raise AssertionError("unreachable: _windows_after raises when it runs out")

    def open_time_between(self, start: datetime, end: datetime) -> timedelta:
        """How much open time lies between two instants (zero when end is not after start)."""
        begin, stop = _to_utc(start), _to_utc(end)
        total = timedelta(0)
        if stop <= begin:
            return total
        for opening, closing in self._windows_after(begin):
            if opening >= stop:
                break
            total += min(closing, stop) - opening
        return total

    def next_morning(self, t: datetime) -> datetime:
        """The first opening on a working day after t's local date ("i morgon bitti")."""
        today = _to_utc(t).astimezone(ZoneInfo(self.timezone)).date()
        opening, _ = next(self._windows(today + timedelta(days=1)))
        return opening.astimezone(t.tzinfo)

    def _window(self, d: date) -> tuple[datetime, datetime] | None:
        """Opening and closing instant (UTC) on the local date d, or None when closed."""
        if d.weekday() not in self.weekdays or d in self.closed_dates:
            return None
        if d in _closed_days(self.country, d.year):
            return None
        end = self.end
        if self.half_days_end is not None and d in _half_days(self.country, d.year):
            end = min(end, self.half_days_end)
        zone = ZoneInfo(self.timezone)
        opening = datetime.combine(d, self.start, tzinfo=zone).astimezone(UTC)
        return opening, datetime.combine(d, end, tzinfo=zone).astimezone(UTC)

    def _windows(self, first: date) -> Iterator[tuple[datetime, datetime]]:
        for offset in range(_MAX_DAYS_AHEAD):
            window = self._window(first + timedelta(days=offset))
            if window is not None:
                yield window
        raise ValueError(f"kontoret öppnar aldrig inom {_MAX_DAYS_AHEAD} dagar från {first}")

    def _windows_after(self, utc: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open windows that end after utc, the first one clipped to start at utc."""
        for opening, closing in self._windows(utc.astimezone(ZoneInfo(self.timezone)).date()):
            if closing > utc:
                yield max(opening, utc), closing


def _parse_str(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"office_hours.{key}: ogiltigt värde {value!r} (förväntade text)")
    return value.strip()


def _parse_time(key: str, value: object) -> time:
    if isinstance(value, time):
        return value
    match = _TIME_TEXT.match(value) if isinstance(value, str) else None
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return time(int(match.group(1)), int(match.group(2)))
    raise ValueError(f'office_hours.{key}: ogiltig tid {value!r} (skriv t.ex. "08:00")')


def _parse_weekdays(value: object) -> frozenset[int]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f'office_hours.weekdays: ogiltigt värde {value!r} (t.ex. ["mon", "tue"])')
    days: set[int] = set()
    for item in value:
        if isinstance(item, str) and item.strip().lower()[:3] in _WEEKDAYS:
            days.add(_WEEKDAYS[item.strip().lower()[:3]])
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
            days.add(item)
        else:
            raise ValueError(f"office_hours.weekdays: okänd veckodag {item!r} (mon–sun)")
    return frozenset(days)


def _parse_dates(value: object) -> frozenset[date]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f'office_hours.closed_dates: ogiltigt värde {value!r} (["2026-12-23"])')
    return frozenset(_parse_date(item) for item in value)


def _parse_date(item: object) -> date:
    if isinstance(item, date) and not isinstance(item, datetime):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item.strip())
        except ValueError:
            pass
    raise ValueError(f"office_hours.closed_dates: ogiltigt datum {item!r} (skriv ÅÅÅÅ-MM-DD)")
