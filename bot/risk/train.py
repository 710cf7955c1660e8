"""Train the learned lexicon from labelled comments: `python -m bot.risk.train [FILES...]`.

One logistic regression per category (and one for acute) over words, word stems, character
n-grams and word pairs. Each decision threshold is chosen by five-fold cross-validation on the
training files (a writer's comments in one fold), never on a hold-out set: the highest recall
whose out-of-fold precision reaches 0.80. The margins by which the lexicon must pass a threshold
to add a category beside the rules are then chosen on the calibration files, comments by writers
the rules were never corrected against, from the same out-of-fold probabilities (see
bot.risk.calibrate).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bot.risk.calibrate import choose_margins, rule_outcomes
from bot.risk.engine import RiskEngine
from bot.risk.learned import ACUTE, LEXICON_FILE, features, tokens
from bot.risk.ruleset import load_ruleset
from bot.risk.types import Category

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
# Five writers the rules were never corrected against: the margins are chosen on them.
DEFAULT_CALIBRATION = (DATA / "risk_calib.jsonl",)
DEFAULT_TRAINING = (
    *(DATA / name
      for name in ("risk_corpus.jsonl", "risk_dev.jsonl", "risk_dev2.jsonl", "risk_dev3.jsonl",
                   "risk_dev4.jsonl", "risk_more.jsonl", "risk_dev5.jsonl", "risk_dev6.jsonl")),
    *DEFAULT_CALIBRATION,
    ROOT / "tests" / "risk" / "data" / "concepts.jsonl",  # short hard negatives teach most
)
# Personal data is the detectors' call alone (see hybrid.DETECTED_ONLY): no head for it.
HEADS = [c.value for c in Category if c is not Category.PERSONAL_DATA] + [ACUTE]
PRECISION_TARGET: dict[str, float] = {"prohibited": 0.85}
# Out-of-fold precision each head must reach. The lexicon only adds to what the rules found,
# and on comments by a writer it never saw, a 0.80 bar gave the rules-plus-lexicon recall
# 0.65-0.95 per category against 0.47-0.76 for the rules alone, at a cost of 0.00-0.05 in
# precision (risk_dev2.jsonl before it joined the training data).
DEFAULT_PRECISION = 0.8
MIN_COUNT = 2  # a feature must occur in two comments to get a weight
KEEP_WEIGHT = 0.02  # smaller weights are left out of the file
L2, STEPS, RATE = 1.0, 400, 0.5

Vector = NDArray[np.float64]
WRITER = "_writer"
_ID_LETTERS = re.compile(r"[A-Za-z]*")


def read_rows(paths: Sequence[Path]) -> list[dict[str, object]]:
    """Labelled comments from JSON Lines files, each with its writer (see writer_of)."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row[WRITER] = writer_of(path, row)
                rows.append(row)
    return rows


def writer_of(path: Path, row: dict[str, object]) -> str:
    """Who wrote a comment: its file and the letters its id begins with (one writer each)."""
    return f"{path.name}:{_ID_LETTERS.match(str(row.get('id', ''))).group()}"  # type: ignore[union-attr]


def labels(rows: list[dict[str, object]], head: str) -> Vector:
    """1 where a comment has the category (or is acute), else 0."""
    if head == ACUTE:
        return np.array([1.0 if r.get("acute") else 0.0 for r in rows])
    return np.array([1.0 if head in _categories(r) else 0.0 for r in rows])


def _categories(row: dict[str, object]) -> list[str]:
    found = row.get("categories")
    if isinstance(found, list):
        return [str(c) for c in found]
    single = row.get("category")  # the concept sentences name one category, or null
    return [str(single)] if single else []


