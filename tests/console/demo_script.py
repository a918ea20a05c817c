"""Run the real demo from a script of console lines and read what it showed."""

from __future__ import annotations

from bot.console.terminal import ScriptTerminal
from bot.demo import run_demo


async def demo(*lines: str) -> str:
    """What the demo shows for ``lines`` typed in turn (then the input ends)."""
    shown: list[str] = []
    await run_demo(terminal=ScriptTerminal(lines, write=shown.append))
    return "\n".join(shown)


def after(text: str, marker: str) -> str:
    assert marker in text
    return text.split(marker, 1)[1]


def number_of(text: str, label: str) -> str:
    """The number of the last button drawn with ``label``: ``[7 Stop]`` -> ``7``."""
    numbers = [part.split(" ", 1)[0] for part in text.split("[")[1:] if f" {label}]" in part]
    assert numbers, f"no [{label}] button drawn"
    return numbers[-1]
