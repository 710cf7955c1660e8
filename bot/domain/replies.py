"""Reply drafts built from the municipality's building blocks, never repeating a recent reply.

A draft is filled in only from the contact directory and the policy's manager: the resident's
name and comment are never inputs, so they cannot leak into a public reply.
"""

from __future__ import annotations

import hashlib
import math
import re
import string
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.contacts import Contact, error_message, located, read_toml

ReplyKind = Literal["refer", "insist", "crisis"]
KINDS: tuple[ReplyKind, ...] = get_args(ReplyKind)
MAX_REPLY_CHARS = 8000  # Facebook's comment limit
CONTACT_FIELDS = frozenset({"name", "phone", "hours", "email", "web_form"})
MANAGER_FIELDS = frozenset({"manager_name", "manager_contact"})
# A contact may lack these; variants using them are only drafted when the contact has them.
OPTIONAL_FIELDS = frozenset({"email", "web_form"})
_REQUIRED_FIELDS: Mapping[tuple[str, str], frozenset[str]] = {
    ("refer", "referral"): frozenset({"phone"}),
    ("insist", "manager"): MANAGER_FIELDS,
    ("insist", "referral"): frozenset({"phone"}),
    ("crisis", "referral"): frozenset({"phone"}),
}
# The routine: a person in crisis always gets Självmordslinjen and 112, never just "contact us".
_REQUIRED_TEXT: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("crisis", "safety"): ("90101", "112"),
}
_GOLDEN = (math.sqrt(5) - 1) / 2


class RepliesError(ValueError):
    """A reply-template file that cannot be used; the message names the file and line."""


class NoFreshReplyError(LookupError):
    """Every reply the templates can make has been posted within the window."""


def fingerprint(text: str) -> str:
    """SHA-256 of the text lowercased with whitespace collapsed (edited texts included)."""
    normal = " ".join(unicodedata.normalize("NFC", text).lower().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Variant:
    """One interchangeable sentence for one part of a reply."""

    text: str
    fields: frozenset[str]


@dataclass(frozen=True)
class ReplyTemplates:
    """Per kind, the parts of a reply in order, each with its variants."""

    version: str
    parts: Mapping[ReplyKind, tuple[tuple[str, tuple[Variant, ...]], ...]]

    def combinations(self, kind: ReplyKind) -> int:
        """How many replies of this kind the templates can make for a fully described contact."""
        return math.prod(len(variants) for _, variants in self.parts[kind])


@dataclass(frozen=True)
class Draft:
    """A proposed reply, ready for the communicator to review."""

    text: str
    fingerprint: str
    kind: ReplyKind
    contact_id: str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_Variants = tuple[str, ...]


class _Refer(_Strict):
    opening: _Variants = Field(min_length=1)
    confidentiality: _Variants = Field(min_length=1)
    referral: _Variants = Field(min_length=1)
    closing: _Variants = Field(min_length=1)


class _Insist(_Strict):
    opening: _Variants = Field(min_length=1)
    confidentiality: _Variants = Field(min_length=1)
    manager: _Variants = Field(min_length=1)
    referral: _Variants = Field(min_length=1)
    closing: _Variants = Field(min_length=1)


class _Crisis(_Strict):
    opening: _Variants = Field(min_length=1)
    safety: _Variants = Field(min_length=1)
    referral: _Variants = Field(min_length=1)
    closing: _Variants = Field(min_length=1)


class _RepliesFile(_Strict):
    version: str
    refer: _Refer
    insist: _Insist
    crisis: _Crisis


def _find(lines: Sequence[str], pattern: str, start: int, stop: int, default: int) -> int:
    return next((n for n in range(start, stop) if re.search(pattern, lines[n])), default)


def _line_of(text: str, loc: Sequence[int | str], value: str | None = None) -> int | None:
    """Best effort: the line of [kind], of its part key, or of the variant string itself."""
    lines = text.splitlines()
    head = re.escape(str(loc[0])) if loc else ""
    if not loc or loc[0] not in KINDS:
        found = _find(lines, rf"^\s*{head}\s*=", 0, len(lines), -1) if head else -1
        return found + 1 if found >= 0 else None
    start = _find(lines, rf"^\s*\[\s*{head}\s*\]", 0, len(lines), -1)
    if start < 0:
        return None
    stop = _find(lines, r"^\s*\[", start + 1, len(lines), len(lines))
    line = start
    if len(loc) > 1:
        line = _find(lines, rf"^\s*{re.escape(str(loc[1]))}\s*=", start + 1, stop, start)
    if value and line != start:
        # The variant's opening words as written: everything before a character TOML escapes.
        probe = re.split(r'["\\\n]', value, maxsplit=1)[0][:40]
        if probe:
            line = _find(lines, re.escape(probe), line, stop, line)
    return line + 1


def _fields(variant: str) -> frozenset[str]:
    """The placeholder names of a variant; ValueError in Swedish when one is malformed."""
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(variant))
    except ValueError as exc:
        raise ValueError(f"trasig platshållare ({exc}); skriv t.ex. {{phone}}") from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"skriv platshållaren som {{namn}}, inte {{{name}}}")
        names.add(name)
    return frozenset(names)


class _PartError(ValueError):
    def __init__(self, index: int | None, message: str):
        super().__init__(message)
        self.index = index


