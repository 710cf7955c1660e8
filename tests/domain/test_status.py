"""A chat status that says away, with no handover recorded, nags until the handover exists."""

from __future__ import annotations

import io
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.console.chat import ConsoleChat
from bot.domain import outbox
from bot.domain.absence import record_absence
from bot.domain.models import OutboxMessage, StatusAlert
from bot.domain.notices import STATUS_NO_HANDOVER, STATUS_NO_HANDOVER_MANAGER
from bot.domain.outbox_worker import OutboxWorker
from bot.domain.policy import Policy
from bot.domain.status import absence_reason, on_status_changed, sweep_status_alerts
from bot.i18n import translator
from tests.conftest import T0

SATURDAY = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
MONDAY_OPENING = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Stockholm


@pytest.mark.parametrize(
    ("text", "emoji", "reason"),
    [
        ("Sjuk", "", "sick"),
        ("sjukskriven hela veckan", "", "sick"),
        ("VAB", "", "sick"),
        ("Vabbar idag", "", "sick"),
        ("Lite krasslig", "", "sick"),
        ("home sick", "", "sick"),
        ("Sick today", "", "sick"),
        ("", ":face_with_thermometer:", "sick"),
        ("", ":thermometer:", "sick"),
        ("Hemma", ":nauseated_face:", "sick"),
        ("", ":mask:", "sick"),
        ("", ":pill:", "sick"),
        ("", ":sneezing_face:", "sick"),
        ("Semester!", "", "vacation"),
        ("SEMESTER – tillbaka 7 jan", "", "vacation"),
        ("Vacation", "", "vacation"),
        ("", ":palm_tree:", "vacation"),
        ("", ":desert_island:", "vacation"),
        (":beach_with_umbrella: borta", "", "vacation"),
        ("", ":sun_with_face:", "vacation"),
        ("Ledig", "", "leave"),
        ("Tjänstledig", "", "leave"),
        ("tjanstledig", "", "leave"),
        ("Föräldraledig till juni", "", "leave"),
        ("foraldraledig", "", "leave"),
        ("Pappaledig", "", "leave"),
        ("mammaledig", "", "leave"),
        ("På resa", "", "leave"),
        ("pa resa", "", "leave"),
        ("Out of office", "", "leave"),
        ("OOO", "", "leave"),
        ("", ":airplane:", "leave"),
        ("", ":baby:", "leave"),
        ("I möte", "", None),
        ("Lunch", ":hamburger:", None),
        ("Jobbar hemifrån", ":house_with_garden:", None),
        ("WFH", "", None),
        ("", ":house_with_garden:", None),
        ("Jobbar hemifrån, lite krasslig", "", None),
        ("Tillbaka från semester", "", None),
        ("Back from vacation", "", None),
        ("Inte sjuk längre", "", None),
        ("Inte ledig", "", None),
        ("Arbetar med tillgänglighet", "", None),
        ("Sjukt mycket att göra", "", None),
        ("Planerar ledigheten", "", None),
        ("Semesterplanering", "", None),
        ("", "", None),
        ("På plats", ":calendar:", None),
        ("Sjuk, jobbar inte", "", "sick"),
        ("Sjuk men jobbar lite på distans", "", None),
        ("Semester – åter 7/1", ":palm_tree:", "vacation"),
        ("Sjuk", ":baby::skin-tone-2:", "sick"),
    ],
)
def test_the_status_says_away_or_not(text: str, emoji: str, reason: str | None) -> None:
    assert absence_reason(text, emoji) == reason


def alerts(session: Session) -> list[StatusAlert]:
    return list(session.exec(select(StatusAlert).order_by(col(StatusAlert.id))).all())


def direct(session: Session) -> list[tuple[str, str]]:
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.op == outbox.DIRECT)
        .order_by(col(OutboxMessage.id))
    ).all()
    assert all(r.case_id is None for r in rows)
    return [(r.payload["person_id"], r.payload["notice"]["kind"]) for r in rows]


def sick(
    session: Session, policy: Policy, now: datetime, person: str = "anna", text: str = "Sjuk"
) -> StatusAlert | None:
    return on_status_changed(
        session, policy=policy, person_id=person, status_text=text, status_emoji="", now=now
    )


