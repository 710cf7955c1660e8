"""What each button's form asks for, built from the case and the moment: one definition for
every chat platform (Slack renders it as a modal, the console as prompts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from bot.domain.actions import ActionId, button_label
from bot.domain.swedish_dates import DateParseError, parse_period
from bot.i18n import STOCKHOLM

if TYPE_CHECKING:
    from bot.domain.case_view import CaseView
    from bot.domain.contacts import Contact
    from bot.i18n import Translator

FieldKind = Literal["text", "multiline", "choice", "select", "multiselect", "datetime", "user",
                    "period"]
MAX_FIELD_LENGTH = 2000
MAX_REPLY_LENGTH = 8000

def N_(message: str) -> str:
    """Mark a message id for extraction; it is translated where it is shown."""
    return message


REMOVAL_REASONS = (
    ("threat", N_("Unlawful threat (olaga hot)")),
    ("hate", N_("Agitation against a population group")),
    ("defamation", N_("Defamation or insult")),
    ("personal_data", N_("Published personal data")),
    ("harassment", N_("Harassment, sexism or personal attack")),
    ("porn_violence", N_("Pornography or depiction of violence")),
    ("incitement", N_("Incitement to crime")),
    ("copyright", N_("Copyright infringement")),
    ("obscene", N_("Swearing or obscene words")),
    ("advertising", N_("Advertising or spam")),
    ("other", N_("Other (see note)")),
)


@dataclass(frozen=True)
class FormField:
    """One input on a form; texts are already translated."""

    id: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    hint: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    initial: str | None = None
    # Required only when another field has this value (checked by validate_form).
    required_when: tuple[str, str] | None = None
    # The form is rebuilt when this changes (the guidance depends on it).
    dispatch: bool = False
    max_length: int = MAX_FIELD_LENGTH


@dataclass(frozen=True)
class FormSpec:
    """A button's form: title, what the routine says right now, and the inputs."""

    action: ActionId
    title: str
    guidance: tuple[str, ...]
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class FormContext:
    """What a form needs to know about the case and the moment it is opened."""

    view: CaseView
    now: datetime
    contacts: tuple[Contact, ...] = ()
    suggested: tuple[Contact, ...] = ()
    draft: str | None = None
    in_office_hours: bool = True
    intake: Contact | None = None
    socialjour: Contact | None = None
    colleagues: tuple[tuple[str, str], ...] = ()
    values: Mapping[str, str | None] = field(default_factory=dict)


def _note(t: Translator, *, required: bool = False, hint: str | None = None) -> FormField:
    return FormField("note", t.gettext("Note"), "multiline", required=required,
                     hint=hint or t.gettext("What was done and why."))


def _refer(ctx: FormContext, t: Translator) -> FormSpec:
    channel = "Facebook" if ctx.view.platform == "facebook" else "Instagram"
    kinds = [("refer", t.gettext("Referral")),
             ("insist", t.gettext("The person insists: give the manager's contact"))]
    if "crisis" in ctx.view.categories:
        kinds.insert(0, ("crisis", t.gettext("Person in crisis: lines that help now")))
    return FormSpec(ActionId.REFER, button_label(ActionId.REFER), (
        t.gettext("Confirm the person with empathy without taking a stand, explain that "
                  "confidentiality keeps us from handling the matter here, and give the direct "
                  "number of the right authority."),
        t.gettext("Never discuss the case itself in public, not even in a direct message."),
    ), (
        FormField("contact", t.gettext("Refer to"), "select", required=True, dispatch=True,
                  options=tuple((c.id, f"{c.name} ({c.phone})") for c in ctx.contacts),
                  initial=ctx.suggested[0].id if ctx.suggested else None),
        FormField("reply_kind", t.gettext("Kind of reply"), "choice", required=True,
                  dispatch=True, options=tuple(kinds), initial=kinds[0][0]),
        FormField("reply", t.gettext("Public reply (edit before sending)"), "multiline",
                  initial=ctx.draft, required_when=("delivery", "graph"),
                  max_length=MAX_REPLY_LENGTH),
        FormField("delivery", t.gettext("How is it answered?"), "choice", required=True,
                  initial="graph", options=(
                      ("graph", t.gettext("SoMe-vakten posts the reply on {platform}")
                       .format(platform=channel)),
                      ("manual", t.gettext("I answered manually")),
                      ("none", t.gettext("No public reply")))),
        _note(t),
    ))


