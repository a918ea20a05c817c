"""The catalog's texts for the team's queue of creates waiting for capacity."""

# Merged into bot.domain.i18n.CATALOG.

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from bot.domain.i18n import Locale

ENTRIES: Final[Mapping[str, Mapping[Locale, str]]] = {
    "help.queue.usage": {"en": "{command} queue", "zh": "{command} queue"},
    "help.queue.summary": {
        "en": "Show the team's queue of creates waiting for capacity.",
        "zh": "查看团队中等待资源的创建请求队列。",
    },
    "help.queue.details": {
        "en": (
            "A create over the team's limits can wait: add `--queue` "
            "(`{command} create jupyter:4.4-py3.7-cpu name=waiting --queue`) or press "
            "*Queue it* on the refusal. When capacity frees (an instance of the team stops, "
            "is deleted, ends, or an admin raises a limit), the bot creates the next one with "
            "its requester's own login and DMs them. First come first served per team; a "
            "request held up only by its member's own limit does not hold up others. "
            "`{command} queue` shows the queue; your own rows have a Cancel button. Requests "
            "older than the bot's `QUEUE_TTL_HOURS` (72 h by default) are dropped with a DM."
        ),
        "zh": (
            "超出团队限额的创建可以排队等待：加上 `--queue`"
            "（`{command} create jupyter:4.4-py3.7-cpu name=waiting --queue`），或在拒绝消息上点"
            "*排队等待*。资源释放时（团队的实例停止、删除、结束，或管理员调高限额），机器人"
            "会用请求者本人的登录创建下一个，并私信通知。每个团队先到先得；只因本人个人限额"
            "而等待的请求不会挡住他人。`{command} queue` 查看队列，您自己的请求有取消按钮。"
            "排队超过 `QUEUE_TTL_HOURS`（默认 72 小时）的请求会被移除并私信通知。"
        ),
    },
    "queue.button.queue_it": {"en": "Queue it", "zh": "排队等待"},
    "queue.button.cancel": {"en": "Cancel request", "zh": "取消请求"},
    "queue.button.keep": {"en": "Keep waiting", "zh": "继续等待"},
    "queue.cancel.title": {"en": "Cancel this request?", "zh": "取消此请求？"},
    "queue.cancel.confirm": {
        "en": "*{name}* leaves the team's queue and will not be created.",
        "zh": "*{name}* 将离开团队队列，不会被创建。",
    },
    "queue.enqueued": {
        "en": "Queued: {what} is number {position} of {length} in the team's queue.",
        "zh": "已排队：{what} 在团队队列中排第 {position} 位（共 {length} 个）。",
    },
    "queue.enqueued.text": {
        "en": "Queued: {name} is number {position} of {length} in the team's queue.",
        "zh": "已排队：{name} 在团队队列中排第 {position} 位（共 {length} 个）。",
    },
    "queue.enqueued.hint": {
        "en": (
            "The bot creates it with your login as soon as the team's limits allow, and DMs "
            "you. `{command} queue` shows the queue."
        ),
        "zh": "团队限额允许时，机器人会用您的登录立即创建并私信您。`{command} queue` 查看队列。",
    },
    "queue.title": {"en": "Team queue: {count} waiting", "zh": "团队队列：{count} 个等待中"},
    "queue.empty": {
        "en": (
            "Nobody is waiting. A create over the team's limits can wait here: add `--queue` "
            "to `{command} create`."
        ),
        "zh": (
            "当前无人等待。超出团队限额的创建可以在此排队：在 `{command} create` 后加 `--queue`。"
        ),
    },
    "queue.more": {"en": "… and {more} more.", "zh": "……还有 {more} 个。"},
    "queue.rule": {
        "en": (
            "First come first served. A request held up only by its member's own limit does "
            "not hold up the others."
        ),
        "zh": "先到先得。只因本人个人限额而等待的请求不会挡住其他人。",
    },
    "queue.row.since": {
        "en": "waiting since {at} ({waited})",
        "zh": "自 {at} 起等待（{waited}）",
    },
    "queue.row.starting": {"en": "starting now", "zh": "正在创建"},
    "home.queue": {"en": "My queued creates", "zh": "我排队中的创建"},
    "quota.queue_length": {
        "en": "Queue: {count} create(s) waiting for capacity (`{command} queue`).",
        "zh": "队列：{count} 个创建在等待资源（`{command} queue`）。",
    },
    "queue.cancelled": {
        "en": "Cancelled: *{name}* left the team's queue.",
        "zh": "已取消：*{name}* 已离开团队队列。",
    },
    "queue.dm.created": {
        "en": "Capacity freed up: your queued {name} is being created (instance {id}).",
        "zh": "资源已释放：您排队的 {name} 正在创建（实例 {id}）。",
    },
    "queue.dm.created.hint": {
        "en": "You get its access link here once it runs. `{command} list` shows it.",
        "zh": "运行后访问链接会发到这里。`{command} list` 可查看。",
    },
    "queue.dm.expired": {
        "en": "Your queued {name} waited more than {hours} h and was dropped from the queue.",
        "zh": "您排队的 {name} 等待超过 {hours} 小时，已从队列中移除。",
    },
    "queue.dm.failed": {
        "en": "Your queued {name} could not be created: {why}",
        "zh": "您排队的 {name} 未能创建：{why}",
    },
    "queue.dm.again": {"en": "To queue it again: {again}", "zh": "重新排队：{again}"},
    "queue.why.login": {
        "en": (
            "you are no longer logged in to SCNet. Log in with `{command} login`, then queue "
            "it again."
        ),
        "zh": "您已不再登录 SCNet。请用 `{command} login` 登录后重新排队。",
    },
    "queue.why.image": {
        "en": "the image {image} no longer exists.",
        "zh": "镜像 {image} 已不存在。",
    },
    "queue.why.other": {
        "en": "SCNet refused it.",
        "zh": "SCNet 拒绝了该请求。",
    },
    "queue.never_fits": {
        "en": (
            "That create is larger than the limit itself, so no freed capacity would ever let "
            "it in: it was not queued. Ask an admin, or ask for less."
        ),
        "zh": (
            "该创建本身就超过了限额，释放再多资源也无法满足，因此未排队。请联系管理员或减少申请。"
        ),
    },
    "queue.full": {
        "en": "You have {limit} creates waiting already: cancel one (`{command} queue`) first.",
        "zh": "您已有 {limit} 个创建在排队：请先取消一个（`{command} queue`）。",
    },
    "queue.unknown_request": {
        "en": "That queued request is not known to this team.",
        "zh": "本团队没有这个排队请求。",
    },
    "queue.not_yours": {
        "en": "Only the member who queued it can cancel that request.",
        "zh": "只有排队的成员本人才能取消该请求。",
    },
    "queue.already_left": {
        "en": "*{name}* is no longer waiting in the queue: it was created, cancelled or dropped.",
        "zh": "*{name}* 已不在队列中等待：它已被创建、取消或移除。",
    },
    "queue.stale_button": {
        "en": "This request is no longer valid: type the create again with `--queue`.",
        "zh": "此请求已失效：请重新输入创建命令并加上 `--queue`。",
    },
}
