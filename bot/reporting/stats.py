"""The weekly numbers: volumes, risk, time to first action and to follow-up, per account.

Definitions, so a manager and a developer read the same thing:
- Periods are half-open, [start, end). Everything is measured *as of end*: a case counts as
  acted on (or followed up) only if that happened before end, so re-running a past week gives
  the same numbers.
- An item is risky when its latest assessment (by assessed_at, then id) has a category.
- Time to first action is over cases opened in the period with a first action before end;
  time to follow-up over cases opened in the period and closed (followed up) before end.
  Open cases are the rest of the cases opened in the period.
- Percentiles are nearest-rank: the p-th percentile of n sorted values x(1) <= ... <= x(n) is
  x(ceil(p/100 * n)); the median is the 50th, i.e. the lower middle value when n is even. Both
  are therefore always a duration that really occurred.
- Referrals, police reports and social services reports are "acted" events in the period;
  hidden and removed posts are removal records carried out (done_at) in the period; replies are
  outgoing replies posted in the period. Each is attributed to its case's account.
- Items, cases and events whose account is not in the policy go to an "unknown account" bucket,
  shown only when something landed in it; the total is the sum of all buckets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.domain.models import Assessment, Case, CaseEvent, Item, OutgoingReply, RemovalRecord
from bot.domain.policy import Policy
from bot.i18n import STOCKHOLM
from bot.risk.types import Category

CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category)
_COUNTED_ACTIONS = ("refer", "police_report", "social_services_report")


@dataclass(frozen=True)
class Period:
    """A half-open span of time, [start, end), in aware datetimes."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Durations:
    """How many durations were measured, their median and 90th percentile (nearest-rank)."""

    count: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None


@dataclass(frozen=True)
class AccountStats:
    """The numbers for one account (or, as the report's total, for the whole municipality).

    account_id is the policy id; None marks the unknown-account bucket (or the total).
    """

    account_id: str | None
    name: str
    items: int = 0
    risky: int = 0
    per_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    cases: int = 0
    acute: int = 0
    time_to_first_action: Durations = Durations()
    time_to_follow_up: Durations = Durations()
    open_cases: int = 0
    referrals: int = 0
    police_reports: int = 0
    social_services_reports: int = 0
    hidden: int = 0
    removed: int = 0
    replies: int = 0


@dataclass(frozen=True)
class Report:
    """A period's numbers for the whole municipality and for each account."""

    period: Period
    total: AccountStats
    accounts: tuple[AccountStats, ...]


def percentile(values: Iterable[timedelta], p: int) -> timedelta | None:
    """The nearest-rank p-th percentile (0 < p <= 100) of the values; None when empty."""
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = -(-p * len(ordered) // 100)  # ceil(p/100 * n) in integers: no float rounding
    return ordered[rank - 1]


def last_week(now: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to Monday 00:00 (Europe/Stockholm) of the ISO week before the one of now."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(STOCKHOLM).date()
    monday = today - timedelta(days=today.weekday())
    # Combining dates with the zone (not adding hours) keeps midnight right across DST changes.
    start = datetime.combine(monday - timedelta(days=7), time(), tzinfo=STOCKHOLM)
    return start, datetime.combine(monday, time(), tzinfo=STOCKHOLM)


@dataclass
class _Tally:
    """Mutable counts for one bucket while the queries run."""

    items: int = 0
    risky: int = 0
    per_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    cases: int = 0
    acute: int = 0
    first_action: list[timedelta] = field(default_factory=list)
    follow_up: list[timedelta] = field(default_factory=list)
    open_cases: int = 0
    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTED_ACTIONS, 0))
    moderations: dict[str, int] = field(default_factory=lambda: {"hide": 0, "remove": 0})
    replies: int = 0

    def add(self, other: _Tally) -> None:
        """Fold another bucket into this one (for the total)."""
        for name in (f.name for f in fields(self)):
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, dict):
                for key, value in theirs.items():
                    mine[key] += value
            else:
                setattr(self, name, mine + theirs)  # ints add up, lists of durations join

    def is_empty(self) -> bool:
        """Nothing at all landed here."""
        return not (
            self.items
            or self.cases
            or self.replies
            or any(self.actions.values())
            or any(self.moderations.values())
        )

    def freeze(self, account_id: str | None, name: str) -> AccountStats:
        """The immutable stats for this bucket."""
        return AccountStats(
            account_id=account_id,
            name=name,
            items=self.items,
            risky=self.risky,
            per_category=dict(self.per_category),
            cases=self.cases,
            acute=self.acute,
            time_to_first_action=_durations(self.first_action),
            time_to_follow_up=_durations(self.follow_up),
            open_cases=self.open_cases,
            referrals=self.actions["refer"],
            police_reports=self.actions["police_report"],
            social_services_reports=self.actions["social_services_report"],
            hidden=self.moderations["hide"],
            removed=self.moderations["remove"],
            replies=self.replies,
        )


_Bucket = Callable[[str | None], _Tally]


def _durations(values: Sequence[timedelta]) -> Durations:
    return Durations(len(values), percentile(values, 50), percentile(values, 90))


