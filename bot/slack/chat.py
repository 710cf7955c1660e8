"""The Slack implementation of the chat port, over the Web API."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot.domain.case_view import CaseView
from bot.domain.notices import CRITICISM, REMINDER, Notice
from bot.domain.policy import Person, Policy
from bot.domain.ports import DeliveryError, MessageRef, PermanentDeliveryError
from bot.i18n import Translator
from bot.slack.blocks import case_card, criticism_blocks, notice_text, reminder_blocks

logger = logging.getLogger(__name__)
MEMBERS_TTL_SECONDS = 60.0


def make_client(token: str, base_url: str, timeout: int = 10) -> WebClient:
    """A WebClient that leaves rate limits and 5xx to the outbox (no silent in-call sleeping)."""
    return WebClient(token=token, base_url=base_url, timeout=timeout,
                     retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)])


# Answers that no retry can change: the team must fix the setup (or the card is gone).
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "msg_too_long",
    "no_text", "invalid_auth", "not_authed", "account_inactive", "token_revoked",
    "token_expired", "missing_scope", "message_not_found", "cant_update_message",
    "user_not_found", "users_not_found", "cannot_dm_bot", "restricted_action",
    "invalid_arguments", "channel_is_archived", "team_access_not_granted",
})


@contextmanager
def delivery_errors() -> Iterator[None]:
    """Translate Slack failures: rate limits, 5xx and network trouble are retried later; an
    answer that no retry can change fails the row for good (and /healthz counts it)."""
    try:
        yield
    except SlackApiError as exc:
        response = exc.response
        error = response.get("error") if isinstance(response.data, dict) else None
        reason = f"slack {response.status_code} {error or ''}".strip()
        if response.status_code == 429:
            retry_after = float(response.headers.get("Retry-After", response.headers.get(
                "retry-after", 1)))
            raise DeliveryError(reason, retry_after=retry_after) from exc
        if error in PERMANENT_ERRORS:
            raise PermanentDeliveryError(reason) from exc
        raise DeliveryError(reason) from exc
    except (URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise DeliveryError(f"slack unreachable: {type(exc).__name__}") from exc


class SlackChat:
    """Posts cards, thread lines and direct messages to Slack."""

    platform = "slack"

    def __init__(self, client: WebClient, policy: Policy, t: Translator,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.policy = policy
        self.t = t
        self._clock = clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}

    def post_card(self, channel: str, view: CaseView) -> MessageRef:
        """Post a new case card."""
        text, blocks = case_card(view, self.t, self.policy)
        with delivery_errors():
            response = self.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False,
                unfurl_media=False)
        return MessageRef("slack", str(response["channel"]), str(response["ts"]))

    def update_card(self, ref: MessageRef, view: CaseView) -> None:
        """Replace the card with the case's current state."""
        text, blocks = case_card(view, self.t, self.policy)
        with delivery_errors():
            self.client.chat_update(channel=ref.channel, ts=ref.message_id, text=text,
                                    blocks=blocks)

    def post_in_thread(self, ref: MessageRef, notice: Notice, *, broadcast: bool) -> None:
        """Add a line to the card's thread (a reminder carries "Jag tittar på det")."""
        text = notice_text(notice, self.t, self.policy)
        blocks = reminder_blocks(text, notice.case_id) if notice.kind == REMINDER else None
        with delivery_errors():
            self.client.chat_postMessage(
                channel=ref.channel, thread_ts=ref.message_id, text=text, blocks=blocks,
                reply_broadcast=broadcast, unfurl_links=False, unfurl_media=False)

    def send_direct(self, person: Person, notice: Notice, *, card: MessageRef | None) -> None:
        """Send a direct message, with a link to the card."""
        if not person.slack_id:
            logger.warning("direct message skipped: a person in the policy has no slack_id")
            return
        text = notice_text(notice, self.t, self.policy)
        link = self._permalink(card) if card is not None else None
        with delivery_errors():
            blocks = None
            if notice.kind == CRITICISM:
                blocks = criticism_blocks(text, notice.case_id, link, self.t)
            elif link:
                label = self.t.gettext("Open the card")
                text += f"\n<{link}|{label}>"
            dm = self.client.conversations_open(users=[person.slack_id])
            self.client.chat_postMessage(channel=dm["channel"]["id"], text=text, blocks=blocks,
                                         unfurl_links=False, unfurl_media=False)

    def post_report(self, channel: str, text: str, chart: bytes, filename: str) -> None:
        """Upload the chart with the report text as its message."""
        with delivery_errors():
            self.client.files_upload_v2(channel=channel, content=chart, filename=filename,
                                        title=filename.removesuffix(".png"),
                                        initial_comment=text)

    def _permalink(self, card: MessageRef) -> str | None:
        """The card's link, or None (a deleted card must not stop an escalation)."""
        try:
            return str(self.client.chat_getPermalink(channel=card.channel,
                                                     message_ts=card.message_id)["permalink"])
        except (SlackApiError, URLError, OSError):
            logger.warning("direct message sent without the card's link")
            return None

    def channel_members(self, channel: str) -> frozenset[str]:
        """The members of a channel, cached for a minute."""
        cached = self._members.get(channel)
        if cached and self._clock() - cached[0] < MEMBERS_TTL_SECONDS:
            return cached[1]
        members: set[str] = set()
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"channel": channel, "limit": 1000}
            if cursor:
                kwargs["cursor"] = cursor
            response = self.client.conversations_members(**kwargs)
            members.update(response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        result = frozenset(members)
        self._members[channel] = (self._clock(), result)
        return result
