"""Settings: the environment contract of DESIGN.md, read once by the CLI.

Every secret is a ``SecretStr`` so that a repr, a log line or a validation error never shows
its value. ``load_settings`` turns any validation failure into a ``ConfigError`` whose text
names the variable and what is wrong with it, without the offending value.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_SCNET_API_URL = "https://api.scnet.cn"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./scnet-bot.db"


class ConfigError(Exception):
    """A setting is missing or malformed. The text names the variable, never its value."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        self.problem = problem
        super().__init__(f"{variable}: {problem}")


def is_fernet_key(candidate: str) -> bool:
    try:
        raw = base64.urlsafe_b64decode(candidate.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return len(raw) == 32


def normalise_database_url(url: str) -> str:
    """Pick the async driver for a plain URL, so users may paste what their host gives them."""
    for plain, async_form in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return async_form + url[len(plain) :]
    return url


def _http_base(url: str) -> str:
    cleaned = url.strip().rstrip("/")
    if not cleaned.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    if "{" in cleaned or "}" in cleaned:
        raise ValueError("still holds a documentation placeholder such as {id}")
    return cleaned


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        hide_input_in_errors=True,
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL

    scnet_api_url: str = DEFAULT_SCNET_API_URL
    scnet_auth_url: str | None = None
    scnet_list_variant: Literal["task", "task/list"] = "task"
    scnet_images_variant: Literal["instance-service", "image"] = "instance-service"
    # At these defaults a user who asked hears the final answer within 20 s even when SCNet
    # hangs: a read tries up to three times, all within 18 s (the deadline cuts the last
    # attempt short), a create or an action waits 8 s once.
    scnet_timeout: float = Field(default=8.0, gt=0, le=300)
    scnet_read_attempts: int = Field(default=3, ge=1, le=10)
    scnet_read_deadline: float = Field(default=18.0, gt=0, le=600)
    scnet_max_rps: float = Field(default=20.0, gt=0, le=10_000)

    database_url: str = DEFAULT_DATABASE_URL
    encryption_keys: Annotated[tuple[SecretStr, ...], NoDecode] = ()

    port: int = Field(default=3000, ge=1, le=65535)
    slash_command: str = "/scnet"
    # Slack user ids with admin rights in the bot (quota set, audit, --force) besides the
    # workspace's own admins and owners.
    bot_admins: Annotated[tuple[str, ...], NoDecode] = ()
    # An owner with an instance not yet running has their instance list read this often,
    # seconds; stretched evenly for everyone when the budget cannot cover all owners.
    watch_cadence: float | None = Field(default=None, gt=0, le=3600)
    # The share of SCNET_MAX_RPS the watcher's background reads may use (commands the rest,
    # and they go first whenever both wait).
    watch_budget_share: float = Field(default=1.0, gt=0, le=1)
    # Deprecated: WATCH_MIN_INTERVAL is read as WATCH_CADENCE when that is not set;
    # WATCH_MAX_INTERVAL no longer does anything (there is no per-instance backoff any more).
    watch_min_interval: float | None = Field(default=None, gt=0, le=3600)
    watch_max_interval: float | None = Field(default=None, gt=0, le=86_400)
    # The watcher's SCNet reads in flight at once (each also waits for the request budget).
    watch_concurrency: int = Field(default=20, ge=1, le=500)
    # An owner whose watched instances all run is still read (to see one end) this often.
    watch_running_interval: float = Field(default=45.0, gt=0, le=86_400)
    # One "still queued" notice when an instance has been Waiting this long, seconds.
    watch_queued_notice_after: float = Field(default=600.0, gt=0, le=7 * 86_400)
    # Remind the owner this many minutes before an instance's time limit stops it (0: never).
    autostop_reminder_minutes: int = Field(default=15, ge=0, le=24 * 60)
    # A create waiting on an admin's approval expires (with a DM) after this many hours.
    approval_ttl_hours: float = Field(default=24.0, gt=0, le=30 * 24)
    # A create waiting in the team's queue is dropped (with a DM) after this many hours.
    queue_ttl_hours: float = Field(default=72.0, gt=0, le=90 * 24)
    # A user whose SCNet balance falls below this many CNY gets a DM, once per fall.
    low_balance_cny: Decimal = Field(default=Decimal(100), ge=0, le=10_000_000)
    # Every logged-in user's SCNet balance is read this often, seconds (background reads).
    balance_check_seconds: float = Field(default=600.0, ge=10, le=86_400)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # json: one object per line (the default when stderr is not a terminal); text: for people.
    log_format: Literal["json", "text"] | None = None
    # On SIGTERM, in-flight commands get this long to finish before the process closes up.
    shutdown_grace: float = Field(default=8.0, ge=0, le=300)
    # At start, an unreachable database is retried for this long (seconds) before giving up.
    database_wait: float = Field(default=60.0, ge=0, le=3600)

    @field_validator("slack_api_url")
    @classmethod
    def _slack_base(cls, value: str) -> str:
        return _http_base(value) + "/"

    @field_validator("scnet_api_url")
    @classmethod
    def _scnet_base(cls, value: str) -> str:
        return _http_base(value)

    @field_validator("scnet_auth_url")
    @classmethod
    def _auth_base(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return _http_base(value)

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        url = normalise_database_url(value.strip())
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return url

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _fernet_keys(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for position, key in enumerate(value, start=1):
            if not is_fernet_key(key.get_secret_value()):
                raise ValueError(
                    f"key #{position} is not a Fernet key (32 url-safe base64 bytes); "
                    "make one with `scnet-bot keys generate`"
                )
        return value

    @field_validator("bot_admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("slash_command")
    @classmethod
    def _slash(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith("/") or len(value) < 2 or " " in value:
            raise ValueError("must look like /scnet")
        return value

    @property
    def cadence(self) -> float:
        """WATCH_CADENCE, else the deprecated WATCH_MIN_INTERVAL, else 3 s."""
        if self.watch_cadence is not None:
            return self.watch_cadence
        return self.watch_min_interval if self.watch_min_interval is not None else 3.0

    @property
    def watch_reads_per_second(self) -> float:
        return self.scnet_max_rps * self.watch_budget_share

    def deprecations(self) -> list[str]:
        """One line for each deprecated setting in use (names only, never values)."""
        lines = []
        if self.watch_min_interval is not None:
            lines.append(
                "WATCH_MIN_INTERVAL is deprecated: use WATCH_CADENCE"
                + (" (WATCH_CADENCE is set and wins)" if self.watch_cadence is not None else "")
            )
        if self.watch_max_interval is not None:
            lines.append(
                "WATCH_MAX_INTERVAL is deprecated and ignored: owners are read every "
                "WATCH_CADENCE while an instance is starting, every WATCH_RUNNING_INTERVAL after"
            )
        return lines

    @property
    def auth_base_url(self) -> str:
        """Base of the /ac/openapi and /api/user endpoints; the AI base when none is set."""
        return self.scnet_auth_url or self.scnet_api_url

    def require(self, *names: str) -> None:
        """Fail with the first missing setting among ``names`` (field names, lower case)."""
        for name in names:
            value = getattr(self, name)
            if value is None or value == () or value == "":
                raise ConfigError(name.upper(), "is required for this command")


def _describe(error: ValidationError) -> ConfigError:
    first = error.errors(include_input=False, include_url=False)[0]
    location: Iterable[object] = first.get("loc", ()) or ("settings",)
    variable = "_".join(str(part) for part in location).upper()
    message = str(first.get("msg", "is invalid"))
    message = message.removeprefix("Value error, ")
    return ConfigError(variable, message)


def load_settings(**overrides: object) -> Settings:
    """Read the environment (and .env); raise ``ConfigError`` naming the variable on failure."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise _describe(error) from None
