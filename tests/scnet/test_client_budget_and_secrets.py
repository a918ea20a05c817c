"""The request budget holds under load, and a whole run leaves no secret in any log record."""

from __future__ import annotations

import asyncio
import logging
import traceback

import pytest

from bot.domain.instances import ListFilter, Resources
from bot.domain.secret import Secret
from bot.scnet.errors import ScnetError
from tests.scnet.test_client import spec
from tests.scnet_fixtures import SimulatedScnet, make_client

AI = "/ai/openapi/v2/instance-service"


async def test_a_burst_beyond_the_bucket_is_paced_at_the_rate(scnet: SimulatedScnet) -> None:
    rate, calls = 50.0, 40
    caller = scnet.caller()
    async with make_client(scnet.base_url, rps=rate) as client:
        client.budget.capacity = 1.0  # no burst: every request after the first waits its turn
        await asyncio.gather(*(client.list_resource_groups(caller) for _ in range(calls)))
    arrivals = sorted(r.monotonic for r in scnet.sim.requests.matching("GET", "*resource-group"))
    window = 0.5  # seconds
    most_in_any_window = max(
        sum(1 for t in arrivals if start <= t < start + window) for start in arrivals
    )
    # At 50/s a half-second window can hold at most 25 requests (+1 for the edge).
    assert most_in_any_window <= rate * window + 1
    assert arrivals[-1] - arrivals[0] >= (calls - 1) / rate * 0.9


async def test_no_log_record_or_error_text_holds_a_secret(
    scnet: SimulatedScnet, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caller = scnet.caller()
    token = caller.token.reveal()
    payload_segment = token.split(".")[1]
    secrets = {token, payload_segment, "AK-alice", "SK-alice-secret", "pw-a"}
    errors: list[BaseException] = []

    async with make_client(scnet.base_url, clock=scnet.clock, timeout=0.3) as client:
        instance_id = await client.create_instance(caller, spec())
        scnet.clock.advance(60)
        url = await client.get_access_url(caller, instance_id)
        url_text = url.reveal()
        secrets |= {url_text, url_text.split("?token=")[1], url_text.split("/")[-2]}
        await client.list_instances(caller, ListFilter())
        await client.list_images(caller)
        await client.get_account(caller.token)
        await client.renew_token(caller.token)
        await client.tokens_with_keys(
            user="alice", access_key=Secret("AK-alice"), secret_key=Secret("SK-alice-secret")
        )
        await client.tokens_with_password(user="alice", password=Secret("pw-a"), org_id="o")
        # And the failure paths, whose texts and tracebacks are what usually leaks.
        scnet.sim.faults.hang("GET", "*/detail", seconds=3, times=None)
        scnet.sim.faults.malformed("POST", "*/tokens/next", "html")
        scnet.sim.faults.http_error("POST", f"{AI}/task", 502)
        for attempt in (
            client.get_instance(caller, instance_id),
            client.renew_token(caller.token),
            client.create_instance(caller, spec(resources=Resources(1, 0, 1024))),
            client.check_token(Secret(token + "x")),
            client.tokens_with_keys(
                user="alice", access_key=Secret("AK-alice"), secret_key=Secret("nope")
            ),
        ):
            try:
                await attempt
            except ScnetError as error:
                errors.append(error)
    assert len(errors) == 5

    texts = [record.getMessage() for record in caplog.records]
    texts += ["".join(traceback.format_exception(error)) for error in errors]
    texts += [repr(error) for error in errors]
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"a secret leaked into: {text[:120]}"
    assert any("scnet GET" in text for text in texts)  # the client did log its requests
