"""SCNet's objects and answers, parsed leniently, then turned into frozen domain objects.

Every documented quirk (reference §10) is absorbed here and in ``bot.scnet.wire`` (the
envelope and the scalars every answer shares) and nowhere else: ``data`` as an object where a
list is documented, a page in any of its forms, ``timeoutLimit`` as ``HH:MM:SS`` or
``unlimited``, unknown statuses and null times.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field

# The time-limit form is the domain's (the grammar and the help texts write it too).
from bot.domain.durations import format_timeout as format_timeout
from bot.domain.durations import parse_timeout as parse_timeout
from bot.domain.instances import (
    AccountInfo,
    CenterInfo,
    Image,
    Instance,
    InstancePage,
    MountKind,
    MountSpec,
    NodeLimits,
    PortSpec,
    Protocol,
    RegionToken,
    Resources,
)
from bot.domain.secret import Secret
from bot.scnet.wire import (
    LooseBool,
    LooseInt,
    LooseStr,
    WireModel,
    clean_url,
    normalise_ai_base,
    optional_text,
    parse_local_time,
)


class WirePort(WireModel):
    container_port: LooseInt = Field(default=0, alias="containerPort")
    protocol_type: LooseStr = Field(default="HTTP", alias="protocolType")
    access_url: str | None = Field(default=None, alias="accessUrl")

    def to_domain(self) -> PortSpec:
        """The domain form."""
        protocol: Protocol = "SSH" if self.protocol_type.upper() == "SSH" else "HTTP"
        url = clean_url(self.access_url) if self.access_url else ""
        return PortSpec(
            container_port=self.container_port,
            protocol=protocol,
            access_url=Secret(url) if url else None,
        )


class WireMount(WireModel):
    source_path: LooseStr = Field(default="", alias="sourcePath")
    target_path: LooseStr = Field(default="", alias="targetPath")
    type: LooseStr = "data"

    def to_domain(self) -> MountSpec:
        """The domain form."""
        kind: MountKind = "path" if self.type == "path" else "data"
        return MountSpec(source=self.source_path, target=self.target_path, kind=kind)


class WireInstance(WireModel):
    id: LooseStr = ""
    instance_service_id: LooseStr = Field(default="", alias="instanceServiceId")
    name: LooseStr = Field(default="", alias="instanceServiceName")
    status: LooseStr = ""
    task_type: LooseStr = Field(default="", alias="taskType")
    accelerator_type: LooseStr = Field(default="", alias="acceleratorType")
    cpu_number: LooseInt = Field(default=0, alias="cpuNumber")
    gpu_number: LooseInt = Field(default=0, alias="gpuNumber")
    ram_size: LooseInt = Field(default=0, alias="ramSize")
    task_number: LooseInt = Field(default=1, alias="taskNumber")
    resource_group: LooseStr = Field(default="", alias="resourceGroup")
    version: LooseStr = ""
    image_path: LooseStr = Field(default="", alias="imagePath")
    timeout_limit: str | None = Field(default=None, alias="timeoutLimit")
    create_time: str | None = Field(default=None, alias="createTime")
    start_time: str | None = Field(default=None, alias="startTime")
    end_time: str | None = Field(default=None, alias="endTime")
    duration: str | None = None
    remaining_time: str | None = Field(default=None, alias="remainingTime")
    user_name: LooseStr = Field(default="", alias="userName")
    description: LooseStr = ""
    ports: list[WirePort] | None = Field(default=None, alias="containerPortInfoList")
    mounts: list[WireMount] | None = Field(default=None, alias="mountInfoList")

    def to_domain(self) -> Instance:
        """The domain form."""
        try:
            timeout = parse_timeout(self.timeout_limit)
        except ValueError:
            timeout = None
        return Instance(
            id=(self.id or self.instance_service_id).strip(),
            name=self.name,
            status=self.status.strip(),
            task_type=self.task_type,
            accelerator=self.accelerator_type.lower(),
            resources=Resources(
                cpus=self.cpu_number,
                gpus=self.gpu_number,
                ram_mb=self.ram_size,
                task_number=max(1, self.task_number),
            ),
            resource_group=self.resource_group,
            version=self.version,
            image_path=self.image_path,
            timeout_limit=timeout,
            created_at=parse_local_time(self.create_time),
            started_at=parse_local_time(self.start_time),
            ended_at=parse_local_time(self.end_time),
            duration=optional_text(self.duration),
            remaining=optional_text(self.remaining_time),
            user_name=self.user_name,
            description=self.description,
            ports=tuple(port.to_domain() for port in self.ports or ()),
            mounts=tuple(mount.to_domain() for mount in self.mounts or ()),
        )


class WireImage(WireModel):
    id: LooseStr = ""
    name: LooseStr = ""
    tag: LooseStr = ""
    version: LooseStr = ""
    path: LooseStr = ""
    type: LooseStr = ""
    accelerator_type: LooseStr = Field(default="", alias="acceleratorType")
    access: LooseStr = "public"
    is_preset: LooseBool = Field(default=False, alias="isPresetImage")
    create_time: LooseStr = Field(default="", alias="createTime")

    def to_domain(self) -> Image:
        """The domain form."""
        version = self.version or (f"{self.name}:{self.tag}" if self.name and self.tag else "")
        return Image(
            id=self.id,
            name=self.name,
            tag=self.tag,
            version=version,
            path=self.path.strip(),
            type=self.type,
            accelerator=self.accelerator_type.lower(),
            access=self.access,
            preset=self.is_preset,
            created=self.create_time,
        )


class WireNodeLimits(WireModel):
    resource_group: LooseStr = Field(default="", alias="resourceGroup")
    cpu_number: LooseInt = Field(default=0, alias="cpuNumber")
    gpu_number: LooseInt = Field(default=0, alias="gpuNumber")
    memory_size: LooseInt = Field(default=0, alias="memorySize")
    node_number: LooseInt = Field(default=0, alias="nodeNumber")
    max_time: LooseStr = Field(default="unlimited", alias="maxTime")

    def to_domain(self, resource_group: str) -> NodeLimits:
        """The domain form, for the resource group it was read for."""
        return NodeLimits(
            resource_group=self.resource_group or resource_group,
            cpus=self.cpu_number,
            gpus=self.gpu_number,
            memory_mb=self.memory_size,
            node_count=self.node_number,
            max_time=self.max_time or "unlimited",
        )


class WireAccount(WireModel):
    user_name: LooseStr = Field(default="", alias="userName")
    full_name: LooseStr = Field(default="", alias="fullName")
    account_name: LooseStr = Field(default="", alias="accountName")
    account_status: LooseStr = Field(default="", alias="accountStatus")
    account_balance: LooseStr = Field(default="", alias="accountBalance")
    computer_center: LooseStr = Field(default="", alias="computerCenter")

    def to_domain(self) -> AccountInfo:
        """The domain form."""
        try:
            balance: Decimal | None = Decimal(self.account_balance.strip())
        except (InvalidOperation, ValueError):
            balance = None
        return AccountInfo(
            user_name=self.user_name,
            full_name=self.full_name,
            account_name=self.account_name,
            status=self.account_status,
            balance=balance,
            center=self.computer_center,
        )


class WireRegionToken(WireModel):
    cluster_id: LooseStr = Field(default="", alias="clusterId")
    cluster_name: LooseStr = Field(default="", alias="clusterName")
    token: str | None = None

    def to_domain(self) -> RegionToken:
        """The domain form."""
        token = (self.token or "").strip()
        return RegionToken(
            cluster_id=self.cluster_id,
            cluster_name=self.cluster_name,
            token=Secret(token) if token else None,
        )


class WireServiceUrl(WireModel):
    enable: LooseBool = True
    url: LooseStr = ""


class WireClusterUser(WireModel):
    user_name: LooseStr = Field(default="", alias="userName")
    home_path: LooseStr = Field(default="", alias="homePath")


class WireCenter(WireModel):
    id: LooseStr = ""
    name: LooseStr = ""
    cluster_user: WireClusterUser | None = Field(default=None, alias="clusterUserInfo")
    ai_urls: list[WireServiceUrl] | None = Field(default=None, alias="aiUrls")

    def to_domain(self) -> CenterInfo:
        """The domain form."""
        ai_url = None
        candidates = sorted(self.ai_urls or (), key=lambda entry: not entry.enable)
        for entry in candidates:
            ai_url = normalise_ai_base(entry.url)
            if ai_url:
                break
        user = self.cluster_user or WireClusterUser()
        return CenterInfo(
            region_id=self.id,
            region_name=self.name,
            ai_url=ai_url,
            cluster_user=user.user_name,
            home_path=user.home_path,
        )


_PAGE_KEYS = ("list", "records", "items", "rows", "data")


def page_items(data: object) -> tuple[list[object], int | None]:
    """A list, a single object, or a page object ``{total, list|records|items|rows}``."""
    if data is None:
        return [], 0
    if isinstance(data, list):
        return data, None
    if isinstance(data, dict):
        for key in _PAGE_KEYS:
            items = data.get(key)
            if isinstance(items, list):
                total = data.get("total")
                try:
                    return items, int(total) if total is not None else None
                except (TypeError, ValueError):
                    return items, None
        if data:
            return [data], None
        return [], 0
    return [], None


def parse_instances(data: object) -> InstancePage:
    """An instance list answer, parsed in full."""
    return InstanceListing(data).page()


def _peek_text(value: object) -> str:
    """What ``LooseStr`` makes of ``value``, stripped: without building the whole model."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


