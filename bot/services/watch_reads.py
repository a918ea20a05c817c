"""How the watcher reads SCNet: as an owner, one list for all their instances.

``OwnerReads.listing`` reads an owner's newest ``LIST_LIMIT`` instances (the documented list
endpoint, falling back to its other form in the client); one such read answers every watched
instance of that owner. ``detail`` is for what the list cannot answer: an instance older than
the list's page, or one whose listed status is not one we know.

Each owner's token is unlocked at most once per ``CALLER_FRESH`` seconds, not per read. On
10008 the read goes through ``AccountService.call``, which renews the token and retries once,
as every other call does. At most ``concurrency`` reads are in flight (``WATCH_CONCURRENCY``),
and all of them are background requests: they give way to users' commands in the request
budget (``bot.scnet.budget.background_requests``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from bot.domain.instances import Instance, ListFilter
from bot.scnet.budget import background_requests
from bot.scnet.client import Caller, ScnetClient
from bot.scnet.errors import TokenInvalid
from bot.scnet.models import InstanceListing
from bot.services.accounts import AccountService
from bot.store.identity import SlackUser

T = TypeVar("T")
LIST_LIMIT: Final = 200
CALLER_FRESH: Final = 60.0  # seconds an unlocked token is reused before it is read again


class OwnerReads:
    def __init__(
        self,
        *,
        client: ScnetClient,
        accounts: AccountService,
        concurrency: int = 20,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._accounts = accounts
        self._slots = asyncio.Semaphore(concurrency)
        self._monotonic = monotonic
        self._callers: dict[SlackUser, tuple[float, Caller]] = {}

    async def listing(self, owner: SlackUser) -> InstanceListing:
        return await self._as(
            owner,
            lambda caller: self._client.read_instance_list(caller, ListFilter(limit=LIST_LIMIT)),
        )

    async def detail(self, owner: SlackUser, instance_id: str) -> Instance:
        return await self._as(owner, lambda caller: self._client.get_instance(caller, instance_id))

    def forget(self, owner: SlackUser) -> None:
        """Drop ``owner``'s unlocked token (they logged out, or must log in again)."""
        self._callers.pop(owner, None)

    async def _as(self, owner: SlackUser, operation: Callable[[Caller], Awaitable[T]]) -> T:
        with background_requests():
            async with self._slots:
                caller = await self._caller(owner)
                try:
                    return await operation(caller)
                except TokenInvalid:
                    self.forget(owner)
                    return await self._accounts.call(owner, operation)

    async def _caller(self, owner: SlackUser) -> Caller:
        now = self._monotonic()
        cached = self._callers.get(owner)
        if cached is not None and now - cached[0] <= CALLER_FRESH:
            return cached[1]
        caller = await self._accounts.caller(owner)
        self._callers[owner] = (now, caller)
        return caller
