"""The files that deploy SoMe-vakten say what the code does: Procfile, manifest, .env.example."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_the_procfile_has_web_clock_and_release() -> None:
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines()
                 if line.strip())
    assert set(lines) == {"web", "clock", "release"}
    assert "--no-scheduler" in lines["web"]  # exactly one scheduler: the clock
    assert "scheduler" in lines["clock"] and "migrate" in lines["release"]


def test_the_manifest_uses_one_request_url_for_everything() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    settings = manifest["settings"]
    urls = {settings["event_subscriptions"]["request_url"],
            settings["interactivity"]["request_url"],
            *(c["url"] for c in manifest["features"]["slash_commands"])}
    assert len(urls) == 1 and next(iter(urls)).endswith("/slack/events")
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "im:write", "commands", "users:read", "channels:history"} <= scopes
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == {"/frånvaro", "/överlämning"}
    assert {"app_home_opened", "user_status_changed", "message.channels"} <= set(
        settings["event_subscriptions"]["bot_events"])


def test_env_example_names_every_setting() -> None:
    names = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    expected = {name.upper() for name in Settings.model_fields}
    assert expected - names == set(), "document new settings in .env.example"
