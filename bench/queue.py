"""The create queue at work: from "capacity freed" to "the next queued create sent to SCNet".

What it measures: a team with a limit of ``--slots`` instances, filled by instances of
``--users`` members, and ``--requests`` (default 200) creates queued behind them, round robin
over the members. Every instance, once Running, ends at a random moment (``--lifetime LO HI``
seconds after it started: the simulator marks it Completed or Failed, as SCNet does when a
job ends), which frees one place; the bot, wired exactly as ``scnet-bot run`` wires it (the
real scheduler, watcher, queue drain and outbox, all at the production defaults unless told
otherwise), notices it on its owner's next list read and creates the queue's next request.
With a limit on instances, the k-th end frees the place of the (slots + k)-th create: the
time between the two is the figure, printed as p50, p95 and max. It also checks that every
request was created exactly once (one create request to SCNet per instance name), and that
none failed or is left.

Target (issue 16): p95 <= 10 s at the default settings. Exits 1 when it is missed, or when a
request was created twice, failed, or never created.

Everything runs in this one process: the SCNet simulator (real clock) and the fake Slack on
loopback, the bot on a temporary SQLite file (or ``--database-url``).
Run from the repository root (it imports ``tests.fake_slack``):
``.venv/bin/python -m bench.queue [--requests N] [--slots S] [--users U] [--lifetime LO HI]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import AsyncExitStack, suppress
from pathlib import Path

from bot.config import load_settings
from bot.domain.commands import Create
from bot.domain.identity import SlackUser
from bot.domain.quota import QuotaLimits
from bot.domain.secret import Secret
from bot.scnet.simulator import Delays, ScnetSimulator
from bot.scnet.simulator.wire import AI
from bot.store import create_queue as queue_rows
from bot.store.keys import generate_key
from bot.wiring import open_runtime, slack_sender, start_background
from tests.fake_slack import FakeSlack

IMAGE = "jupyter:4.4-py3.7-cpu"
CREATE = f"{AI}/task"
TARGET_P95 = 10.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Ender:
    """Ends each Running instance at a random moment of its lifetime; notes when."""

    def __init__(self, sim: ScnetSimulator, rng: random.Random, lifetime: tuple[float, float]):
        self._sim = sim
        self._rng = rng
        self._lifetime = lifetime
        self._due: dict[str, float] = {}
        self.ended: list[float] = []  # time.monotonic() of each end, in order

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            now = time.monotonic()
            for instance in list(self._sim.instances.values()):
                if instance.status.value != "Running":
                    continue
                due = self._due.setdefault(instance.id, now + self._rng.uniform(*self._lifetime))
                if now >= due:
                    self._sim.set_status(instance.id, self._rng.choice(["Completed", "Failed"]))
                    self.ended.append(time.monotonic())
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.05)


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    sim = ScnetSimulator(delays=Delays(waiting=1, deploying=1))
    names = [f"member{n:02d}" for n in range(args.users)]
    for name in names:
        sim.add_user(name)
    async with AsyncExitStack() as stack:
        base = await sim.start()
        stack.push_async_callback(sim.stop)
        slack = await stack.enter_async_context(FakeSlack())
        members = [slack.add_user(name) for name in names]
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="scnet-bench-queue-"))
        settings = load_settings(
            database_url=args.database_url or f"sqlite:///{Path(folder) / 'queue.db'}",
            scnet_api_url=base,
            slack_api_url=slack.api_url,
            slack_bot_token=slack.bot_token,
            slack_signing_secret=slack.signing_secret,
            encryption_keys=generate_key(),
            _env_file=None,
        )
        runtime = await open_runtime(settings, stack)
        team = slack.team.id
        users = [SlackUser(team, member.id) for member in members]
        for user, name in zip(users, names, strict=True):
            await runtime.accounts.login_with_token(user, Secret(sim.issue_token(name)))
        await runtime.quota.set_limits(team, QuotaLimits(instances=args.slots), member_user_id=None)
        for n in range(args.slots):
            command = Create(image=IMAGE, name=f"first-{n}", cpus=1)
            await runtime.instances.create(users[n % len(users)], command, origin=None)
        for n in range(args.requests):
            command = Create(image=IMAGE, name=f"queued-{n:03d}", cpus=1)
            await runtime.queue.enqueue(users[n % len(users)], command, origin=None, locale="en")
        print(
            f"{args.slots} places held, {args.requests} creates queued by {args.users} members",
            flush=True,
        )
        await start_background(runtime, slack_sender(settings, stack), stack)
        ender = Ender(sim, rng, (args.lifetime[0], args.lifetime[1]))
        stop = asyncio.Event()
        ending = asyncio.create_task(ender.run(stop))
        started = time.monotonic()
        deadline = started + args.timeout
        while time.monotonic() < deadline:
            async with runtime.db.transaction() as session:
                waiting = await queue_rows.count_waiting(session, team)
            if waiting == 0:
                break
            await asyncio.sleep(0.5)
        took = time.monotonic() - started
        stop.set()
        await ending
        async with runtime.db.transaction() as session:
            states = Counter(
                r.state
                for r in [await queue_rows.get(session, i) for i in range(1, args.requests + 1)]
                if r is not None
            )
    creates = sim.requests.matching("POST", CREATE)
    per_name = Counter(
        str(r.body.get("instanceServiceName")) if isinstance(r.body, dict) else "?" for r in creates
    )
    twice = sorted(name for name, count in per_name.items() if count > 1)
    sent = sorted(r.monotonic for r in creates)[args.slots :]
    latencies = [at - freed for at, freed in zip(sent, ender.ended, strict=False)]
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    worst = max(latencies) if latencies else float("nan")
    print(f"drained in {took:.0f} s; request states: {dict(states)}", flush=True)
    print(
        f"capacity freed -> next create: n={len(latencies)} p50 {p50:.2f} s, p95 {p95:.2f} s, "
        f"max {worst:.2f} s (mean {statistics.fmean(latencies) if latencies else 0:.2f} s)",
        flush=True,
    )
    print(
        f"creates sent: {len(creates)} for {len(per_name)} names; created twice: "
        f"{len(twice)}{' ' + ', '.join(twice[:5]) if twice else ''}",
        flush=True,
    )
    ok = (
        not twice
        and states.get("created", 0) == args.requests
        and len(latencies) == args.requests
        and p95 <= TARGET_P95
    )
    print(f"target p95 <= {TARGET_P95:.0f} s, each request once: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--slots", type=int, default=20, help="the team's instance limit")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument(
        "--lifetime", type=float, nargs=2, default=(5.0, 40.0), metavar=("LO", "HI")
    )
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
