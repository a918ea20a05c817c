"""Sample domain data for the builder and console tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.instances import Image, Instance, Resources, TokenClaims

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
INSTANCE_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def make_instance(index: int = 0, **changes: object) -> Instance:
    instance = Instance(
        id=f"{index:08x}" + INSTANCE_ID[8:],
        name=f"train-{index}",
        status="Running",
        task_type="jupyter",
        accelerator="dcu",
        resources=Resources(cpus=8, gpus=1, ram_mb=32768),
        resource_group="kshdtest",
        version="jupyterlab:1.0",
        image_path="registry.example.cn/ai/jupyterlab:1.0",
        timeout_limit=timedelta(hours=4),
        created_at=NOW - timedelta(hours=1),
        started_at=NOW - timedelta(minutes=50),
        user_name="alice",
        description="first run",
    )
    return replace(instance, **changes)  # type: ignore[arg-type]


def make_images(count: int, accelerators: tuple[str, ...] = ("gpu", "dcu", "cpu")) -> list[Image]:
    return [
        Image(
            id=f"{index:032x}",
            name="jupyterlab",
            tag=f"{index}.0",
            version=f"jupyterlab:{index}.0",
            path=f"registry.example.cn/ai/jupyterlab:{index}.0",
            type="JupyterLab" if index % 2 else "Base",
            accelerator=accelerators[index % len(accelerators)],
        )
        for index in range(count)
    ]


def make_claims(expires_in: timedelta = timedelta(hours=20)) -> TokenClaims:
    return TokenClaims(user="alice", cluster_id="11250", expires_at=NOW + expires_in)
