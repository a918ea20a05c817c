"""/metrics shows the watcher's owners, its effective cadence and its share of the budget."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from sqlalchemy import event

from bot.services.upkeep import Upkeep
from bot.store import instances
from bot.web import Watcher, build_web_app
from tests.watch.conftest import POLICY, WatchEnv


async def metrics_lines(env: WatchEnv) -> set[str]:
    watcher = Watcher(
        figures=Upkeep(db=env.db, now=env.now).figures,
        is_leader=lambda: True,
        turns=env.watcher.figures,
    )
    runner = web.AppRunner(build_web_app(None, watcher=watcher))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        async with aiohttp.ClientSession() as http, http.get(url) as answer:
            return set((await answer.text()).splitlines())
    finally:
        await runner.cleanup()


async def test_metrics_show_waiting_owners_and_the_cadence_they_get(env: WatchEnv) -> None:
    instance_id = await env.create("queued")
    env.scnet.sim.set_instance_delays(instance_id, waiting=3600)
    await env.run_for(6 * POLICY.cadence)
    lines = await metrics_lines(env)
    assert 'scnet_bot_watch_owners{state="waiting"} 1' in lines
    assert 'scnet_bot_watch_owners{state="running"} 0' in lines
    assert f"scnet_bot_watch_effective_cadence_seconds {POLICY.cadence:.3f}" in lines
    assert "scnet_bot_watch_owners_behind 0" in lines
    allowance = f"scnet_bot_watch_read_allowance_per_second {POLICY.reads_per_second:.3f}"
    assert allowance in lines

    env.scnet.sim.set_status(instance_id, "Running")
    await env.run_for(POLICY.cadence)
    lines = await metrics_lines(env)
    assert 'scnet_bot_watch_owners{state="running"} 1' in lines


async def test_a_sweep_that_sees_no_change_writes_nothing(env: WatchEnv) -> None:
    for n in range(5):
        instance_id = await env.create(f"queued-{n}")
        env.scnet.sim.set_instance_delays(instance_id, waiting=3600)
    await env.run_for(2 * POLICY.cadence)  # the first answers are written; nothing since
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    engine = env.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        env.scnet.sim.requests.clear()
        for _ in range(3):
            env.scnet.clock.advance(POLICY.cadence)
            await env.watcher.sweep()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert env.scnet.sim.requests.count("GET", "/ai/openapi/v2/instance-service/task") == 3
    assert [s for s in statements if s not in ("SELECT", "BEGIN", "COMMIT")] == []
    assert statements.count("SELECT") <= 2 * 3  # changed rows and a count, per sweep


async def test_waiting_and_deploying_are_kept_in_memory_and_running_is_written(
    env: WatchEnv,
) -> None:
    instance_id = await env.create("deploys")
    env.scnet.sim.set_instance_delays(instance_id, waiting=30, deploying=60)
    await env.run_for(2 * POLICY.cadence)  # read once: Waiting, as created
    writes: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.split(None, 1)[0].upper() in ("UPDATE", "INSERT", "DELETE"):
            writes.append(statement)

    engine = env.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        await env.run_for(40)  # Deploying now: the watcher knows, nothing is written
        assert env.watcher.figures().owners_waiting == 1
        assert writes == []
        await env.run_for(60)  # Running: written once, with the link's notice
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(env.dms()) == 1
    async with env.db.transaction() as session:
        tracked = await instances.get(session, instance_id)
    assert tracked is not None
    assert (tracked.status, tracked.ready_at is not None) == ("Running", True)


async def test_an_owner_whose_running_instance_the_usage_sync_saw_first_is_still_waiting(
    env: WatchEnv,
) -> None:
    """The usage sync may record "Running" before the watcher reads the owner: the owner still
    waits for the link, so a short budget must not put them behind owners already told."""
    instance_id = await env.create("seen-elsewhere")
    env.scnet.sim.set_instance_delays(instance_id, waiting=3600)
    await env.tick()  # read once: Waiting; the next read is a cadence away
    env.scnet.sim.set_status(instance_id, "Running")
    async with env.db.transaction() as session:  # what the usage sync writes
        await instances.record_status(session, instance_id, status="Running", now=env.now())
    env.scnet.clock.advance(1)
    await env.watcher.sweep()  # sees the new row; the owner is not due yet
    figures = env.watcher.figures()
    assert (figures.owners_waiting, figures.owners_running) == (1, 0)
    await env.run_for(POLICY.cadence)
    assert len(env.dms()) == 1  # the link, once the owner's turn came
    figures = env.watcher.figures()
    assert (figures.owners_waiting, figures.owners_running) == (0, 1)
