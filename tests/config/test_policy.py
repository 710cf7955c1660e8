"""A municipality edits the policy file; a mistake gets an error naming file and line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.policy import PolicyError, load_policy, parse_duration
from config.settings import DEFAULT_POLICY, normalise_database_url


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def shipped_with(replace: str, by: str, tmp_path: Path) -> Path:
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    assert replace in text
    return write(tmp_path, text.replace(replace, by, 1))


def test_the_shipped_policy_loads() -> None:
    policy = load_policy(DEFAULT_POLICY)
    assert policy.nagging.acute.first_after == timedelta(minutes=5)
    account = policy.account_for("facebook", "111")
    assert account is not None and policy.manager_of(account).name == "Maria Ek"


def line_of(text: str) -> int:
    lines = DEFAULT_POLICY.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(text))


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = shipped_with('first_after = "30m"', "first_after = 30m", tmp_path)
    line = line_of('first_after = "30m"')
    with pytest.raises(PolicyError, match=rf"policy\.toml: .*line {line}"):
        load_policy(path)


def test_a_bad_duration_names_the_line(tmp_path: Path) -> None:
    path = shipped_with('dm_after = "2h"', 'dm_after = "två timmar"', tmp_path)
    line = line_of('dm_after = "2h"')
    with pytest.raises(PolicyError,
                       match=rf"policy\.toml, rad {line}: nagging\.normal\.dm_after"):
        load_policy(path)


def test_an_unknown_person_is_refused(tmp_path: Path) -> None:
    path = shipped_with('responsible = "anna"', 'responsible = "nobody"', tmp_path)
    with pytest.raises(PolicyError, match="nobody"):
        load_policy(path)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="kan inte läsas"):
        load_policy(tmp_path / "nope.toml")


def test_durations_and_database_urls() -> None:
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("1d") == timedelta(days=1)
    with pytest.raises(ValueError, match="ogiltig"):
        parse_duration("soon")
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
