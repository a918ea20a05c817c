"""Asking an admin to approve a create past the team's limits: the request and its numbers.

Pure data. A request holds the whole create as command text (the form ``parse_command`` reads
back, its instance name fixed when asked), a ``SpecSummary`` of what it resolved to, the
numbers against the limits when it was asked (``Standing``) and why it was refused. Its state
leaves ``pending`` once::

    pending ──approve──► approved ──create failed──► failed
       ├──deny─────────► denied
       ├──TTL passed───► expired
       └──requester────► cancelled

``summary_json`` / ``from_summary`` are the JSON kept beside the row; the notices' payloads use
``notice_json`` / ``from_notice`` (no secret in either: a spec and a few numbers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

from bot.domain.identity import SlackUser
from bot.domain.instances import InstanceSpec
from bot.domain.quota import QUOTA_RESOURCES, QuotaLimits, QuotaResource, Usage

ApprovalState = Literal["pending", "approved", "denied", "expired", "failed", "cancelled"]
APPROVAL_STATES: Final[tuple[ApprovalState, ...]] = (
    "pending",
    "approved",
    "denied",
    "expired",
    "failed",
    "cancelled",
)
# What a decided request ended as; ``approved`` too, since its outcome (created or failed)
# comes after the decision.
DECIDED_STATES: Final = frozenset(APPROVAL_STATES) - {"pending"}
REASON_CHARS: Final = 500

# Why an approved create could not be made: the catalog keys both sides read.
FAILED_LOGIN: Final = "approval.failed.login"
FAILED_IMAGE: Final = "approval.failed.image"
FAILED_OTHER: Final = "approval.failed.other"
FAILED_NO_ADMIN: Final = "approval.failed.no_admin"
FAILED_INTERRUPTED: Final = "approval.failed.interrupted"


def parse_state(raw: str) -> ApprovalState:
    for state in APPROVAL_STATES:
        if raw == state:
            return state
    raise ValueError(f"no approval state {raw!r}")


@dataclass(frozen=True, slots=True)
class Standing:
    """One limit the request is weighed against: usage before it, what it asks, the limit."""

    scope: Literal["team", "member"]
    resource: QuotaResource
    used: int
    requested: int
    limit: int

    @property
    def over(self) -> bool:
        return self.requested > 0 and self.used + self.requested > self.limit


def standings(
    requested: Usage,
    *,
    team_used: Usage,
    team_limits: QuotaLimits | None,
    member_used: Usage,
    member_limits: QuotaLimits | None,
) -> tuple[Standing, ...]:
    """Every set limit, the member's first: what the admin weighs the request against."""
    found: list[Standing] = []
    scopes: tuple[tuple[Literal["team", "member"], Usage, QuotaLimits | None], ...] = (
        ("member", member_used, member_limits),
        ("team", team_used, team_limits),
    )
    for scope, used, limits in scopes:
        if limits is None:
            continue
        for resource in QUOTA_RESOURCES:
            limit = limits.limit(resource)
            if limit is not None:
                found.append(
                    Standing(
                        scope,
                        resource,
                        used=used.amount(resource),
                        requested=requested.amount(resource),
                        limit=limit,
                    )
                )
    return tuple(found)


