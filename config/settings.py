"""Secrets and endpoints from the environment (and an optional .env file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_POLICY = CONFIG_DIR / "policy.toml"


def normalise_database_url(url: str) -> str:
    """Spell the PostgreSQL driver so Heroku-style URLs work with SQLAlchemy 2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


class Settings(BaseSettings):
    """Everything SoMe-vakten reads from the environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./data/somevakten.db"
    port: int = 8000
    timezone: str = "Europe/Stockholm"
    default_locale: str = "sv"

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_channel: str | None = None

    meta_app_secret: SecretStr | None = None
    meta_verify_token: SecretStr | None = None
    meta_graph_url: str = "https://graph.facebook.com/v26.0"
    # Page (or Instagram) access tokens by account id, as JSON: {"111": "EAAB..."}
    meta_page_tokens: dict[str, SecretStr] = {}

    policy_file: Path = DEFAULT_POLICY
    run_scheduler: bool = True
    max_body_bytes: int = 1_000_000
    outbox_poll_seconds: float = 1.0

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL; without the slash it drops "api".
        return value if value.endswith("/") else value + "/"

    @property
    def slack_enabled(self) -> bool:
        """True when a bot token and signing secret are configured."""
        return self.slack_bot_token is not None and self.slack_signing_secret is not None


def get_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with explicit overrides winning."""
    return Settings(**overrides)
