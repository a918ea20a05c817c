"""The cost tables on SQLite and PostgreSQL: money as exact integers, runs, crossings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bot.domain.costs import Rates, Run
from bot.domain.instances import InstanceSpec, Resources
from bot.store import costs, instances
from bot.store.database import Database
from tests.store.fakes import ALICE, BOB, NOW

RESOURCES = Resources(cpus=4, gpus=1, ram_mb=16384)


def run(instance_id: str, hours_ago: float, ended_hours_ago: float | None = None) -> Run:
    return Run(
        instance_id=instance_id,
        owner_user_id=ALICE.user_id,
        resource_group="TeslaM40",
        resources=RESOURCES,
        started_at=NOW - timedelta(hours=hours_ago),
        ended_at=None if ended_hours_ago is None else NOW - timedelta(hours=ended_hours_ago),
    )


async def test_rates_and_budgets_come_back_as_the_exact_decimals_stored(
    database: Database,
) -> None:
    rates = Rates(gpu=Decimal("6.5"), cpu=Decimal("0.0001"), ram=Decimal("0.0125"))
    async with database.transaction() as session:
        await costs.set_rates(session, ALICE.team_id, "TeslaM40", rates, by="U1", now=NOW)
        await costs.set_budget(
            session, ALICE.team_id, Decimal("5000.10"), member_user_id=None, now=NOW
        )
        await costs.set_budget(
            session, ALICE.team_id, Decimal("0.01"), member_user_id=BOB.user_id, now=NOW
        )
    async with database.transaction() as session:
        assert await costs.get_rates(session, ALICE.team_id) == {"TeslaM40": rates}
        budgets = await costs.get_budgets(session, ALICE.team_id)
        await costs.set_budget(session, ALICE.team_id, None, member_user_id=BOB.user_id, now=NOW)
        after = await costs.get_budgets(session, ALICE.team_id)
    assert (budgets.team, budgets.members) == (Decimal("5000.10"), {BOB.user_id: Decimal("0.01")})
    assert after.members == {}


async def test_a_run_is_recorded_once_ended_later_and_a_restart_closes_the_one_before(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await costs.record_run(session, ALICE, run("i1", 5), now=NOW)
        await costs.record_run(session, ALICE, run("i1", 5), now=NOW)  # seen again: no change
        await costs.record_run(session, ALICE, run("i1", 5, ended_hours_ago=4), now=NOW)
        await costs.record_run(session, ALICE, run("i2", 3), now=NOW)
        await costs.record_run(session, ALICE, run("i2", 1), now=NOW)  # restarted, end unseen
    async with database.transaction() as session:
        found = await costs.runs_of(session, ["i1", "i2"])
        recent = await costs.runs_since(session, ALICE.team_id, NOW - timedelta(hours=2))
    assert [r.ended_at for r in found["i1"]] == [NOW - timedelta(hours=4)]
    assert [(r.started_at, r.ended_at) for r in found["i2"]] == [
        (NOW - timedelta(hours=3), NOW - timedelta(hours=1)),
        (NOW - timedelta(hours=1), None),
    ]
    assert [r.instance_id for r in recent] == ["i2", "i2"]  # i1 ended before the window


async def test_open_runs_of_instances_the_ledger_saw_go_are_closed_then(
    database: Database,
) -> None:
    spec = InstanceSpec(
        name="nb",
        task_type="jupyter",
        accelerator="gpu",
        resource_group="TeslaM40",
        version="jupyter:1",
        image_path="x/jupyter:1",
        resources=RESOURCES,
    )
    started = NOW - timedelta(hours=3)
    async with database.transaction() as session:
        for instance_id in ("gone", "stopped", "runs"):
            await instances.track_created(
                session, instance_id, spec=spec, owner=ALICE, origin=None, now=started
            )
            await instances.record_status(session, instance_id, status="Running", now=started)
            await costs.record_run(session, ALICE, run(instance_id, 3), now=started)
        await instances.mark_deleted(session, "gone", now=NOW - timedelta(hours=1))
        await instances.record_status(
            session, "stopped", status="Terminated", now=NOW - timedelta(hours=2)
        )
    async with database.transaction() as session:
        assert await costs.close_open_runs(session, now=NOW) == 2
        assert await costs.close_open_runs(session, now=NOW) == 0
        found = await costs.runs_of(session, ["gone", "stopped", "runs"])
    assert found["gone"][0].ended_at == NOW - timedelta(hours=1)
    assert found["stopped"][0].ended_at == NOW - timedelta(hours=2)
    assert found["runs"][0].ended_at is None


async def test_budget_and_balance_crossings_count_once_each(database: Database) -> None:
    team = ALICE.team_id
    async with database.transaction() as session:
        first = await costs.budget_cross_up(session, team, 80, member_user_id=None, now=NOW)
        again = await costs.budget_cross_up(session, team, 80, member_user_id=None, now=NOW)
        member = await costs.budget_cross_up(session, team, 80, member_user_id=BOB.user_id, now=NOW)
        await costs.budget_cross_down(session, team, [80], member_user_id=None, now=NOW)
        second = await costs.budget_cross_up(session, team, 80, member_user_id=None, now=NOW)
        reached = await costs.budget_reached(session, team)
        low = await costs.note_balance(session, ALICE, Decimal("99.99"), low=True, now=NOW)
        still = await costs.note_balance(session, ALICE, Decimal("98"), low=True, now=NOW)
        await costs.note_balance(session, ALICE, Decimal("500"), low=False, now=NOW)
        fell = await costs.note_balance(session, ALICE, Decimal("1.5"), low=True, now=NOW)
        state = await costs.get_balance(session, ALICE)
    assert (first, again, member, second) == (1, None, 1, 2)
    assert reached == {"": {80}, BOB.user_id: {80}}
    assert (low, still, fell) == (1, None, 2)
    assert state is not None
    assert (state.balance, state.low, state.crossings) == (Decimal("1.50"), True, 2)
