"""The list and image queries: the same fields whether they come in a JSON body or a query.

List (reference §5.6): ``GET …/task`` with a JSON body, and ``GET …/task/list`` with the same
fields as query parameters. ``limit`` and ``sort`` are required (10003); ``sort`` is ``desc`` or
``asc`` (either case), ``status``/``taskType`` must be known values (10004).
``instanceServiceName`` may be a string, an array of strings (the doc's table) or null, and
matches as a substring.

New images (§5.4): ``POST /ai/openapi/v2/image/images`` requires ``access``, ``orderBy``,
``start``, ``limit`` and ``sort`` (``DESC``/``ASC``, either case). The old ``GET …/images`` takes
an optional ``acceleratorType`` and ``imageType``.
"""

from __future__ import annotations

from dataclasses import dataclass

from multidict import MultiMapping

from bot.domain.instances import TASK_TYPES, InstanceStatus
from bot.scnet.simulator import fields as f
from bot.scnet.simulator.wire import INVALID_PARAM, ApiError

STATUSES = tuple(status.value for status in InstanceStatus)
ORDER_BY = ("create_time", "share_time", "clone_times")


@dataclass(frozen=True, slots=True)
class ListQuery:
    start: int
    limit: int
    descending: bool
    status: str | None
    task_type: str | None
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImageQuery:
    access: str
    start: int
    limit: int
    descending: bool
    name: str | None
    type: str | None
    accelerator: str | None


def parse_list(fields: f.Fields) -> ListQuery:
    """From a JSON body (ints) or a query string (text): both arrive here as a mapping."""
    return ListQuery(
        start=_int(fields, "start", default=0),
        limit=_int(fields, "limit", minimum=1),
        descending=_descending(fields),
        status=f.text(fields, "status", choices=STATUSES, optional=True),
        task_type=f.text(fields, "taskType", choices=TASK_TYPES, optional=True),
        names=_names(fields.get("instanceServiceName")),
    )


def query_fields(query: MultiMapping[str]) -> f.Fields:
    """Query parameters as fields; a repeated key (``instanceServiceName``) becomes a list."""
    fields: dict[str, object] = {}
    for key in query:
        values = query.getall(key)
        fields[key] = values[0] if len(values) == 1 else list(values)
    return fields


def parse_images(fields: f.Fields) -> ImageQuery:
    f.text(fields, "orderBy", choices=ORDER_BY)
    return ImageQuery(
        access=f.required_text(fields, "access", choices=("public", "private")),
        start=_int(fields, "start"),
        limit=_int(fields, "limit", minimum=1),
        descending=_descending(fields),
        name=f.text(fields, "name", optional=True),
        type=f.text(fields, "type", optional=True),
        accelerator=f.text(fields, "acceleratorType", optional=True),
    )


def _int(fields: f.Fields, name: str, *, minimum: int = 0, default: int | None = None) -> int:
    return f.integer(fields, name, minimum=minimum, default=default, numeric_text=True)


def _descending(fields: f.Fields) -> bool:
    sort = f.required_text(fields, "sort").lower()
    if sort not in ("desc", "asc"):
        raise ApiError(INVALID_PARAM, "sort")
    return sort == "desc"


def _names(value: object) -> tuple[str, ...]:
    if f.is_blank(value):
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if item)
    raise ApiError(INVALID_PARAM, "instanceServiceName")
