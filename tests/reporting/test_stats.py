"""The weekly numbers, counted from a week of history seeded straight into the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.domain.models import (
    Assessment,
    Case,
    CaseEvent,
    CaseState,
    Item,
    OutgoingReply,
    RemovalRecord,
)
from bot.domain.policy import Policy
from bot.i18n import STOCKHOLM
from bot.reporting.stats import CATEGORIES, Report, build_report, last_week, percentile

# Week 47 of 2026: Monday 16 November 00:00 to Monday 23 November 00:00, Stockholm (CET).
START = datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
END = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
FB, IG = "facebook-kommunen", "instagram-kommunen"

_ids = count(1)


class History:
    """Adds items, assessments, cases and what was done, the way the bot writes them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def item(
        self,
        received: datetime,
        *assessments: list[str],
        account: str | None = FB,
        page: str = "111",
        acute: bool = False,
    ) -> Item:
        item = Item(
            platform="facebook",
            account_external_id=page,
            account_id=account,
            external_id=f"c{next(_ids)}",
            kind="comment",
            text="…",
            created_at=received - MINUTE,
            received_at=received,
        )
        self.session.add(item)
        self.session.flush()
        for n, categories in enumerate(assessments):
            self.session.add(
                Assessment(
                    item_id=item.id,
                    categories=categories,
                    acute=acute,
                    ruleset_version="t",
                    assessed_at=received + n * HOUR,
                )
            )
        self.session.flush()
        return item

    def case(
        self,
        item: Item,
        *,
        acute: bool = False,
        first: timedelta | None = None,
        closed: timedelta | None = None,
    ) -> Case:
        assessment_id = self.session.exec(
            select(Assessment.id)
            .where(Assessment.item_id == item.id)
            .order_by(col(Assessment.id).desc())
        ).first()
        opened = item.received_at
        case = Case(
            item_id=item.id,
            assessment_id=assessment_id,
            account_id=item.account_id,
            acute=acute,
            opened_at=opened,
            first_action_at=None if first is None else opened + first,
            closed_at=None if closed is None else opened + closed,
            state=CaseState.FOLLOWED_UP if closed else CaseState.IN_PROGRESS if first else "new",
        )
        self.session.add(case)
        self.session.flush()
        return case

    def acted(self, case: Case, action: str, at: datetime, kind: str = "acted") -> None:
        self.session.add(
            CaseEvent(
                case_id=case.id,
                at=at,
                kind=kind,
                actor="anna",
                platform="slack",
                details={"action": action, "values": {"note": "x"}},
            )
        )

    def moderated(
        self, case: Case, item: Item, operation: str, done: datetime | None, requested: datetime
    ) -> None:
        self.session.add(
            RemovalRecord(
                case_id=case.id,
                item_id=item.id,
                action=operation,
                reason="hate",
                content=item.text,
                created_at=item.created_at,
                sha256="0" * 64,
                requested_by="anna",
                requested_at=requested,
                done_at=done,
            )
        )
        if done is not None:
            self.session.add(
                CaseEvent(
                    case_id=case.id,
                    at=done,
                    kind="moderated",
                    platform="meta",
                    actor="anna",
                    details={"operation": operation, "reason": "hate"},
                )
            )

    def reply(self, case: Case, posted: datetime | None) -> None:
        self.session.add(
            OutgoingReply(
                case_id=case.id,
                account_id=case.account_id,
                kind="refer",
                text="Hej!",
                fingerprint="f",
                method="comment",
                requested_by="anna",
                requested_at=posted or START,
                posted_at=posted,
            )
        )


