"""The actions a communicator can take on a case; the ids are Slack action_ids too."""

from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    """One id per button, shared by every chat platform so builders and listeners cannot drift."""

    REFER = "refer"
    POLICE_REPORT = "police_report"
    SOCIAL_SERVICES_REPORT = "social_services_report"
    FOLLOW_UP = "follow_up"


CASE_BUTTONS: tuple[ActionId, ...] = (
    ActionId.REFER,
    ActionId.POLICE_REPORT,
    ActionId.SOCIAL_SERVICES_REPORT,
    ActionId.FOLLOW_UP,
)


def button_label(action: ActionId) -> str:
    """The button's label, exactly as the routine names it (the same in every language)."""
    return {
        ActionId.REFER: "Hänvisa",
        ActionId.POLICE_REPORT: "Polisanmälan",
        ActionId.SOCIAL_SERVICES_REPORT: "Anmälan socialtjänst",
        ActionId.FOLLOW_UP: "Följ upp",
    }[action]
