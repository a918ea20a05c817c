"""Faults the fake serves on purpose: the next N answers of a method, replaced.

A fault matches by method name or fnmatch pattern (``"chat.*"``, ``"*"``; ``"response_url"``
for response_url posts) and is consumed in the order added. Kinds, as Slack answers them:

``rate_limited``   HTTP 429, ``Retry-After: <seconds>``, body ``{"ok": false, "error":
                   "ratelimited"}`` (Slack's rate-limit docs; slack_sdk's
                   ``AsyncRateLimitErrorRetryHandler`` reads the header)
``server_error``   HTTP 5xx with ``{"ok": false, "error": "fatal_error"}`` (500),
                   ``"service_unavailable"`` (503) or ``"request_timeout"`` (504);
                   slack_sdk's ``AsyncServerErrorRetryHandler`` retries 500 and 503
``error``          HTTP 200 with ``{"ok": false, "error": <code>}``, as any Slack API error

For a response_url the same kinds answer in its plain-text dialect (``ratelimited``,
``rollup_error``, or the given code) with the same statuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal

FaultKind = Literal["rate_limited", "server_error", "error"]

_SERVER_ERRORS = {500: "fatal_error", 503: "service_unavailable", 504: "request_timeout"}


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    status: int = 200
    error: str = "fatal_error"
    retry_after: int = 1
    extra: dict[str, Any] = field(default_factory=dict)  # merged into the JSON body

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> Fault:
        return cls("rate_limited", status=429, error="ratelimited", retry_after=retry_after)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        if not 500 <= status <= 599:
            raise ValueError("a server error is a 5xx status")
        return cls("server_error", status=status, error=_SERVER_ERRORS.get(status, "fatal_error"))

    @classmethod
    def api_error(cls, error: str, **extra: Any) -> Fault:
        return cls("error", status=200, error=error, extra=dict(extra))

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.kind == "rate_limited" else {}


@dataclass(slots=True)
class _Planned:
    pattern: str
    fault: Fault
    times: int | None


class FaultPlan:
    def __init__(self) -> None:
        self._planned: list[_Planned] = []
        self.latency = 0.0
        self._latencies: list[tuple[str, float]] = []

    def add(self, pattern: str, fault: Fault, *, times: int | None = 1) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be ≥ 1, or None for every request")
        self._planned.append(_Planned(pattern, fault, times))

    def take(self, method: str) -> Fault | None:
        for planned in self._planned:
            if fnmatchcase(method, planned.pattern):
                if planned.times is not None:
                    planned.times -= 1
                    if planned.times == 0:
                        self._planned.remove(planned)
                return planned.fault
        return None

    def set_latency(self, seconds: float, pattern: str = "*") -> None:
        if seconds < 0:
            raise ValueError("latency must be ≥ 0")
        if pattern == "*":
            self.latency = seconds
        else:
            self._latencies.insert(0, (pattern, seconds))

    def latency_for(self, method: str) -> float:
        for pattern, seconds in self._latencies:
            if fnmatchcase(method, pattern):
                return seconds
        return self.latency

    @property
    def pending(self) -> int:
        return len(self._planned)

    def clear(self) -> None:
        self._planned.clear()
        self._latencies.clear()
        self.latency = 0.0
