"""What the team's digest channel reads: the daily digest and the quota alerts (of the team's
limits and of a member's own); what a member reads in a DM when they reach their own limit;
and the reply to ``/scnet quota digest`` that says where and when they go.

Both are built from the snapshot the outbox carried (``bot.domain.digest``), so a retried
post shows the numbers as they were when the digest was due or the threshold was crossed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from bot.domain.digest import Digest, DigestSchedule, QuotaAlert, clock_text
from bot.domain.i18n import Locale, translate

from . import limits
from .costs import build_spend
from .display import duration_text, slack_time
from .elements import Block, context, divider, section
from .limits import escape_mrkdwn
from .notices import TONE_EMOJI
from .quota import (
    RESOURCE_KEYS,
    amount_text,
    build_quota_section,
    mention,
    quota_rows,
    usage_bar,
    usage_text,
)
from .wording import words, words_with

DIGEST_EMOJI: Final = ":bar_chart:"
NEAR_EMOJI: Final = ":warning:"
FULL_EMOJI: Final = ":rotating_light:"


def _titled(title: str, lines: list[str]) -> Block:
    return section(limits.clip_mrkdwn(f"*{title}*\n" + "\n".join(lines), limits.SECTION_TEXT))


def build_digest(digest: Digest, *, locale: Locale, command: str) -> list[Block]:
    """Team usage against its limits, the top holders, what runs longer than N hours."""
    blocks = [section(f"{DIGEST_EMOJI} *{words('digest.title', locale, day=digest.day)}*")]
    blocks += build_quota_section(quota_rows(digest.usage, digest.limits), locale=locale)
    blocks.append(divider())
    if digest.top_holders:
        lines = [
            words_with(
                "quota.member_line",
                locale,
                markup={"member": mention(user_id)},
                usage=usage_text(usage, locale),
            )
            for user_id, usage in digest.top_holders
        ]
        blocks.append(_titled(words("digest.top_title", locale), lines))
    else:
        blocks.append(section(words("quota.none_active", locale)))
    hours = digest.long_running_hours
    if digest.long_runners:
        lines = [
            words_with(
                "quota.longest_line",
                locale,
                markup={"member": mention(runner.owner_user_id)},
                name=runner.name,
                duration=duration_text(runner.running_for, locale),
            )
            for runner in digest.long_runners
        ]
        blocks.append(_titled(words("digest.long_title", locale, hours=hours), lines))
    else:
        blocks.append(section(words("digest.long_none", locale, hours=hours)))
    if digest.spend is not None:
        blocks.append(divider())
        blocks += build_spend(digest.spend, locale=locale, command=command)
    blocks.append(context(words("digest.footer", locale, tz=digest.timezone, command=command)))
    return limits.message_blocks(blocks)


def digest_text(digest: Digest, locale: Locale) -> str:
    return translate("digest.title", locale, day=digest.day)


def _alert_params(alert: QuotaAlert, locale: Locale) -> dict[str, object]:
    return {
        "resource": translate(RESOURCE_KEYS[alert.resource], locale),
        "percent": alert.percent,
        "used": amount_text(alert.resource, alert.used),
        "limit": amount_text(alert.resource, alert.limit),
    }


# By whose limit (the team's, a member's told to the channel, a member's told to them) and
# level (reached 80% or 100%): the alert's catalog key.
_ALERT_KEYS: Final[Mapping[tuple[str, bool], str]] = {
    ("team", False): "alert.near",
    ("team", True): "alert.full",
    ("member", False): "alert.member_near",
    ("member", True): "alert.member_full",
    ("mine", False): "alert.mine_near",
    ("mine", True): "alert.mine_full",
}


def _alert_key(alert: QuotaAlert, *, to_member: bool = False) -> str:
    whose = "mine" if to_member else "team" if alert.member_user_id is None else "member"
    return _ALERT_KEYS[whose, alert.percent >= 100]


def _alert_emoji(alert: QuotaAlert) -> str:
    return FULL_EMOJI if alert.percent >= 100 else NEAR_EMOJI


def build_quota_alert(alert: QuotaAlert, *, locale: Locale) -> list[Block]:
    """Usage reached 80% (or 100%) of a team limit: the numbers, a bar, who holds most. Of a
    member's own limit: the same, naming the member."""
    params = _alert_params(alert, locale)
    if alert.member_user_id is None:
        text = words(_alert_key(alert), locale, **params)
    else:
        markup = {"member": mention(alert.member_user_id)}
        text = words_with(_alert_key(alert), locale, markup=markup, **params)
    details = [f"`{usage_bar(alert.used, alert.limit)}`"]
    if alert.holders:
        holders = ", ".join(
            f"{mention(user_id)} {amount_text(alert.resource, amount)}"
            for user_id, amount in alert.holders
        )
        details.append(words_with("alert.holders", locale, markup={"holders": holders}))
    return [section(f"{_alert_emoji(alert)} {text}"), context(*details)]


def quota_alert_text(alert: QuotaAlert, locale: Locale) -> str:
    params = _alert_params(alert, locale)
    if alert.member_user_id is not None:
        params["member"] = f"<@{alert.member_user_id}>"
    return translate(_alert_key(alert), locale, **params)


def build_member_quota_alert(alert: QuotaAlert, *, locale: Locale, command: str) -> list[Block]:
    """To the member, in a DM: their usage reached 80% (or 100%) of their own limit."""
    text = words(_alert_key(alert, to_member=True), locale, **_alert_params(alert, locale))
    bar = f"`{usage_bar(alert.used, alert.limit)}`"
    hint = words("alert.mine_hint", locale, command=command)
    return [section(f"{_alert_emoji(alert)} {text}"), context(bar, hint)]


def member_quota_alert_text(alert: QuotaAlert, locale: Locale) -> str:
    return translate(_alert_key(alert, to_member=True), locale, **_alert_params(alert, locale))


def _settings_params(schedule: DigestSchedule) -> dict[str, object]:
    return {
        "at": clock_text(schedule.at),
        "tz": schedule.timezone,
        "hours": schedule.long_running_hours,
    }


def build_digest_settings(
    *,
    channel_id: str,
    schedule: DigestSchedule,
    next_at: datetime,
    changed: bool,
    locale: Locale,
) -> list[Block]:
    """Where and when the digest goes, and when the next one does."""
    text = words_with(
        "quota.digest_on",
        locale,
        markup={"channel": f"<#{escape_mrkdwn(channel_id)}>", "next": slack_time(next_at)},
        **_settings_params(schedule),
    )
    emoji = TONE_EMOJI["success" if changed else "info"]
    return [section(f"{emoji} {text}"), context(words("quota.digest_invite", locale))]


def digest_settings_text(
    *, channel_id: str, schedule: DigestSchedule, next_at: datetime, locale: Locale
) -> str:
    when = next_at.astimezone(schedule.zone).strftime("%Y-%m-%d %H:%M")
    return translate(
        "quota.digest_on",
        locale,
        channel=f"<#{channel_id}>",
        next=when,
        **_settings_params(schedule),
    )
