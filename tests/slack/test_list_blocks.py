"""Images, help, usage errors, notices, confirmations, whoami and quota."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bot.domain.commands import CREATE_DEFAULTS, SUBCOMMANDS, UsageError, parse_command
from bot.domain.i18n import Locale, translate
from bot.domain.instances import AccountInfo
from bot.slack.blocks import (
    QuotaRow,
    build_confirm_dialog,
    build_confirmation,
    build_help,
    build_images_list,
    build_notice,
    build_quota_section,
    build_usage_error,
    build_whoami,
    ids,
    usage_bar,
)

from .blocks_check import action_ids, buttons, check_message, texts
from .samples import NOW, make_claims, make_images

LOCALES: tuple[Locale, ...] = ("en", "zh")


@pytest.mark.parametrize("count", [1, 99, 100, 101, 1000])
def test_images_fit_one_message_and_say_how_many_are_shown(count: int) -> None:
    blocks = build_images_list(make_images(count), locale="en")
    check_message(blocks)
    shown = sum(text.count("`jupyterlab:") for text in texts(blocks))
    assert shown == min(count, 100)
    showing = [text for text in texts(blocks) if text.startswith("Showing")]
    assert bool(showing) == (count > 100)
    if showing:
        assert f"Showing 100 of {count}" in showing[0]


def test_images_are_grouped_by_accelerator_with_unknown_ones_last() -> None:
    images = make_images(8, accelerators=("npu", "cpu", "gpu", "dcu"))
    sections = [t for t in texts(build_images_list(images, locale="zh")) if t.startswith("*")]
    assert [section.split("\n")[0] for section in sections] == ["*GPU*", "*DCU*", "*CPU*", "*其他*"]


def test_image_names_are_escaped_and_long_ones_clipped() -> None:
    image = make_images(1)[0]
    blocks = build_images_list([replace(image, version="a<b>&" + "v" * 5000)], locale="en")
    check_message(blocks)
    line = texts(blocks)[1].split("\n")[1]
    assert line.startswith("`a&lt;b&gt;&amp;vvv")
    assert "…`" in line
    assert len(line) < 320


def test_no_images() -> None:
    blocks = build_images_list([], locale="en")
    check_message(blocks)
    assert texts(blocks) == ["No images match."]


@pytest.mark.parametrize("locale", LOCALES)
def test_help_overview_lists_every_subcommand(locale: Locale) -> None:
    blocks = build_help(locale=locale, command="/hpc")
    check_message(blocks)
    text = "\n".join(texts(blocks))
    for subcommand in SUBCOMMANDS:
        assert f"`/hpc {subcommand}" in text
    assert "&lt;" in text  # usage lines' <placeholders> are escaped, not links


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("topic", SUBCOMMANDS)
def test_help_for_each_topic(locale: Locale, topic: str) -> None:
    blocks = build_help(locale=locale, topic=topic)  # type: ignore[arg-type]
    check_message(blocks)
    assert f"/scnet {topic}" in blocks[1]["text"]["text"]


def test_create_help_reads_the_defaults() -> None:
    text = "\n".join(texts(build_help(locale="en", topic="create")))
    assert f"cpus `{CREATE_DEFAULTS.cpus}`" in text
    assert "ram `16G`" in text
    assert "timeout `04:00:00`" in text
    assert "512 MB–2,048 GB" in text


def test_usage_error_shows_the_problem_and_the_usage_line() -> None:
    error = parse_command("create x gpus=<99>")
    assert isinstance(error, UsageError)
    blocks = build_usage_error(error, locale="en")
    check_message(blocks)
    assert "`&lt;99&gt;`" in blocks[0]["text"]["text"]
    assert "/scnet create [&lt;image&gt;]" in "\n".join(texts(blocks))
    assert "/scnet help create" in "\n".join(texts(blocks))


def test_usage_error_without_a_subcommand_points_to_help() -> None:
    error = parse_command("x" * 6000)
    assert isinstance(error, UsageError)
    blocks = build_usage_error(error, locale="zh")
    check_message(blocks)
    assert sum(len(text) for text in texts(blocks)) < 200
    assert "/scnet help" in texts(blocks)[-1]


def test_notice_escapes_its_params() -> None:
    blocks = build_notice(
        "scnet.bad_request", locale="en", tone="error", params={"code": "10004", "detail": "<x>"}
    )
    check_message(blocks)
    assert blocks[0]["text"]["text"].startswith(":x: ")
    assert "&lt;x&gt;" in blocks[0]["text"]["text"]


@pytest.mark.parametrize("action", ["stop", "delete"])
def test_confirmation_message_and_dialog(action: str) -> None:
    blocks = build_confirmation(action, instance_id="a" * 32, name="t", locale="zh")  # type: ignore[arg-type]
    check_message(blocks)
    expected = ids.CONFIRM_STOP if action == "stop" else ids.CONFIRM_DELETE
    assert action_ids(blocks) == [expected, ids.CANCEL]
    assert {b["value"] for b in buttons(blocks)} == {"a" * 32}
    dialog = build_confirm_dialog(action, name="x" * 1000, locale="en")  # type: ignore[arg-type]
    assert len(dialog["text"]["text"]) <= 300
    assert dialog["style"] == "danger"


def test_whoami_logged_in_and_out() -> None:
    account = AccountInfo(user_name="alice", full_name="Alice", balance=None, center="Kunshan")
    blocks = build_whoami(locale="en", claims=make_claims(), now=NOW, account=account)
    check_message(blocks)
    text = "\n".join(texts(blocks))
    assert "alice" in text
    assert "valid until <!date^" in text
    expired = build_whoami(locale="en", claims=make_claims(-NOW.resolution * 10), now=NOW)
    assert "expired" in "\n".join(texts(expired))
    logged_out = build_whoami(locale="zh", claims=None, now=NOW)
    check_message(logged_out)
    assert "/scnet login" in texts(logged_out)[0]


@pytest.mark.parametrize(
    ("status", "locale", "shown"),
    [
        ("Normal", "en", "Normal"),
        ("Owe", "zh", "欠费"),
        ("Disable", "zh", "已停用"),
        ("Odd", "en", "Odd"),
    ],
)
def test_whoami_shows_the_accounts_status_and_balance(
    status: str, locale: Locale, shown: str
) -> None:
    account = AccountInfo(user_name="alice", status=status, balance=Decimal("1234.5"))
    blocks = build_whoami(locale=locale, claims=make_claims(), now=NOW, account=account)
    check_message(blocks)
    label = "*" + translate("whoami.account_status", locale) + "*\n"
    assert label + shown in texts(blocks)
    assert "¥1,234.50" in "\n".join(texts(blocks))


@pytest.mark.parametrize(
    ("used", "limit", "bar"),
    [
        (0, 10, "░░░░░░░░░░ 0%"),
        (5, 10, "█████░░░░░ 50%"),
        (10, 10, "██████████ 100%"),
        (15, 10, "██████████ 150%"),
        (0, 0, "░░░░░░░░░░ 0%"),
        (1, 0, "██████████ 100%"),
    ],
)
def test_usage_bar(used: int, limit: int, bar: str) -> None:
    assert usage_bar(used, limit) == bar


def test_quota_section_shows_usage_against_limits() -> None:
    rows = [
        QuotaRow("gpus", 4, 8),
        QuotaRow("cpus", 80, 64),
        QuotaRow("ram_mb", 1536, 262144),
        QuotaRow("instances", 3, None),
    ]
    blocks = build_quota_section(rows, locale="en")
    check_message(blocks)
    fields = [field["text"] for field in blocks[0]["fields"]]
    assert fields[0] == "*Accelerator cards*\n`█████░░░░░ 50%` 4 / 8"
    assert fields[1].endswith(":warning:")
    assert "1.5 GB / 256 GB" in fields[2]
    assert "no limit" in fields[3]
    assert "团队用量" in build_quota_section(rows, locale="zh")[0]["text"]["text"]
    member = build_quota_section([], locale="en", member="<@U1>")
    assert "&lt;@U1&gt;" in member[0]["text"]["text"]
