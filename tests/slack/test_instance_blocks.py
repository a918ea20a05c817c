"""The instance card, the list, the "created" reply and the owner's access-URL message."""

from __future__ import annotations

import pytest

from bot.domain.i18n import Locale
from bot.domain.secret import Secret
from bot.slack.blocks import (
    build_access_url,
    build_created,
    build_instance_card,
    build_instance_list,
    ids,
)

from .blocks_check import action_ids, buttons, check_message, texts, walk
from .samples import NOW, make_instance

ALL_STATUSES = ["Waiting", "Deploying", "Running", "Completed", "Failed", "Terminated", "Paused"]


@pytest.mark.parametrize(
    ("status", "owner", "expected"),
    [
        ("Running", True, [ids.OPEN_URL, ids.REFRESH, ids.STOP, ids.WATCH]),
        ("Running", False, [ids.REFRESH, ids.STOP, ids.WATCH]),
        ("Waiting", True, [ids.REFRESH, ids.STOP, ids.WATCH]),
        ("Deploying", True, [ids.REFRESH, ids.STOP, ids.WATCH]),
        ("Completed", True, [ids.REFRESH, ids.RESTART, ids.DELETE, ids.WATCH]),
        ("Failed", True, [ids.REFRESH, ids.RESTART, ids.DELETE, ids.WATCH]),
        ("Terminated", False, [ids.REFRESH, ids.RESTART, ids.DELETE, ids.WATCH]),
        ("Paused", True, [ids.REFRESH, ids.WATCH]),  # unknown to us: no guesses
    ],
)
def test_card_buttons_fit_the_status_and_the_viewer(
    status: str, owner: bool, expected: list[str]
) -> None:
    blocks = build_instance_card(
        make_instance(status=status), locale="en", viewer_is_owner=owner, watching=False
    )
    check_message(blocks)
    assert action_ids(blocks) == expected


def test_watching_shows_unwatch_instead_of_watch() -> None:
    blocks = build_instance_card(make_instance(), locale="en", viewer_is_owner=True, watching=True)
    assert ids.UNWATCH in action_ids(blocks)
    assert ids.WATCH not in action_ids(blocks)


def test_buttons_carry_only_the_instance_id_and_open_embeds_no_url() -> None:
    instance = make_instance()
    blocks = build_instance_card(instance, locale="en", viewer_is_owner=True, watching=False)
    assert {button["value"] for button in buttons(blocks)} == {instance.id}
    open_button = next(b for b in buttons(blocks) if b["action_id"] == ids.OPEN_URL)
    assert "url" not in open_button


@pytest.mark.parametrize(("status", "action"), [("Running", ids.STOP), ("Failed", ids.DELETE)])
def test_stop_and_delete_ask_for_confirmation(status: str, action: str) -> None:
    blocks = build_instance_card(
        make_instance(status=status), locale="en", viewer_is_owner=True, watching=False
    )
    button = next(b for b in buttons(blocks) if b["action_id"] == action)
    assert button["style"] == "danger"
    assert set(button["confirm"]) >= {"title", "text", "confirm", "deny"}


def test_card_shows_status_resources_image_and_times() -> None:
    blocks = build_instance_card(
        make_instance(), locale="en", viewer_is_owner=True, watching=False, now=NOW
    )
    assert [block["type"] for block in blocks] == [
        "header",
        "section",
        "section",
        "section",
        "actions",
    ]
    text = "\n".join(texts(blocks))
    assert ":large_green_circle: Running" in text
    assert "8 CPU · 1 DCU · 32 GB" in text
    assert "`jupyterlab:1.0`" in text
    assert "<!date^" in text
    assert "3 h 10 min" in text  # 4 h timeout, started 50 min ago


def test_a_huge_description_is_clipped_to_the_section_limit() -> None:
    blocks = build_instance_card(
        make_instance(description="x" * 10_000), locale="en", viewer_is_owner=True, watching=False
    )
    check_message(blocks)
    description = blocks[3]["text"]["text"]
    assert len(description) == 3000
    assert description.endswith("…")


