"""Run an ASGI app under a real uvicorn server on 127.0.0.1 in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def serve(
    app: Any,
    *,
    host: str = "127.0.0.1",
    timeout: float = 10.0,
    start_timeout: float = 60.0,
    **config: Any,
) -> Iterator[str]:
    """Serve app on a free port (lifespan on) and yield its base URL, e.g. http://127.0.0.1:PORT.
    `start_timeout`: how long its startup may take (the app's lifespan compiles the risk rules
    the first time, several seconds on a slow or busy machine); `timeout`: each wait to stop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = int(sock.getsockname()[1])
    options: dict[str, Any] = {
        "log_level": "warning",
        "lifespan": "on",
        "access_log": False,
        "timeout_graceful_shutdown": 5,
        **config,
    }
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, **options))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # SystemExit on lifespan startup failure, too
            errors.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + start_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                thread.join(timeout)
                cause = errors[0] if errors else None
                raise RuntimeError(f"uvicorn did not start on {host}:{port}") from cause
            time.sleep(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout)
        sock.close()
