"""Ack latency of ``scnet-bot run`` (HTTP mode) under load, next to the bare Bolt floor.

What it measures: the time from sending a signed ``/scnet images`` slash command to
``POST /slack/events`` until its HTTP answer (the ack) is back, for ``--requests`` commands at
``--concurrency``, while every SCNet call the bot makes takes ``--scnet-latency`` seconds.
Slack drops a command not acked within 3 s, so a bot that waited for SCNet before acking shows
here. The same load against ``bench/bare_bolt_app.py``, a Bolt app whose handler only acks,
gives the framework's floor in the same run; the p99 ratio compares the two.

How: this process serves the SCNet simulator and the fake Slack (Web API and response URLs) on
loopback and drives the load with an aiohttp client. The bot (``python -m bot.cli run``, with a
temporary SQLite file and a fresh encryption key) and the bare app each run as their own
process, so the load generator never shares their event loop. Each request is built afresh
(new response URL and trigger id, signed now) by one of 50 Slack users, who first log in with
``/scnet login <token>`` while SCNet still answers at once. Then the latency goes on, each app
gets 20 warm-up requests and the measured load, and the bench waits (up to 60 s) for the bot's
replies to reach the response URLs and counts them: fewer than ``--requests`` means commands
were acked and then lost or failed.

Run from the repository root (it imports ``tests.fake_slack``):
``.venv/bin/python -m bench.ack [--requests N] [--concurrency C] [--scnet-latency S]``.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, STDOUT

import aiohttp

from bot.config import Settings
from bot.scnet.simulator import ScnetSimulator
from bot.store.keys import generate_key
from tests.fake_slack import RESPONSE_URL, FakeSlack, SlackRequest, User

REPO = Path(__file__).resolve().parent.parent
SLACK_DEADLINE = 3.0  # seconds Slack waits for an ack
P99_TARGET = 0.100
RATIO_TARGET = 1.5
USERS = 50
WARMUP = 20
START_SECONDS = 60.0  # for a child to answer GET /healthz (it migrates its database first)
DRAIN_SECONDS = 60.0  # for the bot's background work to post its replies
CLIENT_TIMEOUT = 10.0  # a request with no answer by then counts as failed (status 0)
IMAGES_REPLY = "Images ("  # how the English images list's fallback text starts (images.title)

# Variables the bot reads: never inherited from the caller's shell (a SLACK_APP_TOKEN there
# would switch the bot to Socket Mode), only set here.
SETTINGS_VARIABLES = frozenset(name.upper() for name in Settings.model_fields)

BuildRequest = Callable[[int], SlackRequest]


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float
    status: int  # 0: no answer (timeout or connection error)


@dataclass(frozen=True, slots=True)
class Figures:
    name: str
    n: int
    p50: float
    p99: float
    max: float
    late: int  # at or over Slack's 3 s
    failed: int  # answered other than 200, or not at all
    cpu_ms: float  # the app process's CPU time over the load, per command

    @classmethod
    def of(cls, name: str, samples: Sequence[Sample], cpu_seconds: float) -> Figures:
        latencies = sorted(sample.seconds for sample in samples)
        return cls(
            name=name,
            n=len(latencies),
            p50=percentile(latencies, 0.50),
            p99=percentile(latencies, 0.99),
            max=latencies[-1],
            late=sum(1 for seconds in latencies if seconds >= SLACK_DEADLINE),
            failed=sum(1 for sample in samples if sample.status != 200),
            cpu_ms=cpu_seconds * 1000 / len(latencies),
        )

    def row(self) -> str:
        return (
            f"{self.name:<11}{self.n:>6}{self.p50 * 1000:>9.1f}{self.p99 * 1000:>9.1f}"
            f"{self.max * 1000:>9.1f}{self.late:>8}{self.failed:>9}{self.cpu_ms:>11.2f}"
        )


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value with at least ``q`` of the samples at or below it."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


# --- child processes -------------------------------------------------------------------------


@dataclass(slots=True)
class Child:
    name: str
    process: asyncio.subprocess.Process
    base_url: str
    log: Path

    @property
    def events_url(self) -> str:
        return f"{self.base_url}/slack/events"

    def cpu_seconds(self) -> float:
        """User plus system CPU time so far, from /proc (Linux): fields 14 and 15 of stat."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rpartition(")")[2].split()  # the command name may contain spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def child_env(slack: FakeSlack, **settings: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARIABLES}
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {
        **inherited,
        "PYTHONPATH": python_path,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "LOG_LEVEL": "WARNING",
        **settings,
    }


