"""What a manager reads in Slack on Monday, and the picture beside it."""

from __future__ import annotations

import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.case_view import CATEGORY_LABELS
from bot.i18n import STOCKHOLM, Translator
from bot.reporting.chart import render_chart
from bot.reporting.stats import CATEGORIES, AccountStats, Durations, Period, Report
from bot.reporting.text import SLACK_LIMIT, period_title, report_plain, report_text

WEEK_47 = Period(datetime(2026, 11, 16, tzinfo=STOCKHOLM), datetime(2026, 11, 23, tzinfo=STOCKHOLM))
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)
SV, EN = Translator("sv"), Translator("en")


def stats(account_id: str | None, name: str, **values: object) -> AccountStats:
    per_category = dict.fromkeys(CATEGORIES, 0)
    per_category.update(values.pop("per_category", {}))  # type: ignore[call-overload]
    return AccountStats(account_id=account_id, name=name, per_category=per_category, **values)  # type: ignore[arg-type]


FACEBOOK = stats(
    "facebook-kommunen",
    "Östhammar på Facebook",
    items=412,
    risky=23,
    per_category={"crime": 4, "child_at_risk": 2, "prohibited": 17},
    cases=23,
    acute=3,
    time_to_first_action=Durations(20, 25 * MINUTE, 3 * HOUR),
    time_to_follow_up=Durations(15, 26 * HOUR, 50 * HOUR),
    open_cases=8,
    referrals=6,
    police_reports=2,
    social_services_reports=1,
    hidden=5,
    removed=3,
    replies=9,
)
INSTAGRAM = stats("instagram-kommunen", "Östhammar på Instagram")
UNKNOWN = stats(
    None,
    "",
    items=3,
    risky=1,
    per_category={"crisis": 1},
    cases=1,
    acute=1,
    time_to_first_action=Durations(1, 4 * MINUTE, 4 * MINUTE),
    open_cases=1,
)
TOTAL = replace(
    FACEBOOK,
    account_id=None,
    name="Östhammars kommun",
    items=415,
    risky=24,
    cases=24,
    acute=4,
    per_category={**FACEBOOK.per_category, "crisis": 1},
    open_cases=9,
    time_to_first_action=Durations(21, 24 * MINUTE, 3 * HOUR),
)
REPORT = Report(period=WEEK_47, total=TOTAL, accounts=(FACEBOOK, INSTAGRAM, UNKNOWN))


def test_the_slack_text_has_the_weeks_numbers() -> None:
    text = report_text(REPORT, SV)
    assert text.startswith("*") and "47" in text and "16–22 november 2026" in text
    spread = SV.gettext("median {median}, 90th percentile {p90}")
    expected = [
        SV.gettext("Received: {items} · Risky: {risky}").format(items=415, risky=24),
        SV.gettext("Cases: {cases} · Acute: {acute} · Open cases: {open}").format(
            cases=24, acute=4, open=9
        ),
        SV.gettext("Time to first action: {spread}").format(
            spread=spread.format(median=SV.duration(24 * MINUTE), p90=SV.duration(3 * HOUR))
        ),
        SV.gettext("Time to confirmed follow-up: {spread}").format(
            spread=spread.format(median=SV.duration(26 * HOUR), p90=SV.duration(50 * HOUR))
        ),
        SV.gettext(
            "Referrals: {referrals} · Police reports: {police} · "
            "Reports to social services: {social}"
        ).format(referrals=6, police=2, social=1),
        SV.gettext(
            "Hidden posts: {hidden} · Removed posts: {removed} · Replies posted: {replies}"
        ).format(hidden=5, removed=3, replies=9),
    ]
    for line in expected:
        assert line in text
    assert f"{SV.gettext(CATEGORY_LABELS['prohibited'])} 17" in text
    assert f"{SV.gettext(CATEGORY_LABELS['crisis'])} 1" in text
    assert SV.gettext(CATEGORY_LABELS["personal_data"]) not in text  # zero: left out
    assert "*Östhammar på Facebook*" in text and SV.gettext("Unknown account") in text
    assert len(text) <= SLACK_LIMIT


def test_the_plain_text_in_english_reads_like_this() -> None:
    lines = report_plain(REPORT, EN).splitlines()
    assert lines[:8] == [
        "Weekly report, week 47 (16–22 November 2026)",
        "Östhammars kommun, all accounts",
        "Received: 415 · Risky: 24 (crime 4, child at risk 2, crisis 1, prohibited content 17)",
        "Cases: 24 · Acute: 4 · Open cases: 9",
        "Time to first action: median 24 minutes, 90th percentile 3 hours",
        "Time to confirmed follow-up: median 26 hours, 90th percentile 2 days",  # Babel rounds
        "Referrals: 6 · Police reports: 2 · Reports to social services: 1",
        "Hidden posts: 5 · Removed posts: 3 · Replies posted: 9",
    ]


