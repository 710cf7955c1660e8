"""The chat port: everything the domain asks of a chat platform (Slack, the console, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

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


class PermanentDeliveryError(Exception):
    """A call that retrying cannot fix (no token, no permission, gone); people must be told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GraphPort(Protocol):
    """What the domain asks of Graph; failures raise DeliveryError or PermanentDeliveryError."""

    def fetch_comment(self, account_id: str, comment_id: str, platform: str) -> dict[str, Any]:
        """A fresh copy of a comment, to save before it is hidden or deleted."""
        ...

    def hide(self, account_id: str, comment_id: str, platform: str) -> None:
        """Hide a comment (its author and their friends still see it)."""
        ...

    def delete(self, account_id: str, comment_id: str) -> None:
        """Delete a comment."""
        ...

    def reply(self, account_id: str, comment_id: str, message: str, platform: str) -> str:
        """Post a public reply to a comment; returns the reply's id."""
        ...

    def send_message(self, account_id: str, recipient_id: str, message: str) -> str:
        """Answer a direct message; returns the message id."""
        ...


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

    def post_report(self, channel: str, text: str, chart: bytes, filename: str) -> None:
        """Post the weekly report: a short text and its chart image."""
        ...
