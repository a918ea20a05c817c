"""Issue 15's first-run defects, as a newcomer meets them in ``scnet-bot demo``: each test
failed before its fix."""

from __future__ import annotations

import pytest

from bot.console.text import display_width, render_blocks
from bot.domain.i18n import translate
from bot.domain.quota import Usage
from bot.slack.blocks.elements import header
from bot.slack.blocks.quota import usage_text
from tests.console.demo_script import after, demo

README_CREATE = "create jupyter:4.4-py3.7-cpu name=nb gpus=1 ram=32G timeout=08:00:00"


async def test_the_readme_and_help_create_examples_are_accepted_in_the_demo() -> None:
    help_text = translate("help.create.details", "en", command="/scnet")
    examples = [line.strip("`") for line in help_text.splitlines() if line.startswith("`/scnet")]
    assert len(examples) == 2
    out = await demo(README_CREATE, *(e.removeprefix("/scnet ") for e in examples))
    assert out.count("🚀 Creating") == 3, out
    assert "❌" not in out


async def test_images_with_a_wrong_filter_names_what_it_could_be() -> None:
    out = await demo("images tpu")
    assert "`tpu` is neither an accelerator (gpu, dcu, mlu, cpu) nor an image type" in out
    assert "is not a valid `images`" not in out


async def test_an_unknown_image_without_close_matches_does_not_say_close_matches() -> None:
    out = await demo("create nosuch:1")
    assert "There is no image `nosuch:1`. See `images`" in out
    assert "Close matches: -" not in out


async def test_an_image_of_another_accelerator_says_so() -> None:
    out = await demo("create jupyter:4.4-py3.7-cpu accel=dcu")
    assert "`jupyter:4.4-py3.7-cpu` is a gpu image, not a dcu one" in out
    assert "There is no image" not in out


async def test_a_four_character_id_prefix_names_the_six_character_minimum() -> None:
    out = await demo("status abcd")
    assert "An id prefix needs at least 6 characters" in out


async def test_restarting_a_started_instance_is_answered_in_the_users_language() -> None:
    out = await demo("create jupyter:4.4-py3.7-cpu name=nb", "restart nb")
    reply = after(out, "scnet> restart nb")
    assert "nb is Waiting already: there is nothing to restart." in reply
    assert not any("\u4e00" <= char <= "\u9fff" for char in reply)  # no SCNet Chinese


async def test_admin_commands_work_in_the_demo() -> None:
    out = await demo("quota set gpus=8", "audit 5", "quota digest", "links")
    assert "Only admins can do that." not in out


def test_quota_lines_count_instances_in_the_readers_language() -> None:
    usage = Usage(gpus=1, cpus=4, ram_mb=16384, instances=2)
    assert usage_text(usage, "zh").endswith("2 个实例")
    assert usage_text(usage, "en").endswith("2 inst.")


@pytest.mark.parametrize("title", ["配额摘要", "Quota", "🚀 创建"])
def test_heading_underlines_are_as_wide_as_the_heading_on_screen(title: str) -> None:
    lines = render_blocks([header(title)]).splitlines()
    assert len(lines[1]) == max(4, display_width(title))
    assert display_width("配额摘要") == 8
