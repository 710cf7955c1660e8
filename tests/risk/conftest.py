"""Fixtures for the risk engine tests: one engine per session, built from config/risk."""

from __future__ import annotations

import pytest

from bot.risk import RiskEngine, load_engine

OWN_NUMBERS = ("0340-88 000",)


@pytest.fixture(scope="session")
def engine() -> RiskEngine:
    """The default rules with the municipality's own switchboard number allowlisted."""
    return load_engine(own_numbers=OWN_NUMBERS)
