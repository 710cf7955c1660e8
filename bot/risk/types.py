"""The contract between the risk engine and the rest of SoMe-vakten."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """Risk categories; the codes are a public contract (CLI, database, policy files)."""

    INDIVIDUAL_CASE = "individual_case"
    CRIME = "crime"
    CHILD_AT_RISK = "child_at_risk"
    CRISIS = "crisis"
    PERSONAL_DATA = "personal_data"
    PROHIBITED = "prohibited"
    SERIOUS_CRITICISM = "serious_criticism"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One span of the original text that made the engine flag a category."""

    category: Category
    start: int
    end: int
    text: str
    rule: str
    acute: bool = False


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the engine concluded about one text."""

    categories: tuple[Category, ...]
    acute: bool
    evidence: tuple[Evidence, ...] = ()
    ruleset_version: str = ""
    advice: tuple[str, ...] = field(default=())

    @property
    def is_risky(self) -> bool:
        """True when at least one category was found."""
        return bool(self.categories)
