"""Outgoing Meta Graph API calls: fetch, hide, delete and reply to comments, send messages."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Literal, Self

import httpx

from bot.domain.ports import DeliveryError

logger = logging.getLogger(__name__)

Platform = Literal["facebook", "instagram"]
ErrorKind = Literal[
    "rate_limited", "server", "auth", "permission", "not_found", "invalid", "network"
]

FACEBOOK_COMMENT_FIELDS = "id,message,from,created_time,permalink_url,parent,is_hidden"
INSTAGRAM_COMMENT_FIELDS = "id,text,username,timestamp,like_count,hidden,from"
_FIELDS = {"facebook": FACEBOOK_COMMENT_FIELDS, "instagram": INSTAGRAM_COMMENT_FIELDS}
_HIDE_FLAG = {"facebook": "is_hidden", "instagram": "hide"}
_REPLY_EDGE = {"facebook": "comments", "instagram": "replies"}
_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})
# Graph documents code 1 ("possibly a temporary issue") and 2 ("temporary downtime") as retry-later.
_TEMPORARY_CODES = frozenset({1, 2})
_AUTH_CODES = frozenset({102, 190})
_SUBCODE_MISSING_OBJECT = 33
_REDACTED = "[redacted]"


class GraphError(Exception):
    """A Graph call failed; `retryable` says whether trying again later can help."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        retryable: bool,
        status: int | None = None,
        code: int | None = None,
        subcode: int | None = None,
        retry_after: float | None = None,
        fbtrace_id: str | None = None,
    ) -> None:
        details = " ".join(
            f"{name}={value}"
            for name, value in (("status", status), ("code", code), ("subcode", subcode))
            if value is not None
        )
        super().__init__(f"{message} [{kind}{' ' + details if details else ''}]")
        self.message = message
        self.kind: ErrorKind = kind
        self.retryable = retryable
        self.status = status
        self.code = code
        self.subcode = subcode
        self.retry_after = retry_after
        self.fbtrace_id = fbtrace_id


def as_delivery_error(error: GraphError) -> DeliveryError:
    """Wrap a retryable GraphError for the outbox, which delays and retries it.

    Non-retryable errors (auth, permission, not_found, invalid) must be surfaced to people
    instead; the caller decides how. Passing one here raises ValueError.
    """
    if not error.retryable:
        raise ValueError(f"not retryable, surface it to people instead: {error}")
    delivery = DeliveryError(f"graph {error.kind}: {error}", retry_after=error.retry_after)
    delivery.__cause__ = error
    return delivery


