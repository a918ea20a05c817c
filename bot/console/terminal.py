"""Where the console reads its lines and writes its text: a terminal, a pipe or a script.

``Terminal.ask`` returns the next line, or None when the input ends: Ctrl-D, Ctrl-C at the
prompt, the end of a pipe or script. ``Terminal.write`` may be called at any time, also while
``ask`` waits (a notice arriving): the prompt is drawn again below the text, so the screen
never looks hung.

- ``PromptTerminal`` (stdin is a terminal): prompt_toolkit, with line editing, the history of
  earlier lines (Up/Down), hidden input for secrets, and the prompt redrawn after a notice.
- ``StreamTerminal`` (stdin is a pipe): plain lines, read by a daemon thread so that a pending
  read never keeps the process from exiting.
- ``ScriptTerminal``: the lines of a file, echoed after the prompt as if typed.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Protocol, TextIO


class Terminal(Protocol):
    async def ask(self, prompt: str, *, secret: bool = False, remember: bool = True) -> str | None:
        """The next line (without its newline), or None at the end of the input. ``secret``:
        not echoed; ``remember``: kept in the history (form fields are not)."""
        ...

    def write(self, text: str) -> None: ...

    def session(self) -> AbstractContextManager[object]:
        """Held while the console runs (prompt_toolkit takes over stdout for redrawing)."""
        ...


class PromptTerminal:
    """An interactive terminal through prompt_toolkit."""

    def __init__(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory

        self._commands: PromptSession[str] = PromptSession(history=InMemoryHistory())
        # Form answers (tokens and keys among them) stay out of the history.
        self._fields: PromptSession[str] = PromptSession()

    async def ask(self, prompt: str, *, secret: bool = False, remember: bool = True) -> str | None:
        session = self._commands if remember and not secret else self._fields
        try:
            return await session.prompt_async(prompt, is_password=secret)
        except (EOFError, KeyboardInterrupt):
            return None

    def write(self, text: str) -> None:
        # Under patch_stdout (see ``session``) a print goes above the prompt, which is redrawn.
        print(text, flush=True)

    def session(self) -> AbstractContextManager[object]:
        from prompt_toolkit.patch_stdout import patch_stdout

        return patch_stdout(raw=True)


class StreamTerminal:
    """Lines from a stream that is not a terminal (a pipe); the prompt is plain text."""

    def __init__(self, stream: TextIO = sys.stdin, *, out: TextIO | None = None) -> None:
        self._stream = stream
        self._out = out
        self._lines: asyncio.Queue[str | None] | None = None
        self._prompt: str | None = None  # shown and waiting for its line

    def _start(self) -> asyncio.Queue[str | None]:
        if self._lines is None:
            loop = asyncio.get_running_loop()
            lines: asyncio.Queue[str | None] = asyncio.Queue()

            def read() -> None:  # a daemon thread: the process may exit while it waits
                try:
                    for line in iter(self._stream.readline, ""):
                        loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\r\n"))
                    loop.call_soon_threadsafe(lines.put_nowait, None)
                except RuntimeError:
                    return  # the console ended (its loop closed) while this waited for a line

            threading.Thread(target=read, name="console-input", daemon=True).start()
            self._lines = lines
        return self._lines

    def _print(self, text: str, *, end: str = "\n") -> None:
        print(text, end=end, flush=True, file=self._out or sys.stdout)

    async def ask(self, prompt: str, *, secret: bool = False, remember: bool = True) -> str | None:
        lines = self._start()
        self._print(prompt, end="")
        self._prompt = prompt
        try:
            line = await lines.get()
        finally:
            self._prompt = None
        if line is None:
            lines.put_nowait(None)  # every later ask ends too
        return line

    def write(self, text: str) -> None:
        if self._prompt is None:
            self._print(text)
            return
        self._print("\n" + text)
        self._print(self._prompt, end="")

    def session(self) -> AbstractContextManager[object]:
        return nullcontext()


class ScriptTerminal:
    """Console lines from a script; each is shown after its prompt, as if typed. Lines starting
    with ``#`` are comments; an empty line answers a form field with its default."""

    def __init__(self, lines: Iterable[str], *, write: Callable[[str], None] = print) -> None:
        self._lines: Iterator[str] = iter(lines)
        self._write = write

    @classmethod
    def from_file(cls, path: str) -> ScriptTerminal:
        return cls(Path(path).read_text(encoding="utf-8").splitlines())

    async def ask(self, prompt: str, *, secret: bool = False, remember: bool = True) -> str | None:
        for line in self._lines:
            if line.lstrip().startswith("#"):
                continue
            shown = "•" * len(line.strip()) if secret else line.rstrip()
            self._write(prompt + shown)
            return line.rstrip("\r\n")
        return None

    def write(self, text: str) -> None:
        self._write(text)

    def session(self) -> AbstractContextManager[object]:
        return nullcontext()


def open_terminal(script: str | None = None) -> Terminal:
    """The terminal for ``--script``, else for stdin: interactive if it is a terminal."""
    if script:
        return ScriptTerminal.from_file(script)
    if sys.stdin.isatty() and sys.stdout.isatty():
        return PromptTerminal()
    return StreamTerminal()
