"""The catalog's texts for the team's queue of creates waiting for capacity."""

# Merged into bot.domain.i18n.CATALOG.

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from bot.domain.i18n import Locale

ENTRIES: Final[Mapping[str, Mapping[Locale, str]]] = {}
