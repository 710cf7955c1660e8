"""Short messages about a case (thread lines, reminders, direct messages), rendered per platform."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date

from bot.domain.actions import ActionId
from bot.domain.forms import N_
from bot.i18n import Translator

ACTED = "acted"
REMINDER = "reminder"
ESCALATED_RESPONSIBLE = "escalated_responsible"
ESCALATED_MANAGER = "escalated_manager"
EDITED = "edited"
REMOVED = "removed"
CRITICISM = "criticism"
CONSULT = "consult"
FOLLOW_UP_LATER = "follow_up_later"
REPLY_POSTED = "reply_posted"
MODERATED = "moderated"
DELIVERY_FAILED = "delivery_failed"
# Absence and handover. The person-level ones (not about one case) use case_id 0.
HANDED_OVER = "handed_over"
STATUS_NO_HANDOVER = "status_no_handover"
STATUS_NO_HANDOVER_MANAGER = "status_no_handover_manager"
UNATTENDED = "unattended"

DONE_PHRASES = {
    ActionId.REFER: N_("Referral made by {actor}, {time}"),
    ActionId.POLICE_REPORT: N_("Police report made by {actor}, {time}"),
    ActionId.SOCIAL_SERVICES_REPORT: N_("Report to social services made by {actor}, {time}"),
    ActionId.FOLLOW_UP: N_("Follow-up confirmed by {actor}, {time}"),
    ActionId.MODERATE: N_("Hide or removal requested by {actor}, {time}"),
    ActionId.CONSULT: N_("A colleague was asked by {actor}, {time}"),
    ActionId.ACK_CRITICISM: N_("Criticism acknowledged by {actor}, {time}"),
    ActionId.LOOKING: N_("{actor} is looking at it, {time}; the next reminder waits"),
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


# What a summary line shows of an action's recorded details, and how codes read.
DETAIL_LABELS = {
    "contact_name": N_("Referred to"),
    "delivery": N_("Reply"),
    "ongoing": N_("Ongoing"),
    "route": N_("Reported through"),
    "reference": N_("Reference"),
    "confirmed_by": N_("Confirmed by"),
    "colleague_name": N_("Colleague"),
    "operation": N_("Done"),
    "reason": N_("Reason"),
}
VALUE_LABELS = {
    ("delivery", "graph"): N_("posted by SoMe-vakten"),
    ("delivery", "manual"): N_("answered manually"),
    ("delivery", "none"): N_("no public reply"),
    ("ongoing", "yes"): N_("yes (112)"),
    ("ongoing", "no"): N_("no (114 14 / polisen.se)"),
    ("route", "intake"): N_("the intake group"),
    ("route", "socialjour"): N_("socialjouren through 112"),
    ("route", "eservice"): N_("the e-service"),
    ("confirmed_by", "authority"): N_("the authority"),
    ("confirmed_by", "person"): N_("the person"),
    ("confirmed_by", "other"): N_("other, see note"),
    ("operation", "hide"): N_("Hide the comment"),
    ("operation", "remove"): N_("Delete the comment"),
}


def detail_lines(t: Translator, details: Mapping[str, Any], text: TextFormatter) -> list[str]:
    """The recorded details worth showing, as "Label: value" lines."""
    lines = []
    for key, label in DETAIL_LABELS.items():
        value = details.get(key)
        if not value:
            continue
        shown = (t.gettext(VALUE_LABELS[(key, value)]) if (key, value) in VALUE_LABELS
                 else text(str(value)))
        lines.append(f"{t.gettext(label)}: {shown}")
    if details.get("note"):
        lines.append(f"{t.gettext('Note')}: {text(str(details['note']))}")
    return lines


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
    extras = detail_lines(t, details, text)
    return line + ("\n" + "\n".join(extras) if extras else "")


@dataclass(frozen=True)
class _Parts:
    """What every notice template may use, formatted for the platform."""

    notice: Notice
    t: Translator
    person: PersonFormatter
    text: TextFormatter

    @property
    def p(self) -> Mapping[str, Any]:
        return self.notice.params

    @property
    def who(self) -> str:
        if self.p.get("person"):
            return self.person(self.p.get("person"), "person")
        return self.person(self.p.get("chat_user"), self.p.get("actor_platform"))

    @property
    def actor(self) -> str:
        return self.person(self.p.get("actor"), self.p.get("actor_platform"))

    @property
    def waited(self) -> str:
        return self.t.duration(timedelta(seconds=int(self.p.get("waited_seconds", 0))))


def _acted(x: _Parts) -> str:
    return action_summary(x.t, ActionId(x.p["action"]), details=x.p.get("details", {}),
                          actor=x.actor, at=datetime.fromisoformat(x.p["at"]), text=x.text)


def _reminder(x: _Parts) -> str:
    return x.t.gettext(
        "Reminder: case {case} has had no confirmed follow-up for {waited}. "
        "{who}, press Följ upp when the person has got help."
    ).format(case=x.notice.case_id, waited=x.waited, who=x.who)


def _escalated_responsible(x: _Parts) -> str:
    return x.t.gettext(
        "{who}, you are responsible for case {case}, which has had no confirmed "
        "follow-up for {waited}. Open the card and act now."
    ).format(case=x.notice.case_id, waited=x.waited, who=x.who)


def _escalated_manager(x: _Parts) -> str:
    return x.t.gettext(
        "Escalation to {who} as manager: case {case} has had no confirmed follow-up "
        "for {waited}, and the responsible person has been reminded."
    ).format(case=x.notice.case_id, waited=x.waited, who=x.who)


def _criticism(x: _Parts) -> str:
    return x.t.gettext(
        "{who}, serious criticism of {area} came in (case {case}). As the responsible "
        "manager you get it directly. Open the card, and acknowledge when you have read it."
    ).format(case=x.notice.case_id, area=x.text(str(x.p.get("area", ""))), who=x.who)


def _consult(x: _Parts) -> str:
    return x.t.gettext("{who}, {asker} would like your view on case {case}: {question}").format(
        who=x.who, asker=x.actor, case=x.notice.case_id,
        question=x.text(str(x.p.get("question", ""))))


def _follow_up_later(x: _Parts) -> str:
    return x.t.gettext("Follow-up not confirmed yet ({actor}). Next reminder {time}.").format(
        actor=x.actor, time=x.t.when(datetime.fromisoformat(x.p["next"])))


def _reply_posted(x: _Parts) -> str:
    return x.t.gettext("The reply was posted on {platform}.").format(
        platform=x.text(str(x.p.get("platform", ""))))


def _moderated(x: _Parts) -> str:
    done = x.t.gettext("hidden") if x.p.get("operation") == "hide" else x.t.gettext("deleted")
    return x.t.gettext("The comment was saved (SHA-256 {digest}) and then {done}.").format(
        digest=str(x.p.get("sha256", ""))[:12], done=done)


def _delivery_failed(x: _Parts) -> str:
    what = {"reply": x.t.gettext("The reply could not be posted"),
            "moderate": x.t.gettext("The comment could not be hidden or deleted")}.get(
        str(x.p.get("what")), x.t.gettext("A call to Meta failed"))
    return x.t.gettext("{what}: {reason}. Do it by hand on the platform.").format(
        what=what, reason=x.text(str(x.p.get("reason", ""))))


def _edited(x: _Parts) -> str:
    return x.t.gettext("The author edited the text; the card shows the new version.")


def _removed(x: _Parts) -> str:
    return x.t.gettext("The author removed the text on the platform; our copy is kept.")


def _day(x: _Parts, key: str) -> str:
    return format_date(date.fromisoformat(str(x.p[key])), "d MMMM y", locale=x.t.babel_locale)


def _handed_over(x: _Parts) -> str:
    if x.p.get("kind") == "handover":
        template = x.t.gettext("{absent} has handed the account over until and including "
                               "{date}; {deputy} is responsible for the case now.")
    else:
        template = x.t.gettext("{absent} is away until and including {date}; {deputy} is "
                               "responsible for the case now.")
    # The absent person is named, not mentioned: they are away and need no notification.
    return template.format(absent=x.person(x.p.get("absent"), "name"),
                           deputy=x.person(x.p.get("deputy"), "person"), date=_day(x, "until"))


def _status_no_handover(x: _Parts) -> str:
    return x.t.gettext(
        "Your status says you are away, but no handover is recorded. Record your absence "
        "with /frånvaro and a colleague will take over your accounts."
    )


def _status_no_handover_manager(x: _Parts) -> str:
    return x.t.gettext(
        "{who}: according to their status {absent} is away, but no handover is recorded "
        "for {accounts}. Make sure a colleague takes over, with /överlämning."
    ).format(who=x.who, absent=x.person(x.p.get("absent"), "person"),
             accounts=x.text(str(x.p.get("accounts", ""))))


def _unattended(x: _Parts) -> str:
    if x.p.get("deputy"):
        template = x.t.gettext(
            "The account {account} has no responsible person present: {absent} is away, "
            "and so is the deputy {deputy}. Appoint another deputy with /överlämning.")
    else:
        template = x.t.gettext(
            "The account {account} has no responsible person present: {absent} is away "
            "and no deputy is recorded. Appoint a deputy with /överlämning.")
    return template.format(account=x.text(str(x.p.get("account", ""))),
                           absent=x.person(x.p.get("absent"), "person"),
                           deputy=x.person(x.p.get("deputy"), "person"))


_RENDERERS: dict[str, Callable[[_Parts], str]] = {
    ACTED: _acted, REMINDER: _reminder, ESCALATED_RESPONSIBLE: _escalated_responsible,
    ESCALATED_MANAGER: _escalated_manager, CRITICISM: _criticism, CONSULT: _consult,
    FOLLOW_UP_LATER: _follow_up_later, REPLY_POSTED: _reply_posted, MODERATED: _moderated,
    DELIVERY_FAILED: _delivery_failed, EDITED: _edited, REMOVED: _removed,
    HANDED_OVER: _handed_over, STATUS_NO_HANDOVER: _status_no_handover,
    STATUS_NO_HANDOVER_MANAGER: _status_no_handover_manager, UNATTENDED: _unattended,
}


def render_notice(
    notice: Notice, t: Translator, person: PersonFormatter, text: TextFormatter
) -> str:
    """The notice as text; person() and text() format mentions and escape per platform."""
    renderer = _RENDERERS.get(notice.kind)
    if renderer is None:
        raise ValueError(f"unknown notice kind {notice.kind!r}")
    return renderer(_Parts(notice, t, person, text))
