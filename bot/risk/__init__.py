"""Swedish risk assessment of residents' comments: categories, acute flag, evidence, advice."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

from bot.risk.cache import cached_engine
from bot.risk.engine import RiskEngine
from bot.risk.hybrid import HybridEngine
from bot.risk.learned import load_lexicon
from bot.risk.rulefiles import RuleFileError
from bot.risk.ruleset import load_ruleset
from bot.risk.types import Assessment, Category, Evidence

__all__ = [
    "DEFAULT_RULES_DIR",
    "Assessment",
    "Category",
    "Evidence",
    "HybridEngine",
    "RiskEngine",
    "RuleFileError",
    "assess",
    "default_engine",
    "load_engine",
    "reasons",
]

DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "config" / "risk"
RULES_ENV = "SOMEVAKTEN_RISK_RULES"

_lock = threading.Lock()
_default: HybridEngine | None = None


def rules_dir_from_env() -> Path:
    """The rules directory: $SOMEVAKTEN_RISK_RULES if set, else config/risk."""
    env = os.environ.get(RULES_ENV, "").strip()
    return Path(env) if env else DEFAULT_RULES_DIR


def load_engine(
    rules_dir: Path | None = None, *, own_numbers: Iterable[str] = (), eager: bool = False
) -> HybridEngine:
    """Load the rule files and the learned lexicon; raises RuleFileError on a bad file.
    `eager`: compile every pattern at load (about a second more) instead of on first use."""
    directory = Path(rules_dir) if rules_dir is not None else rules_dir_from_env()
    numbers = tuple(own_numbers)
    rules = cached_engine(
        directory, numbers, lambda: RiskEngine(load_ruleset(directory, own_numbers=numbers))
    )
    engine = HybridEngine(rules, load_lexicon(directory))
    return engine.warm() if eager else engine


def default_engine() -> HybridEngine:
    """The lazily loaded shared engine (rules from config/risk or $SOMEVAKTEN_RISK_RULES)."""
    global _default  # noqa: PLW0603 - one shared engine per process, built on first use
    if _default is None:
        with _lock:
            if _default is None:
                _default = load_engine()
    return _default


def assess(text: str) -> Assessment:
    """Assess one comment with the default engine."""
    return default_engine().assess(text)


def reasons(assessment: Assessment, engine: RiskEngine | None = None) -> tuple[str, ...]:
    """Swedish one-liners for a card, e.g. "»orkar inte leva« → person i kris"."""
    labels = (engine or default_engine()).labels
    out = []
    for ev in assessment.evidence:
        label = labels.get(ev.category, ev.category.value)
        line = f"»{' '.join(ev.text.split())}« → {label}"
        if line not in out:
            out.append(line)
    return tuple(out)
