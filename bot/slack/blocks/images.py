"""The image list: grouped by accelerator, a few lines per section, capped per message."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Final

from bot.domain.i18n import Locale, translate
from bot.domain.instances import ACCELERATORS, Image

from . import limits
from .elements import Block, context, header, section
from .limits import escape_mrkdwn
from .wording import words

IMAGES_SHOWN: Final = 100
LINES_PER_SECTION: Final = 20


OTHER: Final = "other"
_LINE_CHARS: Final = 300


def accelerator_group(image: Image) -> str:
    """The image's accelerator if it is one we know, else "other" (one group for the rest)."""
    lowered = image.accelerator.lower()
    return lowered if lowered in ACCELERATORS else OTHER


def _group_order(image: Image) -> tuple[int, str]:
    group = accelerator_group(image)
    order = [*ACCELERATORS, OTHER].index(group)
    return order, image.version or image.path


def sorted_images(images: Sequence[Image]) -> list[Image]:
    """By accelerator (gpu, dcu, mlu, cpu, then the rest), then by version."""
    return sorted(images, key=_group_order)


def image_line(image: Image) -> str:
    name = limits.clip_mrkdwn(escape_mrkdwn(image.version or image.path), _LINE_CHARS)
    kind = limits.clip_mrkdwn(escape_mrkdwn(image.type), _LINE_CHARS)
    line = f"`{name}` · {kind}"
    if image.access == "private":
        line += " · :lock:"
    return line


def build_images_list(
    images: Sequence[Image],
    *,
    locale: Locale,
    command: str = "/scnet",
    shown_max: int = IMAGES_SHOWN,
) -> list[Block]:
    """Images grouped by accelerator; past ``shown_max`` a "showing X of Y" line says how to
    narrow the list down."""
    if not images:
        return [section(words("images.empty", locale))]
    shown = sorted_images(images)[:shown_max]
    blocks = [header(translate("images.title", locale, count=len(images)))]
    for group, members in groupby(shown, key=accelerator_group):
        lines = [image_line(image) for image in members]
        title = translate("images.other", locale) if group == OTHER else group.upper()
        blocks += [section(text) for text in _sections(f"*{title}*", lines)]
    notes = [words("images.create_hint", locale, command=command)]
    if len(shown) < len(images):
        notes.insert(
            0, words("images.showing", locale, shown=len(shown), total=len(images), command=command)
        )
    blocks.append(context(*notes))
    return limits.message_blocks(blocks)


def _sections(title: str, lines: Sequence[str]) -> list[str]:
    """``lines`` under ``title``, packed into section texts that stay under Slack's limits."""
    texts: list[str] = []
    current = [title]
    for line in lines:
        too_long = len("\n".join([*current, line])) > limits.SECTION_TEXT
        if len(current) > LINES_PER_SECTION or too_long:
            texts.append("\n".join(current))
            current = []
        current.append(line)
    texts.append("\n".join(current))
    return texts
