"""The municipality's contact directory: where to refer a resident, and which entry fits."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    InstanceOf,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.domain.office_hours import OfficeHours
from bot.risk.types import Category

ContactKind = Literal["municipal", "national", "emergency"]
CATEGORIES: frozenset[str] = frozenset(c.value for c in Category)

_FOLD = str.maketrans("åäáàâæöøóòôéèêëüúùíìï", "aaaaaaoooooeeeeuuuiii")
_PHONE = re.compile(r"^\+?\d[\d \-]*\d$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ENTRY = re.compile(r"^\s*\[\[\s*contacts\s*\]\]")
_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_DAY_NAMES = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
# Pydantic's own messages are English; municipal editors get Swedish for the common mistakes.
_MESSAGES = {
    "missing": "värdet saknas",
    "extra_forbidden": "okänd nyckel",
    "string_type": "ska vara text",
    "list_type": "ska vara en lista",
    "tuple_type": "ska vara en lista",
    "literal_error": "ogiltigt värde",
    "date_type": "ogiltigt datum (skriv ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "ogiltigt datum (skriv ÅÅÅÅ-MM-DD)",
    "date_parsing": "ogiltigt datum (skriv ÅÅÅÅ-MM-DD)",
    "string_too_short": "får inte vara tomt",
    "too_short": "får inte vara tom",
    "string_too_long": "är för långt",
    "string_pattern_mismatch": "har fel form",
}


class ContactsError(ValueError):
    """A contacts file that cannot be used; the message names the file and line."""


def fold(text: str) -> str:
    """Lowercase and fold å/ä/ö (and common accents), as Facebook Swedish often lacks them."""
    return text.lower().translate(_FOLD)


class Contact(BaseModel):
    """One place a resident can be referred to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64, pattern=_ID.pattern)
    name: str = Field(min_length=1, max_length=120)
    phone: str = Field(min_length=3, max_length=40)
    kind: ContactKind
    review_by: date
    email: str | None = Field(default=None, max_length=254)
    opening_hours: str | None = Field(default=None, min_length=1, max_length=120)
    office_hours: InstanceOf[OfficeHours] | None = None
    web_form: str | None = Field(default=None, max_length=500)
    categories: tuple[Category, ...] = ()
    keywords: tuple[str, ...] = ()

    @field_validator("name", "phone", "email", "opening_hours", "web_form", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not _PHONE.match(value):
            raise ValueError(f"ogiltigt telefonnummer {value!r} (t.ex. 0340-69 100 eller 112)")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"ogiltig e-postadress {value!r}")
        return value

    @field_validator("web_form")
    @classmethod
    def _web_form(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https://\S+", value):
            raise ValueError(f"webbformuläret måste vara en https-adress, inte {value!r}")
        return value

    @field_validator("office_hours", mode="before")
    @classmethod
    def _office_hours(cls, value: Any) -> Any:
        return OfficeHours.from_mapping(value) if isinstance(value, Mapping) else value

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            for item in value:
                if item not in CATEGORIES:
                    allowed = ", ".join(sorted(CATEGORIES))
                    raise ValueError(f"okänd kategori {item!r} (tillåtna: {allowed})")
            if len(set(value)) != len(value):
                raise ValueError("samma kategori står flera gånger")
        return value

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(" ".join(k.split()).lower() for k in value)
        for keyword in cleaned:
            if len(keyword.removeprefix("*")) < 2:
                raise ValueError(f"sökordet {keyword!r} är för kort (minst två tecken)")
        return cleaned

    @model_validator(mode="after")
    def _has_hours(self) -> Contact:
        if self.opening_hours is None and self.office_hours is None:
            raise ValueError('ange opening_hours (t.ex. "mån–fre 8–16.30") eller office_hours')
        return self

    @property
    def hours_text(self) -> str:
        """When the contact answers, in short Swedish ("mån–fre 8–16.30")."""
        if self.opening_hours is not None:
            return self.opening_hours
        assert self.office_hours is not None  # guaranteed by _has_hours
        hours = self.office_hours
        return f"{_days_text(hours.weekdays)} {_clock(hours.start)}–{_clock(hours.end)}"


def _clock(t: time) -> str:
    return f"{t.hour}" if t.minute == 0 else f"{t.hour}.{t.minute:02d}"


def _days_text(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{_DAY_NAMES[ordered[0]]}–{_DAY_NAMES[ordered[-1]]}"
    return ", ".join(_DAY_NAMES[d] for d in ordered)


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    # A stem matches at the start of a word; a leading "*" lets it sit inside a compound too.
    if keyword.startswith("*"):
        return re.compile(re.escape(fold(keyword[1:])))
    return re.compile(r"(?<!\w)" + re.escape(fold(keyword)))


def _first_duplicate(contacts: Sequence[Contact]) -> int | None:
    seen: set[str] = set()
    for index, contact in enumerate(contacts):
        if contact.id in seen:
            return index
        seen.add(contact.id)
    return None


class ContactDirectory:
    """All contacts of one municipality, in file order."""

    def __init__(self, contacts: Iterable[Contact], *, municipality: str = "", version: str = ""):
        self._contacts = tuple(contacts)
        duplicate = _first_duplicate(self._contacts)
        if duplicate is not None:
            raise ValueError(f"contact id {self._contacts[duplicate].id!r} occurs twice")
        self.municipality = municipality
        self.version = version
        self._by_id = {c.id: c for c in self._contacts}
        self._patterns = {
            c.id: tuple(_keyword_pattern(k) for k in c.keywords) for c in self._contacts
        }

    def get(self, contact_id: str) -> Contact | None:
        """The contact with this id."""
        return self._by_id.get(contact_id)

    def all(self) -> tuple[Contact, ...]:
        """Every contact, in file order."""
        return self._contacts

    def suggest(self, categories: Sequence[str], text: str, limit: int = 3) -> list[Contact]:
        """The best-fitting contacts: keyword stems found in text first, then category fit."""
        folded = fold(text)
        wanted = set(categories)
        scored: list[tuple[tuple[int, int, int, int], Contact]] = []
        for index, contact in enumerate(self._contacts):
            hits = sum(1 for p in self._patterns[contact.id] if p.search(folded))
            fit = len(wanted.intersection(contact.categories))
            if hits == 0 and fit == 0:
                continue
            # The first category listed is what the contact is mainly for.
            primary = min(
                (i for i, c in enumerate(contact.categories) if c in wanted),
                default=len(CATEGORIES),
            )
            scored.append(((-hits, -fit, primary, index), contact))
        ranked = [contact for _, contact in sorted(scored, key=lambda pair: pair[0])]
        if "crisis" in wanted:
            # A person in crisis is pointed to crisis help before anything else they mention.
            crisis = next((c for c in ranked if "crisis" in c.categories), None)
            if crisis is not None:
                ranked = [crisis, *(c for c in ranked if c is not crisis)]
        return ranked[: max(limit, 0)]

    def stale(self, today: date) -> list[Contact]:
        """Contacts whose review_by date has passed, the longest overdue first."""
        overdue = [c for c in self._contacts if c.review_by < today]
        return sorted(overdue, key=lambda c: c.review_by)


class _ContactsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    municipality: str
    contacts: tuple[Contact, ...] = Field(min_length=1)


def _line_of(text: str, loc: Sequence[int | str]) -> int | None:
    """Best effort: the line where the failing key of the failing [[contacts]] entry is written."""
    lines = text.splitlines()
    start, stop, keys = 0, len(lines), [p for p in loc if isinstance(p, str)]
    entry = len(loc) >= 2 and loc[0] == "contacts" and isinstance(loc[1], int)
    if entry:
        headers = [n for n, line in enumerate(lines) if _ENTRY.match(line)]
        if int(loc[1]) >= len(headers):
            return None
        start = headers[int(loc[1])]
        stop = headers[int(loc[1]) + 1] if int(loc[1]) + 1 < len(headers) else len(lines)
        keys = [p for p in loc[2:] if isinstance(p, str)]
    if keys:
        key = re.escape(keys[0])
        pattern = re.compile(rf"^\s*(\[\s*contacts\.{key}\s*\]|{key}\s*=)")
        for number in range(start, stop):
            if pattern.match(lines[number]):
                return number + 1
    return start + 1 if entry else None


def error_message(error: Mapping[str, Any]) -> str:
    """A pydantic error in Swedish, for the municipal editors of config files."""
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    if error["type"] == "literal_error":
        allowed = str(error["ctx"]["expected"]).replace(" or ", " eller ")
        return f"ogiltigt värde {error['input']!r} (tillåtna: {allowed})"
    return _MESSAGES.get(error["type"], error["msg"])


def located(path: Path, line: int | None, where: str, message: str) -> str:
    """The "file, rad N: where: message" form every config error takes."""
    at = f", rad {line}" if line else ""
    return f"{path}{at}: {where}: {message}"


def read_toml(path: Path, error: type[ValueError]) -> tuple[str, dict[str, Any]]:
    """The text and data of a TOML config file; `error` names the file and line when it fails."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: kan inte läsas ({exc.strerror})") from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = int(found.group(1)) if found else None
        raise error(located(path, line, "felaktig TOML", _TOML_LINE.sub("", str(exc)))) from exc


def load_contacts(path: Path) -> ContactDirectory:
    """Read and validate a contacts file, raising ContactsError that names file and line."""
    text, data = read_toml(path, ContactsError)
    try:
        parsed = _ContactsFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(filen)"
        line = _line_of(text, tuple(first["loc"]))
        raise ContactsError(located(path, line, where, error_message(first))) from exc
    duplicate = _first_duplicate(parsed.contacts)
    if duplicate is not None:
        line = _line_of(text, ("contacts", duplicate, "id"))
        where = f"contacts.{duplicate}.id"
        message = f"{parsed.contacts[duplicate].id!r} finns redan"
        raise ContactsError(located(path, line, where, message))
    return ContactDirectory(
        parsed.contacts, municipality=parsed.municipality, version=parsed.version
    )
