"""Upkeep: settled notices and old event keys are pruned; /metrics shows the watcher's state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import aiohttp
import pytest
from aiohttp import web

from bot.domain.identity import NoticeTarget
from bot.domain.instances import InstanceSpec, Resources
from bot.services.upkeep import Upkeep
from bot.store import deliveries, instances, outbox, watches
from bot.store.database import Database, Session
from bot.web import Watcher, build_web_app
from tests.store.fakes import ALICE, NOW

SPEC = InstanceSpec(
    name="train",
    task_type="jupyter",
    accelerator="gpu",
    resource_group="kshdtest",
    version="pytorch:2.1.0-py3.10",
    image_path="registry.example.invalid/pytorch:2.1.0",
    resources=Resources(cpus=8, gpus=1, ram_mb=16_384),
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def _notice(session: Session, key: str, *, at: datetime) -> int:
    await outbox.enqueue(
        session,
        key,
        team_id=ALICE.team_id,
        target=NoticeTarget.dm(ALICE.user_id),
        kind="instance.ready",
        payload={"owner": ALICE.user_id},
        now=at,
    )
    notice = await outbox.get_notice(session, key)
    assert notice is not None
    return notice.id


async def _status(database: Database, key: str) -> str | None:
    async with database.transaction() as session:
        notice = await outbox.get_notice(session, key)
    return None if notice is None else notice.status


async def test_prune_drops_settled_notices_after_their_time_and_never_a_pending_one(
    database: Database,
) -> None:
    clock = Clock()
    async with database.transaction() as session:
        old_sent = await _notice(session, "a:ready:1", at=NOW)
        await outbox.mark_sent(session, old_sent, now=NOW)
        old_dead = await _notice(session, "b:ready:1", at=NOW)
        await outbox.mark_dead(session, old_dead, error="channel_not_found", now=NOW)
        await _notice(session, "c:ready:1", at=NOW)  # still pending, however old
        recent_sent = await _notice(session, "d:ready:1", at=NOW + timedelta(days=6))
        await outbox.mark_sent(session, recent_sent, now=NOW + timedelta(days=6))
        await deliveries.claim_delivery(session, "event:Ev1", now=NOW)

    clock.now = NOW + timedelta(days=8)
    pruned = await Upkeep(db=database, now=clock).prune()

    assert (pruned.notices, pruned.event_keys) == (1, 1)
    assert await _status(database, "a:ready:1") is None
    assert await _status(database, "b:ready:1") == "dead"  # kept 30 days for operators
    assert await _status(database, "c:ready:1") == "pending"
    assert await _status(database, "d:ready:1") == "sent"

    clock.now = NOW + timedelta(days=31)
    assert (await Upkeep(db=database, now=clock).prune()).notices == 2  # b and d
    assert await _status(database, "c:ready:1") == "pending"


@pytest.fixture
async def metrics_url(database: Database) -> AsyncIterator[str]:
    clock = Clock()
    clock.now = NOW + timedelta(minutes=3)
    watcher = Watcher(figures=Upkeep(db=database, now=clock).figures, is_leader=lambda: True)

    async def no_slack(_: web.Request) -> web.Response:
        return web.Response(status=404)

    runner = web.AppRunner(build_web_app(no_slack, watcher=watcher))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/metrics"
    finally:
        await runner.cleanup()


async def test_metrics_show_watches_and_an_undelivered_notice_growing_old(
    database: Database, metrics_url: str
) -> None:
    async with database.transaction() as session:
        for instance_id in ("i-1", "i-2"):
            await instances.track_created(
                session, instance_id, spec=SPEC, owner=ALICE, origin=None, now=NOW
            )
            await watches.start_watch(
                session, instance_id, first_poll_at=NOW, interval_seconds=10, now=NOW
            )
        await watches.pause(session, "i-2", reason="needs_login", now=NOW)
        await _notice(session, "i-1:ready:1", at=NOW)
        sent = await _notice(session, "i-0:ready:1", at=NOW)
        await outbox.mark_sent(session, sent, now=NOW)

    async with aiohttp.ClientSession() as http, http.get(metrics_url) as answer:
        assert answer.status == 200
        lines = set((await answer.text()).splitlines())

    assert {
        "scnet_bot_leader 1",
        'scnet_bot_watches{state="active"} 1',
        'scnet_bot_watches{state="paused"} 1',
        'scnet_bot_outbox_notices{status="pending"} 1',
        'scnet_bot_outbox_notices{status="sent"} 1',
        'scnet_bot_outbox_notices{status="dead"} 0',
        "scnet_bot_outbox_oldest_pending_seconds 180.000",
    } <= lines