class GraphClient:
    """A small synchronous Graph API client with one access token per account."""

    def __init__(
        self,
        base_url: str,
        page_tokens: Mapping[str, str],
        app_secret: str | None = None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._tokens = dict(page_tokens)
        self._app_secret = app_secret
        self._timeout = timeout
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client()

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def fetch_comment(self, account_id: str, comment_id: str, platform: Platform) -> dict[str, Any]:
        """Fetch a comment's current content (the snapshot taken before removing it)."""
        fields = _FIELDS[_platform(platform)]
        return self._call(account_id, "GET", f"/{comment_id}", query={"fields": fields})

    def hide(
        self, account_id: str, comment_id: str, platform: Platform, hidden: bool = True
    ) -> None:
        """Hide (or with hidden=False, unhide) a comment."""
        form = {_HIDE_FLAG[_platform(platform)]: "true" if hidden else "false"}
        self._call(account_id, "POST", f"/{comment_id}", form=form, success=True)

    def delete(self, account_id: str, comment_id: str) -> None:
        """Delete a comment (irreversible)."""
        self._call(account_id, "DELETE", f"/{comment_id}", success=True)

    def reply(self, account_id: str, comment_id: str, message: str, platform: Platform) -> str:
        """Reply publicly under a comment; returns the new comment's id."""
        edge = _REPLY_EDGE[_platform(platform)]
        data = self._call(account_id, "POST", f"/{comment_id}/{edge}", form={"message": message})
        return _required(data, "id")

    def private_reply(self, account_id: str, comment_id: str, message: str) -> str:
        """Send the comment's author one private message about it; returns the message id."""
        body = {"recipient": {"comment_id": comment_id}, "message": {"text": message}}
        data = self._call(account_id, "POST", f"/{account_id}/messages", json_body=body)
        return _required(data, "message_id")

    def send_message(self, account_id: str, recipient_id: str, message: str) -> str:
        """Answer a person inside the messaging window; returns the message id."""
        body = {
            "recipient": {"id": recipient_id},
            "messaging_type": "RESPONSE",
            "message": {"text": message},
        }
        data = self._call(account_id, "POST", f"/{account_id}/messages", json_body=body)
        return _required(data, "message_id")

    def _call(
        self,
        account_id: str,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        success: bool = False,
    ) -> dict[str, Any]:
        token = self._tokens.get(account_id)
        if not token:
            raise GraphError(
                f"no Graph access token configured for account {account_id!r}",
                kind="auth",
                retryable=False,
            )
        params = dict(query or {})
        if self._app_secret:
            params["appsecret_proof"] = appsecret_proof(token, self._app_secret)
        where = f"{method} {path}"
        try:
            # The token goes in a header, never the URL: httpx logs request URLs at INFO.
            response = self._client.request(
                method,
                self._base_url + path,
                params=params,
                data=form,
                json=json_body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self._timeout,
            )
        except httpx.TransportError as exc:
            reason = self._redact(f"{type(exc).__name__}: {exc}")
            logger.warning("Graph %s failed: %s", where, reason)
            raise GraphError(f"Graph {where}: {reason}", kind="network", retryable=True) from exc
        if response.status_code >= 400:
            error = self._error_from(where, response)
            logger.warning("Graph %s failed: %s (fbtrace_id=%s)", where, error, error.fbtrace_id)
            raise error
        try:
            data = response.json()
        except ValueError:
            data = None
        # A 2xx without the expected answer may still have taken effect, so do not retry it.
        if not isinstance(data, dict) or (success and data.get("success") is False):
            snippet = self._redact(response.text[:200])
            raise GraphError(
                f"Graph {where}: unexpected answer {snippet!r}",
                kind="server",
                retryable=False,
                status=response.status_code,
            )
        return data

    def _error_from(self, where: str, response: httpx.Response) -> GraphError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            text = str(error.get("message") or "no message")
            code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
            trace, transient = error.get("fbtrace_id"), error.get("is_transient") is True
        else:
            text = f"non-JSON error body {response.text[:200]!r}"
            code = subcode = trace = None
            transient = False
        kind, retryable = _classify(status, code, subcode, transient)
        retry_after = _retry_after(response.headers.get("retry-after")) if retryable else None
        return GraphError(
            f"Graph {where}: {self._redact(text)}",
            kind=kind,
            retryable=retryable,
            status=status,
            code=code,
            subcode=subcode,
            retry_after=retry_after,
            fbtrace_id=str(trace) if trace else None,
        )

    def _redact(self, text: str) -> str:
        for token in self._tokens.values():
            if token:
                text = text.replace(token, _REDACTED)
        return text


def appsecret_proof(token: str, app_secret: str) -> str:
    """Graph's appsecret_proof: hex HMAC-SHA256 of the access token keyed by the app secret."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _classify(
    status: int, code: int | None, subcode: int | None, transient: bool
) -> tuple[ErrorKind, bool]:
    if status == 429 or code in _RATE_LIMIT_CODES:
        return "rate_limited", True
    if code in _AUTH_CODES or (code is None and status == 401):
        return "auth", False
    if code == 10 or (code is not None and 200 <= code <= 299) or (code is None and status == 403):
        return "permission", False
    if status >= 500 or code in _TEMPORARY_CODES or transient:
        return "server", True
    if (code == 100 and subcode == _SUBCODE_MISSING_OBJECT) or status == 404:
        return "not_found", False
    return "invalid", False


def _retry_after(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _platform(platform: str) -> str:
    if platform not in _FIELDS:
        raise ValueError(f"unknown platform {platform!r}")
    return platform


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _required(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not value:
        raise GraphError(f"Graph answer lacks {key!r}", kind="server", retryable=False)
    return str(value)
