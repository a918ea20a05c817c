"""Validation of the create body (``POST …/instance-service/task``, reference §5.5, create seed).

Missing required fields answer 10003. ``useStartScript`` and ``startScriptActionScope`` are
marked required in the seed's table, but the same table says useStartScript 默认为false, so an
absent (or null) one defaults: ``false`` and ``"all"``.

Bad values answer 10004: an unknown ``taskType`` or ``acceleratorType``, an unknown
``resourceGroup`` or one serving another accelerator, negative numbers (``cpuNumber``/
``taskNumber`` must be ≥ 1), more CPUs, cards or ``ramSize`` than one node of the group has, a
``timeoutLimit`` that is neither ``HH:MM:SS`` nor ``unlimited``, a ``useStartScript`` that is not
a JSON boolean, a ``startScriptActionScope`` other than ``all``/``header``, bad mounts or ports.
``containerPort`` may be an integer (table) or a numeric string (the seed's example ``"18888"``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.instances import ACCELERATORS, TASK_TYPES
from bot.scnet.simulator import fields as f
from bot.scnet.simulator.catalog import ResourceGroup
from bot.scnet.simulator.wire import INVALID_PARAM, MISSING_PARAM, ApiError

_TIMEOUT = re.compile(r"^(\d{1,4}):([0-5]\d):([0-5]\d)$")
SCRIPT_SCOPES = ("all", "header")
REQUIRED = (
    "instanceServiceName",
    "taskType",
    "acceleratorType",
    "resourceGroup",
    "cpuNumber",
    "gpuNumber",
    "ramSize",
    "taskNumber",
    "version",
    "imagePath",
    "timeoutLimit",
)
DEFAULT_USE_START_SCRIPT = False
DEFAULT_SCRIPT_SCOPE = "all"


@dataclass(frozen=True, slots=True)
class MountRequest:
    source: str
    target: str
    kind: str


@dataclass(frozen=True, slots=True)
class PortRequest:
    port: int
    protocol: str


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A validated create request, kept as sent so detail can echo it."""

    name: str
    description: str
    task_type: str
    accelerator: str
    resource_group: str
    cpus: int
    accelerators: int
    ram_mb: int
    task_number: int
    version: str
    image_path: str
    timeout_limit: str
    timeout_seconds: float | None  # None: unlimited
    use_start_script: bool
    script_content: str
    script_scope: str
    mounts: tuple[MountRequest, ...] = ()
    ports: tuple[PortRequest, ...] = ()


def parse_timeout(raw: str) -> float | None:
    """Seconds for ``HH:MM:SS``, None for ``unlimited``; 10004 for anything else."""
    if raw == "unlimited":
        return None
    match = _TIMEOUT.match(raw)
    if match is None:
        raise ApiError(INVALID_PARAM, "timeoutLimit")
    hours, minutes, seconds = (int(part) for part in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


def parse_create(body: object, groups: Mapping[str, ResourceGroup]) -> TaskSpec:
    fields = f.as_fields(body)
    for name in REQUIRED:  # every missing field is 10003 before any value is judged
        f.required(fields, name)
    accelerator = f.required_text(fields, "acceleratorType", choices=ACCELERATORS)
    group = _group(fields, groups, accelerator)
    use_script = f.boolean(fields, "useStartScript", default=DEFAULT_USE_START_SCRIPT)
    scope = f.text(fields, "startScriptActionScope", choices=SCRIPT_SCOPES, optional=True)
    script = f.text(fields, "startScriptContent", optional=True) or ""
    if use_script and not script:
        raise ApiError(MISSING_PARAM, "startScriptContent")
    timeout_limit = f.required_text(fields, "timeoutLimit")
    return TaskSpec(
        name=f.required_text(fields, "instanceServiceName"),
        description=f.text(fields, "description", optional=True) or "",
        task_type=f.required_text(fields, "taskType", choices=TASK_TYPES),
        accelerator=accelerator,
        resource_group=group.name,
        cpus=_bounded(fields, "cpuNumber", minimum=1, maximum=group.cpus),
        accelerators=_bounded(fields, "gpuNumber", minimum=0, maximum=group.accelerators),
        ram_mb=_bounded(fields, "ramSize", minimum=1, maximum=group.memory_mb),
        task_number=_bounded(fields, "taskNumber", minimum=1, maximum=group.nodes),
        version=f.required_text(fields, "version"),
        image_path=f.required_text(fields, "imagePath"),
        timeout_limit=timeout_limit,
        timeout_seconds=parse_timeout(timeout_limit),
        use_start_script=use_script,
        script_content=script,
        script_scope=scope or DEFAULT_SCRIPT_SCOPE,
        mounts=tuple(_mount(item) for item in f.object_list(fields, "mountInfoList")),
        ports=tuple(_port(item) for item in f.object_list(fields, "containerPortInfoList")),
    )


def _group(
    fields: f.Fields, groups: Mapping[str, ResourceGroup], accelerator: str
) -> ResourceGroup:
    group = groups.get(f.required_text(fields, "resourceGroup"))
    if group is None or group.accelerator != accelerator:
        raise ApiError(INVALID_PARAM, "resourceGroup")
    return group


def _bounded(fields: f.Fields, name: str, *, minimum: int, maximum: int) -> int:
    value = f.integer(fields, name, minimum=minimum)
    if value > maximum:
        raise ApiError(INVALID_PARAM, name)
    return value


def _mount(item: f.Fields) -> MountRequest:
    return MountRequest(
        source=f.required_text(item, "sourcePath"),
        target=f.required_text(item, "targetPath"),
        kind=f.required_text(item, "type", choices=("data", "path")),
    )


def _port(item: f.Fields) -> PortRequest:
    port = f.integer(item, "containerPort", minimum=1, numeric_text=True)
    if port > 65535:
        raise ApiError(INVALID_PARAM, "containerPort")
    protocol = f.required_text(item, "protocolType", choices=("SSH", "HTTP"))
    return PortRequest(port=port, protocol=protocol)
