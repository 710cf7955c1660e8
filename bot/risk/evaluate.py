"""Score the engine against the labelled corpora: per-category precision, recall and F1.

`python -m bot.risk.evaluate` prints the table and the misses for the development corpus, then
the tables and the misses for the independently written development sets (risk_dev.jsonl to
risk_dev12.jsonl, which may be read), and only the aggregate tables for the
held-out files (risk_holdout.jsonl, risk_holdout2.jsonl, risk_holdout3.jsonl, risk_month.jsonl,
a realistic month of mostly ordinary comments, and risk_valid.jsonl, which chose the lexicon's
margins): their texts measure generalisation and must not be read while writing rules.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.risk.hybrid import HybridEngine
from bot.risk.types import Category

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "data"
CORPUS = DATA_DIR / "risk_corpus.jsonl"
DEV = DATA_DIR / "risk_dev.jsonl"
DEV2 = DATA_DIR / "risk_dev2.jsonl"
DEV3 = DATA_DIR / "risk_dev3.jsonl"
DEV4 = DATA_DIR / "risk_dev4.jsonl"
DEV5 = DATA_DIR / "risk_dev5.jsonl"
DEV6 = DATA_DIR / "risk_dev6.jsonl"
DEV7 = DATA_DIR / "risk_dev7.jsonl"
DEV8 = DATA_DIR / "risk_dev8.jsonl"
DEV9 = DATA_DIR / "risk_dev9.jsonl"
DEV10 = DATA_DIR / "risk_dev10.jsonl"
DEV11 = DATA_DIR / "risk_dev11.jsonl"
DEV12 = DATA_DIR / "risk_dev12.jsonl"
DEV_SETS = (DEV, DEV2, DEV3, DEV4, DEV5, DEV6, DEV7, DEV8, DEV9, DEV10, DEV11, DEV12)
HOLDOUT = DATA_DIR / "risk_holdout.jsonl"
HOLDOUT2 = DATA_DIR / "risk_holdout2.jsonl"
HOLDOUT3 = DATA_DIR / "risk_holdout3.jsonl"
HOLDOUT4 = DATA_DIR / "risk_holdout4.jsonl"
MONTH = DATA_DIR / "risk_month.jsonl"  # a realistic month: mostly ordinary comments
VALID = DATA_DIR / "risk_valid.jsonl"


@dataclass(frozen=True, slots=True)
class Miss:
    """One wrong answer: a false negative or false positive for one category (or acute)."""

    item_id: str
    category: str
    kind: str
    text: str
    rules: tuple[str, ...] = ()


@dataclass
class Report:
    """Counts per category, acute agreement and the misses."""

    total: int = 0
    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    fn: dict[str, int] = field(default_factory=dict)
    acute_correct: int = 0
    exact: int = 0
    quiet: int = 0  # items labelled with no category
    quiet_flagged: int = 0  # of those, the ones that got a card anyway
    risky_silent: int = 0  # items with a category that got no card at all
    weak: dict[str, int] = field(default_factory=dict)
    silent: dict[str, int] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    def precision(self, cat: str) -> float:
        """Precision for one category (1.0 when nothing was predicted)."""
        tp, fp = self.tp.get(cat, 0), self.fp.get(cat, 0)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, cat: str) -> float:
        """Recall for one category (1.0 when nothing was expected)."""
        tp, fn = self.tp.get(cat, 0), self.fn.get(cat, 0)
        return tp / (tp + fn) if tp + fn else 1.0

    def f1(self, cat: str) -> float:
        """F1 for one category."""
        p, r = self.precision(cat), self.recall(cat)
        return 2 * p * r / (p + r) if p + r else 0.0

    def count(self, cat: str, expected: set[str], got: set[str]) -> str | None:
        """Count one category of one item: "TP", "FP", "FN" or None (rightly absent)."""
        if cat in expected and cat in got:
            self.tp[cat] = self.tp.get(cat, 0) + 1
            return "TP"
        if cat in got:
            self.fp[cat] = self.fp.get(cat, 0) + 1
            return "FP"
        if cat in expected:
            self.fn[cat] = self.fn.get(cat, 0) + 1
            return "FN"
        return None

    @property
    def acute_accuracy(self) -> float:
        """Share of items where the acute flag agrees with the label."""
        return self.acute_correct / self.total if self.total else 1.0


def load_items(path: Path) -> list[dict[str, object]]:
    """Read a labelled JSON Lines file."""
    items = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                items.append(json.loads(line))
    return items


def score(engine: HybridEngine, items: Iterable[dict[str, object]]) -> Report:
    """Run the engine over labelled items and count agreement."""
    report = Report()
    for item in items:
        text = str(item["text"])
        expected = {str(c) for c in item.get("categories", []) or []}  # type: ignore[attr-defined]
        result = engine.assess(text)
        scores = engine.scores(text)
        got = {c.value for c in result.categories}
        report.total += 1
        report.exact += expected == got
        if not expected:
            report.quiet += 1
            report.quiet_flagged += bool(got)
        elif not got:
            report.risky_silent += 1
        for cat in (c.value for c in Category):
            kind = report.count(cat, expected, got)
            if kind == "FP":
                rules = tuple(sorted({e.rule for e in result.evidence if e.category.value == cat}))
                report.misses.append(Miss(str(item["id"]), cat, "FP", text, rules))
            elif kind == "FN":
                if scores.get(Category(cat), 0.0) > 0:
                    report.weak[cat] = report.weak.get(cat, 0) + 1
                if not got:
                    report.silent[cat] = report.silent.get(cat, 0) + 1
                report.misses.append(Miss(str(item["id"]), cat, "FN", text))
        want_acute = bool(item.get("acute", False))
        report.acute_correct += want_acute == result.acute
        if want_acute != result.acute:
            kind = "FN" if want_acute else "FP"
            report.misses.append(Miss(str(item["id"]), "acute", kind, text))
    return report


def format_table(report: Report, title: str) -> str:
    """The per-category table as text."""
    lines = [
        f"{title}: {report.total} kommentarer",
        f"{'kategori':<20}{'P':>7}{'R':>7}{'F1':>7}{'TP':>5}{'FP':>5}{'FN':>5}"
        "  FN: svag signal / inget flaggat",
    ]
    for cat in (c.value for c in Category):
        lines.append(
            f"{cat:<20}{report.precision(cat):>7.3f}{report.recall(cat):>7.3f}"
            f"{report.f1(cat):>7.3f}{report.tp.get(cat, 0):>5}{report.fp.get(cat, 0):>5}"
            f"{report.fn.get(cat, 0):>5}  {report.weak.get(cat, 0):>5} / "
            f"{report.silent.get(cat, 0):<5}"
        )
    exact = report.exact / report.total if report.total else 1.0
    lines.append(f"akut, träffsäkerhet: {report.acute_accuracy:.3f}   helt rätt: {exact:.3f}   "
                 f"kort på kommentarer utan risk: {report.quiet_flagged} av {report.quiet}   "
                 f"risk utan kort: {report.risky_silent} av {report.total - report.quiet}")
    return "\n".join(lines)


def format_misses(report: Report) -> str:
    """The misses, false negatives first, with their texts."""
    lines = []
    for miss in sorted(report.misses, key=lambda m: (m.category, m.kind, m.item_id)):
        why = f"  [{', '.join(miss.rules)}]" if miss.rules else ""
        lines.append(f"{miss.kind} {miss.category:<18} {miss.item_id}: {miss.text}{why}")
    return "\n".join(lines)


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Print the corpus and dev tables with their misses, and the held-out table (aggregates
    only)."""
    out = out or sys.stdout
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--dev", type=Path, action="append",
                        help="a development set (default: "
                             f"{', '.join(p.name for p in DEV_SETS)})")
    parser.add_argument("--holdout", type=Path, action="append",
                        help=f"a held-out set (default: {HOLDOUT.name}, {HOLDOUT2.name}, "
                             f"{HOLDOUT3.name}, {HOLDOUT4.name}, {MONTH.name} and the validation "
                             f"set {VALID.name})")
    parser.add_argument("--rules", type=Path, default=None, help="rule directory")
    parser.add_argument("--no-misses", action="store_true")
    args = parser.parse_args(argv)
    from bot.risk import RuleFileError, load_engine

    try:
        engine = load_engine(args.rules)
    except RuleFileError as exc:
        print(f"Regelfel: {exc}", file=out)
        return 2
    print(f"Regelversion {engine.version}", file=out)
    if args.corpus.is_file():
        report = score(engine, load_items(args.corpus))
        print(format_table(report, f"Korpus {args.corpus.name}"), file=out)
        if not args.no_misses and report.misses:
            print("\nMissar:", file=out)
            print(format_misses(report), file=out)
    else:
        print(f"Korpusen saknas: {args.corpus}", file=out)
    for path in args.dev or DEV_SETS:
        if path.is_file():
            dev = score(engine, load_items(path))
            print("\n" + format_table(dev, f"Utvecklingsmängd {path.name}"), file=out)
            if not args.no_misses and dev.misses:
                print("\nMissar:", file=out)
                print(format_misses(dev), file=out)
    for path in args.holdout or (HOLDOUT, HOLDOUT2, HOLDOUT3, HOLDOUT4, MONTH, VALID):
        if path.is_file():
            # Only the aggregate: the held-out texts must stay unseen.
            held = score(engine, load_items(path))
            print("\n" + format_table(held, f"Hållet utanför {path.name}"), file=out)
            second = path.with_suffix(".second.jsonl")
            if second.is_file():
                print(format_agreement(load_items(path), load_items(second)), file=out)
    return 0


def format_agreement(first: list[dict[str, object]], second: list[dict[str, object]]) -> str:
    """How well a second annotator, labelling the same texts on their own, agrees with the
    writer (F1 per category): the ceiling an engine can be held to on that set."""
    labels = {str(i["id"]): i for i in second}
    agree = Report()
    for item in first:
        other = labels.get(str(item["id"]))
        if other is None:
            continue
        expected = {str(c) for c in item.get("categories", []) or []}  # type: ignore[attr-defined]
        got = {str(c) for c in other.get("categories", []) or []}  # type: ignore[attr-defined]
        agree.total += 1
        for cat in (c.value for c in Category):
            agree.count(cat, expected, got)
    scores = "  ".join(f"{c.value} {agree.f1(c.value):.2f}" for c in Category)
    return f"en andra annotatör ({agree.total} kommentarer), F1 mot skribenten: {scores}"


if __name__ == "__main__":
    raise SystemExit(main())
