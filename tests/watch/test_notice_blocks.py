"""The watcher's messages: valid Block Kit in both languages, the URL only where it may go,
and the console's rendering of them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.console.repl import ConsoleSender
from bot.domain.i18n import Locale
from bot.domain.identity import NoticeTarget, SlackUser
from bot.domain.notices import (
    Delivery,
    NoticeKind,
    TargetUnavailable,
    from_snapshot,
    snapshot,
)
from bot.domain.secret import Secret
from bot.slack.blocks import ids
from bot.slack.blocks.watch_notices import build_delivery
from tests.slack.blocks_check import action_ids, check_message
from tests.slack.samples import NOW, make_instance

HEX = "5f2a9c0d1e3b4a5968778695a4b3c2d1"
URL = Secret(f"http://10.0.0.1:8888/jupyter-forward/{HEX}/?token=sothisai_{HEX}")
OWNER = SlackUser("T1", "U0ALICE")
DM = NoticeTarget.dm(OWNER.user_id)
CHANNEL = NoticeTarget.channel("C0TEAM", "1750000000.000100")


def delivery(kind: NoticeKind, *, locale: Locale = "en", **changes: object) -> Delivery:
    base = Delivery(
        key=f"i-1:{kind}:1",
        kind=kind,
        target=CHANNEL if kind.endswith("channel") else DM,
        owner=OWNER,
        locale=locale,
        now=NOW,
        instance=make_instance(),
        minutes_left=15,
        waited=timedelta(minutes=12),
        paused_watches=2,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


EVERY_KIND = [
    delivery(NoticeKind.READY, access_url=URL),
    delivery(NoticeKind.READY, link_problem="login"),
    delivery(NoticeKind.READY, link_problem="unavailable"),
    delivery(NoticeKind.READY_CHANNEL),
    delivery(NoticeKind.READY_CHANNEL, access_url=URL),
    delivery(NoticeKind.ENDED, instance=make_instance(status="Failed", ended_at=NOW)),
    delivery(NoticeKind.ENDED_CHANNEL, instance=make_instance(status="Completed")),
    delivery(NoticeKind.QUEUED, instance=make_instance(status="Waiting")),
    delivery(NoticeKind.AUTOSTOP),
    delivery(NoticeKind.LOGIN, instance=None),
    delivery(NoticeKind.LOGIN, instance=None, paused_watches=0),
]


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("notice", EVERY_KIND, ids=lambda d: f"{d.kind}")
def test_every_notice_is_valid_block_kit_with_a_url_free_fallback(
    notice: Delivery, locale: Locale
) -> None:
    blocks, text = build_delivery(replace(notice, locale=locale))
    check_message(blocks)
    assert text.strip()
    assert HEX not in text


def test_the_owner_dm_holds_the_link_the_card_and_no_secret_elsewhere() -> None:
    blocks, _ = build_delivery(delivery(NoticeKind.READY, access_url=URL))
    assert HEX in json.dumps(blocks)
    assert ids.OPEN_LINK in action_ids(blocks)
    assert ids.REFRESH in action_ids(blocks)  # the instance card's buttons


def test_a_channel_gets_no_part_of_the_url_unless_the_delivery_carries_it() -> None:
    plain, _ = build_delivery(delivery(NoticeKind.READY_CHANNEL))
    shared, _ = build_delivery(delivery(NoticeKind.READY_CHANNEL, access_url=URL))
    assert HEX not in json.dumps(plain)
    assert "<@U0ALICE>" in json.dumps(plain)
    assert HEX in json.dumps(shared)


@pytest.mark.parametrize("kind", [NoticeKind.ENDED, NoticeKind.ENDED_CHANNEL])
def test_an_ending_says_what_scnet_says_and_offers_a_restart(kind: NoticeKind) -> None:
    failed = make_instance(status="Failed", ended_at=NOW)
    blocks, text = build_delivery(delivery(kind, instance=failed))
    assert ids.RESTART in action_ids(blocks)
    assert "`Failed`" in json.dumps(blocks)
    assert "Failed" in text
    zh, _ = build_delivery(delivery(kind, instance=failed, locale="zh"))
    assert "失败" in json.dumps(zh, ensure_ascii=False)


def test_the_login_request_opens_the_login_form() -> None:
    blocks, _ = build_delivery(delivery(NoticeKind.LOGIN, instance=None), command="/sc")
    assert ids.OPEN_LOGIN in action_ids(blocks)
    assert "`/sc login`" in json.dumps(blocks)
    assert "2 instance" in json.dumps(blocks)


def test_a_snapshot_round_trips_without_port_urls() -> None:
    instance = make_instance(remaining="03:10:00", duration="00:50:00")
    data = snapshot(instance)
    json.dumps(data)  # JSON, as the outbox stores it
    assert from_snapshot(data) == instance
    assert "ports" not in data


async def test_the_console_prints_the_users_notices_and_refuses_others() -> None:
    printed: list[str] = []
    console = ConsoleSender(OWNER.user_id, command="/scnet", write=printed.append)
    await console.send(delivery(NoticeKind.READY, access_url=URL))
    assert "train-0 is running" in printed[0]
    assert HEX in printed[0]  # the console user is the owner: their link, on their screen
    with pytest.raises(TargetUnavailable):
        await console.send(delivery(NoticeKind.READY_CHANNEL))
