"""What it costs, through the real Bolt app, the fake Slack and the SCNet simulator.

Admins set rates and budgets by command (bad input refused naming the bad part); cards, the
list, ``/scnet quota`` and the digest show running time and estimated spend, which outlives a
deleted instance; budgets alert at 80% / 100% once per crossing and refuse a create once
spent (with [Ask an admin]); a balance falling below ``LOW_BALANCE_CNY`` DMs once per fall.
Time moves only with the simulator's manual clock; notices are delivered by the real notify
service and Slack sender.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.domain.identity import SlackUser
from bot.scnet.simulator.billing import Prices
from bot.services.notify import DeliveryPolicy, NotifyService
from bot.services.quota import DigestChange
from bot.services.quota_notices import QuotaNotices
from bot.slack.blocks import ids
from bot.store import audit
from bot.wiring import slack_sender
from tests.fake_slack import Message, User
from tests.slack_app.conftest import SlackWorld

# jupyter:4.4-py3.7-cpu lands in the simulator's GPU group TeslaM40 (the first that serves it).
CREATE = "create jupyter:4.4-py3.7-cpu cpus=2 ram=4G"
GROUP = "TeslaM40"
START_TO_RUNNING = 15  # the fixture's simulator: Waiting 5 s, Deploying 10 s


@dataclass
class Costs:
    world: SlackWorld
    boss: User  # a workspace admin

    @property
    def team(self) -> str:
        return self.world.slack.team.id

    @property
    def alice(self) -> User:
        return self.world.alice

    async def say(self, user: User, text: str) -> str:
        return (await self.world.command(user, text))[-1].all_text()

    async def run(self, user: User, name: str, *, hours: float) -> str:
        """Create ``name`` as ``user``, let it run ``hours``, and look at it (which records
        its run); its id."""
        await self.say(user, f"{CREATE} name={name}")
        self.world.scnet.clock.advance(START_TO_RUNNING + hours * 3600)
        await self.say(user, "list")
        return next(i.id for i in self.world.scnet.sim.instances.values() if i.spec.name == name)

    async def deliver(self) -> int:
        async with AsyncExitStack() as stack:
            notifier = NotifyService(
                db=self.world.runtime.db,
                accounts=self.world.runtime.accounts,
                client=self.world.runtime.client,
                sender=slack_sender(self.world.runtime.settings, stack),
                now=self.world.runtime.now,
                policy=DeliveryPolicy(post_interval=0),
            )
            return await notifier.deliver_due()

    async def audit_outcomes(self) -> list[tuple[str, str]]:
        async with self.world.runtime.db.transaction() as session:
            entries = await audit.latest(session, self.team, limit=50)
        return [(e.action, e.outcome) for e in reversed(entries)]

    def dms(self, user: User) -> list[Message]:
        dm = self.world.slack.dm_channel(user.id)
        return [m for m in self.world.slack.messages_to(dm) if not m.ephemeral and m.metadata]

    def posts(self, channel: str) -> list[Message]:
        return [m for m in self.world.slack.messages_to(channel) if not m.ephemeral]

    async def audit_actions(self) -> list[tuple[str, str]]:
        async with self.world.runtime.db.transaction() as session:
            entries = await audit.latest(session, self.team, limit=50)
        return [(e.action, e.detail) for e in reversed(entries)]


@pytest.fixture
async def costs(world: SlackWorld) -> Costs:
    boss = world.slack.add_user("boss", is_admin=True)
    await world.log_in(world.alice)
    await world.log_in(boss, scnet_user="bob")
    return Costs(world=world, boss=boss)


async def test_admins_set_rates_and_bad_ones_are_refused_naming_the_bad_part(
    costs: Costs,
) -> None:
    alice, boss = costs.alice, costs.boss
    assert "Only admins" in await costs.say(alice, f"quota rate group={GROUP} gpu=6")
    shown = await costs.say(boss, f"quota rate group={GROUP} gpu=6.5 cpu=0.1 ram=0.0125")
    assert "Rates set." in shown
    assert "`TeslaM40`: GPU ¥6.50 per card-hour · CPU ¥0.10 per core-hour" in shown
    assert "memory ¥0.0125 per GB-hour" in shown
    assert "estimates from the admins' rates, not SCNet's bill" in shown
    # A rate left out keeps its value.
    assert "CPU ¥0.20 per core-hour" in await costs.say(boss, f"quota rate group={GROUP} cpu=0.2")
    bad = {
        f"quota rate group={GROUP} gpu=-1": "`gpu=-1` is negative",
        f"quota rate group={GROUP} gpu=abc": "`gpu=abc` is not an amount",
        f"quota rate group={GROUP} gpu=5000": "`gpu=5000` is more than ¥1,000",
        f"quota rate group={GROUP} ram=0.00001": "`ram=0.00001` has too many decimals: at most 4",
        f"quota rate group={GROUP}": "Give at least one rate for `TeslaM40`",
        "quota rate gpu=1": "Name the resource group",
        f"quota rate group={GROUP} gpu=1 disk=3": "disk",
    }
    for text, expected in bad.items():
        assert expected in await costs.say(boss, text), text
    unknown = await costs.say(boss, "quota rate group=NoSuchGroup gpu=1")
    assert "There is no resource group `NoSuchGroup`. Known groups: TeslaM40, kshdtest" in unknown
    # Nothing half-done: the refused ones changed nothing; anyone may read the rates.
    rates = await costs.world.runtime.costs.rates(costs.team)
    assert set(rates) == {GROUP}
    assert (rates[GROUP].gpu, rates[GROUP].cpu) == (Decimal("6.5"), Decimal("0.2"))
    assert "GPU ¥6.50 per card-hour · CPU ¥0.20" in await costs.say(alice, "quota rate")
    changes = [detail for action, detail in await costs.audit_actions() if action == "cost_rate"]
    assert changes == [
        "TeslaM40 gpu=6.5000 cpu=0.1000 ram=0.0125",
        "TeslaM40 gpu=6.5000 cpu=0.2000 ram=0.0125",
    ]


async def test_admins_set_budgets_for_the_team_and_a_member(costs: Costs) -> None:
    alice, boss = costs.alice, costs.boss
    assert "Only admins" in await costs.say(alice, "quota set budget=5000")
    assert "The team's budget is ¥5,000.00 a month." in await costs.say(
        boss, "quota set budget=5000"
    )
    member = await costs.say(boss, f"quota set budget=120.5 user=<@{alice.id}>")
    assert f"The budget of <@{alice.id}> is ¥120.50 a month." in member
    assert "@mention" in await costs.say(boss, "quota set budget=1 user=alice")
    for text, expected in {
        "quota set budget=-5": "`budget=-5` is negative",
        "quota set budget=lots": "`budget=lots` is not an amount",
        "quota set budget=1.234": "at most 2",
        "quota set budget=1000000000": "more than ¥100,000,000",
        "quota set budget=5 gpus=2": "`budget=` is set on its own",
    }.items():
        assert expected in await costs.say(boss, text), text
    off = await costs.say(boss, f"quota set budget=off user=<@{alice.id}>")
    assert f"<@{alice.id}> has no monthly budget of their own any more." in off
    report = await costs.world.runtime.costs.report(costs.team)
    assert report.budgets.team == Decimal("5000.00")
    assert report.budgets.members == {}
    details = [detail for action, detail in await costs.audit_actions() if action == "budget_set"]
    assert details == ["team 5000.00", f"{alice.id} 120.50", f"{alice.id} off"]


async def test_cards_and_the_list_show_running_time_and_cost_so_far(costs: Costs) -> None:
    await costs.say(costs.boss, f"quota rate group={GROUP} cpu=0.1 ram=0.02")
    await costs.run(costs.alice, "nb", hours=1.5)
    listed = await costs.say(costs.alice, "list")
    # 2 cores at 0.10 and 4 GB at 0.02: 0.28 an hour, 1.5 h so far.
    assert "≈ ¥0.42 (estimate)" in listed
    assert "estimates from the admins' rates, not SCNet's bill" in listed
    card = await costs.say(costs.alice, "status nb")
    assert "Running time" in card
    assert "Cost so far" in card
    assert "≈ ¥0.42 (estimate)" in card
    assert "not SCNet's bill" in card


async def test_a_group_without_a_rate_says_so_on_the_card(costs: Costs) -> None:
    await costs.run(costs.alice, "free", hours=1)
    card = await costs.say(costs.alice, "status free")
    assert "no rate set for its group" in card
    listed = await costs.say(costs.alice, "list")
    assert "ran 1 h" in listed
    assert "no rate" not in listed  # the list shows the running time alone


async def test_quota_shows_spend_today_and_this_month_and_it_outlives_a_deletion(
    costs: Costs,
) -> None:
    world = costs.world
    await costs.say(costs.boss, f"quota rate group={GROUP} cpu=0.1 ram=0.02")
    instance_id = await costs.run(costs.alice, "gone", hours=2)
    # Stopped and deleted from SCNet's web console: the usage sync sees it end, then go.
    world.scnet.sim.set_status(instance_id, "Terminated")
    await world.runtime.quota.sync_usage()
    world.scnet.sim.store.delete("alice", [instance_id])
    world.scnet.clock.advance(3600)
    await world.runtime.quota.sync_usage()
    assert instance_id not in world.scnet.sim.instances
    report = await costs.say(costs.alice, "quota")
    assert "Spend in" in report
    # The clock starts at 23:06 in Shanghai: of the two hours, 1 h 7 min fell on today.
    assert "Team: ¥0.31 today · ¥0.56 this month" in report
    assert f"<@{costs.alice.id}>: ¥0.31 today · ¥0.56 this month" in report
    assert "not SCNet's bill" in report
    await costs.say(costs.boss, "quota set budget=1")
    assert "¥0.56 this month of ¥1.00 (56%)" in await costs.say(costs.alice, "quota")


async def test_the_daily_digest_shows_the_months_spend(costs: Costs) -> None:
    world = costs.world
    await costs.say(costs.boss, f"quota rate group={GROUP} cpu=0.1 ram=0.02")
    await costs.run(costs.alice, "nb", hours=1)
    runtime = world.runtime
    await runtime.quota.configure_digest(
        costs.team, DigestChange(channel_id=world.channel, timezone="UTC"), locale="en"
    )
    # Past 09:00 UTC of the next day: the digest is due.
    now = runtime.now()
    nine = datetime(now.year, now.month, now.day, 9, tzinfo=UTC).timestamp() + 86_400
    world.scnet.clock.set(nine + 60)
    notices = QuotaNotices(db=runtime.db, quota=runtime.quota, now=runtime.now, costs=runtime.costs)
    assert await notices.queue_due_digests() == 1
    await costs.deliver()
    digest = costs.posts(world.channel)[-1].all_text()
    assert "Spend in" in digest
    assert "this month" in digest
    assert "not SCNet's bill" in digest


async def test_budget_alerts_once_per_crossing_and_a_spent_budget_refuses_creates(
    costs: Costs,
) -> None:
    world, alice, boss = costs.world, costs.alice, costs.boss
    runtime = world.runtime
    await runtime.quota.configure_digest(
        costs.team, DigestChange(channel_id=world.channel), locale="en"
    )
    await costs.say(boss, f"quota rate group={GROUP} cpu=10")  # 2 cores: 20 CNY an hour
    await costs.say(boss, "quota set budget=100")
    await costs.say(boss, f"quota set budget=50 user=<@{alice.id}>")
    await costs.run(alice, "burner", hours=2)  # 40 of alice's 50: 80%; the team's 40%
    assert await runtime.costs.check_budgets() == 2  # her DM and the channel's post
    assert await runtime.costs.check_budgets() == 0  # once per crossing
    await costs.deliver()
    [dm] = costs.dms(alice)
    assert "You have spent ¥40.00 of your ¥50.00 budget" in dm.all_text()
    assert "(80%)" in dm.all_text()
    posted = costs.posts(world.channel)[-1].all_text()
    assert f"<@{alice.id}> has spent ¥40.00 of their ¥50.00 budget" in posted
    assert "not SCNet's bill" in posted

    world.scnet.clock.advance(1800)  # 50 of 50
    assert await runtime.costs.check_budgets() == 2
    await costs.deliver()
    assert "Your budget for" in costs.dms(alice)[-1].all_text()
    assert "is spent: ¥50.00 of ¥50.00 (100%)" in costs.dms(alice)[-1].all_text()
    before = len(world.scnet.sim.instances)
    refused = (await world.command(alice, f"{CREATE} name=more"))[-1]
    assert "Your budget for this month is spent: ¥50.00 of ¥50.00" in refused.all_text()
    assert ids.ASK_ADMIN in _buttons(refused)
    assert ids.QUEUE_IT not in _buttons(refused)  # no instance ending frees a budget
    assert len(world.scnet.sim.instances) == before
    assert ("create", "BudgetSpent") in await costs.audit_outcomes()

    # Raised: below again, re-armed; crossing it again alerts again, once.
    await costs.say(boss, f"quota set budget=200 user=<@{alice.id}>")
    assert await runtime.costs.check_budgets() == 0
    assert "Creating *again*" in await costs.say(alice, f"{CREATE} name=again")
    # 3 h more: burner reaches its 4 h time limit (80 in all), again runs ~3 h (~60).
    world.scnet.clock.advance(3 * 3600)
    await costs.say(alice, "list")
    assert await runtime.costs.check_budgets() == 1  # the team's, at 140 of 100: one alert
    await costs.deliver()
    team_post = costs.posts(world.channel)[-1].all_text()
    assert "The team's budget for 2025-06 is spent: ¥139.92 of ¥100.00 (140%)" in team_post
    world.scnet.clock.advance(3600 + 60)  # again reaches its 4 h too: 160 of 200, 80% again
    await costs.say(alice, "list")
    assert await runtime.costs.check_budgets() == 2
    await costs.deliver()
    assert "You have spent ¥160.00 of your ¥200.00 budget" in costs.dms(alice)[-1].all_text()
    assert len(costs.dms(alice)) == 3


async def test_a_low_balance_dms_once_per_fall(costs: Costs) -> None:
    world, alice = costs.world, costs.alice
    runtime = world.runtime
    sim = world.scnet.sim
    sim.prices = Prices(gpu=Decimal(0), cpu=Decimal(1), ram=Decimal(0))  # 2 cores: 2 an hour
    sim.user("alice").balance = "101.00"
    await costs.run(alice, "nb", hours=1)  # 99.00 left
    checked = await runtime.costs.check_balances()
    assert (checked.users, checked.fell_low) == (2, 1)
    assert (await runtime.costs.check_balances()).fell_low == 0  # once per fall
    await costs.deliver()
    [dm] = costs.dms(alice)
    assert "Your SCNet balance is down to ¥99.00, below ¥100.00" in dm.all_text()
    whoami = await costs.say(alice, "whoami")
    assert "99.00" in whoami

    # App Home shows it, with the warning.
    assert (await world.send(world.slack.app_home_opened(alice.id))).status == 200
    await world.slack.wait_for("views.publish")
    await world.settle()
    home = str(world.slack.calls("views.publish")[-1])
    assert "SCNet balance: ¥99.00" in home
    assert ":warning:" in home

    sim.user("alice").balance = "500.00"  # topped up: re-armed
    assert (await runtime.costs.check_balances()).fell_low == 0
    sim.user("alice").balance = "100.50"  # 98.50 now: a second fall
    assert (await runtime.costs.check_balances()).fell_low == 1
    await costs.deliver()
    assert len(costs.dms(alice)) == 2
    state = await runtime.costs.balance(SlackUser(costs.team, alice.id))
    assert state is not None
    assert (state.balance, state.low, state.crossings) == (Decimal("98.50"), True, 2)


def _buttons(message: Message) -> list[str]:
    return [
        element.get("action_id", "")
        for block in message.blocks or []
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    ]


async def test_a_create_refused_by_the_budget_can_be_asked_of_an_admin(costs: Costs) -> None:
    world, alice, boss = costs.world, costs.alice, costs.boss
    await costs.say(boss, f"quota rate group={GROUP} cpu=10")
    await costs.say(boss, "quota set budget=10")  # the team's: spent after half an hour
    await costs.run(alice, "first", hours=1)
    refused = (await world.command(alice, f"{CREATE} name=second"))[-1]
    assert "The team's budget for this month is spent: ¥20.00 of ¥10.00" in refused.all_text()
    request = world.slack.block_action(alice.id, ids.ASK_ADMIN, message=refused)
    assert (await world.send(request)).status == 200
    await world.settle()
    asked = [
        m
        for m in world.slack.messages_to(world.slack.dm_channel(boss.id))
        if not m.ephemeral and ids.APPROVE in _buttons(m)
    ]
    assert asked, "the admin got no request to approve"
    text = asked[-1].all_text()
    assert "second" in text
    assert "budget" in text
    # Approved: created past the budget, as alice (an admin's decision, audited as one).
    before = len(world.scnet.sim.instances)
    approve = world.slack.block_action(boss.id, ids.APPROVE, message=asked[-1])
    assert (await world.send(approve)).status == 200
    await world.settle()
    assert len(world.scnet.sim.instances) == before + 1
    created = [i for i in world.scnet.sim.instances.values() if i.spec.name == "second"]
    assert [i.owner for i in created] == ["alice"]
