"""The per-target token bucket that keeps the notifier under Slack's per-channel rate."""

from __future__ import annotations

from bot.services.pacing import Pacer


def test_a_burst_goes_at_once_then_one_per_interval() -> None:
    pacer = Pacer(interval=1.0, burst=3)
    for _ in range(3):
        assert pacer.wait("C1", now=100.0) == 0.0
        pacer.took("C1", now=100.0)
    assert pacer.wait("C1", now=100.0) == 1.0
    assert pacer.wait("C1", now=100.5) == 0.5
    assert pacer.wait("C2", now=100.0) == 0.0  # another target has its own bucket
    pacer.took("C1", now=101.0)
    assert pacer.wait("C1", now=101.0) == 1.0  # then one per interval


def test_the_bucket_refills_to_the_burst_and_no_further() -> None:
    pacer = Pacer(interval=1.0, burst=2)
    pacer.took("C1", now=0.0)
    pacer.took("C1", now=0.0)
    assert pacer.wait("C1", now=0.0) == 1.0
    pacer.forget_idle(now=60.0)  # refilled long since: forgotten, as good as full
    for _ in range(2):
        assert pacer.wait("C1", now=60.0) == 0.0
        pacer.took("C1", now=60.0)
    assert pacer.wait("C1", now=60.0) == 1.0  # two at most, however long it rested


def test_an_interval_of_zero_turns_pacing_off() -> None:
    pacer = Pacer(interval=0.0, burst=1)
    pacer.took("C1", now=0.0)
    assert pacer.wait("C1", now=0.0) == 0.0
