"""``scnet-bot run`` as a real process: its JSON log lines carry request ids and no secret,
and SIGTERM drains it (readiness first, the command in flight answered, exit 0)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.scnet.simulator import Delays, ScnetSimulator
from bot.store.keys import generate_key
from tests.deploy.bot_process import BotProcess, bot_environment
from tests.fake_slack import FakeSlack

REPO = Path(__file__).resolve().parents[2]
AI = "/ai/openapi/v2/instance-service"
IMAGE = "jupyter:4.4-py3.7-cpu"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@dataclass
class LiveScnet:
    sim: ScnetSimulator
    base_url: str


@pytest.fixture
async def scnet() -> AsyncIterator[LiveScnet]:
    """The simulator on the wall clock, as the bot in its own process reads token expiries
    by it; instances stay Waiting until a test moves them."""
    sim = ScnetSimulator(delays=Delays(waiting=3600, deploying=3600))
    sim.add_user("alice")
    base = await sim.start()
    try:
        yield LiveScnet(sim, base)
    finally:
        await sim.stop()


def _env(slack: FakeSlack, scnet: LiveScnet, tmp_path: Path, **more: str) -> dict[str, str]:
    return bot_environment(
        slack,
        scnet_url=scnet.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        ENCRYPTION_KEYS=generate_key(),
        PYTHONPATH=str(REPO),  # this tree's bot, whatever is installed
        **more,
    )


async def _log_in(bot: BotProcess, slack: FakeSlack, user_id: str, token: str) -> None:
    """The way a user does: ``/scnet login``, then the token pasted into the modal."""
    assert await bot.post(slack.slash_command(user_id, "login"), slack.signing_secret) == 200
    await slack.wait_for("views.open")
    (modal,) = slack.open_modals(user_id)
    submission = slack.view_submission(user_id, modal["id"], {"value": token})
    assert await bot.post(submission, slack.signing_secret) == 200
    await slack.wait_for("chat.postEphemeral")


async def _command(bot: BotProcess, slack: FakeSlack, user_id: str, text: str) -> str:
    before = len(slack.response_posts())
    assert await bot.post(slack.slash_command(user_id, text), slack.signing_secret) == 200
    await slack.wait_for("response_url", count=before + 1)
    return slack.messages_to(user_id)[-1].all_text()


async def test_a_whole_scenario_logs_json_lines_with_request_ids_and_no_secret(
    slack: FakeSlack, scnet: LiveScnet, tmp_path: Path
) -> None:
    alice = slack.add_user("alice")
    token = scnet.sim.issue_token("alice")
    # DEBUG: the libraries narrate requests, bodies and headers; all of it must come out clean.
    env = _env(slack, scnet, tmp_path, LOG_LEVEL="DEBUG")
    bot = await BotProcess.start(env, cwd=str(tmp_path))
    try:
        await bot.wait_healthy()
        await _log_in(bot, slack, alice.id, token)
        assert "nb" in await _command(bot, slack, alice.id, f"create {IMAGE} name=nb")
        (instance,) = scnet.sim.instances.values()
        scnet.sim.set_status(instance.id, "Running")
        link = await _command(bot, slack, alice.id, "url nb")
        assert instance.access_hex in link  # the owner does get the link
        (url_token,) = re.findall(r"sothisai_[0-9A-Za-z]+", link)
        # A request signed with the wrong secret: Bolt logs its whole body, link included.
        press = slack.slash_command(alice.id, f"url {link}")
        assert await bot.post(press, "a-rotated-signing-secret") == 401
        bot.terminate()
        assert await bot.wait() == 0
    finally:
        await bot.stop()

    records = bot.records()
    assert len(records) > 20
    for record in records:
        assert {"time", "level", "logger", "event"} <= record.keys(), record
    logged = "\n".join(bot.lines)
    assert "Invalid request signature" in logged  # the failed check is there, and readable
    _header, payload, signature = token.split(".")
    secrets = {
        "SCNet token payload": payload,
        "SCNet token signature": signature,
        "Slack bot token": slack.bot_token,
        "Slack signing secret": slack.signing_secret,
        "access URL path key": instance.access_hex,
        "access URL token": url_token,
        "Fernet key": env["ENCRYPTION_KEYS"],
    }
    leaked = {name for name, value in secrets.items() if value in logged}
    assert not leaked

    # One id per request, on the lines of everything it caused: Bolt's dispatch, the bot's
    # SCNet call and the Web API call that answers.
    by_id: dict[str, set[str]] = {}
    for record in records:
        if "request_id" in record:
            by_id.setdefault(record["request_id"], set()).add(record["logger"])
    assert len(by_id) >= 4  # login, its submission, create, url (and the refused one)
    assert any(
        any(name.startswith("slack_bolt") for name in loggers)
        and any(name.startswith(("slack_sdk", "bot.")) for name in loggers)
        for loggers in by_id.values()
    ), by_id
    # The scheduler's lines are nobody's request.
    assert not any("request_id" in r for r in records if r["logger"].startswith("apscheduler"))


async def test_sigterm_drains_and_the_create_in_flight_is_answered_and_watched(
    slack: FakeSlack, scnet: LiveScnet, tmp_path: Path
) -> None:
    alice = slack.add_user("alice")
    env = _env(slack, scnet, tmp_path, LOG_FORMAT="text")
    bot = await BotProcess.start(env, cwd=str(tmp_path))
    try:
        await bot.wait_healthy()
        await _log_in(bot, slack, alice.id, scnet.sim.issue_token("alice"))
        # SCNet takes the create, then answers only 3 s later: SIGTERM comes in between.
        scnet.sim.faults.hang("POST", f"{AI}/task", seconds=3.0, after_handler=True)
        before = len(slack.response_posts())
        create = slack.slash_command(alice.id, f"create {IMAGE} name=late")
        assert await bot.post(create, slack.signing_secret) == 200
        for _ in range(100):
            if scnet.sim.instances:
                break
            await asyncio.sleep(0.05)
        (instance,) = scnet.sim.instances.values()  # the POST reached SCNet
        bot.terminate()
        signalled = time.monotonic()

        for _ in range(40):  # readiness fails first, while the create still waits
            status, _ = await bot.get("/healthz")
            if status == 503:
                break
            await asyncio.sleep(0.05)
        assert status == 503
        refused = slack.slash_command(alice.id, "list")
        assert await bot.post(refused, slack.signing_secret) == 503

        assert await bot.wait() == 0
        took = time.monotonic() - signalled
    finally:
        await bot.stop()
    assert took < 10.0
    await slack.wait_for("response_url", count=before + 1)
    assert instance.id in slack.messages_to(alice.id)[-1].all_text()
    with sqlite3.connect(tmp_path / "bot.db") as db:
        watched = db.execute("SELECT instance_id FROM watches").fetchall()
    assert watched == [(instance.id,)]
    assert any("shutting down" in line for line in bot.lines), bot.output()
