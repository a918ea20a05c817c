"""Pytest plugin: the SCNet simulator on loopback and the bot's real client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.domain.secret import Secret
from bot.scnet.budget import RequestBudget
from bot.scnet.client import Caller, ClientOptions, ScnetClient
from bot.scnet.retry import RetryPolicy
from bot.scnet.simulator import Delays, ManualClock, ScnetSimulator
from bot.scnet.transport import Deadline

# Retries in tests never wait: zero backoff, bounded attempts.
FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, deadline=30.0)


@dataclass
class SimulatedScnet:
    sim: ScnetSimulator
    clock: ManualClock
    base_url: str

    def caller(self, user: str = "alice", **token_options: object) -> Caller:
        token = self.sim.issue_token(user, **token_options)  # type: ignore[arg-type]
        return Caller(token=Secret(token), ai_base_url=self.base_url)


@pytest.fixture
async def scnet() -> AsyncIterator[SimulatedScnet]:
    clock = ManualClock()
    sim = ScnetSimulator(clock=clock, delays=Delays(waiting=5, deploying=10))
    sim.add_user("alice", access_key="AK-alice", secret_key="SK-alice-secret", password="pw-a")
    sim.add_user("bob")
    base = await sim.start()
    try:
        yield SimulatedScnet(sim=sim, clock=clock, base_url=base)
    finally:
        await sim.stop()


def make_client(
    base_url: str,
    *,
    clock: ManualClock | None = None,
    timeout: float = 5.0,
    rps: float = 1000.0,
    deadline: Deadline | None = None,
    **options: object,
) -> ScnetClient:
    return ScnetClient(
        ClientOptions(
            api_url=base_url,
            auth_url=base_url,
            timeout=timeout,
            retry=FAST_RETRY,
            **options,  # type: ignore[arg-type]
        ),
        budget=RequestBudget(rps),
        **({"clock": clock} if clock is not None else {}),
        **({"deadline": deadline} if deadline is not None else {}),
    )


@pytest.fixture
async def client(scnet: SimulatedScnet) -> AsyncIterator[ScnetClient]:
    async with make_client(scnet.base_url, clock=scnet.clock) as instance:
        yield instance
