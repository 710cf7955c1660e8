"""A local stand-in for Meta's Graph API (comments: read, hide, delete, reply, private reply)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.standins import Incoming, Reply, StandInServer, short

PAGE = {"id": "PAGE1", "name": "Kommunen"}
_DEFAULT_ERRORS: dict[int, tuple[int, str, str]] = {
    400: (100, "GraphMethodException", "Invalid parameter"),
    401: (190, "OAuthException", "Error validating access token: Session has expired."),
    403: (10, "OAuthException", "(#10) Application does not have permission for this action"),
    404: (100, "GraphMethodException", "Unsupported request. Object does not exist."),
    429: (4, "OAuthException", "(#4) Application request limit reached"),
    500: (
        2,
        "OAuthException",
        "An unexpected error has occurred. Please retry your request later.",
    ),
    503: (2, "OAuthException", "Service temporarily unavailable"),
}


@dataclass(frozen=True)
class GraphCall:
    """One recorded request: HTTP method, path after the version prefix, query, parsed body."""

    method: str
    path: str
    query: dict[str, Any]
    body: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int = 200

    @property
    def params(self) -> dict[str, Any]:
        """Query and body merged (Graph accepts parameters in either)."""
        return {**self.query, **self.body}

    @property
    def failed(self) -> bool:
        """True if the stand-in answered with an error."""
        return self.status >= 400


@dataclass
class _Failure:
    status: int
    error: dict[str, Any]
    times: int
    method: str | None
    path: str | None


def graph_error(
    status: int = 500,
    code: int | None = None,
    *,
    message: str | None = None,
    subcode: int | None = None,
    error_type: str | None = None,
) -> dict[str, Any]:
    """Build the Graph error JSON {"error": {message, type, code, error_subcode, fbtrace_id}}."""
    default_code, default_type, default_message = _DEFAULT_ERRORS.get(
        status, _DEFAULT_ERRORS[500 if status >= 500 else 400]
    )
    error: dict[str, Any] = {
        "message": message or default_message,
        "type": error_type or default_type,
        "code": code if code is not None else default_code,
        "fbtrace_id": "AbCdEfStandIn",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class GraphStandIn(StandInServer):
    """Graph API stand-in; point META_GRAPH_URL at stand_in.base_url."""

    def __init__(self, version: str = "v26.0") -> None:
        super().__init__()
        self.version = version
        self._calls: list[GraphCall] = []
        self._failures: list[_Failure] = []
        self._objects: dict[str, dict[str, Any]] = {}
        self._seq = itertools.count(1)

    @property
    def base_url(self) -> str:
        """Base URL with the version, e.g. http://127.0.0.1:PORT/v26.0 (no trailing slash)."""
        return f"{self.origin}/{self.version}"

    def seed_object(self, object_id: str, data: dict[str, Any]) -> None:
        """Make GET /{object_id} answer data (plus "id"); fields= filters it like Graph does."""
        with self._cond:
            self._objects[object_id] = {"id": object_id, **data}

    def object(self, object_id: str) -> dict[str, Any] | None:
        """The stored object (seeded or created by a reply; is_hidden updated by hide calls)."""
        with self._cond:
            found = self._objects.get(object_id)
            return dict(found) if found is not None else None

    def fail_next(
        self,
        status: int = 500,
        code: int | None = None,
        *,
        times: int = 1,
        message: str | None = None,
        subcode: int | None = None,
        error_type: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Make the next `times` requests (optionally only this HTTP method/path) fail."""
        error = graph_error(status, code, message=message, subcode=subcode, error_type=error_type)
        with self._cond:
            self._failures.append(_Failure(status, error, times, method, path))

    def calls(self, method: str | None = None, path: str | None = None) -> list[GraphCall]:
        """Recorded calls, optionally filtered by HTTP method and exact path ("/123/comments")."""
        with self._cond:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method.upper())
                and (path is None or c.path == path)
            ]

    def wait_for(
        self,
        method: str | None = None,
        path: str | None = None,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[GraphCall], bool] | None = None,
    ) -> list[GraphCall]:
        """Wait until count matching calls arrived; return all matching."""

        def collect() -> list[GraphCall]:
            return [c for c in self.calls(method, path) if predicate is None or predicate(c)]

        def describe() -> str:
            got = "; ".join(
                f"{c.method} {c.path}[{c.status}] {short(c.params)}" for c in self.calls()
            )
            return f"wanted {method or '*'} {path or '*'}; received: {got or 'nothing'}"

        return self._wait_until(collect, count, timeout, describe)

    def clear(self) -> None:
        """Forget recorded calls, pending failures and objects; switch down/delay off."""
        with self._cond:
            self._calls.clear()
            self._failures.clear()
            self._objects.clear()
            self._down = False
            self._delay = 0.0

    # --- serving -------------------------------------------------------------------------

    def _handle(self, incoming: Incoming, down: bool) -> Reply:
        prefix = f"/{self.version}"
        path = incoming.path
        if path.startswith(prefix + "/"):
            path = path[len(prefix) :]
        body = incoming.body()
        with self._cond:
            failure = self._take_failure(incoming.method, path)
            if down:
                reply = Reply(503, graph_error(503))
            elif failure is not None:
                reply = Reply(failure.status, failure.error)
            else:
                reply = self._answer(incoming.method, path, {**incoming.query, **body})
            self._calls.append(
                GraphCall(
                    incoming.method,
                    path,
                    incoming.query,
                    body,
                    incoming.headers,
                    incoming.at,
                    reply.status,
                )
            )
            self._cond.notify_all()
        return reply

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method not in (None, method) or failure.path not in (None, path):
                continue
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            return failure
        return None

    def _new_id(self) -> str:
        return str(17_900_000_000_000_000 + next(self._seq))

    def _answer(self, method: str, path: str, params: dict[str, Any]) -> Reply:
        parts = [p for p in path.split("/") if p]
        if method == "GET" and len(parts) == 1:
            return self._get(parts[0], params)
        if method == "GET":
            return Reply(200, {"data": [], "paging": {}})
        if method == "DELETE" and len(parts) == 1:
            self._objects.pop(parts[0], None)
            return Reply(200, {"success": True})
        if method == "POST" and len(parts) == 1:
            found = self._objects.get(parts[0])
            flag = params.get("is_hidden", params.get("hide"))
            if found is not None and flag is not None:
                found["is_hidden"] = str(flag).lower() == "true"
            return Reply(200, {"success": True})
        if method == "POST" and len(parts) == 2 and parts[1] in ("comments", "replies"):
            new_id = self._new_id()
            self._objects[new_id] = {
                "id": new_id,
                "message": params.get("message", ""),
                "from": dict(PAGE),
                "created_time": "2026-01-01T12:00:00+0000",
                "parent": {"id": parts[0]},
            }
            return Reply(200, {"id": new_id})
        if method == "POST" and len(parts) == 2 and parts[1] == "messages":
            return Reply(200, self._message(params))
        return Reply(200, {"success": True})

    def _get(self, object_id: str, params: dict[str, Any]) -> Reply:
        found = self._objects.get(object_id)
        if found is None:
            message = (
                f"Unsupported get request. Object with ID '{object_id}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation."
            )
            return Reply(404, graph_error(404, 100, message=message, subcode=33))
        fields = [f for f in str(params.get("fields", "")).split(",") if f]
        if not fields:
            return Reply(200, dict(found))
        return Reply(200, {k: v for k, v in found.items() if k == "id" or k in fields})

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        recipient = params.get("recipient")
        recipient = recipient if isinstance(recipient, dict) else {}
        recipient_id = recipient.get("id")
        if recipient_id is None:
            comment = self._objects.get(str(recipient.get("comment_id")), {})
            sender = comment.get("from")
            recipient_id = sender.get("id") if isinstance(sender, dict) else None
        return {
            "recipient_id": str(recipient_id or f"PSID{next(self._seq)}"),
            "message_id": f"m_{self._new_id()}",
        }
