"""The ``/_sim`` control routes (for the demo and benchmarks) and ``serve`` (for the CLI)."""

from __future__ import annotations

import asyncio
import logging
import re

import aiohttp
import pytest

from bot.scnet.simulator import ManualClock, ScnetSimulator, serve
from bot.scnet.simulator.server import DEMO_USER

from .conftest import AC, AI, Api


async def control(api: Api, method: str, path: str, body: object = None) -> tuple[int, object]:
    async with api.http.request(method, f"{api.base}/_sim{path}", json=body) as response:
        return response.status, await response.json()


async def test_users_and_tokens(anonymous: Api) -> None:
    status, _ = await control(anonymous, "POST", "/users", {"user": "carol", "balance": "12.30"})
    assert status == 200
    _, answer = await control(anonymous, "POST", "/tokens", {"user": "carol"})
    assert isinstance(answer, dict)
    anonymous.token = answer["token"]
    assert (await anonymous.get(f"{AC}/user")).data["accountBalance"] == "12.30"


async def test_users_with_regions_and_tokens_per_region(anonymous: Api) -> None:
    user = {"user": "dora", "regions": ["11250", "11276"]}
    assert (await control(anonymous, "POST", "/users", user))[0] == 200
    _, answer = await control(anonymous, "POST", "/tokens", {"user": "dora", "cluster_id": "11276"})
    assert isinstance(answer, dict)
    anonymous.token = answer["token"]
    assert (await anonymous.get(f"{AC}/center")).data["id"] == 11276
    assert (await control(anonymous, "POST", "/users", {"user": "x", "regions": ["1"]}))[0] == 400


async def test_bad_control_input_is_400(anonymous: Api) -> None:
    assert (await control(anonymous, "POST", "/tokens", {"user": "nobody"}))[0] == 400
    assert (await control(anonymous, "POST", "/config", {"list_shape": "rows"}))[0] == 400
    assert (await control(anonymous, "POST", "/config", {"no_such_knob": 1}))[0] == 400
    assert (await control(anonymous, "POST", "/faults", {"kind": "explode", "path": "*"}))[0] == 400


async def test_config_faults_and_latency(sim: ScnetSimulator, alice: Api) -> None:
    _, knobs = await control(alice, "POST", "/config", {"renew_shape": "object"})
    assert isinstance(knobs, dict)
    assert knobs["renew_shape"] == "object"
    assert sim.config.renew_shape == "object"

    fault = {"kind": "code", "method": "GET", "path": "*/resource-group", "code": "10001"}
    await control(alice, "POST", "/faults", fault)
    assert (await alice.get(f"{AI}/resource-group")).code == "10001"
    await control(alice, "POST", "/faults", fault | {"times": None})
    await control(alice, "POST", "/latency", {"seconds": 0.5})
    await control(alice, "DELETE", "/faults")
    assert (sim.faults.pending, sim.faults.latency) == ((), 0.0)


async def test_instances_status_capacity_and_clock(
    sim: ScnetSimulator, alice: Api, clock: ManualClock
) -> None:
    await control(alice, "POST", "/capacity", {"capacity": 0})
    instance_id = await alice.create()
    await control(alice, "POST", "/clock/advance", {"seconds": 60})
    _, listed = await control(alice, "GET", "/instances")
    assert listed == [
        {"id": instance_id, "owner": "alice", "name": "Instances_2205113838", "status": "Waiting"}
    ]
    await control(alice, "POST", f"/instances/{instance_id}/status", {"status": "Running"})
    assert (await alice.detail(instance_id))["status"] == "Running"
    assert clock() == 1_750_000_060
    assert (await control(alice, "POST", "/instances/nope/status", {"status": "Running"}))[0] == 400


async def test_rules_route(sim: ScnetSimulator, alice: Api, clock: ManualClock) -> None:
    await control(alice, "POST", "/rules", {"pattern": "doomed-*", "fail": True, "deploying": 1})
    instance_id = await alice.create(instanceServiceName="doomed-1")
    clock.advance(3)
    assert (await alice.detail(instance_id))["status"] == "Failed"


async def test_requests_route(sim: ScnetSimulator, alice: Api) -> None:
    await alice.get(f"{AI}/resource-group")
    _, log = await control(alice, "GET", "/requests")
    assert isinstance(log, dict)
    assert log["counts"] == {f"GET {AI}/resource-group": 1}
    assert log["entries"][0]["user"] == "alice"
    assert alice.token is not None
    assert alice.token not in str(log)
    await control(alice, "DELETE", "/requests")
    assert len(sim.requests) == 0


async def test_clock_route_needs_a_manual_clock(http: aiohttp.ClientSession) -> None:
    async with ScnetSimulator() as sim:
        api = Api(http, sim.base_url or "", None)
        assert (await control(api, "POST", "/clock/advance", {"seconds": 1}))[0] == 409


async def test_two_simulators_share_nothing(http: aiohttp.ClientSession) -> None:
    async with ScnetSimulator() as one, ScnetSimulator() as two:
        one.add_user("alice")
        two.add_user("alice")
        api = Api(http, two.base_url or "", one.issue_token("alice"))
        assert (await api.get(f"{AI}/resource-group")).code == "10008"
        assert one.base_url != two.base_url


async def test_serve_runs_until_cancelled(
    caplog: pytest.LogCaptureFixture, http: aiohttp.ClientSession
) -> None:
    caplog.set_level(logging.INFO, logger="bot.scnet.simulator")
    task = asyncio.create_task(serve(0))
    base = await _logged_base(caplog)
    async with http.post(f"{base}/_sim/tokens", json={"user": DEMO_USER}) as response:
        token = (await response.json())["token"]
    assert (await Api(http, base, token).get(f"{AC}/tokens/state")).code == "0"
    assert token not in caplog.text
    other = {"user": DEMO_USER, "cluster_id": "11276"}  # the demo user is in both regions
    async with http.post(f"{base}/_sim/tokens", json=other) as response:
        other_token = (await response.json())["token"]
    center = (await Api(http, base, other_token).get(f"{AC}/center")).data
    assert (center["id"], center["name"]) == (11276, "西北一区【西安】")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_serve_prints_a_readable_token_hint(
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    http: aiohttp.ClientSession,
) -> None:
    """The hint goes to stdout, not through the CLI's redacting log handler, path and all."""
    caplog.set_level(logging.INFO, logger="bot.scnet.simulator")
    task = asyncio.create_task(serve(0))
    try:
        base = await _logged_base(caplog)
        [hint] = [line for line in capsys.readouterr().out.splitlines() if "curl" in line]
        command = f'curl -s -X POST {base}/_sim/tokens -d \'{{"user": "{DEMO_USER}"}}\''
        assert command in hint
        assert "***" not in hint
        url = re.search(r"POST (\S+)", hint)
        assert url is not None
        async with http.post(url.group(1), json={"user": DEMO_USER}) as response:
            assert "token" in await response.json()  # the printed command works
        assert "_sim/tokens" not in caplog.text  # not logged, so never masked
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def _logged_base(caplog: pytest.LogCaptureFixture) -> str:
    for _ in range(200):
        match = re.search(r"listening on (http://\S+)", caplog.text)
        if match:
            return match.group(1)
        await asyncio.sleep(0.01)  # waiting for the server task to bind, not for the clock
    raise AssertionError("serve() never logged its address")
