"""``scnet-bot run`` as a whole (``bot.server.run_server``): both modes serve GET /healthz and
GET /metrics on PORT; only HTTP mode takes Slack's requests on POST /slack/events."""

from __future__ import annotations

import gc
from pathlib import Path

import aiohttp

from tests.fake_slack import FakeSlack
from tests.scnet_fixtures import SimulatedScnet
from tests.serving import serving, settings_for


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        return answer.status, await answer.text()


async def test_socket_mode_serves_slack_on_the_socket_and_health_on_the_port(
    scnet: SimulatedScnet, tmp_path: Path, port: int
) -> None:
    async with FakeSlack() as slack:
        alice = slack.add_user("alice")
        settings = settings_for(slack, scnet, tmp_path, port=port, slack_app_token=slack.app_token)
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
        async with serving(settings_for(slack, scnet, tmp_path, port=port)) as base:
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
    async with FakeSlack() as slack, serving(settings_for(slack, scnet, tmp_path, port=port)):
        assert gc.get_threshold() != thresholds
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == frozen
