"""``ScnetSimulator``: the facade tests, benchmarks and the demo hold, and ``serve`` for the CLI.

Each simulator owns its state, signing key, clock, fault plan and request log; several can run
in one process. Start one on loopback port 0 and point the client at the base URL it returns::

    async with ScnetSimulator(clock=ManualClock()) as sim:
        sim.add_user("alice", access_key="ak", secret_key="sk")
        token = sim.issue_token("alice")
        ...  # the client talks to sim.base_url
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType, TracebackType
from typing import Self

from aiohttp import web

from bot.domain.instances import InstanceStatus
from bot.scnet.simulator import routes_auth, routes_catalog, routes_control, routes_instances
from bot.scnet.simulator.accounts import Accounts, User
from bot.scnet.simulator.billing import DEFAULT_PRICES, Prices, Usage, balance, total_usage
from bot.scnet.simulator.catalog import (
    PLATFORM_CLUSTER,
    REGIONS,
    ImageRecord,
    ResourceGroup,
    default_images,
    default_resource_groups,
)
from bot.scnet.simulator.clock import Clock
from bot.scnet.simulator.config import SimulatorConfig
from bot.scnet.simulator.faults import IMAGES_OLD, LIST_BY_BODY, Fault, FaultPlan, Gate
from bot.scnet.simulator.keys import SIMULATOR
from bot.scnet.simulator.lifecycle import Delays, Instance
from bot.scnet.simulator.middleware import simulator_middleware
from bot.scnet.simulator.requests_log import RequestLog
from bot.scnet.simulator.state import InstanceRule, InstanceStore

logger = logging.getLogger(__name__)

DEMO_USER = "demo"


class ScnetSimulator:
    def __init__(
        self,
        *,
        clock: Clock = time.time,
        seed: int = 0,
        delays: Delays | None = None,
        config: SimulatorConfig | None = None,
        capacity: int | None = None,
        resource_groups: Mapping[str, ResourceGroup] | None = None,
        images: list[ImageRecord] | None = None,
        prices: Prices | None = None,
    ) -> None:
        self.clock = clock
        self.prices = prices or DEFAULT_PRICES  # what running instances charge (``billing``)
        self.config = config or SimulatorConfig()
        self.faults = FaultPlan()
        self.requests = RequestLog(limit=self.config.log_limit)
        self.accounts = Accounts(clock=clock, config=self.config)
        self.store = InstanceStore(
            clock=clock, rng=random.Random(seed), config=self.config, delays=delays or Delays()
        )
        self.resource_groups = dict(resource_groups or default_resource_groups())
        self.images = list(images if images is not None else default_images())
        self.base_url: str | None = None
        self._closing: asyncio.Event | None = None  # made in start(), on the serving loop
        self._runner: web.AppRunner | None = None
        self.app = self._build_app()
        if capacity is not None:
            self.store.set_capacity(capacity)

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[simulator_middleware])
        app[SIMULATOR] = self
        for module in (routes_auth, routes_catalog, routes_instances, routes_control):
            app.router.add_routes(module.routes)
        return app

    # ----------------------------------------------------------------- accounts

    def add_user(
        self,
        user: str,
        *,
        password: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        frozen: bool = False,
        balance: str = "1000.00",
        regions: Sequence[str] | None = None,
    ) -> User:
        """Add (or replace) an account; ``frozen`` ones get null tokens and 10007.

        ``regions``: the clusterIds (of ``catalog.REGIONS``) the user has an account in, whose
        tokens a login mints; the first is the user's own. Default: ``11250`` alone.
        """
        record = User(user, password, access_key, secret_key, frozen=frozen, balance=balance)
        if regions is not None:
            record.regions = tuple(regions)
        return self.accounts.add(record)

    def user(self, name: str) -> User:
        """The account record, mutable: ``sim.user("bob").frozen = True``."""
        return self.accounts.get(name)

    def charged(self, name: str) -> Decimal:
        """What the user's instances have cost so far at ``prices``, deleted ones included."""
        store = self.store
        usage = total_usage(store.list_for(name), self.clock(), store.retired.get(name, Usage()))
        return self.prices.charge(usage)

    def balance(self, name: str) -> str:
        """``accountBalance`` now: the user's opening balance less what they were charged."""
        return balance(self.accounts.get(name).balance, self.charged(name))

    def issue_token(
        self, user: str, *, ttl_seconds: float = 86400, cluster_id: str | None = None
    ) -> str:
        """A token as if minted by login: for the user's first region by default (``11250``
        unless ``add_user(regions=…)`` said otherwise), ``"0"`` for the platform. ValueError for
        a region the user has no account in."""
        record = self.accounts.get(user)
        cluster_id = record.regions[0] if cluster_id is None else cluster_id
        if cluster_id != PLATFORM_CLUSTER and cluster_id not in record.regions:
            raise ValueError(f"{user} has no account in region {cluster_id}")
        return self.accounts.issue(
            record, cluster_id=cluster_id, ttl_seconds=ttl_seconds, invoker="simulator"
        )

    # ----------------------------------------------------------------- instances

    @property
    def instances(self) -> Mapping[str, Instance]:
        """Every instance by id, each brought up to date with the clock (an O(n) read)."""
        return MappingProxyType(self.store.all())

    def instance(self, instance_id: str) -> Instance:
        """One instance, up to date; KeyError if unknown."""
        return self.store.get(instance_id)

    def set_status(self, instance_id: str, status: InstanceStatus | str) -> Instance:
        """Force a status now (e.g. ``"Failed"`` on demand); lifecycle continues from it."""
        return self.store.set_status(instance_id, InstanceStatus(status))

    def set_instance_delays(
        self, instance_id: str, *, waiting: float | None = None, deploying: float | None = None
    ) -> None:
        current = self.store.get(instance_id).delays
        self.store.set_delays(instance_id, current.updated(waiting=waiting, deploying=deploying))

    def add_rule(
        self, pattern: str, *, delays: Delays | None = None, fail: bool | None = None
    ) -> None:
        """Instances created later whose name matches ``pattern`` get these delays / fail."""
        self.store.add_rule(InstanceRule(pattern, delays=delays, fail=fail))

    def set_capacity(self, capacity: int | None) -> None:
        """At most ``capacity`` instances Deploying/Running; others queue in Waiting."""
        self.store.set_capacity(capacity)

    def add_image(self, image: ImageRecord) -> None:
        self.images.append(image)

    # ----------------------------------------------------------------- route variants

    def drop_list_by_body(self, status: int = 404) -> Fault:
        """``GET …/task`` (list with a JSON body) answers ``status`` from now on."""
        return self.faults.unsupported(*LIST_BY_BODY, status=status)

    def drop_old_images(self, status: int = 404) -> Fault:
        """``GET …/instance-service/images`` answers ``status`` from now on."""
        return self.faults.unsupported(*IMAGES_OLD, status=status)

    # ----------------------------------------------------------------- server

    async def wait_closing(self, seconds: float) -> None:
        """Sleep up to ``seconds``, or less if the simulator stops meanwhile."""
        closing = self._closing or asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closing.wait(), seconds)

    async def wait_open(self, gate: Gate) -> None:
        """Until ``gate`` is released, or the simulator stops."""
        closing = self._closing or asyncio.Event()
        waits = {asyncio.ensure_future(closing.wait()), asyncio.ensure_future(gate.wait())}
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        self._closing = asyncio.Event()
        # handler_cancellation: a client that gives up cancels its hanging handler
        runner = web.AppRunner(
            self.app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self.base_url = f"http://{_url_host(bound_host)}:{bound_port}"
        logger.info("SCNet simulator listening on %s", self.base_url)
        return self.base_url

    async def stop(self) -> None:
        if self._runner is None:
            return
        if self._closing is not None:
            self._closing.set()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        self.base_url = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def token_hint(base: str) -> str:
    """The start-up line of ``serve``: how to get a demo token (a command, never a token)."""
    regions = ", ".join(region.cluster_id for region in REGIONS)
    body = json.dumps({"user": DEMO_USER})
    return (
        f"demo user {DEMO_USER!r} (regions {regions}); get a token with: "
        f"curl -s -X POST {base}/_sim/tokens -d '{body}'"
        f' (add "cluster_id": "{REGIONS[-1].cluster_id}" for the other region)'
    )


async def serve(port: int, host: str = "127.0.0.1") -> None:
    """Run a simulator until cancelled (``scnet-bot simulator --port N``), with a demo user in
    every region; prints ``token_hint`` to stdout once it listens."""
    sim = ScnetSimulator()
    sim.add_user(DEMO_USER, regions=[r.cluster_id for r in REGIONS])
    base = await sim.start(host=host, port=port)
    # To the terminal, not the log: the CLI's log handler masks URL paths (bot.logs), which
    # would hide /_sim/tokens, and this line holds no secret (a command, no token).
    print(token_hint(base), flush=True)  # noqa: T201
    try:
        await asyncio.Event().wait()
    finally:
        await sim.stop()
