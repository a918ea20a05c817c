"""Resource groups, node limits, mount dirs and both image forms (reference §5.1-5.4)."""

from __future__ import annotations

from bot.scnet.simulator import ImageRecord, ScnetSimulator

from .conftest import AI, Api

IMAGE_KEYS = {
    "id",
    "name",
    "tag",
    "version",
    "path",
    "type",
    "acceleratorType",
    "access",
    "isPresetImage",
    "user",
    "createTime",
    "appIcon",
    "imageId",
}
NEW_IMAGES = "/ai/openapi/v2/image/images"


def new_query(**overrides: object) -> dict[str, object]:
    query: dict[str, object] = {
        "access": "public",
        "orderBy": "create_time",
        "start": 0,
        "limit": 50,
        "sort": "DESC",
    }
    query.update(overrides)
    return query


async def test_resource_groups_as_objects_or_strings(sim: ScnetSimulator, alice: Api) -> None:
    reply = await alice.get(f"{AI}/resource-group")
    assert reply.code == "0"
    assert {"name": "TeslaM40", "acceleratorType": "gpu"}.items() <= reply.data[0].items()

    sim.config.resource_group_shape = "strings"
    assert (await alice.get(f"{AI}/resource-group")).data == ["TeslaM40", "kshdtest", "kshcpu"]


async def test_resources_needs_both_parameters(alice: Api) -> None:
    only_one = await alice.get(f"{AI}/resources", params={"acceleratorType": "gpu"})
    assert only_one.code == "10003"
    mismatch = await alice.get(
        f"{AI}/resources", params={"acceleratorType": "dcu", "resourceGroup": "TeslaM40"}
    )
    assert mismatch.code == "10004"


async def test_resources_describes_a_node(alice: Api) -> None:
    reply = await alice.get(
        f"{AI}/resources", params={"acceleratorType": "gpu", "resourceGroup": "TeslaM40"}
    )
    assert reply.data == {
        "id": None,
        "userName": None,
        "cpuNumber": 40,
        "gpuNumber": 2,
        "memorySize": 31888,
        "nvLimits": 2,
        "dcuLimits": 0,
        "mluLimits": 0,
        "nodeNumber": 4,
        "maxTime": "unlimited",
        "resourceGroup": "TeslaM40",
    }


async def test_allowed_mount_dirs(alice: Api) -> None:
    reply = await alice.get(f"{AI}/allowed-mount-dir")
    assert "/public/home/alice" in reply.data


async def test_old_images_form_reads_a_json_body_on_get(alice: Api) -> None:
    reply = await alice.get(f"{AI}/images", json={"acceleratorType": "dcu", "imageType": "Base"})
    assert reply.code == "0"
    assert reply.data, "the default catalog has DCU Base images"
    assert all(i["acceleratorType"] == "dcu" and i["type"] == "Base" for i in reply.data)
    assert all(set(image) == IMAGE_KEYS for image in reply.data)
    assert "jupyterlab:3.2.9-python3.8.3-dtk22.04.1" in {i["version"] for i in reply.data}


async def test_old_images_form_without_body_lists_everything(alice: Api) -> None:
    reply = await alice.get(f"{AI}/images")
    accelerators = {image["acceleratorType"] for image in reply.data}
    assert accelerators == {"gpu", "dcu", "cpu"}
    assert {image["type"] for image in reply.data} == {"Base", "JupyterLab"}
    seed = next(i for i in reply.data if i["version"] == "jupyter:4.4-py3.7-cpu")
    assert seed["path"] == "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu"
    assert seed["version"] == f"{seed['name']}:{seed['tag']}"
    assert len(seed["id"]) == 32
    assert seed["imageId"].startswith("sha256:")
    assert seed["isPresetImage"] is True


async def test_old_images_object_shape_knob(sim: ScnetSimulator, alice: Api) -> None:
    sim.config.old_images_shape = "object"
    reply = await alice.get(f"{AI}/images", json={"acceleratorType": "dcu"})
    assert isinstance(reply.data, dict)
    assert reply.data["acceleratorType"] == "dcu"


async def test_new_images_form_pages_records(alice: Api) -> None:
    reply = await alice.post(NEW_IMAGES, json=new_query(limit=2, acceleratorType="gpu"))
    assert reply.code == "0"
    assert reply.data["total"] == 3
    assert len(reply.data["records"]) == 2
    rest = await alice.post(NEW_IMAGES, json=new_query(start=2, limit=2, acceleratorType="gpu"))
    assert len(rest.data["records"]) == 1


async def test_new_images_sorts_by_create_time(alice: Api) -> None:
    desc = (await alice.post(NEW_IMAGES, json=new_query())).data["records"]
    asc = (await alice.post(NEW_IMAGES, json=new_query(sort="ASC"))).data["records"]
    assert [i["createTime"] for i in desc] == sorted((i["createTime"] for i in desc), reverse=True)
    assert [i["id"] for i in asc] == [i["id"] for i in reversed(desc)]


async def test_new_images_filters_by_name_and_type(alice: Api) -> None:
    reply = await alice.post(NEW_IMAGES, json=new_query(name="pytorch", type="Base"))
    assert {i["name"] for i in reply.data["records"]} == {"pytorch"}


async def test_new_images_required_fields(alice: Api) -> None:
    for missing in ("access", "orderBy", "start", "limit", "sort"):
        query = new_query()
        del query[missing]
        assert (await alice.post(NEW_IMAGES, json=query)).code == "10003", missing
    assert (await alice.post(NEW_IMAGES, json=new_query(sort="sideways"))).code == "10004"


async def test_private_images_belong_to_their_owner(
    sim: ScnetSimulator, alice: Api, bob: Api
) -> None:
    sim.add_image(ImageRecord("mine", "1.0", "gpu", access="private", owner="alice", preset=False))
    mine = await alice.post(NEW_IMAGES, json=new_query(access="private"))
    theirs = await bob.post(NEW_IMAGES, json=new_query(access="private"))
    assert [i["version"] for i in mine.data["records"]] == ["mine:1.0"]
    assert theirs.data == {"total": 0, "records": []}
