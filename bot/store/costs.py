"""Rates, budgets, the runs of instances, and the budget and balance alert crossings.

Money is kept as integers (``bot.domain.costs``: rates in ten-thousandths of a yuan, budgets
and balances in fen) and handed out as ``Decimal``. ``member_user_id`` ``''`` is the whole
team, as in ``quota_limits``; functions take ``member_user_id=None`` for it.

Runs: ``record_run`` upserts one stretch an instance ran, keyed by (instance, start); a later
run of the same instance (a restart) closes any earlier one still open at its own start.
``close_open_runs`` ends the open runs of instances the ledger says are deleted or finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import aliased

from bot.domain.costs import BUDGET_PLACES, RATE_PLACES, Rates, Run, from_units, to_units
from bot.domain.instances import TERMINAL_STATUSES, Resources
from bot.store.database import Session, affected_rows
from bot.store.identity import SlackUser
from bot.store.tables import (
    BalanceAlertRow,
    BudgetAlertRow,
    BudgetRow,
    CostRateRow,
    InstanceRunRow,
    TrackedInstanceRow,
)
from bot.store.upserts import insert_for

_TEAM_WIDE = ""


# --- rates ------------------------------------------------------------------------------------


async def get_rates(session: Session, team_id: str) -> dict[str, Rates]:
    """The team's rates by resource group."""
    statement = select(CostRateRow).where(CostRateRow.team_id == team_id)
    return {
        row.resource_group: Rates(
            gpu=from_units(row.gpu_rate, RATE_PLACES),
            cpu=from_units(row.cpu_rate, RATE_PLACES),
            ram=from_units(row.ram_rate, RATE_PLACES),
        )
        for row in (await session.execute(statement)).scalars()
    }


async def set_rates(
    session: Session, team_id: str, group: str, rates: Rates, *, by: str, now: datetime
) -> None:
    values = {
        "gpu_rate": to_units(rates.gpu, RATE_PLACES),
        "cpu_rate": to_units(rates.cpu, RATE_PLACES),
        "ram_rate": to_units(rates.ram, RATE_PLACES),
        "updated_by": by,
        "updated_at": now,
    }
    statement = insert_for(session, CostRateRow).values(
        team_id=team_id, resource_group=group, **values
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["team_id", "resource_group"], set_=values)
    )


# --- budgets ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Budgets:
    team: Decimal | None
    members: dict[str, Decimal]


async def get_budgets(session: Session, team_id: str) -> Budgets:
    statement = select(BudgetRow).where(BudgetRow.team_id == team_id)
    team: Decimal | None = None
    members: dict[str, Decimal] = {}
    for row in (await session.execute(statement)).scalars():
        amount = from_units(row.budget_fen, BUDGET_PLACES)
        if row.member_user_id == _TEAM_WIDE:
            team = amount
        else:
            members[row.member_user_id] = amount
    return Budgets(team=team, members=members)


async def set_budget(
    session: Session,
    team_id: str,
    budget: Decimal | None,
    *,
    member_user_id: str | None,
    now: datetime,
) -> None:
    """Set (or with ``None`` remove) the team's or a member's monthly budget."""
    member = member_user_id or _TEAM_WIDE
    if budget is None:
        await session.execute(
            delete(BudgetRow).where(
                BudgetRow.team_id == team_id, BudgetRow.member_user_id == member
            )
        )
        return
    values = {"budget_fen": to_units(budget, BUDGET_PLACES), "updated_at": now}
    statement = insert_for(session, BudgetRow).values(
        team_id=team_id, member_user_id=member, **values
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["team_id", "member_user_id"], set_=values)
    )


async def teams_with_budgets(session: Session) -> list[str]:
    """Teams with a budget, or standing at some threshold of one (to re-arm it)."""
    budgets = select(BudgetRow.team_id)
    reached = select(BudgetAlertRow.team_id).where(BudgetAlertRow.reached.is_(True))
    found = set((await session.execute(budgets)).scalars())
    found |= set((await session.execute(reached)).scalars())
    return sorted(found)


# --- runs -------------------------------------------------------------------------------------


def _run_of(row: InstanceRunRow) -> Run:
    return Run(
        instance_id=row.instance_id,
        owner_user_id=row.owner_user_id,
        resource_group=row.resource_group,
        resources=Resources(
            cpus=row.cpus, gpus=row.gpus, ram_mb=row.ram_mb, task_number=row.task_number
        ),
        started_at=row.started_at,
        ended_at=row.ended_at,
    )