def seed(session: Session) -> None:
    """A week on Facebook, a quiet Instagram, an unknown page, and things just outside."""
    h = History(session)
    # Sunday 23:59:59 the week before: outside, but what is done with it this week counts.
    before = h.item(START - timedelta(seconds=1), ["crime"])
    c0 = h.case(before, first=8 * HOUR + timedelta(seconds=1), closed=9 * HOUR)
    h.acted(c0, "refer", START + 8 * HOUR)
    h.acted(c0, "follow_up", START + 9 * HOUR)
    h.moderated(c0, before, "remove", done=START + HOUR, requested=START - 1 * MINUTE)
    # At the very start; edited from harmless to crime and prohibited: the latest counts.
    a = h.item(START, [], ["crime", "prohibited"])
    case_a = h.case(a, acute=True, first=10 * MINUTE, closed=2 * HOUR)
    h.acted(case_a, "police_report", START + 10 * MINUTE)
    h.acted(case_a, "follow_up", START + 2 * HOUR)
    # Edited the other way: child at risk, then harmless. The case stays, the item is not risky.
    b = h.item(START + DAY, ["child_at_risk"], [])
    case_b = h.case(b, first=30 * MINUTE)
    h.acted(case_b, "social_services_report", START + DAY + 30 * MINUTE)
    h.acted(case_b, "consult", START + DAY + 40 * MINUTE)
    c = h.item(START + 2 * DAY, ["individual_case"])
    case_c = h.case(c, first=HOUR, closed=DAY)
    h.acted(case_c, "refer", START + 2 * DAY + HOUR)
    h.acted(case_c, "refer", START + 2 * DAY + 2 * HOUR, kind="refused")
    h.reply(case_c, START + 2 * DAY + HOUR)
    h.reply(case_c, None)  # drafted, never posted
    d = h.item(START + 3 * DAY, ["crisis", "child_at_risk"], acute=True)
    case_d = h.case(d, acute=True, first=5 * MINUTE, closed=3 * HOUR)
    h.acted(case_d, "social_services_report", START + 3 * DAY + 5 * MINUTE)
    h.acted(case_d, "refer", START + 3 * DAY + 6 * MINUTE)
    h.acted(case_d, "follow_up", START + 3 * DAY + 3 * HOUR)
    e = h.item(START + 4 * DAY, ["serious_criticism"])
    case_e = h.case(e)  # nobody has acted yet
    h.acted(case_e, "ack_criticism", END + HOUR)
    f = h.item(START + 5 * DAY, ["personal_data"])
    case_f = h.case(f, first=2 * HOUR, closed=(END - f.received_at) + HOUR)  # closed after end
    h.acted(case_f, "moderate", START + 5 * DAY + 2 * HOUR)
    h.moderated(case_f, f, "hide", done=START + 5 * DAY + 2 * HOUR, requested=START + 5 * DAY)
    h.moderated(case_f, f, "remove", done=None, requested=START + 5 * DAY + 3 * HOUR)
    h.moderated(case_f, f, "remove", done=END, requested=END - MINUTE)
    g = h.item(END - MINUTE, ["prohibited"])
    h.case(g, first=11 * MINUTE)  # acted on, but only after the week ended
    h.item(START + DAY, [])  # harmless
    h.item(START + 2 * DAY)  # not assessed (yet)
    # At the very end: next week's.
    after = h.item(END, ["crime"])
    case_after = h.case(after, first=MINUTE)
    h.acted(case_after, "refer", END + MINUTE)
    h.reply(case_after, END)
    # Instagram: only last week.
    h.item(START - 2 * DAY, ["crime"], account=IG, page="17841400000000000")
    # A page the policy does not know (any more).
    u = h.item(START + 2 * DAY, ["crime"], account=None, page="999", acute=True)
    case_u = h.case(u, acute=True, first=20 * MINUTE)
    h.acted(case_u, "police_report", START + 2 * DAY + 20 * MINUTE)
    h.reply(case_u, START + 2 * DAY + HOUR)
    h.item(START + 3 * DAY, [], account="old-account", page="998")
    session.commit()


@pytest.fixture
def report(engine: Engine, policy: Policy) -> Report:
    with Session(engine) as session:
        seed(session)
    with Session(engine) as session:
        return build_report(
            session, policy=policy, start=START.astimezone(STOCKHOLM), end=END.astimezone(STOCKHOLM)
        )


def categories(**counts: int) -> dict[str, int]:
    return {code: counts.get(code, 0) for code in CATEGORIES}


def test_every_policy_account_and_the_unknown_pages_get_a_line(report: Report) -> None:
    assert [a.account_id for a in report.accounts] == [FB, IG, None]
    assert report.accounts[0].name == "Exempelkommun på Facebook"
    assert report.total.name == "Exempelkommun"
    assert report.period.start == START and report.period.end == END


def test_facebook_counts(report: Report) -> None:
    fb = report.accounts[0]
    assert (fb.items, fb.risky) == (9, 6)
    assert fb.per_category == categories(
        crime=1,
        prohibited=2,
        individual_case=1,
        crisis=1,
        child_at_risk=1,
        serious_criticism=1,
        personal_data=1,
    )
    assert (fb.cases, fb.acute, fb.open_cases) == (7, 2, 4)
    assert (fb.referrals, fb.police_reports, fb.social_services_reports) == (3, 1, 2)
    assert (fb.hidden, fb.removed, fb.replies) == (1, 1, 1)


def test_facebook_times_use_nearest_rank(report: Report) -> None:
    first, follow_up = report.accounts[0].time_to_first_action, report.accounts[0].time_to_follow_up
    # First actions 5, 10, 30, 60, 120 min: median is the 3rd, p90 the 5th (not 96 min).
    assert (first.count, first.median, first.p90) == (5, 30 * MINUTE, 2 * HOUR)
    # Follow-ups 2 h, 3 h, 24 h (the case closed after the end is still open).
    assert (follow_up.count, follow_up.median, follow_up.p90) == (3, 3 * HOUR, DAY)


def test_a_quiet_account_has_zeros_and_no_times(report: Report) -> None:
    ig = report.accounts[1]
    assert (ig.items, ig.risky, ig.cases, ig.open_cases, ig.replies) == (0, 0, 0, 0, 0)
    assert ig.per_category == categories()
    assert ig.time_to_first_action.median is None and ig.time_to_first_action.p90 is None
    assert ig.time_to_follow_up.count == 0


