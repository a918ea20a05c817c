"""What the bot tells people about their instances and teams, as every layer speaks of it.

A notice is queued with its kind and a payload (``snapshot`` of the instance, never a secret),
and delivered as a ``Delivery``: everything a sender needs to render and post it, including
the access URL where it may go. Senders (Slack's, the console's) raise one of these::

    DeliveryError               .code: a Slack error code or a class name, for operators
    ├── RetryLater              Slack answered 429: again after .after seconds
    ├── TemporaryFailure        5xx, network, timeout: again after an exponential backoff
    ├── TargetUnavailable       the channel is gone or the bot is not in it: dead
    └── PermanentFailure        retrying cannot fix it (invalid blocks, user gone): dead
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal, Protocol

from bot.domain.digest import Digest, QuotaAlert
from bot.domain.i18n import Locale
from bot.domain.identity import NoticeTarget, SlackUser
from bot.domain.instances import Instance, Resources
from bot.domain.secret import Secret

LinkProblem = Literal["login", "unavailable"]


class NoticeKind(StrEnum):
    READY = "instance.ready"  # to the owner: running, with the access link and the card
    READY_CHANNEL = "instance.ready.channel"  # to the origin channel: running, no link
    ENDED = "instance.ended"  # Failed / Terminated / Completed, with a Restart button
    ENDED_CHANNEL = "instance.ended.channel"
    QUEUED = "instance.queued"  # still Waiting for capacity after a while: not a failure
    AUTOSTOP = "instance.autostop"  # the time limit stops it soon
    LOGIN = "account.login"  # the token expired and cannot be renewed; watches paused
    DIGEST = "quota.digest"  # the team's daily digest, to its digest channel
    QUOTA_ALERT = "quota.alert"  # team (or a member's) usage reached 80% / 100%, same channel
    QUOTA_ALERT_DM = "quota.alert.dm"  # to the member: 80% / 100% of their own limit
    BUDGET_ALERT = "costs.budget.alert"  # month's spend reached 80% / 100% of a budget (channel)
    BUDGET_ALERT_DM = "costs.budget.alert.dm"  # to the member: 80% / 100% of their own budget
    LOW_BALANCE = "costs.balance.low"  # to the user: their SCNet balance fell below the floor
    # To the requester: how their approval request ended (approved, denied, expired, failed).
    APPROVAL_RESULT = "approval.result"
    QUEUE = "queue.update"  # to the requester: their queued create started, failed or was dropped


def snapshot(instance: Instance) -> dict[str, object]:
    """What a notice needs to show about the instance, as JSON. No port URLs: they are secrets."""
    return {
        "id": instance.id,
        "name": instance.name,
        "status": instance.status,
        "task_type": instance.task_type,
        "accelerator": instance.accelerator,
        "cpus": instance.resources.cpus,
        "gpus": instance.resources.gpus,
        "ram_mb": instance.resources.ram_mb,
        "task_number": instance.resources.task_number,
        "resource_group": instance.resource_group,
        "version": instance.version,
        "image_path": instance.image_path,
        "timeout_seconds": (
            None if instance.timeout_limit is None else instance.timeout_limit.total_seconds()
        ),
        "created_at": _iso(instance.created_at),
        "started_at": _iso(instance.started_at),
        "ended_at": _iso(instance.ended_at),
        "duration": instance.duration,
        "remaining": instance.remaining,
        "user_name": instance.user_name,
        "description": instance.description[:300],
    }


def from_snapshot(data: Mapping[str, object]) -> Instance:
    timeout = data.get("timeout_seconds")
    return Instance(
        id=payload_text(data, "id"),
        name=payload_text(data, "name"),
        status=payload_text(data, "status"),
        task_type=payload_text(data, "task_type"),
        accelerator=payload_text(data, "accelerator"),
        resources=Resources(
            cpus=payload_int(data, "cpus"),
            gpus=payload_int(data, "gpus"),
            ram_mb=payload_int(data, "ram_mb"),
            task_number=max(1, payload_int(data, "task_number")),
        ),
        resource_group=payload_text(data, "resource_group"),
        version=payload_text(data, "version"),
        image_path=payload_text(data, "image_path"),
        timeout_limit=timedelta(seconds=timeout) if isinstance(timeout, int | float) else None,
        created_at=payload_time(data, "created_at"),
        started_at=payload_time(data, "started_at"),
        ended_at=payload_time(data, "ended_at"),
        duration=payload_text(data, "duration") or None,
        remaining=payload_text(data, "remaining") or None,
        user_name=payload_text(data, "user_name"),
        description=payload_text(data, "description"),
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def payload_text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def payload_int(data: Mapping[str, object], key: str) -> int:
    value = data.get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def payload_time(data: Mapping[str, object], key: str) -> datetime | None:
    value = data.get(key)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notice, ready to render and send. ``access_url`` is set only where it may go.

    ``owner`` of a team notice (digest, alert) has an empty user id.
    """

    key: str  # the outbox dedupe key: unique per notice
    kind: NoticeKind
    target: NoticeTarget
    owner: SlackUser
    locale: Locale
    now: datetime
    instance: Instance | None = None
    access_url: Secret | None = None
    link_problem: LinkProblem | None = None  # why a ready notice comes without its link
    minutes_left: int = 0
    waited: timedelta = timedelta(0)
    paused_watches: int = 0
    digest: Digest | None = None
    alert: QuotaAlert | None = None
    # The outbox payload as queued: kinds added later render from it (``bot.services.costs``
    # and friends keep their own JSON there) without a field of their own here.
    payload: Mapping[str, object] = field(default_factory=dict)


class DeliveryError(Exception):
    def __init__(self, code: str) -> None:
        self.code = code[:100]
        super().__init__(f"{type(self).__name__} {self.code}")


class RetryLater(DeliveryError):
    def __init__(self, code: str, *, after: float) -> None:
        self.after = max(0.0, after)
        super().__init__(code)


class TemporaryFailure(DeliveryError):
    pass


class TargetUnavailable(DeliveryError):
    pass


class PermanentFailure(DeliveryError):
    pass


class NoticeSender(Protocol):
    """What delivers a ``Delivery``: ``bot.slack.sender.SlackSender``, or the console's."""

    async def send(self, delivery: Delivery) -> None:
        """Return once the notice is delivered; raise a ``DeliveryError`` otherwise."""
        ...
