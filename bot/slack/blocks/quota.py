"""Usage against limits, from numbers the quota arithmetic already computed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Final

from bot.domain.costs import SpendSummary
from bot.domain.i18n import Locale
from bot.domain.instances import NodeLimits
from bot.domain.quota import QUOTA_RESOURCES, QuotaLimits, QuotaResource, Usage

from . import limits
from .costs import build_spend
from .display import duration_text, ram_text
from .elements import Block, context, divider, field, fields_section, section
from .limits import SECTION_FIELDS, escape_mrkdwn
from .wording import words, words_with

MEMBERS_SHOWN: Final = 15
LONGEST_SHOWN: Final = 5
NODE_GROUPS_SHOWN: Final = 5
BAR_WIDTH: Final = 10
FULL, EMPTY = "█", "░"
RESOURCE_KEYS: Final[Mapping[QuotaResource, str]] = {
    "gpus": "quota.resource.gpus",
    "cpus": "quota.resource.cpus",
    "ram_mb": "quota.resource.ram_mb",
    "instances": "quota.resource.instances",
}


@dataclass(frozen=True, slots=True)
class QuotaRow:
    resource: QuotaResource
    used: int
    limit: int | None  # None: no limit set


def usage_bar(used: int, limit: int, width: int = BAR_WIDTH) -> str:
    """``█████░░░░░ 50%``; a zero limit counts as full once anything is used."""
    ratio = used / limit if limit > 0 else float(used > 0)
    filled = min(width, max(0, round(ratio * width)))
    return f"{FULL * filled}{EMPTY * (width - filled)} {round(ratio * 100)}%"


def amount_text(resource: QuotaResource, value: int) -> str:
    return ram_text(value) if resource == "ram_mb" else f"{value:,}"


def quota_line(row: QuotaRow, locale: Locale) -> str:
    used = amount_text(row.resource, row.used)
    if row.limit is None:
        return words("quota.unlimited_line", locale, used=used)
    line = f"`{usage_bar(row.used, row.limit)}` {used} / {amount_text(row.resource, row.limit)}"
    if row.used > row.limit:
        line += " :warning:"
    return line


def build_quota_section(
    rows: Sequence[QuotaRow], *, locale: Locale, member: str | None = None
) -> list[Block]:
    """A title and one field per resource: the team's usage, or ``member``'s."""
    title = (
        words("quota.member_title", locale, member=member)
        if member is not None
        else words("quota.team_title", locale)
    )
    if not rows:
        return [section(f"*{title}*\n{words('quota.no_limits', locale)}")]
    fields = [
        field(words(RESOURCE_KEYS[row.resource], locale), quota_line(row, locale))
        for row in rows[:SECTION_FIELDS]
    ]
    return [fields_section(fields, text=f"*{title}*")]


def quota_rows(usage: Usage, quota: QuotaLimits | None) -> list[QuotaRow]:
    return [
        QuotaRow(r, usage.amount(r), quota.limit(r) if quota else None) for r in QUOTA_RESOURCES
    ]


@dataclass(frozen=True, slots=True)
class MemberUsage:
    user_id: str
    usage: Usage
    limits: QuotaLimits | None = None


@dataclass(frozen=True, slots=True)
class LongRunner:
    name: str
    user_id: str
    running_for: timedelta


def mention(user_id: str) -> str:
    """A user mention; ids are Slack's own ``U…``/``W…`` so they need no escaping."""
    return f"<@{escape_mrkdwn(user_id)}>"


def _titled(title_key: str, lines: Sequence[str], locale: Locale) -> Block:
    text = f"*{words(title_key, locale)}*\n" + "\n".join(lines)
    return section(limits.clip_mrkdwn(text, limits.SECTION_TEXT))


def usage_text(usage: Usage, locale: Locale = "en") -> str:
    instances = words("quota.instances_short", locale, count=usage.instances)
    return f"{usage.gpus} GPU · {usage.cpus} CPU · {ram_text(usage.ram_mb)} · {instances}"


def build_quota_report(
    *,
    team: Sequence[QuotaRow],
    members: Sequence[MemberUsage],
    longest: Sequence[LongRunner],
    balance: Decimal | None,
    locale: Locale,
    node_limits: Sequence[NodeLimits] = (),
    spend: SpendSummary | None = None,
    command: str = "/scnet",
) -> list[Block]:
    """``/scnet quota``: team totals against limits, who holds what, what runs longest; and
    the caller's own SCNet node limits and balance, when given (never in a shared reply)."""
    blocks = build_quota_section(team, locale=locale)
    blocks.append(divider())
    if not members:
        blocks.append(section(words("quota.none_active", locale)))
    else:
        lines = [
            words_with(
                "quota.member_line",
                locale,
                markup={"member": mention(m.user_id)},
                usage=usage_text(m.usage, locale),
            )
            for m in members[:MEMBERS_SHOWN]
        ]
        blocks.append(_titled("quota.members_title", lines, locale))
    if longest:
        lines = [
            words_with(
                "quota.longest_line",
                locale,
                markup={"member": mention(runner.user_id)},
                name=runner.name,
                duration=duration_text(runner.running_for, locale),
            )
            for runner in longest[:LONGEST_SHOWN]
        ]
        blocks.append(_titled("quota.longest_title", lines, locale))
    if node_limits:
        lines = [node_limits_line(limits, locale) for limits in node_limits[:NODE_GROUPS_SHOWN]]
        blocks.append(_titled("quota.node_limits_title", lines, locale))
    if spend is not None:  # ``bot.services.costs``: estimates, and every block says so
        blocks.append(divider())
        blocks += build_spend(spend, locale=locale, command=command)
    if balance is not None:
        blocks.append(context(words("quota.balance", locale, balance=f"{balance:,.2f}")))
    return blocks


def node_limits_line(limits: NodeLimits, locale: Locale) -> str:
    """What one node of a resource group offers, as SCNet's ``resources`` says."""
    unlimited = not limits.max_time or limits.max_time.lower() == "unlimited"
    return words(
        "quota.node_limits_line",
        locale,
        group=limits.resource_group,
        accelerator=(limits.accelerator or "?").upper(),
        cpus=limits.cpus,
        gpus=limits.gpus,
        memory=ram_text(limits.memory_mb),
        nodes=limits.node_count,
        max_time=words("time.unlimited", locale) if unlimited else limits.max_time,
    )
