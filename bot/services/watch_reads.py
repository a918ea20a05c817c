"""How the watcher reads SCNet: as an owner, one list for all their instances.

``OwnerReads.listing`` reads an owner's newest ``LIST_LIMIT`` instances (the documented list
endpoint, falling back to its other form in the client); one such read answers every watched
instance of that owner. ``detail`` is for what the list cannot answer: an instance older than
the list's page, or one whose listed status is not one we know.

Every read goes through ``AccountService.call``, as every other call does: it keeps owners'
unlocked tokens for a while, and on 10008 renews the token and retries once. At most
``concurrency`` reads are in flight (``WATCH_CONCURRENCY``),
and all of them are background requests: they give way to users' commands in the request
budget (``bot.scnet.budget.background_requests``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from bot.domain.identity import SlackUser
from bot.domain.instances import Instance, ListFilter
from bot.scnet.budget import background_requests
from bot.scnet.client import Caller, ScnetClient
from bot.scnet.models import InstanceListing
from bot.services.accounts import AccountService

T = TypeVar("T")
LIST_LIMIT: Final = 200


class OwnerReads:
    def __init__(
        self, *, client: ScnetClient, accounts: AccountService, concurrency: int = 20
    ) -> None:
        self._client = client
        self._accounts = accounts
        self._slots = asyncio.Semaphore(concurrency)

    async def listing(self, owner: SlackUser) -> InstanceListing:
        return await self._as(
            owner,
            lambda caller: self._client.read_instance_list(caller, ListFilter(limit=LIST_LIMIT)),
        )

    async def detail(self, owner: SlackUser, instance_id: str) -> Instance:
        return await self._as(owner, lambda caller: self._client.get_instance(caller, instance_id))

    async def _as(self, owner: SlackUser, operation: Callable[[Caller], Awaitable[T]]) -> T:
        with background_requests():
            async with self._slots:
                return await self._accounts.call(owner, operation)
