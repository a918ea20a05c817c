"""The playground on loopback, and a headless Chromium to look at it.

The browser is Debian's ``chromium`` (``scripts/install-chromium``; CI runs it), driven by
Playwright through ``executable_path``: Playwright's own browser download is never used.
Without Chromium or Playwright the browser tests are skipped, saying which is missing and how
to get it; ``REQUIRE_BROWSER=1`` (set by ``.ci/run``) turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.playground.page import Playground, serve_playground
from bot.playground.world import WorldOptions
from bot.scnet.simulator import Delays

# Instances start within a second and are watched closely, so a flow takes seconds.
FAST = WorldOptions(delays=Delays(waiting=0.5, deploying=0.5), cadence=0.5)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    given = os.environ.get("CHROMIUM")
    if given:
        return given
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
async def playground() -> AsyncIterator[Playground]:
    async with serve_playground(options=FAST) as served:
        yield served


@pytest.fixture
async def browser_page(tmp_path: Path) -> AsyncIterator[Any]:
    """A Playwright page in headless Chromium, 1280x800; screenshots go to ``tmp_path``."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install -e '.[dev]')")
    executable = chromium_path()
    if executable is None:
        _missing("no Chromium on the PATH: run scripts/install-chromium (as root, apt-get)")
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 800})
            page = await context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            await browser.close()
