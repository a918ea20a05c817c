"""GET /metrics through prometheus-client: real signed Slack requests to ``scnet-bot run``
(HTTP and Socket Mode), SCNet calls to the simulator, and the metric lines that result."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.identity import SlackUser
from bot.metrics import Metrics
from bot.services.announce import announce_login_needed
from bot.slack.http import ack_kind
from bot.store.database import Database
from tests.fake_slack import FakeSlack
from tests.metrics.serving import TASK, get_metrics, post_command, serving, settings_for
from tests.scnet_fixtures import SimulatedScnet

SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match is not None, line
        labels = frozenset(LABEL.findall(match["labels"] or ""))
        found[(match["name"], labels)] = float(match["value"])
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def label_values(text: str) -> set[str]:
    return {v for _, labels in samples(text) for _, v in labels}


async def test_commands_acks_scnet_calls_and_renewals_are_counted_without_ids(
    scnet: SimulatedScnet, tmp_path: Path, port: int
) -> None:
    token = scnet.sim.issue_token("alice", ttl_seconds=600)  # renewed by the next call
    async with FakeSlack() as slack:
        alice = slack.add_user("alice")
        async with serving(settings_for(slack, scnet, tmp_path, port=port)) as base:
            await post_command(base, slack, alice.id, f"login {token}")
            await slack.wait_for("response_url", count=1)
            await post_command(base, slack, alice.id, "list")
            await slack.wait_for("response_url", count=2)
            scnet.sim.faults.http_error("GET", TASK, 503)
            await post_command(base, slack, alice.id, "list")
            await slack.wait_for("response_url", count=3)
            await post_command(base, slack, alice.id, "frobnicate i-secret-looking")
            await slack.wait_for("response_url", count=4)
            await post_command(base, slack, alice.id, "restart no-such-instance")
            await slack.wait_for("response_url", count=5)
            text = await get_metrics(base)

    def commands(command: str, outcome: str) -> float:
        return value(text, "scnet_bot_commands_total", command=command, outcome=outcome)

    assert commands("login", "ok") == 1
    assert commands("list", "ok") == 1
    assert commands("list", "unavailable") == 1
    assert commands("unknown", "usage_error") == 1
    assert commands("restart", "refused") == 1
    assert value(text, "scnet_bot_ack_seconds_count", kind="command", mode="http") == 5
    assert value(text, "scnet_bot_ack_seconds_bucket", kind="command", mode="http", le="3.0") == 5

    def scnet_calls(method: str, endpoint: str, outcome: str) -> float:
        return value(
            text,
            "scnet_bot_scnet_requests_total",
            method=method,
            endpoint=endpoint,
            outcome=outcome,
        )

    assert scnet_calls("GET", "instance-service/task", "ok") >= 1
    assert scnet_calls("GET", "instance-service/task", "upstream_http_error") == 1
    assert scnet_calls("POST", "tokens/next", "ok") == 1
    latency = "scnet_bot_scnet_request_seconds_count"
    assert value(text, latency, method="GET", endpoint="instance-service/task") >= 2
    assert value(text, "scnet_bot_token_renewals_total", outcome="renewed") == 1
    assert value(text, "scnet_bot_http_requests_total", route="/slack/events", status="200") == 5
    # The figures this endpoint always had keep their names, labels and format.
    lines = text.splitlines()
    assert "scnet_bot_leader 1" in lines
    assert 'scnet_bot_watches{state="active"} 0' in lines
    assert "scnet_bot_outbox_oldest_pending_seconds 0.000" in lines
    assert not any(line.split(" ")[0].endswith("_created") for line in lines)

    # No label carries an id, a token or a URL: only fixed words and route templates.
    for label in label_values(text):
        assert alice.id not in label
        assert slack.team.id not in label
        assert token not in label
        assert "secret" not in label
        assert "no-such" not in label
        assert "://" not in label
        assert "?" not in label


async def test_socket_mode_acks_are_timed_and_a_sent_notice_has_its_delivery_lag(
    scnet: SimulatedScnet, tmp_path: Path, port: int
) -> None:
    async with FakeSlack() as slack:
        alice = slack.add_user("alice")
        settings = settings_for(slack, scnet, tmp_path, port=port, slack_app_token=slack.app_token)
        async with serving(settings) as base:
            await slack.wait_for_socket()
            await slack.socket_send(slack.slash_command(alice.id, "help"))
            await slack.wait_for("response_url", count=1)
            await get_metrics(base)
            db = Database.open(settings.database_url)
            try:
                async with db.transaction() as session:
                    await announce_login_needed(
                        session,
                        SlackUser(slack.team.id, alice.id),
                        episode="metrics-test",
                        paused=0,
                        now=datetime.now(UTC),
                    )
            finally:
                await db.close()
            await slack.wait_for("chat.postMessage", count=1)
            text = ""
            for _ in range(100):  # the "sent" commit follows Slack's answer
                text = await get_metrics(base)
                if value(text, "scnet_bot_delivery_lag_seconds_count"):
                    break
                await asyncio.sleep(0.05)

    assert value(text, "scnet_bot_ack_seconds_count", kind="command", mode="socket") == 1
    assert value(text, "scnet_bot_commands_total", command="help", outcome="ok") == 1
    assert value(text, "scnet_bot_delivery_lag_seconds_count") == 1
    assert value(text, "scnet_bot_delivery_lag_seconds_bucket", le="+Inf") == 1
    assert 0 <= value(text, "scnet_bot_delivery_lag_seconds_sum") < 60


def test_ack_kinds_are_commands_actions_and_views_only() -> None:
    assert ack_kind({"command": "/scnet", "text": "help"}) == "command"
    assert ack_kind({"type": "block_actions"}) == "action"
    assert ack_kind({"type": "view_submission"}) == "view"
    assert ack_kind({"type": "event_callback"}) is None


def test_each_metrics_object_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.observe_command("help", "ok")
    assert 'scnet_bot_commands_total{command="help",outcome="ok"} 1' in first.render()
    assert "scnet_bot_commands_total{" not in second.render()