def _check_part(kind: str, part: str, variants: Sequence[str]) -> tuple[Variant, ...]:
    """Variants of one part, or ValueError (index, Swedish message) for the first bad one."""
    allowed = CONTACT_FIELDS | (MANAGER_FIELDS if kind == "insist" else frozenset())
    required = _REQUIRED_FIELDS.get((kind, part), frozenset())
    seen: dict[str, int] = {}
    checked: list[Variant] = []
    for index, raw in enumerate(variants):
        text = " ".join(raw.split())
        try:
            if not text:
                raise ValueError("varianten är tom")
            fields = _fields(text)
            unknown = sorted(fields - allowed)
            if unknown:
                names = ", ".join(f"{{{n}}}" for n in sorted(allowed))
                raise ValueError(f"okänd platshållare {{{unknown[0]}}} (tillåtna här: {names})")
            missing = sorted(required - fields)
            if missing:
                raise ValueError(f"varje variant av {part} måste innehålla {{{missing[0]}}}")
            for literal in _REQUIRED_TEXT.get((kind, part), ()):
                if literal not in text:
                    raise ValueError(f"varje variant av {part} måste nämna {literal}")
            if fingerprint(text) in seen:
                raise ValueError(f"samma text som variant {seen[fingerprint(text)] + 1}")
        except ValueError as exc:
            raise _PartError(index, str(exc)) from exc
        seen[fingerprint(text)] = index
        checked.append(Variant(text=text, fields=fields))
    if all(v.fields & OPTIONAL_FIELDS for v in checked):
        raise _PartError(None, "minst en variant måste klara sig utan {email} och {web_form}")
    return tuple(checked)


def load_reply_templates(path: Path) -> ReplyTemplates:
    """Read and validate a reply-template file, raising RepliesError that names file and line."""
    text, data = read_toml(path, RepliesError)
    try:
        parsed = _RepliesFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raw = first.get("input")
        line = _line_of(text, loc, raw if isinstance(raw, str) else None)
        where = ".".join(str(p) for p in loc) or "(filen)"
        raise RepliesError(located(path, line, where, error_message(first))) from exc
    parts: dict[ReplyKind, tuple[tuple[str, tuple[Variant, ...]], ...]] = {}
    for kind in KINDS:
        section: BaseModel = getattr(parsed, kind)
        checked: list[tuple[str, tuple[Variant, ...]]] = []
        for part in type(section).model_fields:
            variants: tuple[str, ...] = getattr(section, part)
            try:
                checked.append((part, _check_part(kind, part, variants)))
            except _PartError as exc:
                value = None if exc.index is None else variants[exc.index]
                where = f"{kind}.{part}" + ("" if exc.index is None else f"[{exc.index}]")
                line = _line_of(text, (kind, part), value)
                raise RepliesError(located(path, line, where, str(exc))) from exc
        parts[kind] = tuple(checked)
    return ReplyTemplates(version=parsed.version, parts=parts)


def _values(
    contact: Contact, kind: ReplyKind, manager_name: str | None, manager_contact: str | None
) -> dict[str, str]:
    values = {"name": contact.name, "phone": contact.phone, "hours": contact.hours_text}
    if contact.email:
        values["email"] = contact.email
    if contact.web_form:
        values["web_form"] = contact.web_form
    if kind == "insist":
        if not (manager_name and manager_name.strip()):
            raise ValueError("an insist reply needs manager_name")
        if not (manager_contact and manager_contact.strip()):
            raise ValueError("an insist reply needs manager_contact")
        values["manager_name"] = manager_name.strip()
        values["manager_contact"] = manager_contact.strip()
    return values


def _stride(total: int) -> int:
    """A step coprime to total near its golden section, so consecutive drafts differ widely."""
    stride = max(1, round(total * _GOLDEN))
    while math.gcd(stride, total) != 1:
        stride += 1
    return stride


def _render(parts: Sequence[tuple[str, Variant]], values: Mapping[str, str], phone: str) -> str:
    number = re.compile(rf"(?<!\d){re.escape(phone.replace(' ', ''))}(?!\d)")
    sentences: list[str] = []
    for part, variant in parts:
        # The referral would only repeat a number an earlier part already gave (90101, 112).
        if part == "referral" and number.search(" ".join(sentences).replace(" ", "")):
            continue
        sentences.append(variant.text.format_map(values))
    return " ".join(sentences)


def draft_reply(
    templates: ReplyTemplates,
    *,
    contact: Contact,
    kind: ReplyKind,
    seed: int,
    avoid: Collection[str],
    manager_name: str | None = None,
    manager_contact: str | None = None,
) -> Draft:
    """The first reply from seed on whose fingerprint is not in avoid (this account's recent)."""
    values = _values(contact, kind, manager_name, manager_contact)
    choices = [
        (part, tuple(v for v in variants if v.fields <= values.keys()))
        for part, variants in templates.parts[kind]
    ]
    total = math.prod(len(variants) for _, variants in choices)
    stride = _stride(total)
    for step in range(total):
        index = (seed + step * stride) % total
        picked: list[tuple[str, Variant]] = []
        for part, variants in reversed(choices):
            index, digit = divmod(index, len(variants))
            picked.append((part, variants[digit]))
        text = _render(picked[::-1], values, contact.phone)
        mark = fingerprint(text)
        if len(text) <= MAX_REPLY_CHARS and mark not in avoid:
            return Draft(text=text, fingerprint=mark, kind=kind, contact_id=contact.id)
    raise NoFreshReplyError(
        f"all {total} {kind!r} replies for contact {contact.id!r} have been used recently"
    )
