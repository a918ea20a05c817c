"""The single place that keeps built blocks inside Slack's limits."""

from __future__ import annotations

import pytest

from bot.slack.blocks import limits
from bot.slack.blocks.elements import button, fields_section, header, mrkdwn, plain, section


def test_escape_covers_slacks_control_characters() -> None:
    assert limits.escape_mrkdwn("a & <b> c") == "a &amp; &lt;b&gt; c"


def test_clip_marks_a_cut_with_an_ellipsis() -> None:
    assert limits.clip("abcdef", 6) == "abcdef"
    assert limits.clip("abcdefg", 6) == "abcde…"


def test_clip_mrkdwn_never_cuts_an_entity_or_a_link() -> None:
    assert limits.clip_mrkdwn("abc &amp; def", 7) == "abc …"
    assert limits.clip_mrkdwn("see <http://x.example/long|here> now", 12) == "see …"
    assert limits.clip_mrkdwn("ok &amp; fine and more", 12) == "ok &amp; fi…"


def test_identifiers_are_refused_not_clipped() -> None:
    with pytest.raises(ValueError, match="button value"):
        button("x", "a", value="v" * 256)
    assert button("x", "a", value="v" * 255)["value"] == "v" * 255


def test_elements_clip_their_text() -> None:
    assert len(header("h" * 500)["text"]["text"]) == limits.HEADER_TEXT
    assert len(section("s" * 5000)["text"]["text"]) == limits.SECTION_TEXT
    assert len(button("b" * 100, "a")["text"]["text"]) == limits.BUTTON_TEXT
    fields = fields_section(["f" * 3000] * 12)["fields"]
    assert len(fields) == limits.SECTION_FIELDS
    assert all(len(field["text"]) == limits.FIELD_TEXT for field in fields)


def test_empty_text_is_never_sent() -> None:
    assert plain("", 10)["text"]
    assert mrkdwn("")["text"]


def test_message_and_view_caps() -> None:
    blocks = [{"type": "divider"}] * 120
    assert len(limits.message_blocks(blocks)) == 50
    assert len(limits.view_blocks(blocks)) == 100
