"""The municipality's policy file: accounts, people, areas and nag intervals."""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain.office_hours import OfficeHours

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and line."""


def parse_duration(value: str) -> timedelta:
    """Parse "90s", "30m", "2h" or "1d" into a timedelta."""
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"ogiltig tidslängd {value!r} (skriv t.ex. 30m, 2h eller 1d)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NagSteps(_Strict):
    """When to remind, and when to escalate, for one severity."""

    first_after: timedelta
    repeat_every: timedelta
    dm_after: timedelta
    manager_after: timedelta
    pause_outside_office_hours: bool = False

    @field_validator("first_after", "repeat_every", "dm_after", "manager_after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _ordered(self) -> NagSteps:
        if self.repeat_every <= timedelta(0):
            raise ValueError("repeat_every måste vara längre än 0")
        if not self.dm_after <= self.manager_after:
            raise ValueError("dm_after måste komma före manager_after")
        return self


class Nagging(_Strict):
    """Nag steps per severity."""

    normal: NagSteps
    acute: NagSteps

    @model_validator(mode="after")
    def _acute_never_pauses(self) -> Nagging:
        if self.acute.pause_outside_office_hours:
            raise ValueError("acute: akuta ärenden pausar aldrig utanför kontorstid")
        return self


class Person(_Strict):
    """A communicator or manager, with their chat identity."""

    id: str
    name: str
    slack_id: str | None = None
    role: Literal["communicator", "manager"] = "communicator"
    phone: str | None = None
    email: str | None = None


class Area(_Strict):
    """An operation (verksamhetsområde), its manager, and words that point criticism to it."""

    id: str
    name: str
    manager: str
    keywords: tuple[str, ...] = ()


class Routes(_Strict):
    """Which contacts in the directory the routine's fixed routes use."""

    social_services_intake: str = "barn-och-familj"
    socialjour: str = "socialjouren"


class Account(_Strict):
    """A Facebook page or Instagram account the municipality runs."""

    id: str
    name: str
    platform: Literal["facebook", "instagram"]
    external_id: str
    area: str
    responsible: str
    channel: str | None = None
    responders: tuple[str, ...] | None = None


class Schedule(_Strict):
    """When the clock's daily and weekly jobs run (Europe/Stockholm), and where reports go."""

    daily_check_at: str = "07:30"
    weekly_report_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_report_at: str = "08:00"
    report_channel: str | None = None

    @field_validator("daily_check_at", "weekly_report_at")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"ogiltig tid {value!r} (skriv t.ex. 07:30)")
        return value


class Policy(_Strict):
    """The whole policy file, cross-checked."""

    version: str
    municipality: str
    nagging: Nagging
    office_hours: OfficeHours = Field(default_factory=OfficeHours)
    routes: Routes = Field(default_factory=Routes)
    schedule: Schedule = Field(default_factory=Schedule)
    contacts_file: str = "contacts.toml"
    replies_file: str = "replies.toml"
    people: tuple[Person, ...] = Field(default=())
    areas: tuple[Area, ...] = Field(default=())
    accounts: tuple[Account, ...] = Field(default=())

    @field_validator("office_hours", mode="before")
    @classmethod
    def _office_hours(cls, value: Any) -> Any:
        return OfficeHours.from_mapping(value) if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _references(self) -> Policy:
        people = {p.id for p in self.people}
        areas = {a.id for a in self.areas}
        for area in self.areas:
            if area.manager not in people:
                raise ValueError(f"område {area.id!r}: chefen {area.manager!r} finns inte i people")
        for account in self.accounts:
            if account.area not in areas:
                raise ValueError(f"konto {account.id!r}: området {account.area!r} finns inte")
            for who in (account.responsible, *(account.responders or ())):
                if who not in people:
                    raise ValueError(f"konto {account.id!r}: personen {who!r} finns inte i people")
        return self

    def person(self, person_id: str) -> Person | None:
        """The person with this policy id."""
        return next((p for p in self.people if p.id == person_id), None)

    def person_by_slack_id(self, slack_id: str) -> Person | None:
        """The person with this Slack user id."""
        return next((p for p in self.people if p.slack_id == slack_id), None)

    def account_for(self, platform: str, external_id: str) -> Account | None:
        """The account a webhook entry belongs to."""
        return next(
            (a for a in self.accounts if a.platform == platform and a.external_id == external_id),
            None,
        )

    def account(self, account_id: str) -> Account | None:
        """The account with this policy id."""
        return next((a for a in self.accounts if a.id == account_id), None)

    def manager_of(self, account: Account) -> Person | None:
        """The manager responsible for the account's operation."""
        area = next((a for a in self.areas if a.id == account.area), None)
        return self.person(area.manager) if area else None

    def area_for_text(self, text: str, account: Account | None) -> Area | None:
        """The area a criticism is about: the first whose keywords appear, else the account's."""
        lowered = text.lower()
        for area in self.areas:
            if any(keyword.lower() in lowered for keyword in area.keywords):
                return area
        return next((a for a in self.areas if account and a.id == account.area), None)


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """Best effort: the line where the failing key (or array entry) is written."""
    lines = text.splitlines()
    keys = [str(part) for part in loc if isinstance(part, str)]
    for key in reversed(keys):
        pattern = re.compile(rf"^\s*(\[\[?\s*)?([\w.]*\.)?{re.escape(key)}\s*(=|\]|\.)")
        for number, line in enumerate(lines, start=1):
            if pattern.match(line):
                return number
    return None


def sibling_file(policy_path: Path, name: str) -> Path:
    """A file the policy names, relative to the policy file's folder."""
    candidate = Path(name)
    return candidate if candidate.is_absolute() else policy_path.parent / candidate


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file, raising PolicyError that names file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: kan inte läsas ({exc.strerror})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: {exc}") from exc
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(filen)"
        line = _line_of(text, tuple(first["loc"]))
        at = f", rad {line}" if line else ""
        raise PolicyError(f"{path}{at}: {where}: {first['msg']}") from exc
