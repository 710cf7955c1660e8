"""Users read Swedish: the catalog must load, and every message must be translated."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import i18n
from bot.i18n import LOCALE_DIR, CatalogMissingError, Translator, translator

ROOT = Path(__file__).resolve().parents[1]


def test_swedish_is_the_default_and_the_catalog_is_loaded() -> None:
    t = translator()
    assert t.gettext("Referral") == "Hänvisning"
    assert t.gettext("Follow-up not confirmed") == "Uppföljning inte bekräftad"
    assert translator("sv-SE").language == "sv" and translator("fi").language == "sv"


def test_english_is_the_second_language() -> None:
    assert translator("en").gettext("Referral") == "Referral"
    assert translator("en").when(datetime(2026, 6, 19, 13, 5, tzinfo=UTC)) == (
        "19 June 2026 at 15:05")


def test_swedish_time_and_durations() -> None:
    t = translator("sv")
    assert t.when(datetime(2026, 6, 19, 13, 5, tzinfo=UTC)) == "19 juni 2026 kl. 15:05"
    assert t.when(datetime(2026, 12, 24, 13, 5, tzinfo=UTC)) == "24 december 2026 kl. 14:05"
    assert t.duration(timedelta(minutes=30)) == "30 minuter"


def test_every_message_has_a_swedish_translation() -> None:
    with (LOCALE_DIR / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="sv")
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_the_catalog_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "-k", "gettext", "-k", "ngettext:1,2", "-k", "N_",
                    "--no-location", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        in_code = {m.id for m in read_po(handle) if m.id}
    with (LOCALE_DIR / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        in_catalog = {m.id for m in read_po(handle, locale="sv") if m.id}
    assert in_code - in_catalog == set(), "run `make i18n` and translate the new messages"


def test_a_missing_catalog_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._catalog.cache_clear()
    try:
        with pytest.raises(CatalogMissingError):
            Translator("sv").gettext("Referral")
    finally:
        i18n._catalog.cache_clear()
