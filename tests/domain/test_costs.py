"""Cost arithmetic on fixed clocks: intervals at rates, spend per local day and month, budgets,
amounts as typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.costs import (
    AmountError,
    InstanceCost,
    Rates,
    Run,
    Spend,
    SpendSummary,
    budget_percent,
    budget_reached,
    cost_of,
    day_start,
    fen,
    from_units,
    instance_cost,
    is_low,
    month_key,
    month_start,
    parse_budget,
    parse_rate,
    spend_report,
    to_units,
)
from bot.domain.instances import Resources

SHANGHAI = ZoneInfo("Asia/Shanghai")
RATES = Rates(gpu=Decimal("6.5"), cpu=Decimal("0.1"), ram=Decimal("0.02"))
ONE_GPU = Resources(cpus=4, gpus=1, ram_mb=16 * 1024)  # 6.5 + 0.4 + 0.32 = 7.22 an hour


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def run(start: datetime, end: datetime | None = None, **kw: object) -> Run:
    fields: dict[str, object] = {
        "instance_id": "i1",
        "owner_user_id": "U1",
        "resource_group": "TeslaM40",
        "resources": ONE_GPU,
    }
    fields.update(kw)
    return Run(started_at=start, ended_at=end, **fields)  # type: ignore[arg-type]


def test_an_hour_costs_cards_cores_and_gigabytes_at_their_rates() -> None:
    assert RATES.hourly(ONE_GPU) == Decimal("7.22")
    assert cost_of(ONE_GPU, RATES, timedelta(minutes=90)) == Decimal("10.83")
    two_tasks = Resources(cpus=4, gpus=1, ram_mb=16 * 1024, task_number=2)
    assert RATES.hourly(two_tasks) == Decimal("14.44")
    # Exact to the end: ten seconds is not rounded to zero, a third of an hour not to 0.33.
    assert cost_of(ONE_GPU, RATES, timedelta(seconds=10)) > 0
    assert fen(cost_of(ONE_GPU, RATES, timedelta(minutes=20))) == Decimal("2.41")


def test_a_run_counts_only_inside_the_window_asked_for() -> None:
    r = run(utc(2026, 12, 1, 10), utc(2026, 12, 1, 14))
    assert r.span(until=utc(2026, 12, 2)) == timedelta(hours=4)
    assert r.span(since=utc(2026, 12, 1, 12), until=utc(2026, 12, 2)) == timedelta(hours=2)
    assert r.span(since=utc(2026, 12, 1, 15), until=utc(2026, 12, 2)) == timedelta(0)
    still = run(utc(2026, 12, 1, 10))
    assert still.span(until=utc(2026, 12, 1, 11, 30)) == timedelta(minutes=90)


def test_today_and_this_month_are_cut_at_local_midnight() -> None:
    # 2026-12-01 00:00 in Shanghai is 2026-11-30 16:00 UTC.
    now = utc(2026, 12, 1, 18)  # 02:00 on 2 December in Shanghai
    assert day_start(now, SHANGHAI) == datetime(2026, 12, 2, tzinfo=SHANGHAI)
    assert month_start(now, SHANGHAI) == datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert month_key(utc(2026, 11, 30, 15), SHANGHAI) == "2026-11"
    assert month_key(utc(2026, 11, 30, 16), SHANGHAI) == "2026-12"
    runs = [
        # From 14:00 UTC on 30 Nov (22:00 November, Shanghai) for 4 hours: 2 in each month.
        run(utc(2026, 11, 30, 14), utc(2026, 11, 30, 18), instance_id="a"),
        # Since 17:00 UTC on 1 Dec (01:00 on 2 Dec, Shanghai), still running: 1 h today.
        run(utc(2026, 12, 1, 17), instance_id="b", owner_user_id="U2"),
    ]
    report = spend_report(runs, {"TeslaM40": RATES}, now=now, zone=SHANGHAI)
    assert report.members["U1"] == Spend(today=Decimal(0), month=Decimal("14.44"))
    assert report.members["U2"] == Spend(today=Decimal("7.22"), month=Decimal("7.22"))
    assert report.team == Spend(today=Decimal("7.22"), month=Decimal("21.66"))
    assert list(report.members) == ["U1", "U2"]  # biggest month first
    # The same runs seen from UTC: the November run is all November's.
    in_utc = spend_report(runs, {"TeslaM40": RATES}, now=now, zone=ZoneInfo("UTC"))
    assert in_utc.team.month == Decimal("7.22")


def test_a_group_without_a_rate_costs_nothing_and_is_named() -> None:
    now = utc(2026, 12, 10)
    runs = [run(utc(2026, 12, 9), resource_group="kshdtest")]
    report = spend_report(runs, {"TeslaM40": RATES}, now=now, zone=SHANGHAI)
    assert report.team == Spend()
    assert report.unpriced_groups == ("kshdtest",)


def test_an_instance_costs_its_recorded_runs_and_the_one_scnet_lists_now() -> None:
    now = utc(2026, 12, 1, 12)
    first = run(utc(2026, 12, 1, 8), utc(2026, 12, 1, 9))
    recorded_open = run(utc(2026, 12, 1, 10))
    listed_now = run(utc(2026, 12, 1, 10), utc(2026, 12, 1, 11))  # SCNet says it ended at 11
    cost = instance_cost([first, recorded_open], listed_now, RATES, now=now)
    assert cost == InstanceCost(running=timedelta(hours=2), cost=Decimal("14.44"))
    unpriced = instance_cost([first], None, None, now=now)
    assert unpriced == InstanceCost(running=timedelta(hours=1), cost=None)


@pytest.mark.parametrize(
    ("spent", "budget", "reached", "percent"),
    [
        ("0", "100", set(), 0),
        ("79.99", "100", set(), 80),
        ("80", "100", {80}, 80),
        ("100", "100", {80, 100}, 100),
        ("250", "100", {80, 100}, 250),
        ("0", "0", set(), 100),  # a zero budget refuses creates but raises no alert
    ],
)
def test_budget_thresholds(spent: str, budget: str, reached: set[int], percent: int) -> None:
    assert budget_reached(Decimal(spent), Decimal(budget)) == reached
    assert budget_percent(Decimal(spent), Decimal(budget)) == percent
    assert budget_reached(Decimal(spent), None) == set()


def test_low_balance_is_strictly_below_the_floor() -> None:
    assert is_low(Decimal("99.99"), Decimal(100))
    assert not is_low(Decimal("100.00"), Decimal(100))
    assert not is_low(None, Decimal(100))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2.5", "2.5000"), ("¥0.35", "0.3500"), ("0", "0.0000"), ("0.0125", "0.0125")],
)
def test_rates_as_typed(raw: str, expected: str) -> None:
    assert str(parse_rate(raw, "gpu")) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("abc", "not_a_number"),
        ("", "not_a_number"),
        ("nan", "not_a_number"),
        ("1.2.3", "not_a_number"),
        ("-1", "negative"),
        ("-0", "negative"),
        ("0.00001", "too_precise"),
        ("5000", "too_large"),
        ("1e9", "too_large"),
    ],
)
def test_bad_rates_name_what_is_wrong(raw: str, problem: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_rate(raw, "gpu")
    assert caught.value.problem == problem


def test_budgets_take_fen_and_stop_at_a_hundred_million() -> None:
    assert parse_budget("5000") == Decimal("5000.00")
    assert parse_budget("1,200.50") == Decimal("1200.50")
    with pytest.raises(AmountError) as caught:
        parse_budget("12.345")
    assert caught.value.problem == "too_precise"
    with pytest.raises(AmountError):
        parse_budget("100000001")


def test_amounts_round_trip_through_integers() -> None:
    assert to_units(Decimal("6.5"), 4) == 65_000
    assert from_units(65_000, 4) == Decimal("6.5")
    assert to_units(Decimal("5000.00"), 2) == 500_000


def test_the_spend_summary_survives_the_outbox() -> None:
    summary = SpendSummary(
        month="2026-12",
        team=Spend(Decimal("1.50"), Decimal("20.25")),
        team_budget=Decimal("5000.00"),
        members=(("U1", Spend(Decimal("1.5"), Decimal("20.25")), None),),
        unpriced_groups=("kshdtest",),
    )
    assert SpendSummary.from_json(summary.to_json()) == summary
    assert SpendSummary.from_json({"month": "x"}) is None
