"""The Graph client as the domain's GraphPort: retryable errors delay, the others are final."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.domain.ports import PermanentDeliveryError
from bot.sources.graph import GraphClient, GraphError, as_delivery_error


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except GraphError as error:
        if error.retryable:
            raise as_delivery_error(error) from error
        raise PermanentDeliveryError(f"Meta: {error}") from error


class MetaGraph:
    """Implements GraphPort over GraphClient."""

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        with _translated():
            return fn(*args)

    def fetch_comment(self, account_id: str, comment_id: str, platform: str) -> dict[str, Any]:
        """A fresh copy of a comment."""
        result: dict[str, Any] = self._call(self.client.fetch_comment, account_id, comment_id,
                                            platform)
        return result

    def hide(self, account_id: str, comment_id: str, platform: str) -> None:
        """Hide a comment."""
        self._call(self.client.hide, account_id, comment_id, platform)

    def delete(self, account_id: str, comment_id: str) -> None:
        """Delete a comment."""
        self._call(self.client.delete, account_id, comment_id)

    def reply(self, account_id: str, comment_id: str, message: str, platform: str) -> str:
        """Post a public reply to a comment."""
        return str(self._call(self.client.reply, account_id, comment_id, message, platform))

    def send_message(self, account_id: str, recipient_id: str, message: str) -> str:
        """Answer a direct message."""
        return str(self._call(self.client.send_message, account_id, recipient_id, message))
