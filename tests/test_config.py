"""A misconfiguration stops the start with one line naming the variable, never its value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import ConfigError, load_settings

SECRETISH = "not-a-key-but-secret-VALUE-123"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "SCNET_", "DATABASE_", "ENCRYPTION_", "WATCH_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("ENCRYPTION_KEYS", SECRETISH, "not a Fernet key"),
        ("PORT", "70000", "less than or equal"),
        ("DATABASE_URL", "mysql://u:p@h/db", "sqlite:// or postgresql://"),
        ("SCNET_API_URL", "api.scnet.cn", "http:// or https://"),
        ("SCNET_AUTH_URL", "https://{host}/ac", "placeholder"),
        ("SLASH_COMMAND", "scnet", "/scnet"),
        ("SCNET_MAX_RPS", "0", "greater than"),
    ],
)
def test_bad_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.variable == variable
    assert fragment in caught.value.problem
    if len(value) > 6:  # short values such as "0" may occur in the problem text itself
        assert value not in str(caught.value)


def test_the_watch_cadence_defaults_and_the_old_names_still_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    defaults = load_settings(_env_file=None)
    assert (defaults.cadence, defaults.watch_running_interval) == (3.0, 45.0)
    assert defaults.watch_reads_per_second == pytest.approx(20.0)  # all of SCNET_MAX_RPS
    assert defaults.deprecations() == []

    monkeypatch.setenv("WATCH_MIN_INTERVAL", "7")
    monkeypatch.setenv("WATCH_MAX_INTERVAL", "30")
    old = load_settings(_env_file=None)
    assert old.cadence == 7.0  # WATCH_MIN_INTERVAL is read as WATCH_CADENCE
    warned = old.deprecations()
    assert [line.split()[0] for line in warned] == ["WATCH_MIN_INTERVAL", "WATCH_MAX_INTERVAL"]
    assert all("7" not in line and "30" not in line for line in warned)  # names, not values

    monkeypatch.setenv("WATCH_CADENCE", "2")
    assert load_settings(_env_file=None).cadence == 2.0  # the new name wins


def test_a_bad_watch_cadence_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCH_CADENCE", "0")
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert caught.value.variable == "WATCH_CADENCE"


def test_good_settings_normalise_and_hide_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("ENCRYPTION_KEYS", f"{first}, {second},")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/scnet")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-fake-" + "1" * 8)
    monkeypatch.setenv("SCNET_API_URL", "https://ai.example.invalid/")
    settings = load_settings()
    assert [k.get_secret_value() for k in settings.encryption_keys] == [first, second]
    assert settings.database_url == "postgresql+asyncpg://u:p@db/scnet"
    assert settings.scnet_api_url == "https://ai.example.invalid"
    assert settings.auth_base_url == "https://ai.example.invalid"
    shown = repr(settings)
    assert first not in shown
    assert "xoxb-fake" not in shown


def test_require_names_the_missing_variable() -> None:
    settings = load_settings()
    with pytest.raises(ConfigError) as caught:
        settings.require("encryption_keys")
    assert caught.value.variable == "ENCRYPTION_KEYS"


def test_cli_prints_one_line_without_traceback_or_value(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENCRYPTION_")}
    env["ENCRYPTION_KEYS"] = SECRETISH
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/x.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "keys", "rotate"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "scnet-bot: configuration error: ENCRYPTION_KEYS: key #1 is not a Fernet key "
        "(32 url-safe base64 bytes); make one with `scnet-bot keys generate`"
    ]
    assert SECRETISH not in result.stderr + result.stdout


def test_bot_admins_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_ADMINS", "U01, U02 ,")
    assert load_settings().bot_admins == ("U01", "U02")
