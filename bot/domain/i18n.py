"""The message catalog: every user-facing text, in en and zh-CN, looked up by key.

Keeping all texts in one module (like slack_bolt/logger/messages.py) makes a missing
translation a test failure instead of a surprise in a channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

Locale = Literal["en", "zh"]
LOCALES: Final[tuple[Locale, ...]] = ("en", "zh")
DEFAULT_LOCALE: Final[Locale] = "en"

CATALOG: Final[Mapping[str, Mapping[Locale, str]]] = {
    # --- SCNet errors (bot.scnet.errors) -------------------------------------------------
    "scnet.unavailable": {
        "en": "SCNet did not answer in time or is having trouble. Please try again shortly.",
        "zh": "SCNet 暂时无响应或出现故障，请稍后重试。",
    },
    "scnet.internal": {
        "en": "SCNet reported an internal error (code {code}). Please try again shortly.",
        "zh": "SCNet 返回内部错误（错误码 {code}），请稍后重试。",
    },
    "scnet.bad_request": {
        "en": "SCNet rejected the request as incomplete or invalid (code {code}): {detail}",
        "zh": "SCNet 认为请求参数不全或无效（错误码 {code}）：{detail}",
    },
    "scnet.token_invalid": {
        "en": "Your SCNet token has expired or is invalid. Log in again with `/scnet login`.",
        "zh": "您的 SCNet 令牌已过期或无效，请使用 `/scnet login` 重新登录。",
    },
    "scnet.forbidden": {
        "en": "Your SCNet account may not use this API (code {code}).",
        "zh": "您的 SCNet 账号无权访问此接口（错误码 {code}）。",
    },
    "scnet.frozen": {
        "en": "Your SCNet account is frozen. Check your balance or contact SCNet support.",
        "zh": "您的 SCNet 账号已被冻结，请检查余额或联系 SCNet 客服。",
    },
    "scnet.not_found": {
        "en": "SCNet has no instance `{instance}` for your account.",
        "zh": "您的 SCNet 账号下没有实例 `{instance}`。",
    },
    "scnet.create_failed": {
        "en": "SCNet could not create the instance (code {code}): {detail}",
        "zh": "SCNet 创建实例失败（错误码 {code}）：{detail}",
    },
    "scnet.start_failed": {
        "en": "SCNet could not start the instance (code {code}): {detail}",
        "zh": "SCNet 启动实例失败（错误码 {code}）：{detail}",
    },
    "scnet.delete_failed": {
        "en": "SCNet could not delete the instance (code {code}): {detail}",
        "zh": "SCNet 删除实例失败（错误码 {code}）：{detail}",
    },
    "scnet.refused": {
        "en": "SCNet refused the request (code {code}): {detail}",
        "zh": "SCNet 拒绝了请求（错误码 {code}）：{detail}",
    },
    "scnet.create_unknown": {
        "en": (
            "SCNet did not confirm the create in time. It may still have started: "
            "check `/scnet list` before trying again."
        ),
        "zh": "SCNet 未及时确认创建结果，实例可能已启动：请先用 `/scnet list` 查看再重试。",
    },
}


def translate(key: str, locale: Locale = DEFAULT_LOCALE, /, **params: object) -> str:
    """The text for ``key`` in ``locale`` (falling back to en), with ``params`` filled in.

    An unknown key returns the key itself so a missing text shows up instead of crashing.
    """
    entry = CATALOG.get(key)
    if entry is None:
        return key
    template = entry.get(locale) or entry[DEFAULT_LOCALE]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def parse_locale(raw: str | None) -> Locale | None:
    """Map a Slack locale (``zh-CN``, ``en-US``) or a user's ``lang`` argument to ours."""
    if not raw:
        return None
    lowered = raw.strip().lower()
    if lowered.startswith("zh") or lowered in {"cn", "中文"}:
        return "zh"
    if lowered.startswith("en"):
        return "en"
    return None