@dataclass(frozen=True, slots=True)
class SpecSummary:
    """What the create resolved to when it was asked (the image, the resources, the group)."""

    name: str
    image: str
    task_type: str
    accelerator: str
    gpus: int
    cpus: int
    ram_mb: int
    tasks: int
    resource_group: str

    @classmethod
    def of(cls, spec: InstanceSpec) -> SpecSummary:
        return cls(
            name=spec.name,
            image=spec.version,
            task_type=spec.task_type,
            accelerator=spec.accelerator,
            gpus=spec.resources.gpus,
            cpus=spec.resources.cpus,
            ram_mb=spec.resources.ram_mb,
            tasks=spec.resources.task_number,
            resource_group=spec.resource_group,
        )


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the create was refused: a catalog key and its params (the limit passed)."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """A post that shows a request to admins: where (a channel, or an admin's DM) and its ts."""

    channel_id: str
    ts: str
    locale: str | None = None
    shown_state: ApprovalState = "pending"


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    id: int
    requester: SlackUser
    command_text: str
    spec: SpecSummary
    standing: tuple[Standing, ...]
    refusal: Refusal
    state: ApprovalState
    created_at: datetime
    expires_at: datetime
    origin_channel_id: str | None = None
    origin_thread_ts: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    instance_id: str | None = None
    failure: str | None = None
    failure_detail: Refusal | None = None  # the create's own error, for FAILED_OTHER
    messages: tuple[PostedMessage, ...] = ()

    @property
    def team_id(self) -> str:
        return self.requester.team_id

    @property
    def pending(self) -> bool:
        return self.state == "pending"


def summary_json(
    spec: SpecSummary,
    standing: Sequence[Standing],
    refusal: Refusal,
    *,
    failure_detail: Refusal | None = None,
) -> dict[str, object]:
    data: dict[str, object] = {
        "spec": {
            "name": spec.name,
            "image": spec.image,
            "task_type": spec.task_type,
            "accelerator": spec.accelerator,
            "gpus": spec.gpus,
            "cpus": spec.cpus,
            "ram_mb": spec.ram_mb,
            "tasks": spec.tasks,
            "resource_group": spec.resource_group,
        },
        "standing": [
            {
                "scope": s.scope,
                "resource": s.resource,
                "used": s.used,
                "requested": s.requested,
                "limit": s.limit,
            }
            for s in standing
        ],
        "refusal": {"key": refusal.key, "params": _plain(refusal.params)},
    }
    if failure_detail is not None:
        data["failure_detail"] = {
            "key": failure_detail.key,
            "params": _plain(failure_detail.params),
        }
    return data


def _plain(params: Mapping[str, object]) -> dict[str, object]:
    """Params as JSON keeps them: numbers and text; anything else as its text."""
    return {
        str(k): v if isinstance(v, int | float | str) and not isinstance(v, bool) else str(v)
        for k, v in params.items()
    }


def _text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _int(data: Mapping[str, object], key: str) -> int:
    value = data.get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _mapping(data: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _refusal(data: Mapping[str, object]) -> Refusal:
    params = data.get("params")
    return Refusal(
        key=_text(data, "key"), params=dict(params) if isinstance(params, Mapping) else {}
    )


def spec_from(data: Mapping[str, object]) -> SpecSummary:
    spec = _mapping(data, "spec")
    return SpecSummary(
        name=_text(spec, "name"),
        image=_text(spec, "image"),
        task_type=_text(spec, "task_type"),
        accelerator=_text(spec, "accelerator"),
        gpus=_int(spec, "gpus"),
        cpus=_int(spec, "cpus"),
        ram_mb=_int(spec, "ram_mb"),
        tasks=max(1, _int(spec, "tasks")),
        resource_group=_text(spec, "resource_group"),
    )


def standing_from(data: Mapping[str, object]) -> tuple[Standing, ...]:
    raw = data.get("standing")
    found: list[Standing] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        resource = _text(item, "resource")
        scope = _text(item, "scope")
        for known in QUOTA_RESOURCES:
            if resource == known:
                found.append(
                    Standing(
                        "member" if scope == "member" else "team",
                        known,
                        used=_int(item, "used"),
                        requested=_int(item, "requested"),
                        limit=_int(item, "limit"),
                    )
                )
    return tuple(found)


def refusal_from(data: Mapping[str, object]) -> Refusal:
    return _refusal(_mapping(data, "refusal"))


def failure_detail_from(data: Mapping[str, object]) -> Refusal | None:
    raw = data.get("failure_detail")
    return _refusal(raw) if isinstance(raw, Mapping) else None


@dataclass(frozen=True, slots=True)
class ApprovalNotice:
    """What the requester's DM about their request says (the outbox payload's ``approval``)."""

    request_id: int
    state: ApprovalState
    name: str
    image: str
    decided_by: str | None = None
    reason: str | None = None
    instance_id: str | None = None
    failure: str | None = None
    failure_detail: Refusal | None = None

    @classmethod
    def of(cls, request: ApprovalRequest) -> ApprovalNotice:
        return cls(
            request_id=request.id,
            state=request.state,
            name=request.spec.name,
            image=request.spec.image,
            decided_by=request.decided_by,
            reason=request.reason,
            instance_id=request.instance_id,
            failure=request.failure,
            failure_detail=request.failure_detail,
        )

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.request_id,
            "state": self.state,
            "name": self.name,
            "image": self.image,
            "decided_by": self.decided_by,
            "reason": self.reason,
            "instance_id": self.instance_id,
            "failure": self.failure,
        }
        if self.failure_detail is not None:
            data["failure_detail"] = {
                "key": self.failure_detail.key,
                "params": _plain(self.failure_detail.params),
            }
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ApprovalNotice:
        def optional(key: str) -> str | None:
            return _text(data, key) or None

        try:
            state = parse_state(_text(data, "state"))
        except ValueError:
            state = "failed"
        return cls(
            request_id=_int(data, "id"),
            state=state,
            name=_text(data, "name"),
            image=_text(data, "image"),
            decided_by=optional("decided_by"),
            reason=optional("reason"),
            instance_id=optional("instance_id"),
            failure=optional("failure"),
            failure_detail=failure_detail_from(data),
        )
