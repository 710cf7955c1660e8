"""What each button's form asks for, and its validation: one definition for every chat platform."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.domain.actions import ActionId

FieldKind = Literal["text", "multiline", "choice"]
MAX_FIELD_LENGTH = 2000


def N_(message: str) -> str:
    """Mark a message id for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class FormField:
    """One input on a form; labels are message ids translated when shown."""

    id: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    hint: str | None = None
    options: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class FormSpec:
    """A button's form: title, what the routine says, and the inputs."""

    action: ActionId
    title: str
    guidance: tuple[str, ...]
    fields: tuple[FormField, ...]


_NOTE = FormField("note", N_("Note"), "multiline", hint=N_("What was done and why."))
_REQUIRED_NOTE = FormField("note", N_("Note"), "multiline", required=True,
                           hint=N_("What you reported and what you know."))

FORMS: Mapping[ActionId, FormSpec] = {
    ActionId.REFER: FormSpec(
        ActionId.REFER,
        N_("Refer"),
        (N_("Confirm the person with empathy without taking a stand, explain that "
            "confidentiality keeps us from handling the matter here, and give the direct "
            "number of the right authority."),),
        (
            FormField("authority", N_("Referred to"), required=True,
                      hint=N_("For example: Socialtjänstens mottagning, 0340-88 500")),
            _NOTE,
        ),
    ),
    ActionId.POLICE_REPORT: FormSpec(
        ActionId.POLICE_REPORT,
        N_("Police report"),
        (N_("Ongoing or imminent crime: call 112. Otherwise: 114 14 or polisen.se."),
         N_("When you learn of a crime through social media, you must report it yourself.")),
        (
            FormField("ongoing", N_("Is the crime ongoing or imminent?"), "choice", required=True,
                      options=(("yes", N_("Yes, 112 was called")), ("no", N_("No")))),
            FormField("reference", N_("The police's reference number (if any)")),
            _REQUIRED_NOTE,
        ),
    ),
    ActionId.SOCIAL_SERVICES_REPORT: FormSpec(
        ActionId.SOCIAL_SERVICES_REPORT,
        N_("Report of concern"),
        (N_("Office hours: the intake group of social services. "
            "Outside office hours: socialjouren through 112."),),
        (
            FormField("route", N_("Reported through"), "choice", required=True,
                      options=(("intake", N_("The intake group by phone")),
                               ("socialjour", N_("Socialjouren through 112")),
                               ("eservice", N_("The e-service")))),
            FormField("reference", N_("Reference (if any)")),
            _REQUIRED_NOTE,
        ),
    ),
    ActionId.FOLLOW_UP: FormSpec(
        ActionId.FOLLOW_UP,
        N_("Follow up"),
        (N_("Confirm that the person got the right contact or help. "
            "This closes the case and stops the reminders."),),
        (
            FormField("confirmed_by", N_("How was it confirmed?"), "choice", required=True,
                      options=(("authority", N_("The authority confirmed the contact")),
                               ("person", N_("The person confirmed it")),
                               ("other", N_("Other (see note)")))),
            _NOTE,
        ),
    ),
}


def validate_form(action: ActionId, values: Mapping[str, str | None]) -> dict[str, str]:
    """Errors per field id (as message ids); empty when the form can be recorded."""
    errors: dict[str, str] = {}
    for item in FORMS[action].fields:
        value = (values.get(item.id) or "").strip()
        if item.required and not value:
            errors[item.id] = N_("This must be filled in.")
        elif len(value) > MAX_FIELD_LENGTH:
            errors[item.id] = N_("Too long: at most 2000 characters.")
        elif item.options and value and value not in {key for key, _ in item.options}:
            errors[item.id] = N_("Choose one of the options.")
    return errors


def clean_values(action: ActionId, values: Mapping[str, str | None]) -> dict[str, str]:
    """Only the form's own fields, stripped, without empty ones."""
    known = {item.id for item in FORMS[action].fields}
    return {k: v.strip() for k, v in values.items() if k in known and v and v.strip()}
