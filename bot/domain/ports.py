"""The chat port: everything the domain asks of a chat platform (Slack, the console, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain.case_view import CaseView
from bot.domain.notices import Notice
from bot.domain.policy import Person


@dataclass(frozen=True)
class MessageRef:
    """Where a card lives on a platform."""

    platform: str
    channel: str
    message_id: str


class DeliveryError(Exception):
    """A platform call failed; the outbox retries it later instead of dropping it."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class ChatPort(Protocol):
    """What a chat platform adapter implements."""

    platform: str

    def post_card(self, channel: str, view: CaseView) -> MessageRef:
        """Post a new case card to a channel."""
        ...

    def update_card(self, ref: MessageRef, view: CaseView) -> None:
        """Replace a posted card with the case's current state."""
        ...

    def post_in_thread(self, ref: MessageRef, notice: Notice, *, broadcast: bool) -> None:
        """Add a line to the card's thread (broadcast: also show it in the channel)."""
        ...

    def send_direct(self, person: Person, notice: Notice, *, card: MessageRef | None) -> None:
        """Send a person a direct message, linking to the card when there is one."""
        ...