def test_an_alert_nags_the_person_then_the_manager_until_a_handover_exists(
    engine: Engine, policy: Policy
) -> None:
    with Session(engine) as session:
        alert = sick(session, policy, T0, text="Sjukskriven, hör av mig")
        session.commit()
        assert alert is not None and alert.reason == "sick" and alert.next_nag_at == T0
        assert "hör" not in str(alert.model_dump())  # the status text is never stored
        assert sweep_status_alerts(session, policy=policy, now=T0) == 1
        assert sweep_status_alerts(session, policy=policy, now=T0) == 0
        assert direct(session) == [("anna", STATUS_NO_HANDOVER)]
        later = T0 + timedelta(hours=1, minutes=59)
        assert sweep_status_alerts(session, policy=policy, now=later) == 0
        later = T0 + timedelta(hours=2)
        assert sweep_status_alerts(session, policy=policy, now=later) == 1
        assert direct(session)[1:] == [
            ("anna", STATUS_NO_HANDOVER),
            ("maria", STATUS_NO_HANDOVER_MANAGER),
        ]
        record_absence(
            session,
            policy=policy,
            person_id="anna",
            starts_on=date(2026, 11, 18),
            ends_on=date(2026, 11, 20),
            deputy_id="karim",
            reason="sick",
            recorded_by="anna",
            now=later,
        )
        session.commit()
        assert sweep_status_alerts(session, policy=policy, now=later + timedelta(hours=5)) == 0
        [stored] = alerts(session)
        assert (stored.resolution, stored.nag_count) == ("handover_recorded", 2)
        assert len(direct(session)) == 3


def test_the_direct_messages_read_well(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        sick(session, policy, T0)
        sweep_status_alerts(session, policy=policy, now=T0)
        sweep_status_alerts(session, policy=policy, now=T0 + timedelta(hours=2))
    out = io.StringIO()
    worker = OutboxWorker(
        engine,
        ConsoleChat(policy, translator("en"), out=out),
        policy,
        clock=lambda: T0 + timedelta(hours=2),
    )
    assert worker.run_once() == 3
    text = out.getvalue()
    assert (
        text.count(
            "Direct message to Anna Lindqvist: Your status says you are away, but no "
            "handover is recorded. Record your absence with /frånvaro"
        )
        == 2
    )
    assert (
        "Direct message to Maria Ek: Maria Ek: according to their status Anna Lindqvist is "
        "away, but no handover is recorded for Exempelkommun på Facebook."
    ) in text


def test_one_open_alert_per_person(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        first = sick(session, policy, T0)
        again = sick(session, policy, T0 + timedelta(minutes=5), text=":palm_tree:")
        assert first is not None and again is not None and first.id == again.id
        assert len(alerts(session)) == 1


def test_a_cleared_status_resolves_the_alert(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        sick(session, policy, T0)
        assert sick(session, policy, T0 + timedelta(minutes=30), text="I möte") is None
        [stored] = alerts(session)
        assert stored.resolution == "status_cleared"
        assert stored.resolved_at == T0 + timedelta(minutes=30)
        assert sweep_status_alerts(session, policy=policy, now=T0 + timedelta(hours=3)) == 0
        assert direct(session) == []


@pytest.mark.parametrize("starts_on", [date(2026, 11, 18), date(2026, 11, 19)])
def test_no_alert_when_a_handover_already_exists(
    engine: Engine, policy: Policy, starts_on: date
) -> None:
    with Session(engine) as session:
        record_absence(
            session,
            policy=policy,
            person_id="anna",
            starts_on=starts_on,
            ends_on=date(2026, 11, 27),
            deputy_id="karim",
            recorded_by="anna",
            now=T0,
        )
        assert sick(session, policy, T0, text=":palm_tree:") is None
        assert alerts(session) == []


def test_a_friday_status_is_covered_by_a_handover_from_monday(
    engine: Engine, policy: Policy
) -> None:
    friday = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    with Session(engine) as session:
        record_absence(
            session,
            policy=policy,
            person_id="anna",
            starts_on=date(2026, 11, 23),
            ends_on=date(2026, 11, 27),
            deputy_id="karim",
            recorded_by="anna",
            now=friday,
        )
        assert sick(session, policy, friday, text="Semester") is None


def test_nobody_is_nagged_out_of_office_hours(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        sick(session, policy, SATURDAY)
        assert sweep_status_alerts(session, policy=policy, now=SATURDAY) == 0
        [stored] = alerts(session)
        assert stored.next_nag_at == MONDAY_OPENING and stored.nag_count == 0
        assert sweep_status_alerts(session, policy=policy, now=MONDAY_OPENING) == 1
        assert direct(session) == [("anna", STATUS_NO_HANDOVER)]


def test_someone_without_accounts_is_not_nagged(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        assert sick(session, policy, T0, person="maria") is None
        assert sick(session, policy, T0, person="olle") is None
        assert alerts(session) == []


def test_two_clocks_nag_once(engine: Engine, policy: Policy) -> None:
    with Session(engine) as session:
        sick(session, policy, T0)
        session.commit()
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def clock() -> None:
        with Session(engine) as session:
            barrier.wait()
            counts.append(sweep_status_alerts(session, policy=policy, now=T0))

    threads = [threading.Thread(target=clock) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 1]
    with Session(engine) as session:
        assert direct(session) == [("anna", STATUS_NO_HANDOVER)]
