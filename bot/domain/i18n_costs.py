"""The catalog's texts for what it costs: rates, budgets, spend, balances."""

# Merged into bot.domain.i18n.CATALOG.

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from bot.domain.i18n import Locale

ENTRIES: Final[Mapping[str, Mapping[Locale, str]]] = {}
