"""Reading the non-rule parts of the rule files: settings, personal-data detectors, advice."""

from __future__ import annotations

from typing import Any

from bot.risk.normalize import fold_literal
from bot.risk.pii import PiiConfig, national_digits
from bot.risk.rulefiles import RuleFile
from bot.risk.types import Category


def strings(f: RuleFile, table: str | None, key: str, *, data: Any = None) -> list[str]:
    """A list of strings from table.key (or from `data`), or an error naming the line."""
    src = data if data is not None else (f.data.get(table, {}) if table else f.data)
    value = src.get(key, []) if isinstance(src, dict) else []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise f.error(f"»{key}« ska vara en lista med texter", table=table, key=key)
    return value


def settings(main: RuleFile) -> dict[str, Any]:
    """Version, threshold and normalisation settings from ruleset.toml."""
    version = main.data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise main.error("»version« saknas eller är inte en text", key="version")
    threshold = main.data.get("threshold", 1.0)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise main.error("»threshold« ska vara ett tal större än 0", key="threshold")
    norm = main.data.get("normalize", {})
    window = norm.get("negation_window", 3)
    if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 10:
        raise main.error(
            "»negation_window« ska vara 0–10", table="normalize", key="negation_window"
        )
    emoji = main.data.get("emoji", {})
    if not all(isinstance(v, str) for v in emoji.values()):
        raise main.error("[emoji] ska bara innehålla texter", table="emoji")
    max_ev = main.data.get("max_evidence", 5)
    return {
        "version": version.strip(),
        "threshold": float(threshold),
        "max_evidence": int(max_ev),
        "negators": frozenset(fold_literal(w) for w in strings(main, "normalize", "negators")),
        "scope_breakers": frozenset(
            fold_literal(w) for w in strings(main, "normalize", "scope_breakers")
        ),
        "negation_window": window,
        "emoji": {str(k): fold_literal(v) for k, v in emoji.items()},
        "mask_words": tuple(strings(main, "normalize", "mask_words")),
    }


def category(
    f: RuleFile, value: Any, table: str | None, index: int | None, key: str | None
) -> Category:
    """A category code, or an error naming the line and the known codes."""
    try:
        return Category(value)
    except ValueError:
        known = ", ".join(c.value for c in Category)
        raise f.error(
            f"okänd kategori »{value}« (kända: {known})", table=table, index=index, key=key
        ) from None


def is_number(value: Any) -> bool:
    """True for int and float, not bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def pii_config(f: RuleFile, own_numbers: tuple[str, ...]) -> PiiConfig:
    """Detector settings and weights from personal_data.toml."""
    weights = f.data.get("weights", {})
    for kind, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, int | float) or not 0 <= w <= 10:
            raise f.error(f"ogiltig vikt för »{kind}«: {w}", table="weights", key=kind)

    def detector_strings(key: str) -> list[str]:
        return strings(f, "detectors", key)

    own = detector_strings("own_numbers") + list(own_numbers)
    return PiiConfig(
        own_numbers=frozenset(national_digits(n) for n in own),
        public_numbers=frozenset(national_digits(n) for n in detector_strings("public_numbers")),
        nonpersonal_localparts=frozenset(
            w.lower() for w in detector_strings("nonpersonal_email_localparts")
        ),
        street_suffixes=tuple(detector_strings("street_suffixes")),
        address_cues=tuple(fold_literal(w) for w in detector_strings("address_cues")),
        venue_cues=tuple(fold_literal(w) for w in detector_strings("venue_cues")),
        order_cues=tuple(fold_literal(w) for w in detector_strings("order_cues")),
        weights={str(k): float(v) for k, v in weights.items()},
    )


def advice(
    f: RuleFile,
) -> tuple[dict[Category, str], dict[Category, tuple[str, ...]], dict[Category, tuple[str, ...]]]:
    labels: dict[Category, str] = {}
    for key, value in f.data.get("labels", {}).items():
        labels[category(f, key, "labels", None, key)] = str(value)
    advice: dict[Category, tuple[str, ...]] = {}
    acute: dict[Category, tuple[str, ...]] = {}
    for key, value in f.data.get("advice", {}).items():
        table = f"advice.{key}"
        cat = category(f, key, table, None, None)
        advice[cat] = tuple(strings(f, table, "text", data=value))
        acute[cat] = tuple(strings(f, table, "acute", data=value))
    return labels, advice, acute