def _police(ctx: FormContext, t: Translator) -> FormSpec:
    ongoing = ctx.values.get("ongoing")
    if ongoing == "yes":
        route = (t.gettext("Call 112 now: the crime is ongoing or imminent."),)
    elif ongoing == "no":
        route = (t.gettext("Not urgent: call 114 14 or report at polisen.se."),)
    else:
        route = (t.gettext("Ongoing or imminent crime: call 112. Otherwise: 114 14 or "
                           "polisen.se."),)
    fields = [
        FormField("ongoing", t.gettext("Is the crime ongoing or imminent?"), "choice",
                  required=True, dispatch=True,
                  options=(("yes", t.gettext("Yes: 112")), ("no", t.gettext("No: 114 14 or "
                                                                            "polisen.se"))),
                  initial=ongoing or ("yes" if ctx.view.acute else None)),
        FormField("reference", t.gettext("The police's reference number (if any)")),
        _note(t, required=True, hint=t.gettext("What you reported and what you know.")),
    ]
    if ctx.view.kind != "dm" and {"crime", "prohibited"} & set(ctx.view.categories):
        fields.insert(2, FormField(
            "hide_now", t.gettext("Hide the comment now? (It is saved first.)"), "choice",
            options=(("yes", t.gettext("Yes, hide it")), ("no", t.gettext("No"))), initial="no"))
    return FormSpec(ActionId.POLICE_REPORT, button_label(ActionId.POLICE_REPORT), (
        *route,
        t.gettext("When you learn of a crime through social media, you must report it yourself."),
    ), tuple(fields))


def _social_services(ctx: FormContext, t: Translator) -> FormSpec:
    if ctx.in_office_hours and ctx.intake:
        route = t.gettext("Office hours: call {name}, {phone}.").format(
            name=ctx.intake.name, phone=ctx.intake.phone)
        initial = "intake"
    else:
        route = t.gettext("Outside office hours: socialjouren through 112.")
        initial = "socialjour"
    return FormSpec(ActionId.SOCIAL_SERVICES_REPORT, button_label(
        ActionId.SOCIAL_SERVICES_REPORT), (
        route,
        t.gettext("A child at risk must be reported at once; the report is yours to make."),
    ), (
        FormField("route", t.gettext("Reported through"), "choice", required=True,
                  initial=initial, options=(
                      ("intake", t.gettext("The intake group by phone")),
                      ("socialjour", t.gettext("Socialjouren through 112")),
                      ("eservice", t.gettext("The e-service")))),
        FormField("reference", t.gettext("Reference (if any)")),
        _note(t, required=True, hint=t.gettext("What you reported and what you know.")),
    ))


def _follow_up(ctx: FormContext, t: Translator) -> FormSpec:
    return FormSpec(ActionId.FOLLOW_UP, button_label(ActionId.FOLLOW_UP), (
        t.gettext("Confirm that the person got the right contact or help. "
                  "The case closes only on a confirmed follow-up."),
    ), (
        FormField("outcome", t.gettext("Has the person got help?"), "choice", required=True,
                  initial="confirmed", options=(
                      ("confirmed", t.gettext("Yes, confirmed")),
                      ("later", t.gettext("Not yet: remind me again")))),
        FormField("confirmed_by", t.gettext("How was it confirmed?"), "choice",
                  required_when=("outcome", "confirmed"), options=(
                      ("authority", t.gettext("The authority confirmed the contact")),
                      ("person", t.gettext("The person confirmed it")),
                      ("other", t.gettext("Other (see note)")))),
        FormField("remind", t.gettext("Remind again"), "choice",
                  required_when=("outcome", "later"), options=(
                      ("1h", t.gettext("In 1 hour")),
                      ("morning", t.gettext("Tomorrow morning")),
                      ("at", t.gettext("At a chosen time")))),
        FormField("remind_at", t.gettext("Chosen time"), "datetime",
                  required_when=("remind", "at"), hint=t.gettext("For example 2026-11-24 09:00")),
        _note(t),
    ))


