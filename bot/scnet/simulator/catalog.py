"""The simulator's default world: regions, resource groups and the image catalog.

Two regions, so that a client's choice by ``clusterId`` is exercised: ``11250`` 华东一区【昆山】
(the reference's example) and ``11276`` 西北一区【西安】 (invented). Other values follow the doc
examples where there are any: the seed's image ``jupyter:4.4-py3.7-cpu`` at
``10.0.35.26:5000/gpu/admin/base/…``, the seed's DCU image
``jupyterlab:3.2.9-python3.8.3-dtk22.04.1`` (typed ``Base`` there, though it is a JupyterLab
image), the ``TeslaM40`` group of the resources page and the ``kshdtest`` queue a client uses.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

PLATFORM_CLUSTER: Final = "0"
PLATFORM_NAME: Final = "ac"


@dataclass(frozen=True, slots=True)
class Region:
    """One computing region: its token's ``clusterId`` and what ``/center`` says about it."""

    cluster_id: str
    name: str
    description: str
    efile_node: str  # efileUrls[].nodeName
    efile_udp_port: str  # efileUrls[].udpPort, a string like every value in the example


REGIONS: Final = (
    Region(
        "11250", "华东一区【昆山】", "昆山超算中心", efile_node="ks01r3n07", efile_udp_port="65104"
    ),
    Region(
        "11276", "西北一区【西安】", "西安超算中心", efile_node="xa02r1n03", efile_udp_port="65108"
    ),
)
"""Every region, in the order token minting lists them (the platform's ``ac`` token follows)."""
HOME_CLUSTER: Final = REGIONS[0].cluster_id
"""The region a user has an account in unless ``add_user(regions=…)`` says otherwise."""


def region(cluster_id: str) -> Region | None:
    return next((r for r in REGIONS if r.cluster_id == cluster_id), None)


def cluster_name(cluster_id: str) -> str:
    if cluster_id == PLATFORM_CLUSTER:
        return PLATFORM_NAME
    found = region(cluster_id)
    return found.name if found is not None else cluster_id


REGISTRY: Final = "10.0.35.26:5000"
_BASE_ICON: Final = "/global_resource/appIcon/appicon_base.png"
_LAB_ICON: Final = "/global_resource/appIcon/appicon_jupyterlab.png"


@dataclass(frozen=True, slots=True)
class ResourceGroup:
    """One queue of nodes, as ``GET …/resources`` describes it (reference §5.2)."""

    name: str
    accelerator: str
    cpus: int
    accelerators: int
    memory_mb: int
    nodes: int
    max_time: str = "unlimited"

    def limits(self) -> dict[str, object]:
        return {
            "id": None,
            "userName": None,
            "cpuNumber": self.cpus,
            "gpuNumber": self.accelerators,
            "memorySize": self.memory_mb,
            "nvLimits": self.accelerators if self.accelerator == "gpu" else 0,
            "dcuLimits": self.accelerators if self.accelerator == "dcu" else 0,
            "mluLimits": self.accelerators if self.accelerator == "mlu" else 0,
            "nodeNumber": self.nodes,
            "maxTime": self.max_time,
            "resourceGroup": self.name,
        }


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """One image as the images pages show it (seed ``getImages``)."""

    name: str
    tag: str
    accelerator: str
    type: str = "Base"
    access: str = "public"
    owner: str = "admin"
    preset: bool = True
    created: str = "2024-03-18 10:21:05"  # yyyy-MM-dd HH:mm:ss, China time
    path: str = ""

    @property
    def version(self) -> str:
        return f"{self.name}:{self.tag}"

    @property
    def image_path(self) -> str:
        return self.path or f"{REGISTRY}/{self.accelerator}/{self.owner}/base/{self.version}"

    def to_wire(self) -> dict[str, object]:
        digest = hashlib.sha256(f"{self.accelerator}/{self.version}".encode()).hexdigest()
        return {
            "id": digest[:32],
            "name": self.name,
            "tag": self.tag,
            "version": self.version,
            "path": self.image_path,
            "type": self.type,
            "acceleratorType": self.accelerator,
            "access": self.access,
            "isPresetImage": self.preset,
            "user": self.owner,
            "createTime": self.created,
            "appIcon": _LAB_ICON if self.type == "JupyterLab" else _BASE_ICON,
            "imageId": f"sha256:{hashlib.sha256(digest.encode()).hexdigest()}",
        }


def default_resource_groups() -> dict[str, ResourceGroup]:
    groups = (
        ResourceGroup("TeslaM40", "gpu", cpus=40, accelerators=2, memory_mb=31888, nodes=4),
        ResourceGroup("kshdtest", "dcu", cpus=32, accelerators=4, memory_mb=126976, nodes=8),
        ResourceGroup(
            "kshcpu",
            "cpu",
            cpus=64,
            accelerators=0,
            memory_mb=257024,
            nodes=16,
            max_time="72:00:00",
        ),
    )
    return {group.name: group for group in groups}


def demo_resource_groups() -> dict[str, ResourceGroup]:
    """The demo's world: the defaults behind a larger GPU group (listed first, so a create
    without ``group=`` lands there), whose nodes hold what the README's examples ask for."""
    larger = ResourceGroup("A800", "gpu", cpus=64, accelerators=8, memory_mb=1031168, nodes=4)
    return {larger.name: larger, **default_resource_groups()}


def default_images() -> list[ImageRecord]:
    return [
        ImageRecord("jupyter", "4.4-py3.7-cpu", "gpu", created="2022-05-11 19:30:34"),
        ImageRecord("pytorch", "2.1.0-py3.10-cuda12.1", "gpu", created="2024-01-09 15:02:11"),
        ImageRecord(
            "jupyterlab",
            "3.6.3-py3.10-cuda11.8",
            "gpu",
            type="JupyterLab",
            created="2023-07-21 09:44:52",
        ),
        ImageRecord(
            "jupyterlab", "3.2.9-python3.8.3-dtk22.04.1", "dcu", created="2022-10-31 17:00:47"
        ),
        ImageRecord(
            "pytorch", "2.1.0-ubuntu20.04-dtk24.04.1-py3.10", "dcu", created="2024-05-28 11:20:03"
        ),
        ImageRecord(
            "jupyterlab",
            "4.0.11-py3.10-dtk24.04.1",
            "dcu",
            type="JupyterLab",
            created="2024-06-03 16:37:29",
        ),
        ImageRecord("ubuntu", "22.04-py3.10", "cpu", created="2023-11-14 08:12:40"),
        ImageRecord(
            "jupyterlab",
            "4.0.11-py3.10-cpu",
            "cpu",
            type="JupyterLab",
            created="2024-02-19 13:55:17",
        ),
    ]