async def start_child(name: str, module: str, env: dict[str, str], workdir: Path) -> Child:
    """``python -m module`` on a free port; its cwd is ``workdir``, so no ``.env`` is read."""
    port = free_port()
    log = workdir / f"{name.replace(' ', '-')}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *module.split(),
            env={**env, "PORT": str(port)},
            cwd=workdir,
            stdin=DEVNULL,
            stdout=output,
            stderr=STDOUT,
        )
    return Child(name, process, f"http://127.0.0.1:{port}", log)


async def wait_healthy(http: aiohttp.ClientSession, child: Child) -> None:
    # Polling is fine here: it happens once, before anything is measured.
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if child.process.returncode is not None:
            raise RuntimeError(f"{child.name} exited at start:\n{child.log_tail()}")
        try:
            async with http.get(f"{child.base_url}/healthz") as answer:
                if answer.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{child.name} not healthy within {START_SECONDS:g}s:\n{child.log_tail()}")


async def stop_child(child: Child) -> None:
    """SIGTERM, then SIGKILL if it has not gone within 5 s."""
    if child.process.returncode is not None:
        return
    child.process.terminate()
    try:
        await asyncio.wait_for(child.process.wait(), 5.0)
    except TimeoutError:
        child.process.kill()
        await child.process.wait()


# --- load --------------------------------------------------------------------------------------


async def drive(
    http: aiohttp.ClientSession,
    url: str,
    build: BuildRequest,
    *,
    secret: str,
    requests: int,
    concurrency: int,
) -> list[Sample]:
    """Send ``build(0..requests-1)`` from ``concurrency`` workers, timing each answer."""
    indices = iter(range(requests))  # shared: each worker takes the next index
    samples: list[Sample] = []

    async def worker() -> None:
        for index in indices:
            request = build(index)
            headers = request.headers(secret)  # signed now, as Slack signs on sending
            started = time.perf_counter()
            try:
                async with http.post(url, data=request.body, headers=headers) as answer:
                    await answer.read()
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            samples.append(Sample(time.perf_counter() - started, status))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples


async def wait_replies(slack: FakeSlack, count: int, seconds: float) -> bool:
    """Until ``count`` response URL posts in all have arrived; False if time ran out."""
    try:
        await slack.wait_for(RESPONSE_URL, count=count, timeout=seconds)
    except TimeoutError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Replies:
    arrived: int
    image_lists: int
    seconds: float  # from the last ack until the last reply, or until giving up


async def drain(slack: FakeSlack, *, before: int, expected: int) -> Replies:
    started = time.monotonic()
    await wait_replies(slack, before + expected, DRAIN_SECONDS)
    posts = slack.response_posts()[before:]
    image_lists = sum(
        1 for post in posts if str(post.body.get("text", "")).startswith(IMAGES_REPLY)
    )
    return Replies(len(posts), image_lists, time.monotonic() - started)


# --- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Options:
    requests: int
    concurrency: int
    scnet_latency: float


async def log_in(
    http: aiohttp.ClientSession,
    bot: Child,
    slack: FakeSlack,
    sim: ScnetSimulator,
    users: Sequence[User],
) -> None:
    for user in users:
        sim.add_user(user.name)
    tokens = [sim.issue_token(user.name) for user in users]
    before = len(slack.response_posts())

    def login(index: int) -> SlackRequest:
        return slack.slash_command(users[index].id, f"login {tokens[index]}")

    samples = await drive(
        http,
        bot.events_url,
        login,
        secret=slack.signing_secret,
        requests=len(users),
        concurrency=len(users),
    )
    if any(sample.status != 200 for sample in samples):
        raise RuntimeError(f"a login was not acked:\n{bot.log_tail()}")
    if not await wait_replies(slack, before + len(users), DRAIN_SECONDS):
        raise RuntimeError(f"login replies missing:\n{bot.log_tail()}")


