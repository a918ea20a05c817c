"""Status moves with the injected clock: no sleeps, exact transition times (reference §6)."""

from __future__ import annotations

import pytest

from bot.scnet.simulator import Delays, ManualClock, ScnetSimulator
from bot.scnet.simulator.catalog import default_resource_groups
from bot.scnet.simulator.create_request import TaskSpec, parse_create

from .conftest import AI, Api, create_body


async def status(alice: Api, instance_id: str) -> str:
    value: str = (await alice.detail(instance_id))["status"]
    return value


async def test_waiting_deploying_running(alice: Api, clock: ManualClock) -> None:
    instance_id = await alice.create()
    seen = [await status(alice, instance_id)]
    for _ in range(3):
        clock.advance(2)
        seen.append(await status(alice, instance_id))
    assert seen == ["Waiting", "Deploying", "Deploying", "Running"]


async def test_a_long_jump_stamps_transitions_when_due(alice: Api, clock: ManualClock) -> None:
    instance_id = await alice.create(timeoutLimit="00:10:00")
    clock.advance(3600)
    detail = await alice.detail(instance_id)
    assert detail["status"] == "Completed"
    assert detail["startTime"] == "2025-06-15 23:06:45"  # created + 2 s + 3 s
    assert detail["endTime"] == "2025-06-15 23:16:45"  # + the 10 min timeoutLimit
    assert detail["duration"] == detail["remainingTime"] == "--"


async def test_unlimited_runs_forever(alice: Api, clock: ManualClock) -> None:
    instance_id = await alice.create(timeoutLimit="unlimited")
    clock.advance(20 * 3600)  # within the token's 24 h
    detail = await alice.detail(instance_id)
    assert detail["status"] == "Running"
    assert detail["remainingTime"] == "unlimited"
    assert detail["duration"] == "19:59:55"


async def test_set_status_fails_on_demand(sim: ScnetSimulator, alice: Api) -> None:
    instance_id = await alice.create()
    sim.set_status(instance_id, "Failed")
    detail = await alice.detail(instance_id)
    assert detail["status"] == "Failed"
    assert detail["endTime"] is not None


async def test_rule_by_name_pattern_sets_delays_and_failure(
    sim: ScnetSimulator, alice: Api, clock: ManualClock
) -> None:
    sim.add_rule("slow-*", delays=Delays(waiting=100, deploying=1))
    sim.add_rule("crash-*", fail=True)
    slow = await alice.create(instanceServiceName="slow-1")
    crash = await alice.create(instanceServiceName="crash-1")
    normal = await alice.create(instanceServiceName="normal")
    clock.advance(10)
    assert [await status(alice, i) for i in (slow, crash, normal)] == [
        "Waiting",
        "Failed",
        "Running",
    ]


async def test_per_instance_delays(sim: ScnetSimulator, alice: Api, clock: ManualClock) -> None:
    instance_id = await alice.create()
    sim.set_instance_delays(instance_id, deploying=60)
    clock.advance(10)
    assert await status(alice, instance_id) == "Deploying"
    clock.advance(60)
    assert await status(alice, instance_id) == "Running"


async def test_fail_probability_is_seeded(clock: ManualClock) -> None:
    outcomes = []
    for _ in range(2):
        sim = ScnetSimulator(clock=clock, seed=7)
        sim.config.fail_probability = 0.5
        sim.add_user("u")
        outcomes.append([sim.store.create("u", _spec()).will_fail for _ in range(20)])
    assert outcomes[0] == outcomes[1]
    assert 0 < sum(outcomes[0]) < 20


def _spec() -> TaskSpec:
    return parse_create(create_body(), default_resource_groups())


async def test_capacity_zero_queues_until_released(
    sim: ScnetSimulator, alice: Api, clock: ManualClock
) -> None:
    sim.set_capacity(0)
    instance_id = await alice.create()
    clock.advance(270)  # the field report's wait
    assert await status(alice, instance_id) == "Waiting"

    sim.set_capacity(None)  # its waiting delay is long over: it deploys from the release
    assert await status(alice, instance_id) == "Deploying"
    clock.advance(3)
    assert await status(alice, instance_id) == "Running"


async def test_capacity_admits_in_order_as_slots_free(
    sim: ScnetSimulator, alice: Api, clock: ManualClock
) -> None:
    sim.set_capacity(1)
    first = await alice.create(timeoutLimit="00:01:00")
    second = await alice.create()
    clock.advance(10)
    assert [await status(alice, i) for i in (first, second)] == ["Running", "Waiting"]

    clock.advance(56)  # first completes at +65 s, freeing the slot; second deploys from then
    assert [await status(alice, i) for i in (first, second)] == ["Completed", "Deploying"]
    clock.advance(2)
    detail = await alice.detail(second)
    assert detail["status"] == "Running"
    assert detail["startTime"] == "2025-06-15 23:07:48"  # +65 s + 3 s


async def test_capacity_slot_freed_by_stop(
    sim: ScnetSimulator, alice: Api, clock: ManualClock
) -> None:
    sim.set_capacity(1)
    first, second = await alice.create(), await alice.create()
    clock.advance(10)
    await alice.post(f"{AI}/task/actions/stop", params={"ids": first})
    assert await status(alice, second) == "Deploying"


async def test_restart_goes_back_through_waiting(alice: Api, clock: ManualClock) -> None:
    instance_id = await alice.create()
    clock.advance(5)
    await alice.post(f"{AI}/task/actions/stop", params={"ids": instance_id})
    await alice.post(f"{AI}/task/actions/restart", params={"instanceServiceId": instance_id})
    assert await status(alice, instance_id) == "Waiting"
    clock.advance(5)
    assert await status(alice, instance_id) == "Running"


def test_manual_clock_never_goes_back() -> None:
    clock = ManualClock(100)
    assert clock.advance(5) == 105
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


async def test_instances_view_is_current(
    sim: ScnetSimulator, alice: Api, clock: ManualClock
) -> None:
    instance_id = await alice.create()
    clock.advance(5)
    assert sim.instances[instance_id].status == "Running"
    assert sim.instances[instance_id].owner == "alice"
