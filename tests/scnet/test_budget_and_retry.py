"""The request budget and the read-retry policy, on an injected clock (no real waiting)."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.scnet.budget import RequestBudget, background_requests
from bot.scnet.errors import InputError, RequestTimeout
from bot.scnet.retry import RetryPolicy, retry_read


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_budget_spaces_requests_at_the_rate_so_no_second_sees_more() -> None:
    time = FakeTime()
    budget = RequestBudget(20, clock=time.clock, sleep=time.sleep)
    moments: list[float] = []
    for _ in range(100):
        await budget.acquire()
        moments.append(time.now)
    # Two at once (a tenth of a second's worth), then one every 1/20 s: 98 more in 4.9 s.
    assert time.now == pytest.approx(4.9)
    assert budget.waited_seconds == pytest.approx(4.9)
    for start in moments:
        assert sum(start <= m < start + 1.0 for m in moments) <= 22


async def test_a_budget_given_a_burst_lets_it_through_then_paces() -> None:
    time = FakeTime()
    budget = RequestBudget(5, burst=5, clock=time.clock, sleep=time.sleep)
    for _ in range(25):
        await budget.acquire()
    assert time.now == pytest.approx(4.0)  # 5 at once, then 20 at 5 a second


async def test_a_command_waiting_for_the_budget_goes_before_background_reads() -> None:
    # The real clock at 50 requests a second: every waiter sleeps at once, as in production
    # (a fake clock that each sleeper moves on its own would let the first sleeper win).
    budget = RequestBudget(50, burst=1)
    await budget.acquire()  # the bucket is empty now
    order: list[str] = []

    async def take(who: str) -> None:
        await budget.acquire()
        order.append(who)

    with background_requests():
        sweeps = [asyncio.create_task(take(f"sweep-{n}")) for n in range(3)]
    await asyncio.sleep(0)  # the sweep's reads are waiting first
    command = asyncio.create_task(take("command"))
    await asyncio.gather(command, *sweeps)
    assert order[0] == "command"
    assert sorted(order[1:]) == ["sweep-0", "sweep-1", "sweep-2"]


async def test_budget_refuses_a_zero_rate() -> None:
    with pytest.raises(ValueError, match="positive"):
        RequestBudget(0)


async def test_reads_are_retried_until_they_succeed() -> None:
    time = FakeTime()
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RequestTimeout("slow")
        return "ok"

    policy = RetryPolicy(attempts=5, base_delay=1, max_delay=4, deadline=60)
    result = await retry_read(
        flaky, policy=policy, what="t", rng=random.Random(1), clock=time.clock, sleep=time.sleep
    )
    assert result == "ok"
    assert calls == 3
    assert len(time.sleeps) == 2
    assert all(0 <= pause <= 4 for pause in time.sleeps)


async def test_retries_stop_at_the_attempt_cap() -> None:
    time = FakeTime()
    calls = 0

    async def down() -> str:
        nonlocal calls
        calls += 1
        raise RequestTimeout("down")

    policy = RetryPolicy(attempts=3, base_delay=0.1, max_delay=1, deadline=60)
    with pytest.raises(RequestTimeout):
        await retry_read(down, policy=policy, what="t", clock=time.clock, sleep=time.sleep)
    assert calls == 3


async def test_retries_stop_at_the_deadline() -> None:
    time = FakeTime()
    calls = 0

    async def slow_down() -> str:
        nonlocal calls
        calls += 1
        time.now += 10  # each attempt eats 10 s of the budget
        raise RequestTimeout("down")

    policy = RetryPolicy(attempts=10, base_delay=0.1, max_delay=1, deadline=25)
    with pytest.raises(RequestTimeout):
        await retry_read(slow_down, policy=policy, what="t", clock=time.clock, sleep=time.sleep)
    assert calls == 3


async def test_permanent_errors_are_not_retried() -> None:
    calls = 0

    async def bad_input() -> str:
        nonlocal calls
        calls += 1
        raise InputError("missing", code="10003")

    with pytest.raises(InputError):
        await retry_read(bad_input, policy=RetryPolicy(base_delay=0), what="t")
    assert calls == 1


async def test_an_attempt_is_cut_short_at_the_deadline_and_not_retried() -> None:
    """The deadline bounds the whole read: an attempt that starts just before it ends with
    it (a hanging SCNet would otherwise keep the user waiting a full request timeout more)."""
    time = FakeTime()
    calls = 0
    never = asyncio.Event()

    async def slow_then_hanging() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            time.now += 9.99  # the first attempt timed out just before the deadline
            raise RequestTimeout("slow")
        await never.wait()  # the second hangs: only the deadline ends it
        return "late"

    policy = RetryPolicy(attempts=5, base_delay=0, max_delay=0, deadline=10)
    async with asyncio.timeout(5):  # a guard against hanging the suite, not a measurement
        with pytest.raises(RequestTimeout, match="deadline"):
            await retry_read(
                slow_then_hanging, policy=policy, what="t", clock=time.clock, sleep=time.sleep
            )
    assert calls == 2
