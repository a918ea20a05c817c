"""SCNet's data objects as the simulator renders them onto the wire.

The detail object follows the detail seed field for field: ``taskNumber`` a JSON number (the
table says string), ``createTime`` ``yyyy-MM-dd HH:mm:ss`` in China time (UTC+8),
``startTime``/``endTime`` null until they apply, ``duration``/``remainingTime`` ``"--"`` unless
Running (then ``HH:MM:SS``; ``remainingTime`` is ``"unlimited"`` without a timeout),
``containerPortInfoList[].containerPort`` a *string*, ``resourceSpec`` the human text
``"3 核心; 1 加速器; 15.0G 内存"``, ``headerNotebookIp`` null until Running. List items are the
same objects.

The access URL is ``<host>/jupyter-forward/<hex>/?token=sothisai_<hex>`` with the same hex in
the path and the token (so the path alone is a secret, reference §5.8).
"""

from __future__ import annotations

from bot.scnet.simulator.catalog import ResourceGroup
from bot.scnet.simulator.config import ListShape
from bot.scnet.simulator.lifecycle import RUNNING, Instance
from bot.scnet.simulator.wire import china_time, hms


def resource_spec(instance: Instance) -> str:
    spec = instance.spec
    return f"{spec.cpus} 核心; {spec.accelerators} 加速器; {spec.ram_mb / 1024:.1f}G 内存"


def access_url(instance: Instance, host: str, *, stray_spaces: bool = False) -> str:
    segment = instance.access_hex
    if stray_spaces:
        return f"{host}/jupyter-forward/ {segment}/ ?token=sothisai_{segment}"
    return f"{host}/jupyter-forward/{segment}/?token=sothisai_{segment}"


def node_ip(instance: Instance) -> str:
    octets = (int(instance.id[i : i + 2], 16) for i in (0, 2, 4))
    return "10.{}.{}.{}".format(*octets)


def detail(instance: Instance, now: float, *, host: str) -> dict[str, object]:
    spec = instance.spec
    running = instance.status is RUNNING
    return {
        "id": instance.id,
        "headerNotebookId": instance.notebook_id,
        "instanceServiceName": spec.name,
        "currentIndex": 0,
        "gpuNumber": spec.accelerators,
        "cpuNumber": spec.cpus,
        "ramSize": spec.ram_mb,
        "acceleratorType": spec.accelerator,
        "resourceGroup": spec.resource_group,
        "resourceSpec": resource_spec(instance),
        "taskNumber": spec.task_number,
        "timeoutLimit": spec.timeout_limit,
        "userName": instance.owner,
        "version": spec.version,
        "imagePath": spec.image_path,
        "status": instance.status.value,
        "taskType": spec.task_type,
        "description": spec.description,
        "createTime": china_time(instance.created_at),
        "startTime": china_time(instance.started_at),
        "endTime": china_time(instance.ended_at),
        "duration": hms(now - instance.since) if running else "--",
        "remainingTime": _remaining(instance, now) if running else "--",
        "tensorboardId": None,
        "tensorboardPath": None,
        "mountInfoList": [
            {"sourcePath": m.source, "targetPath": m.target, "type": m.kind} for m in spec.mounts
        ],
        "containerPortInfoList": _ports(instance, host if running else None),
        "useStartScript": spec.use_start_script,
        "startScriptContent": spec.script_content,
        "startScriptPath": _script_path(instance),
        "startScriptActionScope": spec.script_scope,
        "headerNotebookIp": node_ip(instance) if running else None,
    }


def _remaining(instance: Instance, now: float) -> str:
    timeout = instance.spec.timeout_seconds
    return "unlimited" if timeout is None else hms(instance.since + timeout - now)


def _ports(instance: Instance, host: str | None) -> list[dict[str, object]]:
    return [
        {
            "containerPort": str(port.port),
            "protocolType": port.protocol,
            "accessUrl": None
            if host is None
            else f"{host}/instance-forward/{instance.access_hex}/{port.port}/",
        }
        for port in instance.spec.ports
    ]


def _script_path(instance: Instance) -> str | None:
    if not instance.spec.use_start_script:
        return None
    return f"/public/home/{instance.owner}/.sothisai/start_script_{instance.id}.sh"


def page(items: list[dict[str, object]], total: int, shape: ListShape) -> object:
    """The list ``data`` in the configured shape (reference §5.6: unknown, so all of them)."""
    if shape == "bare":
        return items
    return {"total": total, shape: items}


def resource_groups(groups: list[ResourceGroup], *, as_strings: bool) -> list[object]:
    if as_strings:
        return [group.name for group in groups]
    return [
        {"id": str(index), "name": group.name, "acceleratorType": group.accelerator}
        for index, group in enumerate(groups, start=1)
    ]
