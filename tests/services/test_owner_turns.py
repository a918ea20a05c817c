"""Owners take turns within the background allowance: fair, longest-waiting first."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.services.owner_turns import OwnerTurns


def simulate(
    turns: OwnerTurns[str], owners: list[str], *, cadence: float, seconds: int
) -> Counter[str]:
    """A sweep a second for ``seconds``: each owner read is due again a cadence later."""
    due = dict.fromkeys(owners, 0.0)
    reads: Counter[str] = Counter()
    for now in range(seconds):
        for owner in turns.pick(((at, o) for o, at in due.items()), now=float(now)):
            reads[owner] += 1
            turns.read(owner, now=float(now), waiting=True)
            due[owner] = now + cadence
    return reads


def test_within_the_allowance_every_owner_is_read_every_cadence() -> None:
    turns: OwnerTurns[str] = OwnerTurns(rate=20)
    owners = [f"u{n}" for n in range(30)]  # 30 owners / 3 s = 10 reads a second
    reads = simulate(turns, owners, cadence=3, seconds=300)
    assert set(reads.values()) == {100}
    figures = turns.figures(now=300)
    assert figures.effective_cadence == pytest.approx(3.0)
    assert figures.behind == 0


def test_over_the_allowance_every_owner_stretches_evenly_and_none_starves() -> None:
    turns: OwnerTurns[str] = OwnerTurns(rate=10)
    owners = [f"u{n}" for n in range(100)]  # asks 100 / 3 s = 33 reads a second, gets 10
    reads = simulate(turns, owners, cadence=3, seconds=300)
    assert sum(reads.values()) <= 10 * 300 + 10  # never past the allowance (plus one burst)
    assert max(reads.values()) - min(reads.values()) <= 1  # the same share for everyone
    figures = turns.figures(now=300)
    assert figures.effective_cadence == pytest.approx(100 / 10, rel=0.1)  # stretched to 10 s
    assert figures.reads_per_second == pytest.approx(10, rel=0.1)
    assert figures.behind > 0


def test_the_longest_overdue_owner_goes_first() -> None:
    turns: OwnerTurns[str] = OwnerTurns(rate=1, burst=1)
    due = [(5.0, "recent"), (1.0, "oldest"), (3.0, "middle"), (20.0, "not yet")]
    assert turns.pick(due, now=10.0) == ["oldest"]
    assert turns.pick(due, now=10.5) == []  # half a token: nobody yet
    assert turns.pick([(5.0, "recent"), (3.0, "middle")], now=11.0) == ["middle"]


def test_owners_someone_waits_on_go_first_yet_the_others_keep_their_share() -> None:
    turns: OwnerTurns[str] = OwnerTurns(rate=10, running_share=0.1)
    waiting = [f"w{n}" for n in range(100)]
    running = [f"r{n}" for n in range(100)]
    due = {owner: 0.0 for owner in waiting + running}
    reads: Counter[str] = Counter()
    for now in range(1, 101):
        # The running owners have waited longest, yet the waiting ones are read first.
        pairs = [(at - (1000 if owner in running else 0), owner) for owner, at in due.items()]
        for owner in turns.pick(pairs, now=float(now), waiting=set(waiting)):
            reads[owner] += 1
            due[owner] = float(now)
    to_waiting = sum(reads[owner] for owner in waiting)
    to_running = sum(reads[owner] for owner in running)
    assert to_waiting + to_running <= 10 * 100 + 10
    assert to_running == pytest.approx(0.1 * (to_waiting + to_running), abs=10)
    assert min(reads[owner] for owner in waiting) >= 8  # everyone waiting, in turn
    assert min(reads[owner] for owner in running) >= 1  # late, never starved


def test_running_owners_take_what_the_waiting_ones_leave() -> None:
    turns: OwnerTurns[str] = OwnerTurns(rate=5, burst=5)
    due = [(0.0, "r1"), (0.0, "r2"), (0.0, "r3"), (1.0, "w1")]
    assert sorted(turns.pick(due, now=2.0, waiting={"w1"})) == ["r1", "r2", "r3", "w1"]


def test_with_no_allowance_left_nobody_is_read() -> None:
    turns: OwnerTurns[str] = OwnerTurns(rate=1, burst=1)
    assert turns.pick([(0.0, "r"), (0.0, "w")], now=1.0, waiting={"w"}) == ["w"]
    assert turns.pick([(0.0, "r")], now=1.2, waiting=set()) == []
