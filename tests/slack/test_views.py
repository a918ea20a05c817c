"""The login and create modals (and reading them back), and the App Home."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.domain.commands import CREATE_KEYS, Create, UsageError, create_from_fields, parse_command
from bot.domain.i18n import Locale
from bot.domain.instances import PortSpec
from bot.domain.secret import Secret
from bot.slack.blocks import (
    QuotaRow,
    build_create_modal,
    build_home,
    build_login_modal,
    find_image,
    ids,
    read_create_submission,
    read_login_submission,
    submission_errors,
)

from .blocks_check import action_ids, check_view, texts, walk
from .samples import NOW, make_claims, make_images, make_instance

LOCALES: tuple[Locale, ...] = ("en", "zh")


def block_ids(view: dict[str, Any]) -> list[str]:
    return [block["block_id"] for block in view["blocks"] if "block_id" in block]


@pytest.mark.parametrize("locale", LOCALES)
def test_login_modal_token_mode(locale: Locale) -> None:
    view = build_login_modal(locale=locale, private_metadata='{"channel":"C1"}')
    check_view(view)
    assert view["callback_id"] == ids.LOGIN_CALLBACK
    assert view["private_metadata"] == '{"channel":"C1"}'
    assert block_ids(view) == [ids.LOGIN_TOKEN_BLOCK, ids.LOGIN_MODE_BLOCK]
    switch = next(item for item in walk(view) if item.get("action_id") == ids.LOGIN_SWITCH_MODE)
    assert switch["value"] == "aksk"


def test_login_modal_aksk_mode() -> None:
    view = build_login_modal(locale="zh", mode="aksk")
    check_view(view)
    assert block_ids(view) == [
        ids.LOGIN_USER_BLOCK,
        ids.LOGIN_AK_BLOCK,
        ids.LOGIN_SK_BLOCK,
        ids.LOGIN_KEEP_BLOCK,
        ids.LOGIN_MODE_BLOCK,
    ]
    keep = view["blocks"][4]["element"]
    assert keep["initial_options"] == keep["options"]  # keeping AK/SK is the default
    assert "private_metadata" not in view


def test_login_modal_refuses_metadata_slack_would_reject() -> None:
    with pytest.raises(ValueError, match="private_metadata"):
        build_login_modal(locale="en", private_metadata="x" * 3001)


def test_login_submission_is_read_as_secrets() -> None:
    keep = {"selected_options": [{"value": ids.LOGIN_KEEP_VALUE}]}
    values = {
        ids.LOGIN_USER_BLOCK: {ids.INPUT: {"type": "plain_text_input", "value": "alice"}},
        ids.LOGIN_AK_BLOCK: {ids.INPUT: {"type": "plain_text_input", "value": " ak-1 "}},
        ids.LOGIN_SK_BLOCK: {ids.INPUT: {"type": "plain_text_input", "value": "sk-1"}},
        ids.LOGIN_KEEP_BLOCK: {ids.INPUT: keep},
    }
    form = read_login_submission(values)
    assert form.token is None
    assert form.user == "alice"
    assert form.access_key == Secret("ak-1")
    assert form.secret_key == Secret("sk-1")
    assert form.keep_credentials
    assert "sk-1" not in repr(form)
    values[ids.LOGIN_KEEP_BLOCK] = {ids.INPUT: {"selected_options": []}}
    assert not read_login_submission(values).keep_credentials


def test_a_token_submission() -> None:
    values = {ids.LOGIN_TOKEN_BLOCK: {ids.INPUT: {"value": "eyJa.eyJb.c"}}}
    form = read_login_submission(values)
    assert form.token == Secret("eyJa.eyJb.c")
    assert (form.user, form.access_key, form.keep_credentials) == (None, None, False)


@pytest.mark.parametrize("locale", LOCALES)
def test_create_modal_with_few_images_uses_plain_options(locale: Locale) -> None:
    images = make_images(30)
    view = build_create_modal(images, locale=locale)
    check_view(view)
    assert view["callback_id"] == ids.CREATE_CALLBACK
    select = view["blocks"][0]["element"]
    assert len(select["options"]) == 30
    assert "option_groups" not in select
    assert block_ids(view) == [ids.CREATE_IMAGE_BLOCK, *_field_blocks()]


def _field_blocks() -> list[str]:
    order = ["name", "type", "gpus", "cpus", "ram", "timeout", "group"]
    order += ["tasks", "port", "mount", "script", "desc"]
    return [ids.CREATE_FIELD_BLOCKS[key] for key in order]


@pytest.mark.parametrize("count", [101, 1000, 12_000])
def test_create_modal_with_many_images_groups_them(count: int) -> None:
    images = make_images(count)
    view = build_create_modal(images, locale="en")
    check_view(view)
    select = view["blocks"][0]["element"]
    assert "options" not in select
    groups = select["option_groups"]
    values = [option["value"] for group in groups for option in group["options"]]
    assert len(values) == min(count, 100 * 100)
    assert {group["label"]["text"].split(" ")[0] for group in groups} <= {"GPU", "DCU", "CPU"}


def test_create_modal_prefills_from_the_command() -> None:
    images = make_images(150)
    prefill = parse_command("create jupyterlab:7.0 name=t gpus=2 timeout=unlimited port=22/ssh")
    assert isinstance(prefill, Create)
    view = build_create_modal(images, locale="en", prefill=prefill, resource_groups=["a", "b"])
    check_view(view)
    by_id = {block["block_id"]: block["element"] for block in view["blocks"]}
    chosen = by_id[ids.CREATE_IMAGE_BLOCK]["initial_option"]
    assert chosen["value"] == images[7].id
    assert by_id[ids.CREATE_FIELD_BLOCKS["name"]]["initial_value"] == "t"
    assert by_id[ids.CREATE_FIELD_BLOCKS["gpus"]]["initial_value"] == "2"
    assert by_id[ids.CREATE_FIELD_BLOCKS["cpus"]]["initial_value"] == "4"
    assert by_id[ids.CREATE_FIELD_BLOCKS["ram"]]["initial_value"] == "16G"
    assert by_id[ids.CREATE_FIELD_BLOCKS["timeout"]]["initial_value"] == "unlimited"
    assert by_id[ids.CREATE_FIELD_BLOCKS["port"]]["initial_value"] == "22/ssh"
    assert [o["value"] for o in by_id[ids.CREATE_FIELD_BLOCKS["group"]]["options"]] == ["a", "b"]


def test_create_modal_without_images_asks_for_the_image_as_text() -> None:
    view = build_create_modal([], locale="zh")
    check_view(view)
    assert view["blocks"][0]["element"]["type"] == "plain_text_input"


def _state(view: dict[str, Any], typed: dict[str, str]) -> dict[str, Any]:
    """What Slack sends back for ``view`` when the user keeps the initial values and types
    ``typed`` (keyed like the create options) into the other fields."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block["element"]
        key = next((k for k, v in ids.CREATE_FIELD_BLOCKS.items() if v == block["block_id"]), "")
        if element["type"] == "static_select":
            chosen = element.get("initial_option")
            values[block["block_id"]] = {ids.INPUT: {"selected_option": chosen}}
        else:
            value = typed.get(key, element.get("initial_value"))
            values[block["block_id"]] = {ids.INPUT: {"value": value}}
    return values


