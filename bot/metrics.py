"""What ``GET /metrics`` serves: one prometheus-client registry per process, and its text.

The only module that imports ``prometheus_client``. ``Metrics`` owns a ``CollectorRegistry``
of its own (never the library's global one, which would carry counts from one test, or one
app, into the next) and the bound methods the layers below are handed as plain callables, so
that scnet/, services/ and slack/ never import this module::

    scnet_bot_commands_total{command, outcome}         Conversation, per command answered
    scnet_bot_ack_seconds{kind, mode}                  bot.slack.http: request in -> ack out
    scnet_bot_scnet_requests_total{method, endpoint, outcome}
    scnet_bot_scnet_request_seconds{method, endpoint}  bot.scnet.transport, per HTTP exchange
    scnet_bot_token_renewals_total{outcome}            AccountService, per renewal tried
    scnet_bot_delivery_lag_seconds                     the outbox: due -> accepted by Slack
    scnet_bot_http_requests_total{route, status}       bot.web, per request served

The watcher's figures (leader, watches, outbox, cadence) are read from the database when
``/metrics`` is asked for, so they come from collectors that serve the snapshot the web
handler took just before (``WatcherCollector``). Label values are fixed vocabularies (route
templates, command names, outcome words), never an instance id, a user id, a token or a URL.

``render`` writes Prometheus' text format itself rather than through ``generate_latest``, to
keep this endpoint's figures as they have always printed: counts as integers
(``scnet_bot_leader 1``, not ``1.0``), the watcher's seconds with three decimals, and no
``_created`` series.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

# Slack's deadline is 3 s; the interesting part is well under it (bench/ack.py: tens of ms).
ACK_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
# An SCNet read answers in tens of ms to seconds; timeouts are 8 s by default.
SCNET_BUCKETS: Final = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0)
# A notice is sent within a second or two when all is well; Slack's rate limits and retries
# stretch that to minutes; the stuck-outbox alert fires at 5 min.
LAG_BUCKETS: Final = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"


class FixedGauge(GaugeMetricFamily):
    """A gauge whose fractional values print with ``decimals`` decimals, as they always did."""

    decimals = 3


@dataclass(frozen=True, slots=True)
class WatcherSnapshot:
    """The watcher's figures, as the web handler read them for this scrape."""

    leader: bool
    active_watches: int
    paused_watches: int
    pending_notices: int
    sent_notices: int
    dead_notices: int
    oldest_pending_seconds: float


@dataclass(frozen=True, slots=True)
class CadenceSnapshot:
    """The leader's cadence and budget use (``bot.services.watch.WatchFigures``), flattened."""

    owners_waiting: int
    owners_running: int
    effective_cadence: float
    reads_per_second: float
    allowance_per_second: float
    behind: int


class WatcherCollector(Collector):
    """Serves the last snapshot the web handler put here; nothing before the first one."""

    def __init__(self) -> None:
        self.watcher: WatcherSnapshot | None = None
        self.cadence: CadenceSnapshot | None = None

    def collect(self) -> Iterable[Metric]:
        figures = self.watcher
        if figures is not None:
            yield _gauge(
                "scnet_bot_leader",
                "1 if this process runs the scheduled jobs.",
                int(figures.leader),
            )
            watches = GaugeMetricFamily(
                "scnet_bot_watches",
                "Watched instances, by state (paused: owner must log in).",
                labels=["state"],
            )
            watches.add_metric(["active"], figures.active_watches)
            watches.add_metric(["paused"], figures.paused_watches)
            yield watches
            notices = GaugeMetricFamily(
                "scnet_bot_outbox_notices",
                "Notices in the outbox, by status (settled ones are pruned after days).",
                labels=["status"],
            )
            notices.add_metric(["pending"], figures.pending_notices)
            notices.add_metric(["sent"], figures.sent_notices)
            notices.add_metric(["dead"], figures.dead_notices)
            yield notices
            yield _fixed(
                "scnet_bot_outbox_oldest_pending_seconds",
                "Age of the oldest undelivered notice.",
                figures.oldest_pending_seconds,
            )
        cadence = self.cadence
        if cadence is not None:
            owners = GaugeMetricFamily(
                "scnet_bot_watch_owners",
                "Owners with watched instances: waiting (one not yet running, read every"
                " WATCH_CADENCE) or running (all run, read slowly).",
                labels=["state"],
            )
            owners.add_metric(["waiting"], cadence.owners_waiting)
            owners.add_metric(["running"], cadence.owners_running)
            yield owners
            yield _fixed(
                "scnet_bot_watch_effective_cadence_seconds",
                "Seconds between two reads of a waiting owner; above WATCH_CADENCE when the"
                " budget is short.",
                cadence.effective_cadence,
            )
            yield _fixed(
                "scnet_bot_watch_reads_per_second",
                "The watcher's SCNet reads a second (30 s).",
                cadence.reads_per_second,
            )
            yield _fixed(
                "scnet_bot_watch_read_allowance_per_second",
                "What the watcher may use of SCNET_MAX_RPS (WATCH_BUDGET_SHARE).",
                cadence.allowance_per_second,
            )
            yield _gauge(
                "scnet_bot_watch_owners_behind",
                "Owners due but not read in the last sweep.",
                cadence.behind,
            )


class _Uptime(Collector):
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._started = clock()

    def collect(self) -> Iterable[Metric]:
        yield _fixed(
            "scnet_bot_uptime_seconds",
            "Seconds since the process started serving.",
            self._clock() - self._started,
        )


