"""What the client sent: one entry per API request, and counters per (method, route template).

Tests assert on it: that a create was not retried, that the right form of list was used, that
the token went in the ``token`` header, that the request budget held (``at`` is the simulator
clock, ``monotonic`` the real one). An entry keeps the caller's user name (from a token whose
signature checks out, or the ``user`` header of a login) but never a header value: the token,
password and AK/SK signature are not recorded, only the header *names*.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass

from bot.scnet.simulator.faults import route_matches


@dataclass(slots=True)
class RecordedRequest:
    method: str
    path: str  # concrete path; instance ids are not secrets
    template: str  # route template, e.g. /ai/openapi/v2/instance-service/{id}/detail
    query: tuple[tuple[str, str], ...]
    user: str | None
    at: float
    monotonic: float
    body: object  # the parsed JSON body, None when absent or not JSON
    header_names: frozenset[str]  # lower case
    http_status: int | None = None  # filled in once answered
    code: str | None = None  # the envelope's code as sent, if there was one

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "path": self.path,
            "template": self.template,
            "query": [list(pair) for pair in self.query],
            "user": self.user,
            "at": self.at,
            "body": self.body,
            "header_names": sorted(self.header_names),
            "http_status": self.http_status,
            "code": self.code,
        }


class RequestLog:
    def __init__(self, *, limit: int = 100_000) -> None:
        self._entries: deque[RecordedRequest] = deque(maxlen=limit)
        self._counts: Counter[tuple[str, str]] = Counter()
        self._grew = asyncio.Event()

    def record(self, entry: RecordedRequest) -> RecordedRequest:
        self._entries.append(entry)
        self._counts[(entry.method, entry.template)] += 1
        self._grew.set()
        return entry

    async def wait_for(
        self,
        method: str,
        pattern: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a bound on a test's wait, not a deadline
    ) -> None:
        """Until ``count`` requests matching ``pattern`` have arrived (answered or not): a test
        learns that the client is inside a call, e.g. one a ``hang`` or a ``hold`` keeps open."""
        async with asyncio.timeout(timeout):
            while self.count(method, pattern) < count:
                self._grew.clear()
                await self._grew.wait()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self._entries)

    @property
    def counts(self) -> dict[str, int]:
        """``"METHOD template"`` -> requests seen since the last ``clear``."""
        return {f"{method} {template}": n for (method, template), n in self._counts.items()}

    def count(self, method: str, pattern: str) -> int:
        """Requests whose template or path matched ``pattern`` (fnmatch; exact is O(1))."""
        exact = self._counts.get((method.upper(), pattern))
        if exact is not None:
            return exact
        return sum(1 for entry in self.matching(method, pattern))

    def matching(self, method: str, pattern: str) -> list[RecordedRequest]:
        return [
            entry
            for entry in self._entries
            if route_matches(
                method,
                pattern,
                request_method=entry.method,
                template=entry.template,
                path=entry.path,
            )
        ]

    def clear(self) -> None:
        self._entries.clear()
        self._counts.clear()