def test_a_create_submission_reads_back_into_a_command() -> None:
    images = make_images(10)
    prefill = Create(image=images[3].version)
    view = build_create_modal(images, locale="en", prefill=prefill)
    image, fields = read_create_submission(_state(view, {"port": "8888 22/ssh", "gpus": "3"}))
    assert image == images[3].id
    assert find_image(images, image or "") == images[3]
    assert set(fields) == set(CREATE_KEYS) - {"accel"}
    command = create_from_fields(image, fields)
    assert command == Create(
        image=images[3].id,
        task_type="jupyter",
        gpus=3,
        cpus=4,
        ram_mb=16384,
        timeout=timedelta(hours=4),
        ports=(PortSpec(8888, "HTTP"), PortSpec(22, "SSH")),
    )


def test_submission_errors_point_at_the_field() -> None:
    error = create_from_fields("x", {"ram": "lots"})
    assert isinstance(error, UsageError)
    assert list(submission_errors(error, locale="en")) == [ids.CREATE_FIELD_BLOCKS["ram"]]
    error = create_from_fields("bad image!", {})
    assert isinstance(error, UsageError)
    assert list(submission_errors(error, locale="zh")) == [ids.CREATE_IMAGE_BLOCK]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("image", "fields"),
    [("x", {"ram": "lots"}), ("x", {"timeout": "soon"}), ("bad image!", {}), ("x", {"gpus": "2x"})],
)
def test_submission_errors_are_plain_text(
    image: str, fields: dict[str, str], locale: Locale
) -> None:
    # Slack shows response_action errors as plain text: a code span's backticks would show.
    error = create_from_fields(image, fields)
    assert isinstance(error, UsageError)
    assert "`" in error.message(locale)  # messages elsewhere are mrkdwn and keep them
    (message,) = submission_errors(error, locale=locale).values()
    assert "`" not in message
    assert error.message(locale).replace("`", "") == message


@pytest.mark.parametrize("locale", LOCALES)
def test_home_when_logged_out(locale: Locale) -> None:
    view = build_home(locale=locale, claims=None, instances=[], now=NOW)
    check_view(view)
    assert view["type"] == "home"
    assert action_ids(view) == [ids.OPEN_LOGIN]


def test_home_with_500_instances_and_team_usage_stays_under_100_blocks() -> None:
    instances = [make_instance(index) for index in range(500)]
    usage = [QuotaRow("gpus", 7, 8), QuotaRow("cpus", 100, 64)]
    view = build_home(
        locale="en", claims=make_claims(), instances=instances, now=NOW, team_usage=usage
    )
    check_view(view)
    assert action_ids(view).count(ids.SHOW_CARD) == 30
    assert ids.OPEN_CREATE in action_ids(view)
    text = "\n".join(texts(view))
    assert "Showing 1–30 of 500" in text
    assert "Team usage" in text
    assert "Token valid until" in text


def test_home_says_when_the_token_expired() -> None:
    view = build_home(locale="zh", claims=make_claims(timedelta(hours=-1)), instances=[], now=NOW)
    check_view(view)
    assert "过期" in "\n".join(texts(view))
