"""The wire models absorb every quirk of reference §10 and hand out clean domain objects."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from bot.domain.instances import InstanceStatus, known_status
from bot.scnet.models import (
    InstanceListing,
    WireAccount,
    WireCenter,
    WireInstance,
    format_timeout,
    parse_id,
    parse_images,
    parse_instances,
    parse_renewed_token,
    parse_timeout,
)
from bot.scnet.wire import CHINA_TIME, clean_url, normalise_ai_base

# The detail example of the seed page, as SCNet sends it (taskNumber a number, nulls, "--").
SEED_DETAIL = {
    "id": "4c1f43ddb030483e89b55413bee6c004",
    "headerNotebookId": "1a07f501dc89459686996a26ef521abb",
    "instanceServiceName": "Instances_2205113837",
    "currentIndex": 2,
    "gpuNumber": 1,
    "cpuNumber": 3,
    "ramSize": 15360,
    "acceleratorType": "gpu",
    "resourceGroup": "TeslaM40",
    "resourceSpec": "3 核心; 1 加速器; 15.0G 内存",
    "taskNumber": 1,
    "timeoutLimit": "unlimited",
    "userName": "magic2",
    "version": "jupyter:4.4-py3.7-cpu",
    "imagePath": "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu",
    "status": "Waiting",
    "taskType": "ssh",
    "description": "",
    "createTime": "2022-05-11 19:30:34",
    "startTime": None,
    "endTime": None,
    "duration": "--",
    "remainingTime": "--",
    "tensorboardId": None,
    "tensorboardPath": None,
    "mountInfoList": [],
    "containerPortInfoList": [],
    "useStartScript": False,
    "startScriptContent": "",
    "startScriptPath": None,
    "startScriptActionScope": "all",
    "headerNotebookIp": None,
}


def test_seed_detail_parses_into_a_clean_instance() -> None:
    instance = WireInstance.model_validate(SEED_DETAIL).to_domain()
    assert instance.id == "4c1f43ddb030483e89b55413bee6c004"
    assert known_status(instance.status) is InstanceStatus.WAITING
    assert instance.resources.cpus == 3
    assert instance.resources.total_ram_mb == 15360
    assert instance.timeout_limit is None
    assert instance.started_at is None
    assert instance.duration is None
    assert instance.remaining is None
    assert instance.created_at is not None
    assert instance.created_at.tzinfo == CHINA_TIME
    assert instance.created_at.hour == 19


def test_numbers_sent_as_strings_and_unknown_status_are_kept() -> None:
    quirky = dict(
        SEED_DETAIL,
        taskNumber="2",
        cpuNumber="8",
        status="Suspending",
        timeoutLimit="72:30:00",
        containerPortInfoList=[
            {"containerPort": "18888", "protocolType": "HTTP", "accessUrl": " http://h/x "},
            {"containerPort": 22, "protocolType": "ssh"},
        ],
        mountInfoList=[{"sourcePath": "/public/home/a", "type": "path"}],
    )
    instance = WireInstance.model_validate(quirky).to_domain()
    assert instance.resources.task_number == 2
    assert instance.resources.total_cpus == 16
    assert instance.status == "Suspending"
    assert known_status(instance.status) is None
    assert instance.timeout_limit == timedelta(hours=72, minutes=30)
    assert [p.container_port for p in instance.ports] == [18888, 22]
    assert instance.ports[1].protocol == "SSH"
    first_url = instance.ports[0].access_url
    assert first_url is not None
    assert first_url.reveal() == "http://h/x"
    assert "http" not in repr(instance)
    assert instance.mounts[0].kind == "path"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("unlimited", None),
        ("UNLIMITED", None),
        ("", None),
        (None, None),
        ("01:00:00", timedelta(hours=1)),
        (" 4:05:06 ", timedelta(hours=4, minutes=5, seconds=6)),
    ],
)
def test_timeout_limit_forms(raw: str | None, expected: timedelta | None) -> None:
    assert parse_timeout(raw) == expected


@pytest.mark.parametrize("raw", ["1h", "01:60:00", "tomorrow", "-1:00:00"])
def test_bad_timeout_limits_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="HH:MM:SS"):
        parse_timeout(raw)


def test_timeout_round_trip() -> None:
    assert format_timeout(None) == "unlimited"
    assert format_timeout(timedelta(hours=100, seconds=5)) == "100:00:05"


def test_access_url_with_the_seed_tables_stray_spaces_is_cleaned() -> None:
    hexpart = "6bdbefd1c27d472084e34f9c067c2900"
    raw = f"http://10.0.35.26:7090/jupyter-forward/ {hexpart}/ ?token=sothisai_{hexpart}"
    assert clean_url(raw) == (
        f"http://10.0.35.26:7090/jupyter-forward/{hexpart}/?token=sothisai_{hexpart}"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://ai.example.invalid:58043/ai", "https://ai.example.invalid:58043"),
        ("https://ai.example.invalid:58043/ai/", "https://ai.example.invalid:58043"),
        ("https://ai.example.invalid:58043", "https://ai.example.invalid:58043"),
        ("https://ai.example.invalid:58043/", "https://ai.example.invalid:58043"),
        ("https://{host}/ai", None),
        ("not a url", None),
    ],
)
def test_ai_urls_with_or_without_trailing_ai(raw: str, expected: str | None) -> None:
    assert normalise_ai_base(raw) == expected


def test_center_picks_the_enabled_ai_url_given_as_string_true() -> None:
    center = WireCenter.model_validate(
        {
            "id": 11250,
            "name": "华东一区【昆山】",
            "clusterUserInfo": {"userName": "alice", "homePath": "/public/home/alice"},
            "aiUrls": [
                {"enable": "false", "url": "https://old.example.invalid/ai"},
                {"enable": "true", "version": "2.4.3", "url": "https://new.example.invalid/ai"},
            ],
        }
    ).to_domain()
    assert center.region_id == "11250"
    assert center.ai_url == "https://new.example.invalid"
    assert center.cluster_user == "alice"


def test_images_as_a_list_a_single_object_or_a_page() -> None:
    image = {
        "id": "0141ea661e26458c9098907b20170b26",
        "name": "jupyterlab",
        "tag": "3.2.9-python3.8.3-dtk22.04.1",
        "version": "jupyterlab:3.2.9-python3.8.3-dtk22.04.1",
        "path": "ip:5000/dcu/admin/base/jupyterlab:3.2.9-python3.8.3-dtk22.04.1",
        "type": "Base",
        "acceleratorType": "dcu",
        "isPresetImage": "true",
    }
    assert parse_images(image) == parse_images([image]) == parse_images({"records": [image]})
    (parsed,) = parse_images(image)
    assert parsed.version.startswith("jupyterlab:")
    assert parsed.preset is True


@pytest.mark.parametrize("key", ["list", "records", "items", "rows"])
def test_instance_pages_in_every_shape(key: str) -> None:
    page = parse_instances({"total": "7", key: [SEED_DETAIL]})
    assert page.total == 7
    assert [i.name for i in page.items] == ["Instances_2205113837"]
    assert parse_instances([SEED_DETAIL]).items == page.items
    assert parse_instances(None).items == ()


def test_a_listing_gives_statuses_at_once_and_parses_an_item_only_when_asked() -> None:
    numbered = {**SEED_DETAIL, "id": 42, "status": " Running "}
    other = {**SEED_DETAIL, "id": "", "instanceServiceId": "svc-2", "status": "Waiting"}
    broken = {**SEED_DETAIL, "id": "bad", "status": "Deploying", "cpuNumber": {"n": 1}}
    unnamed = {**SEED_DETAIL, "id": "", "instanceServiceName": "no id"}
    listing = InstanceListing({"total": 5, "list": [numbered, other, broken, unnamed, numbered]})
    # The statuses are there without building a model: an item that would not parse only
    # fails when it is wanted.
    assert listing.statuses == {"42": "Running", "svc-2": "Waiting", "bad": "Deploying"}
    assert listing.total == 5
    two = listing.instance("svc-2")
    assert two is not None
    assert (two.id, two.status) == ("svc-2", "Waiting")
    assert listing.instance("nobody") is None
    with pytest.raises(ValidationError, match="cpuNumber"):
        listing.instance("bad")


def test_a_listing_page_is_the_full_parse_in_scnet_order() -> None:
    first = {**SEED_DETAIL, "id": "a", "status": "Running"}
    unnamed = {**SEED_DETAIL, "id": "", "instanceServiceName": "no id"}
    again = {**SEED_DETAIL, "id": "a", "status": "Failed"}
    data = {"total": 3, "records": [first, unnamed, again]}
    page = InstanceListing(data).page()
    expected = tuple(WireInstance.model_validate(i).to_domain() for i in (first, unnamed, again))
    assert page.items == expected
    assert parse_instances(data) == page
    assert InstanceListing(data).statuses == {"a": "Running"}  # the first of an id counts


def test_ids_and_renewed_tokens_in_every_documented_shape() -> None:
    assert parse_id("530491fa7c8e47348f01de73e627a6a7") == "530491fa7c8e47348f01de73e627a6a7"
    assert parse_id({"taskId": "t", "instanceServiceId": "abc"}) == "abc"
    assert parse_id(None) == ""
    assert parse_renewed_token(" tok ") == "tok"
    assert parse_renewed_token({"token": "tok"}) == "tok"
    assert parse_renewed_token([{"clusterId": "1", "token": "tok"}]) == "tok"
    assert parse_renewed_token([]) == ""


def test_account_balance_is_a_decimal_from_a_string() -> None:
    account = WireAccount.model_validate(
        {"userName": "alice", "accountBalance": "1234.50", "accountStatus": "Normal"}
    ).to_domain()
    assert account.balance == Decimal("1234.50")
    broken = WireAccount.model_validate({"userName": "a", "accountBalance": "n/a"}).to_domain()
    assert broken.balance is None
