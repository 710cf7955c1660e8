"""A newcomer without Slack runs the console: cards, buttons as numbers, forms, nags."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = "\n".join([
    "1",                            # ex-2 (crisis): Hänvisa
    "",                             #   refer to: keep the suggestion (Självmordslinjen)
    "",                             #   kind of reply: keep "person in crisis"
    "",                             #   public reply: keep the draft
    "2",                            #   answered manually
    "",                             #   note
    "t 15",                         # let 15 minutes pass: a reminder falls due
    "4",                            # Följ upp
    "",                             #   has the person got help: yes (the suggestion)
    "2",                            #   confirmed by the person
    "",                             #   note
    "7",                            # Historik
    "",                             # next comment
    "3",                            # ex-3 (child): Anmälan socialtjänst
    "",                             #   route: the suggestion for this time of day
    "",                             #   reference
    "",                             #   note is required: refused
    "Ringde mottagningsgruppen",    #   note
    "q",
]) + "\n"


def run_console(tmp_path: Path, script: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--database", str(tmp_path / "console.db")],
        input=script, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_whole_loop_in_the_console(tmp_path: Path) -> None:
    transcript = run_console(tmp_path, SCRIPT)
    assert "Ingen risk hittades: Vad fint det blev på torget" in transcript
    assert "[NY] AKUT · kris" in transcript
    assert "[1] Hänvisa  [2] Polisanmälan  [3] Anmälan socialtjänst  [4] Följ upp" in transcript
    assert "90101" in transcript  # the drafted reply for a person in crisis
    assert "Hänvisning gjord av Anna Lindqvist" in transcript
    assert "Påminnelse: ärende 1" in transcript
    assert "Uppföljning bekräftad av Anna Lindqvist" in transcript
    assert "[UPPFÖLJT]" in transcript
    assert "Ärendet öppnades" in transcript  # the history
    assert "barn som far illa" in transcript
    assert "! Det här måste fyllas i." in transcript
    assert "Anmälan till socialtjänsten gjord av Anna Lindqvist" in transcript
    assert transcript.rstrip().endswith("Hej då.")


def test_typed_comments_work_without_the_example_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--no-examples", "--database",
         str(tmp_path / "c.db")],
        input="Min granne slår sina barn varje kväll\n\n\n", capture_output=True, text=True,
        cwd=ROOT, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "barn som far illa" in result.stdout
