"""Fault injection and the request log: what a client's retry, fallback and timeout logic
meets (DESIGN.md: "slow, 5xx, expired token, odd envelopes")."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.scnet.simulator import ManualClock, ScnetSimulator

from .conftest import AC, AI, Api, create_body

LIST_QUERY = {"start": 0, "limit": 20, "sort": "desc"}


async def test_fail_next_answers_a_code_once(sim: ScnetSimulator, alice: Api) -> None:
    sim.faults.fail_next("POST", f"{AI}/task", code="716865")
    failed = await alice.post(f"{AI}/task", json=create_body())
    assert (failed.status, failed.code, failed.data) == (200, "716865", None)
    assert (await alice.post(f"{AI}/task", json=create_body())).code == "0"
    assert len(sim.instances) == 1  # the failed create made nothing
    assert sim.requests.count("POST", f"{AI}/task") == 2


async def test_fault_matches_templates_by_pattern(sim: ScnetSimulator, alice: Api) -> None:
    instance_id = await alice.create()
    sim.faults.fail_next("GET", "*/detail", code="716020", times=2)
    codes = [(await alice.get(f"{AI}/{instance_id}/detail")).code for _ in range(3)]
    assert codes == ["716020", "716020", "0"]


async def test_error_http_status_knob(sim: ScnetSimulator, alice: Api) -> None:
    sim.config.error_http_status = 400
    reply = await alice.get(f"{AI}/{'0' * 32}/detail")
    assert (reply.status, reply.code) == (400, "10004")


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_gateway_errors_are_html(sim: ScnetSimulator, alice: Api, status: int) -> None:
    sim.faults.http_error("*", "*/resource-group", status)
    reply = await alice.get(f"{AI}/resource-group")
    assert reply.status == status
    assert reply.content_type == "text/html"
    assert reply.body is None


async def test_body_list_can_be_dropped_for_the_query_fallback(
    sim: ScnetSimulator, alice: Api
) -> None:
    sim.drop_list_by_body(status=405)
    dropped = await alice.get(f"{AI}/task", json=LIST_QUERY)
    assert dropped.status == 405
    assert "code" not in dropped.body  # a gateway error, not an envelope
    fallback = await alice.get(f"{AI}/task/list", params=LIST_QUERY)
    assert fallback.code == "0"
    assert (await alice.post(f"{AI}/task", json=create_body())).code == "0"  # same path, POST


async def test_old_images_can_be_dropped(sim: ScnetSimulator, alice: Api) -> None:
    sim.drop_old_images()
    assert (await alice.get(f"{AI}/images")).status == 404
    query = {"access": "public", "orderBy": "create_time", "start": 0, "limit": 5, "sort": "DESC"}
    assert (await alice.post("/ai/openapi/v2/image/images", json=query)).code == "0"


async def test_hang_outlasts_the_client_timeout(sim: ScnetSimulator, alice: Api) -> None:
    sim.faults.hang("GET", "*/resource-group", seconds=30)
    with pytest.raises(asyncio.TimeoutError):
        await alice.get(f"{AI}/resource-group", timeout=aiohttp.ClientTimeout(total=0.2))
    started = time.monotonic()
    await sim.stop()  # the hanging handler does not hold the shutdown
    assert time.monotonic() - started < 5


async def test_hang_after_handler_creates_yet_times_out(sim: ScnetSimulator, alice: Api) -> None:
    sim.faults.hang("POST", f"{AI}/task", seconds=30, after_handler=True)
    with pytest.raises(asyncio.TimeoutError):
        await alice.post(f"{AI}/task", json=create_body(), timeout=aiohttp.ClientTimeout(total=0.2))
    listed = await alice.get(f"{AI}/task/list", params=LIST_QUERY)
    assert listed.data["total"] == 1  # the create took effect: list by name to find it


async def test_malformed_not_json_and_html(sim: ScnetSimulator, alice: Api) -> None:
    sim.faults.malformed("GET", "*/resource-group", "not_json")
    sim.faults.malformed("GET", "*/resource-group", "html")
    plain = await alice.get(f"{AI}/resource-group")
    page = await alice.get(f"{AI}/resource-group")
    assert (plain.status, plain.body, plain.content_type) == (200, None, "text/plain")
    assert (page.status, page.content_type) == (200, "text/html")
    assert "<html>" in page.text


async def test_malformed_envelopes(sim: ScnetSimulator, alice: Api) -> None:
    for kind in ("no_code", "numeric_code", "truncated"):
        sim.faults.malformed("GET", f"{AC}/tokens/state", kind)
    no_code = await alice.get(f"{AC}/tokens/state")
    numeric = await alice.get(f"{AC}/tokens/state")
    truncated = await alice.get(f"{AC}/tokens/state")
    assert no_code.body == {"msg": "success", "data": "token is valid"}
    assert numeric.body["code"] == 0
    assert truncated.body is None
    assert truncated.text.startswith('{"code"')


async def test_latency_per_path(sim: ScnetSimulator, alice: Api) -> None:
    sim.faults.add_latency(0.2, path="*/resource-group")
    started = time.monotonic()
    await alice.get(f"{AC}/tokens/state")
    fast = time.monotonic() - started
    started = time.monotonic()
    await alice.get(f"{AI}/resource-group")
    slow = time.monotonic() - started
    assert slow >= 0.2 > fast


async def test_request_log_records_without_secrets(
    sim: ScnetSimulator, alice: Api, clock: ManualClock
) -> None:
    instance_id = await alice.create()
    clock.advance(5)
    await alice.post(f"{AI}/task/actions/restart", params={"instanceServiceId": instance_id})
    await alice.get(f"{AI}/{instance_id}/url")

    create, restart, url = list(sim.requests)
    assert (create.method, create.template, create.user) == ("POST", f"{AI}/task", "alice")
    assert create.body == create_body()
    assert "token" in create.header_names
    assert "authorization" not in create.header_names
    assert (restart.query, restart.code, restart.at) == (
        (("instanceServiceId", instance_id),),
        "716868",
        clock(),
    )
    assert url.template == f"{AI}/{{id}}/url"
    assert alice.token is not None
    assert all(alice.token not in repr(entry) for entry in sim.requests)
    assert sim.requests.counts == {
        f"POST {AI}/task": 1,
        f"POST {AI}/task/actions/restart": 1,
        f"GET {AI}/{{id}}/url": 1,
    }


async def test_request_log_knows_the_login_user(sim: ScnetSimulator, anonymous: Api) -> None:
    await anonymous.post(
        f"{AC}/tokens", headers={"user": "bob", "password": "bob-pw", "orgId": "o"}
    )
    (entry,) = list(sim.requests)
    assert entry.user == "bob"
    assert "password" in entry.header_names
    assert "bob-pw" not in repr(entry)


async def test_request_log_counts_by_pattern(sim: ScnetSimulator, alice: Api) -> None:
    instance_id = await alice.create()
    for _ in range(3):
        await alice.get(f"{AI}/{instance_id}/detail")
    assert sim.requests.count("GET", "*/detail") == 3
    assert sim.requests.count("*", "*") == 4
    sim.requests.clear()
    assert sim.requests.count("GET", f"{AI}/{{id}}/detail") == 0
