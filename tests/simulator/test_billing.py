"""The balance falls with running time: what the instances held, for as long as they ran."""

from __future__ import annotations

from decimal import Decimal

from bot.scnet.simulator import ManualClock, ScnetSimulator
from bot.scnet.simulator.billing import Prices
from tests.simulator.conftest import AC, AI, Api

# 1 card + 3 cores + 15 GB at 2.50 / 0.05 / 0.01: 2.50 + 0.15 + 0.15 = 2.80 CNY an hour.
HOURLY = Decimal("2.80")


async def _balance(api: Api) -> Decimal:
    return Decimal((await api.get(f"{AC}/user")).data["accountBalance"])


async def test_the_balance_falls_while_an_instance_runs_and_not_after(
    sim: ScnetSimulator, alice: Api, clock: ManualClock
) -> None:
    opening = await _balance(alice)
    instance_id = await alice.create()
    clock.advance(5)  # Waiting 2 s + Deploying 3 s: running from here, nothing charged yet
    assert await _balance(alice) == opening
    clock.advance(3600)
    assert await _balance(alice) == opening - HOURLY
    await alice.post(f"{AI}/task/actions/stop", params={"ids": instance_id})
    clock.advance(7200)  # stopped: no charge
    assert await _balance(alice) == opening - HOURLY
    await alice.post(f"{AI}/task/actions/restart", params={"instanceServiceId": instance_id})
    clock.advance(5 + 1800)
    assert await _balance(alice) == opening - HOURLY - HOURLY / 2
    await alice.post(f"{AI}/task/actions/stop", params={"ids": instance_id})
    await alice.delete(f"{AI}/task", params={"ids": instance_id})
    assert instance_id not in sim.instances
    assert await _balance(alice) == opening - HOURLY - HOURLY / 2  # deleting refunds nothing


async def test_prices_are_a_knob_and_other_users_pay_nothing(
    sim: ScnetSimulator, alice: Api, bob: Api, anonymous: Api, clock: ManualClock
) -> None:
    reply = await anonymous.post("/_sim/prices", json={"gpu": "60"})
    assert reply.body == {"gpu": "60", "cpu": "0.05", "ram": "0.01"}
    assert sim.prices == Prices(gpu=Decimal(60))
    await alice.create()
    clock.advance(5 + 60)
    # A minute of 60 + 0.15 + 0.15 an hour.
    assert sim.charged("alice") == Decimal("1.01")
    assert await _balance(bob) == Decimal("1000.00")
    shown = await anonymous.get("/_sim/users/alice/balance")
    assert shown.body["balance"] == "998.99"
    assert (await anonymous.post("/_sim/prices", json={"gpu": "-1"})).status == 400
