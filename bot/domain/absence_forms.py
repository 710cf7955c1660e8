"""The /frånvaro and /överlämning forms: one definition for Slack and the console."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from bot.domain.absence import AbsenceError, record_absence
from bot.domain.actions import ActionId, button_label
from bot.domain.forms import FormField, FormSpec, split_choices
from bot.domain.models import Absence
from bot.domain.policy import Person, Policy
from bot.domain.swedish_dates import parse_period
from bot.i18n import STOCKHOLM, Translator

PERIOD_HINT = "i morgon · 24/12–26/12 · 3–7 mars · v. 52"


def absence_form(action: ActionId, *, policy: Policy, t: Translator, presser: str | None,
                 period: str | None = None) -> FormSpec:
    """The form: who, when, the deputy, which accounts, and (for an absence) why."""
    absence = action == ActionId.ABSENCE
    guidance = (
        t.gettext("An account is never left unattended. Record who is away and who takes "
                  "over; the deputy gets the cases and the reminders, and each open case's "
                  "thread says so.") if absence else
        t.gettext("Hand your accounts over to a colleague for a period without being away, "
                  "e.g. during a training day or a storm of other work."),
    )
    fields = [
        FormField("person", t.gettext("Who is away?") if absence else t.gettext("Who hands over?"),
                  "user", required=True, initial=presser,
                  options=tuple((p.slack_id or p.id, p.name) for p in policy.people)),
        FormField("period", t.gettext("When?"), "period", required=True, initial=period,
                  hint=PERIOD_HINT),
        FormField("deputy", t.gettext("Who takes over?"), "user", required=True,
                  options=tuple((p.slack_id or p.id, p.name) for p in policy.people)),
        FormField("accounts", t.gettext("Which accounts? (empty: all of theirs)"), "multiselect",
                  options=tuple((a.id, a.name) for a in policy.accounts)),
    ]
    if absence:
        fields.append(FormField("reason", t.gettext("Why?"), "choice", initial="other", options=(
            ("sick", t.gettext("Sick")), ("vacation", t.gettext("Vacation")),
            ("leave", t.gettext("Leave")), ("other", t.gettext("Other")))))
    return FormSpec(action, button_label(action), guidance, tuple(fields))


def _person(policy: Policy, chat_id: str | None) -> Person | None:
    if not chat_id:
        return None
    return policy.person_by_slack_id(chat_id) or policy.person(chat_id)


def submit_absence(
    session: Session, *, action: ActionId, values: Mapping[str, str | None], policy: Policy,
    recorded_by: str, source: str, now: datetime, t: Translator,
) -> Absence:
    """Record what the form says; raises AbsenceError with a message for the user."""
    person = _person(policy, values.get("person"))
    deputy = _person(policy, values.get("deputy"))
    recorder = _person(policy, recorded_by)
    if person is None or deputy is None:
        raise AbsenceError(t.gettext("Only people named in the policy can be chosen."))
    if recorder is None or (recorder.id not in (person.id, deputy.id)
                            and recorder.role != "manager"):
        raise AbsenceError(t.gettext(
            "You can record your own absence, one you take over, or, as a manager, anyone's."))
    starts_on, ends_on = parse_period(values.get("period") or "",
                                      today=now.astimezone(STOCKHOLM).date())
    return record_absence(
        session, policy=policy, person_id=person.id, starts_on=starts_on, ends_on=ends_on,
        deputy_id=deputy.id, accounts=tuple(split_choices(values.get("accounts"))),
        kind="absence" if action == ActionId.ABSENCE else "handover",
        reason=values.get("reason") if action == ActionId.ABSENCE else None,
        recorded_by=recorded_by, source=source, now=now)
