"""``scnet-bot run`` as a real child process, for tests that need signals, exit codes and the
very bytes it writes to stderr (not what an in-process handler would capture)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.fake_slack import FakeSlack, SlackRequest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bot_environment(slack: FakeSlack, *, scnet_url: str, **more: str) -> dict[str, str]:
    """The environment of a bot serving ``slack`` and ``scnet_url``: nothing inherited but
    what Python needs, so no developer's .env or variable leaks in."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {
        **keep,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SCNET_API_URL": scnet_url,
        "PORT": str(free_port()),
        **more,
    }


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    port: int
    lines: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    async def start(cls, env: Mapping[str, str], *, cwd: str) -> BotProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=dict(env),
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        bot = cls(process=process, port=int(env["PORT"]))
        bot._reader = asyncio.create_task(bot._read())
        return bot

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    async def wait_healthy(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise AssertionError(f"the bot exited: {self.output()}")
                try:
                    async with http.get(f"{self.base}/healthz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"/healthz did not answer within {timeout} s: {self.output()}")

    async def post(self, request: SlackRequest, secret: str) -> int:
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{self.base}/slack/events", data=request.body, headers=request.headers(secret)
            ) as answer,
        ):
            return answer.status

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as http, http.get(f"{self.base}{path}") as answer:
            return answer.status, await answer.text()

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    async def wait(self, timeout: float = 15.0) -> int:  # noqa: ASYNC109
        code = await asyncio.wait_for(self.process.wait(), timeout)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)
        return code

    async def stop(self) -> None:
        """Make sure the child is gone (a failed test must not leave it running)."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def records(self) -> list[dict[str, Any]]:
        """Every line as the JSON object it must be (a line that is not one fails here)."""
        parsed = []
        for line in self.lines:
            try:
                parsed.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
        return parsed

    def output(self) -> str:
        return "\n".join(self.lines[-40:])
