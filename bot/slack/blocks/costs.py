"""What it costs: rates, budgets, spend, an instance's cost so far, balances, their notices.

Every block that shows a cost says it is an estimate from the admins' rates, not SCNet's
bill (``costs.estimate_note``): SCNet shows no bill per instance, only the balance.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final

from bot.domain.commands.costs import QuotaBudget, QuotaRate
from bot.domain.costs import (
    BudgetNotice,
    InstanceCost,
    Rates,
    RatesShown,
    Spend,
    SpendSummary,
    budget_percent,
    fen,
)
from bot.domain.i18n import Locale, translate
from bot.domain.notices import NoticeKind

from .display import duration_text, slack_time
from .elements import Block, context, section
from .limits import escape_mrkdwn
from .reply import Message, ReplyContext
from .wording import words, words_with

SPENDERS_SHOWN: Final = 10
MONEY_EMOJI: Final = ":money_with_wings:"


def mention(user_id: str) -> str:
    """As ``quota.mention`` (which imports this module, so it cannot be imported here)."""
    return f"<@{escape_mrkdwn(user_id)}>"


def money(amount: Decimal) -> str:
    """``amount`` as shown: to the fen, thousands grouped (``1,234.50``)."""
    return f"{fen(amount):,.2f}"


def rate_text(amount: Decimal) -> str:
    """A rate with the decimals it needs, at least two (``0.35``, ``0.0125``)."""
    text = f"{amount.normalize():f}"
    whole, _, decimals = text.partition(".")
    return f"{int(whole):,}.{decimals.ljust(2, '0')}"


def estimate_note(locale: Locale) -> Block:
    return context(words("costs.estimate_note", locale))


# --- rates and budgets ------------------------------------------------------------------------


def _rate_line(group: str, rates: Rates, locale: Locale) -> str:
    return words(
        "costs.rate_line",
        locale,
        group=group,
        gpu=rate_text(rates.gpu),
        cpu=rate_text(rates.cpu),
        ram=rate_text(rates.ram),
    )


def build_rates(
    rates: Mapping[str, Rates], *, locale: Locale, command: str, changed: str | None = None
) -> list[Block]:
    """``quota rate``: the rates of every group (``changed``: the one just set, first)."""
    blocks: list[Block] = []
    if changed is not None and changed in rates:
        blocks.append(
            section(
                ":white_check_mark: "
                + words("costs.rate_set", locale, line=_rate_line(changed, rates[changed], locale))
            )
        )
    if not rates:
        blocks.append(section(words("costs.rates_none", locale, command=command)))
    else:
        lines = [_rate_line(group, rates[group], locale) for group in sorted(rates)]
        blocks.append(section(f"*{words('costs.rates_title', locale)}*\n" + "\n".join(lines)))
    blocks.append(estimate_note(locale))
    return blocks


def build_budget_set(
    budget: Decimal | None, *, member_user_id: str | None, locale: Locale
) -> list[Block]:
    """The answer to ``quota set budget=``."""
    if member_user_id is None:
        key = "costs.budget_off_team" if budget is None else "costs.budget_set_team"
        text = words(key, locale, budget=money(budget or Decimal(0)))
    else:
        key = "costs.budget_off_member" if budget is None else "costs.budget_set_member"
        text = words_with(
            key,
            locale,
            markup={"member": mention(member_user_id)},
            budget=money(budget or Decimal(0)),
        )
    return [section(f":white_check_mark: {text}"), estimate_note(locale)]


# --- spend ------------------------------------------------------------------------------------


def _spend_text(spend: Spend, budget: Decimal | None, locale: Locale) -> str:
    if budget is None:
        return words(
            "costs.spend_figures", locale, today=money(spend.today), month=money(spend.month)
        )
    return words(
        "costs.spend_figures_budget",
        locale,
        today=money(spend.today),
        month=money(spend.month),
        budget=money(budget),
        percent=budget_percent(spend.month, budget),
    )


def build_spend(summary: SpendSummary, *, locale: Locale, command: str) -> list[Block]:
    """Spend today and this month, of the team and per member, with the budgets."""
    title = f"*{words('costs.spend_title', locale, month=summary.month)}*"
    if not summary.priced:
        return [section(f"{title}\n" + words("costs.rates_none", locale, command=command))]
    lines = [
        words_with(
            "costs.spend_team",
            locale,
            markup={"figures": _spend_text(summary.team, summary.team_budget, locale)},
        )
    ]
    for user_id, spend, budget in summary.members[:SPENDERS_SHOWN]:
        lines.append(
            words_with(
                "costs.spend_member",
                locale,
                markup={
                    "member": mention(user_id),
                    "figures": _spend_text(spend, budget, locale),
                },
            )
        )
    blocks = [section(title + "\n" + "\n".join(lines))]
    notes = [words("costs.estimate_note", locale)]
    if summary.unpriced_groups:
        notes.append(
            words("costs.spend_unpriced", locale, groups=", ".join(summary.unpriced_groups))
        )
    blocks.append(context(*notes))
    return blocks


# --- one instance -----------------------------------------------------------------------------


def cost_value(cost: InstanceCost, locale: Locale) -> str:
    """``≈ ¥12.30`` (an estimate), or that its group has no rate."""
    if cost.cost is None:
        return words("costs.no_rate", locale)
    return words("costs.approx", locale, amount=money(cost.cost))


def cost_fields(cost: InstanceCost | None, locale: Locale) -> list[tuple[str, str]]:
    """The card's running time and cost rows (label key, value); none before it ran."""
    if cost is None:
        return []
    return [
        ("card.running_time", duration_text(cost.running, locale)),
        ("card.cost", cost_value(cost, locale)),
    ]


