"""Catalog text as mrkdwn.

Catalog entries are plain text with light mrkdwn (``*bold*``, ```code```) and never Slack's
control sequences, so a usage line's ``<image>`` or an example's ``&&`` must be escaped like any
user text. Markup that the builders make themselves (dates, links) goes in through ``markup``.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.i18n import Locale, translate

from .limits import escape_mrkdwn

# Private-use characters: neither a catalog text nor escaping produces them.
_OPEN, _CLOSE = "\ue000", "\ue001"


def words(key: str, locale: Locale, /, **params: object) -> str:
    """``key``'s text in ``locale`` with ``params`` filled in, all of it escaped for mrkdwn."""
    return escape_mrkdwn(translate(key, locale, **params))


def words_with(key: str, locale: Locale, /, *, markup: Mapping[str, str], **params: object) -> str:
    """Like ``words``, but the ``markup`` params are inserted as they are (already mrkdwn)."""
    slots = {name: f"{_OPEN}{name}{_CLOSE}" for name in markup}
    text = escape_mrkdwn(translate(key, locale, **params, **slots))
    for name, value in markup.items():
        text = text.replace(slots[name], value)
    return text
