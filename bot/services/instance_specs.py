"""What a ``create`` asks for, resolved against SCNet: the image it names, the resource group
and its node limits (read once per group and kept), and the spec built from them, refused
before SCNet is asked when no node of the group could hold it."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.commands import Create
from bot.domain.commands.create import instance_spec
from bot.domain.instances import Image, InstanceSpec, NodeLimits
from bot.scnet.client import Caller, ScnetClient
from bot.scnet.errors import InputError
from bot.services.errors import (
    ImageOtherAccelerator,
    ImageUnknown,
    NoResourceGroup,
    OverNodeLimits,
)


class SpecResolver:
    """Resolves a create's spec for ``InstanceService`` (create, and the queue's resolve)."""

    def __init__(self, client: ScnetClient) -> None:
        self._client = client
        self._groups: dict[tuple[str, str], NodeLimits] = {}

    async def spec(
        self, caller: Caller, command: Create, *, default_name: Callable[[], str]
    ) -> InstanceSpec:
        """The spec ``command`` asks for (named ``default_name()`` when it names none),
        checked against the node limits of its resource group."""
        assert command.image is not None
        image = await self._resolve_image(caller, command.image, command.accelerator)
        accelerator = command.accelerator or image.accelerator or "gpu"
        limits = await self._node_limits(caller, accelerator, command.resource_group)
        spec = instance_spec(
            command, image=image, resource_group=limits.resource_group, default_name=default_name()
        )
        check_node_limits(spec, limits)
        return spec

    async def _resolve_image(self, caller: Caller, wanted: str, accelerator: str | None) -> Image:
        images = await self._client.list_images(caller, accelerator=accelerator)
        for image in images:
            # The create form's image menu sends the image's id; commands send version or path.
            if wanted in {image.version, image.path} or (image.id and wanted == image.id):
                return image
        if "/" in wanted and ":" in wanted.rsplit("/", 1)[-1]:
            # A full registry path the list does not show (a private image): trust the user.
            version = wanted.rsplit("/", 1)[-1]
            name, tag = version.split(":", 1)
            return Image(
                id="",
                name=name,
                tag=tag,
                version=version,
                path=wanted,
                type="",
                accelerator=accelerator or _accelerator_in_path(wanted),
            )
        if accelerator is not None:
            # Named for another accelerator than ``accel=`` asks for: say so, not "no image".
            for image in await self._client.list_images(caller, accelerator=None):
                if wanted in {image.version, image.path} and image.accelerator != accelerator:
                    raise ImageOtherAccelerator(
                        image=wanted[:80], accelerator=image.accelerator, asked=accelerator
                    )
        stem = wanted.split(":", 1)[0]
        suggestions = [i.version for i in images if i.name == stem or stem in i.version]
        raise ImageUnknown(image=wanted[:80], suggestions=suggestions)

    async def _node_limits(
        self, caller: Caller, accelerator: str, wanted_group: str | None
    ) -> NodeLimits:
        key = (caller.ai_base_url or "", f"{accelerator}:{wanted_group or ''}")
        cached = self._groups.get(key)
        if cached is not None:
            return cached
        groups = [wanted_group] if wanted_group else await self._client.list_resource_groups(caller)
        for group in groups:
            try:
                limits = await self._client.get_node_limits(
                    caller, accelerator=accelerator, resource_group=group
                )
            except InputError:
                continue  # this group serves another accelerator
            self._groups[key] = limits
            return limits
        raise NoResourceGroup(accelerator=accelerator, group=wanted_group or "-")


def check_node_limits(spec: InstanceSpec, limits: NodeLimits) -> None:
    """Refuse what no node of the group can hold, before SCNet does it less clearly."""
    asked = spec.resources
    for what, wanted, most in (
        ("cpus", asked.cpus, limits.cpus),
        ("gpus", asked.gpus, limits.gpus),
        ("ram", asked.ram_mb, limits.memory_mb),
    ):
        if most and wanted > most:
            raise OverNodeLimits(what=what, asked=wanted, limit=most, group=limits.resource_group)


def _accelerator_in_path(path: str) -> str:
    for part in path.split("/"):
        if part in {"gpu", "dcu", "mlu", "cpu"}:
            return part
    return "gpu"
