"""Absences and handovers: Anna is away, Karim covers, and the open cases say so."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.console.render import person_formatter
from bot.domain import outbox
from bot.domain.absence import (
    AbsenceError,
    absences_overview,
    active_absences,
    cancel_absence,
    hand_over_due,
    my_absences,
    record_absence,
    responsibility,
    responsible_now,
)
from bot.domain.models import (
    Absence,
    Assessment,
    Case,
    CaseEvent,
    CaseState,
    Item,
    OutboxMessage,
)
from bot.domain.notices import HANDED_OVER, Notice, render_notice
from bot.domain.policy import Policy
from bot.i18n import translator
from tests.conftest import T0

FB, IG = "facebook-kommunen", "instagram-kommunen"
TODAY = date(2026, 11, 18)  # T0 is Wednesday 18 November, 10:00 in Stockholm
TOMORROW = TODAY + timedelta(days=1)


def record(
    session: Session,
    policy: Policy,
    person: str = "anna",
    deputy: str | None = "karim",
    start: date = TOMORROW,
    end: date | None = None,
    **extra: Any,
) -> Absence:
    return record_absence(
        session,
        policy=policy,
        person_id=person,
        starts_on=start,
        ends_on=end or start,
        deputy_id=deputy,
        recorded_by=person,
        now=T0,
        **extra,
    )


def open_case(session: Session, account_id: str = FB, state: str = CaseState.NEW) -> Case:
    n = len(session.exec(select(Item)).all()) + 1
    item = Item(
        platform="facebook",
        account_external_id="111",
        account_id=account_id,
        external_id=f"c{n}",
        kind="comment",
        text="Mitt ärende",
        created_at=T0,
    )
    session.add(item)
    session.flush()
    assessment = Assessment(item_id=item.id or 0, ruleset_version="test")
    session.add(assessment)
    session.flush()
    case = Case(
        item_id=item.id or 0,
        assessment_id=assessment.id or 0,
        account_id=account_id,
        channel="C1",
        state=state,
        opened_at=T0,
        activity_at=T0,
    )
    session.add(case)
    session.commit()
    return case


def who(session: Session, policy: Policy, account_id: str, now: datetime) -> str | None:
    account = policy.account(account_id)
    assert account is not None
    person = responsible_now(session, policy=policy, account=account, now=now)
    return person.id if person else None


def handed_over(session: Session) -> list[CaseEvent]:
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.kind == "handed_over").order_by(col(CaseEvent.id))
        ).all()
    )


def outbox_rows(session: Session, op: str) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.op == op)).all())


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 18, 22, 59, tzinfo=UTC), "anna"),  # 23:59 the day before, in Stockholm
        (datetime(2026, 11, 18, 23, 0, tzinfo=UTC), "karim"),  # midnight in Stockholm, 18th in UTC
        (datetime(2026, 11, 19, 12, 0, tzinfo=UTC), "karim"),  # the first day
        (datetime(2026, 11, 20, 22, 59, tzinfo=UTC), "karim"),  # the last minute of the last day
        (datetime(2026, 11, 20, 23, 0, tzinfo=UTC), "anna"),  # the 21st in Stockholm: back
    ],
)
def test_an_absence_covers_whole_stockholm_days(
    engine: Engine, policy: Policy, now: datetime, expected: str
) -> None:
    with Session(engine) as session:
        record(session, policy, end=date(2026, 11, 20))
        session.commit()
        assert who(session, policy, FB, now) == expected
        assert who(session, policy, IG, now) == "karim"


def test_summer_time_moves_midnight_to_22_utc(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        record_absence(
            session,
            policy=policy,
            person_id="anna",
            starts_on=date(2027, 6, 21),
            ends_on=date(2027, 6, 21),
            deputy_id="karim",
            recorded_by="anna",
            now=T0,
        )
        assert who(session, policy, FB, datetime(2027, 6, 20, 21, 59, tzinfo=UTC)) == "anna"
        assert who(session, policy, FB, datetime(2027, 6, 20, 22, 0, tzinfo=UTC)) == "karim"
        assert active_absences(session, on=date(2027, 6, 21))[0].person_id == "anna"
        assert active_absences(session, on=date(2027, 6, 22)) == []


def test_a_card_can_say_who_is_away_and_who_covers(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        absence = record(session, policy, start=TODAY)
        account = policy.account(FB)
        assert account is not None
        answer = responsibility(session, policy=policy, account=account, now=T0)
        assert answer.responsible is not None and answer.responsible.name == "Karim Haddad"
        assert answer.absent is not None and answer.absent.name == "Anna Lindqvist"
        assert answer.absence is not None and answer.absence.id == absence.id


def test_the_chain_of_deputies_is_followed(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        record(session, policy, start=TODAY)
        record(session, policy, person="karim", deputy="maria", start=TODAY)
        assert who(session, policy, FB, T0) == "maria"
        assert who(session, policy, IG, T0) == "maria"
        account = policy.account(FB)
        assert account is not None
        answer = responsibility(session, policy=policy, account=account, now=T0)
        assert answer.absent is not None and answer.absent.id == "anna"


def test_a_cycle_of_deputies_leaves_nobody_responsible(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        record(session, policy, start=TODAY)
        record(session, policy, person="karim", deputy="anna", start=TODAY)
        assert who(session, policy, FB, T0) is None
        assert who(session, policy, IG, T0) is None


def test_an_absence_without_a_deputy_leaves_nobody(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        record(session, policy, deputy=None, start=TODAY)
        assert who(session, policy, FB, T0) is None
        assert who(session, policy, IG, T0) == "karim"


def test_a_deputy_can_hand_over_one_account_they_cover(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        record(session, policy, start=TODAY, end=TOMORROW)  # Karim covers Anna's Facebook
        record(session, policy, person="karim", deputy="maria", start=TODAY, accounts=[IG])
        assert who(session, policy, FB, T0) == "karim"
        assert who(session, policy, IG, T0) == "maria"
        record(session, policy, person="karim", deputy="maria", start=TOMORROW, accounts=[FB])
        assert who(session, policy, FB, T0 + timedelta(days=1)) == "maria"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"person": "olle"}, "Personen »olle« finns inte"),
        ({"deputy": "olle"}, "Ersättaren »olle« finns inte"),
        ({"deputy": "anna"}, "Anna Lindqvist kan inte vara sin egen ersättare"),
        ({"end": TODAY}, "Sista dagen 18/11 2026 ligger före första dagen 19/11 2026"),
        (
            {"start": TODAY - timedelta(days=3), "end": TODAY - timedelta(days=1)},
            "Perioden är redan slut",
        ),
        ({"accounts": ["tiktok"]}, "Kontot »tiktok« finns inte"),
        ({"accounts": [IG]}, "Anna Lindqvist ansvarar inte för @exempelkommun på Instagram"),
        ({"kind": "party"}, "Okänd sorts frånvaro"),
        ({"reason": "bored"}, "Okänd orsak"),
    ],
)
def test_mistakes_are_refused_in_swedish(
    engine: Engine, policy: Policy, changes: dict[str, object], message: str
) -> None:
    with Session(engine) as session, pytest.raises(AbsenceError, match=message):
        record(session, policy, **changes)  # type: ignore[arg-type]
    with Session(engine) as session:
        assert session.exec(select(Absence)).all() == []


def test_handover_starts_on_the_first_day_and_is_written_once(
    engine: Engine, policy: Policy
) -> None:
    with Session(engine) as session:
        case = open_case(session)
        open_case(session, state=CaseState.FOLLOWED_UP)
        open_case(session, account_id=IG)
        absence = record(session, policy, reason="sick")
        session.commit()
        assert hand_over_due(session, policy=policy, now=T0) == 0
        tomorrow = T0 + timedelta(days=1)
        assert hand_over_due(session, policy=policy, now=tomorrow) == 1
        assert hand_over_due(session, policy=policy, now=tomorrow) == 0
        events = handed_over(session)
        assert [(e.case_id, e.details) for e in events] == [
            (case.id, {"from": "anna", "to": "karim", "absence_id": absence.id})
        ]
        lines = outbox_rows(session, outbox.THREAD)
        assert [(r.case_id, r.target, r.payload["notice"]["kind"]) for r in lines] == [
            (case.id, "C1", HANDED_OVER)
        ]
        assert lines[0].payload["notice"]["params"]["until"] == "2026-11-19"
        assert [r.case_id for r in outbox_rows(session, outbox.UPDATE_CARD)] == [case.id]
        session.refresh(absence)
        assert absence.handed_over_at == tomorrow


def test_an_absence_that_has_begun_hands_over_at_once(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        case = open_case(session)
        record(session, policy, start=TODAY - timedelta(days=1), end=TODAY + timedelta(days=2))
        session.commit()
        assert [e.case_id for e in handed_over(session)] == [case.id]
        assert hand_over_due(session, policy=policy, now=T0) == 0
        assert len(handed_over(session)) == 1


def test_the_handover_line_names_whoever_is_present_down_the_chain(
    engine: Engine, policy: Policy
) -> None:
    with Session(engine) as session:
        open_case(session)
        record(session, policy, person="karim", deputy="maria", start=TODAY)
        record(session, policy, start=TODAY)
        assert [e.details["to"] for e in handed_over(session)] == ["maria"]


def test_two_clocks_hand_over_once(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        for _ in range(3):
            open_case(session)
        record(session, policy)
        session.commit()
    tomorrow = T0 + timedelta(days=1)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def clock() -> None:
        with Session(engine) as session:
            barrier.wait()
            counts.append(hand_over_due(session, policy=policy, now=tomorrow))

    threads = [threading.Thread(target=clock) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 1]
    with Session(engine) as session:
        assert len(handed_over(session)) == 3
        assert len(outbox_rows(session, outbox.THREAD)) == 3


def test_cancelling_gives_the_account_back(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        case = open_case(session)
        absence = record(session, policy, start=TODAY)
        assert absence.id is not None
        assert who(session, policy, FB, T0) == "karim"
        cancel_absence(session, absence_id=absence.id, by="maria", now=T0)
        session.commit()
        assert who(session, policy, FB, T0) == "anna"
        cancelled = session.exec(
            select(CaseEvent).where(CaseEvent.kind == "handover_cancelled")
        ).all()
        assert [(e.case_id, e.actor) for e in cancelled] == [(case.id, "maria")]
        with pytest.raises(AbsenceError, match="redan borttagen"):
            cancel_absence(session, absence_id=absence.id, by="maria", now=T0)
        with pytest.raises(AbsenceError, match="finns inte"):
            cancel_absence(session, absence_id=999, by="maria", now=T0)


def test_a_cancelled_future_absence_is_never_handed_over(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        open_case(session)
        absence = record(session, policy)
        assert absence.id is not None
        cancel_absence(session, absence_id=absence.id, by="anna", now=T0)
        session.commit()
        assert hand_over_due(session, policy=policy, now=T0 + timedelta(days=1)) == 0
        assert handed_over(session) == []


def test_the_overview_says_who_is_away_until_when_and_who_covers(
    engine: Engine, policy: Policy
) -> None:
    with Session(engine) as session:
        record(session, policy, start=TODAY, end=TODAY + timedelta(days=2))
        record(
            session,
            policy,
            person="karim",
            deputy="maria",
            start=TODAY + timedelta(days=7),
            accounts=[IG],
        )
        session.add(
            Absence(
                person_id="anna",
                starts_on=TODAY - timedelta(days=9),  # over
                ends_on=TODAY - timedelta(days=8),
                deputy_id="karim",
                recorded_by="anna",
            )
        )
        overview = absences_overview(session, policy=policy, today=TODAY)
        assert [
            (
                s.person and s.person.id,
                s.deputy and s.deputy.id,
                s.absence.ends_on,
                [a.id for a in s.accounts],
                s.active,
            )
            for s in overview
        ] == [
            ("anna", "karim", TODAY + timedelta(days=2), [FB], True),
            ("karim", "maria", TODAY + timedelta(days=7), [IG], False),
        ]
        assert [a.starts_on for a in my_absences(session, "karim", TODAY)] == [
            TODAY + timedelta(days=7)
        ]
        assert my_absences(session, "maria", TODAY) == []


def test_the_handover_line_reads_well() -> None:
    notice = Notice(
        HANDED_OVER,
        7,
        {"absent": "anna", "deputy": "karim", "kind": "absence", "until": "2026-12-24"},
    )
    policy_people = Policy.model_validate(
        {
            "version": "1",
            "municipality": "X",
            "nagging": {
                s: {
                    "first_after": "1m",
                    "repeat_every": "1m",
                    "dm_after": "1m",
                    "manager_after": "1m",
                }
                for s in ("normal", "acute")
            },
            "people": [{"id": "anna", "name": "Anna"}, {"id": "karim", "name": "Karim"}],
        }
    )
    text = render_notice(notice, translator("en"), person_formatter(policy_people), str)
    assert text == (
        "Anna is away until and including 24 December 2026; Karim is responsible for the case now."
    )
    handover = Notice(HANDED_OVER, 7, {**notice.params, "kind": "handover"})
    assert render_notice(
        handover, translator("en"), person_formatter(policy_people), str
    ).startswith("Anna has handed the account over until and including")
