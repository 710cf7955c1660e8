"""A compiled rule engine kept on disk, so that a restart loads in a tenth of the time.

Compiling the rule language (about 3,000 patterns into regexes, word cues and the gate) takes
about a second; unpickling the result takes about 50 ms. The file is keyed by a hash of every
rule file, of the municipality's own numbers and of this package's source, so an edited rule,
a new number or new code never meets an old engine. It lives in the process's own cache folder
($SOMEVAKTEN_RISK_CACHE, else $XDG_CACHE_HOME/somevakten, else ~/.cache/somevakten), which only
the service writes; SOMEVAKTEN_RISK_CACHE=off turns it off. A file that cannot be read is
rebuilt, and a folder that cannot be written only costs the time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.risk.engine import RiskEngine

CACHE_ENV = "SOMEVAKTEN_RISK_CACHE"
FORMAT = b"somevakten-risk-engine-2"
KEEP = 4  # engines kept: the rule sets in use (say, with and without own numbers)
_SOURCE_DIR = Path(__file__).resolve().parent

log = logging.getLogger(__name__)


def cache_dir() -> Path | None:
    """Where compiled engines are kept, or None when caching is off."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() in {"off", "0", "false", "no"}:
        return None
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "somevakten"


def engine_key(rules_dir: Path, own_numbers: Iterable[str]) -> str:
    """A hash of everything the compiled engine depends on."""
    digest = hashlib.sha256(FORMAT + sys.version.encode())
    for path in sorted(_SOURCE_DIR.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in sorted(rules_dir.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update("\0".join(sorted(own_numbers)).encode())
    return digest.hexdigest()[:32]


def cached_engine(
    rules_dir: Path, own_numbers: Iterable[str], build: Callable[[], RiskEngine]
) -> RiskEngine:
    """The engine compiled from rules_dir, from the cache when it is there, else built (and
    stored). A bad rule file raises from build() as always: only good engines are stored."""
    folder = cache_dir()
    if folder is None or not rules_dir.is_dir():
        return build()
    numbers = tuple(own_numbers)
    path = folder / f"rules-{engine_key(rules_dir, numbers)}.pickle"
    try:
        with path.open("rb") as fh:
            engine = pickle.load(fh)  # noqa: S301 - our own file, in our own cache folder
        if isinstance(engine, RiskEngine):
            return engine
    except FileNotFoundError:
        pass
    except Exception as exc:  # a truncated or foreign file: rebuild it
        log.warning("risk engine cache %s unreadable (%s); rebuilding", path.name, exc)
    engine = build()
    _store(path, engine)
    return engine


def _store(path: Path, engine: RiskEngine) -> None:
    """Write atomically (a reader never sees half a file) and keep the few newest files;
    failures only cost time."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rules-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(engine, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
        old = sorted(path.parent.glob("rules-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-KEEP]:
            stale.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError) as exc:
        log.info("risk engine cache not written to %s: %s", path.parent, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
