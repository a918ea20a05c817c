"""One bot process for the kill -9 and leader tests: the real runtime and scheduler, run as
``python -u tests/watch/replica.py <json config>`` against the test's database, simulator
and fake Slack on loopback. It logs to stdout (the parent waits for lines such as "now the
leader") and runs until killed.

``hang_on``: the sender logs ``SENDING <key>`` and blocks forever when it reaches a notice
whose key starts with one of these prefixes, so the parent can SIGKILL the process at that
exact point: after the status commit, with the notice claimed, before Slack has it.
Deliveries run one at a time then, so no other send is in flight at the kill.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from contextlib import AsyncExitStack
from datetime import timedelta

from bot.config import load_settings
from bot.domain.notices import Delivery, NoticeSender
from bot.jobs import JobIntervals
from bot.services.notify import DeliveryPolicy
from bot.slack.sender import SlackDelivery
from bot.wiring import open_runtime, start_background

log = logging.getLogger("replica")
INTERVALS = JobIntervals(leadership=0.5, watch_sweep=0.2, outbox=0.2, token_renewal=60)


class HangingSender:
    def __init__(self, inner: NoticeSender, prefixes: list[str]) -> None:
        self._inner = inner
        self._prefixes = tuple(prefixes)

    async def send(self, delivery: Delivery) -> None:
        if delivery.key.startswith(self._prefixes):
            log.warning("SENDING %s", delivery.key)
            await asyncio.Event().wait()
        await self._inner.send(delivery)


async def main(config: dict[str, object]) -> None:
    settings = load_settings(
        database_url=config["database_url"],
        scnet_api_url=config["scnet_url"],
        slack_api_url=config["slack_url"],
        slack_bot_token=config["slack_token"],
        encryption_keys=config["encryption_key"],
        watch_min_interval=0.2,
        watch_max_interval=1.0,
        scnet_timeout=1.0,
        scnet_read_deadline=1.0,
        _env_file=None,
    )
    hang_on = [str(prefix) for prefix in config.get("hang_on", [])]  # type: ignore[attr-defined]
    delivery = DeliveryPolicy(
        lease=timedelta(seconds=3),
        attempt_timeout=2.0,
        concurrency=1 if hang_on else 8,
    )
    async with AsyncExitStack() as stack:
        runtime = await open_runtime(settings, stack)
        slack = SlackDelivery(token=str(config["slack_token"]), api_url=settings.slack_api_url)
        stack.push_async_callback(slack.close)
        sender: NoticeSender = slack.sender
        if hang_on:
            sender = HangingSender(sender, hang_on)
        await start_background(runtime, sender, stack, intervals=INTERVALS, delivery=delivery)
        log.info("STARTED")
        await asyncio.Event().wait()


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, stream=sys.stdout, format="%(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("aiohttp.access", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    asyncio.run(main(json.loads(sys.argv[1])))