def test_unknown_pages_are_one_bucket(report: Report) -> None:
    unknown = report.accounts[2]
    assert (unknown.items, unknown.risky, unknown.cases, unknown.acute) == (2, 1, 1, 1)
    assert unknown.per_category == categories(crime=1)
    assert (unknown.police_reports, unknown.replies, unknown.open_cases) == (1, 1, 1)
    assert unknown.time_to_first_action.median == unknown.time_to_first_action.p90 == 20 * MINUTE


def test_the_total_pools_every_bucket(report: Report) -> None:
    total = report.total
    assert (total.items, total.risky, total.cases, total.acute, total.open_cases) == (
        11,
        7,
        8,
        3,
        5,
    )
    assert total.per_category == categories(
        crime=2,
        prohibited=2,
        individual_case=1,
        crisis=1,
        child_at_risk=1,
        serious_criticism=1,
        personal_data=1,
    )
    assert (total.referrals, total.police_reports, total.social_services_reports) == (3, 2, 2)
    assert (total.hidden, total.removed, total.replies) == (1, 1, 2)
    # Pooled, not a median of medians: 5, 10, 20, 30, 60, 120 min.
    assert total.time_to_first_action.median == 20 * MINUTE
    assert total.time_to_first_action.p90 == 2 * HOUR


def test_no_unknown_bucket_when_every_page_is_known(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        History(session).item(START + HOUR, ["crime"], account=IG, page="17841400000000000")
        session.commit()
        report = build_report(session, policy=policy, start=START, end=END)
    assert [a.account_id for a in report.accounts] == [FB, IG]
    assert report.accounts[1].risky == report.total.risky == 1


def test_an_empty_database_gives_zeros(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        report = build_report(session, policy=policy, start=START, end=END)
    assert [a.items for a in report.accounts] == [0, 0]
    assert report.total.time_to_follow_up.median is None


def test_naive_or_reversed_periods_are_refused(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session, pytest.raises(ValueError, match="aware"):
        build_report(
            session,
            policy=policy,
            start=datetime(2026, 11, 16),
            end=END,
        )
    with Session(engine) as session, pytest.raises(ValueError, match="after"):
        build_report(session, policy=policy, start=END, end=START)


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([7], 7, 7),
        ([1, 2], 1, 2),
        ([4, 1, 3, 2], 2, 4),
        (list(range(1, 11)), 5, 9),
        (list(range(1, 21)), 10, 18),
    ],
)
def test_nearest_rank_percentiles(values: list[int], median: int, p90: int) -> None:
    minutes = [v * MINUTE for v in values]
    assert percentile(minutes, 50) == median * MINUTE
    assert percentile(minutes, 90) == p90 * MINUTE


def test_percentile_of_nothing_is_none_and_p_is_checked() -> None:
    assert percentile([], 90) is None
    with pytest.raises(ValueError):
        percentile([MINUTE], 0)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "start", "end", "hours"),
    [
        # An ordinary week, asked for on Wednesday.
        (datetime(2026, 11, 25, 9, 0, tzinfo=UTC), local(2026, 11, 16), local(2026, 11, 23), 168),
        # Monday 00:00 Stockholm is still Sunday in UTC: the week just ended is the one.
        (datetime(2026, 11, 22, 23, 0, tzinfo=UTC), local(2026, 11, 16), local(2026, 11, 23), 168),
        # One microsecond earlier it is still Sunday: the week before that.
        (
            datetime(2026, 11, 22, 22, 59, 59, 999999, tzinfo=UTC),
            local(2026, 11, 9),
            local(2026, 11, 16),
            168,
        ),
        # The week with the spring change (29 March 2026) has 167 hours.
        (datetime(2026, 3, 30, 6, 0, tzinfo=UTC), local(2026, 3, 23), local(2026, 3, 30), 167),
        # The week with the autumn change (25 October 2026) has 169 hours.
        (datetime(2026, 10, 26, 6, 0, tzinfo=UTC), local(2026, 10, 19), local(2026, 10, 26), 169),
        # Across the new year: ISO week 53 of 2026.
        (datetime(2027, 1, 5, 12, 0, tzinfo=UTC), local(2026, 12, 28), local(2027, 1, 4), 168),
        # Week 1 of 2026 began in December 2025.
        (datetime(2026, 1, 7, 12, 0, tzinfo=UTC), local(2025, 12, 29), local(2026, 1, 5), 168),
    ],
)
def test_last_week(now: datetime, start: datetime, end: datetime, hours: int) -> None:
    got_start, got_end = last_week(now)
    assert (got_start, got_end) == (start, end)
    # Subtracting in UTC: aware datetimes in one zone subtract as wall-clock times.
    assert got_end.astimezone(UTC) - got_start.astimezone(UTC) == timedelta(hours=hours)
    assert got_start.utcoffset() is not None
    assert got_start.astimezone(STOCKHOLM).weekday() == 0
    assert got_start.astimezone(STOCKHOLM).hour == 0


def test_last_week_in_2026_week_53() -> None:
    start, _ = last_week(datetime(2027, 1, 5, 12, 0, tzinfo=UTC))
    assert start.isocalendar()[:2] == (2026, 53)


def test_last_week_needs_an_aware_now() -> None:
    with pytest.raises(ValueError):
        last_week(datetime(2026, 11, 25))
