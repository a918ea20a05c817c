"""When the daily digest is due, and what the outbox carries for it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.domain.digest import (
    Digest,
    DigestSchedule,
    LongRunner,
    QuotaAlert,
    alerts_to_send,
    digest_day,
    next_digest_at,
    zone_named,
)
from bot.domain.quota import QuotaLimits, Usage

SHANGHAI_NINE = DigestSchedule(at=time(9, 0), timezone="Asia/Shanghai")
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


def test_due_from_the_local_time_until_local_midnight() -> None:
    # 09:00 in Shanghai is 01:00 UTC; its day ends at 16:00 UTC.
    assert digest_day(SHANGHAI_NINE, now=utc(16, 0, 59), changed_at=LONG_AGO) is None
    assert digest_day(SHANGHAI_NINE, now=utc(16, 1), changed_at=LONG_AGO) == date(2025, 6, 16)
    assert digest_day(SHANGHAI_NINE, now=utc(16, 15, 59), changed_at=LONG_AGO) == date(2025, 6, 16)
    assert digest_day(SHANGHAI_NINE, now=utc(16, 16), changed_at=LONG_AGO) is None  # 00:00 on 17th


def test_a_schedule_changed_after_todays_moment_starts_tomorrow() -> None:
    changed = utc(16, 7)  # 15:00 in Shanghai
    assert digest_day(SHANGHAI_NINE, now=utc(16, 7, 1), changed_at=changed) is None
    assert digest_day(SHANGHAI_NINE, now=utc(17, 1), changed_at=changed) == date(2025, 6, 17)
    assert next_digest_at(SHANGHAI_NINE, now=changed) == utc(17, 1)
    assert next_digest_at(SHANGHAI_NINE, now=utc(16, 0)) == utc(16, 1)


def test_time_zones_are_checked_against_the_tz_database() -> None:
    assert zone_named("Asia/Shanghai") is not None
    assert zone_named("UTC") is not None
    for bad in ("Mars/Olympus", "../etc/passwd", "/etc/localtime", "", "Asia/" + "x" * 80):
        assert zone_named(bad) is None


def test_a_jump_past_both_thresholds_alerts_once_at_the_higher() -> None:
    assert alerts_to_send({("gpus", 0.8), ("gpus", 1.0), ("cpus", 0.8)}) == {
        "gpus": 1.0,
        "cpus": 0.8,
    }


def test_digest_and_alert_survive_the_outbox_json() -> None:
    digest = Digest(
        day=date(2025, 6, 16),
        usage=Usage(gpus=3, cpus=8, ram_mb=4096, instances=2),
        limits=QuotaLimits(gpus=4),
        top_holders=(("U1", Usage(gpus=3, cpus=8, ram_mb=4096, instances=2)),),
        long_runners=(LongRunner("train", "U1", timedelta(hours=30)),),
        long_running_hours=24,
        timezone="UTC",
    )
    assert Digest.from_json(digest.to_json()) == digest
    alert = QuotaAlert("gpus", 80, used=4, limit=5, holders=(("U1", 4),))
    assert QuotaAlert.from_json(alert.to_json()) == alert
    assert Digest.from_json({"day": "not a day"}) is None
