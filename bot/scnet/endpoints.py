"""What each SCNet endpoint is sent, and what its answer is read as (reference §3-§6).

Request builders return ``transport.Request``s; parsers take the envelope's ``data`` and return
domain objects, through the lenient models of ``bot.scnet.models``. Neither does I/O:
``ScnetClient`` puts them around ``Transport`` and decides what may be retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from bot.domain.instances import (
    AccountInfo,
    CenterInfo,
    Instance,
    InstanceSpec,
    ListFilter,
    NodeLimits,
)
from bot.domain.secret import Secret
from bot.scnet.errors import InstanceNotFound, MalformedResponse
from bot.scnet.models import (
    WireAccount,
    WireCenter,
    WireInstance,
    WireNodeLimits,
    format_timeout,
    page_items,
    parse_renewed_token,
)
from bot.scnet.transport import Method, Query, Request
from bot.scnet.wire import clean_url

INSTANCE_SERVICE: Final = "/ai/openapi/v2/instance-service"
IMAGES_NEW: Final = "/ai/openapi/v2/image/images"
_AUTH_PREFIX: Final = "/ac/openapi/v2/"


# --- requests -------------------------------------------------------------------------------


def instance_request(
    base: str,
    token: Secret,
    method: Method,
    path: str,
    *,
    endpoint: str | None = None,
    query: Query = (),
    body: object = None,
) -> Request:
    """A request to ``instance-service`` + ``path``; ``endpoint`` is its template, if it differs."""
    return Request(
        method=method,
        base=base,
        path=INSTANCE_SERVICE + path,
        endpoint="instance-service" + (endpoint or path),
        token=token,
        query=query,
        body=body,
    )


def auth_request(
    base: str,
    method: Method,
    path: str,
    *,
    token: Secret | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Request:
    """A request to the ac/openapi (or /api/user) side: tokens, user, center."""
    return Request(
        method=method,
        base=base,
        path=path,
        endpoint=path.removeprefix(_AUTH_PREFIX).removeprefix("/"),
        token=token,
        headers=headers,
    )


def check_id(instance_id: str) -> str:
    """Instance ids go into URL paths: refuse anything that could change the path."""
    cleaned = instance_id.strip()
    if not cleaned or not all(ch.isalnum() or ch in "-_" for ch in cleaned) or len(cleaned) > 64:
        raise InstanceNotFound(cleaned[:40], endpoint="instance-service")
    return cleaned


def ids_query(instance_ids: Sequence[str]) -> Query:
    """``ids=a&ids=b``: how stop and delete name their instances."""
    return tuple(("ids", check_id(i)) for i in instance_ids)


def create_body(spec: InstanceSpec) -> dict[str, object]:
    """The create page's JSON body for ``spec`` (reference §5.5)."""
    return {
        "instanceServiceName": spec.name,
        "description": spec.description,
        "taskType": spec.task_type,
        "acceleratorType": spec.accelerator,
        "resourceGroup": spec.resource_group,
        "cpuNumber": spec.resources.cpus,
        "gpuNumber": spec.resources.gpus,
        "ramSize": spec.resources.ram_mb,
        "taskNumber": spec.resources.task_number,
        "version": spec.version,
        "imagePath": spec.image_path,
        "timeoutLimit": format_timeout(spec.timeout_limit),
        "useStartScript": bool(spec.start_script),
        "startScriptActionScope": spec.script_scope,
        "startScriptContent": _script_content(spec.start_script),
        "mountInfoList": [
            {"sourcePath": m.source, "targetPath": m.target, "type": m.kind} for m in spec.mounts
        ],
        "containerPortInfoList": [
            {"containerPort": p.container_port, "protocolType": p.protocol} for p in spec.ports
        ],
    }


def _script_content(script: str | None) -> str:
    if not script:
        return ""
    # The create page wants "\n" at the end of every line of a multi-line script.
    lines = script.replace("\r\n", "\n").split("\n")
    return "".join(line + "\n" for line in lines if line.strip())


def list_fields(filters: ListFilter) -> dict[str, object]:
    """The list's fields, as the JSON body of ``GET task`` (None: not sent as a query)."""
    return {
        "start": filters.start,
        "limit": filters.limit,
        "sort": filters.sort,
        "status": filters.status,
        "taskType": filters.task_type,
        "instanceServiceName": filters.name,
    }


