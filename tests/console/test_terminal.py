"""``scnet-bot demo`` at a real terminal (a pseudo-terminal): Ctrl-C and Ctrl-D leave cleanly
within 2 s with exit status 0 and nothing left running; Up recalls the previous line."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
EXIT_WITHIN = 2.0


class Demo:
    def __init__(self) -> None:
        master, child_end = pty.openpty()
        env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "demo"],
            stdin=child_end,
            stdout=child_end,
            stderr=child_end,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        os.close(child_end)
        self.master = master
        self.seen = b""

    def text(self) -> str:
        return ESCAPES.sub(b"", self.seen).decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text()[self._mark :]:
            if time.monotonic() > deadline:
                pytest.fail(f"{needle!r} never shown; the screen: {self.text()[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    break
        self._mark = self.text().index(needle, self._mark) + len(needle)

    _mark = 0

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def exit_time(self, keys: bytes) -> tuple[float, int]:
        self.type(keys)
        began = time.monotonic()
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("the demo did not exit within 10 s")
        return time.monotonic() - began, code

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


@pytest.fixture
def demo() -> Iterator[Demo]:
    running = Demo()
    try:
        running.wait_for("scnet>")
        yield running
    finally:
        running.close()


def nothing_left(process: subprocess.Popen[bytes]) -> bool:
    try:
        os.killpg(process.pid, 0)  # its session: any child it started would still be in it
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize(("key", "name"), [(b"\x03", "Ctrl-C"), (b"\x04", "Ctrl-D")])
def test_ctrl_c_and_ctrl_d_at_the_prompt_leave_cleanly_and_quickly(
    demo: Demo, key: bytes, name: str
) -> None:
    took, code = demo.exit_time(key)
    assert code == 0, f"{name}: exit status {code}"
    assert took < EXIT_WITHIN, f"{name}: {took:.2f} s"
    assert nothing_left(demo.process)
    assert "Traceback" not in demo.text()


def test_ctrl_c_while_a_command_runs_leaves_too(demo: Demo) -> None:
    demo.type(b"create jupyter:4.4-py3.7-cpu name=nb\r")
    took, code = demo.exit_time(b"\x03")
    assert (code, took < EXIT_WITHIN) == (0, True)
    assert "Traceback" not in demo.text()


def test_up_recalls_the_previous_line_and_a_notice_redraws_the_prompt(demo: Demo) -> None:
    demo.type(b"create jupyter:4.4-py3.7-cpu name=nb\r")
    demo.wait_for("Creating nb")
    demo.type(b"images\r")
    demo.wait_for("Images (8)")
    demo.type(b"\x1b[A\r")  # Up: the images line again
    demo.wait_for("Images (8)")
    demo.wait_for("is running", timeout=30)  # the watcher's notice, while the prompt waits
    demo.wait_for("scnet>", timeout=5)  # ... and the prompt is drawn again below it
    took, code = demo.exit_time(b"\x04")
    assert (code, took < EXIT_WITHIN) == (0, True)


def test_the_demo_serves_the_playground_and_prints_its_address(demo: Demo) -> None:
    found = re.search(r"open (http://127\.0\.0\.1:\d+/) in your browser", demo.text())
    assert found, demo.text()[-2000:]
    with urllib.request.urlopen(found.group(1), timeout=5) as page:  # noqa: S310 (loopback)
        assert page.status == 200
        assert "<html" in page.read().decode("utf-8").lower()
    took, code = demo.exit_time(b"\x04")
    assert (code, took < EXIT_WITHIN) == (0, True)
    assert nothing_left(demo.process)
