"""One bot process for the create queue's kill -9 and leader tests: the real runtime and
scheduler (``open_runtime`` + ``start_background``, as ``scnet-bot run`` builds them), run as
``python -u tests/queue/replica.py <json config>`` against the test's database, simulator and
fake Slack on loopback. It logs to stdout (the parent waits for lines such as "now the
leader") and runs until killed.

The queue's lease and settle time are short here (``lease`` seconds), so that a request whose
drain was killed is claimable again within the test's patience; the production defaults
differ only in these numbers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import timedelta

from bot.config import load_settings
from bot.jobs import JobIntervals
from bot.services.notify import DeliveryPolicy
from bot.slack.sender import SlackDelivery
from bot.wiring import open_runtime, start_background

log = logging.getLogger("replica")
INTERVALS = JobIntervals(
    leadership=0.5, watch_sweep=0.2, outbox=0.2, token_renewal=60, queue_drain=0.2
)


async def main(config: dict[str, object]) -> None:
    settings = load_settings(
        database_url=config["database_url"],
        scnet_api_url=config["scnet_url"],
        slack_api_url=config["slack_url"],
        slack_bot_token=config["slack_token"],
        encryption_keys=config["encryption_key"],
        watch_cadence=0.5,
        watch_running_interval=1.0,
        scnet_timeout=float(str(config.get("scnet_timeout", 30.0))),
        scnet_read_deadline=2.0,
        _env_file=None,
    )
    lease = timedelta(seconds=float(str(config.get("lease", 3.0))))
    async with AsyncExitStack() as stack:
        runtime = await open_runtime(settings, stack)
        runtime.queue.policy = replace(
            runtime.queue.policy, lease=lease, unknown_settle=timedelta(seconds=1)
        )
        slack = SlackDelivery(token=str(config["slack_token"]), api_url=settings.slack_api_url)
        stack.push_async_callback(slack.close)
        delivery = DeliveryPolicy(lease=timedelta(seconds=3), attempt_timeout=2.0)
        await start_background(runtime, slack.sender, stack, intervals=INTERVALS, delivery=delivery)
        log.info("STARTED")
        await asyncio.Event().wait()


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, stream=sys.stdout, format="%(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("aiohttp.access", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    asyncio.run(main(json.loads(sys.argv[1])))
