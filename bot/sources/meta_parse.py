"""Turn a Meta webhook envelope into platform-neutral incoming items (pure, no I/O)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger(__name__)

NEW, EDIT, REMOVE, HIDE, UNHIDE = "new", "edit", "remove", "hide", "unhide"
_FEED_VERBS = {"add": NEW, "edited": EDIT, "edit": EDIT, "remove": REMOVE, "delete": REMOVE,
               "hide": HIDE, "unhide": UNHIDE}
_FEED_ITEMS_WITH_TEXT = {"comment", "status", "post", "photo", "video"}


@dataclass(frozen=True, slots=True)
class IncomingItem:
    """One comment or message as Meta told us about it."""

    platform: str
    account_external_id: str
    external_id: str
    verb: str
    kind: str
    text: str = ""
    author_id: str | None = None
    author_name: str | None = None
    parent_id: str | None = None
    container_id: str | None = None
    created_at: datetime | None = None
    edited_at: datetime | None = None
    permalink: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


class PayloadError(ValueError):
    """The body is JSON but not a Meta webhook envelope."""


def _from_seconds(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        # Some deliveries carry milliseconds where seconds are documented.
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("+0000", "+00:00"))
        except ValueError:
            return None
    return None


def _from_millis(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value / 1000, UTC) if isinstance(value, int | float) else None


def _feed_change(account: str, value: Mapping[str, Any], entry_time: Any) -> IncomingItem | None:
    item_kind = value.get("item")
    verb = _FEED_VERBS.get(str(value.get("verb")))
    if item_kind not in _FEED_ITEMS_WITH_TEXT or verb is None:
        return None
    sender = value.get("from") or {}
    author_id = str(sender.get("id") or value.get("sender_id") or "") or None
    if author_id == account:
        return None  # the page's own comments and replies
    external_id = value.get("comment_id") or value.get("post_id")
    if not external_id:
        return None
    post_id = value.get("post_id")
    parent = value.get("parent_id")
    if item_kind == "comment":
        kind = "comment" if parent in (None, post_id) else "reply"
    else:
        kind = "visitor_post"
    return IncomingItem(
        platform="facebook",
        account_external_id=account,
        external_id=str(external_id),
        verb=verb,
        kind=kind,
        text=str(value.get("message") or ""),
        author_id=author_id,
        author_name=sender.get("name") or value.get("sender_name"),
        parent_id=parent,
        container_id=post_id,
        created_at=_from_seconds(value.get("created_time")) or _from_seconds(entry_time),
        edited_at=_from_seconds(value.get("edited_time")),
        permalink=f"https://www.facebook.com/{external_id}",
        raw=value,
    )


def _instagram_comment(
    account: str, value: Mapping[str, Any], entry_time: Any
) -> IncomingItem | None:
    sender = value.get("from") or {}
    author_id = str(sender.get("id") or "") or None
    if author_id == account:
        return None
    external_id = value.get("id") or value.get("comment_id")
    if not external_id:
        return None
    media = value.get("media") or {}
    return IncomingItem(
        platform="instagram",
        account_external_id=account,
        external_id=str(external_id),
        verb=NEW,
        kind="reply" if value.get("parent_id") else "comment",
        text=str(value.get("text") or ""),
        author_id=author_id,
        author_name=sender.get("username"),
        parent_id=value.get("parent_id"),
        container_id=media.get("id"),
        created_at=_from_seconds(entry_time),
        raw=value,
    )


def _message(platform: str, account: str, event: Mapping[str, Any]) -> IncomingItem | None:
    sender = str((event.get("sender") or {}).get("id") or "") or None
    message = event.get("message")
    edit = event.get("message_edit")
    if isinstance(edit, Mapping) and edit.get("mid"):
        return IncomingItem(platform=platform, account_external_id=account,
                            external_id=str(edit["mid"]), verb=EDIT, kind="dm",
                            text=str(edit.get("text") or ""), author_id=sender,
                            edited_at=_from_millis(event.get("timestamp")), raw=event)
    if not isinstance(message, Mapping) or not message.get("mid"):
        return None  # reactions, reads, postbacks: nothing to assess
    if message.get("is_echo") or sender == account:
        return None
    verb = REMOVE if message.get("is_deleted") else NEW
    reply_to = message.get("reply_to") or {}
    return IncomingItem(
        platform=platform,
        account_external_id=account,
        external_id=str(message["mid"]),
        verb=verb,
        kind="dm",
        text=str(message.get("text") or ""),
        author_id=sender,
        parent_id=reply_to.get("mid"),
        created_at=_from_millis(event.get("timestamp")),
        raw=event,
    )


def _entry_items(platform: str, entry: Mapping[str, Any]) -> Iterator[IncomingItem | None]:
    account = str(entry.get("id") or "")
    entry_time = entry.get("time")
    changes = list(entry.get("changes") or [])
    if "field" in entry and "value" in entry:  # Instagram Login's flat form
        changes.append({"field": entry["field"], "value": entry["value"]})
    for change in changes:
        yield _guarded(_change, platform, account, change, entry_time)
    for event in [*(entry.get("messaging") or []), *(entry.get("standby") or [])]:
        yield _guarded(_message, platform, account, event)


def _change(platform: str, account: str, change: Mapping[str, Any],
            entry_time: Any) -> IncomingItem | None:
    fld, value = change.get("field"), change.get("value") or {}
    if fld == "feed":
        return _feed_change(account, value, entry_time)
    if fld in ("comments", "live_comments") and platform == "instagram":
        return _instagram_comment(account, value, entry_time)
    logger.info("meta: ignored change field=%s", fld)
    return None


def _guarded(parse: Any, *args: Any) -> IncomingItem | None:
    """One odd change or message must not lose the others in its entry."""
    try:
        result: IncomingItem | None = parse(*args)
    except (AttributeError, TypeError, ValueError, KeyError, OverflowError):
        logger.exception("meta: could not parse a change of account %s", args[1])
        return None
    return result


def parse_envelope(payload: Any) -> list[IncomingItem]:
    """All assessable items in a webhook body; raises PayloadError if it is no envelope."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("entry"), list):
        raise PayloadError("not a Meta webhook envelope (expected an object with 'entry')")
    platform = {"page": "facebook", "instagram": "instagram"}.get(str(payload.get("object")))
    if platform is None:
        raise PayloadError(f"unsupported object {payload.get('object')!r}")
    items: list[IncomingItem] = []
    for entry in payload["entry"]:
        if not isinstance(entry, Mapping):
            continue
        try:
            items.extend(item for item in _entry_items(platform, entry) if item is not None)
        except (AttributeError, TypeError, ValueError):
            # One odd entry must not lose the others; the raw body is stored regardless.
            logger.exception("meta: could not parse an entry of account %s", entry.get("id"))
    return items
