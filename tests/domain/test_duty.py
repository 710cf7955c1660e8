"""An account nobody present answers for is reported to its manager, once a day."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.console.render import person_formatter
from bot.domain import outbox
from bot.domain.absence import record_absence
from bot.domain.duty import check_accounts_attended, unattended_accounts
from bot.domain.models import OutboxMessage
from bot.domain.notices import UNATTENDED, Notice, render_notice
from bot.domain.policy import Policy
from bot.i18n import translator
from tests.conftest import T0

TODAY = date(2026, 11, 18)
FB, IG = "facebook-kommunen", "instagram-kommunen"


def away(
    session: Session, policy: Policy, person: str, deputy: str | None, end: date = TODAY
) -> None:
    record_absence(
        session,
        policy=policy,
        person_id=person,
        starts_on=TODAY,
        ends_on=end,
        deputy_id=deputy,
        recorded_by=person,
        now=T0,
    )
    session.commit()


def dms(session: Session) -> list[tuple[str, str, str]]:
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.op == outbox.DIRECT)
        .order_by(col(OutboxMessage.id))
    ).all()
    return [
        (
            r.payload["person_id"],
            r.payload["notice"]["kind"],
            r.payload["notice"]["params"]["account_id"],
        )
        for r in rows
    ]


def test_an_account_with_nobody_present_is_reported_to_the_manager(
    engine: Engine, policy: Policy
) -> None:
    with Session(engine) as session:
        away(session, policy, "anna", None)
        assert check_accounts_attended(session, policy=policy, now=T0) == [FB]
        assert dms(session) == [("maria", UNATTENDED, FB)]


def test_a_present_deputy_means_nothing_is_sent(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        away(session, policy, "anna", "karim")
        assert check_accounts_attended(session, policy=policy, now=T0) == []
        assert unattended_accounts(session, policy=policy, now=T0) == []
        assert dms(session) == []


def test_a_deputy_who_is_away_too_is_named(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        away(session, policy, "anna", "karim")
        away(session, policy, "karim", "anna")
        assert check_accounts_attended(session, policy=policy, now=T0) == [FB, IG]
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        params = [r.payload["notice"]["params"] for r in rows if r.op == outbox.DIRECT]
        assert [(p["absent"], p["deputy"]) for p in params] == [
            ("anna", "karim"),
            ("karim", "anna"),
        ]


def test_the_manager_is_told_once_a_day(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        away(session, policy, "anna", None, end=TODAY + timedelta(days=1))
        assert check_accounts_attended(session, policy=policy, now=T0) == [FB]
        assert check_accounts_attended(session, policy=policy, now=T0 + timedelta(hours=5)) == []
        tomorrow = T0 + timedelta(days=1)
        assert check_accounts_attended(session, policy=policy, now=tomorrow) == [FB]
        assert (
            check_accounts_attended(session, policy=policy, now=tomorrow + timedelta(days=1)) == []
        )  # back again
        assert len(dms(session)) == 2


def test_nothing_is_sent_out_of_office_hours(engine: Engine, policy: Policy) -> None:
    evening = datetime(2026, 11, 18, 19, 0, tzinfo=UTC)
    with Session(engine) as session:
        away(session, policy, "anna", None)
        assert check_accounts_attended(session, policy=policy, now=evening) == []
        assert [a.id for a, _ in unattended_accounts(session, policy=policy, now=evening)] == [FB]


def test_two_clocks_tell_the_manager_once(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        away(session, policy, "anna", None)
    barrier = threading.Barrier(2)
    results: list[list[str]] = []

    def clock() -> None:
        with Session(engine) as session:
            barrier.wait()
            results.append(check_accounts_attended(session, policy=policy, now=T0))

    threads = [threading.Thread(target=clock) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [[], [FB]]
    with Session(engine) as session:
        assert len(dms(session)) == 1


def test_the_message_reads_well(policy: Policy) -> None:
    fmt = person_formatter(policy)
    t = translator("en")
    alone = Notice(
        UNATTENDED,
        0,
        {
            "person": "maria",
            "account_id": FB,
            "absent": "anna",
            "account": "Exempelkommun på Facebook",
            "deputy": None,
        },
    )
    assert render_notice(alone, t, fmt, str) == (
        "The account Exempelkommun på Facebook has no responsible person present: Anna "
        "Lindqvist is away and no deputy is recorded. Appoint a deputy with /överlämning."
    )
    both = Notice(UNATTENDED, 0, {**alone.params, "deputy": "karim"})
    assert "and so is the deputy Karim Haddad" in render_notice(both, t, fmt, str)
