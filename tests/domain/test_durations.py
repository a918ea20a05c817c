"""Time limits in SCNet's form, and the time an instance has left."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.durations import format_timeout, parse_timeout
from bot.domain.instances import Instance, Resources, time_left

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def instance(**fields: object) -> Instance:
    base = Instance(
        id="a" * 32,
        name="nb",
        status="Running",
        task_type="jupyter",
        accelerator="gpu",
        resources=Resources(cpus=1, gpus=0, ram_mb=1024),
    )
    return replace(base, **fields)


def test_the_form_reads_back() -> None:
    for limit in (None, timedelta(0), timedelta(hours=100, seconds=5)):
        assert parse_timeout(format_timeout(limit)) == limit


def test_scnets_remaining_time_wins_over_the_computed_one() -> None:
    started = instance(
        remaining="01:30:00", started_at=NOW - timedelta(hours=1), timeout_limit=timedelta(hours=8)
    )
    assert time_left(started, NOW) == timedelta(hours=1, minutes=30)


def test_without_a_readable_remaining_time_it_is_start_plus_limit() -> None:
    started = instance(
        remaining="soon", started_at=NOW - timedelta(hours=1), timeout_limit=timedelta(hours=8)
    )
    assert time_left(started, NOW) == timedelta(hours=7)
    assert time_left(instance(started_at=NOW), NOW) is None  # unlimited
    assert time_left(instance(timeout_limit=timedelta(hours=1)), NOW) is None  # not started
