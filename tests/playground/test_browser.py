"""The playground in a real browser: a newcomer's first minutes, as a person would click them.

Alice logs in through the modal, creates an instance through the form (a bad RAM value is
refused under its field, then fixed), sees the access link arrive in her DM and not in the
channel (nor in anything Bob sees), stops the instance through the confirm dialog, and opens
App Home. Screenshots are saved in the test's temp folder (logged), and copied to
``$PLAYGROUND_SHOTS`` when set (``docs/playground.png`` is ``3-dm-link.png``).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from bot.playground.page import Playground

log = logging.getLogger(__name__)
SHOTS = ("1-login.png", "2-create-error.png", "3-dm-link.png", "4-stop-confirm.png", "5-home.png")


async def type_command(page: Any, text: str) -> None:
    composer = page.locator("#composer-input")
    await composer.fill(text)
    await composer.press("Enter")


async def test_login_create_link_stop_and_home(
    playground: Playground, browser_page: Any, tmp_path: Path, record_property: Any
) -> None:
    page = browser_page
    world = playground.world
    alice, bob = world.users
    started = time.monotonic()
    await page.goto(playground.url)
    await page.locator("#messages .empty").wait_for()
    loaded = time.monotonic() - started

    # Log in through the modal, pasting the token the sidebar shows.
    await type_command(page, "/scnet login")
    modal = page.locator("#modal-layer .modal")
    await modal.wait_for()
    token = await page.locator("#token").input_value()
    assert token == alice.token
    await modal.locator("[data-block-id='login.token'] [data-type]").fill(token)
    await page.screenshot(path=tmp_path / SHOTS[0])
    await modal.locator("[data-role=submit]").click()
    await modal.wait_for(state="detached")
    await page.locator(".message[data-ephemeral=true]", has_text="alice").first.wait_for()

    # Create through the form: a bad RAM value is refused under its field, then fixed.
    await type_command(page, "/scnet create")
    await modal.wait_for()
    image = modal.locator("[data-block-id='create.image'] select")
    await image.locator("option:not([disabled])").first.wait_for(state="attached")
    first_image = await image.locator("option:not([disabled])").first.get_attribute("value")
    await image.select_option(first_image)
    await modal.locator("[data-block-id='create.name'] input").fill("nb")
    ram = modal.locator("[data-block-id='create.ram'] input")
    await ram.fill("lots")
    await modal.locator("[data-role=submit]").click()
    error = modal.locator("[data-block-id='create.ram'] .b-error")
    await error.wait_for()
    assert await error.inner_text()
    await error.scroll_into_view_if_needed()
    await page.screenshot(path=tmp_path / SHOTS[1])
    await ram.fill("8G")
    await modal.locator("[data-role=submit]").click()
    await modal.wait_for(state="detached")

    # The link arrives in Alice's DM; the channel hears only that it is ready.
    dm = world.slack.dm_channel(alice.slack.id)
    await page.locator(f"#dms [data-pane='{dm}'] .badge").wait_for(timeout=30_000)
    await page.locator(f"#dms [data-pane='{dm}']").click()
    link = page.locator("#messages a[href*='forward']").first
    await link.wait_for(timeout=30_000)
    url = await link.get_attribute("href")
    assert url
    await page.screenshot(path=tmp_path / SHOTS[2])
    secret = re.sub(r"\?.*", "", url).rstrip("/").rsplit("/", 1)[-1]
    for user in (alice, bob):
        for shown in world_messages(playground, user.slack.id, world.channel.id):
            assert secret not in str(shown), "the channel shows part of the access URL"
    for shown in world_messages(playground, bob.slack.id, dm):
        raise AssertionError(f"Bob sees Alice's DM: {shown}")

    # Stop it from its card, through Slack's confirm dialog.
    await page.locator(f"#channels [data-pane='{world.channel.id}']").click()
    await type_command(page, "/scnet status nb")
    stop = page.locator("#messages button[data-action-id='instance.stop']").last
    await stop.wait_for()
    await stop.click()
    dialog = page.locator("#confirm-layer .dialog")
    await dialog.wait_for()
    await page.screenshot(path=tmp_path / SHOTS[3])
    await dialog.locator("[data-role=confirm]").click()
    await page.locator(".message", has_text=re.compile("stop", re.IGNORECASE)).last.wait_for()

    # App Home: the Home tab of the app, published for Alice when she opens it.
    await page.locator("#apps [data-pane='home']").click()
    await page.locator("#home .blocks").wait_for()
    await page.screenshot(path=tmp_path / SHOTS[4])
    log.info("playground page loaded in %.0f ms; screenshots in %s", loaded * 1000, tmp_path)
    record_property("page_load_ms", round(loaded * 1000))
    keep = os.environ.get("PLAYGROUND_SHOTS")  # where to copy them, e.g. to refresh docs/
    for name in SHOTS:
        assert (tmp_path / name).stat().st_size > 10_000
        if keep:
            shutil.copy(tmp_path / name, Path(keep) / name)


def world_messages(playground: Playground, user_id: str, channel_id: str) -> list[Any]:
    return playground.relay.visible_to(user_id, channel_id)