class InstanceListing:
    """One read of an instance list, parsed only as far as it is asked.

    Ids and statuses come at once, from the raw items; an instance is parsed in full the first
    time it is wanted. A watcher reading an owner's list every few seconds mostly finds every
    status where it was, and parsing forty items in full each time was most of its CPU.
    """

    __slots__ = ("_items", "_parsed", "_raw", "statuses", "total")

    def __init__(self, data: object) -> None:
        items, self.total = page_items(data)
        self._items: list[tuple[str, dict[str, Any]]] = []  # (id or "", item), SCNet's order
        self._raw: dict[str, dict[str, Any]] = {}
        self._parsed: dict[str, Instance] = {}
        self.statuses: dict[str, str] = {}  # id -> raw status, stripped
        for item in items:
            if not isinstance(item, dict):
                continue
            instance_id = _peek_text(item.get("id")) or _peek_text(item.get("instanceServiceId"))
            self._items.append((instance_id, item))
            if instance_id and instance_id not in self._raw:
                self._raw[instance_id] = item
                self.statuses[instance_id] = _peek_text(item.get("status"))

    def instance(self, instance_id: str) -> Instance | None:
        """The instance with this id, parsed in full (once), or None if the list lacks it."""
        parsed = self._parsed.get(instance_id)
        if parsed is None:
            raw = self._raw.get(instance_id)
            if raw is None:
                return None
            parsed = self._parsed[instance_id] = WireInstance.model_validate(raw).to_domain()
        return parsed

    def page(self) -> InstancePage:
        """Every item, parsed in full, in SCNet's order."""
        items = tuple(self._parsed_item(instance_id, raw) for instance_id, raw in self._items)
        return InstancePage(items=items, total=self.total)

    def _parsed_item(self, instance_id: str, raw: dict[str, Any]) -> Instance:
        if instance_id and self._raw.get(instance_id) is raw:
            parsed = self.instance(instance_id)
            assert parsed is not None  # ``raw`` is the item ``instance`` parses
            return parsed
        return WireInstance.model_validate(raw).to_domain()


