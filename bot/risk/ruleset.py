"""Load and validate the rule files under config/risk into a RuleSet."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.risk import rulesettings as parts
from bot.risk.compiled import CompiledPattern, compile_pattern
from bot.risk.normalize import fold_literal
from bot.risk.patterns import PatternError, Seq, parse_seq
from bot.risk.pii import PiiConfig
from bot.risk.rulefiles import RuleFile, RuleFileError, read_rule_file
from bot.risk.rulesettings import category, is_number, strings
from bot.risk.types import Category

MAIN_FILE = "ruleset.toml"
ADVICE_FILE = "advice.toml"
PII_FILE = "personal_data.toml"
_EXTRA_KEYS = {ADVICE_FILE: {"labels", "advice"}, PII_FILE: {"detectors", "weights"}}
SECTIONS = {"rule": "rule", "benign": "benign", "acute": "acute"}
_KEYS = {
    "rule": {
        "id",
        "patterns",
        "category",
        "weight",
        "cap",
        "acute",
        "negatable",
        "requires",
        "note",
    },
    "benign": {"id", "patterns", "suppresses", "scope", "requires", "note"},
    "acute": {"id", "patterns", "category", "negatable", "requires", "standalone", "note"},
}
_FILE_KEYS = {
    "category", "lists", "rule", "benign", "acute", "note", "requires", "learned_requires",
}
SCOPES = ("overlap", "clause", "sentence", "text")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: patterns that add weight to (or suppress, or make acute) categories."""

    id: str
    kind: str
    categories: tuple[Category, ...]
    patterns: tuple[CompiledPattern, ...]
    weight: float = 1.0
    acute: bool = False
    negatable: bool = True
    scope: str = "overlap"
    requires: tuple[CompiledPattern, ...] = ()
    standalone: bool = False
    cap: float | None = None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Everything the engine needs, validated."""

    version: str
    rules: tuple[Rule, ...]
    pii: PiiConfig
    threshold: float = 1.0
    max_evidence: int = 5
    negators: frozenset[str] = frozenset()
    scope_breakers: frozenset[str] = frozenset()
    negation_window: int = 3
    emoji: dict[str, str] = field(default_factory=dict)
    mask_words: tuple[str, ...] = ()
    # Frequent words (folded): the gate avoids waiting for them.
    common_words: frozenset[str] = frozenset()
    labels: dict[Category, str] = field(default_factory=dict)
    advice: dict[Category, tuple[str, ...]] = field(default_factory=dict)
    acute_advice: dict[Category, tuple[str, ...]] = field(default_factory=dict)
    # A category file's own `requires` (a child is named) where the file says that it binds
    # the learned lexicon too (learned_requires = true): what a text must have before the
    # lexicon may add the category.
    contexts: dict[Category, tuple[CompiledPattern, ...]] = field(default_factory=dict)


def load_ruleset(rules_dir: Path, *, own_numbers: Iterable[str] = ()) -> RuleSet:
    """Read every *.toml in rules_dir; raise RuleFileError naming the file and line."""
    main_path = rules_dir / MAIN_FILE
    if not main_path.is_file():
        raise RuleFileError(main_path, None, "filen saknas")
    files = [read_rule_file(p) for p in sorted(rules_dir.glob("*.toml")) if p.is_file()]
    by_name = {f.path.name: f for f in files}
    main = by_name[MAIN_FILE]
    settings = parts.settings(main)
    lists = _lists([f for f in files if f is not main])
    common = frozenset(fold_literal(w) for w in strings(main, "normalize", "common_words"))
    rules: list[Rule] = []
    seen: set[str] = set()
    contexts: dict[Category, tuple[CompiledPattern, ...]] = {}
    for f in files:
        if f is not main:
            # The file's own requires is compiled once, first (an error names its own line),
            # and shared by the rules that inherit it.
            file_requires = _file_requires(f, lists, common)
            rules += _file_rules(f, lists, common, seen, file_requires)
            context = _learned_context(f, file_requires)
            if context is not None:
                contexts[context[0]] = contexts.get(context[0], ()) + context[1]
    pii_file = by_name.get(PII_FILE)
    pii = parts.pii_config(pii_file, tuple(own_numbers)) if pii_file else PiiConfig()
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.path.name.encode() + b"\0" + f.text.encode() + b"\0")
    digest.update("\0".join(sorted(pii.own_numbers)).encode())
    advice_file = by_name.get(ADVICE_FILE)
    labels, advice, acute_advice = parts.advice(advice_file) if advice_file else ({}, {}, {})
    return RuleSet(
        version=f"{settings.pop('version')}+{digest.hexdigest()[:8]}",
        rules=tuple(rules),
        pii=pii,
        common_words=common,
        labels=labels,
        advice=advice,
        acute_advice=acute_advice,
        contexts=contexts,
        **settings,
    )


def _lists(files: list[RuleFile]) -> dict[str, tuple[Seq, ...]]:
    lists: dict[str, tuple[Seq, ...]] = {}
    for f in files:
        table = f.data.get("lists", {})
        if not isinstance(table, dict):
            raise f.error("[lists] ska vara en tabell", key="lists")
        for name in table:
            if name in lists:
                raise f.error(f"ordlistan »{name}« finns redan", table="lists", key=name)
            alts = []
            for w in strings(f, "lists", name):
                try:
                    alts.append(parse_seq(w))
                except PatternError as exc:
                    raise f.error(str(exc), table="lists", key=name, value=w) from exc
            if not alts:
                raise f.error(f"ordlistan »{name}« är tom", table="lists", key=name)
            lists[name] = tuple(alts)
    return lists


def _file_rules(
    f: RuleFile,
    lists: dict[str, tuple[Seq, ...]],
    common: frozenset[str],
    seen: set[str],
    file_requires: tuple[CompiledPattern, ...],
) -> list[Rule]:
    allowed = _FILE_KEYS | _EXTRA_KEYS.get(f.path.name, set())
    for key in f.data:
        if key not in allowed:
            raise f.error(f"okänd nyckel »{key}«", key=key)
    default = f.data.get("category")
    file_cat = category(f, default, None, None, "category") if default is not None else None
    out: list[Rule] = []
    for kind, section in SECTIONS.items():
        entries = f.data.get(section, [])
        if not isinstance(entries, list):
            raise f.error(f"skriv [[{section}]] för varje regel", key=section)
        for i, entry in enumerate(entries):
            inherits = kind == "rule" and "requires" not in entry
            out.append(
                _rule(
                    f, kind, i, entry, file_cat=file_cat, lists=lists, common=common, seen=seen,
                    inherited=file_requires if inherits else (),
                )
            )
    return out


def _file_requires(
    f: RuleFile, lists: dict[str, tuple[Seq, ...]], common: frozenset[str]
) -> tuple[CompiledPattern, ...]:
    """The patterns of the file's own `requires` (empty when it has none)."""

    def err(msg: str, key: str | None = None, value: str | None = None) -> RuleFileError:
        return f.error(msg, key=key, value=value)

    return _compile_all(f.data, "requires", lists, common, err)