@dataclass(frozen=True)
class Sparse:
    """A 0/1 feature matrix as column indices per row (comments have few distinct words)."""

    columns: NDArray[np.int64]
    starts: NDArray[np.int64]
    rows: NDArray[np.int64]
    width: int

    def __len__(self) -> int:
        return len(self.starts) - 1

    def dot(self, w: Vector) -> Vector:
        """X @ w."""
        sums = np.add.reduceat(np.append(w[self.columns], 0.0), self.starts[:-1])
        return np.where(np.diff(self.starts) > 0, sums, 0.0)

    def tdot(self, g: Vector) -> Vector:
        """X.T @ g."""
        return np.asarray(np.bincount(self.columns, weights=g[self.rows], minlength=self.width),
                          dtype=np.float64)

    def take(self, index: NDArray[np.int64]) -> Sparse:
        """The rows at index, as a new matrix."""
        parts = [self.columns[self.starts[i] : self.starts[i + 1]] for i in index]
        return _sparse(parts, self.width)


def _sparse(parts: list[NDArray[np.int64]], width: int) -> Sparse:
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    columns = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
    rows = np.repeat(np.arange(len(parts), dtype=np.int64), lengths)
    return Sparse(columns, starts, rows, width)


def vectorise(
    texts: list[str], vocabulary: dict[str, int] | None = None
) -> tuple[Sparse, dict[str, int]]:
    """The feature matrix, and the vocabulary (features seen in MIN_COUNT texts)."""
    found = [{f for f, _, _ in features(tokens(t))} for t in texts]
    if vocabulary is None:
        counts = Counter(f for fs in found for f in fs)
        vocabulary = {
            f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))
        }
    parts = [
        np.array(sorted(vocabulary[f] for f in fs if f in vocabulary), dtype=np.int64)
        for fs in found
    ]
    return _sparse(parts, len(vocabulary)), vocabulary


def fit(x: Sparse, y: Vector) -> tuple[Vector, float]:
    """Class-weighted, L2-regularised logistic regression by gradient descent."""
    w, b = np.zeros(x.width), 0.0
    share = min(max(float(y.mean()), 1e-3), 1 - 1e-3)
    balance = np.where(y == 1, 0.5 / share, 0.5 / (1 - share))
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(x.dot(w) + b)))
        g = (p - y) * balance
        w -= RATE * (x.tdot(g) / len(y) + L2 * w / len(y))
        b -= RATE * float(g.mean())
    return w, b


def choose_threshold(p: Vector, y: Vector, precision: float) -> float:
    """The lowest threshold (most recall) whose precision still reaches the target."""
    best = 0.95
    for threshold in np.arange(0.95, 0.29, -0.01):
        predicted = p >= threshold
        hits = float((predicted & (y == 1)).sum())
        if predicted.sum() and hits / float(predicted.sum()) >= precision:
            best = float(threshold)
    return round(best, 2)


