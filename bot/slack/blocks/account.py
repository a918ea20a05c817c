"""Who the user is logged in as (``whoami``), and the login state line the App Home shows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from bot.domain.i18n import Locale
from bot.domain.instances import AccountInfo, TokenClaims

from .display import as_aware, slack_time
from .elements import Block, field, fields_section, section
from .limits import escape_mrkdwn
from .wording import words, words_with

# By (expired, short): ``Token valid until <date>`` and the like.
_EXPIRY_KEYS: Final[Mapping[tuple[bool, bool], str]] = {
    (False, False): "whoami.expires",
    (False, True): "whoami.expires_short",
    (True, False): "whoami.expired",
    (True, True): "whoami.expired_short",
}


# SCNet's ``accountStatus`` values (reference §4: Normal, Trial, Owe, Disable; clients also
# meet Disabled and Suspended), by their lower-cased form; any other value is shown as sent.
_STATUS_KEYS: Final[Mapping[str, str]] = {
    "normal": "whoami.status_normal",
    "trial": "whoami.status_trial",
    "owe": "whoami.status_owe",
    "disable": "whoami.status_disabled",
    "disabled": "whoami.status_disabled",
    "suspended": "whoami.status_suspended",
}


def account_status_text(status: str, *, locale: Locale) -> str:
    """SCNet's account status in the user's language (``-`` when unknown)."""
    key = _STATUS_KEYS.get(status.strip().lower())
    if key is not None:
        return words(key, locale)
    return escape_mrkdwn(status.strip() or "-")


def token_expiry_text(
    claims: TokenClaims, *, locale: Locale, now: datetime, short: bool = False
) -> str:
    """``Token valid until <date>`` (or, ``short``, ``valid until <date>``), or expired."""
    if claims.expires_at is None:
        return words("whoami.expiry_unknown", locale)
    when = slack_time(claims.expires_at)
    expired = as_aware(claims.expires_at) <= as_aware(now)
    return words_with(_EXPIRY_KEYS[expired, short], locale, markup={"when": when})


def login_state_text(
    claims: TokenClaims | None, *, locale: Locale, now: datetime, command: str
) -> str:
    if claims is None:
        return words("whoami.logged_out", locale, command=command)
    user = words("whoami.logged_in_as", locale, user=claims.user)
    return f"{user}\n{token_expiry_text(claims, locale=locale, now=now)}"


def build_whoami(
    *,
    locale: Locale,
    claims: TokenClaims | None,
    now: datetime,
    account: AccountInfo | None = None,
    command: str = "/scnet",
) -> list[Block]:
    """The SCNet user, region and token expiry from the token; with ``account`` (SCNet's user
    endpoint) the account's status as SCNet reports it now, balance, name and center."""
    if claims is None:
        return [
            section(
                ":bust_in_silhouette: "
                + login_state_text(None, locale=locale, now=now, command=command)
            )
        ]
    status = account.status if account is not None and account.status else claims.account_status
    rows = [
        ("whoami.user", escape_mrkdwn(claims.user)),
        ("whoami.cluster", escape_mrkdwn(claims.cluster_id or "-")),
        ("whoami.token", token_expiry_text(claims, locale=locale, now=now, short=True)),
        ("whoami.account_status", account_status_text(status, locale=locale)),
    ]
    if account is not None:
        balance = "-" if account.balance is None else f"¥{account.balance:,.2f}"
        rows += [
            ("whoami.full_name", escape_mrkdwn(account.full_name or "-")),
            ("whoami.balance", balance),
            ("whoami.center", escape_mrkdwn(account.center or "-")),
        ]
    fields = [field(words(label, locale), value) for label, value in rows]
    return [fields_section(fields, text=":bust_in_silhouette: " + words("whoami.title", locale))]
