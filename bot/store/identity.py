"""Who a stored row belongs to: a Slack user is only unique within a workspace (team)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SlackUser:
    team_id: str
    user_id: str
