"""The console shows the same blocks as readable text."""

from __future__ import annotations

import pytest

from bot.console.text import mrkdwn_to_text, render_blocks, render_view
from bot.domain.commands import UsageError, parse_command
from bot.domain.secret import Secret
from bot.slack.blocks import (
    QuotaRow,
    build_access_url,
    build_create_modal,
    build_help,
    build_home,
    build_images_list,
    build_instance_card,
    build_instance_list,
    build_login_modal,
    build_usage_error,
)
from tests.slack.samples import NOW, make_claims, make_images, make_instance


@pytest.mark.parametrize(
    ("mrkdwn", "text"),
    [
        ("*bold* and _it_ and ~gone~", "bold and it and gone"),
        ("<https://x.example/a?b=1&amp;c=2|docs>", "docs (https://x.example/a?b=1&c=2)"),
        ("<https://x.example>", "https://x.example"),
        (
            "<!date^1714564800^{date_short_pretty} {time}|2024-05-01 12:00 UTC>",
            "2024-05-01 12:00 UTC",
        ),
        ("hi <@U123|alice> in <#C9|general> <!here>", "hi @alice in #general @here"),
        ("<@U123>", "@U123"),
        ("a &lt;b&gt; &amp;amp;", "a <b> &amp;"),
        (":large_green_circle: Running", "🟢 Running"),
        (":not_an_emoji_we_know:", ":not_an_emoji_we_know:"),
        ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
    ],
)
def test_mrkdwn_is_lightly_converted(mrkdwn: str, text: str) -> None:
    assert mrkdwn_to_text(mrkdwn) == text


def test_instance_card_reads_as_text_with_buttons() -> None:
    card = build_instance_card(
        make_instance(name="a<b>&c"), locale="en", viewer_is_owner=True, watching=False, now=NOW
    )
    text = render_blocks(card)
    lines = text.splitlines()
    assert lines[0] == "a<b>&c"
    assert set(lines[1]) == {"═"}
    assert "🟢 Running" in lines[2]
    assert "  Resources: 8 CPU · 1 DCU · 32 GB" in lines
    assert "  Created: 2024-05-01 11:00 UTC" in lines
    assert lines[-1] == "[Open] [Refresh] [Stop] [Watch]"
    assert "&amp;" not in text
    assert "*" not in text


def test_list_rows_show_their_button_and_the_pager() -> None:
    text = render_blocks(build_instance_list([make_instance(i) for i in range(30)], locale="zh"))
    assert "train-0*" not in text
    assert "train-0  `00000000`  [详情]" in text
    assert text.splitlines()[-1] == "[下一页]"
    assert "显示第 1–20 个，共 30 个" in text


def test_help_and_usage_errors() -> None:
    assert "/scnet create [<image>] [key=value ...]" in render_blocks(build_help(locale="en"))
    error = parse_command("create x gpus=99")
    assert isinstance(error, UsageError)
    text = render_blocks(build_usage_error(error, locale="en"))
    assert text.startswith("⚠️ `gpus` `99` is out of range: use 0 to 64.")
    assert "Usage: `/scnet create [<image>] [key=value ...]`" in text


def test_images_list() -> None:
    text = render_blocks(build_images_list(make_images(120), locale="en"))
    assert "`jupyterlab:0.0` · Base" in text
    assert "Showing 100 of 120." in text


def test_access_url_reads_as_a_link() -> None:
    url = "http://h.example/jupyter-forward/ab/?token=t&x=1"
    text = render_blocks(build_access_url(Secret(url), instance_id="a" * 32, name="t", locale="en"))
    assert f"t ({url})" in text
    assert "[Open]" in text


def test_login_modal_shows_inputs_and_buttons() -> None:
    text = render_view(build_login_modal(locale="en"))
    lines = text.splitlines()
    assert lines[0] == "┌─ Log in to SCNet ─┐"
    assert "SCNet token: [eyJ...]" in lines
    assert "[Use AK/SK instead]" in lines
    assert lines[-1] == "[Log in] [Cancel]"


def test_create_modal_shows_selects_and_prefilled_values() -> None:
    prefill = parse_command("create gpus=2")
    assert not isinstance(prefill, UsageError)
    text = render_view(build_create_modal(make_images(250), locale="en", prefill=prefill))  # type: ignore[arg-type]
    assert "Image: [Choose an image ▾] (250)" in text
    assert "Accelerator cards (optional): [2]" in text
    assert "Memory (optional): [16G]" in text
    assert "Type (optional): [jupyter ▾] (4)" in text


def test_home_view() -> None:
    view = build_home(
        locale="en",
        claims=make_claims(),
        instances=[make_instance()],
        now=NOW,
        team_usage=[QuotaRow("gpus", 5, 10)],
    )
    text = render_view(view)
    assert text.splitlines()[0] == "┌─ Home ─┐"
    assert "Logged in as alice  [Log in again]" in text
    assert "  Accelerator cards: `█████░░░░░ 50%` 5 / 10" in text


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image", "image_url": "x", "alt_text": "y"},
        {"type": "section"},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*a*\nb"}]},
        {"type": "actions", "elements": [{"type": "overflow"}, "junk"]},
        {"type": "input", "element": {"type": "static_select", "initial_option": "junk"}},
        "not a block",
        {},
    ],
)
def test_odd_blocks_render_without_failing(block: object) -> None:
    assert isinstance(render_blocks([block]), str)


def test_fields_read_as_label_and_value() -> None:
    block = {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Status*\nRunning"}]}
    assert render_blocks([block]) == "  Status: Running"


def test_checkboxes_show_their_state() -> None:
    text = render_view(build_login_modal(locale="en", mode="aksk"))
    assert "Token renewal (optional): [x] Keep my AK/SK (encrypted) to get new tokens" in text
