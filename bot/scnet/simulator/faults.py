"""The fault plan: what the simulator does wrong on purpose, and to which requests.

A fault matches a request by method (``"*"`` for any) and by an fnmatch pattern tried against
both the route template (``/ai/openapi/v2/instance-service/{id}/detail``) and the concrete
path, so ``"*/detail"`` hits every detail poll. Faults are consumed in the order they were
added; ``times=None`` keeps one forever. Kinds:

``code``       answer the envelope with this business ``code`` (e.g. ``716865`` on create,
               ``10008`` to force a renewal, ``10001``/``716020`` transient errors)
``status``     answer a bare HTTP status: 404/405 with a Spring-style JSON error body (not an
               envelope: what a gateway without the route says), 5xx with an nginx HTML page
``hang``       sleep ``seconds`` before answering (longer than the client's timeout); the
               sleep ends early when the simulator stops or the client disconnects. With
               ``after_handler`` the request takes effect first and only the answer hangs: a
               create that the client sees time out, yet exists (reference §5.5)
``malformed``  a body that is not SCNet's envelope: ``not_json`` (plain text), ``html`` (an
               error page with HTTP 200), ``no_code`` (the real envelope minus ``code``),
               ``numeric_code`` (the real envelope with ``code`` as a JSON number, §2.2),
               ``truncated`` (the real body cut in half)

``unsupported(method, path, status)`` is a permanent ``status`` fault: the knob that makes
``GET …/task`` or the old ``GET …/images`` answer 404/405 so the client's fallback to
``task/list`` or ``POST image/images`` can be tested (reference §5.4, §5.6).

``hold(method, path)`` returns a ``Gate``: matching requests are logged, then wait until the
test calls ``release`` (or the simulator stops), so a test decides when SCNet answers without
any clock: several callers can be kept waiting on one renewal, say.

Latency: ``latency`` seconds on every API request, plus per-path ``add_latency`` entries (the
first match wins over the global value).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal

from bot.scnet.simulator.wire import AI

FaultKind = Literal["code", "status", "hang", "malformed"]
Malformation = Literal["not_json", "html", "no_code", "numeric_code", "truncated"]

LIST_BY_BODY = ("GET", f"{AI}/task")
IMAGES_OLD = ("GET", f"{AI}/images")


def route_matches(
    method: str, pattern: str, *, request_method: str, template: str, path: str
) -> bool:
    """``method`` (or ``"*"``) and the fnmatch ``pattern`` against a template or a path."""
    if method != "*" and method.upper() != request_method:
        return False
    return fnmatchcase(template, pattern) or fnmatchcase(path, pattern)


@dataclass(slots=True)
class Fault:
    method: str
    path: str
    kind: FaultKind
    times: int | None = 1  # how many more requests it hits; None: every one
    code: str = "10001"
    status: int = 500
    seconds: float = 30.0
    malformation: Malformation = "html"
    after_handler: bool = False

    def matches(self, method: str, template: str, path: str) -> bool:
        return route_matches(
            self.method, self.path, request_method=method, template=template, path=path
        )


@dataclass(slots=True)
class Gate:
    """Requests matching ``method`` and ``path`` wait here until ``release``."""

    method: str
    path: str
    _open: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def matches(self, method: str, template: str, path: str) -> bool:
        return route_matches(
            self.method, self.path, request_method=method, template=template, path=path
        )

    @property
    def released(self) -> bool:
        return self._open.is_set()

    def release(self) -> None:
        """Let every waiting request, and every later one, through."""
        self._open.set()

    async def wait(self) -> None:
        await self._open.wait()


@dataclass(frozen=True, slots=True)
class Latency:
    method: str
    path: str
    seconds: float


class FaultPlan:
    def __init__(self) -> None:
        self.latency = 0.0
        self._faults: list[Fault] = []
        self._latencies: list[Latency] = []
        self._gates: list[Gate] = []

    @property
    def pending(self) -> tuple[Fault, ...]:
        return tuple(self._faults)

    def add(self, fault: Fault) -> Fault:
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be ≥ 1 or None")
        self._faults.append(fault)
        return fault

    def fail_next(self, method: str, path: str, *, code: str, times: int | None = 1) -> Fault:
        return self.add(Fault(method, path, "code", times=times, code=code))

    def http_error(self, method: str, path: str, status: int, *, times: int | None = 1) -> Fault:
        return self.add(Fault(method, path, "status", times=times, status=status))

    def hang(
        self,
        method: str,
        path: str,
        *,
        seconds: float = 30.0,
        times: int | None = 1,
        after_handler: bool = False,
    ) -> Fault:
        return self.add(
            Fault(method, path, "hang", times=times, seconds=seconds, after_handler=after_handler)
        )

    def malformed(
        self, method: str, path: str, malformation: Malformation, *, times: int | None = 1
    ) -> Fault:
        return self.add(Fault(method, path, "malformed", times=times, malformation=malformation))

    def unsupported(self, method: str, path: str, status: int = 404) -> Fault:
        return self.http_error(method, path, status, times=None)

    def hold(self, method: str, path: str) -> Gate:
        """Keep matching requests waiting, after they are logged, until the gate's release."""
        gate = Gate(method, path)
        self._gates.append(gate)
        return gate

    def gate_for(self, method: str, template: str, path: str) -> Gate | None:
        """The first gate holding this request that is still closed."""
        for gate in self._gates:
            if not gate.released and gate.matches(method, template, path):
                return gate
        return None

    def add_latency(self, seconds: float, *, method: str = "*", path: str = "*") -> None:
        self._latencies.append(Latency(method, path, seconds))

    def latency_for(self, method: str, template: str, path: str) -> float:
        for entry in self._latencies:
            if route_matches(
                entry.method, entry.path, request_method=method, template=template, path=path
            ):
                return entry.seconds
        return self.latency

    def take(self, method: str, template: str, path: str) -> Fault | None:
        """The first fault matching this request, consuming one of its ``times``."""
        for fault in self._faults:
            if fault.matches(method, template, path):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.latency = 0.0
        self._faults.clear()
        self._latencies.clear()
        for gate in self._gates:
            gate.release()
        self._gates.clear()
