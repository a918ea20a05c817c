"""``create``: its options, from the command line or from the create modal, and the spec.

Options (``key=value``, keys case-insensitive; ``port`` and ``mount`` may repeat):

=========  ===============================================  =============================
key        value                                            default (``CreateDefaults``)
=========  ===============================================  =============================
name       1..64 of letters, digits, CJK, ``_.-``           chosen by the bot
type       jupyter | ssh | codeserver | rstudio             jupyter
accel      gpu | dcu | mlu | cpu                            the image's
gpus       0..64 cards per container                        1, or 0 for a cpu image
cpus       1..256 cores per container                       4
ram        512 MB .. 2 TB: ``16384`` (MB), ``16G``          16G
group      resource group name                              the service picks one
tasks      1..32 containers                                 1
timeout    ``HH:MM:SS`` (1 min .. 720 h) or ``unlimited``   04:00:00
port       ``N``, ``N/http`` or ``N/ssh``; up to 10         none
mount      ``src:dst[:data|path]``, dst absolute; up to 10  none
script     start script, up to 3000 characters              none
desc       description, up to 500 characters                empty
=========  ===============================================  =============================
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Final, TypeVar

from bot.domain.instances import (
    ACCELERATORS,
    TASK_TYPES,
    Accelerator,
    Image,
    InstanceSpec,
    MountSpec,
    PortSpec,
    Resources,
    TaskType,
)

from .bounds import CREATE_BOUNDS, CREATE_DEFAULTS, CreateDefaults
from .model import NOT_GIVEN, Create, NotGiven, UsageError, usage
from .tokens import Word
from .values import (
    parse_choice,
    parse_group,
    parse_image,
    parse_int,
    parse_mount,
    parse_name,
    parse_port,
    parse_ram,
    parse_text,
    parse_timeout,
)

CREATE_KEYS: Final = (
    "name",
    "type",
    "accel",
    "gpus",
    "cpus",
    "ram",
    "group",
    "tasks",
    "timeout",
    "port",
    "mount",
    "script",
    "desc",
)
REPEATABLE_KEYS: Final = frozenset({"port", "mount"})
T = TypeVar("T")
_TASK_TYPES: Final[Mapping[str, TaskType]] = {value: value for value in TASK_TYPES}
_ACCELERATORS: Final[Mapping[str, Accelerator]] = {value: value for value in ACCELERATORS}


@dataclass(frozen=True, slots=True)
class CreateFlags:
    force: bool = False
    public: bool = False


def unknown_key(raw_key: str, valid: Sequence[str]) -> UsageError:
    """An unknown option key, with the closest valid key when one is close."""
    close = difflib.get_close_matches(raw_key.lower(), valid, n=1)
    valid_text = ", ".join(valid)
    if close:
        return usage(
            "usage.unknown_key_suggest", part=raw_key, suggestion=close[0], valid=valid_text
        )
    return usage("usage.unknown_key", part=raw_key, valid=valid_text)


def collect_options(
    words: Sequence[Word], valid: Sequence[str], repeatable: frozenset[str] = frozenset()
) -> tuple[dict[str, str], dict[str, list[str]]] | UsageError:
    """``key=value`` words as single and repeated values, checking keys, duplicates, emptiness."""
    single: dict[str, str] = {}
    repeated: dict[str, list[str]] = {}
    for word in words:
        key = word.key.lower()
        if not key or not key.isascii() or not key.isalpha():
            return usage("usage.malformed_option", part=word.text)
        if key not in valid:
            return unknown_key(word.key, valid)
        if not word.value:
            return usage("usage.empty_value", part=word.text, key=key)
        if key in repeatable:
            repeated.setdefault(key, []).append(word.value)
        elif key in single:
            return usage("usage.duplicate_key", part=word.text, key=key)
        else:
            single[key] = word.value
    return single, repeated


def parse_create(words: Sequence[Word], flags: CreateFlags) -> Create | UsageError:
    positional = [word for word in words if not word.is_option]
    if len(positional) > 1:
        return usage("usage.unexpected_argument", part=positional[1].text)
    collected = collect_options([w for w in words if w.is_option], CREATE_KEYS, REPEATABLE_KEYS)
    if isinstance(collected, UsageError):
        return collected
    single, repeated = collected
    image = positional[0].text if positional else None
    return build_create(
        image,
        single,
        ports=repeated.get("port", ()),
        mounts=repeated.get("mount", ()),
        flags=flags,
    )


def create_from_fields(
    image: str | None,
    fields: Mapping[str, str],
    *,
    flags: CreateFlags = CreateFlags(),
) -> Create | UsageError:
    """``Create`` from the create modal's text fields, keyed like the command's options.

    Empty fields are "not given". ``port`` and ``mount`` hold several values separated by
    spaces, commas or new lines. An error's ``key`` param names the field to flag.
    """
    unknown = sorted(set(fields) - set(CREATE_KEYS))
    if unknown:
        return unknown_key(unknown[0], CREATE_KEYS)
    given = {key: value.strip() for key, value in fields.items() if value.strip()}
    return build_create(
        (image or "").strip() or None,
        {key: value for key, value in given.items() if key not in REPEATABLE_KEYS},
        ports=_split_list(given.get("port", "")),
        mounts=_split_list(given.get("mount", "")),
        flags=flags,
    )


def _split_list(text: str) -> list[str]:
    return text.replace(",", " ").split()


class _Rejected(Exception):
    """Carries a usage error out of ``build_create``'s one expression; never leaves it."""

    def __init__(self, error: UsageError) -> None:
        super().__init__(error.key)
        self.error = error


