"""The catalog's texts for what it costs: rates, budgets, spend, balances."""

# Merged into bot.domain.i18n.CATALOG.

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from bot.domain.i18n import Locale

ENTRIES: Final[Mapping[str, Mapping[Locale, str]]] = {
    # --- the estimate's caveat, everywhere a cost appears ---------------------------------
    "costs.estimate_note": {
        "en": "Costs are estimates from the admins' rates, not SCNet's bill.",
        "zh": "费用为按管理员设定的费率估算，并非 SCNet 的账单。",
    },
    "costs.approx": {"en": "≈ ¥{amount} (estimate)", "zh": "约 ¥{amount}（估算）"},
    "costs.no_rate": {"en": "no rate set for its group", "zh": "其资源组未设费率"},
    # --- rates ---------------------------------------------------------------------------
    "costs.rates_title": {"en": "Rates per resource group", "zh": "各资源组费率"},
    "costs.rate_line": {
        "en": "`{group}`: GPU ¥{gpu} per card-hour · CPU ¥{cpu} per core-hour · "
        "memory ¥{ram} per GB-hour",
        "zh": "`{group}`：GPU 每卡时 ¥{gpu} · CPU 每核时 ¥{cpu} · 内存每 GB 时 ¥{ram}",
    },
    "costs.rate_set": {"en": "Rates set. {line}", "zh": "费率已设置。{line}"},
    "costs.rates_none": {
        "en": (
            "No rates are set, so no cost can be estimated. An admin sets them with "
            "`{command} quota rate group=<group> gpu=<CNY> cpu=<CNY> ram=<CNY>`."
        ),
        "zh": (
            "尚未设置费率，无法估算费用。管理员可用 "
            "`{command} quota rate group=<资源组> gpu=<元> cpu=<元> ram=<元>` 设置。"
        ),
    },
    "costs.unknown_group": {
        "en": "There is no resource group `{group}`. Known groups: {known}.",
        "zh": "没有资源组 `{group}`。已知的资源组：{known}。",
    },
    "costs.usage_rate_group": {
        "en": "Name the resource group the rates are for: `group=<group>` (see `quota rate`).",
        "zh": "请用 `group=<资源组>` 指明费率所属的资源组（见 `quota rate`）。",
    },
    "costs.usage_rate_group_name": {
        "en": "`{part}` is no resource group name: letters, digits, `_`, `.` and `-` only.",
        "zh": "`{part}` 不是资源组名称：只能包含字母、数字、`_`、`.` 和 `-`。",
    },
    "costs.usage_rate_empty": {
        "en": "Give at least one rate for `{group}`: `gpu=`, `cpu=` or `ram=` (CNY per hour).",
        "zh": "请为 `{group}` 至少给出一项费率：`gpu=`、`cpu=` 或 `ram=`（每小时人民币）。",
    },
    "costs.usage_budget_alone": {
        "en": "`budget=` is set on its own (with `user=` for a member), not with `{part}`.",
        "zh": "`budget=` 需单独设置（成员预算可加 `user=`），不能与 `{part}` 一起设置。",
    },
    "costs.amount_not_a_number": {
        "en": "`{option}={value}` is not an amount: give CNY as a plain number, such as `2.5`.",
        "zh": "`{option}={value}` 不是金额：请用普通数字表示人民币，例如 `2.5`。",
    },
    "costs.amount_negative": {
        "en": "`{option}={value}` is negative: an amount is 0 or more.",
        "zh": "`{option}={value}` 为负数：金额应大于等于 0。",
    },
    "costs.amount_too_precise": {
        "en": "`{option}={value}` has too many decimals: at most {places}.",
        "zh": "`{option}={value}` 小数位过多：最多 {places} 位。",
    },
    "costs.amount_too_large": {
        "en": "`{option}={value}` is more than ¥{most}: surely a typo.",
        "zh": "`{option}={value}` 超过 ¥{most}，应是输入有误。",
    },
    # --- budgets -------------------------------------------------------------------------
    "costs.budget_set_team": {
        "en": "The team's budget is ¥{budget} a month.",
        "zh": "团队每月预算为 ¥{budget}。",
    },
    "costs.budget_set_member": {
        "en": "The budget of {member} is ¥{budget} a month.",
        "zh": "{member} 的每月预算为 ¥{budget}。",
    },
    "costs.budget_off_team": {
        "en": "The team has no monthly budget any more.",
        "zh": "已取消团队的每月预算。",
    },
    "costs.budget_off_member": {
        "en": "{member} has no monthly budget of their own any more.",
        "zh": "已取消 {member} 的个人每月预算。",
    },
    "costs.budget_spent_member": {
        "en": (
            "Your budget for this month is spent: ¥{spent} of ¥{budget} (an estimate from "
            "the admins' rates, not SCNet's bill). An admin can raise it or approve this create."
        ),
        "zh": (
            "您本月的预算已用完：¥{spent} / ¥{budget}（按管理员费率估算，并非 SCNet 账单）。"
            "管理员可以提高预算或批准此次创建。"
        ),
    },
    "costs.budget_spent_team": {
        "en": (
            "The team's budget for this month is spent: ¥{spent} of ¥{budget} (an estimate "
            "from the admins' rates, not SCNet's bill). An admin can raise it or approve this "
            "create."
        ),
        "zh": (
            "团队本月的预算已用完：¥{spent} / ¥{budget}（按管理员费率估算，并非 SCNet 账单）。"
            "管理员可以提高预算或批准此次创建。"
        ),
    },
    # --- spend ---------------------------------------------------------------------------
    "costs.spend_title": {"en": "Spend in {month} (estimated)", "zh": "{month} 的花费（估算）"},
    "costs.spend_team": {"en": "Team: {figures}", "zh": "团队：{figures}"},
    "costs.spend_member": {"en": "{member}: {figures}", "zh": "{member}：{figures}"},
    "costs.spend_figures": {
        "en": "¥{today} today · ¥{month} this month",
        "zh": "今日 ¥{today} · 本月 ¥{month}",
    },
    "costs.spend_figures_budget": {
        "en": "¥{today} today · ¥{month} this month of ¥{budget} ({percent}%)",
        "zh": "今日 ¥{today} · 本月 ¥{month} / 预算 ¥{budget}（{percent}%）",
    },
    "costs.spend_unpriced": {
        "en": "No rate for {groups}: their running time counts as ¥0.",
        "zh": "{groups} 未设费率：其运行时间按 ¥0 计。",
    },
    # --- one instance --------------------------------------------------------------------
    "card.running_time": {"en": "Running time", "zh": "运行时长"},
    "card.cost": {"en": "Cost so far", "zh": "累计费用"},
    "costs.list_line": {"en": "ran {running} · {cost}", "zh": "已运行 {running} · {cost}"},
    "costs.list_line_unpriced": {"en": "ran {running}", "zh": "已运行 {running}"},
    # --- alerts --------------------------------------------------------------------------
    "costs.budget_alert_team": {
        "en": "The team has spent ¥{spent} of its ¥{budget} budget for {month} ({percent}%).",
        "zh": "团队 {month} 已花费 ¥{spent}，预算 ¥{budget}（{percent}%）。",
    },
    "costs.budget_alert_team_full": {
        "en": (
            "The team's budget for {month} is spent: ¥{spent} of ¥{budget} ({percent}%). "
            "Creates are refused until an admin raises it or the month ends."
        ),
        "zh": (
            "团队 {month} 的预算已用完：¥{spent} / ¥{budget}（{percent}%）。"
            "在管理员提高预算或本月结束前，创建将被拒绝。"
        ),
    },
    "costs.budget_alert_member": {
        "en": "{member} has spent ¥{spent} of their ¥{budget} budget for {month} ({percent}%).",
        "zh": "{member} {month} 已花费 ¥{spent}，其预算 ¥{budget}（{percent}%）。",
    },
    "costs.budget_alert_dm": {
        "en": "You have spent ¥{spent} of your ¥{budget} budget for {month} ({percent}%).",
        "zh": "您 {month} 已花费 ¥{spent}，预算 ¥{budget}（{percent}%）。",
    },
    "costs.budget_alert_dm_full": {
        "en": (
            "Your budget for {month} is spent: ¥{spent} of ¥{budget} ({percent}%). Your "
            "creates are refused until an admin raises it or the month ends."
        ),
        "zh": (
            "您 {month} 的预算已用完：¥{spent} / ¥{budget}（{percent}%）。"
            "在管理员提高预算或本月结束前，您的创建将被拒绝。"
        ),
    },
    # --- balance -------------------------------------------------------------------------
    "costs.balance_home": {"en": "SCNet balance: ¥{balance}", "zh": "SCNet 余额：¥{balance}"},
    "costs.balance_as_of": {"en": "(as of {when})", "zh": "（截至 {when}）"},
    "costs.low_balance": {
        "en": (
            "Your SCNet balance is down to ¥{balance}, below ¥{floor}. Top it up on "
            "scnet.cn before it runs out and SCNet stops your instances."
        ),
        "zh": (
            "您的 SCNet 余额已降至 ¥{balance}，低于 ¥{floor}。"
            "请在余额耗尽、实例被停止前到 scnet.cn 充值。"
        ),
    },
    "costs.low_balance_note": {
        "en": "This is SCNet's own balance; you hear of it once each time it falls below.",
        "zh": "这是 SCNet 账户的实际余额；每次低于阈值时提醒一次。",
    },
}
