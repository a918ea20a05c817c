"""The bot's SCNet client against the simulator over loopback HTTP: every endpoint and quirk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest

from bot.domain.instances import (
    InstanceSpec,
    InstanceStatus,
    ListFilter,
    MountSpec,
    PortSpec,
    Resources,
    known_status,
)
from bot.domain.secret import Secret
from bot.scnet.client import Caller, ScnetClient
from bot.scnet.errors import (
    AccountFrozen,
    ApiForbidden,
    CreateFailed,
    CreateOutcomeUnknown,
    DeleteFailed,
    InputError,
    MalformedResponse,
    NetworkError,
    StartFailed,
    TokenInvalid,
    UpstreamBusy,
    UpstreamHttpError,
)
from tests.ports import held_port
from tests.scnet_fixtures import SimulatedScnet, make_client

AI = "/ai/openapi/v2/instance-service"


class Deadlines:
    """The client's exchange deadlines, run out when the test says instead of after seconds."""

    def __init__(self) -> None:
        self._running: list[asyncio.Timeout] = []

    @asynccontextmanager
    async def __call__(self, _seconds: float) -> AsyncIterator[None]:
        async with asyncio.timeout(None) as timeout:
            self._running.append(timeout)
            try:
                yield
            finally:
                self._running.remove(timeout)

    def expire(self) -> None:
        """Every exchange now in flight times out."""
        assert self._running, "no exchange in flight"
        now = asyncio.get_running_loop().time()
        for timeout in self._running:
            timeout.reschedule(now)


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run (the simulator shares it) until ``condition`` holds."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


def spec(name: str = "bot-alice-01", **overrides: object) -> InstanceSpec:
    fields: dict[str, object] = {
        "name": name,
        "task_type": "jupyter",
        "accelerator": "gpu",
        "resource_group": "TeslaM40",
        "version": "jupyter:4.4-py3.7-cpu",
        "image_path": "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu",
        "resources": Resources(cpus=3, gpus=1, ram_mb=15360),
        "timeout_limit": timedelta(hours=4),
        "mounts": (MountSpec("/public/home/alice/data", "/mnt/data"),),
        "ports": (PortSpec(18888, "HTTP"),),
        "start_script": "pip install -r req.txt\npython serve.py",
    }
    fields.update(overrides)
    return InstanceSpec(**fields)  # type: ignore[arg-type]


async def run_until_running(scnet: SimulatedScnet, client: ScnetClient, instance_id: str) -> None:
    caller = scnet.caller()
    scnet.clock.advance(60)
    detail = await client.get_instance(caller, instance_id)
    assert known_status(detail.status) is InstanceStatus.RUNNING


# --- create, detail, url, restart, stop, delete --------------------------------------------