def parse_images(data: object) -> tuple[Image, ...]:
    """An images answer, in either form."""
    items, _ = page_items(data)
    return tuple(WireImage.model_validate(i).to_domain() for i in items if isinstance(i, dict))


def parse_region_tokens(data: object) -> tuple[RegionToken, ...]:
    """A token answer: one token per region."""
    items, _ = page_items(data)
    return tuple(
        WireRegionToken.model_validate(i).to_domain() for i in items if isinstance(i, dict)
    )


def parse_id(data: object) -> str:
    """Create/restart answer the id as a string; an unverified mock wraps it in an object."""
    if isinstance(data, str):
        return data.strip()
    if isinstance(data, dict):
        for key in ("instanceServiceId", "id", "taskId"):
            value = data.get(key)
            if isinstance(value, str | int) and str(value).strip():
                return str(value).strip()
    return ""


def parse_renewed_token(data: object) -> str:
    """tokens/next: a string (what the only public client reads), ``{token}`` or ``[{token}]``."""
    if isinstance(data, str):
        return data.strip()
    if isinstance(data, dict):
        value = data.get("token")
        return value.strip() if isinstance(value, str) else ""
    if isinstance(data, list):
        for item in data:
            found = parse_renewed_token(item)
            if found:
                return found
    return ""