def test_user_text_is_escaped_for_mrkdwn() -> None:
    instance = make_instance(name="a<b>&c", description="<!channel> & <http://evil|x>")
    blocks = build_instance_card(instance, locale="en", viewer_is_owner=True, watching=False)
    mrkdwn = "\n".join(item["text"] for item in walk(blocks) if item.get("type") == "mrkdwn")
    assert "<!channel>" not in mrkdwn
    assert "&lt;!channel&gt; &amp; &lt;http://evil|x&gt;" in mrkdwn
    assert blocks[0]["text"]["text"] == "a<b>&c"  # plain_text is shown as it is


def test_zh_and_en_labels_differ() -> None:
    instance = make_instance()
    en = build_instance_card(instance, locale="en", viewer_is_owner=True, watching=False)
    zh = build_instance_card(instance, locale="zh", viewer_is_owner=True, watching=False)
    check_message(zh)
    assert [b["text"]["text"] for b in buttons(en)] == ["Open", "Refresh", "Stop", "Watch"]
    assert [b["text"]["text"] for b in buttons(zh)] == ["打开", "刷新", "停止", "关注"]
    assert "运行" in "\n".join(texts(zh))


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_every_card_is_valid_block_kit(locale: Locale, status: str) -> None:
    check_message(
        build_instance_card(
            make_instance(status=status, description="", created_at=None, started_at=None),
            locale=locale,
            viewer_is_owner=True,
            watching=False,
        )
    )


def test_list_of_500_pages_within_limits_and_covers_everyone() -> None:
    instances = [make_instance(index) for index in range(500)]
    seen: list[str] = []
    page = 0
    while True:
        blocks = build_instance_list(instances, locale="en", page=page)
        check_message(blocks)
        rows = [b for b in buttons(blocks) if b["action_id"] == ids.SHOW_CARD]
        seen += [row["value"] for row in rows]
        pager = [b for b in buttons(blocks) if b["action_id"] in ids.LIST_PAGE_ACTIONS]
        assert any(text.startswith("Showing") for text in texts(blocks))
        nxt = [b for b in pager if b["text"]["text"] == "Next"]
        if not nxt:
            break
        page = int(nxt[0]["value"])
    assert seen == [instance.id for instance in instances]


def test_list_shows_x_of_y_and_pagers_at_the_edges() -> None:
    instances = [make_instance(index) for index in range(45)]
    first = build_instance_list(instances, locale="en", page=0)
    assert "Showing 1–20 of 45" in texts(first)
    assert [
        b["text"]["text"] for b in buttons(first) if b["action_id"] in ids.LIST_PAGE_ACTIONS
    ] == ["Next"]
    last = build_instance_list(instances, locale="en", page=99)  # clamped to the last page
    assert "Showing 41–45 of 45" in texts(last)
    assert [b["value"] for b in buttons(last) if b["action_id"] in ids.LIST_PAGE_ACTIONS] == ["1"]


def test_an_empty_list_says_so() -> None:
    blocks = build_instance_list([], locale="zh")
    check_message(blocks)
    assert action_ids(blocks) == []


def test_created_reply_names_the_instance_and_the_watch() -> None:
    blocks = build_created(instance_id=make_instance().id, name="train", locale="en")
    check_message(blocks)
    text = "\n".join(texts(blocks))
    assert make_instance().id in text
    assert "DM" in text
    assert action_ids(blocks) == [ids.SHOW_CARD, ids.UNWATCH]


def test_access_url_is_revealed_only_in_the_owner_message() -> None:
    url = "http://h.example:8080/jupyter-forward/ab12/?token=sothisai_ab12&x=<1>|2"
    blocks = build_access_url(Secret(url), instance_id=make_instance().id, name="t", locale="en")
    check_message(blocks)
    link_text = blocks[0]["text"]["text"]
    assert "sothisai_ab12&amp;x=&lt;1&gt;%7C2|t>" in link_text
    link_button = next(b for b in buttons(blocks) if b["action_id"] == ids.OPEN_LINK)
    assert link_button["url"] == url
    card = build_instance_card(make_instance(), locale="en", viewer_is_owner=True, watching=False)
    assert "sothisai" not in repr(card)