async def test_create_sends_the_seed_body_and_returns_the_new_id(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    instance_id = await client.create_instance(scnet.caller(), spec())
    assert len(instance_id) == 32
    (sent,) = scnet.sim.requests.matching("POST", f"{AI}/task")
    assert sent.user == "alice"
    assert sent.body == {
        "instanceServiceName": "bot-alice-01",
        "description": "",
        "taskType": "jupyter",
        "acceleratorType": "gpu",
        "resourceGroup": "TeslaM40",
        "cpuNumber": 3,
        "gpuNumber": 1,
        "ramSize": 15360,
        "taskNumber": 1,
        "version": "jupyter:4.4-py3.7-cpu",
        "imagePath": "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu",
        "timeoutLimit": "04:00:00",
        "useStartScript": True,
        "startScriptActionScope": "all",
        "startScriptContent": "pip install -r req.txt\npython serve.py\n",
        "mountInfoList": [
            {"sourcePath": "/public/home/alice/data", "targetPath": "/mnt/data", "type": "data"}
        ],
        "containerPortInfoList": [{"containerPort": 18888, "protocolType": "HTTP"}],
    }


async def test_create_accepts_an_object_answer(scnet: SimulatedScnet, client: ScnetClient) -> None:
    scnet.sim.config.create_shape = "object"
    instance_id = await client.create_instance(scnet.caller(), spec())
    assert instance_id in scnet.sim.instances


async def test_detail_follows_the_lifecycle(scnet: SimulatedScnet, client: ScnetClient) -> None:
    caller = scnet.caller()
    instance_id = await client.create_instance(caller, spec())
    waiting = await client.get_instance(caller, instance_id)
    assert waiting.status == "Waiting"
    assert waiting.started_at is None
    assert waiting.remaining is None
    assert waiting.resources == Resources(cpus=3, gpus=1, ram_mb=15360, task_number=1)
    assert waiting.timeout_limit == timedelta(hours=4)
    assert waiting.ports[0].container_port == 18888
    scnet.clock.advance(6)
    assert (await client.get_instance(caller, instance_id)).status == "Deploying"
    scnet.clock.advance(10)
    running = await client.get_instance(caller, instance_id)
    assert running.status == "Running"
    assert running.started_at is not None
    assert running.remaining is not None


async def test_url_only_once_running_and_cleaned_of_stray_spaces(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    caller = scnet.caller()
    instance_id = await client.create_instance(caller, spec())
    with pytest.raises(InputError):
        await client.get_access_url(caller, instance_id)
    scnet.sim.config.url_stray_spaces = True
    await run_until_running(scnet, client, instance_id)
    url = await client.get_access_url(caller, instance_id)
    text = url.reveal()
    assert text.startswith("http://")
    assert " " not in text
    assert "/jupyter-forward/" in text
    assert "?token=sothisai_" in text
    assert text not in repr(url)


async def test_stop_restart_delete_use_the_documented_parameter_placement(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    caller = scnet.caller()
    first = await client.create_instance(caller, spec("one"))
    second = await client.create_instance(caller, spec("two"))
    await client.stop_instances(caller, [first, second])
    (stop,) = scnet.sim.requests.matching("POST", f"{AI}/task/actions/stop")
    assert stop.query == (("ids", first), ("ids", second))
    assert stop.body is None
    assert scnet.sim.instance(first).status == "Terminated"

    assert await client.restart_instance(caller, first) == first
    (restart,) = scnet.sim.requests.matching("POST", f"{AI}/task/actions/restart")
    assert restart.query == (("instanceServiceId", first),)
    assert restart.body is None
    assert scnet.sim.instance(first).status == "Waiting"

    await client.delete_instances(caller, [second])
    (delete,) = scnet.sim.requests.matching("DELETE", f"{AI}/task")
    assert delete.query == (("ids", second),)
    assert second not in scnet.sim.instances


async def test_refusals_map_to_their_classes(scnet: SimulatedScnet, client: ScnetClient) -> None:
    caller = scnet.caller()
    instance_id = await client.create_instance(caller, spec())
    with pytest.raises(StartFailed) as restart_error:
        await client.restart_instance(caller, instance_id)  # still Waiting
    assert restart_error.value.code == "716868"
    await run_until_running(scnet, client, instance_id)
    with pytest.raises(DeleteFailed):
        await client.delete_instances(caller, [instance_id])
    scnet.sim.faults.fail_next("POST", f"{AI}/task", code="716865")
    with pytest.raises(CreateFailed):
        await client.create_instance(caller, spec())
    with pytest.raises(InputError) as bad:
        await client.create_instance(caller, spec(task_type="notebook"))
    assert bad.value.code == "10004"


async def test_another_users_instance_is_not_shown(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    instance_id = await client.create_instance(scnet.caller("alice"), spec())
    with pytest.raises(InputError):
        await client.get_instance(scnet.caller("bob"), instance_id)
    page = await client.list_instances(scnet.caller("bob"))
    assert page.items == ()


async def test_ids_that_would_change_the_path_are_refused_locally(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    with pytest.raises(Exception, match="NotFound"):
        await client.get_instance(scnet.caller(), "../../ac/openapi/v2/user")
    assert len(scnet.sim.requests) == 0


# --- never retry a create; retry reads ----------------------------------------------------


async def test_a_create_answered_with_5xx_is_not_retried(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    scnet.sim.faults.http_error("POST", f"{AI}/task", 502)
    with pytest.raises(CreateOutcomeUnknown):
        await client.create_instance(scnet.caller(), spec())
    assert scnet.sim.requests.count("POST", f"{AI}/task") == 1


async def test_a_create_that_times_out_is_not_retried_and_may_exist(scnet: SimulatedScnet) -> None:
    scnet.sim.faults.hang("POST", f"{AI}/task", seconds=5, after_handler=True)
    deadlines = Deadlines()
    async with make_client(scnet.base_url, deadline=deadlines) as client:
        create = asyncio.create_task(client.create_instance(scnet.caller(), spec("maybe")))
        await until(lambda: bool(scnet.sim.instances))  # SCNet made it, then hangs
        deadlines.expire()
        with pytest.raises(CreateOutcomeUnknown) as caught:
            await create
    assert scnet.sim.requests.count("POST", f"{AI}/task") == 1
    assert [i.spec.name for i in scnet.sim.instances.values()] == ["maybe"]
    assert "maybe" in str(caught.value)


async def test_a_create_that_never_connected_is_a_plain_network_error() -> None:
    # Nothing listens on the port: the create never reached SCNet, so it is safe to say.
    with held_port() as port:
        async with make_client(f"http://127.0.0.1:{port}", timeout=2) as client:
            with pytest.raises(NetworkError) as caught:
                await client.create_instance(Caller(Secret("t.t.t")), spec())
    assert not isinstance(caught.value, CreateOutcomeUnknown)


@pytest.mark.parametrize(
    ("fault", "argument"),
    [
        ("status", 503),
        ("code", "10001"),
        ("code", "716020"),
        ("code", "10012"),
        ("malformed", "html"),
        ("malformed", "not_json"),
        ("malformed", "no_code"),
        ("malformed", "truncated"),
    ],
)
async def test_reads_are_retried_through_transient_faults(
    scnet: SimulatedScnet, client: ScnetClient, fault: str, argument: object
) -> None:
    caller = scnet.caller()
    instance_id = await client.create_instance(caller, spec())
    path = f"{AI}/{instance_id}/detail"
    for _ in range(2):
        if fault == "status":
            scnet.sim.faults.http_error("GET", path, int(str(argument)))
        elif fault == "code":
            scnet.sim.faults.fail_next("GET", path, code=str(argument))
        else:
            scnet.sim.faults.malformed("GET", path, argument)  # type: ignore[arg-type]
    instance = await client.get_instance(caller, instance_id)
    assert instance.id == instance_id
    assert scnet.sim.requests.count("GET", path) == 3


async def test_reads_give_up_after_the_attempt_cap(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    scnet.sim.faults.http_error("GET", f"{AI}/images", 500, times=None)
    with pytest.raises(UpstreamHttpError) as caught:
        await client.list_images(scnet.caller())
    assert caught.value.status == 500
    assert scnet.sim.requests.count("GET", f"{AI}/images") == 3
    scnet.sim.faults.clear()
    scnet.sim.faults.fail_next("GET", f"{AI}/images", code="10001", times=None)
    with pytest.raises(UpstreamBusy):
        await client.list_images(scnet.caller())


async def test_numeric_code_envelope_is_accepted(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    scnet.sim.faults.malformed("GET", f"{AI}/images", "numeric_code")
    assert await client.list_images(scnet.caller())


async def test_a_hanging_read_times_out_then_succeeds(scnet: SimulatedScnet) -> None:
    scnet.sim.faults.hang("GET", f"{AI}/resource-group", seconds=5)
    deadlines = Deadlines()
    async with make_client(scnet.base_url, deadline=deadlines) as client:
        read = asyncio.create_task(client.list_resource_groups(scnet.caller()))
        await scnet.sim.requests.wait_for("GET", f"{AI}/resource-group")
        deadlines.expire()  # the first attempt's time is up; the retry is not held
        groups = await read
    assert "TeslaM40" in groups
    assert scnet.sim.requests.count("GET", f"{AI}/resource-group") == 2


async def test_error_statuses_with_an_envelope_are_read_as_business_errors(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    scnet.sim.config.error_http_status = 500
    with pytest.raises(InputError):
        await client.get_node_limits(scnet.caller(), accelerator="", resource_group="")


# --- list and images, both forms ----------------------------------------------------------


@pytest.mark.parametrize("shape", ["list", "records", "bare"])
async def test_list_by_body_in_every_page_shape(
    scnet: SimulatedScnet, client: ScnetClient, shape: str
) -> None:
    scnet.sim.config.list_shape = shape  # type: ignore[assignment]
    caller = scnet.caller()
    for name in ("a1", "a2", "a3"):
        await client.create_instance(caller, spec(name))
    page = await client.list_instances(caller, ListFilter(limit=2, sort="asc"))
    assert [i.name for i in page.items] == ["a1", "a2"]
    (sent,) = scnet.sim.requests.matching("GET", f"{AI}/task")
    assert sent.body == {
        "start": 0,
        "limit": 2,
        "sort": "asc",
        "status": None,
        "taskType": None,
        "instanceServiceName": None,
    }


@pytest.mark.parametrize("status", [404, 405])
async def test_list_falls_back_to_task_list_with_a_query(
    scnet: SimulatedScnet, client: ScnetClient, status: int
) -> None:
    caller = scnet.caller()
    await client.create_instance(caller, spec("only"))
    scnet.sim.drop_list_by_body(status)
    page = await client.list_instances(caller, ListFilter(name="only"))
    assert [i.name for i in page.items] == ["only"]
    (sent,) = scnet.sim.requests.matching("GET", f"{AI}/task/list")
    assert ("instanceServiceName", "only") in sent.query
    # The fallback is remembered: the next list goes straight to task/list.
    await client.list_instances(caller)
    assert scnet.sim.requests.count("GET", f"{AI}/task") == 1


async def test_list_variant_setting_goes_straight_to_task_list(scnet: SimulatedScnet) -> None:
    async with make_client(scnet.base_url, list_variant="task/list") as client:
        await client.list_instances(scnet.caller())
    assert scnet.sim.requests.count("GET", f"{AI}/task") == 0
    assert scnet.sim.requests.count("GET", f"{AI}/task/list") == 1


async def test_images_old_form_with_body_and_single_object_quirk(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    images = await client.list_images(scnet.caller(), accelerator="dcu", image_type="Base")
    assert images
    assert all(i.accelerator == "dcu" and i.type == "Base" for i in images)
    (sent,) = scnet.sim.requests.matching("GET", f"{AI}/images")
    assert sent.body == {"acceleratorType": "dcu", "imageType": "Base"}
    scnet.sim.config.old_images_shape = "object"
    (single,) = await client.list_images(scnet.caller(), accelerator="dcu", image_type="Base")
    assert single.path


async def test_images_fall_back_to_the_new_post_form(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    scnet.sim.drop_old_images(405)
    images = await client.list_images(scnet.caller(), accelerator="gpu")
    assert {i.version for i in images} >= {"jupyter:4.4-py3.7-cpu"}
    (sent,) = scnet.sim.requests.matching("POST", "/ai/openapi/v2/image/images")
    assert isinstance(sent.body, dict)
    assert sent.body["acceleratorType"] == "gpu"
    assert sent.body["sort"] == "DESC"


# --- resources, account, tokens -----------------------------------------------------------


async def test_resources_and_resource_groups(scnet: SimulatedScnet, client: ScnetClient) -> None:
    caller = scnet.caller()
    limits = await client.get_node_limits(caller, accelerator="gpu", resource_group="TeslaM40")
    assert (limits.cpus, limits.gpus, limits.memory_mb) == (40, 2, 31888)
    scnet.sim.config.resource_group_shape = "strings"
    assert "TeslaM40" in await client.list_resource_groups(caller)


async def test_account_balance_and_token_state(scnet: SimulatedScnet, client: ScnetClient) -> None:
    token = scnet.caller().token
    account = await client.get_account(token)
    assert account.user_name == "alice"
    assert str(account.balance) == "1000.00"
    await client.check_token(token)
    with pytest.raises(TokenInvalid):
        await client.check_token(Secret("garbage"))


@pytest.mark.parametrize("shape", ["string", "object", "list"])
async def test_renewal_in_every_answer_shape(
    scnet: SimulatedScnet, client: ScnetClient, shape: str
) -> None:
    scnet.sim.config.renew_shape = shape  # type: ignore[assignment]
    old = scnet.caller().token
    scnet.clock.advance(60)
    new = await client.renew_token(old)
    assert new != old
    await client.check_token(new)


async def test_renewal_is_never_retried(scnet: SimulatedScnet, client: ScnetClient) -> None:
    scnet.sim.faults.http_error("POST", "/ac/openapi/v2/tokens/next", 503)
    with pytest.raises(UpstreamHttpError):
        await client.renew_token(scnet.caller().token)
    assert scnet.sim.requests.count("POST", "/ac/openapi/v2/tokens/next") == 1


async def test_expired_token_frozen_account_and_platform_token(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    expired = scnet.caller(ttl_seconds=10)
    scnet.clock.advance(11)
    with pytest.raises(TokenInvalid) as caught:
        await client.list_instances(expired)
    assert caught.value.code == "10008"
    platform = scnet.caller(cluster_id="0")
    with pytest.raises(ApiForbidden):
        await client.list_instances(platform)
    frozen = scnet.caller("bob")
    scnet.sim.user("bob").frozen = True
    with pytest.raises(AccountFrozen):
        await client.list_instances(frozen)


async def test_center_gives_the_normalised_ai_base(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    center = await client.get_center(scnet.caller().token)
    assert center.ai_url == scnet.base_url  # the simulator advertises "<base>/ai"
    assert center.region_name


async def test_tokens_with_ak_sk_and_with_password(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    regions = await client.tokens_with_keys(
        user="alice", access_key=Secret("AK-alice"), secret_key=Secret("SK-alice-secret")
    )
    assert {r.cluster_id for r in regions} == {"0", "11250"}
    region = next(r for r in regions if not r.is_platform)
    assert region.token is not None
    await client.check_token(region.token)
    with pytest.raises(ApiForbidden):
        await client.tokens_with_keys(
            user="alice", access_key=Secret("AK-alice"), secret_key=Secret("wrong")
        )
    by_password = await client.tokens_with_password(
        user="alice", password=Secret("pw-a"), org_id="org"
    )
    assert any(r.token is not None for r in by_password)


async def test_malformed_success_answers_are_reported(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    scnet.sim.faults.malformed("POST", "/ac/openapi/v2/tokens/next", "html")
    with pytest.raises(MalformedResponse):
        await client.renew_token(scnet.caller().token)
