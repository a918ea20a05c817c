"""Usage against limits, from numbers the quota arithmetic already computed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from bot.domain.i18n import Locale

from .display import ram_text
from .elements import Block, field, fields_section, section
from .limits import SECTION_FIELDS
from .wording import words

QuotaResource = Literal["gpus", "cpus", "ram_mb", "instances"]
BAR_WIDTH: Final = 10
FULL, EMPTY = "█", "░"


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


def _amount(resource: QuotaResource, value: int) -> str:
    return ram_text(value) if resource == "ram_mb" else f"{value:,}"


def quota_line(row: QuotaRow, locale: Locale) -> str:
    used = _amount(row.resource, row.used)
    if row.limit is None:
        return words("quota.unlimited_line", locale, used=used)
    line = f"`{usage_bar(row.used, row.limit)}` {used} / {_amount(row.resource, row.limit)}"
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
        field(words(f"quota.resource.{row.resource}", locale), quota_line(row, locale))
        for row in rows[:SECTION_FIELDS]
    ]
    return [fields_section(fields, text=f"*{title}*")]
