"""CLI contract (order kept, malformed lines answered in place) and masking for chat cards."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.risk import RiskEngine
from bot.risk.cli import classify_stream
from bot.risk.masking import mask_personal_data


def run(lines: list[str], engine: RiskEngine) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    count = classify_stream(lines, out, engine)
    return count, [json.loads(line) for line in out.getvalue().splitlines()]


def test_order_is_kept_and_every_line_gets_a_line(engine: RiskEngine) -> None:
    lines = [
        '{"id": "a", "text": "jag orkar inte leva längre"}\n',
        "not json\n",
        "\n",
        '{"id": "b", "text": 5}\n',
        "[1, 2]\n",
        '{"id": 7, "text": "Tack för fina blommor i parken"}\n',
    ]
    count, records = run(lines, engine)
    assert count == len(lines) == len(records)
    assert records[0]["id"] == "a"
    assert records[0]["categories"] == ["crisis"]
    assert records[0]["acute"] is True
    evidence = records[0]["evidence"]
    assert isinstance(evidence, list)
    assert set(evidence[0]) == {"category", "text", "start", "end", "rule"}
    for record in records[1:5]:
        assert record["id"] is None
        assert isinstance(record["error"], str) and record["error"]
    assert records[5] == {"id": 7, "categories": [], "acute": False, "evidence": []}


def test_output_is_utf8_not_escaped(engine: RiskEngine) -> None:
    out = io.StringIO()
    classify_stream(['{"id": 1, "text": "Jag vill dö"}'], out, engine)
    assert "dö" in out.getvalue()


def test_masking_keeps_the_first_digits() -> None:
    text = (
        "pnr 811218-9876, 19811218-9876, ring 070-123 45 67 eller +46 70 123 45 67 "
        "eller 0701234567, mejl anna.svensson@example.se, bor på Kvarngatan 3B"
    )
    masked = mask_personal_data(text)
    assert "811218-****" in masked and "19811218-****" in masked
    assert "070-*** ** **" in masked and "+46 70 *** ** **" in masked and "070*******" in masked
    assert "a***@example.se" in masked
    assert "Kvarngatan **" in masked
    assert "9876" not in masked and "123 45 67" not in masked


def test_masking_leaves_public_numbers_and_dates() -> None:
    text = "Ring 112, 114 14 eller Självmordslinjen 90101. Mötet är 2024-05-12."
    assert mask_personal_data(text) == text


def test_evaluate_prints_tables_and_never_held_out_texts(tmp_path: Path) -> None:
    from bot.risk.evaluate import main

    corpus = tmp_path / "corpus.jsonl"
    holdout = tmp_path / "holdout.jsonl"
    corpus.write_text(
        '{"id": "c1", "text": "jag orkar inte leva längre", "categories": ["crisis"], '
        '"acute": true}\n'
        '{"id": "c2", "text": "Tack för fina blommor", "categories": ["crime"], "acute": false}\n',
        encoding="utf-8",
    )
    secret = "Hemlig text som aldrig får skrivas ut"
    holdout.write_text(
        json.dumps({"id": "h1", "text": secret, "categories": ["crime"], "acute": False}) + "\n",
        encoding="utf-8",
    )
    # A second annotator's labels of the same texts (ids and labels only) give the ceiling.
    (tmp_path / "holdout.second.jsonl").write_text(
        json.dumps({"id": "h1", "categories": ["crime", "prohibited"], "acute": False}) + "\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    assert main(["--corpus", str(corpus), "--holdout", str(holdout)], out) == 0
    printed = out.getvalue()
    assert "crisis" in printed and "Tack för fina blommor" in printed  # corpus misses shown
    assert "holdout.jsonl" in printed
    assert "en andra annotatör (1 kommentarer)" in printed
    assert "crime 1.00" in printed and "prohibited 0.00" in printed
    assert secret not in printed
