"""The actions a communicator can take on a case; the ids are Slack action_ids too."""

from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    """One id per button, shared by every chat platform so builders and listeners cannot drift."""

    REFER = "refer"
    POLICE_REPORT = "police_report"
    SOCIAL_SERVICES_REPORT = "social_services_report"
    FOLLOW_UP = "follow_up"
    MODERATE = "moderate"
    CONSULT = "consult"
    HISTORY = "show_history"
    ACK_CRITICISM = "ack_criticism"
    LOOKING = "looking"
    ABSENCE = "absence"
    HANDOVER = "handover"
    CANCEL_ABSENCE = "cancel_absence"


CASE_BUTTONS: tuple[ActionId, ...] = (
    ActionId.REFER,
    ActionId.POLICE_REPORT,
    ActionId.SOCIAL_SERVICES_REPORT,
    ActionId.FOLLOW_UP,
)
# Buttons with a form that records something on the case.
FORM_ACTIONS: tuple[ActionId, ...] = (*CASE_BUTTONS, ActionId.MODERATE, ActionId.CONSULT)
# Categories for which hiding or removing the comment is part of the routine.
MODERATION_CATEGORIES = frozenset({"prohibited", "personal_data", "crime"})

_LABELS = {
    ActionId.REFER: "Hänvisa",
    ActionId.POLICE_REPORT: "Polisanmälan",
    ActionId.SOCIAL_SERVICES_REPORT: "Anmälan socialtjänst",
    ActionId.FOLLOW_UP: "Följ upp",
    ActionId.MODERATE: "Dölj / ta bort",
    ActionId.CONSULT: "Fråga en kollega",
    ActionId.HISTORY: "Historik",
    ActionId.ACK_CRITICISM: "Kvittera",
    ActionId.LOOKING: "Jag tittar på det",
    ActionId.ABSENCE: "Frånvaro",
    ActionId.HANDOVER: "Överlämning",
    ActionId.CANCEL_ABSENCE: "Ta bort",
}


def button_label(action: ActionId) -> str:
    """The button's label, exactly as the routine names it (the same in every language)."""
    return _LABELS[action]


def card_actions(
    categories: tuple[str, ...], *, is_open: bool, can_moderate: bool
) -> tuple[tuple[ActionId, ...], tuple[ActionId, ...]]:
    """A card's two rows: the routine's four buttons, then hide/remove (where the routine calls
    for it), consult and history. A closed case keeps only its history."""
    if not is_open:
        return (), (ActionId.HISTORY,)
    extra = [ActionId.CONSULT, ActionId.HISTORY]
    if can_moderate and MODERATION_CATEGORIES & set(categories):
        extra.insert(0, ActionId.MODERATE)
    return CASE_BUTTONS, tuple(extra)
