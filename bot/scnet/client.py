"""The async SCNet client: the only code in the bot that speaks HTTP to SCNet.

One method per endpoint, typed results from ``bot.domain``, errors from ``bot.scnet.errors``.
Every call runs under the process-wide ``RequestBudget`` and an explicit per-request timeout.
Reads are retried on transient errors (``retry_read``); create, restart, stop and delete are
sent once: a blindly retried create can start a second billed instance, so a create without an
answer raises ``CreateOutcomeUnknown`` and the caller checks the list by name.

The caller's token travels only in the ``token`` header; it never appears in a log line, a
repr or an exception text, and neither does an access URL.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Final, Literal, Self, TypeVar

import aiohttp

from bot.domain.instances import (
    AccountInfo,
    CenterInfo,
    Image,
    Instance,
    InstancePage,
    InstanceSpec,
    ListFilter,
    NodeLimits,
    RegionToken,
)
from bot.domain.redaction import redact
from bot.domain.secret import Secret
from bot.scnet.budget import RequestBudget
from bot.scnet.errors import (
    ActionOutcomeUnknown,
    CreateOutcomeUnknown,
    HttpRefused,
    InstanceNotFound,
    MalformedResponse,
    NetworkError,
    RequestTimeout,
    ScnetError,
    TransientError,
    UpstreamHttpError,
    error_for_code,
)
from bot.scnet.models import (
    Envelope,
    InstanceListing,
    WireAccount,
    WireCenter,
    WireInstance,
    WireNodeLimits,
    clean_url,
    format_timeout,
    page_items,
    parse_id,
    parse_images,
    parse_region_tokens,
    parse_renewed_token,
)
from bot.scnet.retry import RetryPolicy, retry_read

log = logging.getLogger(__name__)
T = TypeVar("T")

INSTANCE_SERVICE: Final = "/ai/openapi/v2/instance-service"
SUCCESS_CODES: Final = frozenset({"0", "200"})
Method = Literal["GET", "POST", "DELETE"]
Query = Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a call is made for: the user's region token and, once known, the region's AI base."""

    token: Secret
    ai_base_url: str | None = None


@dataclass(frozen=True, slots=True)
class ClientOptions:
    api_url: str
    auth_url: str
    timeout: float = 15.0
    connect_timeout: float = 5.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    list_variant: Literal["task", "task/list"] = "task"
    images_variant: Literal["instance-service", "image"] = "instance-service"


@dataclass(frozen=True, slots=True)
class _Request:
    method: Method
    base: str
    path: str
    endpoint: str  # path template for logs and errors, e.g. "instance-service/{id}/detail"
    token: Secret | None = None
    query: Query = ()
    body: object = None
    headers: tuple[tuple[str, str], ...] = ()


