"""``scnet-bot run`` as a whole (``bot.server.run_server``): both modes serve GET /healthz and
GET /metrics on PORT; only HTTP mode takes Slack's requests on POST /slack/events."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings, load_settings
from bot.server import run_server
from bot.store.keys import generate_key
from tests.fake_slack import FakeSlack
from tests.ports import held_port
from tests.scnet_fixtures import SimulatedScnet


@pytest.fixture
def port() -> Iterator[int]:
    with held_port() as held:
        yield held


def _settings(
    slack: FakeSlack, scnet: SimulatedScnet, tmp_path: Path, *, port: int, **more: object
) -> Settings:
    return load_settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret=slack.signing_secret,
        slack_api_url=slack.api_url,
        scnet_api_url=scnet.base_url,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        encryption_keys=generate_key(),
        port=port,
        _env_file=None,
        **more,
    )


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """Run the server until the block ends; yields its base URL once /healthz answers."""
    task = asyncio.create_task(run_server(settings))
    base = f"http://127.0.0.1:{settings.port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                if task.done():
                    task.result()  # raise what stopped it
                try:
                    async with http.get(f"{base}/healthz") as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("GET /healthz did not answer within 10 s")
        yield base
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        return answer.status, await answer.text()


async def test_socket_mode_serves_slack_on_the_socket_and_health_on_the_port(
    scnet: SimulatedScnet, tmp_path: Path, port: int
) -> None:
    async with FakeSlack() as slack:
        alice = slack.add_user("alice")
        settings = _settings(slack, scnet, tmp_path, port=port, slack_app_token=slack.app_token)
        async with serving(settings) as base:
            await slack.wait_for_socket()
            ack = await slack.socket_send(slack.slash_command(alice.id, "help"))
            assert ack["envelope_id"] == slack.socket_mode.sent[-1]["envelope_id"]
            await slack.wait_for("response_url", count=1)

            status, metrics = await _get(f"{base}/metrics")
            assert status == 200
            assert "scnet_bot_leader 1" in metrics.splitlines()
            assert 'scnet_bot_outbox_notices{status="pending"} 0' in metrics.splitlines()
            async with (
                aiohttp.ClientSession() as http,
                http.post(f"{base}/slack/events", data=b"") as answer,
            ):
                assert answer.status == 404  # Slack's requests come over the socket


async def test_http_mode_takes_signed_requests_and_serves_metrics(
    scnet: SimulatedScnet, tmp_path: Path, port: int
) -> None:
    async with FakeSlack() as slack:
        alice = slack.add_user("alice")
        async with serving(_settings(slack, scnet, tmp_path, port=port)) as base:
            request = slack.slash_command(alice.id, "help")
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    f"{base}/slack/events",
                    data=request.body,
                    headers=request.headers(slack.signing_secret),
                ) as answer,
            ):
                assert answer.status == 200
            await slack.wait_for("response_url", count=1)
            assert slack.count("apps.connections.open") == 0

            status, metrics = await _get(f"{base}/metrics")
            assert status == 200
            assert 'scnet_bot_watches{state="active"} 0' in metrics.splitlines()
            assert any(
                line.startswith('scnet_bot_http_requests_total{route="/slack/events",status="200"}')
                for line in metrics.splitlines()
            )


async def test_the_collector_is_left_as_it_was_found(
    scnet: SimulatedScnet, tmp_path: Path, port: int
) -> None:
    # run_server freezes the heap and raises the young threshold for the process it serves;
    # running it in-process must give the tests their own collector back afterwards.
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    async with FakeSlack() as slack, serving(_settings(slack, scnet, tmp_path, port=port)):
        assert gc.get_threshold() != thresholds
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == frozen
