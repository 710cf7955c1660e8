"""Command line: classify JSON Lines comments, one result line per input line, in order.

    python -m bot.risk.cli < comments.jsonl > results.jsonl

Each input line is {"id": ..., "text": "..."}; each output line is
{"id": ..., "categories": [...], "acute": bool, "evidence": [{"category", "text", "start",
"end", "rule"}, ...]}. A line that cannot be read gives {"id": null, "error": "..."} in its
place, so line n of the output always belongs to line n of the input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from bot.risk.hybrid import HybridEngine
from bot.risk.types import Assessment


def result_record(item_id: Any, assessment: Assessment) -> dict[str, Any]:
    """The output record for one assessed comment."""
    return {
        "id": item_id,
        "categories": [c.value for c in assessment.categories],
        "acute": assessment.acute,
        "evidence": [
            {
                "category": e.category.value,
                "text": e.text,
                "start": e.start,
                "end": e.end,
                "rule": e.rule,
            }
            for e in assessment.evidence
        ],
    }


def _classify_line(line: str, engine: HybridEngine) -> dict[str, Any]:
    if not line.strip():
        return {"id": None, "error": "tom rad"}
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"ogiltig JSON: {exc.msg} (kolumn {exc.colno})"}
    if not isinstance(item, dict):
        return {"id": None, "error": "raden ska vara ett JSON-objekt med id och text"}
    text = item.get("text")
    if not isinstance(text, str):
        return {"id": None, "error": "fältet text saknas eller är inte en sträng"}
    try:
        return result_record(item.get("id"), engine.assess(text))
    except Exception as exc:
        return {"id": None, "error": f"kunde inte bedömas: {type(exc).__name__}"}


def classify_stream(lines: Iterable[str], out: TextIO, engine: HybridEngine | None = None) -> int:
    """Classify JSON Lines from `lines` into `out`; returns the number of lines written."""
    if engine is None:
        from bot.risk import default_engine

        engine = default_engine()
    written = 0
    for raw in lines:
        record = _classify_line(raw.rstrip("\r\n"), engine)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        written += 1
    out.flush()
    return written


def main(argv: list[str] | None = None) -> int:
    """Read JSON Lines on stdin (or from the files given) and write results to stdout."""
    from bot.risk import RuleFileError, default_engine

    paths = sys.argv[1:] if argv is None else argv
    try:
        engine = default_engine()
    except RuleFileError as exc:
        print(f"Regelfel: {exc}", file=sys.stderr)
        return 2
    if not paths:
        classify_stream(sys.stdin, sys.stdout, engine)
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            classify_stream(fh, sys.stdout, engine)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
