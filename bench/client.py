"""Throughput of the SCNet client against the simulator on loopback.

Creates N instances, then polls each one's detail through the real client (budget, retries,
parsing into domain objects) at a given concurrency, and prints requests per second, latency
percentiles and the process's peak RSS. Run: .venv/bin/python bench/client.py [--instances N]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time
from datetime import timedelta

from bot.domain.instances import InstanceSpec, Resources
from bot.domain.secret import Secret
from bot.scnet.budget import RequestBudget
from bot.scnet.client import Caller, ClientOptions, ScnetClient
from bot.scnet.simulator import ScnetSimulator


def spec(index: int) -> InstanceSpec:
    return InstanceSpec(
        name=f"bench-{index}",
        task_type="jupyter",
        accelerator="gpu",
        resource_group="TeslaM40",
        version="jupyter:4.4-py3.7-cpu",
        image_path="10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu",
        resources=Resources(cpus=2, gpus=1, ram_mb=4096),
        timeout_limit=timedelta(hours=1),
    )


async def main(instances: int, concurrency: int, rps: float) -> None:
    sim = ScnetSimulator()
    sim.add_user("bench")
    base = await sim.start()
    caller = Caller(Secret(sim.issue_token("bench")), ai_base_url=base)
    options = ClientOptions(api_url=base, auth_url=base)
    async with ScnetClient(options, budget=RequestBudget(rps)) as client:
        ids = [await client.create_instance(caller, spec(i)) for i in range(instances)]
        latencies: list[float] = []
        queue: asyncio.Queue[str] = asyncio.Queue()
        for instance_id in ids:
            queue.put_nowait(instance_id)

        async def worker() -> None:
            while not queue.empty():
                instance_id = queue.get_nowait()
                started = time.perf_counter()
                await client.get_instance(caller, instance_id)
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    await sim.stop()
    latencies.sort()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"detail polls: {len(latencies)} at concurrency {concurrency}, budget {rps:g}/s")
    print(f"throughput:   {len(latencies) / elapsed:.0f} requests/s")
    print(
        f"latency:      p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms"
    )
    print(f"peak RSS:     {peak_rss_mb:.0f} MB (client and simulator in one process)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rps", type=float, default=10_000)
    args = parser.parse_args()
    asyncio.run(main(args.instances, args.concurrency, args.rps))