class ScnetClient:
    def __init__(
        self,
        options: ClientOptions,
        *,
        budget: RequestBudget,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.options = options
        self.budget = budget
        self._session = session
        self._owns_session = session is None
        self._clock = clock
        self._sleep = sleep
        self._list_variant = options.list_variant
        self._images_variant = options.images_variant

    async def __aenter__(self) -> Self:
        self._ensure_session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
                raise_for_status=False,
            )
            self._owns_session = True
        return self._session

    # --- transport ------------------------------------------------------------------------

    async def _send(self, request: _Request) -> object:
        """One HTTP exchange: the envelope's ``data`` on success, a ScnetError otherwise."""
        await self.budget.acquire()
        session = self._ensure_session()
        headers = dict(request.headers)
        if request.token is not None:
            headers["token"] = request.token.reveal()
        payload: bytes | None = None
        if request.body is not None:
            payload = json.dumps(request.body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        timeout = aiohttp.ClientTimeout(
            total=self.options.timeout,
            connect=min(self.options.connect_timeout, self.options.timeout),
        )
        started = time.monotonic()
        try:
            async with session.request(
                request.method,
                request.base + request.path,
                params=list(request.query) or None,
                data=payload,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                status = response.status
                raw = await response.read()
        except TimeoutError:
            raise RequestTimeout(
                f"no answer within {self.options.timeout:g}s", endpoint=request.endpoint
            ) from None
        except aiohttp.ClientConnectorError as error:
            raise _NotSent(
                f"cannot connect ({type(error).__name__})", endpoint=request.endpoint
            ) from None
        except aiohttp.ClientError as error:
            raise NetworkError(type(error).__name__, endpoint=request.endpoint) from None
        log.debug(
            "scnet %s %s -> %d in %.0f ms",
            request.method,
            request.endpoint,
            status,
            (time.monotonic() - started) * 1000,
        )
        return _unwrap(raw, status=status, endpoint=request.endpoint)

    async def _send_action(self, request: _Request) -> object:
        """Send a restart, stop or delete once; no answer means the outcome is unknown."""
        try:
            return await self._send(request)
        except _NotSent:
            raise  # never reached SCNet: nothing happened
        except TransientError as error:
            raise ActionOutcomeUnknown(
                f"unanswered ({type(error).__name__})", endpoint=request.endpoint
            ) from None

    async def _read(self, request: _Request) -> object:
        return await retry_read(
            lambda: self._send(request),
            policy=self.options.retry,
            what=request.endpoint,
            sleep=self._sleep,
        )

    def _ai(self, caller: Caller) -> str:
        return caller.ai_base_url or self.options.api_url

    def _instance_request(
        self,
        caller: Caller,
        method: Method,
        path: str,
        endpoint: str,
        *,
        query: Query = (),
        body: object = None,
    ) -> _Request:
        return _Request(
            method=method,
            base=self._ai(caller),
            path=INSTANCE_SERVICE + path,
            endpoint="instance-service" + endpoint,
            token=caller.token,
            query=query,
            body=body,
        )

    # --- containers ---------------------------------------------------------------------------

    async def create_instance(self, caller: Caller, spec: InstanceSpec) -> str:
        request = self._instance_request(caller, "POST", "/task", "/task", body=create_body(spec))
        try:
            data = await self._send(request)
        except _NotSent:
            raise
        except TransientError as error:
            raise CreateOutcomeUnknown(
                f"create of {spec.name!r} unanswered ({type(error).__name__})",
                endpoint=request.endpoint,
            ) from None
        instance_id = parse_id(data)
        if not instance_id:
            raise CreateOutcomeUnknown(
                f"create of {spec.name!r} answered without an id", endpoint=request.endpoint
            )
        return instance_id

    async def get_instance(self, caller: Caller, instance_id: str) -> Instance:
        path = f"/{_check_id(instance_id)}/detail"
        data = await self._read(self._instance_request(caller, "GET", path, "/{id}/detail"))
        if not isinstance(data, dict) or not data:
            raise InstanceNotFound(instance_id[:40], endpoint="instance-service/{id}/detail")
        instance = WireInstance.model_validate(data).to_domain()
        if not instance.id:
            return _with_id(instance, instance_id)
        return instance

    async def get_access_url(self, caller: Caller, instance_id: str) -> Secret:
        path = f"/{_check_id(instance_id)}/url"
        data = await self._read(self._instance_request(caller, "GET", path, "/{id}/url"))
        url = clean_url(data) if isinstance(data, str) else ""
        if not url.startswith(("http://", "https://")):
            raise MalformedResponse("url answer holds no URL", endpoint="instance-service/{id}/url")
        return Secret(url)

    async def restart_instance(self, caller: Caller, instance_id: str) -> str:
        request = self._instance_request(
            caller,
            "POST",
            "/task/actions/restart",
            "/task/actions/restart",
            query=(("instanceServiceId", _check_id(instance_id)),),
        )
        return parse_id(await self._send_action(request)) or instance_id

    async def stop_instances(self, caller: Caller, instance_ids: Sequence[str]) -> None:
        query = tuple(("ids", _check_id(i)) for i in instance_ids)
        await self._send_action(
            self._instance_request(
                caller, "POST", "/task/actions/stop", "/task/actions/stop", query=query
            )
        )

    async def delete_instances(self, caller: Caller, instance_ids: Sequence[str]) -> None:
        query = tuple(("ids", _check_id(i)) for i in instance_ids)
        await self._send_action(
            self._instance_request(caller, "DELETE", "/task", "/task", query=query)
        )

    async def list_instances(
        self, caller: Caller, filters: ListFilter | None = None
    ) -> InstancePage:
        return (await self.read_instance_list(caller, filters)).page()

    async def read_instance_list(
        self, caller: Caller, filters: ListFilter | None = None
    ) -> InstanceListing:
        """The list as read, parsed lazily: for callers that look at a few of its items."""
        fields = list_fields(filters or ListFilter())
        if self._list_variant == "task":
            body_request = self._instance_request(caller, "GET", "/task", "/task", body=fields)
            try:
                return InstanceListing(await self._read(body_request))
            except HttpRefused as error:
                if not error.endpoint_missing:
                    raise
                log.info("GET task with a body answered %s; using task/list", error.status)
                self._list_variant = "task/list"
        query = tuple((k, str(v)) for k, v in fields.items() if v is not None)
        request = self._instance_request(caller, "GET", "/task/list", "/task/list", query=query)
        return InstanceListing(await self._read(request))

    async def list_images(
        self,
        caller: Caller,
        *,
        accelerator: str | None = None,
        image_type: str | None = None,
    ) -> tuple[Image, ...]:
        if self._images_variant == "instance-service":
            body = {"acceleratorType": accelerator, "imageType": image_type}
            request = self._instance_request(
                caller,
                "GET",
                "/images",
                "/images",
                body={k: v for k, v in body.items() if v is not None},
            )
            try:
                return parse_images(await self._read(request))
            except HttpRefused as error:
                if not error.endpoint_missing:
                    raise
                log.info("GET images with a body answered %s; using image/images", error.status)
                self._images_variant = "image"
        return await self._list_images_new(caller, accelerator, image_type)

    async def _list_images_new(
        self, caller: Caller, accelerator: str | None, image_type: str | None
    ) -> tuple[Image, ...]:
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
        request = _Request(
            method="POST",
            base=self._ai(caller),
            path="/ai/openapi/v2/image/images",
            endpoint="image/images",
            token=caller.token,
            body=body,
        )
        return parse_images(await self._read(request))

    async def get_node_limits(
        self, caller: Caller, *, accelerator: str, resource_group: str
    ) -> NodeLimits:
        query = (("acceleratorType", accelerator), ("resourceGroup", resource_group))
        request = self._instance_request(caller, "GET", "/resources", "/resources", query=query)
        data = await self._read(request)
        if not isinstance(data, dict):
            raise MalformedResponse("resources answer is not an object", endpoint="resources")
        return WireNodeLimits.model_validate(data).to_domain(resource_group)

    async def list_resource_groups(self, caller: Caller) -> tuple[str, ...]:
        request = self._instance_request(caller, "GET", "/resource-group", "/resource-group")
        items, _ = page_items(await self._read(request))
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

    # --- accounts and tokens -----------------------------------------------------------------

    def _auth_request(
        self,
        method: Method,
        path: str,
        *,
        token: Secret | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> _Request:
        return _Request(
            method=method,
            base=self.options.auth_url,
            path=path,
            endpoint=path.removeprefix("/ac/openapi/v2/").removeprefix("/"),
            token=token,
            headers=headers,
        )

    async def get_account(self, token: Secret) -> AccountInfo:
        data = await self._read(self._auth_request("GET", "/ac/openapi/v2/user", token=token))
        if not isinstance(data, dict):
            raise MalformedResponse("user answer is not an object", endpoint="user")
        return WireAccount.model_validate(data).to_domain()

    async def check_token(self, token: Secret) -> None:
        """Raises ``TokenInvalid`` (or another AuthError) unless SCNet accepts the token."""
        await self._read(self._auth_request("GET", "/ac/openapi/v2/tokens/state", token=token))

    async def renew_token(self, token: Secret) -> Secret:
        # Renewal is a write (SCNet may invalidate the old token), so it is sent once.
        data = await self._send(
            self._auth_request("POST", "/ac/openapi/v2/tokens/next", token=token)
        )
        renewed = parse_renewed_token(data)
        if not renewed:
            raise MalformedResponse("tokens/next answered no token", endpoint="tokens/next")
        return Secret(renewed)

    async def get_center(self, token: Secret) -> CenterInfo:
        data = await self._read(self._auth_request("GET", "/ac/openapi/v2/center", token=token))
        if isinstance(data, list):
            data = next((item for item in data if isinstance(item, dict)), None)
        if not isinstance(data, dict):
            raise MalformedResponse("center answer is not an object", endpoint="center")
        return WireCenter.model_validate(data).to_domain()

    async def tokens_with_keys(
        self, *, user: str, access_key: Secret, secret_key: Secret
    ) -> tuple[RegionToken, ...]:
        timestamp = str(int(self._clock()))
        signature = sign_request(
            user=user, access_key=access_key, secret_key=secret_key, timestamp=timestamp
        )
        headers = (
            ("user", user),
            ("accessKey", access_key.reveal()),
            ("timestamp", timestamp),
            ("signature", signature.reveal()),
        )
        request = self._auth_request("POST", "/api/user/v3/tokens", headers=headers)
        return parse_region_tokens(await self._send(request))

    async def tokens_with_password(
        self, *, user: str, password: Secret, org_id: str
    ) -> tuple[RegionToken, ...]:
        headers = (("user", user), ("password", password.reveal()), ("orgId", org_id))
        request = self._auth_request("POST", "/ac/openapi/v2/tokens", headers=headers)
        return parse_region_tokens(await self._send(request))


class _NotSent(NetworkError):
    """The connection was never made, so nothing reached SCNet (safe even for a create)."""


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


def create_body(spec: InstanceSpec) -> dict[str, object]:
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
    return {
        "start": filters.start,
        "limit": filters.limit,
        "sort": filters.sort,
        "status": filters.status,
        "taskType": filters.task_type,
        "instanceServiceName": filters.name,
    }


def _check_id(instance_id: str) -> str:
    """Instance ids go into URL paths: refuse anything that could change the path."""
    cleaned = instance_id.strip()
    if not cleaned or not all(ch.isalnum() or ch in "-_" for ch in cleaned) or len(cleaned) > 64:
        raise InstanceNotFound(cleaned[:40], endpoint="instance-service")
    return cleaned


def _with_id(instance: Instance, instance_id: str) -> Instance:
    return replace(instance, id=instance_id)


def _unwrap(raw: bytes, *, status: int, endpoint: str) -> object:
    envelope = _envelope(raw)
    if envelope is None:
        if status >= 500 or status == 429:
            raise UpstreamHttpError(status=status, endpoint=endpoint)
        if status >= 400:
            raise HttpRefused(status=status, endpoint=endpoint)
        raise MalformedResponse(f"HTTP {status} without SCNet's envelope", endpoint=endpoint)
    if envelope.code in SUCCESS_CODES:
        if status >= 400:
            raise UpstreamHttpError(status=status, endpoint=endpoint)
        return envelope.data
    raise error_for_code(envelope.code, _safe_msg(envelope.msg), endpoint=endpoint)


def _envelope(raw: bytes) -> Envelope | None:
    try:
        decoded = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(decoded, dict) or "code" not in decoded:
        return None
    try:
        return Envelope.model_validate(decoded)
    except ValueError:
        return None


def _safe_msg(msg: str) -> str:
    """SCNet's msg, cut short and with anything URL- or token-like masked."""
    return redact(msg.strip())[:200]


__all__ = [
    "Caller",
    "ClientOptions",
    "ScnetClient",
    "ScnetError",
    "create_body",
    "list_fields",
    "sign_request",
]
