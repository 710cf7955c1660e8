"""The code's own gates: ruff (with the platform boundary rule), the type checker, migrations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from bot.db import make_engine

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=300)


def test_ruff_is_clean() -> None:
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_type_checker_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_domain_may_never_import_slack(tmp_path: Path) -> None:
    probe = ROOT / "bot" / "domain" / "_boundary_probe.py"
    probe.write_text("import slack_sdk\nfrom slack_bolt import App\n", encoding="utf-8")
    try:
        result = run("ruff", "check", "--select", "TID251", str(probe))
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "must not import Slack" in result.stdout


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


def test_migrations_build_the_schema_and_match_the_models(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    command.check(config)  # raises when the models and the migrations disagree
    engine = make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"item", "assessment", "case", "case_event", "chat_message_ref", "account",
            "person", "outbox", "webhook_delivery"} <= tables
