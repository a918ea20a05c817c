"""The arrows of DESIGN.md's layer map, checked on the imports the code writes."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BOT = Path(__file__).parents[2] / "bot"


def imports_of(package: str) -> dict[str, set[str]]:
    """Each module of ``bot/<package>`` and the absolute modules it imports."""
    found: dict[str, set[str]] = {}
    for path in (BOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(BOT.parent))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", ("bot.scnet", "bot.store", "bot.services", "bot.slack", "sqlalchemy")),
        ("slack", ("bot.store", "sqlalchemy")),
        ("scnet", ("bot.store", "bot.services", "bot.slack")),
        ("store", ("bot.services", "bot.slack", "bot.scnet")),
    ],
)
def test_no_import_runs_against_the_arrows(package: str, forbidden: tuple[str, ...]) -> None:
    wrong = {
        module: sorted(name for name in names if name.startswith(forbidden))
        for module, names in imports_of(package).items()
    }
    assert {module: names for module, names in wrong.items() if names} == {}


def test_importing_the_slack_layer_loads_no_database_code() -> None:
    """The Slack layer gets its use cases injected: importing it (as the playground's page or a
    Block Kit check would) must not pull in SQLAlchemy or the store."""
    probe = (
        "import sys, pkgutil, importlib, bot.slack\n"
        "for info in pkgutil.walk_packages(bot.slack.__path__, 'bot.slack.'):\n"
        "    importlib.import_module(info.name)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'bot.store')))\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed probe
        [sys.executable, "-c", probe],
        cwd=BOT.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == ""
