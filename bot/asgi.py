"""The ASGI entry point for uvicorn: `uvicorn bot.asgi:app`."""

from __future__ import annotations

from bot.app import create_app
from bot.logging_setup import configure_logging
from config.settings import get_settings

configure_logging()
_runtime = create_app(get_settings())
assert _runtime.api is not None
app = _runtime.api
