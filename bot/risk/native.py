"""The optional native core (bot/risk/_native.pyx): the gate's plan and the lexicon's sums in C.

It is built at install when a C compiler is there; without it, or with
SOMEVAKTEN_RISK_NATIVE=off (to compare or to debug), the engine runs the Python reference in
bot.risk.gate and bot.risk.learned, which gives the same answers.
"""

from __future__ import annotations

import os
from types import ModuleType

NATIVE_ENV = "SOMEVAKTEN_RISK_NATIVE"


def native_module() -> ModuleType | None:
    """bot.risk._native when it is built and not turned off, else None."""
    if os.environ.get(NATIVE_ENV, "").strip().lower() in {"off", "0", "false", "no"}:
        return None
    try:
        from bot.risk import _native
    except ImportError:
        return None
    return _native


def native_in_use() -> bool:
    """Whether engines built now use the native core."""
    return native_module() is not None