def build_report(session: Session, *, policy: Policy, start: datetime, end: datetime) -> Report:
    """Count what came in and what was done in [start, end), per account and in total."""
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        raise ValueError("end must be after start")
    period = Period(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    known = {account.id for account in policy.accounts}
    tallies: defaultdict[str | None, _Tally] = defaultdict(_Tally)

    def bucket(account_id: str | None) -> _Tally:
        return tallies[account_id if account_id in known else None]

    _count_items(session, start, end, bucket)
    _count_cases(session, start, end, bucket)
    _count_actions(session, start, end, bucket)
    _count_moderations(session, start, end, bucket)
    _count_replies(session, start, end, bucket)

    accounts = [tallies[a.id].freeze(a.id, a.name) for a in policy.accounts]
    unknown = tallies.get(None)
    if unknown is not None and not unknown.is_empty():
        accounts.append(unknown.freeze(None, ""))
    total = _Tally()
    for key in [*(a.id for a in policy.accounts), None]:
        if key in tallies:
            total.add(tallies[key])
    return Report(
        period=period, total=total.freeze(None, policy.municipality), accounts=tuple(accounts)
    )


def _in(column: Any, start: datetime, end: datetime) -> Any:
    return (col(column) >= start) & (col(column) < end)


def _count_items(session: Session, start: datetime, end: datetime, bucket: _Bucket) -> None:
    received = _in(Item.received_at, start, end)
    for account_id, count in session.exec(
        select(Item.account_id, func.count()).where(received).group_by(col(Item.account_id))
    ):
        bucket(account_id).items += count
    ranked = (
        select(
            col(Assessment.item_id).label("item_id"),
            col(Assessment.categories).label("categories"),
            func.row_number()
            .over(
                partition_by=col(Assessment.item_id),
                order_by=(col(Assessment.assessed_at).desc(), col(Assessment.id).desc()),
            )
            .label("rank"),
        )
        .join(Item, col(Item.id) == col(Assessment.item_id))
        .where(received)
        .subquery()
    )
    latest = (
        select(Item.account_id, ranked.c.categories)
        .join(ranked, ranked.c.item_id == col(Item.id))
        .where(ranked.c.rank == 1, func.json_array_length(ranked.c.categories) > 0)
    )
    for account_id, categories in session.exec(latest):
        tally = bucket(account_id)
        tally.risky += 1
        for code in set(categories) & set(CATEGORIES):
            tally.per_category[code] += 1


def _count_cases(session: Session, start: datetime, end: datetime, bucket: _Bucket) -> None:
    # Durations need the rows: SQL interval arithmetic differs between SQLite and PostgreSQL.
    # (sqlalchemy's select, since sqlmodel's is typed for at most four columns.)
    rows = session.execute(
        sa_select(
            col(Case.account_id),
            col(Case.acute),
            col(Case.opened_at),
            col(Case.first_action_at),
            col(Case.closed_at),
        ).where(_in(Case.opened_at, start, end))
    )
    for account_id, acute, opened_at, first_action_at, closed_at in rows:
        tally = bucket(account_id)
        tally.cases += 1
        tally.acute += int(bool(acute))
        if first_action_at is not None and first_action_at < end:
            tally.first_action.append(first_action_at - opened_at)
        if closed_at is not None and closed_at < end:
            tally.follow_up.append(closed_at - opened_at)
        else:
            tally.open_cases += 1


def _count_actions(session: Session, start: datetime, end: datetime, bucket: _Bucket) -> None:
    action = col(CaseEvent.details)["action"].as_string()
    # Grouping over a subquery's columns: PostgreSQL would not match two separately bound
    # JSON paths in SELECT and GROUP BY.
    acted = (
        select(col(Case.account_id).label("account_id"), action.label("action"))
        .join(Case, col(Case.id) == col(CaseEvent.case_id))
        .where(
            CaseEvent.kind == "acted", _in(CaseEvent.at, start, end), action.in_(_COUNTED_ACTIONS)
        )
        .subquery()
    )
    for account_id, name, count in session.exec(
        select(acted.c.account_id, acted.c.action, func.count()).group_by(
            acted.c.account_id, acted.c.action
        )
    ):
        bucket(account_id).actions[name] += count


def _count_moderations(session: Session, start: datetime, end: datetime, bucket: _Bucket) -> None:
    # The removal record and its "moderated" event are written together; count the record.
    for account_id, operation, count in session.exec(
        select(Case.account_id, RemovalRecord.action, func.count())
        .join(Case, col(Case.id) == col(RemovalRecord.case_id))
        .where(
            _in(RemovalRecord.done_at, start, end),
            col(RemovalRecord.action).in_(("hide", "remove")),
        )
        .group_by(col(Case.account_id), col(RemovalRecord.action))
    ):
        bucket(account_id).moderations[operation] += count


def _count_replies(session: Session, start: datetime, end: datetime, bucket: _Bucket) -> None:
    for account_id, count in session.exec(
        select(OutgoingReply.account_id, func.count())
        .where(_in(OutgoingReply.posted_at, start, end))
        .group_by(col(OutgoingReply.account_id))
    ):
        bucket(account_id).replies += count
