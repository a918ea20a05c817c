"""Container instance routes: create, list (both forms), detail, url, restart, stop, delete,
execute-script, and isolation between users (reference §5.5-5.12)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.scnet.simulator import ManualClock, ScnetSimulator

from .conftest import AI, Api, create_body

SEED_DETAIL_KEYS = {
    "id",
    "headerNotebookId",
    "instanceServiceName",
    "currentIndex",
    "gpuNumber",
    "cpuNumber",
    "ramSize",
    "acceleratorType",
    "resourceGroup",
    "resourceSpec",
    "taskNumber",
    "timeoutLimit",
    "userName",
    "version",
    "imagePath",
    "status",
    "taskType",
    "description",
    "createTime",
    "startTime",
    "endTime",
    "duration",
    "remainingTime",
    "tensorboardId",
    "tensorboardPath",
    "mountInfoList",
    "containerPortInfoList",
    "useStartScript",
    "startScriptContent",
    "startScriptPath",
    "startScriptActionScope",
    "headerNotebookIp",
}
URL = re.compile(r"^http://[^/]+/jupyter-forward/([0-9a-f]{32})/\?token=sothisai_([0-9a-f]{32})$")


async def running(alice: Api, clock: ManualClock, **overrides: Any) -> str:
    instance_id = await alice.create(**overrides)
    clock.advance(5)
    return instance_id


async def test_create_answers_a_32_hex_id(alice: Api) -> None:
    reply = await alice.post(f"{AI}/task", json=create_body())
    assert reply.status == 200
    assert reply.body["code"] == "0"
    assert reply.body["msg"] == "success"
    assert re.fullmatch(r"[0-9a-f]{32}", reply.data)


async def test_create_accepts_container_port_as_int(alice: Api) -> None:
    ports = [{"protocolType": "SSH", "containerPort": 22}]
    instance_id = await alice.create(containerPortInfoList=ports)
    detail = await alice.detail(instance_id)
    assert detail["containerPortInfoList"][0]["containerPort"] == "22"


async def test_create_object_shape_knob(sim: ScnetSimulator, alice: Api) -> None:
    sim.config.create_shape = "object"
    reply = await alice.post(f"{AI}/task", json=create_body())
    assert set(reply.data) == {"instanceServiceId", "taskId"}


@pytest.mark.parametrize(
    "missing",
    [
        *("instanceServiceName", "taskType", "acceleratorType", "resourceGroup", "cpuNumber"),
        *("ramSize", "gpuNumber", "taskNumber", "version", "imagePath", "timeoutLimit"),
    ],
)
async def test_create_missing_field_is_10003(alice: Api, missing: str) -> None:
    body = create_body()
    del body[missing]
    assert (await alice.post(f"{AI}/task", json=body)).code == "10003"


@pytest.mark.parametrize("absent", [None, "null"])
async def test_create_defaults_the_start_script_fields(alice: Api, absent: str | None) -> None:
    """The create seed: useStartScript 默认为false; the scope then defaults to "all"."""
    body = create_body()
    for name in ("useStartScript", "startScriptActionScope"):
        if absent is None:
            del body[name]
        else:
            body[name] = None
    reply = await alice.post(f"{AI}/task", json=body)
    assert reply.code == "0", reply.body
    detail = await alice.detail(reply.data)
    assert detail["useStartScript"] is False
    assert detail["startScriptActionScope"] == "all"
    assert detail["startScriptPath"] is None


async def test_create_scope_alone_may_be_left_out(alice: Api) -> None:
    body = create_body(useStartScript=True, startScriptContent="echo hi\n")
    del body["startScriptActionScope"]
    reply = await alice.post(f"{AI}/task", json=body)
    assert reply.code == "0", reply.body
    detail = await alice.detail(reply.data)
    assert detail["useStartScript"] is True
    assert detail["startScriptActionScope"] == "all"


async def test_create_script_content_required_when_script_used(alice: Api) -> None:
    body = create_body(useStartScript=True, startScriptContent="")
    assert (await alice.post(f"{AI}/task", json=body)).code == "10003"


@pytest.mark.parametrize(
    "overrides",
    [
        {"taskType": "batch"},
        {"acceleratorType": "tpu"},
        {"acceleratorType": "dcu"},  # TeslaM40 serves gpu only
        {"resourceGroup": "nowhere"},
        {"cpuNumber": -1},
        {"gpuNumber": -1},
        {"cpuNumber": "3"},
        {"ramSize": 31889},  # one MB over the node's memory
        {"cpuNumber": 41},
        {"timeoutLimit": "1h"},
        {"timeoutLimit": "01:60:00"},
        {"startScriptActionScope": "some"},
        {"useStartScript": "false"},
        {"containerPortInfoList": [{"protocolType": "HTTP", "containerPort": "http"}]},
        {"containerPortInfoList": [{"protocolType": "UDP", "containerPort": 80}]},
        {"mountInfoList": [{"sourcePath": "/a", "targetPath": "/b", "type": "nfs"}]},
    ],
)
async def test_create_invalid_value_is_10004(alice: Api, overrides: dict[str, Any]) -> None:
    assert (await alice.post(f"{AI}/task", json=create_body(**overrides))).code == "10004"


async def test_fresh_detail_matches_the_seed(alice: Api) -> None:
    reply = await alice.get(f"{AI}/{await alice.create()}/detail")
    data = reply.data

    assert reply.body["msg"] == "SUCCESS"
    assert set(data) == SEED_DETAIL_KEYS
    assert data["status"] == "Waiting"
    assert data["taskNumber"] == 1  # a number, though the table says string
    assert data["resourceSpec"] == "3 核心; 1 加速器; 15.0G 内存"
    assert data["createTime"] == "2025-06-15 23:06:40"  # ManualClock start, in UTC+8
    assert data["startTime"] is None
    assert data["endTime"] is None
    assert data["duration"] == data["remainingTime"] == "--"
    assert data["headerNotebookIp"] is None
    assert data["userName"] == "alice"
    assert data["mountInfoList"] == [
        {"sourcePath": "/public/home/alice/data", "targetPath": "/mnt/data", "type": "data"}
    ]
    assert data["containerPortInfoList"] == [
        {"containerPort": "18888", "protocolType": "HTTP", "accessUrl": None}
    ]


async def test_running_detail_has_times_and_port_urls(alice: Api, clock: ManualClock) -> None:
    instance_id = await running(alice, clock, timeoutLimit="01:00:00")
    clock.advance(62)
    data = await alice.detail(instance_id)

    assert data["status"] == "Running"
    assert data["startTime"] == "2025-06-15 23:06:45"
    assert data["duration"] == "00:01:02"
    assert data["remainingTime"] == "00:58:58"
    assert data["headerNotebookIp"].startswith("10.")
    assert data["containerPortInfoList"][0]["accessUrl"].startswith("http://")


async def test_url_only_once_running(alice: Api, clock: ManualClock) -> None:
    instance_id = await alice.create()
    waiting = await alice.get(f"{AI}/{instance_id}/url")
    assert waiting.code == "10004"
    assert waiting.data is None

    clock.advance(5)
    reply = await alice.get(f"{AI}/{instance_id}/url")
    match = URL.match(reply.data)
    assert match is not None, reply.data
    assert match.group(1) == match.group(2)  # the path segment is the token's value


async def test_url_stray_spaces_knob(sim: ScnetSimulator, alice: Api, clock: ManualClock) -> None:
    sim.config.url_stray_spaces = True
    instance_id = await running(alice, clock)
    url = (await alice.get(f"{AI}/{instance_id}/url")).data
    assert "/jupyter-forward/ " in url
    assert "/ ?token=sothisai_" in url
    assert URL.match(url.replace(" ", ""))


async def test_url_leads_to_a_placeholder_notebook(alice: Api, clock: ManualClock) -> None:
    instance_id = await running(alice, clock)
    url = (await alice.get(f"{AI}/{instance_id}/url")).data
    async with alice.http.get(url) as page:
        assert page.status == 200
    async with alice.http.get(url.split("?")[0]) as without_token:
        assert without_token.status == 403


async def test_url_host_knob(sim: ScnetSimulator, alice: Api, clock: ManualClock) -> None:
    sim.config.url_host = "http://10.0.35.26:7090"
    instance_id = await running(alice, clock)
    url = (await alice.get(f"{AI}/{instance_id}/url")).data
    assert url.startswith("http://10.0.35.26:7090/jupyter-forward/")


async def list_body(alice: Api, **fields: Any) -> Any:
    query = {"start": 0, "limit": 20, "sort": "desc", "status": None, "taskType": None}
    query |= {"instanceServiceName": None} | fields
    reply = await alice.get(f"{AI}/task", json=query)
    assert reply.code == "0", reply.body
    return reply.data


async def test_list_by_body_and_by_query_agree(alice: Api) -> None:
    first = await alice.create(instanceServiceName="first")
    second = await alice.create(instanceServiceName="second")

    by_body = await list_body(alice)
    by_query = await alice.get(f"{AI}/task/list", params={"start": 0, "limit": 20, "sort": "desc"})

    assert by_body["total"] == 2
    assert [item["id"] for item in by_body["list"]] == [second, first]  # newest first
    assert by_query.data == by_body
    assert set(by_body["list"][0]) == SEED_DETAIL_KEYS


async def test_list_filters_and_pages(alice: Api, sim: ScnetSimulator) -> None:
    ids = [await alice.create(instanceServiceName=f"bot-alice-{n}") for n in range(5)]
    await alice.create(instanceServiceName="other", taskType="ssh")
    sim.set_status(ids[0], "Failed")

    assert (await list_body(alice, taskType="ssh"))["total"] == 1
    assert (await list_body(alice, status="Failed"))["list"][0]["id"] == ids[0]
    named = await list_body(alice, instanceServiceName="bot-alice", sort="asc", start=1, limit=2)
    assert named["total"] == 5
    assert [item["id"] for item in named["list"]] == ids[1:3]
    as_array = await list_body(alice, instanceServiceName=["bot-alice-3", "other"])
    assert as_array["total"] == 2


async def test_list_requires_limit_and_sort(alice: Api) -> None:
    assert (await alice.get(f"{AI}/task", json={"start": 0, "sort": "desc"})).code == "10003"
    assert (await alice.get(f"{AI}/task/list", params={"limit": 5})).code == "10003"
    bad = await alice.get(f"{AI}/task/list", params={"limit": 5, "sort": "desc", "status": "Up"})
    assert bad.code == "10004"


@pytest.mark.parametrize(
    ("shape", "items"),
    [
        ("records", lambda data: data["records"]),
        ("bare", lambda data: data),
    ],
)
async def test_list_shape_knob(sim: ScnetSimulator, alice: Api, shape: str, items: Any) -> None:
    instance_id = await alice.create()
    sim.config.update({"list_shape": shape})
    data = await list_body(alice)
    assert [item["id"] for item in items(data)] == [instance_id]


async def test_stop_with_repeated_ids(alice: Api, clock: ManualClock) -> None:
    first, second = await alice.create(), await running(alice, clock)
    reply = await alice.post(f"{AI}/task/actions/stop", params=[("ids", first), ("ids", second)])
    assert reply.code == "0"
    for instance_id in (first, second):
        detail = await alice.detail(instance_id)
        assert detail["status"] == "Terminated"
        assert detail["endTime"] is not None


async def test_stop_needs_ids(alice: Api) -> None:
    assert (await alice.post(f"{AI}/task/actions/stop")).code == "10003"


async def test_restart_only_from_a_terminal_status(alice: Api, clock: ManualClock) -> None:
    instance_id = await running(alice, clock)
    restart = f"{AI}/task/actions/restart"
    params = {"instanceServiceId": instance_id}

    assert (await alice.post(restart, params=params)).code == "716868"
    await alice.post(f"{AI}/task/actions/stop", params={"ids": instance_id})
    reply = await alice.post(restart, params=params)

    assert reply.code == "0"
    assert reply.data == instance_id
    detail = await alice.detail(instance_id)
    assert detail["status"] == "Waiting"
    assert detail["startTime"] is None
    assert (await alice.post(restart)).code == "10003"


async def test_restart_gives_a_new_access_url(alice: Api, clock: ManualClock) -> None:
    instance_id = await running(alice, clock)
    before = (await alice.get(f"{AI}/{instance_id}/url")).data
    await alice.post(f"{AI}/task/actions/stop", params={"ids": instance_id})
    await alice.post(f"{AI}/task/actions/restart", params={"instanceServiceId": instance_id})
    clock.advance(5)
    assert (await alice.get(f"{AI}/{instance_id}/url")).data != before


async def test_delete_running_is_refused_then_stopped_is_gone(
    alice: Api, clock: ManualClock
) -> None:
    instance_id = await running(alice, clock)
    waiting = await alice.create()

    refused = await alice.delete(f"{AI}/task", params=[("ids", instance_id), ("ids", waiting)])
    assert refused.code == "716866"
    assert (await alice.detail(waiting))["status"] == "Waiting"  # all or nothing

    await alice.post(f"{AI}/task/actions/stop", params={"ids": instance_id})
    reply = await alice.delete(f"{AI}/task", params=[("ids", instance_id), ("ids", waiting)])
    assert reply.code == "0"
    assert reply.data is None
    assert (await alice.get(f"{AI}/{instance_id}/detail")).code == "10004"
    assert (await list_body(alice))["total"] == 0


async def test_delete_reads_a_comma_list(alice: Api) -> None:
    first, second = await alice.create(), await alice.create()
    assert (await alice.delete(f"{AI}/task", params={"ids": f"{first},{second}"})).code == "0"
    assert (await list_body(alice))["total"] == 0


async def test_execute_script_needs_a_running_instance(
    sim: ScnetSimulator, alice: Api, clock: ManualClock
) -> None:
    instance_id = await alice.create()
    path = f"{AI}/task/actions/execute-script"
    body = {"id": instance_id, "startScriptContent": "echo hi\n", "startScriptActionScope": "all"}

    assert (await alice.post(path, json=body)).code == "716864"
    clock.advance(5)
    reply = await alice.post(path, json=body)
    assert reply.code == "0"
    assert reply.data is None
    assert sim.instance(instance_id).last_script == "echo hi\n"
    assert (await alice.post(path, json={"id": instance_id})).code == "10003"


async def test_users_cannot_see_each_others_instances(
    alice: Api, bob: Api, clock: ManualClock
) -> None:
    instance_id = await running(alice, clock)
    ids = {"ids": instance_id}

    answers = [
        await bob.get(f"{AI}/{instance_id}/detail"),
        await bob.get(f"{AI}/{instance_id}/url"),
        await bob.post(f"{AI}/task/actions/stop", params=ids),
        await bob.post(f"{AI}/task/actions/restart", params={"instanceServiceId": instance_id}),
        await bob.delete(f"{AI}/task", params=ids),
    ]

    assert {reply.code for reply in answers} == {"10004"}
    assert all(reply.data is None for reply in answers)
    assert (await list_body(bob))["total"] == 0
    assert (await alice.detail(instance_id))["status"] == "Running"
    unknown = await bob.get(f"{AI}/{'0' * 32}/detail")
    assert (unknown.code, unknown.body["msg"]) == (answers[0].code, answers[0].body["msg"])


async def test_not_found_code_knob(sim: ScnetSimulator, bob: Api) -> None:
    sim.config.not_found_code = "816822"
    assert (await bob.get(f"{AI}/{'0' * 32}/detail")).code == "816822"
