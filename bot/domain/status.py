"""The bot notices absence on its own: a chat status that says sick or on leave, while no
handover is recorded, nags the person (and from the second time their manager) until it is.

Only the reason code is stored, never the status text: it is personal and may say more.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.domain.duty import accounts_of, active_absences, enqueue_personal_notice, local_today
from bot.domain.models import Absence, StatusAlert
from bot.domain.notices import STATUS_NO_HANDOVER, STATUS_NO_HANDOVER_MANAGER, Notice
from bot.domain.policy import Policy

logger = logging.getLogger(__name__)
NAG_EVERY = timedelta(hours=2)  # of office time
_FOLD = str.maketrans("åäöéü", "aaoeu")
_EMOJI = re.compile(r":([a-z0-9_+\-']+):")
# Words are matched on folded text (å→a, ä→a, ö→o), so "tjänstledig" and "tjanstledig" agree.
_WORDS = {
    "sick": r"sjuk|sjukskriven|sjukskrivning|sjukledig|krasslig|forkyld|vab|vabb|vabbar"
    r"|vabbdag|sick|ill",
    "vacation": r"semester|semestrar|semesterledig|vacation|holiday|on holiday",
    "leave": r"ledig|ledigt|tjanstledig|foraldraledig|foraldraledighet|pappaledig|mammaledig"
    r"|pa resa|out of office|ooo|on leave|franvarande",
}
_EMOJIS = {
    "sick": {
        "face_with_thermometer",
        "thermometer",
        "nauseated_face",
        "mask",
        "pill",
        "sneezing_face",
        "face_vomiting",
    },
    "vacation": {"palm_tree", "desert_island", "beach_with_umbrella", "sun_with_face"},
    "leave": {"airplane", "baby", "baby_bottle"},
}
# Working elsewhere is being present; coming back is the opposite of being away.
_PRESENT = re.compile(
    r"(?<!not )\b(?:jobbar|arbetar|working)\b(?!\s+(?:inte|ej)\b)"
    r"|\bhemifran\b|\bwfh\b|\bdistans\w*|\bremote\b"
    r"|\b(?:tillbaka|ater|back|home|returned)\s+(?:fran|efter|from|after)\b"
)
_PRESENT_EMOJIS = {"house_with_garden", "house", "computer", "office"}
_NEGATED = re.compile(r"\b(?:inte langre|no longer|inte|ej|not)\s+\w+")
_PATTERNS = {reason: re.compile(rf"\b(?:{words})\b") for reason, words in _WORDS.items()}


def absence_reason(status_text: str, status_emoji: str) -> str | None:
    """The reason code (sick, vacation, leave) when a chat status says away; None otherwise."""
    text = f"{status_text} {status_emoji}".lower().translate(_FOLD)
    emojis = set(_EMOJI.findall(text))
    words = _EMOJI.sub(" ", text)
    if _PRESENT.search(words) or emojis & _PRESENT_EMOJIS:
        return None
    words = _NEGATED.sub(" ", words)
    for reason in ("sick", "vacation", "leave"):
        if _PATTERNS[reason].search(words) or emojis & _EMOJIS[reason]:
            return reason
    return None


def _next_working_day(policy: Policy, today: date) -> date:
    day = today + timedelta(days=1)
    for _ in range(14):  # a run of closed days longer than this is no holiday
        if policy.office_hours.is_working_day(day):
            return day
        day += timedelta(days=1)
    return day


def handover_recorded(session: Session, *, policy: Policy, person_id: str, now: datetime) -> bool:
    """Whether an absence for the person has begun, or begins by the next working day."""
    today = local_today(policy, now)
    found = session.exec(
        select(Absence.id).where(
            col(Absence.person_id) == person_id,
            col(Absence.cancelled_at).is_(None),
            col(Absence.ends_on) >= today,
            col(Absence.starts_on) <= _next_working_day(policy, today),
        )
    ).first()
    return found is not None


def _open_alert(session: Session, person_id: str) -> StatusAlert | None:
    return session.exec(
        select(StatusAlert)
        .where(col(StatusAlert.person_id) == person_id, col(StatusAlert.resolved_at).is_(None))
        .order_by(col(StatusAlert.id))
    ).first()


def _resolve(session: Session, alert: StatusAlert, resolution: str, now: datetime) -> bool:
    result = session.exec(
        update(StatusAlert)
        .where(col(StatusAlert.id) == alert.id, col(StatusAlert.resolved_at).is_(None))
        .values(resolved_at=now, resolution=resolution, next_nag_at=None)
    )
    return bool(result.rowcount == 1)


def on_status_changed(
    session: Session,
    *,
    policy: Policy,
    person_id: str,
    status_text: str,
    status_emoji: str,
    now: datetime,
) -> StatusAlert | None:
    """React to a new chat status; returns the open alert when it says away without handover."""
    reason = absence_reason(status_text, status_emoji)
    alert = _open_alert(session, person_id)
    if reason is None or handover_recorded(session, policy=policy, person_id=person_id, now=now):
        if alert is not None:
            _resolve(
                session, alert, "status_cleared" if reason is None else "handover_recorded", now
            )
        return None
    active = active_absences(session, on=local_today(policy, now))
    # Someone with no accounts to hand over leaves nothing unattended.
    if policy.person(person_id) is None or not accounts_of(policy, person_id, active):
        return None
    if alert is not None:
        return alert
    alert = StatusAlert(person_id=person_id, reason=reason, detected_at=now, next_nag_at=now)
    session.add(alert)
    session.flush()
    logger.info("status alert %s opened", alert.id)
    return alert


def _managers(policy: Policy, person_id: str, account_ids: list[str]) -> list[str]:
    found = []
    for account_id in account_ids:
        account = policy.account(account_id)
        manager = policy.manager_of(account) if account else None
        if manager is not None and manager.id != person_id:
            found.append(manager.id)
    return list(dict.fromkeys(found))


def _nag(
    session: Session, alert: StatusAlert, *, policy: Policy, count: int, now: datetime
) -> None:
    enqueue_personal_notice(
        session,
        Notice(STATUS_NO_HANDOVER, 0, {"person": alert.person_id}),
        person_id=alert.person_id,
        now=now,
    )
    if count < 2:
        return
    ids = accounts_of(
        policy, alert.person_id, active_absences(session, on=local_today(policy, now))
    )
    names = ", ".join(a.name for a in (policy.account(i) for i in ids) if a is not None)
    for manager_id in _managers(policy, alert.person_id, ids):
        params = {"person": manager_id, "absent": alert.person_id, "accounts": names}
        enqueue_personal_notice(
            session, Notice(STATUS_NO_HANDOVER_MANAGER, 0, params), person_id=manager_id, now=now
        )


def sweep_status_alerts(session: Session, *, policy: Policy, now: datetime) -> int:
    """Resolve alerts whose handover now exists, nag the due ones; commits. Returns nagged."""
    hours = policy.office_hours
    alerts = session.exec(
        select(StatusAlert)
        .where(col(StatusAlert.resolved_at).is_(None))
        .order_by(col(StatusAlert.id))
    ).all()
    nagged = 0
    for alert in alerts:
        if policy.person(alert.person_id) is None:
            _resolve(session, alert, "person_removed", now)
        elif handover_recorded(session, policy=policy, person_id=alert.person_id, now=now):
            _resolve(session, alert, "handover_recorded", now)
        elif alert.next_nag_at is not None and alert.next_nag_at <= now:
            # Nobody is nagged at night: out of hours the alert waits for the next opening.
            is_open = hours.is_open(now)
            upcoming = hours.add_open_time(now, NAG_EVERY) if is_open else hours.next_open(now)
            count = alert.nag_count + 1
            claimed = session.exec(
                update(StatusAlert)
                .where(
                    col(StatusAlert.id) == alert.id,
                    col(StatusAlert.resolved_at).is_(None),
                    col(StatusAlert.next_nag_at) == alert.next_nag_at,
                )
                .values(
                    next_nag_at=upcoming, nag_count=StatusAlert.nag_count + (1 if is_open else 0)
                )
            )
            if claimed.rowcount == 1 and is_open:
                _nag(session, alert, policy=policy, count=count, now=now)
                nagged += 1
    session.commit()
    if nagged:
        logger.info("status alerts: nagged %d person(s)", nagged)
    return nagged
