"""The command line: ingest from other sources, classify JSON Lines, and the health check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from bot.db import make_engine
from bot.i18n import STOCKHOLM
from tests.conftest import Server

ROOT = Path(__file__).resolve().parents[1]


def run_bot(*args: str, stdin: str = "", env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "META_"))}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, env={**base, **(env or {})},
                          timeout=120, check=False)


def test_classify_keeps_order_and_answers_every_line() -> None:
    lines = [
        {"id": 1, "text": "Jag orkar inte leva längre"},
        {"id": "b", "text": "Vilka tider har biblioteket?"},
        "not json",
        {"id": 3, "text": "Grannens barn blir slagen varje kväll"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
                      for x in lines) + "\n"
    result = run_bot("classify", stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == [1, "b", None, 3]
    assert out[0]["categories"] == ["crisis"] and out[0]["acute"] is True
    assert out[0]["evidence"] and out[1]["categories"] == []
    assert "error" in out[2]
    assert "child_at_risk" in out[3]["categories"]


def test_ingest_stores_items_opens_cases_and_names_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "items.jsonl"
    source.write_text("\n".join([
        json.dumps({"id": "x1", "text": "Jag orkar inte leva längre", "author": "Eva"}),
        json.dumps({"id": "x2", "text": "Fint väder idag"}),
        "{broken",
        json.dumps({"id": "x1", "text": "Jag orkar inte leva längre"}),
    ]) + "\n", encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    assert run_bot("migrate", env=env).returncode == 0
    result = run_bot("ingest", str(source), env=env)
    assert result.returncode == 1  # one line was refused
    assert "items.jsonl:3: not JSON" in result.stderr
    assert result.stdout.strip() == "2 stored, 1 cases opened, 1 lines refused"


def test_healthz_reports_the_database_and_the_outbox(server: Server) -> None:
    body = httpx.get(f"{server.url}/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["outbox"] == {"pending": 0, "oldest_seconds": 0.0, "failed": 0}
    working, server.runtime.engine = (server.runtime.engine,
                                      make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    try:
        broken = httpx.get(f"{server.url}/healthz")
    finally:
        server.runtime.engine = working
    assert broken.status_code == 503 and broken.json()["status"] == "error"


def test_report_prints_the_period_and_saves_the_chart(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    assert run_bot("migrate", env=env).returncode == 0
    source = tmp_path / "items.jsonl"
    source.write_text(json.dumps({"id": "r1", "text": "Jag orkar inte leva längre",
                                  "created_at": "2026-11-18T10:00:00+01:00"}) + "\n",
                      encoding="utf-8")
    run_bot("ingest", str(source), env=env)
    chart = tmp_path / "chart.png"
    today = datetime.now(STOCKHOLM).date()  # the item is received now
    result = run_bot("report", "--from", (today - timedelta(days=7)).isoformat(),
                     "--to", (today + timedelta(days=1)).isoformat(), "--chart", str(chart),
                     env=env)
    assert result.returncode == 0, result.stderr
    assert "Inkomna: 1 · Riskfyllda: 1" in result.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = run_bot("report", "--from", "igår", "--to", "2026-11-23", env=env)
    assert bad.returncode == 2 and "2026-11-16" in bad.stderr


def test_the_clock_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """A platform stops the clock process with SIGTERM: it closes its runtime and exits 0."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    assert run_bot("migrate", env=env).returncode == 0
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "META_"))}
    clock = subprocess.Popen([sys.executable, "-m", "scheduler"], cwd=ROOT, text=True,
                             env={**base, **env}, stderr=subprocess.PIPE)
    try:
        assert clock.stderr is not None
        for line in clock.stderr:  # wait until it runs
            if "clock started" in line:
                break
        clock.send_signal(signal.SIGTERM)
        _, rest = clock.communicate(timeout=60)
    finally:
        clock.kill()
    assert clock.returncode == 0
    assert "clock stopped" in rest
