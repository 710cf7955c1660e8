"""The compiled engine kept on disk: used when nothing changed, rebuilt when anything did."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.risk import DEFAULT_RULES_DIR, load_engine
from bot.risk.cache import CACHE_ENV, cache_dir, cached_engine
from bot.risk.engine import RiskEngine
from bot.risk.ruleset import load_ruleset

TEXT = "Jag orkar inte leva längre. Ring mig på 070-174 06 12."


@pytest.fixture(scope="module")
def built() -> RiskEngine:
    return RiskEngine(load_ruleset(DEFAULT_RULES_DIR))


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, copy)
    return copy


class Builder:
    """Counts how often the engine had to be compiled."""

    def __init__(self, engine: RiskEngine) -> None:
        self.engine = engine
        self.calls = 0

    def __call__(self) -> RiskEngine:
        self.calls += 1
        return self.engine


def test_a_second_load_comes_from_the_cache_and_assesses_alike(
    rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: RiskEngine
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    build = Builder(built)
    first = cached_engine(rules, (), build)
    second = cached_engine(rules, (), build)
    assert build.calls == 1
    assert second is not first
    assert second.assess(TEXT) == built.assess(TEXT)
    assert len(list((tmp_path / "cache").glob("rules-*.pickle"))) == 1


def test_an_edited_rule_file_or_new_own_numbers_are_never_served_stale(
    rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: RiskEngine
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    build = Builder(built)
    cached_engine(rules, (), build)
    crisis = rules / "crisis.toml"
    crisis.write_text(crisis.read_text(encoding="utf-8") + "\n# en kommentar\n", "utf-8")
    cached_engine(rules, (), build)
    cached_engine(rules, ("0340-88 000",), build)
    assert build.calls == 3


def test_the_real_loader_uses_the_cache(
    rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    fresh = load_engine(rules)
    cached = load_engine(rules)
    assert list((tmp_path / "cache").glob("rules-*.pickle"))
    assert cached.assess(TEXT) == fresh.assess(TEXT)
    assert cached.version == fresh.version


def test_a_broken_cache_file_is_rebuilt(
    rules: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    built: RiskEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    build = Builder(built)
    cached_engine(rules, (), build)
    (stored,) = (tmp_path / "cache").glob("rules-*.pickle")
    stored.write_bytes(stored.read_bytes()[:1000])  # a crash while another process wrote
    with caplog.at_level(logging.WARNING, logger="bot.risk.cache"):
        engine = cached_engine(rules, (), build)
    assert build.calls == 2
    assert engine.assess(TEXT) == built.assess(TEXT)
    assert "unreadable" in caplog.text
    assert cached_engine(rules, (), build) is not None and build.calls == 2


def test_an_unwritable_cache_only_costs_time(
    rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: RiskEngine
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", "utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    build = Builder(built)
    assert cached_engine(rules, (), build).assess(TEXT) == built.assess(TEXT)
    assert cached_engine(rules, (), build) is built
    assert build.calls == 2


def test_the_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    assert cache_dir() is None
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/x")
    assert cache_dir() == Path("/var/cache/x/somevakten")
