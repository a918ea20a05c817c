"""Create beyond the command line: the modal's fields, the defaults, and the spec for SCNet."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.commands import (
    CREATE_DEFAULTS,
    CREATE_KEYS,
    Create,
    CreateDefaults,
    CreateFlags,
    UsageError,
    create_from_fields,
    instance_spec,
    parse_command,
)
from bot.domain.instances import Image, MountSpec, PortSpec, Resources

CPU_IMAGE = Image(
    id="1" * 32,
    name="jupyter",
    tag="4.4-py3.7-cpu",
    version="jupyter:4.4-py3.7-cpu",
    path="registry.example.cn/ai/jupyter:4.4-py3.7-cpu",
    type="JupyterLab",
    accelerator="cpu",
)
DCU_IMAGE = Image(
    id="2" * 32,
    name="jupyterlab",
    tag="1.0",
    version="jupyterlab:1.0",
    path="registry.example.cn/ai/jupyterlab:1.0-dtk",
    type="JupyterLab",
    accelerator="dcu",
)


def test_defaults_are_the_documented_ones() -> None:
    documented = CreateDefaults(
        task_type="jupyter",
        cpus=4,
        ram_mb=16384,
        gpus_accelerated=1,
        gpus_cpu_only=0,
        tasks=1,
        timeout=timedelta(hours=4),
    )
    assert documented == CREATE_DEFAULTS


@pytest.mark.parametrize(("accelerator", "gpus"), [("gpu", 1), ("dcu", 1), ("mlu", 1), ("cpu", 0)])
def test_default_gpus_follow_the_accelerator(accelerator: str, gpus: int) -> None:
    assert CREATE_DEFAULTS.gpus_for(accelerator) == gpus


def test_spec_fills_defaults_from_the_image() -> None:
    command = parse_command("create jupyterlab:1.0")
    assert isinstance(command, Create)
    spec = instance_spec(command, image=DCU_IMAGE, resource_group="kshdtest", default_name="bot-1")
    assert spec.name == "bot-1"
    assert spec.task_type == "jupyter"
    assert spec.accelerator == "dcu"
    assert spec.resource_group == "kshdtest"
    assert spec.version == "jupyterlab:1.0"
    assert spec.image_path == DCU_IMAGE.path
    assert spec.resources == Resources(cpus=4, gpus=1, ram_mb=16384, task_number=1)
    assert spec.timeout_limit == timedelta(hours=4)
    assert spec.start_script is None


def test_spec_on_a_cpu_image_has_no_cards() -> None:
    command = parse_command("create jupyter:4.4-py3.7-cpu")
    assert isinstance(command, Create)
    spec = instance_spec(command, image=CPU_IMAGE, resource_group="g", default_name="n")
    assert spec.resources.gpus == 0


def test_spec_uses_what_the_command_gave() -> None:
    command = parse_command(
        "create x name=train type=ssh accel=gpu gpus=0 cpus=2 ram=1024 group=own tasks=3 "
        "timeout=unlimited port=22/ssh mount=a:/b script=run.sh desc=d"
    )
    assert isinstance(command, Create)
    spec = instance_spec(command, image=DCU_IMAGE, resource_group="kshdtest", default_name="n")
    assert (spec.name, spec.task_type, spec.accelerator, spec.resource_group) == (
        "train",
        "ssh",
        "gpu",
        "own",
    )
    assert spec.resources == Resources(cpus=2, gpus=0, ram_mb=1024, task_number=3)
    assert spec.timeout_limit is None
    assert spec.ports == (PortSpec(22, "SSH"),)
    assert spec.mounts == (MountSpec("a", "/b", "data"),)
    assert (spec.start_script, spec.description) == ("run.sh", "d")


def test_modal_fields_parse_like_the_command_line() -> None:
    fields = dict.fromkeys(CREATE_KEYS, "")
    fields |= {
        "name": " train ",
        "gpus": "2",
        "ram": "32G",
        "timeout": "unlimited",
        "port": "8888/http, 22/ssh",
        "mount": "a:/a\nb:/b:path",
        "script": "pip install x && python a.py",
    }
    assert create_from_fields("jupyterlab:1.0", fields, flags=CreateFlags(force=True)) == Create(
        image="jupyterlab:1.0",
        name="train",
        gpus=2,
        ram_mb=32768,
        timeout=None,
        ports=(PortSpec(8888, "HTTP"), PortSpec(22, "SSH")),
        mounts=(MountSpec("a", "/a", "data"), MountSpec("b", "/b", "path")),
        script="pip install x && python a.py",
        force=True,
    )


def test_modal_errors_name_the_field() -> None:
    error = create_from_fields("x", {"cpus": "999"})
    assert isinstance(error, UsageError)
    assert error.param("key") == "cpus"
    error = create_from_fields("x", {"timeout": "soon"})
    assert isinstance(error, UsageError)
    assert error.param("key") == "timeout"
    error = create_from_fields("x", {"port": "1 2 3 4 5 6 7 8 9 10 11"})
    assert isinstance(error, UsageError)
    assert (error.key, error.param("key")) == ("usage.too_many", "port")
    error = create_from_fields("bad image", {})
    assert isinstance(error, UsageError)
    assert error.param("key") == "image"


def test_modal_refuses_fields_it_does_not_know() -> None:
    error = create_from_fields("x", {"colour": "red"})
    assert isinstance(error, UsageError)
    assert error.key == "usage.unknown_key"


def test_empty_modal_fields_are_not_given() -> None:
    assert create_from_fields("", dict.fromkeys(CREATE_KEYS, " ")) == Create()
