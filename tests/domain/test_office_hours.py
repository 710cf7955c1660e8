"""Office hours: Swedish holidays, half days, DST and open-time arithmetic."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.office_hours import OfficeHours

STHLM = ZoneInfo("Europe/Stockholm")
HOURS = OfficeHours()


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=STHLM)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Nyårsdagen"),
        (date(2026, 1, 6), "Trettondedag jul"),
        (date(2026, 4, 3), "Långfredagen"),
        (date(2026, 4, 6), "Annandag påsk"),
        (date(2026, 5, 1), "Första maj"),
        (date(2026, 5, 14), "Kristi himmelsfärdsdag"),
        (date(2025, 6, 6), "Nationaldagen"),
        (date(2026, 6, 19), "Midsommarafton"),
        (date(2026, 12, 24), "Julafton"),
        (date(2026, 12, 31), "Nyårsafton"),
    ],
)
def test_holidays_on_weekdays_are_closed_all_day(day: date, name: str) -> None:
    assert HOURS.holiday_name(day) == name
    assert not HOURS.is_working_day(day)
    assert not HOURS.is_open(datetime.combine(day, time(10), tzinfo=STHLM))


def test_ordinary_days_and_eves_without_policy_have_no_holiday_name() -> None:
    assert HOURS.holiday_name(date(2026, 11, 20)) is None
    assert HOURS.holiday_name(date(2026, 6, 18)) is None  # Dag före midsommarafton
    assert HOURS.holiday_name(date(2026, 5, 15)) is None  # Klämdag is only OPTIONAL
    assert HOURS.is_open(at(2026, 6, 18, 16))


def test_names_are_swedish_whatever_the_process_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "en_US")
    assert OfficeHours().holiday_name(date(2033, 12, 24)) == "Julafton"


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(2026, 11, 20, 7, 59, 59), False),
        (at(2026, 11, 20, 8, 0), True),
        (at(2026, 11, 20, 12, 0), True),
        (at(2026, 11, 20, 16, 29, 59), True),
        (at(2026, 11, 20, 16, 30), False),
        (at(2026, 11, 21, 10, 0), False),  # Saturday
        (at(2026, 11, 22, 10, 0), False),  # Sunday
        (datetime(2026, 11, 20, 7, 0, tzinfo=UTC), True),  # 08:00 in Stockholm
        (datetime(2026, 11, 20, 6, 59, tzinfo=UTC), False),
    ],
)
def test_is_open_boundaries(moment: datetime, is_open: bool) -> None:
    assert HOURS.is_open(moment) is is_open


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="tidszon"):
        HOURS.is_open(datetime(2026, 11, 20, 10))


def test_closed_dates_close_the_whole_day() -> None:
    hours = OfficeHours(closed_dates=frozenset({date(2026, 12, 23)}))
    assert not hours.is_open(at(2026, 12, 23, 10))
    assert hours.next_open(at(2026, 12, 23, 10)) == at(2026, 12, 28, 8)
    assert HOURS.is_open(at(2026, 12, 23, 10))


def test_half_days_end_early_only_when_configured() -> None:
    hours = OfficeHours(half_days_end=time(13, 0))
    assert hours.is_open(at(2026, 4, 30, 12, 59))  # Valborgsmässoafton
    assert not hours.is_open(at(2026, 4, 30, 13, 0))
    assert not hours.is_open(at(2026, 6, 18, 13, 0))  # Dag före midsommarafton (BANK)
    assert not hours.is_open(at(2026, 12, 23, 14, 0))  # Dag före julafton (BANK)
    assert hours.is_open(at(2026, 5, 15, 15, 0))  # Klämdag is a day off, not a half day
    assert hours.is_open(at(2026, 11, 20, 15, 0))
    assert HOURS.is_open(at(2026, 4, 30, 15, 0))
    assert hours.add_open_time(at(2026, 4, 30, 12, 30), timedelta(hours=1)) == at(2026, 5, 4, 8, 30)


def test_extra_weekdays_open_weekends_but_not_holidays() -> None:
    hours = OfficeHours(weekdays=frozenset(range(7)))
    assert hours.is_open(at(2026, 11, 21, 10))
    assert not hours.is_open(at(2026, 6, 20, 10))  # Midsommardagen is a Saturday


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 20, 10), at(2026, 11, 20, 10)),
        (at(2026, 11, 20, 6, 15), at(2026, 11, 20, 8)),
        (at(2026, 11, 20, 16, 30), at(2026, 11, 23, 8)),
        (at(2026, 6, 18, 17), at(2026, 6, 22, 8)),  # midsommar weekend
        (at(2026, 12, 23, 17), at(2026, 12, 28, 8)),  # julafton, juldagen, weekend
        (at(2026, 12, 30, 17), at(2027, 1, 4, 8)),  # nyårsafton, nyårsdagen, weekend
        (at(2026, 5, 13, 17), at(2026, 5, 15, 8)),  # Kristi himmelsfärd; klämdag is open
        (at(2026, 4, 2, 17), at(2026, 4, 7, 8)),  # påsk
    ],
)
def test_next_open(moment: datetime, expected: datetime) -> None:
    assert HOURS.next_open(moment) == expected


def test_next_open_keeps_the_callers_timezone() -> None:
    open_now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert HOURS.next_open(open_now) is open_now
    later = HOURS.next_open(datetime(2026, 11, 20, 18, tzinfo=UTC))
    assert later.tzinfo is UTC
    assert later == datetime(2026, 11, 23, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "delta", "expected"),
    [
        (at(2026, 11, 20, 10), timedelta(hours=2), at(2026, 11, 20, 12)),
        (at(2026, 11, 20, 15, 30), timedelta(hours=2), at(2026, 11, 23, 9)),
        (at(2026, 11, 21, 12), timedelta(minutes=30), at(2026, 11, 23, 8, 30)),
        # Landing exactly on closing time rolls over to the next opening.
        (at(2026, 11, 20, 15, 30), timedelta(hours=1), at(2026, 11, 23, 8)),
        # Friday before Easter is Långfredagen, Monday is Annandag påsk.
        (at(2026, 4, 2, 15, 30), timedelta(hours=2), at(2026, 4, 7, 9)),
        (at(2026, 6, 18, 16), timedelta(hours=1), at(2026, 6, 22, 8, 30)),
        (at(2026, 11, 23, 8), timedelta(hours=40), at(2026, 11, 27, 14)),
        (at(2026, 12, 22, 16), timedelta(hours=9.5), at(2026, 12, 28, 8, 30)),
        (at(2026, 11, 20, 18), timedelta(0), at(2026, 11, 23, 8)),
    ],
)
def test_add_open_time(moment: datetime, delta: timedelta, expected: datetime) -> None:
    assert HOURS.add_open_time(moment, delta) == expected


def test_add_open_time_refuses_negative_deltas() -> None:
    with pytest.raises(ValueError, match="negativ"):
        HOURS.add_open_time(at(2026, 11, 20, 10), timedelta(minutes=-1))


def test_add_open_time_jumps_whole_days_for_long_deltas() -> None:
    started = clock.perf_counter()
    result = HOURS.add_open_time(at(2026, 1, 2, 8), timedelta(hours=8.5 * 240))
    assert clock.perf_counter() - started < 0.5
    assert HOURS.is_open(result)
    assert result.year == 2026
    assert result.month == 12


@pytest.mark.parametrize(
    ("moment", "delta", "expected_utc"),
    [
        # Spring forward 2026-03-29: Friday is CET (+01), Monday CEST (+02).
        (at(2026, 3, 27, 16), timedelta(hours=1), datetime(2026, 3, 30, 6, 30, tzinfo=UTC)),
        # Fall back 2026-10-25: Friday is CEST (+02), Monday CET (+01).
        (at(2026, 10, 23, 16), timedelta(hours=1), datetime(2026, 10, 26, 7, 30, tzinfo=UTC)),
    ],
)
def test_dst_weekends_keep_wall_clock_opening(
    moment: datetime, delta: timedelta, expected_utc: datetime
) -> None:
    result = HOURS.add_open_time(moment, delta)
    assert result == expected_utc
    assert result.astimezone(STHLM).time() == time(8, 30)
    assert HOURS.next_open(moment + timedelta(hours=1)).astimezone(STHLM).time() == time(8)


def test_open_time_over_a_dst_night_is_real_time() -> None:
    night = OfficeHours(start=time(1), end=time(4), weekdays=frozenset(range(7)))
    # 01:00–04:00 on 2026-03-29 lasts two real hours, on 2026-10-25 four.
    assert night.add_open_time(at(2026, 3, 29, 1), timedelta(hours=2, minutes=30)) == at(
        2026, 3, 30, 1, 30
    )
    assert night.add_open_time(at(2026, 10, 25, 1), timedelta(hours=3, minutes=30)) == datetime(
        2026, 10, 25, 2, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 19, 6), at(2026, 11, 20, 8)),  # before today's opening still means tomorrow
        (at(2026, 11, 20, 10), at(2026, 11, 23, 8)),
        (at(2026, 12, 23, 10), at(2026, 12, 28, 8)),
        (at(2026, 3, 27, 10), at(2026, 3, 30, 8)),
    ],
)
def test_next_morning(moment: datetime, expected: datetime) -> None:
    assert HOURS.next_morning(moment) == expected


def test_from_mapping_reads_a_policy_table() -> None:
    hours = OfficeHours.from_mapping(
        {
            "start": "08:00",
            "end": "16:30",
            "weekdays": ["mon", "tue", "wed", "thu", "fri"],
            "closed_dates": ["2026-12-23"],
            "half_days_end": "13:00",
        }
    )
    assert hours == OfficeHours(
        closed_dates=frozenset({date(2026, 12, 23)}), half_days_end=time(13)
    )
    assert OfficeHours.from_mapping({}) == OfficeHours()


def test_from_mapping_accepts_toml_values_and_swedish_day_names() -> None:
    hours = OfficeHours.from_mapping(
        {
            "start": time(7, 30),
            "end": "17.00",
            "weekdays": ["Mån", "tis", "ons", 3, "fredag"],
            "closed_dates": [date(2026, 12, 23)],
            "country": "se",
        }
    )
    assert hours.start == time(7, 30)
    assert hours.end == time(17)
    assert hours.weekdays == frozenset(range(5))
    assert hours.country == "SE"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "8"}, r"office_hours\.start: ogiltig tid '8'"),
        ({"end": "25:00"}, r"office_hours\.end: ogiltig tid '25:00'"),
        ({"start": 8}, r"office_hours\.start: ogiltig tid 8"),
        ({"start": "17:00"}, r"office_hours\.end: 16:30 måste vara senare än start 17:00"),
        ({"half_days_end": "07:00"}, r"office_hours\.half_days_end: 07:00"),
        ({"weekdays": "mon-fri"}, r"office_hours\.weekdays: ogiltigt värde 'mon-fri'"),
        ({"weekdays": ["mon", "holiday"]}, r"office_hours\.weekdays: okänd veckodag 'holiday'"),
        ({"weekdays": [7]}, r"office_hours\.weekdays: okänd veckodag 7"),
        ({"weekdays": [True]}, r"office_hours\.weekdays: okänd veckodag True"),
        ({"weekdays": []}, r"office_hours\.weekdays: ogiltiga veckodagar"),
        ({"closed_dates": ["2026-13-01"]}, r"office_hours\.closed_dates: ogiltigt datum '2026-13"),
        ({"closed_dates": "2026-12-23"}, r"office_hours\.closed_dates: ogiltigt värde"),
        ({"timezone": "Europe/Stokholm"}, r"office_hours\.timezone: okänd tidszon 'Europe/Stok"),
        ({"country": "XX"}, r"office_hours\.country: okänt land 'XX'"),
        ({"opens": "08:00"}, r"office_hours: okänd nyckel 'opens'"),
    ],
)
def test_from_mapping_names_the_bad_key_and_value(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OfficeHours.from_mapping(data)


def test_other_countries_use_their_public_holidays() -> None:
    norway = OfficeHours(country="NO", timezone="Europe/Oslo")
    assert not norway.is_working_day(date(2027, 5, 17))
    assert norway.is_working_day(date(2026, 6, 19))


def test_office_hours_are_hashable_values() -> None:
    assert hash(OfficeHours()) == hash(OfficeHours())
    with pytest.raises(AttributeError):
        HOURS.start = time(9)  # type: ignore[misc]
