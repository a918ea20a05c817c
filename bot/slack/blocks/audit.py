"""``/scnet audit``: the latest mutating actions, for admins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.i18n import Locale

from . import limits
from .display import short_id, slack_time
from .elements import Block, section
from .quota import mention
from .wording import words, words_with

LINES_PER_SECTION = 10
DETAIL_CHARS = 60  # what was acted on: an image, a name, a channel, "team"


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    user_id: str
    action: str
    instance_id: str | None
    outcome: str
    detail: str = ""


def build_audit(entries: Sequence[AuditLine], *, locale: Locale) -> list[Block]:
    title = f"*{words('audit.title', locale, count=len(entries))}*"
    if not entries:
        return [section(f"{title}\n{words('audit.empty', locale)}")]
    lines = [
        words_with(
            "audit.line",
            locale,
            markup={"member": mention(e.user_id), "when": slack_time(e.at)},
            action=e.action,
            instance=f"`{short_id(e.instance_id)}`" if e.instance_id else "-",
            detail=_clip(e.detail),
            outcome=e.outcome,
        )
        for e in entries
    ]
    blocks = []
    for start in range(0, len(lines), LINES_PER_SECTION):
        chunk = "\n".join(lines[start : start + LINES_PER_SECTION])
        text = f"{title}\n{chunk}" if start == 0 else chunk
        blocks.append(section(limits.clip_mrkdwn(text, limits.SECTION_TEXT)))
    return limits.message_blocks(blocks)


def _clip(detail: str) -> str:
    return detail if len(detail) <= DETAIL_CHARS else detail[: DETAIL_CHARS - 1] + "…"
