"""The message catalog: every text in both languages, with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from bot.domain.commands import SUBCOMMANDS
from bot.domain.i18n import CATALOG, LOCALES, UnknownMessage, translate

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


BOT_PACKAGE = Path(__file__).parents[2] / "bot"
# Calls whose first argument is a catalog key, and the records that hold keys as fields.
KEY_FUNCTIONS = {"translate", "words", "words_with", "notice", "build_notice", "usage"}
KEY_RECORDS = {"HelpKeys", "ConfirmKeys", "_FieldKeys", "LoginRejected"}


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def keys_named_in_source() -> dict[str, str]:
    """Every literal the code hands the catalog as a key, with where it stands."""
    found: dict[str, str] = {}
    for path in BOT_PACKAGE.rglob("*.py"):
        if path.name == "i18n.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            keys: list[str] = []
            if isinstance(node, ast.Call):
                name = _name_of(node.func)
                if name in KEY_FUNCTIONS and node.args:
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        keys.append(first.value)
                    elif isinstance(first, ast.IfExp):
                        keys += _strings(first.body) + _strings(first.orelse)
                if name in KEY_RECORDS:
                    keys += [
                        arg.value
                        for arg in node.args
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    ]
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            for target in targets:
                name = _name_of(target)
                if name == "message_key" and isinstance(value, ast.Constant):
                    keys.append(str(value.value))
                elif name is not None and name.endswith("_KEYS") and isinstance(value, ast.Dict):
                    keys += [key for item in value.values for key in _strings(item)]
            for key in keys:
                found.setdefault(key, f"{path.relative_to(BOT_PACKAGE.parent)}:{node.lineno}")  # type: ignore[attr-defined]
    return found


def test_every_key_the_code_names_is_in_the_catalog() -> None:
    named = keys_named_in_source()
    assert len(named) > 250
    missing = {key: where for key, where in named.items() if key not in CATALOG}
    assert missing == {}


def test_every_key_in_the_catalog_is_used_somewhere() -> None:
    literals: set[str] = set()
    for path in BOT_PACKAGE.rglob("*.py"):
        if path.name != "i18n.py":
            literals.update(_strings(ast.parse(path.read_text(encoding="utf-8"))))
    assert sorted(set(CATALOG) - literals) == []


def test_an_unknown_key_is_an_error_not_a_text() -> None:
    with pytest.raises(UnknownMessage):
        translate("notice.no_such_text", "en")


def test_no_key_is_defined_in_two_parts_of_the_catalog() -> None:
    from bot.domain.i18n import CATALOG_PARTS

    assert sum(len(part) for part in CATALOG_PARTS) == len(CATALOG)
