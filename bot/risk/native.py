"""The optional native core (bot/risk/_native.pyx): the risk engine's inner loops in C.

Normalising's common path, the gate's plan, the regex calls that try the live patterns and the
lexicon's sums. It is built at install when a C compiler is there; without it, or with
SOMEVAKTEN_RISK_NATIVE=off (to compare or to debug), the engine runs the Python reference in
bot.risk.normalize, bot.risk.gate, bot.risk.scan and bot.risk.learned, which gives the same
answers.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from types import ModuleType

NATIVE_ENV = "SOMEVAKTEN_RISK_NATIVE"

log = logging.getLogger(__name__)


def native_module() -> ModuleType | None:
    """bot.risk._native when it is built and not turned off, else None."""
    if os.environ.get(NATIVE_ENV, "").strip().lower() in {"off", "0", "false", "no"}:
        return None
    return _built()


@cache
def _built() -> ModuleType | None:
    try:
        from bot.risk import _native
    except ImportError as exc:
        log.warning(
            "the risk engine's native core is not built (%s): running its Python reference, "
            "about half the speed; a C compiler at install builds it",
            exc,
        )
        return None
    return _native


class NativeCoreOwner:
    """A part of the engine with a native core in `_core`: pickled without it (C arrays are
    not picklable) and rebuilt with its _native_core() when unpickled."""

    def _native_core(self) -> object:
        """The native core for this part, or None."""
        raise NotImplementedError

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_core": None}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.__dict__["_core"] = self._native_core()


def native_in_use() -> bool:
    """Whether engines built now use the native core."""
    return native_module() is not None
