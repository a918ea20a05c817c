"""How instance data reads in a message: status with emoji, resources, sizes, times."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Final

from bot.domain.i18n import Locale
from bot.domain.instances import Instance, InstanceStatus, Resources, known_status, time_left

from .limits import escape_mrkdwn
from .wording import words

STATUS_EMOJI: Final[Mapping[InstanceStatus, str]] = {
    InstanceStatus.WAITING: ":hourglass_flowing_sand:",
    InstanceStatus.DEPLOYING: ":gear:",
    InstanceStatus.RUNNING: ":large_green_circle:",
    InstanceStatus.COMPLETED: ":white_check_mark:",
    InstanceStatus.FAILED: ":red_circle:",
    InstanceStatus.TERMINATED: ":black_square_for_stop:",
}
UNKNOWN_STATUS_EMOJI: Final = ":grey_question:"
STATUS_KEYS: Final[Mapping[InstanceStatus, str]] = {
    InstanceStatus.WAITING: "status.Waiting",
    InstanceStatus.DEPLOYING: "status.Deploying",
    InstanceStatus.RUNNING: "status.Running",
    InstanceStatus.COMPLETED: "status.Completed",
    InstanceStatus.FAILED: "status.Failed",
    InstanceStatus.TERMINATED: "status.Terminated",
}
SHORT_ID_CHARS: Final = 8
MB_PER_GB: Final = 1024


def status_label(raw: str, locale: Locale) -> str:
    """The status's display name (等待/部署/运行/…); an unknown status shows as SCNet sent it."""
    status = known_status(raw)
    if status is None:
        return escape_mrkdwn(raw) or "?"
    return words(STATUS_KEYS[status], locale)


def status_text(raw: str, locale: Locale) -> str:
    status = known_status(raw)
    emoji = STATUS_EMOJI[status] if status is not None else UNKNOWN_STATUS_EMOJI
    return f"{emoji} {status_label(raw, locale)}"


def short_id(instance_id: str) -> str:
    return instance_id[:SHORT_ID_CHARS]


def ram_text(megabytes: int) -> str:
    """``512 MB``, ``16 GB``, ``1.5 GB``: one decimal at most."""
    if megabytes >= MB_PER_GB:
        return f"{round(megabytes / MB_PER_GB, 1):,g} GB"
    return f"{megabytes} MB"


def resources_text(resources: Resources, accelerator: str, locale: Locale) -> str:
    """``8 CPU · 1 DCU · 32 GB`` per container, then `` × 2 containers`` when there are more."""
    parts = [words("card.cpus", locale, cpus=resources.cpus)]
    if resources.gpus:
        parts.append(f"{resources.gpus} {escape_mrkdwn(accelerator.upper() or 'GPU')}")
    parts.append(ram_text(resources.ram_mb))
    text = " · ".join(parts)
    if resources.task_number > 1:
        text += words("card.resources_tasks", locale, tasks=resources.task_number)
    return text


def slack_time(moment: datetime) -> str:
    """A time Slack shows in each reader's own time zone; the console shows the fallback.

    A naive datetime is taken as UTC.
    """
    aware = as_aware(moment)
    fallback = aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(aware.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def as_aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def duration_text(span: timedelta, locale: Locale) -> str:
    minutes = max(0, int(span.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return words("time.days_hours", locale, days=hours // 24, hours=hours % 24)
    return words("time.hours_minutes", locale, hours=hours, minutes=minutes)


def timeout_text(limit: timedelta | None, locale: Locale) -> str:
    if limit is None:
        return words("time.unlimited", locale)
    return duration_text(limit, locale)


def remaining_text(instance: Instance, locale: Locale, now: datetime | None) -> str | None:
    """SCNet's own remaining time as it wrote it, else one computed from the start and the
    timeout while the instance runs."""
    if instance.remaining:
        return escape_mrkdwn(instance.remaining)
    if now is None or known_status(instance.status) != InstanceStatus.RUNNING:
        return None
    started = instance.started_at
    aware = instance if started is None else replace(instance, started_at=as_aware(started))
    left = time_left(aware, as_aware(now))
    return None if left is None else duration_text(left, locale)
