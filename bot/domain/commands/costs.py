"""``quota rate`` and ``quota set budget=``: the grammar of what it costs.

::

    quota rate                                        the rates of every resource group
    quota rate group=TeslaM40 gpu=6.5 cpu=0.1 ram=0.02   set them (admins); a rate left out keeps
                                                      its value (0 for a new group)
    quota set budget=5000 [user=@bob]                 the team's (or bob's) monthly budget
    quota set budget=off [user=@bob]                  no budget

Amounts are CNY as plain decimals (``bot.domain.costs.parse_amount``): a negative one, one
that is no number, has too many decimals or is absurdly large is refused naming the option
and the value typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Final

from bot.domain.costs import (
    BUDGET_PLACES,
    MOST_BUDGET,
    MOST_RATE,
    RATE_NAMES,
    RATE_PLACES,
    AmountError,
    AmountProblem,
    parse_amount,
)

from .create import collect_options
from .model import Command, MemberRef, Subcommand, UsageError, usage
from .tokens import Word
from .values import parse_member

RATE_KEYS: Final = ("group", "gpu", "cpu", "ram")
AMOUNT_PROBLEMS: Final[Mapping[AmountProblem, str]] = {
    "not_a_number": "costs.amount_not_a_number",
    "negative": "costs.amount_negative",
    "too_precise": "costs.amount_too_precise",
    "too_large": "costs.amount_too_large",
}
BUDGET_OFF: Final = "off"
_GROUP_CHARS: Final = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaRate(Command):
    """``quota rate``: show the rates (``group`` None), or set one group's (admins)."""

    subcommand: ClassVar[Subcommand] = "quota"
    group: str | None = None
    gpu: Decimal | None = None
    cpu: Decimal | None = None
    ram: Decimal | None = None

    @property
    def changes(self) -> bool:
        return self.group is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaBudget(Command):
    """``quota set budget=``: the team's monthly budget, or ``member``'s; None: no budget."""

    subcommand: ClassVar[Subcommand] = "quota"
    budget: Decimal | None
    member: MemberRef | None = None


def _amount(option: str, raw: str, *, places: int, most: Decimal) -> Decimal | UsageError:
    try:
        return parse_amount(raw, places=places, most=most)
    except AmountError as error:
        return usage(
            AMOUNT_PROBLEMS[error.problem],
            part=raw,
            option=option,
            value=raw[:40],
            places=places,
            most=f"{most:,}",
        )


def parse_quota_rate(args: Sequence[Word], *, public: bool) -> QuotaRate | UsageError:
    stray = [word for word in args if not word.is_option]
    if stray:
        return usage("usage.unexpected_argument", part=stray[0].text)
    collected = collect_options(args, RATE_KEYS)
    if isinstance(collected, UsageError):
        return collected
    single, _ = collected
    if not single:
        return QuotaRate(public=public)
    group = single.get("group")
    if group is None:
        return usage("costs.usage_rate_group")
    if len(group) > _GROUP_CHARS or not all(c.isalnum() or c in "_.-" for c in group):
        return usage("costs.usage_rate_group_name", part=group)
    rates: dict[str, Decimal | None] = {}
    for name in RATE_NAMES:
        raw = single.get(name)
        if raw is None:
            rates[name] = None
            continue
        amount = _amount(name, raw, places=RATE_PLACES, most=MOST_RATE[name])
        if isinstance(amount, UsageError):
            return amount
        rates[name] = amount
    if all(value is None for value in rates.values()):
        return usage("costs.usage_rate_empty", group=group)
    return QuotaRate(group=group, public=public, **rates)


def parse_quota_budget(single: Mapping[str, str], *, public: bool) -> QuotaBudget | UsageError:
    """``quota set`` with ``budget=``: it goes alone (with ``user=``), not with limits."""
    others = sorted(set(single) - {"budget", "user"})
    if others:
        return usage("costs.usage_budget_alone", part=f"{others[0]}={single[others[0]]}")
    raw = single["budget"]
    budget: Decimal | None = None
    if raw.lower() != BUDGET_OFF:
        amount = _amount("budget", raw, places=BUDGET_PLACES, most=MOST_BUDGET)
        if isinstance(amount, UsageError):
            return amount
        budget = amount
    member = parse_member(single["user"]) if "user" in single else None
    if isinstance(member, UsageError):
        return member
    return QuotaBudget(budget=budget, member=member, public=public)