def _option(
    single: Mapping[str, str], key: str, parser: Callable[[str], T | UsageError]
) -> T | None:
    raw = single.get(key)
    if raw is None:
        return None
    value = parser(raw)
    if isinstance(value, UsageError):
        raise _Rejected(_with_key(value, key))
    return value


def _checked(value: T | UsageError, key: str) -> T:
    if isinstance(value, UsageError):
        raise _Rejected(_with_key(value, key))
    return value


def build_create(
    image: str | None,
    single: Mapping[str, str],
    *,
    ports: Sequence[str],
    mounts: Sequence[str],
    flags: CreateFlags,
) -> Create | UsageError:
    """``Create`` from raw option values; the first invalid one gives the usage error."""
    bounds = CREATE_BOUNDS
    try:
        return Create(
            image=_checked(parse_image(image), "image") if image is not None else None,
            name=_option(single, "name", parse_name),
            task_type=_option(single, "type", lambda raw: parse_choice("type", raw, _TASK_TYPES)),
            accelerator=_option(
                single, "accel", lambda raw: parse_choice("accel", raw, _ACCELERATORS)
            ),
            gpus=_option(single, "gpus", lambda raw: parse_int("gpus", raw, bounds.gpus)),
            cpus=_option(single, "cpus", lambda raw: parse_int("cpus", raw, bounds.cpus)),
            ram_mb=_option(single, "ram", lambda raw: parse_ram("ram", raw, bounds.ram_mb)),
            resource_group=_option(single, "group", parse_group),
            tasks=_option(single, "tasks", lambda raw: parse_int("tasks", raw, bounds.tasks)),
            timeout=(
                _checked(parse_timeout(single["timeout"]), "timeout")
                if "timeout" in single
                else NOT_GIVEN
            ),
            ports=_checked(_parse_ports(ports), "port"),
            mounts=_checked(_parse_mounts(mounts), "mount"),
            script=_option(
                single, "script", lambda raw: parse_text("script", raw, bounds.script_chars)
            ),
            description=_option(
                single, "desc", lambda raw: parse_text("desc", raw, bounds.description_chars)
            ),
            force=flags.force,
            public=flags.public,
        )
    except _Rejected as rejected:
        return rejected.error


def _with_key(error: UsageError, key: str) -> UsageError:
    """The error with a ``key`` param, so the create modal knows which field to flag."""
    if error.param("key") is not None:
        return error
    return replace(error, params=(*error.params, ("key", key)))


def _parse_ports(raws: Sequence[str]) -> tuple[PortSpec, ...] | UsageError:
    return _parse_repeated(
        raws,
        parse_port,
        key="port",
        limit=CREATE_BOUNDS.max_ports,
        identity=lambda port: port.container_port,
        duplicate="usage.duplicate_port",
    )


def _parse_mounts(raws: Sequence[str]) -> tuple[MountSpec, ...] | UsageError:
    return _parse_repeated(
        raws,
        parse_mount,
        key="mount",
        limit=CREATE_BOUNDS.max_mounts,
        identity=lambda mount: mount.target,
        duplicate="usage.duplicate_mount_target",
    )


def _parse_repeated(
    raws: Sequence[str],
    parse: Callable[[str], T | UsageError],
    *,
    key: str,
    limit: int,
    identity: Callable[[T], object],
    duplicate: str,
) -> tuple[T, ...] | UsageError:
    """The values of a repeatable option: at most ``limit``, none twice by ``identity``."""
    if len(raws) > limit:
        return usage("usage.too_many", key=key, limit=limit)
    values: list[T] = []
    for raw in raws:
        value = parse(raw)
        if isinstance(value, UsageError):
            return value
        if any(identity(known) == identity(value) for known in values):
            return usage(duplicate, part=raw)
        values.append(value)
    return tuple(values)


def resolved_timeout(
    command: Create, defaults: CreateDefaults = CREATE_DEFAULTS
) -> timedelta | None:
    if isinstance(command.timeout, NotGiven):
        return defaults.timeout
    return command.timeout


def instance_spec(
    command: Create,
    *,
    image: Image,
    resource_group: str,
    default_name: str,
    defaults: CreateDefaults = CREATE_DEFAULTS,
) -> InstanceSpec:
    """What to send SCNet for ``command`` once its image and resource group are known.

    ``resource_group`` is used when the command names none.
    """
    accelerator = command.accelerator or image.accelerator
    gpus = command.gpus if command.gpus is not None else defaults.gpus_for(accelerator)
    return InstanceSpec(
        name=command.name or default_name,
        task_type=command.task_type or defaults.task_type,
        accelerator=accelerator,
        resource_group=command.resource_group or resource_group,
        version=image.version,
        image_path=image.path,
        resources=Resources(
            cpus=command.cpus if command.cpus is not None else defaults.cpus,
            gpus=gpus,
            ram_mb=command.ram_mb if command.ram_mb is not None else defaults.ram_mb,
            task_number=command.tasks if command.tasks is not None else defaults.tasks,
        ),
        timeout_limit=resolved_timeout(command, defaults),
        description=command.description or "",
        start_script=command.script,
        mounts=command.mounts,
        ports=command.ports,
    )
