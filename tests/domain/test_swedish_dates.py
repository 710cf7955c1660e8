"""Swedish chat dates and absence periods, with today fixed to Saturday 2026-11-21 (week 47)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.swedish_dates import DateParseError, parse_date, parse_period

TODAY = date(2026, 11, 21)


def d(y: int, m: int, day: int) -> date:
    return date(y, m, day)


def check(cases: list[tuple[str, date, date]], today: date = TODAY) -> None:
    for text, start, end in cases:
        assert parse_period(text, today=today) == (start, end), text


def test_relative_days() -> None:
    check(
        [
            ("idag", d(2026, 11, 21), d(2026, 11, 21)),
            ("i dag", d(2026, 11, 21), d(2026, 11, 21)),
            ("Idag!", d(2026, 11, 21), d(2026, 11, 21)),
            ("i morgon", d(2026, 11, 22), d(2026, 11, 22)),
            ("imorgon", d(2026, 11, 22), d(2026, 11, 22)),
            ("imorn", d(2026, 11, 22), d(2026, 11, 22)),
            ("i övermorgon", d(2026, 11, 23), d(2026, 11, 23)),
            ("övermorgon", d(2026, 11, 23), d(2026, 11, 23)),
        ]
    )


def test_weekdays_are_the_next_occurrence_after_today() -> None:
    check(
        [
            ("måndag", d(2026, 11, 23), d(2026, 11, 23)),
            ("på fredag", d(2026, 11, 27), d(2026, 11, 27)),
            ("fre", d(2026, 11, 27), d(2026, 11, 27)),
            ("Tors.", d(2026, 11, 26), d(2026, 11, 26)),
            ("lördag", d(2026, 11, 28), d(2026, 11, 28)),  # today is Saturday: next week's
            ("söndag", d(2026, 11, 22), d(2026, 11, 22)),
        ]
    )


def test_relative_weeks() -> None:
    check(
        [
            ("nästa vecka", d(2026, 11, 23), d(2026, 11, 29)),
            ("hela nästa vecka", d(2026, 11, 23), d(2026, 11, 29)),
            ("den här veckan", d(2026, 11, 16), d(2026, 11, 22)),
            ("denna vecka", d(2026, 11, 16), d(2026, 11, 22)),
            ("hela veckan", d(2026, 11, 16), d(2026, 11, 22)),
            ("i veckan", d(2026, 11, 16), d(2026, 11, 22)),
        ]
    )


def test_numeric_dates() -> None:
    check(
        [
            ("24/12", d(2026, 12, 24), d(2026, 12, 24)),
            ("24/12-26", d(2026, 12, 24), d(2026, 12, 24)),  # d/m-yy, the traditional form
            ("24/12 2026", d(2026, 12, 24), d(2026, 12, 24)),
            ("24/12 2027", d(2027, 12, 24), d(2027, 12, 24)),
            ("24/12/2026", d(2026, 12, 24), d(2026, 12, 24)),
            ("2026-12-24", d(2026, 12, 24), d(2026, 12, 24)),
            ("21/11", d(2026, 11, 21), d(2026, 11, 21)),  # today counts
            ("20/11", d(2027, 11, 20), d(2027, 11, 20)),  # yesterday means next year
            ("3/3", d(2027, 3, 3), d(2027, 3, 3)),
            ("fre 27/11", d(2026, 11, 27), d(2026, 11, 27)),
        ]
    )


def test_textual_dates() -> None:
    check(
        [
            ("24 dec", d(2026, 12, 24), d(2026, 12, 24)),
            ("24 Dec.", d(2026, 12, 24), d(2026, 12, 24)),
            ("24 december", d(2026, 12, 24), d(2026, 12, 24)),
            ("24:e december", d(2026, 12, 24), d(2026, 12, 24)),
            ("den 1:a maj", d(2027, 5, 1), d(2027, 5, 1)),
            ("3 mars", d(2027, 3, 3), d(2027, 3, 3)),
            ("3 mar", d(2027, 3, 3), d(2027, 3, 3)),
            ("1 SEPT", d(2027, 9, 1), d(2027, 9, 1)),
            ("1 sep", d(2027, 9, 1), d(2027, 9, 1)),
            ("2 okt. 2027", d(2027, 10, 2), d(2027, 10, 2)),
            ("24 december, 2026", d(2026, 12, 24), d(2026, 12, 24)),
            ("fredag den 27 november", d(2026, 11, 27), d(2026, 11, 27)),
            ("29 feb", d(2028, 2, 29), d(2028, 2, 29)),
        ]
    )


@pytest.mark.parametrize("month", ["jan", "januari", "Jan.", "JANUARI"])
def test_month_names_in_any_case_with_or_without_dot(month: str) -> None:
    assert parse_date(f"5 {month}", today=TODAY) == d(2027, 1, 5)


@pytest.mark.parametrize(
    ("name", "month"),
    [
        ("feb", 2), ("februari", 2), ("mars", 3), ("apr", 4), ("april", 4), ("maj", 5),
        ("jun", 6), ("juni", 6), ("jul", 7), ("juli", 7), ("aug", 8), ("augusti", 8),
        ("sept", 9), ("september", 9), ("okt", 10), ("oktober", 10), ("nov", 11),
        ("november", 11), ("dec", 12), ("december", 12),
    ],
)  # fmt: skip
def test_every_month_name(name: str, month: int) -> None:
    assert parse_date(f"25 {name} 2027", today=TODAY) == d(2027, month, 25)


@pytest.mark.parametrize("separator", ["–", "-", " - ", " – ", "—", " till ", " t.o.m. ", " tom "])
def test_day_range_separators(separator: str) -> None:
    assert parse_period(f"3{separator}7 mars", today=TODAY) == (d(2027, 3, 3), d(2027, 3, 7))


def test_ranges() -> None:
    check(
        [
            ("3–7 mars", d(2027, 3, 3), d(2027, 3, 7)),
            ("3 mars–7 april", d(2027, 3, 3), d(2027, 4, 7)),
            ("24–26/12", d(2026, 12, 24), d(2026, 12, 26)),
            ("24/12–26/12", d(2026, 12, 24), d(2026, 12, 26)),
            ("24/12–2/1", d(2026, 12, 24), d(2027, 1, 2)),
            ("24 dec–2 jan", d(2026, 12, 24), d(2027, 1, 2)),
            ("2026-12-24 - 2027-01-02", d(2026, 12, 24), d(2027, 1, 2)),
            ("från 3/12 till 5/12", d(2026, 12, 3), d(2026, 12, 5)),
            ("fr.o.m. 3/12 t.o.m. 5/12", d(2026, 12, 3), d(2026, 12, 5)),
            ("idag–fredag", d(2026, 11, 21), d(2026, 11, 27)),
            ("i morgon - 24/12", d(2026, 11, 22), d(2026, 12, 24)),
            ("måndag–onsdag", d(2026, 11, 23), d(2026, 11, 25)),
            # A period already under way keeps this year: its end is not in the past.
            ("16–25 nov", d(2026, 11, 16), d(2026, 11, 25)),
            ("20/11 – i morgon", d(2026, 11, 20), d(2026, 11, 22)),
            ("10–20 nov", d(2027, 11, 10), d(2027, 11, 20)),
        ]
    )


def test_ranges_with_a_year() -> None:
    check(
        [
            ("3–7 mars 2027", d(2027, 3, 3), d(2027, 3, 7)),
            ("3 mars–7 april 2027", d(2027, 3, 3), d(2027, 4, 7)),
            ("28/12–3/1 2027", d(2026, 12, 28), d(2027, 1, 3)),
            ("24/12 2026–2/1", d(2026, 12, 24), d(2027, 1, 2)),
            ("3 mars 2028–7 mars 2028", d(2028, 3, 3), d(2028, 3, 7)),
            ("1/10–31/3", d(2026, 10, 1), d(2027, 3, 31)),
            ("1/7 2026–30/6 2027", d(2026, 7, 1), d(2027, 6, 30)),
        ]
    )


def test_weeks() -> None:
    check(
        [
            ("v. 52", d(2026, 12, 21), d(2026, 12, 27)),
            ("v52", d(2026, 12, 21), d(2026, 12, 27)),
            ("v 52", d(2026, 12, 21), d(2026, 12, 27)),
            ("V.52", d(2026, 12, 21), d(2026, 12, 27)),
            ("vecka 52", d(2026, 12, 21), d(2026, 12, 27)),
            ("hela vecka 52", d(2026, 12, 21), d(2026, 12, 27)),
            ("v. 47", d(2026, 11, 16), d(2026, 11, 22)),  # the current week is not past yet
            ("v 46", d(2027, 11, 15), d(2027, 11, 21)),
            ("v 1", d(2027, 1, 4), d(2027, 1, 10)),
            ("v. 52 2027", d(2027, 12, 27), d(2028, 1, 2)),
            ("v 52–1", d(2026, 12, 21), d(2027, 1, 10)),
            ("vecka 9-10", d(2027, 3, 1), d(2027, 3, 14)),
            ("v. 9 - v. 10", d(2027, 3, 1), d(2027, 3, 14)),
            ("vecka 9 till 10", d(2027, 3, 1), d(2027, 3, 14)),
            ("vecka 9-10 2027", d(2027, 3, 1), d(2027, 3, 14)),
        ]
    )


def test_iso_week_53() -> None:
    check(
        [("v. 53", d(2026, 12, 28), d(2027, 1, 3)), ("v 53 2026", d(2026, 12, 28), d(2027, 1, 3))]
    )
    # 2027 has no week 53; the next ISO year with one is 2032.
    check([("v 53", d(2032, 12, 27), d(2033, 1, 2))], today=d(2027, 2, 1))
    check([("v 53–1", d(2026, 12, 28), d(2027, 1, 10))])


def test_year_crossing_relative_to_today() -> None:
    check(
        [
            ("2/1", d(2027, 1, 2), d(2027, 1, 2)),
            ("24/12", d(2027, 12, 24), d(2027, 12, 24)),
            ("v 1", d(2027, 1, 4), d(2027, 1, 10)),
            ("v 53", d(2026, 12, 28), d(2027, 1, 3)),
            ("nästa vecka", d(2027, 1, 4), d(2027, 1, 10)),
            ("i morgon", d(2026, 12, 31), d(2026, 12, 31)),
        ],
        today=d(2026, 12, 30),
    )
    # Typed on 2 January about a leave that started in December.
    check([("28/12–3/1", d(2026, 12, 28), d(2027, 1, 3))], today=d(2027, 1, 2))


def test_parse_date() -> None:
    assert parse_date("i morgon", today=TODAY) == d(2026, 11, 22)
    assert parse_date("fredag", today=TODAY) == d(2026, 11, 27)
    assert parse_date("24 dec 2026", today=TODAY) == d(2026, 12, 24)
    assert parse_date("24/12-26", today=TODAY) == d(2026, 12, 24)


@pytest.mark.parametrize("text", ["v. 52", "nästa vecka", "hela veckan"])
def test_parse_date_refuses_weeks(text: str) -> None:
    with pytest.raises(DateParseError, match="hel vecka"):
        parse_date(text, today=TODAY)


@pytest.mark.parametrize("text", ["3–7 mars", "24", "", "hej"])
def test_parse_date_refuses_periods_and_noise(text: str) -> None:
    with pytest.raises(DateParseError, match="Kunde inte tolka datumet"):
        parse_date(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Kunde inte tolka datumet »«"),
        ("hej", "Kunde inte tolka datumet »hej«. Skriv till exempel 24/12, 3–7 mars eller v. 52."),
        ("24", "Kunde inte tolka datumet"),
        ("igår", "Kunde inte tolka datumet"),
        ("Dec 24", "Kunde inte tolka datumet"),
        ("24/12-26/12-28/12", "Kunde inte tolka datumet"),
        ("x" * 200, "Kunde inte tolka datumet"),
        ("31/2", "Datumet 31/2 finns inte"),
        ("29/2 2027", "Datumet 29/2 2027 finns inte"),
        ("24/13", "Datumet 24/13 finns inte"),
        ("0 mars", "Datumet 0/3 finns inte"),
        ("v 54", "Vecka 54 finns inte"),
        ("v 0", "Vecka 0 finns inte"),
        ("v 52–60", "Vecka 60 finns inte"),
        ("v 53 2027", "Vecka 53 finns inte år 2027"),
        ("i morgon–idag", "Slutet 21/11 2026 ligger före början 22/11 2026"),
        ("2/1 2027 - 24/12 2026", "Slutet 24/12 2026 ligger före början 2/1 2027"),
        ("7–3 mars 2027", "Slutet 3/3 2027 ligger före början 7/3 2027"),
        ("7–3 mars", "blir 362 dagar, 7/3 2026–3/3 2027. Skriv ut årtalen"),
        ("30/3–3/3", "blir 339 dagar"),
        ("7 april–3 mars 2027", "blir 331 dagar"),
        ("vecka 10-9", "Skriv ut årtalen"),
        ("nästa fredag", "»nästa fredag« kan betyda två olika dagar"),
        ("nästa fredag–söndag", "kan betyda två olika dagar"),
        ("24/12-25", "Menar du en period?"),
        ("fredag 24/12", "24/12 2026 är en torsdag, inte en fredag"),
    ],
)
def test_errors_are_swedish_and_specific(text: str, message: str) -> None:
    with pytest.raises(DateParseError, match=message):
        parse_period(text, today=TODAY)


def test_date_parse_error_is_a_value_error() -> None:
    assert issubclass(DateParseError, ValueError)
