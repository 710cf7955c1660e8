"""Texts users read, through Babel catalogs (Swedish first, English second), and Swedish time."""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SUPPORTED = ("sv", "en")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


class CatalogMissingError(RuntimeError):
    """A language's catalog is missing, so users would silently get untranslated text."""


@cache
def _catalog(language: str) -> gettext.GNUTranslations:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.is_file():
        raise CatalogMissingError(f"no catalog for {language!r} at {po_path}")
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # compiled in memory: no build step, no committed binaries
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Translator:
    """Gettext for one language plus Swedish-style date formatting."""

    language: str = "sv"

    def gettext(self, message: str) -> str:
        """The translation of a message id."""
        if self.language == "en":
            return message
        return _catalog(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The translation of a message id that depends on a count."""
        if self.language == "en":
            return singular if n == 1 else plural
        return _catalog(self.language).ngettext(singular, plural, n)

    @property
    def babel_locale(self) -> str:
        """The Babel locale name for formatting."""
        return "sv_SE" if self.language == "sv" else "en_GB"

    def when(self, moment: datetime) -> str:
        """A moment as the municipality reads it, e.g. "19 juni 2026 kl. 15:05"."""
        pattern = "d MMMM y 'kl.' HH:mm" if self.language == "sv" else "d MMMM y 'at' HH:mm"
        return format_datetime(moment, pattern, tzinfo=STOCKHOLM, locale=self.babel_locale)

    def clock(self, moment: datetime) -> str:
        """Only the time of day, e.g. "15:05"."""
        return format_datetime(moment, "HH:mm", tzinfo=STOCKHOLM, locale=self.babel_locale)

    def duration(self, delta: timedelta) -> str:
        """A length of time in words, e.g. "30 minuter"."""
        return format_timedelta(delta, threshold=2, locale=self.babel_locale)


def translator(language: str | None = None) -> Translator:
    """A translator for a supported language; Swedish by default."""
    lang = (language or "sv").split("-")[0].split("_")[0].lower()
    return Translator(lang if lang in SUPPORTED else "sv")