@contextmanager
def collector_paused() -> Iterator[None]:
    """This process's garbage collector off while it measures, so that a pause of the load
    generator (or of the simulator and fake Slack beside it) is not charged to the app under
    test. The run is bounded, so the heap only grows by what one load leaves behind."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def load(
    http: aiohttp.ClientSession,
    child: Child,
    slack: FakeSlack,
    build: BuildRequest,
    options: Options,
    *,
    requests: int,
) -> Figures:
    with collector_paused():
        cpu_before = child.cpu_seconds()
        samples = await drive(
            http,
            child.events_url,
            build,
            secret=slack.signing_secret,
            requests=requests,
            concurrency=options.concurrency,
        )
        return Figures.of(child.name, samples, child.cpu_seconds() - cpu_before)


async def run(options: Options) -> bool:
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=options.concurrency)
    children: list[Child] = []
    with tempfile.TemporaryDirectory(prefix="bench-ack-") as tmp:
        workdir = Path(tmp)
        async with (
            ScnetSimulator() as sim,
            FakeSlack() as slack,
            aiohttp.ClientSession(timeout=timeout, connector=connector) as http,
        ):
            assert sim.base_url is not None
            try:
                bare = await start_child(
                    "bare bolt", "bench.bare_bolt_app", child_env(slack), workdir
                )
                children.append(bare)
                bot_env = child_env(
                    slack,
                    SCNET_API_URL=sim.base_url,
                    DATABASE_URL=f"sqlite:///{workdir / 'bot.db'}",
                    ENCRYPTION_KEYS=generate_key(),
                    SCNET_MAX_RPS="1000",  # so the request budget does not hold up replies
                )
                bot = await start_child("scnet-bot", "bot.cli run", bot_env, workdir)
                children.append(bot)
                for child in children:
                    await wait_healthy(http, child)

                users = [slack.add_user(f"bench{i:02d}") for i in range(USERS)]
                await log_in(http, bot, slack, sim, users)
                sim.faults.add_latency(options.scnet_latency)

                def images(index: int) -> SlackRequest:
                    return slack.slash_command(users[index % len(users)].id, "images")

                await load(http, bare, slack, images, options, requests=WARMUP)
                floor = await load(http, bare, slack, images, options, requests=options.requests)
                # The bot's warm-up replies come first, so that its background work is over.
                before = len(slack.response_posts())
                await load(http, bot, slack, images, options, requests=WARMUP)
                if not await wait_replies(slack, before + WARMUP, DRAIN_SECONDS):
                    raise RuntimeError(f"warm-up replies missing:\n{bot.log_tail()}")
                before = len(slack.response_posts())
                figures = await load(http, bot, slack, images, options, requests=options.requests)
                replies = await drain(slack, before=before, expected=options.requests)
            finally:
                for child in children:
                    await stop_child(child)
    return report(options, floor, figures, replies)


def report(options: Options, floor: Figures, bot: Figures, replies: Replies) -> bool:
    ratio = bot.p99 / floor.p99
    print(
        f"ack latency: {options.requests} signed /scnet images, concurrency {options.concurrency}, "
        f"SCNet answering after {options.scnet_latency:g} s (after {WARMUP} warm-up requests)"
    )
    columns = ("n", 6), ("p50 ms", 9), ("p99 ms", 9), ("max ms", 9), (">= 3 s", 8), ("non-200", 9)
    header = "".join(f"{name:>{width}}" for name, width in (*columns, ("cpu ms/cmd", 11)))
    print(f"{'app':<11}{header}")
    print(floor.row())
    print(bot.row())
    print(f"p99 ratio scnet-bot / bare bolt: {ratio:.2f}")
    print(
        f"bot replies on response URLs: {replies.arrived} of {options.requests} "
        f"({replies.image_lists} image lists), {replies.seconds:.1f} s after the last ack"
        + ("" if replies.arrived >= options.requests else f" (gave up after {DRAIN_SECONDS:g} s)")
    )
    checks = [
        (
            bot.late == 0 and bot.failed == 0,
            f"every ack 200 and under 3 s ({bot.late} late, {bot.failed} failed)",
        ),
        (bot.p99 <= P99_TARGET, f"p99 <= {P99_TARGET * 1000:.0f} ms ({bot.p99 * 1000:.1f} ms)"),
        (ratio <= RATIO_TARGET, f"p99 ratio <= {RATIO_TARGET:g} ({ratio:.2f})"),
        (replies.arrived >= options.requests, f"every command answered ({replies.arrived})"),
    ]
    for passed, text in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    return all(passed for passed, _ in checks)


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="bench.ack", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--scnet-latency", type=float, default=2.5, help="seconds")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.scnet_latency < 0:
        parser.error("--requests and --concurrency must be >= 1, --scnet-latency >= 0")
    return Options(args.requests, args.concurrency, args.scnet_latency)


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(run(parse_options())) else 1)