def _moderate(ctx: FormContext, t: Translator) -> FormSpec:
    return FormSpec(ActionId.MODERATE, button_label(ActionId.MODERATE), (
        t.gettext("The content, the sender and the time are saved first, with a hash, as the "
                  "record of what was removed. Then the comment is hidden or deleted."),
        t.gettext("Hiding keeps it visible to the author and their friends; deleting cannot be "
                  "undone and counts as culling (gallring)."),
    ), (
        FormField("operation", t.gettext("What should be done?"), "choice", required=True,
                  initial="hide", options=(("hide", t.gettext("Hide the comment")),
                                           ("remove", t.gettext("Delete the comment")))),
        FormField("reason", t.gettext("Why?"), "select", required=True,
                  options=tuple((key, t.gettext(label)) for key, label in REMOVAL_REASONS)),
        _note(t),
    ))


def _consult(ctx: FormContext, t: Translator) -> FormSpec:
    return FormSpec(ActionId.CONSULT, button_label(ActionId.CONSULT), (
        t.gettext("Two think better than one. Your colleague is mentioned in the case's thread, "
                  "or gets a direct message if they are not in the channel."),
    ), (
        FormField("colleague", t.gettext("Colleague"), "user", required=True,
                  options=ctx.colleagues),
        FormField("question", t.gettext("Your question"), "multiline", required=True),
    ))


_BUILDERS = {
    ActionId.REFER: _refer,
    ActionId.POLICE_REPORT: _police,
    ActionId.SOCIAL_SERVICES_REPORT: _social_services,
    ActionId.FOLLOW_UP: _follow_up,
    ActionId.MODERATE: _moderate,
    ActionId.CONSULT: _consult,
}


def form_for(action: ActionId, ctx: FormContext, t: Translator) -> FormSpec:
    """The form for a button, given the case, the moment and what is filled in so far."""
    return _BUILDERS[action](ctx, t)


def parse_local_datetime(value: str) -> datetime | None:
    """Read "2026-11-24 09:00" (or ISO with an offset) in Swedish local time."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=STOCKHOLM)


def _chosen(item: FormField, value: str) -> set[str]:
    if item.kind == "multiselect":
        return set(split_choices(value))
    return {value} if item.kind in ("choice", "select") and value else set()


def _field_error(item: FormField, value: str, *, now: datetime, t: Translator) -> str | None:
    """What is wrong with one filled-in value, if anything."""
    if len(value) > item.max_length:
        return t.gettext("Too long: at most {limit} characters.").format(limit=item.max_length)
    if not _chosen(item, value) <= {key for key, _ in item.options}:
        return t.gettext("Choose one of the options.")
    if item.kind == "period" and value:
        try:
            parse_period(value, today=now.astimezone(STOCKHOLM).date())
        except DateParseError as exc:
            return str(exc)
    if item.kind == "datetime" and value:
        moment = parse_local_datetime(value)
        if moment is None:
            return t.gettext("Write a date and time, e.g. 2026-11-24 09:00.")
        if moment <= now:
            return t.gettext("Choose a time in the future.")
    return None


def validate_form(spec: FormSpec, values: Mapping[str, str | None], *, now: datetime,
                  t: Translator) -> dict[str, str]:
    """Errors per field id, translated; empty when the form can be recorded."""
    errors: dict[str, str] = {}
    for item in spec.fields:
        value = (values.get(item.id) or "").strip()
        required = item.required or (
            item.required_when is not None
            and (values.get(item.required_when[0]) or "") == item.required_when[1])
        error = (t.gettext("This must be filled in.") if required and not value
                 else _field_error(item, value, now=now, t=t))
        if error is not None:
            errors[item.id] = error
    return errors


def split_choices(value: str | None) -> list[str]:
    """The values of a multi-select, stored comma-separated."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]