def _learned_context(
    f: RuleFile, requires: tuple[CompiledPattern, ...]
) -> tuple[Category, tuple[CompiledPattern, ...]] | None:
    """The file's category and its `requires`, when learned_requires says they bind the
    learned lexicon too."""
    binds = f.data.get("learned_requires", False)
    if not isinstance(binds, bool):
        raise f.error("»learned_requires« ska vara true eller false", key="learned_requires")
    if not binds:
        return None
    default = f.data.get("category")
    if default is None or not requires:
        raise f.error(
            "»learned_requires« kräver att filen anger category och requires",
            key="learned_requires",
        )
    return category(f, default, None, None, "category"), requires


def _rule(
    f: RuleFile,
    kind: str,
    i: int,
    entry: dict[str, Any],
    *,
    file_cat: Category | None,
    lists: dict[str, tuple[Seq, ...]],
    common: frozenset[str],
    seen: set[str],
    inherited: tuple[CompiledPattern, ...] = (),
) -> Rule:
    def err(msg: str, key: str | None = None, value: str | None = None) -> RuleFileError:
        return f.error(msg, table=kind, index=i, key=key, value=value)

    for key in entry:
        if key not in _KEYS[kind]:
            raise err(f"okänd nyckel »{key}«", key)
    rid = entry.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise err("»id« saknas")
    full_id = f"{f.path.stem}.{rid}" if kind == "rule" else f"{f.path.stem}.{kind}.{rid}"
    if full_id in seen:
        raise err(f"regeln »{rid}« finns redan", "id")
    seen.add(full_id)
    cat_key = "suppresses" if kind == "benign" else "category"
    raw = entry.get(cat_key, [file_cat] if file_cat else None)
    raw_list = raw if isinstance(raw, list) else [raw]
    standalone = kind == "acute" and entry.get("standalone") is True
    if (raw is None or not raw_list) and not standalone:
        raise err(f"»{cat_key}« saknas (och filen anger ingen category)", cat_key)
    cats = tuple(category(f, c, kind, i, cat_key) for c in raw_list if c is not None)
    weight = entry.get("weight", 1.0)
    if not is_number(weight) or not 0 < weight <= 10:
        raise err(f"ogiltig vikt »{weight}«, ska vara ett tal över 0 och högst 10", "weight")
    cap = entry.get("cap")
    if cap is not None and (not is_number(cap) or cap <= 0):
        raise err(f"ogiltigt tak »{cap}«, ska vara ett tal över 0", "cap")
    flags = {}
    for key in ("acute", "negatable", "standalone"):
        value = entry.get(key, key == "negatable")
        if not isinstance(value, bool):
            raise err(f"»{key}« ska vara true eller false", key)
        flags[key] = value
    scope = entry.get("scope", "overlap")
    if scope not in SCOPES:
        raise err(f"okänt scope »{scope}« (kända: {', '.join(SCOPES)})", "scope")
    compiled = {
        key: _compile_all(entry, key, lists, common, err) for key in ("patterns", "requires")
    }
    compiled["requires"] = compiled["requires"] or inherited
    return Rule(
        id=full_id,
        kind=kind,
        categories=cats,
        patterns=compiled["patterns"],
        weight=float(weight),
        acute=flags["acute"],
        negatable=flags["negatable"],
        scope=scope,
        requires=compiled["requires"],
        standalone=flags["standalone"],
        cap=float(cap) if cap is not None else None,
    )


def _compile_all(
    entry: dict[str, Any],
    key: str,
    lists: dict[str, tuple[Seq, ...]],
    common: frozenset[str],
    err: Callable[..., RuleFileError],
) -> tuple[CompiledPattern, ...]:
    sources = entry.get(key, [] if key == "requires" else None)
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise err(f"»{key}« ska vara en lista med mönster", key)
    if key == "patterns" and not sources:
        raise err("»patterns« ska ha minst ett mönster", key)
    out = []
    for src in sources:
        try:
            out.append(compile_pattern(src, lists, common=common))
        except PatternError as exc:
            raise err(f"{exc} i mönstret »{src}«", key, src) from exc
    return tuple(out)
