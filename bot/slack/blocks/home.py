"""The App Home tab: login state, the user's instances, and room for the team's usage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from bot.domain.i18n import Locale, translate
from bot.domain.instances import Instance, TokenClaims

from . import ids, limits
from .account import login_state_text
from .elements import Block, button, context, divider, header, home, section
from .instances import instance_row
from .quota import QuotaRow, build_quota_section
from .wording import words

HOME_INSTANCES: Final = 30


def build_home(
    *,
    locale: Locale,
    claims: TokenClaims | None,
    instances: Sequence[Instance],
    now: datetime,
    team_usage: Sequence[QuotaRow] | None = None,
    command: str = "/scnet",
    balance: str | None = None,
    queued: Sequence[Block] = (),
) -> Block:
    """The Home view; at most ``HOME_INSTANCES`` rows, so it stays under 100 blocks."""
    blocks = [header(translate("home.title", locale))]
    blocks += _login_blocks(claims, locale=locale, now=now, command=command)
    if balance is not None:  # the SCNet balance (``costs.balance_line``): SCNet's, no estimate
        blocks.append(context(balance))
    blocks.append(divider())
    blocks += _instance_blocks(instances, locale=locale, logged_in=claims is not None)
    if queued:  # the user's own creates waiting in the team's queue (``create_queue``)
        blocks.append(divider())
        blocks += queued
    if team_usage is not None:
        blocks.append(divider())
        blocks += build_quota_section(team_usage, locale=locale)
    return home(limits.view_blocks(blocks))


def _login_blocks(
    claims: TokenClaims | None, *, locale: Locale, now: datetime, command: str
) -> list[Block]:
    label = "button.login" if claims is None else "button.login_again"
    login = button(
        translate(label, locale), ids.OPEN_LOGIN, style="primary" if claims is None else None
    )
    return [
        section(login_state_text(claims, locale=locale, now=now, command=command), accessory=login)
    ]


def _instance_blocks(
    instances: Sequence[Instance], *, locale: Locale, logged_in: bool
) -> list[Block]:
    title = f"*{words('home.instances', locale)}*"
    if not logged_in:
        return [section(title), context(words("home.login_first", locale))]
    create = button(translate("button.create", locale), ids.OPEN_CREATE, style="primary")
    blocks = [section(title, accessory=create)]
    if not instances:
        return [*blocks, context(words("list.empty", locale))]
    details = translate("button.details", locale)
    shown = instances[:HOME_INSTANCES]
    blocks += [
        section(instance_row(item, locale), accessory=button(details, ids.SHOW_CARD, value=item.id))
        for item in shown
    ]
    if len(shown) < len(instances):
        blocks.append(
            context(words("list.showing", locale, first=1, last=len(shown), total=len(instances)))
        )
    return blocks
