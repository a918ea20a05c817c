"""What the fake Slack saw: every request as a ``Call``, every response-URL post, and the
messages and views the workspace now holds; waiting on them without polling.

``FakeSlack`` is a ``Recordings``: its HTTP handlers ``record`` each request, and a test asks
``calls``, ``count``, ``wait_for``, ``messages_to`` and the rest.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from .models import JSON, Call, Message, ResponsePost
from .workspace import Workspace


class Recordings:
    """Calls and response posts in arrival order, and queries over the workspace's state."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._calls: list[Call] = []
        self._counts: Counter[tuple[str, bool]] = Counter()  # (method, ok) -> calls
        self._posts: list[ResponsePost] = []
        self._changed: asyncio.Condition | None = None
        self.changes = 0  # bumped on every recorded request and every ``touch``

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def record(self, call: Call, post: ResponsePost | None = None) -> None:
        """Keep ``call`` (and the response-URL ``post`` it made) and wake whoever waits."""
        self._calls.append(call)
        self._counts[(call.method, call.ok)] += 1
        if post is not None:
            self._posts.append(post)
        self.changes += 1
        changed = self._condition()
        async with changed:
            changed.notify_all()

    def calls(self, method: str | None = None, *, ok: bool | None = None) -> list[Call]:
        """Calls of ``method`` (all when None) in arrival order; ``ok`` filters by outcome."""
        return [
            call
            for call in self._calls
            if (method is None or call.method == method) and (ok is None or call.ok == ok)
        ]

    def count(self, method: str, *, ok: bool | None = None) -> int:
        """O(1): waiters re-check it on every request, benchmarks make many."""
        if ok is None:
            return self._counts[(method, True)] + self._counts[(method, False)]
        return self._counts[(method, ok)]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper, like asyncio.wait_for
        *,
        ok: bool | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` have arrived and return them all.

        Wakes on each recorded request (no polling). Raises ``TimeoutError`` naming what did
        arrive when ``timeout`` seconds pass first.
        """
        changed = self._condition()
        async with changed:
            try:
                async with asyncio.timeout(timeout):
                    await changed.wait_for(lambda: self.count(method, ok=ok) >= count)
            except TimeoutError:
                seen = [f"{c.method}:{c.http_status}:{c.error or 'ok'}" for c in self._calls]
                raise TimeoutError(
                    f"waited {timeout}s for {count} {method} call(s), got "
                    f"{self.count(method, ok=ok)}; all calls: {seen}"
                ) from None
        return self.calls(method, ok=ok)

    async def touch(self) -> None:
        """Say that the state changed outside a request (the playground closed a modal)."""
        self.changes += 1
        changed = self._condition()
        async with changed:
            changed.notify_all()

    async def wait_for_change(self, after: int, timeout: float) -> int:  # noqa: ASYNC109
        """Wait until ``changes`` passes ``after`` (or ``timeout`` s pass); return it."""
        changed = self._condition()
        async with changed:
            try:
                async with asyncio.timeout(timeout):
                    await changed.wait_for(lambda: self.changes > after)
            except TimeoutError:
                pass
        return self.changes

    def messages(self, *, include_deleted: bool = False) -> list[Message]:
        return [m for m in self.workspace.messages if include_deleted or not m.deleted]

    def messages_to(self, target: str, *, include_deleted: bool = False) -> list[Message]:
        """What a conversation or a person was sent, oldest first.

        A conversation id (``C…``/``G…``/``D…``) gives every message in it, ephemeral ones
        included (see ``Message.ephemeral_to``). A user id gives their DM with the app and
        every ephemeral message shown to them anywhere.
        """
        user = self.workspace.users.get(target)
        im = self.workspace.existing_im(target)
        dm = None if im is None else im.id
        return [
            m
            for m in self.messages(include_deleted=include_deleted)
            if m.channel == target
            or (dm is not None and m.channel == dm)
            or (user is not None and m.ephemeral and m.ephemeral_to == target)
        ]

    def public_messages(self, channel_id: str, *, include_deleted: bool = False) -> list[Message]:
        """What everyone in ``channel_id`` can read: its non-ephemeral messages."""
        return [
            m
            for m in self.messages(include_deleted=include_deleted)
            if m.channel == channel_id and not m.ephemeral
        ]

    def message(self, channel_id: str, ts: str) -> Message:
        for message in self.workspace.messages:
            if message.channel == channel_id and message.ts == ts:
                return message
        raise KeyError(f"no message {ts} in {channel_id}")

    def response_posts(self, url: str | None = None) -> list[ResponsePost]:
        return [post for post in self._posts if url is None or post.url == url]

    def view(self, view_id: str) -> JSON:
        return self.workspace.views[view_id]

    def home_view(self, user_id: str) -> JSON | None:
        view_id = self.workspace.home_views.get(user_id)
        return None if view_id is None else self.workspace.views[view_id]

    def open_modals(self, user_id: str) -> list[JSON]:
        return self.workspace.user_modals(user_id)

    def clear(self) -> None:
        """Forget recorded calls, messages and response posts. Users, channels, views,
        issued ids, faults and rate windows stay."""
        self._calls.clear()
        self._counts.clear()
        self._posts.clear()
        self.workspace.forget_messages()