def cost_line(cost: InstanceCost | None, locale: Locale) -> str | None:
    """The list row's addition: running time and cost so far."""
    if cost is None:
        return None
    if cost.cost is None:  # no rate for its group: the running time alone, not a row of "no rate"
        return words(
            "costs.list_line_unpriced", locale, running=duration_text(cost.running, locale)
        )
    return words(
        "costs.list_line",
        locale,
        running=duration_text(cost.running, locale),
        cost=cost_value(cost, locale),
    )


# --- balance ----------------------------------------------------------------------------------


def balance_line(
    balance: Decimal, *, checked_at: datetime | None, low: bool, locale: Locale
) -> str:
    """App Home's line: the SCNet balance as last read, and a warning below the floor."""
    text = words("costs.balance_home", locale, balance=money(balance))
    if checked_at is not None:
        text += " " + words_with(
            "costs.balance_as_of", locale, markup={"when": slack_time(checked_at)}
        )
    if low:
        text = f":warning: {text}"
    return text


# --- notices ----------------------------------------------------------------------------------


def build_budget_alert(
    *,
    percent: int,
    spent: Decimal,
    budget: Decimal,
    month: str,
    member_user_id: str | None,
    to_member: bool,
    locale: Locale,
) -> tuple[list[Block], str]:
    """The team's (or a member's) month spend reached 80% / 100% of its budget."""
    params = {
        "percent": budget_percent(spent, budget),  # as it stands, not the threshold crossed
        "spent": money(spent),
        "budget": money(budget),
        "month": month,
    }
    if to_member:
        key = "costs.budget_alert_dm_full" if percent >= 100 else "costs.budget_alert_dm"
        text = words(key, locale, **params)
    elif member_user_id is not None:
        text = words_with(
            "costs.budget_alert_member",
            locale,
            markup={"member": mention(member_user_id)},
            **params,
        )
    else:
        key = "costs.budget_alert_team_full" if percent >= 100 else "costs.budget_alert_team"
        text = words(key, locale, **params)
    emoji = ":rotating_light:" if percent >= 100 else MONEY_EMOJI
    blocks = [section(f"{emoji} {text}"), estimate_note(locale)]
    return blocks, text


def build_low_balance(
    *, balance: Decimal, floor: Decimal, locale: Locale
) -> tuple[list[Block], str]:
    """The DM when the user's SCNet balance fell below the floor (this one is SCNet's own)."""
    text = words("costs.low_balance", locale, balance=money(balance), floor=money(floor))
    return [section(f":warning: {text}"), context(words("costs.low_balance_note", locale))], text


COST_NOTICES: Final = frozenset(
    {NoticeKind.BUDGET_ALERT, NoticeKind.BUDGET_ALERT_DM, NoticeKind.LOW_BALANCE}
)


def build_cost_notice(
    kind: NoticeKind, payload: Mapping[str, object], *, locale: Locale
) -> tuple[list[Block], str]:
    """A budget alert (channel or DM) or a low-balance DM, from its outbox payload."""
    if kind == NoticeKind.LOW_BALANCE:
        raw = payload.get("balance")
        data = raw if isinstance(raw, Mapping) else {}
        try:
            balance, floor = Decimal(str(data["balance"])), Decimal(str(data["floor"]))
        except (KeyError, ArithmeticError, ValueError) as error:
            raise ValueError("a low-balance notice without its figures") from error
        return build_low_balance(balance=balance, floor=floor, locale=locale)
    raw = payload.get("budget")
    notice = BudgetNotice.from_json(raw) if isinstance(raw, Mapping) else None
    if notice is None:
        raise ValueError("a budget alert without its figures")
    return build_budget_alert(
        percent=notice.percent,
        spent=notice.spent,
        budget=notice.budget,
        month=notice.month,
        member_user_id=notice.member_user_id,
        to_member=kind == NoticeKind.BUDGET_ALERT_DM,
        locale=locale,
    )


# --- replies (``bot.domain.commands.registry``: ``quota rate``, ``quota set budget=``) ---------


def rates_reply(ctx: ReplyContext, command: QuotaRate, shown: RatesShown) -> Message:
    blocks = build_rates(shown.rates, locale=ctx.locale, command=ctx.slash, changed=shown.changed)
    text = translate("costs.rates_title", ctx.locale)
    return Message(blocks, text, public=command.public)


def budget_reply(ctx: ReplyContext, command: QuotaBudget, result: QuotaBudget) -> Message:
    member = None if result.member is None else result.member.value
    blocks = build_budget_set(result.budget, member_user_id=member, locale=ctx.locale)
    return Message(blocks, translate("costs.estimate_note", ctx.locale), public=command.public)
