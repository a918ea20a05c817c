"""The message catalog: every text in both languages, with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from bot.domain.commands import SUBCOMMANDS
from bot.domain.i18n import CATALOG, LOCALES, translate

COMMANDS_PACKAGE = Path(__file__).parents[2] / "bot" / "domain" / "commands"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_key_has_both_locales_with_the_same_placeholders(key: str) -> None:
    entry = CATALOG[key]
    assert set(entry) == set(LOCALES)
    assert all(entry[locale].strip() for locale in LOCALES)
    assert placeholders(entry["en"]) == placeholders(entry["zh"])


def test_the_languages_really_differ() -> None:
    same = [key for key, entry in CATALOG.items() if entry["en"] == entry["zh"]]
    # Only usage lines and fixed identifiers may be the same in both.
    allowed = {key for key in same if key.endswith(".usage") or "placeholder" in key}
    assert set(same) - allowed == set()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_every_subcommand_has_help(subcommand: str) -> None:
    for part in ("usage", "summary", "details"):
        assert f"help.{subcommand}.{part}" in CATALOG


def test_statuses_have_their_console_names_in_chinese() -> None:
    names = [translate(f"status.{s}", "zh") for s in ("Waiting", "Deploying", "Running")]
    names += [translate(f"status.{s}", "zh") for s in ("Completed", "Failed", "Terminated")]
    assert names == ["等待", "部署", "运行", "完成", "失败", "停止"]


def usage_keys_in_source() -> set[str]:
    keys: set[str] = set()
    for path in COMMANDS_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and value.startswith("usage.") and " " not in value:
                keys.add(value)
    return keys


def test_every_usage_error_the_grammar_raises_has_a_text() -> None:
    keys = usage_keys_in_source()
    assert len(keys) > 30
    assert keys <= set(CATALOG)
