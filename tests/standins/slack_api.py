"""A local stand-in for the Slack Web API that records calls and can be told to fail."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.standins import Incoming, Reply, StandInServer, short

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T1"
DEFAULT_MEMBERS = ("U1", "U2", "U3")
UPLOAD_PATH = "/upload/v1/"
ACTIONS_PATH = "/actions/"


@dataclass(frozen=True)
class SlackCall:
    """One recorded request: API method name, parsed body, lower-cased headers, arrival time."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int = 200
    error: str | None = None
    path: str = ""

    @property
    def failed(self) -> bool:
        """True if the stand-in answered with an injected failure or while down."""
        return self.status != 200 or self.error is not None


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int
    times: int


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    tz: str = "Europe/Stockholm"
    locale: str = "sv-SE"
    status_text: str = ""
    status_emoji: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _error_for(status: int) -> str:
    if status == 429:
        return "ratelimited"
    return "internal_error" if status >= 500 else "invalid_request"


def _users_param(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [u for u in str(value or "").split(",") if u]


class SlackStandIn(StandInServer):
    """Slack Web API stand-in on 127.0.0.1; point WebClient(base_url=stand_in.base_url) at it."""

    def __init__(
        self,
        members: dict[str, list[str]] | None = None,
        default_members: Iterable[str] = DEFAULT_MEMBERS,
    ) -> None:
        super().__init__()
        self._calls: list[SlackCall] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._members = {k: list(v) for k, v in (members or {}).items()}
        self._default_members = list(default_members)
        self._users: dict[str, _User] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._seq = itertools.count(1)
        self._ts_seq = itertools.count(100, 100)

    # --- configuration -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Web API base URL with the trailing slash slack_sdk needs: http://127.0.0.1:PORT/api/."""
        return f"{self.origin}/api/"

    def response_url(self, key: str = "T1/1/x") -> str:
        """A response_url on this stand-in; posts to it are recorded as method 'response_url'."""
        return f"{self.origin}{ACTIONS_PATH}{key}"

    def set_members(self, channel: str, members: Iterable[str]) -> None:
        """Members that conversations.members answers for channel."""
        with self._cond:
            self._members[channel] = list(members)

    def set_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "Europe/Stockholm",
        locale: str = "sv-SE",
        status_text: str = "",
        status_emoji: str = "",
        **extra: Any,
    ) -> None:
        """Configure what users.info answers for user_id (extra keys merge into the user)."""
        with self._cond:
            self._users[user_id] = _User(
                id=user_id,
                name=name or user_id.lower(),
                real_name=real_name or f"User {user_id}",
                tz=tz,
                locale=locale,
                status_text=status_text,
                status_emoji=status_emoji,
                extra=extra,
            )

    def fail_next(
        self,
        method: str,
        status: int | None = None,
        *,
        retry_after: int = 2,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Make the next `times` calls of method ("*" = any) fail.

        status 429 (the default without error) → 429 + Retry-After + error "ratelimited";
        5xx → that status; error only → HTTP 200 {"ok": false, "error": error}.
        """
        code = status if status is not None else (200 if error else 429)
        failure = _Failure(code, error or _error_for(code), retry_after, times)
        with self._cond:
            self._failures.setdefault(method, []).append(failure)

    # --- inspection ----------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[SlackCall]:
        """Recorded calls, optionally only those of one API method."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[SlackCall], bool] | None = None,
    ) -> list[SlackCall]:
        """Wait until count calls of method (matching predicate) arrived; return all matching."""

        def collect() -> list[SlackCall]:
            return [c for c in self.calls(method) if predicate is None or predicate(c)]

        def describe() -> str:
            got = "; ".join(
                f"{c.method}[{c.status}{' ' + c.error if c.error else ''}] {short(c.body)}"
                for c in self.calls()
            )
            return f"method {method!r}; received: {got or 'nothing'}"

        return self._wait_until(collect, count, timeout, describe)

    def clear(self) -> None:
        """Forget recorded calls and pending failures; switch down/delay off."""
        with self._cond:
            self._calls.clear()
            self._failures.clear()
            self._down = False
            self._delay = 0.0

    # --- serving -------------------------------------------------------------------------

    def _handle(self, incoming: Incoming, down: bool) -> Reply:
        path = incoming.path
        if path.startswith(UPLOAD_PATH):
            method = "file_upload"
            body: dict[str, Any] = {"file_id": path[len(UPLOAD_PATH) :], "data": incoming.raw}
        else:
            method = "response_url" if path.startswith(ACTIONS_PATH) else path.rsplit("/", 1)[-1]
            body = {**incoming.query, **incoming.body()}
        with self._cond:
            failure = self._take_failure(method)
            if down:
                status, error, reply = 503, "service_unavailable", self._fail(503, "", 0)
            elif failure is not None:
                status, error = failure.status, failure.error
                reply = self._fail(failure.status, failure.error, failure.retry_after)
            else:
                status, error, reply = 200, None, self._answer(method, body)
                if isinstance(reply.body, dict) and reply.body.get("ok") is False:
                    error = str(reply.body.get("error"))
            self._calls.append(
                SlackCall(method, body, incoming.headers, incoming.at, status, error, path)
            )
            self._cond.notify_all()
        return reply

    def _take_failure(self, method: str) -> _Failure | None:
        for key in (method, "*"):
            queue = self._failures.get(key)
            if queue:
                failure = queue[0]
                failure.times -= 1
                if failure.times <= 0:
                    queue.pop(0)
                return failure
        return None

    @staticmethod
    def _fail(status: int, error: str, retry_after: int) -> Reply:
        if status == 503 and not error:
            return Reply(503, {"ok": False, "error": "service_unavailable"})
        headers = (("Retry-After", str(retry_after)),) if status == 429 else ()
        return Reply(status, {"ok": False, "error": error}, headers)

    def _next_ts(self) -> str:
        seconds, micros = divmod(next(self._ts_seq), 1_000_000)
        return f"{1_700_000_000 + seconds}.{micros:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._seq):08d}"

    def _answer(self, method: str, body: dict[str, Any]) -> Reply:
        handler = self._routes().get(method)
        data = handler(body) if handler else {}
        if data.get("ok") is False:
            return Reply(200, data)
        return Reply(200, {"ok": True, **data})

    def _routes(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": lambda b: {"message_ts": self._next_ts()},
            "chat.getPermalink": self._permalink,
            "conversations.open": self._open,
            "conversations.members": self._conv_members,
            "views.open": self._view,
            "views.push": self._view,
            "views.update": self._view,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "file_upload": self._file_upload,
        }

    def _auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://example.slack.com/",
            "team": "Example",
            "user": "some-vakten",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _message(self, body: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "team": TEAM_ID,
            "text": body.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in body:
                message[key] = body[key]
        return message

    def _post_message(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if channel.startswith(("U", "W")):
            channel = "D" + channel
        ts = self._next_ts()
        return {"channel": channel, "ts": ts, "message": self._message(body, ts)}

    def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        ts = str(body.get("ts", ""))
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        message = self._message(body, ts)
        return {
            "channel": body.get("channel"),
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _permalink(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", "C"))
        ts = str(body.get("message_ts", "")).replace(".", "")
        return {
            "channel": channel,
            "permalink": f"https://example.slack.com/archives/{channel}/p{ts}",
        }

    def _open(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("channel"):
            return {"no_op": True, "already_open": True, "channel": {"id": body["channel"]}}
        users = _users_param(body.get("users"))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))
        return {"channel": {"id": channel_id}}

    def _conv_members(self, body: dict[str, Any]) -> dict[str, Any]:
        members = self._members.get(str(body.get("channel", "")), self._default_members)
        return {"members": list(members), "response_metadata": {"next_cursor": ""}}

    def _view(self, body: dict[str, Any]) -> dict[str, Any]:
        view = body.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = str(body.get("view_id") or self._next_id("V"))
        stored = {
            "type": "modal",
            "state": {"values": {}},
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            **view,
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": "A1",
            "bot_id": BOT_ID,
            "hash": self._next_id("h"),
        }
        self._views[view_id] = stored
        return {"view": stored}

    def _users_info(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = str(body.get("user", ""))
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        user = self._users.get(user_id) or _User(user_id, user_id.lower(), f"User {user_id}")
        data: dict[str, Any] = {
            "id": user.id,
            "team_id": TEAM_ID,
            "name": user.name,
            "real_name": user.real_name,
            "tz": user.tz,
            "deleted": False,
            "is_bot": False,
            "profile": {
                "real_name": user.real_name,
                "display_name": user.name,
                "status_text": user.status_text,
                "status_emoji": user.status_emoji,
            },
            **user.extra,
        }
        if str(body.get("include_locale", "")).lower() in ("true", "1"):
            data["locale"] = user.locale
        return {"user": data}

    def _upload_url(self, body: dict[str, Any]) -> dict[str, Any]:
        file_id = self._next_id("F")
        self._files[file_id] = {"id": file_id, "name": body.get("filename", "file")}
        return {"file_id": file_id, "upload_url": f"{self.origin}{UPLOAD_PATH}{file_id}"}

    def _file_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        file_id = str(body["file_id"])
        if file_id not in self._files:
            return {"ok": False, "error": "file_not_found"}
        self._files[file_id]["size"] = len(body["data"])
        return {}

    def _complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        files = body.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        out = []
        for item in files:
            meta = self._files.get(str(item.get("id")), {"id": item.get("id")})
            out.append({**meta, "title": item.get("title") or meta.get("name")})
        return {"files": out}