class LagCollector(Collector):
    """``scnet_bot_delivery_lag_seconds`` from lags observed so far (``observe``).

    A histogram family of its own rather than a ``Histogram``, so that the lags read from the
    outbox at scrape time land in it before it is rendered.
    """

    def __init__(self, buckets: Sequence[float] = LAG_BUCKETS) -> None:
        self._bounds = tuple(buckets)
        self._counts = [0] * (len(self._bounds) + 1)
        self._sum = 0.0

    def observe(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self._sum += seconds
        for index, bound in enumerate(self._bounds):
            if seconds <= bound:
                self._counts[index] += 1
                return
        self._counts[-1] += 1

    def collect(self) -> Iterable[Metric]:
        cumulative: list[tuple[str, float]] = []
        running = 0
        for bound, count in zip((*self._bounds, math.inf), self._counts, strict=True):
            running += count
            # as prometheus-client's own histograms write ``le``: 1.0, 2.5, +Inf
            cumulative.append(("+Inf" if math.isinf(bound) else repr(float(bound)), running))
        yield HistogramMetricFamily(
            "scnet_bot_delivery_lag_seconds",
            "Seconds from a notice's due time to Slack accepting it (this replica's sends).",
            buckets=cumulative,
            sum_value=self._sum,
        )


class Metrics:
    """This process's metrics: create one per app (``scnet-bot run``, each test) and pass its
    methods down; ``render`` for ``GET /metrics``."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        registry = self.registry
        self.http_requests = Counter(
            "scnet_bot_http_requests",
            "HTTP requests served, by route and status.",
            ["route", "status"],
            registry=registry,
        )
        self._commands = Counter(
            "scnet_bot_commands",
            "Commands answered (typed, from a card's button or the create form), by command"
            " and outcome: ok, usage_error, form, refused, unavailable, error.",
            ["command", "outcome"],
            registry=registry,
        )
        self._acks = Histogram(
            "scnet_bot_ack_seconds",
            "Seconds from receiving a Slack request to sending its ack, by kind (command,"
            " action, view) and mode (http, socket).",
            ["kind", "mode"],
            buckets=ACK_BUCKETS,
            registry=registry,
        )
        self._scnet_requests = Counter(
            "scnet_bot_scnet_requests",
            "HTTP exchanges with SCNet, by method, endpoint (the path template) and outcome"
            " (ok, or the error's name: request_timeout, upstream_http_error, token_invalid...).",
            ["method", "endpoint", "outcome"],
            registry=registry,
        )
        self._scnet_seconds = Histogram(
            "scnet_bot_scnet_request_seconds",
            "Seconds an HTTP exchange with SCNet took, by method and endpoint.",
            ["method", "endpoint"],
            buckets=SCNET_BUCKETS,
            registry=registry,
        )
        self._renewals = Counter(
            "scnet_bot_token_renewals",
            "SCNet token renewals tried, by outcome: renewed, login_needed (no way to a new"
            " token: the user must log in), failed (SCNet did not answer usably; tried again).",
            ["outcome"],
            registry=registry,
        )
        self.delivery_lag = LagCollector()
        registry.register(self.delivery_lag)
        self.watcher = WatcherCollector()
        registry.register(self.watcher)
        registry.register(_Uptime(clock))

    # --- what the layers below are handed -------------------------------------------------

    def observe_command(self, command: str, outcome: str) -> None:
        self._commands.labels(command, outcome).inc()

    def observe_ack(self, kind: str, mode: str, seconds: float) -> None:
        self._acks.labels(kind, mode).observe(seconds)

    def observe_scnet(self, method: str, endpoint: str, outcome: str, seconds: float) -> None:
        self._scnet_requests.labels(method, endpoint, outcome).inc()
        self._scnet_seconds.labels(method, endpoint).observe(seconds)

    def observe_renewal(self, outcome: str) -> None:
        self._renewals.labels(outcome).inc()

    def observe_delivery_lag(self, seconds: float) -> None:
        self.delivery_lag.observe(seconds)

    def render(self) -> str:
        return render(self.registry)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _fixed(name: str, documentation: str, value: float) -> FixedGauge:
    return FixedGauge(name, documentation, value=float(value))


# --- the text format ----------------------------------------------------------------------


def render(registry: CollectorRegistry) -> str:
    """Prometheus text format 0.0.4 for ``registry`` (see the module docstring for why here)."""
    lines: list[str] = []
    for family in registry.collect():
        name = family.name + "_total" if family.type == "counter" else family.name
        kind = family.type if family.type in {"counter", "gauge", "histogram"} else "untyped"
        lines.append(f"# HELP {name} {_escape_help(family.documentation)}")
        lines.append(f"# TYPE {name} {kind}")
        decimals = getattr(family, "decimals", None)
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            labels = ""
            if sample.labels:
                labels = (
                    "{"
                    + ",".join(
                        f'{key}="{_escape_label(value)}"' for key, value in sample.labels.items()
                    )
                    + "}"
                )
            lines.append(f"{sample.name}{labels} {_number(sample.value, decimals)}")
    return "\n".join(lines) + "\n"


def _number(value: float, decimals: int | None = None) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if decimals is not None:
        return f"{value:.{decimals}f}"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _escape_help(text: str) -> str:
    return text.replace("\\", r"\\").replace("\n", r"\n")


def _escape_label(text: str) -> str:
    return text.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


__all__ = [
    "CONTENT_TYPE",
    "CadenceSnapshot",
    "Metrics",
    "WatcherCollector",
    "WatcherSnapshot",
    "render",
]