def writer_folds(writers: Sequence[str], folds: int = 5) -> list[NDArray[np.int64]]:
    """Row indexes of each fold, every writer's comments in one fold (largest writers first,
    each to the smallest fold), so that a model is scored on writers it never read; comments
    are split one by one only when they all come from one writer."""
    by_writer: dict[str, list[int]] = {}
    for i, w in enumerate(writers):
        by_writer.setdefault(w, []).append(i)
    if len(by_writer) < 2:
        # One writer (say, a municipality's own comments): folds of comments, as it must.
        order = np.random.default_rng(7).permutation(len(writers))
        return [np.sort(order[k::folds]) for k in range(folds) if len(order[k::folds])]
    parts: list[list[int]] = [[] for _ in range(min(folds, len(by_writer)))]
    for _, indexes in sorted(by_writer.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        min(parts, key=len).extend(indexes)
    return [np.array(sorted(p), dtype=np.int64) for p in parts if p]


def out_of_fold(x: Sparse, y: Vector, folds: list[NDArray[np.int64]]) -> Vector:
    """Each comment's probability from a model that never saw it (nor its writer)."""
    order = np.arange(len(y))
    p = np.zeros(len(y))
    for test in folds:
        train = np.setdiff1d(order, test)
        w, b = fit(x.take(train), y[train])
        p[test] = 1.0 / (1.0 + np.exp(-(x.take(test).dot(w) + b)))
    return p


def train(
    rows: list[dict[str, object]],
    calibration: Sequence[Path] = (),
    rules: RiskEngine | None = None,
) -> dict[str, dict[str, object]]:
    """Every head's bias, threshold and (non-negligible) weights, and, when calibration files
    (among the training files) and the rules are given, each category's margins."""
    x, vocabulary = vectorise([str(r["text"]) for r in rows])
    names = sorted(vocabulary, key=vocabulary.__getitem__)
    folds = writer_folds([str(r.get(WRITER, "")) for r in rows])
    files = {f"{p.name}:" for p in calibration}
    chosen = np.array([str(r.get(WRITER, "")).startswith(tuple(files)) for r in rows])
    outcomes = (
        rule_outcomes(rules, [str(r["text"]) for r, c in zip(rows, chosen, strict=True) if c])
        if rules is not None and chosen.any()
        else None
    )
    heads: dict[str, dict[str, object]] = {}
    for head in HEADS:
        y = labels(rows, head)
        p = out_of_fold(x, y, folds)
        threshold = choose_threshold(p, y, PRECISION_TARGET.get(head, DEFAULT_PRECISION))
        w, b = fit(x, y)
        kept = sorted(
            ((names[i], round(float(v), 3)) for i, v in enumerate(w) if abs(v) >= KEEP_WEIGHT),
            key=lambda kv: -kv[1],
        )
        heads[head] = {"bias": round(b, 3), "threshold": threshold, "weights": dict(kept)}
        if outcomes is not None and head != ACUTE:
            margins = choose_margins(head, p[chosen], threshold, y[chosen] == 1, outcomes)
            heads[head]["margins"] = {"with_rule": margins.with_rule, "alone": margins.alone}
            print(f"{head:<20} margins {margins.with_rule:.2f}/{margins.alone:.2f}: "
                  f"P {margins.precision:.3f} R {margins.recall:.3f} on {int(chosen.sum())} "
                  "calibration comments", file=sys.stderr)
    return heads


def render(heads: dict[str, dict[str, object]], sources: Sequence[Path]) -> str:
    """The lexicon as JSON a person can read: one weight a line, heaviest words first."""
    body = json.dumps(heads, sort_keys=True)
    meta = {
        "about": "The learned lexicon: weights per word (w:), word stem (p:), character n-gram "
                 "(c:) and word pair (b:) for each category, made by `python -m bot.risk.train` "
                 "from labelled comments. A category's probability is its weights summed through "
                 "the logistic function; it adds the category beside the rules when it passes "
                 "the threshold by the head's margins (with a weak rule sign, alone). "
                 "Generated: retrain rather than edit by hand.",
        "version": hashlib.sha256(body.encode()).hexdigest()[:8],
        "trained_on": [p.name for p in sources],
    }
    return json.dumps({"meta": meta, **heads}, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Train on the given files (default: the corpus and the development set) and write."""
    parser = argparse.ArgumentParser(prog="python -m bot.risk.train", description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_TRAINING))
    parser.add_argument("--out", type=Path, default=ROOT / "config" / "risk" / LEXICON_FILE)
    parser.add_argument(
        "--calibrate", type=Path, nargs="*", default=None,
        help="training files by writers the rules were never corrected against; the margins "
             "are chosen on them (default: those of risk_calib.jsonl among the files; none: "
             "the lexicon keeps the built-in margins)",
    )
    parser.add_argument("--rules", type=Path, default=ROOT / "config" / "risk",
                        help="the rule files the margins are chosen beside")
    args = parser.parse_args(argv)
    files = {p.resolve() for p in args.files}
    if args.calibrate is None:
        args.calibrate = [p for p in DEFAULT_CALIBRATION if p.resolve() in files]
    unknown = [str(p) for p in args.calibrate if p.resolve() not in files]
    if unknown:
        parser.error(f"calibration files must be among the training files: {', '.join(unknown)}")
    rules = RiskEngine(load_ruleset(args.rules)) if args.calibrate else None
    heads = train(read_rows(args.files), args.calibrate, rules)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(heads, args.files), encoding="utf-8")
    for head, data in heads.items():
        weights = data["weights"]
        assert isinstance(weights, dict)
        print(
            f"{head:<20} threshold {data['threshold']:.2f}  {len(weights)} weights", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