async def run_ends(
    session: Session, instance_ids: Sequence[str]
) -> dict[tuple[str, datetime], datetime | None]:
    """The recorded end (None: open) of every run of these instances, by (instance, start)."""
    if not instance_ids:
        return {}
    runs = InstanceRunRow
    statement = select(runs.instance_id, runs.started_at, runs.ended_at).where(
        runs.instance_id.in_(list(instance_ids))
    )
    return {
        (instance_id, started_at): ended_at
        for instance_id, started_at, ended_at in (await session.execute(statement)).all()
    }


async def record_runs(
    session: Session, owner: SlackUser, runs: Sequence[Run], *, now: datetime
) -> None:
    """Note that ``runs`` ran (or still run), in two statements whatever their number:
    insert them or set their ends, then close each earlier run of the same instances still
    open, at the start of the run after it (a restart whose end the bot never saw)."""
    if not runs:
        return
    rows = [
        {
            "instance_id": run.instance_id,
            "started_at": run.started_at,
            "ended_at": run.ended_at,
            "team_id": owner.team_id,
            "owner_user_id": owner.user_id,
            "resource_group": run.resource_group,
            "cpus": run.resources.cpus,
            "gpus": run.resources.gpus,
            "ram_mb": run.resources.ram_mb,
            "task_number": run.resources.task_number,
            "updated_at": now,
        }
        for run in runs
    ]
    insert = insert_for(session, InstanceRunRow).values(rows)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["instance_id", "started_at"],
            set_={"ended_at": insert.excluded.ended_at, "updated_at": insert.excluded.updated_at},
        )
    )
    later = aliased(InstanceRunRow)
    next_start = (
        select(func.min(later.started_at))
        .where(
            later.instance_id == InstanceRunRow.instance_id,
            later.started_at > InstanceRunRow.started_at,
        )
        .scalar_subquery()
    )
    await session.execute(
        update(InstanceRunRow)
        .where(
            InstanceRunRow.instance_id.in_(sorted({run.instance_id for run in runs})),
            InstanceRunRow.ended_at.is_(None),
            next_start.is_not(None),
        )
        .values(ended_at=next_start, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def record_run(session: Session, owner: SlackUser, run: Run, *, now: datetime) -> None:
    """``record_runs`` of one run."""
    await record_runs(session, owner, [run], now=now)


async def runs_since(session: Session, team_id: str, since: datetime) -> list[Run]:
    """The team's runs that ran at some time after ``since`` (open ones included)."""
    statement = (
        select(InstanceRunRow)
        .where(
            InstanceRunRow.team_id == team_id,
            or_(InstanceRunRow.ended_at.is_(None), InstanceRunRow.ended_at > since),
        )
        .order_by(InstanceRunRow.started_at, InstanceRunRow.instance_id)
    )
    return [_run_of(row) for row in (await session.execute(statement)).scalars()]


async def runs_of(session: Session, instance_ids: Sequence[str]) -> dict[str, list[Run]]:
    """Every run of these instances, oldest first, by instance."""
    if not instance_ids:
        return {}
    statement = (
        select(InstanceRunRow)
        .where(InstanceRunRow.instance_id.in_(list(instance_ids)))
        .order_by(InstanceRunRow.started_at)
    )
    found: dict[str, list[Run]] = {}
    for row in (await session.execute(statement)).scalars():
        found.setdefault(row.instance_id, []).append(_run_of(row))
    return found


async def close_open_runs(session: Session, *, now: datetime) -> int:
    """End each open run whose instance the ledger marks deleted or finished: at its
    deletion, or when its status last changed (to the terminal one). How many."""
    runs, ledger = InstanceRunRow, TrackedInstanceRow
    terminal = [str(status) for status in TERMINAL_STATUSES]
    statement = (
        select(
            runs.instance_id,
            runs.started_at,
            ledger.deleted_at,
            ledger.status,
            ledger.status_changed_at,
        )
        .join(ledger, ledger.instance_id == runs.instance_id)
        .where(
            runs.ended_at.is_(None),
            or_(ledger.deleted_at.is_not(None), ledger.status.in_(terminal)),
        )
    )
    closed = 0
    for instance_id, started_at, deleted_at, status, changed_at in (
        await session.execute(statement)
    ).all():
        # It ended when the ledger saw it finish (if that was during this run), else when
        # the ledger saw it deleted: whichever came first.
        ends = [] if deleted_at is None else [deleted_at]
        if status in terminal and changed_at >= started_at:
            ends.append(changed_at)
        if not ends:
            continue  # finished before this run began: a restart the ledger has not seen yet
        end = max(started_at, min(ends))
        result = await session.execute(
            update(runs)
            .where(
                runs.instance_id == instance_id,
                runs.started_at == started_at,
                runs.ended_at.is_(None),
            )
            .values(ended_at=end, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        closed += affected_rows(result)
    return closed


# --- budget alerts ----------------------------------------------------------------------------


async def budget_reached(session: Session, team_id: str) -> dict[str, set[int]]:
    """Per member (``''``: the team), the budget thresholds it stood at when last checked."""
    statement = select(BudgetAlertRow.member_user_id, BudgetAlertRow.percent).where(
        BudgetAlertRow.team_id == team_id, BudgetAlertRow.reached.is_(True)
    )
    found: dict[str, set[int]] = {}
    for member, percent in (await session.execute(statement)).all():
        found.setdefault(member, set()).add(percent)
    return found


async def budget_cross_up(
    session: Session, team_id: str, percent: int, *, member_user_id: str | None, now: datetime
) -> int | None:
    """Mark ``percent`` reached: the crossing's number, or None when it was already."""
    member = member_user_id or _TEAM_WIDE
    await session.execute(
        insert_for(session, BudgetAlertRow)
        .values(
            team_id=team_id,
            member_user_id=member,
            percent=percent,
            reached=False,
            crossings=0,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "member_user_id", "percent"])
    )
    statement = (
        update(BudgetAlertRow)
        .where(
            BudgetAlertRow.team_id == team_id,
            BudgetAlertRow.member_user_id == member,
            BudgetAlertRow.percent == percent,
            BudgetAlertRow.reached.is_(False),
        )
        .values(reached=True, crossings=BudgetAlertRow.crossings + 1, updated_at=now)
        .returning(BudgetAlertRow.crossings)
        .execution_options(synchronize_session=False)
    )
    crossing: int | None = (await session.execute(statement)).scalar_one_or_none()
    return crossing


async def budget_cross_down(
    session: Session,
    team_id: str,
    percents: Sequence[int],
    *,
    member_user_id: str | None,
    now: datetime,
) -> None:
    if not percents:
        return
    await session.execute(
        update(BudgetAlertRow)
        .where(
            BudgetAlertRow.team_id == team_id,
            BudgetAlertRow.member_user_id == (member_user_id or _TEAM_WIDE),
            BudgetAlertRow.percent.in_(list(percents)),
            BudgetAlertRow.reached.is_(True),
        )
        .values(reached=False, updated_at=now)
        .execution_options(synchronize_session=False)
    )


# --- balances ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BalanceState:
    balance: Decimal | None
    low: bool
    crossings: int
    checked_at: datetime


async def get_balance(session: Session, user: SlackUser) -> BalanceState | None:
    row = await session.get(BalanceAlertRow, (user.team_id, user.user_id))
    if row is None:
        return None
    await session.refresh(row)
    balance = None if row.balance_fen is None else from_units(row.balance_fen, BUDGET_PLACES)
    return BalanceState(balance, row.low, row.crossings, row.checked_at)


async def note_balance(
    session: Session, user: SlackUser, balance: Decimal, *, low: bool, now: datetime
) -> int | None:
    """Store the balance just read and whether it is low; the crossing's number when it
    newly fell low (exactly one of two racing checks gets it), else None."""
    fen_value = to_units(balance, BUDGET_PLACES)
    await session.execute(
        insert_for(session, BalanceAlertRow)
        .values(
            team_id=user.team_id,
            user_id=user.user_id,
            balance_fen=fen_value,
            low=False,
            crossings=0,
            checked_at=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "user_id"])
    )
    row = BalanceAlertRow
    mine = (row.team_id == user.team_id, row.user_id == user.user_id)
    if low:
        statement = (
            update(row)
            .where(*mine, row.low.is_(False))
            .values(low=True, crossings=row.crossings + 1, balance_fen=fen_value, checked_at=now)
            .returning(row.crossings)
            .execution_options(synchronize_session=False)
        )
        crossing: int | None = (await session.execute(statement)).scalar_one_or_none()
        if crossing is not None:
            return crossing
    await session.execute(
        update(row)
        .where(*mine)
        .values(low=low, balance_fen=fen_value, checked_at=now)
        .execution_options(synchronize_session=False)
    )
    return None
