"""``scnet-bot demo``: the bot's world with no credentials.

For now it starts the SCNet simulator with a logged-in demo user and prints how to reach it;
the interactive console arrives with the Slack layer.
"""

from __future__ import annotations

import asyncio
import json

from bot.scnet.simulator import ScnetSimulator

DEMO_USER = "demo"


async def run_demo(*, port: int) -> None:
    sim = ScnetSimulator()
    sim.add_user(DEMO_USER)
    base = await sim.start(port=port)
    print(f"SCNet simulator listening on {base}")
    body = json.dumps({"user": DEMO_USER})
    print(f"  a token for {DEMO_USER!r}:  curl -s -X POST {base}/_sim/tokens -d '{body}'")
    print(
        f"  the images:  curl -s -H 'token: <token>' {base}/ai/openapi/v2/instance-service/images"
    )
    print("Press Ctrl-C to stop.")
    try:
        await asyncio.Event().wait()
    finally:
        await sim.stop()