def list_query(fields: dict[str, object]) -> Query:
    """The same fields as the query of ``GET task/list``."""
    return tuple((k, str(v)) for k, v in fields.items() if v is not None)


def old_images_body(accelerator: str | None, image_type: str | None) -> dict[str, object]:
    """The JSON body of ``GET instance-service/images`` (the seed's form)."""
    body = {"acceleratorType": accelerator, "imageType": image_type}
    return {k: v for k, v in body.items() if v is not None}


def new_images_body(accelerator: str | None, image_type: str | None) -> dict[str, object]:
    """The JSON body of ``POST image/images``: public images, newest first."""
    body: dict[str, object] = {
        "access": "public",
        "orderBy": "create_time",
        "start": 0,
        "limit": 500,
        "sort": "DESC",
    }
    if accelerator:
        body["acceleratorType"] = accelerator
    if image_type:
        body["type"] = image_type
    return body


def sign_request(*, user: str, access_key: Secret, secret_key: Secret, timestamp: str) -> Secret:
    """HMAC-SHA256 (key SK) over the exact compact JSON of reference §3.1, lowercase hex."""
    message = json.dumps(
        {"accessKey": access_key.reveal(), "timestamp": timestamp, "user": user},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    digest = hmac.new(
        secret_key.reveal().encode("utf-8"), message.encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return Secret(digest)


def key_login_headers(
    *, user: str, access_key: Secret, secret_key: Secret, timestamp: str
) -> tuple[tuple[str, str], ...]:
    """The headers of an AK/SK token request, signature included."""
    signature = sign_request(
        user=user, access_key=access_key, secret_key=secret_key, timestamp=timestamp
    )
    return (
        ("user", user),
        ("accessKey", access_key.reveal()),
        ("timestamp", timestamp),
        ("signature", signature.reveal()),
    )


# --- answers --------------------------------------------------------------------------------


def read_instance(data: object, instance_id: str) -> Instance:
    """A detail answer; an empty one means SCNet does not know the id (for this user)."""
    if not isinstance(data, dict) or not data:
        raise InstanceNotFound(instance_id[:40], endpoint="instance-service/{id}/detail")
    instance = WireInstance.model_validate(data).to_domain()
    if not instance.id:
        return replace(instance, id=instance_id)
    return instance


def read_access_url(data: object) -> Secret:
    """The url answer: the notebook's address, whitespace removed, kept secret."""
    url = clean_url(data) if isinstance(data, str) else ""
    if not url.startswith(("http://", "https://")):
        raise MalformedResponse("url answer holds no URL", endpoint="instance-service/{id}/url")
    return Secret(url)


def read_node_limits(data: object, resource_group: str) -> NodeLimits:
    """The resources answer: what one node of ``resource_group`` offers."""
    if not isinstance(data, dict):
        raise MalformedResponse("resources answer is not an object", endpoint="resources")
    return WireNodeLimits.model_validate(data).to_domain(resource_group)


def read_resource_groups(data: object) -> tuple[str, ...]:
    """The resource-group answer: group names, whether sent as strings or as objects."""
    items, _ = page_items(data)
    names: list[str] = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            for key in ("resourceGroup", "name", "code", "resourceGroupCode"):
                value = item.get(key)
                if isinstance(value, str) and value:
                    names.append(value)
                    break
    return tuple(names)


def read_account(data: object) -> AccountInfo:
    """The user answer."""
    if not isinstance(data, dict):
        raise MalformedResponse("user answer is not an object", endpoint="user")
    return WireAccount.model_validate(data).to_domain()


def read_renewed_token(data: object) -> Secret:
    """The tokens/next answer: the new token."""
    renewed = parse_renewed_token(data)
    if not renewed:
        raise MalformedResponse("tokens/next answered no token", endpoint="tokens/next")
    return Secret(renewed)


def read_center(data: object) -> CenterInfo:
    """The center answer (an object, or a list whose first object counts)."""
    if isinstance(data, list):
        data = next((item for item in data if isinstance(item, dict)), None)
    if not isinstance(data, dict):
        raise MalformedResponse("center answer is not an object", endpoint="center")
    return WireCenter.model_validate(data).to_domain()