def test_accounts_are_ordered_by_risk_and_quiet_ones_share_a_line() -> None:
    lines = report_plain(REPORT, EN).splitlines()
    facebook = next(i for i, line in enumerate(lines) if "Östhammar på Facebook:" in line)
    unknown = next(i for i, line in enumerate(lines) if "Unknown account:" in line)
    assert facebook < unknown
    assert lines[-1] == "• Nothing received: Östhammar på Instagram"
    assert "first action 4 minutes, follow-up –" in lines[unknown]


def test_missing_times_say_dash() -> None:
    quiet = replace(TOTAL, time_to_first_action=Durations(), time_to_follow_up=Durations())
    text = report_plain(replace(REPORT, total=quiet), EN)
    assert "Time to first action: –" in text and "Time to confirmed follow-up: –" in text


def test_the_plain_text_has_no_markup_and_mrkdwn_is_escaped() -> None:
    odd = replace(FACEBOOK, name="Barn & <unga>")
    report = replace(REPORT, accounts=(odd,))
    assert "*Barn &amp; &lt;unga&gt;*" in report_text(report, EN)
    plain = report_plain(report, EN)
    assert "Barn & <unga>" in plain and "*" not in plain


def test_thirty_accounts_stay_within_slacks_limit() -> None:
    accounts = tuple(
        replace(
            FACEBOOK,
            account_id=f"konto-{n}",
            name=f"Kultur- och fritidsförvaltningen {n:02}",
            risky=n,
        )
        for n in range(30)
    )
    report = replace(REPORT, accounts=accounts)
    text = report_text(report, SV)
    assert len(text) <= SLACK_LIMIT
    assert "Kultur- och fritidsförvaltningen 29" in text  # the riskiest first
    assert text.splitlines()[-1].startswith("…")  # says how many were left out
    plain = report_plain(report, SV)
    assert all(f"förvaltningen {n:02}" in plain for n in range(30))


def test_an_empty_report_reads_sensibly() -> None:
    empty = Report(period=WEEK_47, total=stats(None, "Östhammars kommun"), accounts=())
    text = report_text(empty, SV)
    received = SV.gettext("Received: {items} · Risky: {risky}").format(items=0, risky=0)
    assert received in text and text.endswith("\n–")


@pytest.mark.parametrize(
    ("period", "week", "dates"),
    [
        (WEEK_47, "47", "16–22 november 2026"),
        (
            Period(
                datetime(2026, 12, 28, tzinfo=STOCKHOLM), datetime(2027, 1, 4, tzinfo=STOCKHOLM)
            ),
            "53",
            "28 december 2026 – 3 januari 2027",
        ),
        (
            Period(
                datetime(2026, 3, 23, tzinfo=STOCKHOLM), datetime(2026, 3, 30, tzinfo=STOCKHOLM)
            ),
            "13",
            "23–29 mars 2026",
        ),
        (
            Period(
                datetime(2026, 11, 30, tzinfo=STOCKHOLM), datetime(2026, 12, 7, tzinfo=STOCKHOLM)
            ),
            "49",
            "30 november – 6 december 2026",
        ),
    ],
)
def test_week_titles(period: Period, week: str, dates: str) -> None:
    # Given in UTC, as the database returns them: still read in Stockholm.
    utc = Period(period.start.astimezone(UTC), period.end.astimezone(UTC))
    assert period_title(utc, SV) == SV.gettext("Weekly report, week {week} ({dates})").format(
        week=week, dates=dates
    )


def test_other_periods_are_titled_by_their_dates() -> None:
    period = Period(
        datetime(2026, 11, 1, tzinfo=STOCKHOLM), datetime(2026, 11, 16, tzinfo=STOCKHOLM)
    )
    assert period_title(period, EN) == "Report 1–15 November 2026"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_chart_is_a_readable_png() -> None:
    data = render_chart(REPORT, SV)
    width, height = png_size(data)
    assert 800 <= width <= 3000 and 400 <= height <= 2000
    assert (width, height) == (1200, 700)
    assert len(data) < 500_000
    assert render_chart(REPORT, SV) == data  # same report, same picture


def test_the_chart_grows_with_many_accounts_but_stays_bounded() -> None:
    accounts = tuple(
        replace(FACEBOOK, account_id=f"k{n}", name=f"Konto nummer {n} " * 4, risky=n)
        for n in range(30)
    )
    data = render_chart(replace(REPORT, accounts=accounts), SV)
    width, height = png_size(data)
    assert width == 1200 and 700 < height <= 2000
    assert len(data) < 500_000


@pytest.mark.parametrize("accounts", [(), (INSTAGRAM,)], ids=["no accounts", "all zero"])
def test_the_chart_copes_with_an_empty_week(accounts: tuple[AccountStats, ...]) -> None:
    empty = Report(period=WEEK_47, total=stats(None, "Östhammars kommun"), accounts=accounts)
    width, height = png_size(render_chart(empty, EN))
    assert (width, height) == (1200, 700)
