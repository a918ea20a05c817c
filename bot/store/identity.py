"""Who a stored row belongs to: a Slack user is only unique within a workspace (team).

The type is the domain's (``bot.domain.identity``); it is imported from here by older code.
"""

from __future__ import annotations

from bot.domain.identity import SlackUser as SlackUser
