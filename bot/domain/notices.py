"""Short messages about a case (thread lines, reminders, direct messages), rendered per platform."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.actions import ActionId
from bot.domain.forms import FORMS, N_
from bot.i18n import Translator

ACTED = "acted"
REMINDER = "reminder"
ESCALATED_RESPONSIBLE = "escalated_responsible"
ESCALATED_MANAGER = "escalated_manager"
EDITED = "edited"
REMOVED = "removed"

DONE_PHRASES = {
    ActionId.REFER: N_("Referral made by {actor}, {time}"),
    ActionId.POLICE_REPORT: N_("Police report made by {actor}, {time}"),
    ActionId.SOCIAL_SERVICES_REPORT: N_("Report to social services made by {actor}, {time}"),
    ActionId.FOLLOW_UP: N_("Follow-up confirmed by {actor}, {time}"),
}


@dataclass(frozen=True)
class Notice:
    """A message about a case; params hold only our own data (never citizen text)."""

    kind: str
    case_id: int
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        """A JSON-safe form for the outbox."""
        return {"kind": self.kind, "case_id": self.case_id, "params": dict(self.params)}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Notice:
        """Rebuild a notice stored in the outbox."""
        return cls(kind=data["kind"], case_id=int(data["case_id"]), params=data.get("params", {}))


PersonFormatter = Callable[[str | None, str | None], str]
TextFormatter = Callable[[str], str]


def action_summary(
    t: Translator,
    action: ActionId,
    *,
    details: Mapping[str, Any],
    actor: str,
    at: datetime,
    text: TextFormatter,
) -> str:
    """One line saying who did what and when, with what the form recorded."""
    line = t.gettext(DONE_PHRASES[action]).format(actor=actor, time=t.clock(at))
    extras = []
    for form_field in FORMS[action].fields:
        value = details.get(form_field.id)
        if not value or form_field.id == "note":
            continue
        options = dict(form_field.options)
        shown = t.gettext(options[value]) if value in options else text(str(value))
        extras.append(f"{t.gettext(form_field.label)}: {shown}")
    if details.get("note"):
        extras.append(f"{t.gettext('Note')}: {text(str(details['note']))}")
    return line + ("\n" + "\n".join(extras) if extras else "")


def render_notice(
    notice: Notice, t: Translator, person: PersonFormatter, text: TextFormatter
) -> str:
    """The notice as a line of text; person() and text() format mentions and escape per platform."""
    p = notice.params
    if notice.kind == ACTED:
        return action_summary(
            t, ActionId(p["action"]), details=p.get("details", {}),
            actor=person(p.get("actor"), p.get("actor_platform")),
            at=datetime.fromisoformat(p["at"]), text=text,
        )
    waited = t.duration(timedelta(seconds=int(p.get("waited_seconds", 0))))
    who = person(p.get("person"), "person")
    if notice.kind == REMINDER:
        return t.gettext(
            "Reminder: case {case} has had no confirmed follow-up for {waited}. "
            "{who}, press Följ upp when the person has got help."
        ).format(case=notice.case_id, waited=waited, who=who)
    if notice.kind == ESCALATED_RESPONSIBLE:
        return t.gettext(
            "{who}, you are responsible for case {case}, which has had no confirmed "
            "follow-up for {waited}. Open the card and act now."
        ).format(case=notice.case_id, waited=waited, who=who)
    if notice.kind == ESCALATED_MANAGER:
        return t.gettext(
            "Escalation to {who} as manager: case {case} has had no confirmed follow-up "
            "for {waited}, and the responsible person has been reminded."
        ).format(case=notice.case_id, waited=waited, who=who)
    if notice.kind == EDITED:
        return t.gettext("The author edited the text; the card shows the new version.")
    if notice.kind == REMOVED:
        return t.gettext("The author removed the text on the platform; our copy is kept.")
    raise ValueError(f"unknown notice kind {notice.kind!r}")
