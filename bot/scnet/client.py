"""The async SCNet client: the only code in the bot that speaks HTTP to SCNet.

One method per endpoint, typed results from ``bot.domain``, errors from ``bot.scnet.errors``.
What each endpoint is sent and how its answer is read lives in ``bot.scnet.endpoints``; sending,
the envelope and the retry of reads in ``bot.scnet.transport``. Here each method decides what
may be retried: reads are (``Transport.read``); create, restart, stop, delete and the token
requests are sent once: a blindly retried create can start a second billed instance, so a
create without an answer raises ``CreateOutcomeUnknown`` and the caller checks the list by name.

The caller's token travels only in the ``token`` header; it never appears in a log line, a
repr or an exception text, and neither does an access URL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal, Self

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
from bot.domain.secret import Secret
from bot.scnet import endpoints
from bot.scnet.budget import RequestBudget
from bot.scnet.endpoints import create_body, list_fields, sign_request
from bot.scnet.errors import CreateOutcomeUnknown, HttpRefused, ScnetError, TransientError
from bot.scnet.models import InstanceListing, parse_id, parse_images, parse_region_tokens
from bot.scnet.retry import RetryPolicy
from bot.scnet.transport import (
    Deadline,
    Method,
    NotSent,
    ObserveRequest,
    Query,
    Request,
    Transport,
)

log = logging.getLogger(__name__)


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


class ScnetClient:
    """SCNet's container and token endpoints, called as the user a ``Caller`` stands for."""

    def __init__(
        self,
        options: ClientOptions,
        *,
        budget: RequestBudget,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        observe: ObserveRequest | None = None,
        deadline: Deadline = asyncio.timeout,
    ) -> None:
        """``observe`` hears of every HTTP exchange (``bot.scnet.transport.ObserveRequest``);
        ``deadline(options.timeout)`` bounds each one (``bot.scnet.transport.Deadline``)."""
        self.options = options
        self.budget = budget
        self._transport = Transport(
            budget=budget,
            timeout=options.timeout,
            connect_timeout=options.connect_timeout,
            retry=options.retry,
            session=session,
            sleep=sleep,
            observe=observe,
            deadline=deadline,
        )
        self._clock = clock
        self._list_variant = options.list_variant
        self._images_variant = options.images_variant

    async def __aenter__(self) -> Self:
        self._transport.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session the client opened (one given to it stays open)."""
        await self._transport.close()

    def _instances(
        self,
        caller: Caller,
        method: Method,
        path: str,
        *,
        endpoint: str | None = None,
        query: Query = (),
        body: object = None,
    ) -> Request:
        return endpoints.instance_request(
            caller.ai_base_url or self.options.api_url,
            caller.token,
            method,
            path,
            endpoint=endpoint,
            query=query,
            body=body,
        )

    def _auth(
        self,
        method: Method,
        path: str,
        *,
        token: Secret | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> Request:
        return endpoints.auth_request(
            self.options.auth_url, method, path, token=token, headers=headers
        )

    # --- containers ---------------------------------------------------------------------------

    async def create_instance(self, caller: Caller, spec: InstanceSpec) -> str:
        """Create an instance once (never retried); its id. ``CreateOutcomeUnknown`` when SCNet
        got the request but no answer came: the instance may exist."""
        request = self._instances(caller, "POST", "/task", body=create_body(spec))
        try:
            data = await self._transport.send(request)
        except NotSent:
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
        """One instance's detail; ``InstanceNotFound`` when SCNet does not show it to the user."""
        path = f"/{endpoints.check_id(instance_id)}/detail"
        request = self._instances(caller, "GET", path, endpoint="/{id}/detail")
        return endpoints.read_instance(await self._transport.read(request), instance_id)

    async def get_access_url(self, caller: Caller, instance_id: str) -> Secret:
        """The notebook's access URL (it holds the token: keep it secret)."""
        path = f"/{endpoints.check_id(instance_id)}/url"
        request = self._instances(caller, "GET", path, endpoint="/{id}/url")
        return endpoints.read_access_url(await self._transport.read(request))

    async def restart_instance(self, caller: Caller, instance_id: str) -> str:
        """Restart once; the id SCNet answers (the same one, where it answers none)."""
        query = (("instanceServiceId", endpoints.check_id(instance_id)),)
        request = self._instances(caller, "POST", "/task/actions/restart", query=query)
        return parse_id(await self._transport.send_once(request)) or instance_id

    async def stop_instances(self, caller: Caller, instance_ids: Sequence[str]) -> None:
        """Stop these instances, in one request sent once."""
        query = endpoints.ids_query(instance_ids)
        request = self._instances(caller, "POST", "/task/actions/stop", query=query)
        await self._transport.send_once(request)

    async def delete_instances(self, caller: Caller, instance_ids: Sequence[str]) -> None:
        """Delete these instances, in one request sent once."""
        query = endpoints.ids_query(instance_ids)
        await self._transport.send_once(self._instances(caller, "DELETE", "/task", query=query))

    async def list_instances(
        self, caller: Caller, filters: ListFilter | None = None
    ) -> InstancePage:
        """One page of the user's instances."""
        return (await self.read_instance_list(caller, filters)).page()

    async def read_instance_list(
        self, caller: Caller, filters: ListFilter | None = None
    ) -> InstanceListing:
        """The list as read, parsed lazily: for callers that look at a few of its items."""
        fields = list_fields(filters or ListFilter())
        if self._list_variant == "task":
            with_body = self._instances(caller, "GET", "/task", body=fields)
            try:
                return InstanceListing(await self._transport.read(with_body))
            except HttpRefused as error:
                if not error.endpoint_missing:
                    raise
                log.info("GET task with a body answered %s; using task/list", error.status)
                self._list_variant = "task/list"
        query = endpoints.list_query(fields)
        request = self._instances(caller, "GET", "/task/list", query=query)
        return InstanceListing(await self._transport.read(request))

    async def list_images(
        self,
        caller: Caller,
        *,
        accelerator: str | None = None,
        image_type: str | None = None,
    ) -> tuple[Image, ...]:
        """The images the user may start, by the configured form of the request (the other
        form once the first answers that the endpoint is missing)."""
        if self._images_variant == "instance-service":
            body = endpoints.old_images_body(accelerator, image_type)
            request = self._instances(caller, "GET", "/images", body=body)
            try:
                return parse_images(await self._transport.read(request))
            except HttpRefused as error:
                if not error.endpoint_missing:
                    raise
                log.info("GET images with a body answered %s; using image/images", error.status)
                self._images_variant = "image"
        request = Request(
            method="POST",
            base=caller.ai_base_url or self.options.api_url,
            path=endpoints.IMAGES_NEW,
            endpoint="image/images",
            token=caller.token,
            body=endpoints.new_images_body(accelerator, image_type),
        )
        return parse_images(await self._transport.read(request))

    async def get_node_limits(
        self, caller: Caller, *, accelerator: str, resource_group: str
    ) -> NodeLimits:
        """What one node of ``resource_group`` offers: the most one instance can ask for."""
        query = (("acceleratorType", accelerator), ("resourceGroup", resource_group))
        request = self._instances(caller, "GET", "/resources", query=query)
        return endpoints.read_node_limits(await self._transport.read(request), resource_group)

    async def list_resource_groups(self, caller: Caller) -> tuple[str, ...]:
        """The names of the resource groups the user may create in."""
        request = self._instances(caller, "GET", "/resource-group")
        return endpoints.read_resource_groups(await self._transport.read(request))

    # --- accounts and tokens -----------------------------------------------------------------

    async def get_account(self, token: Secret) -> AccountInfo:
        """The account the token belongs to."""
        request = self._auth("GET", "/ac/openapi/v2/user", token=token)
        return endpoints.read_account(await self._transport.read(request))

    async def check_token(self, token: Secret) -> None:
        """Raises ``TokenInvalid`` (or another AuthError) unless SCNet accepts the token."""
        await self._transport.read(self._auth("GET", "/ac/openapi/v2/tokens/state", token=token))

    async def renew_token(self, token: Secret) -> Secret:
        """A new token for this one (tokens/next)."""
        # Renewal is a write (SCNet may invalidate the old token), so it is sent once.
        request = self._auth("POST", "/ac/openapi/v2/tokens/next", token=token)
        return endpoints.read_renewed_token(await self._transport.send(request))

    async def get_center(self, token: Secret) -> CenterInfo:
        """The token's region: its name and the base URL of its AI service."""
        request = self._auth("GET", "/ac/openapi/v2/center", token=token)
        return endpoints.read_center(await self._transport.read(request))

    async def tokens_with_keys(
        self, *, user: str, access_key: Secret, secret_key: Secret
    ) -> tuple[RegionToken, ...]:
        """Mint a token per region with the user's AK/SK (a signed request, sent once)."""
        headers = endpoints.key_login_headers(
            user=user,
            access_key=access_key,
            secret_key=secret_key,
            timestamp=str(int(self._clock())),
        )
        request = self._auth("POST", "/api/user/v3/tokens", headers=headers)
        return parse_region_tokens(await self._transport.send(request))

    async def tokens_with_password(
        self, *, user: str, password: Secret, org_id: str
    ) -> tuple[RegionToken, ...]:
        """Mint a token per region with the user's password (sent once)."""
        headers = (("user", user), ("password", password.reveal()), ("orgId", org_id))
        request = self._auth("POST", "/ac/openapi/v2/tokens", headers=headers)
        return parse_region_tokens(await self._transport.send(request))


__all__ = [
    "Caller",
    "ClientOptions",
    "ScnetClient",
    "ScnetError",
    "create_body",
    "list_fields",
    "sign_request",
]
