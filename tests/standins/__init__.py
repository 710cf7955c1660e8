"""Local HTTP stand-ins (Slack Web API, Meta Graph API) and helpers for tests over real HTTP."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, cast
from urllib.parse import parse_qs, urlsplit

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Incoming:
    """One HTTP request as the stand-in received it."""

    method: str
    path: str
    query: dict[str, Any]
    headers: dict[str, str]
    raw: bytes
    at: float

    def body(self) -> dict[str, Any]:
        """Parse the body as JSON or form fields (JSON-looking form values decoded)."""
        return parse_body(self.raw, self.headers.get("content-type", ""))


@dataclass(frozen=True)
class Reply:
    """What a stand-in answers: status, extra headers and a JSON (or raw) body."""

    status: int = 200
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    raw: bytes | None = None


def _maybe_json(value: str) -> Any:
    if value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse_fields(fields: dict[str, list[str]]) -> dict[str, Any]:
    """Flatten parse_qs output: single values become scalars, JSON arrays/objects are decoded."""
    out: dict[str, Any] = {}
    for key, values in fields.items():
        decoded = [_maybe_json(v) for v in values]
        out[key] = decoded[0] if len(decoded) == 1 else decoded
    return out


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """Parse a request body that is JSON or application/x-www-form-urlencoded."""
    if not raw:
        return {}
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip()[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except ValueError:
            return {"_raw": text}
        return data if isinstance(data, dict) else {"_json": data}
    return parse_fields(parse_qs(text, keep_blank_values=True))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: StandInServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up mid-answer; report real stand-in bugs."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def _serve(self) -> None:
        standin = cast(_Server, self.server).standin
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        incoming = Incoming(
            method=self.command,
            path=parts.path,
            query=parse_fields(parse_qs(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            raw=raw,
            at=time.monotonic(),
        )
        reply = standin._dispatch(incoming)
        payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        has_type = any(k.lower() == "content-type" for k, _ in reply.headers)
        if not has_type:
            self.send_header("Content-Type", JSON_TYPE)
        for key, value in reply.headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = do_PUT = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""


class StandInServer:
    """Base: a ThreadingHTTPServer on 127.0.0.1:0 in a daemon thread, with down/delay switches."""

    def __init__(self) -> None:
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition(threading.RLock())
        self._down = False
        self._delay = 0.0

    def start(self) -> Self:
        """Bind a free port and serve in a daemon thread."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.standin = self
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-{server.server_address[1]}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Shut the server down and join its thread."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (the server must be started)."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        """Scheme, host and port, e.g. http://127.0.0.1:PORT."""
        return f"http://127.0.0.1:{self.port}"

    def set_down(self, down: bool = True) -> None:
        """While down, every request answers 503."""
        with self._cond:
            self._down = down

    def set_delay(self, seconds: float) -> None:
        """Wait this long before answering each request (0 to stop)."""
        with self._cond:
            self._delay = max(0.0, seconds)

    def _dispatch(self, incoming: Incoming) -> Reply:
        with self._cond:
            down, delay = self._down, self._delay
        reply = self._handle(incoming, down)
        if delay:
            time.sleep(delay)
        return reply

    def _handle(self, incoming: Incoming, down: bool) -> Reply:
        raise NotImplementedError

    def _wait_until(
        self,
        collect: Callable[[], Sequence[Any]],
        count: int,
        timeout: float,
        describe: Callable[[], str],
    ) -> list[Any]:
        """Block until collect() yields at least count items; AssertionError with a summary."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = list(collect())
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"timed out after {timeout}s: wanted {count}, got {len(found)}; "
                        + describe()
                    )
                self._cond.wait(left)


def short(value: Any, limit: int = 160) -> str:
    """Compact one-line repr for failure summaries."""
    text = json.dumps(value, default=repr, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
