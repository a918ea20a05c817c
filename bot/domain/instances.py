"""Container instances as the rest of the bot sees them: frozen, typed, free of wire quirks.

``bot.scnet`` parses SCNet's envelopes into these; services, store and Slack rendering read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from bot.domain.durations import parse_timeout
from bot.domain.secret import Secret

TaskType = Literal["jupyter", "ssh", "codeserver", "rstudio"]
TASK_TYPES: tuple[TaskType, ...] = ("jupyter", "ssh", "codeserver", "rstudio")
Accelerator = Literal["gpu", "dcu", "mlu", "cpu"]
ACCELERATORS: tuple[Accelerator, ...] = ("gpu", "dcu", "mlu", "cpu")
ImageType = Literal["Base", "JupyterLab"]
ScriptScope = Literal["all", "header"]
Protocol = Literal["HTTP", "SSH"]
MountKind = Literal["data", "path"]


class InstanceStatus(StrEnum):
    WAITING = "Waiting"
    DEPLOYING = "Deploying"
    RUNNING = "Running"
    COMPLETED = "Completed"
    FAILED = "Failed"
    TERMINATED = "Terminated"


TERMINAL_STATUSES = frozenset(
    {InstanceStatus.COMPLETED, InstanceStatus.FAILED, InstanceStatus.TERMINATED}
)
PENDING_STATUSES = frozenset({InstanceStatus.WAITING, InstanceStatus.DEPLOYING})


def known_status(raw: str) -> InstanceStatus | None:
    """The enum member for a status SCNet sent, or None for one we do not know (kept raw)."""
    try:
        return InstanceStatus(raw)
    except ValueError:
        return None


def is_terminal(raw: str) -> bool:
    return known_status(raw) in TERMINAL_STATUSES


def is_pending(raw: str) -> bool:
    return known_status(raw) in PENDING_STATUSES


@dataclass(frozen=True, slots=True)
class PortSpec:
    container_port: int
    protocol: Protocol = "HTTP"
    # The entry URL SCNet shows for an exposed port; like the access URL it can carry a token.
    access_url: Secret | None = None


@dataclass(frozen=True, slots=True)
class MountSpec:
    source: str
    target: str
    kind: MountKind = "data"


@dataclass(frozen=True, slots=True)
class Resources:
    """What one instance holds: per container, times ``task_number`` for the total."""

    cpus: int
    gpus: int
    ram_mb: int
    task_number: int = 1

    @property
    def total_cpus(self) -> int:
        return self.cpus * self.task_number

    @property
    def total_gpus(self) -> int:
        return self.gpus * self.task_number

    @property
    def total_ram_mb(self) -> int:
        return self.ram_mb * self.task_number


@dataclass(frozen=True, slots=True)
class Instance:
    id: str
    name: str
    status: str  # raw SCNet status; see known_status()
    task_type: str
    accelerator: str
    resources: Resources
    resource_group: str = ""
    version: str = ""
    image_path: str = ""
    timeout_limit: timedelta | None = None  # None: unlimited
    created_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration: str | None = None  # SCNet's own text; None where it sent "--"
    remaining: str | None = None
    user_name: str = ""
    description: str = ""
    ports: tuple[PortSpec, ...] = ()
    mounts: tuple[MountSpec, ...] = ()


def time_left(instance: Instance, now: datetime) -> timedelta | None:
    """Until the time limit stops ``instance``: SCNet's remaining time where it sent one that
    reads as ``HH:MM:SS``, else its start plus its time limit, less ``now``; None if unlimited
    or not started. Negative once the limit has passed."""
    if instance.remaining:
        try:
            left = parse_timeout(instance.remaining)
        except ValueError:
            left = None
        if left is not None:
            return left
    if instance.timeout_limit is not None and instance.started_at is not None:
        return instance.started_at + instance.timeout_limit - now
    return None


@dataclass(frozen=True, slots=True)
class InstanceSpec:
    """What ``create`` sends. Validated by the command grammar before it gets here."""

    name: str
    task_type: str
    accelerator: str
    resource_group: str
    version: str
    image_path: str
    resources: Resources
    timeout_limit: timedelta | None = None
    description: str = ""
    start_script: str | None = None
    script_scope: ScriptScope = "all"
    mounts: tuple[MountSpec, ...] = ()
    ports: tuple[PortSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Image:
    id: str
    name: str
    tag: str
    version: str  # "name:tag", what create wants as version
    path: str  # registry path, what create wants as imagePath
    type: str
    accelerator: str
    access: str = "public"
    preset: bool = False
    created: str = ""


@dataclass(frozen=True, slots=True)
class NodeLimits:
    resource_group: str
    cpus: int
    gpus: int
    memory_mb: int
    node_count: int = 0
    max_time: str = "unlimited"
    accelerator: str = ""  # what the group serves, when the caller knows it


@dataclass(frozen=True, slots=True)
class AccountInfo:
    user_name: str
    full_name: str = ""
    account_name: str = ""
    status: str = ""
    balance: Decimal | None = None  # CNY
    center: str = ""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What the unverified JWT payload of an SCNet token says about it."""

    user: str
    cluster_id: str
    expires_at: datetime | None
    user_id: str = ""
    compute_user: str = ""
    account_status: str = ""


@dataclass(frozen=True, slots=True)
class RegionToken:
    cluster_id: str
    cluster_name: str
    token: Secret | None  # None where the account is disabled for that region

    @property
    def is_platform(self) -> bool:
        return self.cluster_id in {"0", "ac"} or self.cluster_name == "ac"


@dataclass(frozen=True, slots=True)
class CenterInfo:
    region_id: str
    region_name: str
    ai_url: str | None  # normalised base: scheme://host[:port], no trailing /ai
    cluster_user: str = ""
    home_path: str = ""


@dataclass(frozen=True, slots=True)
class InstancePage:
    items: tuple[Instance, ...]
    total: int | None = None


@dataclass(frozen=True, slots=True)
class ListFilter:
    status: str | None = None
    task_type: str | None = None
    name: str | None = None
    start: int = 0
    limit: int = 50
    sort: Literal["desc", "asc"] = "desc"
