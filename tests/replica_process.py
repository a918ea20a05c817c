"""A bot replica in a process of its own, read line by line: what the kill and failover tests
start, watch for a line and SIGKILL (``tests/watch/processes.py``, ``tests/queue/test_kill.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).parents[1]


@dataclass
class Replica:
    process: asyncio.subprocess.Process
    wait: float  # seconds a line is waited for, unless told otherwise
    lines: list[str] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, script: Path, config: dict[str, object], *, wait: float) -> Replica:
        """Run ``script`` with ``config`` (as JSON) until it prints STARTED."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-u",
            str(script),
            json.dumps(config),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        replica = cls(process, wait)
        replica._reader = asyncio.create_task(replica._read())
        await replica.wait_for_line("STARTED")
        return replica

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip())
            self._changed.set()

    async def wait_for_line(self, text: str, timeout: float | None = None) -> str:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(self.wait if timeout is None else timeout):
                while True:
                    for line in self.lines:
                        if text in line:
                            return line
                    if self.process.returncode is not None:
                        raise AssertionError(f"replica exited: {self.lines[-20:]}")
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"no {text!r} from the replica: {self.lines[-20:]}") from None

    def has_line(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    async def kill(self) -> None:
        """SIGKILL: no cleanup, no lock, lease or claim released."""
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        if self._reader is not None:
            await self._reader
