"""How one sweep reads instances from SCNet: as few requests as the answers allow.

A sweep may poll many instances of one owner. Instead of one detail request each, it reads
the owner's instance list once (``list_instances``, the newest ``LIST_LIMIT``) and answers
each of their polls from it while that answer is at most ``PAGE_FRESH`` seconds old; an
instance the list does not show (older, or just deleted) falls back to its own detail read.
With many instances per user this turns N polls into about one request per user, which is
what keeps the watcher inside ``SCNET_MAX_RPS`` with thousands of instances.

Each owner's token is unlocked once per sweep (``AccountService.caller``), not per read. On
10008 the read goes through ``AccountService.call``, which renews the token and retries once,
as every other call does. At most ``concurrency`` reads are in flight (``WATCH_CONCURRENCY``);
polls answered by a shared list wait for it without taking a slot of their own.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from bot.domain.instances import Instance, ListFilter
from bot.scnet.client import Caller, ScnetClient
from bot.scnet.errors import TokenInvalid
from bot.services.accounts import AccountService
from bot.store.identity import SlackUser

T = TypeVar("T")
LIST_LIMIT: Final = 200
PAGE_FRESH: Final = 1.0  # seconds a user's list answers for more of their polls
SHARE_FROM: Final = 2  # an owner with this many polls in a sweep is read by list


class SweepReads:
    """Per sweep: owners' tokens, and owners' instance lists shared by their polls."""

    def __init__(
        self,
        *,
        client: ScnetClient,
        accounts: AccountService,
        concurrency: int = 20,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``concurrency``: SCNet reads in flight at once (polls waiting on one count once)."""
        self._client = client
        self._accounts = accounts
        self._slots = asyncio.Semaphore(concurrency)
        self._monotonic = monotonic
        self._callers: dict[SlackUser, Caller] = {}
        self._pages: dict[SlackUser, _Page] = {}
        self._polls: Counter[SlackUser] = Counter()

    def expect(self, owner: SlackUser) -> None:
        """One more poll of ``owner``'s in this sweep (counted when claimed)."""
        self._polls[owner] += 1

    async def instance(self, owner: SlackUser, instance_id: str) -> Instance:
        """The instance as ``owner`` sees it: from their list when shared, else its detail."""
        if self._polls[owner] >= SHARE_FROM:
            found = (await self._page(owner)).get(instance_id)
            if found is not None:
                return found
        return await self._as(owner, lambda caller: self._client.get_instance(caller, instance_id))

    async def _page(self, owner: SlackUser) -> dict[str, Instance]:
        page = self._pages.get(owner)
        if page is None or not page.fresh(self._monotonic()):
            page = self._pages[owner] = _Page(asyncio.create_task(self._list(owner)))
        # Shielded: one poll cancelled must not cancel the read the others wait for.
        return await asyncio.shield(page.task)

    async def _list(self, owner: SlackUser) -> dict[str, Instance]:
        try:
            page = await self._as(
                owner,
                lambda caller: self._client.list_instances(caller, ListFilter(limit=LIST_LIMIT)),
            )
        finally:  # an answer, or an error: either is good for PAGE_FRESH, not longer
            self._pages[owner].answered_at = self._monotonic()
        return {item.id: item for item in page.items if item.id}

    async def _as(self, owner: SlackUser, operation: Callable[[Caller], Awaitable[T]]) -> T:
        async with self._slots:
            caller = self._callers.get(owner)
            if caller is None:
                caller = self._callers[owner] = await self._accounts.caller(owner)
            try:
                return await operation(caller)
            except TokenInvalid:
                self._callers.pop(owner, None)
                return await self._accounts.call(owner, operation)

    async def close(self) -> None:
        """End of the sweep: stop list reads nobody waits for any more."""
        tasks = [page.task for page in self._pages.values()]
        for task in tasks:
            task.cancel()
        # Their outcomes went to the polls that awaited them; collected here, not raised.
        await asyncio.gather(*tasks, return_exceptions=True)


class _Page:
    """One read of an owner's list: under way, or answered at ``answered_at``."""

    __slots__ = ("answered_at", "task")

    def __init__(self, task: asyncio.Task[dict[str, Instance]]) -> None:
        self.task = task
        self.answered_at: float | None = None

    def fresh(self, now: float) -> bool:
        """Still good for another poll: under way, or answered ``PAGE_FRESH`` ago at most."""
        return self.answered_at is None or now - self.answered_at <= PAGE_FRESH
