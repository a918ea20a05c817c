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

_CORE: Final[Mapping[str, Mapping[Locale, str]]] = {
    # --- SCNet errors (bot.scnet.errors) -------------------------------------------------
    "scnet.unavailable": {
        "en": (
            "SCNet did not answer in time or is having trouble; nothing was changed. "
            "Please try again shortly."
        ),
        "zh": "SCNet 暂时无响应或出现故障，未做任何更改，请稍后重试。",
    },
    "scnet.action_unknown": {
        "en": (
            "SCNet did not answer in time, so it is unknown whether that happened: "
            "check `/scnet status` before trying again."
        ),
        "zh": "SCNet 未及时响应，无法确定操作是否已执行：请先用 `/scnet status` 查看再重试。",
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
    "notice.still_waiting": {
        "en": "Still waiting for SCNet… the answer will follow here as soon as it comes.",
        "zh": "仍在等待 SCNet 响应……结果出来后会在此处回复。",
    },
    "scnet.create_unknown": {
        "en": (
            "SCNet did not confirm the create in time. It may still have started: "
            "check `/scnet list` before trying again."
        ),
        "zh": "SCNet 未及时确认创建结果，实例可能已启动：请先用 `/scnet list` 查看再重试。",
    },
    # --- Usage errors (bot.domain.commands) ------------------------------------------------
    "usage.too_long": {
        "en": "That command is {length} characters long; the limit is {limit}.",
        "zh": "命令长度为 {length} 个字符，超过了 {limit} 的上限。",
    },
    "usage.unbalanced_quote": {
        "en": "A quote is never closed: `{part}`",
        "zh": "引号没有闭合：`{part}`",
    },
    "usage.unknown_subcommand": {
        "en": "Unknown command `{part}`.",
        "zh": "未知命令 `{part}`。",
    },
    "usage.unknown_subcommand_suggest": {
        "en": "Unknown command `{part}`. Did you mean `{suggestion}`?",
        "zh": "未知命令 `{part}`，您是想输入 `{suggestion}` 吗？",
    },
    "usage.token_without_login": {
        "en": (
            "That looks like a token. Log in with `login <token>`, or run `login` alone "
            "to paste it into a private form."
        ),
        "zh": (
            "这看起来是一个令牌。请使用 `login <令牌>` 登录，或单独运行 `login` 在私密表单中粘贴。"
        ),
    },
    "usage.unknown_flag": {
        "en": "Unknown flag `{part}`. Flags: {valid}.",
        "zh": "未知选项 `{part}`。可用选项：{valid}。",
    },
    "usage.flag_not_allowed": {
        "en": "`{part}` cannot be used with this command.",
        "zh": "此命令不支持 `{part}`。",
    },
    "usage.flags_exclusive": {
        "en": "`{part}` and `{other}` cannot be used together.",
        "zh": "`{part}` 和 `{other}` 不能同时使用。",
    },
    "usage.missing_ref": {
        "en": ("Which instance? Give its id, an id prefix of at least 6 characters, or its name."),
        "zh": "请指定实例：完整 ID、至少 6 个字符的 ID 前缀，或实例名称。",
    },
    "usage.missing_locale": {
        "en": "Which language? Use `zh` or `en`.",
        "zh": "请指定语言：`zh` 或 `en`。",
    },
    "usage.unexpected_argument": {
        "en": "Unexpected argument `{part}`.",
        "zh": "多余的参数 `{part}`。",
    },
    "usage.bad_ref": {
        "en": "`{part}` is not an instance id, id prefix or name.",
        "zh": "`{part}` 不是有效的实例 ID、ID 前缀或名称。",
    },
    "usage.malformed_option": {
        "en": "`{part}` is not a `key=value` option.",
        "zh": "`{part}` 不是 `键=值` 形式的参数。",
    },
    "usage.unknown_key": {
        "en": "Unknown option `{part}`. Valid options: {valid}.",
        "zh": "未知参数 `{part}`。可用参数：{valid}。",
    },
    "usage.unknown_key_suggest": {
        "en": "Unknown option `{part}`. Did you mean `{suggestion}`? Valid options: {valid}.",
        "zh": "未知参数 `{part}`，您是想输入 `{suggestion}` 吗？可用参数：{valid}。",
    },
    "usage.duplicate_key": {
        "en": "`{key}` is given more than once (`{part}`).",
        "zh": "参数 `{key}` 重复出现（`{part}`）。",
    },
    "usage.empty_value": {
        "en": "`{key}` needs a value (`{part}`).",
        "zh": "参数 `{key}` 缺少取值（`{part}`）。",
    },
    "usage.not_a_number": {
        "en": "`{key}` must be a whole number, not `{part}`.",
        "zh": "`{key}` 必须是整数，而不是 `{part}`。",
    },
    "usage.out_of_range": {
        "en": "`{key}` `{part}` is out of range: use {low} to {high}.",
        "zh": "`{key}` 的取值 `{part}` 超出范围：应在 {low} 到 {high} 之间。",
    },
    "usage.bad_ram": {
        "en": (
            "`{part}` is not a memory size for `{key}`: give MB (`16384`) or GB with a G (`16G`)."
        ),
        "zh": (
            "`{part}` 不是有效的 `{key}` 内存大小：请填写 MB 数（`16384`）或带 G 的 GB "
            "数（`16G`）。"
        ),
    },
    "usage.bad_timeout": {
        "en": "`{part}` is not a timeout: use `HH:MM:SS` (such as `04:00:00`) or `unlimited`.",
        "zh": "`{part}` 不是有效的运行时限：请使用 `HH:MM:SS`（如 `04:00:00`）或 `unlimited`。",
    },
    "usage.bad_images_filter": {
        "en": ("`{part}` is neither an accelerator ({accelerators}) nor an image type ({types})."),
        "zh": "`{part}` 既不是加速卡类型（{accelerators}），也不是镜像类型（{types}）。",
    },
    "usage.bad_choice": {
        "en": "`{part}` is not a valid `{key}`: choose one of {valid}.",
        "zh": "`{part}` 不是有效的 `{key}`：可选值为 {valid}。",
    },
    "usage.bad_port": {
        "en": "`{part}` is not a port: use `8888`, `8888/http` or `22/ssh`.",
        "zh": "`{part}` 不是有效的端口：请使用 `8888`、`8888/http` 或 `22/ssh`。",
    },
    "usage.bad_port_protocol": {
        "en": "Unknown protocol in `{part}`: use {valid}.",
        "zh": "`{part}` 中的协议无效：可选 {valid}。",
    },
    "usage.duplicate_port": {
        "en": "Port `{part}` is given more than once.",
        "zh": "端口 `{part}` 重复。",
    },
    "usage.too_many": {
        "en": "Too many `{key}` options: at most {limit}.",
        "zh": "`{key}` 参数过多：最多 {limit} 个。",
    },
    "usage.bad_mount": {
        "en": (
            "`{part}` is not a mount: use `source:/target` or `source:/target:data|path` "
            "(the target is an absolute path)."
        ),
        "zh": (
            "`{part}` 不是有效的挂载：请使用 `源:/目标` 或 "
            "`源:/目标:data|path`（目标须为绝对路径）。"
        ),
    },
    "usage.bad_mount_kind": {
        "en": "Unknown mount type in `{part}`: use {valid}.",
        "zh": "`{part}` 中的挂载类型无效：可选 {valid}。",
    },
    "usage.duplicate_mount_target": {
        "en": "Two mounts share the same target (`{part}`).",
        "zh": "多个挂载使用了同一个目标路径（`{part}`）。",
    },
    "usage.bad_name": {
        "en": (
            "`{part}` is not a valid name: 1 to {max} letters, digits, Chinese characters, "
            "`_`, `.` or `-`, starting with a letter, digit or Chinese character."
        ),
        "zh": (
            "`{part}` 不是有效的名称：1 到 {max} 个字母、数字、汉字、`_`、`.` 或 `-`，且须以字母、"
            "数字或汉字开头。"
        ),
    },
    "usage.name_looks_like_id": {
        "en": "`{part}` would be read as an instance id prefix; use a name with a letter past f.",
        "zh": "`{part}` 会被当作实例 ID 前缀；请使用包含 a–f 以外字符的名称。",
    },
    "usage.bad_image": {
        "en": (
            "`{part}` is not an image: give a version such as `jupyter:4.4-py3.7-cpu` or an image "
            "path."
        ),
        "zh": (
            "`{part}` 不是有效的镜像：请填写镜像版本（如 `jupyter:4.4-py3.7-cpu`）或完整镜像路径。"
        ),
    },
    "usage.bad_group": {
        "en": "`{part}` is not a resource group name.",
        "zh": "`{part}` 不是有效的资源组名称。",
    },
    "usage.value_too_long": {
        "en": "`{key}` is too long: at most {limit} characters.",
        "zh": "`{key}` 过长：最多 {limit} 个字符。",
    },
    "usage.bad_token": {
        "en": (
            "That does not look like an SCNet token (three dot-separated parts starting "
            "with `eyJ`). Run `login` alone to paste it into a private form."
        ),
        "zh": (
            "这不像是 SCNet 令牌（由点分隔的三段，以 `eyJ` 开头）。可单独运行 `login` "
            "在私密表单中粘贴。"
        ),
    },
    "usage.login_extra": {
        "en": "`login` takes only the token. Run `login` alone to open the login form.",
        "zh": "`login` 只接受一个令牌参数。单独运行 `login` 可打开登录表单。",
    },
    "usage.quota_set_empty": {
        "en": "Nothing to set: give at least one of `gpus=`, `cpus=`, `ram=`, `instances=`.",
        "zh": "没有要设置的限额：请至少给出 `gpus=`、`cpus=`、`ram=`、`instances=` 之一。",
    },
    "usage.bad_member": {
        "en": "`{part}` is not a Slack user: mention them, like `@name`.",
        "zh": "`{part}` 不是 Slack 用户：请使用 `@用户名` 提及对方。",
    },
    "usage.unknown_quota_action": {
        "en": "`quota` takes nothing, `set ...` or `digest ...`, not `{part}`.",
        "zh": "`quota` 后只能不带参数，或接 `set ...`、`digest ...`，而不是 `{part}`。",
    },
    "usage.bad_channel": {
        "en": "`{part}` is not a channel: pick one with #, like `#gpu-team`, or write `off`.",
        "zh": "`{part}` 不是频道：请用 # 选择频道，例如 `#gpu-team`，或写 `off`。",
    },
    "usage.bad_clock": {
        "en": "`{key}={part}` is not a time of day: use HH:MM on a 24-hour clock, like `09:00`.",
        "zh": "`{key}={part}` 不是有效的时间：请使用 24 小时制 HH:MM，例如 `09:00`。",
    },
    "usage.bad_timezone": {
        "en": "`{key}={part}` is not a time zone: use a name like `Asia/Shanghai` or `UTC`.",
        "zh": "`{key}={part}` 不是有效的时区：请使用 `Asia/Shanghai` 或 `UTC` 这样的名称。",
    },
    "usage.unknown_topic": {
        "en": "There is no command `{part}`. Try: {valid}.",
        "zh": "没有 `{part}` 这个命令。可以试试：{valid}。",
    },
    "usage.usage_line": {
        "en": "Usage: `{usage}`",
        "zh": "用法：`{usage}`",
    },
    "usage.see_help": {
        "en": "See `{command} help` for every command.",
        "zh": "运行 `{command} help` 查看全部命令。",
    },
    "usage.see_topic": {
        "en": "Details and examples: `{command} help {subcommand}`",
        "zh": "详细说明和示例：`{command} help {subcommand}`",
    },
    # --- Help (bot.slack.blocks.help) --------------------------------------------------------
    "help.title": {
        "en": "SCNet bot commands",
        "zh": "SCNet 机器人命令",
    },
    "help.intro": {
        "en": (
            "Drive your SCNet (国家超算互联网) AI container instances from Slack. "
            "The bot calls SCNet as you, with your own token."
        ),
        "zh": (
            "在 Slack 中管理您在国家超算互联网（SCNet）上的 AI 容器实例。机器人以您本人的令牌调用 "
            "SCNet。"
        ),
    },
    "help.footer": {
        "en": (
            "Details and examples: `{command} help <command>`. Add `--public` to share a reply "
            "in the channel."
        ),
        "zh": "查看详细说明和示例：`{command} help <命令>`。加上 `--public` 可将回复发到频道中。",
    },
    "help.flags": {
        "en": "Add `--public` to share the reply in the channel (not for `login` or `url`).",
        "zh": "加上 `--public` 可将回复发到频道中（`login` 和 `url` 除外）。",
    },
    "help.topic_title": {
        "en": "Help: {subcommand}",
        "zh": "帮助：{subcommand}",
    },
    "help.help.usage": {
        "en": "{command} help [<command>]",
        "zh": "{command} help [<命令>]",
    },
    "help.help.summary": {
        "en": "Show every command, or the details of one.",
        "zh": "列出全部命令，或查看某个命令的详细说明。",
    },
    "help.help.details": {
        "en": (
            "Without an argument, lists every command.\nExamples: `{command} help`, `{command} "
            "help create`"
        ),
        "zh": "不带参数时列出全部命令。\n示例：`{command} help`、`{command} help create`",
    },
    "help.login.usage": {
        "en": "{command} login [<token>]",
        "zh": "{command} login [<令牌>]",
    },
    "help.login.summary": {
        "en": "Log in to SCNet: paste a token, or open a private form (token or AK/SK).",
        "zh": "登录 SCNet：直接粘贴令牌，或打开私密表单（令牌或 AK/SK）。",
    },
    "help.login.details": {
        "en": (
            "`{command} login` alone opens a private form: paste a token, or an AccessKey and "
            "SecretKey so the bot can renew your token by itself. `{command} login <token>` "
            "works too (slash commands are not shown in the channel).\n"
            "Credentials are stored encrypted and used only to call SCNet as you.\n"
            "Example: `{command} login`"
        ),
        "zh": (
            "单独运行 `{command} login` 会打开私密表单：粘贴令牌，或填写 AccessKey 和 SecretKey，"
            "以便机器人自动续期令牌。也可以使用 `{command} login "
            "<令牌>`（斜杠命令不会显示在频道中）。\n"
            "凭证加密存储，仅用于以您的身份调用 SCNet。\n"
            "示例：`{command} login`"
        ),
    },
    "help.logout.usage": {
        "en": "{command} logout",
        "zh": "{command} logout",
    },
    "help.logout.summary": {
        "en": "Forget your SCNet credentials.",
        "zh": "删除您保存的 SCNet 凭证。",
    },
    "help.logout.details": {
        "en": (
            "Deletes your stored token and AK/SK. Your instances keep running.\nExample: "
            "`{command} logout`"
        ),
        "zh": "删除已保存的令牌和 AK/SK，您的实例会继续运行。\n示例：`{command} logout`",
    },
    "help.whoami.usage": {
        "en": "{command} whoami",
        "zh": "{command} whoami",
    },
    "help.whoami.summary": {
        "en": "Show your SCNet user, region, token expiry, account status and balance.",
        "zh": "查看您的 SCNet 用户、区域、令牌有效期、账号状态和余额。",
    },
    "help.whoami.details": {
        "en": (
            "Shows who the bot acts as for you, until when your token is valid, and your "
            "account's status and balance as SCNet reports them.\nExample: `{command} whoami`"
        ),
        "zh": (
            "显示机器人代表您使用的 SCNet 账号、令牌的有效期，以及 SCNet 报告的账号状态和余额。"
            "\n示例：`{command} whoami`"
        ),
    },
    "help.images.usage": {
        "en": "{command} images [gpu|dcu|mlu|cpu] [Base|JupyterLab]",
        "zh": "{command} images [gpu|dcu|mlu|cpu] [Base|JupyterLab]",
    },
    "help.images.summary": {
        "en": "List the images you can create instances from.",
        "zh": "列出可用于创建实例的镜像。",
    },
    "help.images.details": {
        "en": (
            "Filter by accelerator and image type, in any order.\n"
            "Examples: `{command} images`, `{command} images dcu`, "
            "`{command} images gpu JupyterLab`"
        ),
        "zh": (
            "可按加速器和镜像类型筛选，顺序不限。\n示例：`{command} images`、`{command} images "
            "dcu`、`{command} images gpu JupyterLab`"
        ),
    },
    "help.create.usage": {
        "en": "{command} create [<image>] [key=value ...]",
        "zh": "{command} create [<镜像>] [键=值 ...]",
    },
    "help.create.summary": {
        "en": "Create an instance; without an image, opens a form.",
        "zh": "创建实例；不指定镜像时打开创建表单。",
    },
    "help.create.details": {
        "en": (
            "The image is a version such as `jupyter:4.4-py3.7-cpu` or a full image path "
            "(see `{command} images`).\n"
            "Options: `name`, `type` (jupyter|ssh|codeserver|rstudio), `accel` (gpu|dcu|mlu|cpu), "
            "`gpus`, `cpus`, `ram` (MB, or GB with a G), `group` (resource group), `tasks`, "
            "`timeout` (HH:MM:SS or unlimited), `port` (N, N/http or N/ssh; repeatable), "
            "`mount` (src:dst[:data|path]; repeatable), `script` (start script), `desc`.\n"
            'Quote values with spaces: `script="pip install x && python a.py"`. '
            "Admins may add `--force` to go past the team's limits; anyone may add `--ask`: "
            "past them, the create is asked of an admin instead of refused.\n"
            "Examples:\n`{command} create jupyter:4.4-py3.7-cpu`\n"
            "`{command} create pytorch:2.1.0-py3.10-cuda12.1 name=train gpus=2 ram=64G "
            "timeout=12:00:00 port=6006/http`"
        ),
        "zh": (
            "镜像可以是镜像版本（如 `jupyter:4.4-py3.7-cpu`）或完整镜像路径（见 `{command} "
            "images`）。\n"
            "参数：`name`、`type`（jupyter|ssh|codeserver|rstudio）、`accel`（gpu|dcu|mlu|cpu）、"
            "`gpus`、`cpus`、`ram`（MB，或带 G 的 GB）、`group`（资源组）、`tasks`、"
            "`timeout`（HH:MM:SS 或 unlimited）、`port`（N、N/http 或 N/ssh，可重复）、"
            "`mount`（源:目标[:data|path]，可重复）、`script`（启动脚本）、`desc`。\n"
            '含空格的值请加引号：`script="pip install x && python a.py"`。'
            "管理员可加 `--force` 突破团队限额；任何人可加 `--ask`："
            "超出限额时改为请管理员批准，而不是直接拒绝。\n"
            "示例：\n`{command} create jupyter:4.4-py3.7-cpu`\n"
            "`{command} create pytorch:2.1.0-py3.10-cuda12.1 name=train gpus=2 ram=64G "
            "timeout=12:00:00 port=6006/http`"
        ),
    },
    "help.create.defaults": {
        "en": (
            "*Defaults:* type `{type}`, cpus `{cpus}`, ram `{ram}`, gpus `{gpus}` "
            "(`{gpus_cpu}` on cpu images), tasks `{tasks}`, timeout `{timeout}`.\n"
            "*Limits:* gpus {gpus_min}–{gpus_max}, cpus {cpus_min}–{cpus_max}, "
            "ram {ram_min}–{ram_max}, tasks {tasks_min}–{tasks_max}, timeout up to {timeout_max}, "
            "at most {ports_max} ports and {mounts_max} mounts, names up to {name_max} characters."
        ),
        "zh": (
            "*默认值：* type `{type}`，cpus `{cpus}`，ram `{ram}`，gpus `{gpus}`"
            "（cpu 镜像为 `{gpus_cpu}`），tasks `{tasks}`，timeout `{timeout}`。\n"
            "*取值范围：* gpus {gpus_min}–{gpus_max}，cpus {cpus_min}–{cpus_max}，"
            "ram {ram_min}–{ram_max}，tasks {tasks_min}–{tasks_max}，timeout 最长 {timeout_max}，"
            "端口最多 {ports_max} 个，挂载最多 {mounts_max} 个，名称最长 {name_max} 个字符。"
        ),
    },
    "help.list.usage": {
        "en": "{command} list",
        "zh": "{command} list",
    },
    "help.list.summary": {
        "en": "List your instances.",
        "zh": "列出您的实例。",
    },
    "help.list.details": {
        "en": (
            "Your instances, newest first, a page at a time; each row opens its card.\nExample: "
            "`{command} list`"
        ),
        "zh": "按创建时间倒序分页列出您的实例，点击每行可查看实例卡片。\n示例：`{command} list`",
    },
    "help.status.usage": {
        "en": "{command} status <instance>",
        "zh": "{command} status <实例>",
    },
    "help.status.summary": {
        "en": "Show an instance's card: status, resources, times and actions.",
        "zh": "查看实例卡片：状态、资源、时间和操作按钮。",
    },
    "help.status.details": {
        "en": (
            "An instance is named by its full 32-character id, a unique id prefix of at least "
            "6 characters (`{command} list` shows each id's first 8), or its name.\nExample: "
            "`{command} status train`"
        ),
        "zh": (
            "实例可以用 32 位完整 ID、至少 6 位且唯一的 ID 前缀（`{command} list` 会显示每个 ID 的"
            "前 8 位），或实例名称来指定。\n示例：`{command} status train`"
        ),
    },
    "help.url.usage": {
        "en": "{command} url <instance>",
        "zh": "{command} url <实例>",
    },
    "help.url.summary": {
        "en": "Send yourself the instance's access link, privately.",
        "zh": "私下获取实例的访问链接。",
    },
    "help.url.details": {
        "en": (
            "The link holds a credential, so it only ever goes to you, never to a "
            "channel.\nExample: `{command} url train`"
        ),
        "zh": "访问链接包含凭证，因此只会私下发送给您，不会发到频道。\n示例：`{command} url train`",
    },
    "help.restart.usage": {
        "en": "{command} restart <instance>",
        "zh": "{command} restart <实例>",
    },
    "help.restart.summary": {
        "en": "Start a stopped, completed or failed instance again.",
        "zh": "重新启动已停止、已完成或失败的实例。",
    },
    "help.restart.details": {
        "en": (
            "The instance waits in the queue until SCNet has capacity.\nExample: `{command} "
            "restart train`"
        ),
        "zh": "实例会排队等待，直到 SCNet 有可用资源。\n示例：`{command} restart train`",
    },
    "help.stop.usage": {
        "en": "{command} stop <instance>",
        "zh": "{command} stop <实例>",
    },
    "help.stop.summary": {
        "en": "Stop an instance (asks you to confirm).",
        "zh": "停止实例（需要确认）。",
    },
    "help.stop.details": {
        "en": (
            "Ends the running container; you can restart the instance later.\nExample: `{command} "
            "stop train`"
        ),
        "zh": "结束正在运行的容器，之后可以重新启动。\n示例：`{command} stop train`",
    },
    "help.delete.usage": {
        "en": "{command} delete <instance>",
        "zh": "{command} delete <实例>",
    },
    "help.delete.summary": {
        "en": "Delete an instance (asks you to confirm).",
        "zh": "删除实例（需要确认）。",
    },
    "help.delete.details": {
        "en": (
            "Deleting cannot be undone; stop a running instance first.\nExample: `{command} delete "
            "train`"
        ),
        "zh": "删除后无法恢复；运行中的实例请先停止。\n示例：`{command} delete train`",
    },
    "help.watch.usage": {
        "en": "{command} watch <instance>",
        "zh": "{command} watch <实例>",
    },
    "help.watch.summary": {
        "en": "Get a DM when the instance is ready, or when it stops or fails.",
        "zh": "实例就绪、停止或失败时私信通知您。",
    },
    "help.watch.details": {
        "en": (
            "New instances are watched for you. When one runs, the bot DMs you its access "
            "link.\nExample: `{command} watch train`"
        ),
        "zh": (
            "新建的实例会自动关注。实例运行后，机器人会私信您访问链接。\n示例：`{command} watch "
            "train`"
        ),
    },
    "help.unwatch.usage": {
        "en": "{command} unwatch <instance>",
        "zh": "{command} unwatch <实例>",
    },
    "help.unwatch.summary": {
        "en": "Stop the DMs about an instance.",
        "zh": "不再接收某个实例的私信通知。",
    },
    "help.unwatch.details": {
        "en": "Example: `{command} unwatch train`",
        "zh": "示例：`{command} unwatch train`",
    },
    "help.quota.usage": {
        "en": (
            "{command} quota [set gpus=N cpus=N ram=N instances=N [user=@name]"
            " | set budget=CNY|off [user=@name] | rate [group=G gpu=CNY cpu=CNY ram=CNY]"
            " | digest [#channel | off] [at=HH:MM] [tz=Area/City] [hours=N]]"
        ),
        "zh": (
            "{command} quota [set gpus=N cpus=N ram=N instances=N [user=@用户]"
            " | set budget=元|off [user=@用户] | rate [group=资源组 gpu=元 cpu=元 ram=元]"
            " | digest [#频道 | off] [at=HH:MM] [tz=时区] [hours=N]]"
        ),
    },
    "help.quota.summary": {
        "en": "Show the team's usage against its limits; admins set the limits and the digest.",
        "zh": "查看团队用量与限额；管理员可设置限额和每日摘要。",
    },
    "help.quota.details": {
        "en": (
            "`{command} quota` shows who holds which accelerators, CPUs and memory right now, "
            "and your own SCNet node limits.\n"
            "Admins: `{command} quota set gpus=8 cpus=64 ram=256G instances=10` sets the team's "
            "limits; add `user=@name` to set one member's.\n"
            "Admins: `{command} quota digest #gpu-team at=09:00 tz=Asia/Shanghai hours=24` posts "
            "a daily digest there (usage, top holders, instances running longer than `hours`), "
            "and an alert whenever usage reaches 80% or 100% of a team limit. Defaults: "
            "at={digest_at}, tz={digest_tz}, hours={digest_hours}; an option left out keeps its "
            "value. Invite the bot to the channel. `{command} quota digest` shows the settings, "
            "`{command} quota digest off` stops both.\n"
            "Admins: `{command} quota approvals #gpu-team` posts creates asked past the limits "
            "there (`off`: a DM to each admin), with Approve and Deny.\n"
            "Costs: `{command} quota rate` shows the admins' rates; admins set a group's with "
            "`{command} quota rate group=TeslaM40 gpu=6.5 cpu=0.1 ram=0.02` (CNY per card-, "
            "core- and GB-hour). Cards, `list`, `quota` and the digest then show running time "
            "and estimated spend: estimates from those rates, not SCNet's bill. "
            "`{command} quota set budget=5000 [user=@name]` sets a monthly budget (`off` removes "
            "it): alerts at 80% and 100%, and creates are refused once it is spent."
        ),
        "zh": (
            "`{command} quota` 显示当前谁占用了多少加速卡、CPU 和内存，"
            "以及您自己的 SCNet 节点上限。\n"
            "管理员：`{command} quota set gpus=8 cpus=64 ram=256G instances=10` 设置团队限额；"
            "加上 `user=@用户` 则设置某个成员的限额。\n"
            "管理员：`{command} quota digest #gpu-team at=09:00 tz=Asia/Shanghai hours=24` "
            "每天在该频道发布摘要（用量、占用最多的成员、运行超过 `hours` 小时的实例），"
            "并在用量达到团队限额的 80% 或 100% 时发出提醒。默认值：at={digest_at}、"
            "tz={digest_tz}、hours={digest_hours}；未给出的选项保持原值。请先把机器人邀请进该频道。"
            "`{command} quota digest` 查看设置，`{command} quota digest off` 同时停止摘要和提醒。\n"
            "管理员：`{command} quota approvals #频道` 将超出限额的创建申请发布到该频道"
            "（`off`：私信每位管理员），附批准和拒绝按钮。\n"
            "费用：`{command} quota rate` 查看管理员设定的费率；管理员用 "
            "`{command} quota rate group=TeslaM40 gpu=6.5 cpu=0.1 ram=0.02` 设置某资源组的费率"
            "（每卡时、每核时、每 GB 时的人民币）。之后实例卡片、`list`、`quota` 和每日摘要会显示"
            "运行时长和估算花费：按这些费率估算，并非 SCNet 的账单。"
            "`{command} quota set budget=5000 [user=@用户]` 设置每月预算（`off` 取消）："
            "达到 80% 和 100% 时提醒，用完后拒绝创建。"
        ),
    },
    "help.audit.usage": {
        "en": "{command} audit [n]",
        "zh": "{command} audit [n]",
    },
    "help.audit.summary": {
        "en": "Show the last actions taken through the bot.",
        "zh": "查看最近通过机器人执行的操作。",
    },
    "help.audit.details": {
        "en": (
            "Shows the last n actions ({audit_min}–{audit_max}, default "
            "{audit_default}).\nExample: `{command} audit 50`"
        ),
        "zh": (
            "显示最近 n 条操作（{audit_min}–{audit_max}，默认 {audit_default}）。\n示例："
            "`{command} audit 50`"
        ),
    },
    "help.links.usage": {
        "en": "{command} links [on|off]",
        "zh": "{command} links [on|off]",
    },
    "help.links.summary": {
        "en": "Whether this channel gets full access links of instances created here.",
        "zh": "设置本频道是否接收在此创建的实例的完整访问链接。",
    },
    "help.links.details": {
        "en": (
            "By default a channel only hears that an instance created from it is ready; the "
            "access link, which carries its owner's login, goes to the owner alone.\n"
            "Admins: `{command} links on`, typed in a channel, posts full links there from now "
            "on (anyone in the channel can open them); `{command} links off` stops it."
        ),
        "zh": (
            "默认情况下，频道只会收到在此创建的实例已就绪的消息；访问链接带有所有者的登录信息，只发给所有者本人。\n"
            "管理员：在频道中输入 `{command} links on`，此后完整链接将发到该频道"
            "（频道内任何人都能打开）；`{command} links off` 停止发送。"
        ),
    },
    "help.lang.usage": {
        "en": "{command} lang zh|en",
        "zh": "{command} lang zh|en",
    },
    "help.lang.summary": {
        "en": "Choose the language of the bot's replies to you.",
        "zh": "选择机器人回复您时使用的语言。",
    },
    "help.lang.details": {
        "en": "Examples: `{command} lang zh`, `{command} lang en`",
        "zh": "示例：`{command} lang zh`、`{command} lang en`",
    },
    # --- Instance statuses (reference §6) ----------------------------------------------------
    "status.Waiting": {"en": "Waiting", "zh": "等待"},
    "status.Deploying": {"en": "Deploying", "zh": "部署"},
    "status.Running": {"en": "Running", "zh": "运行"},
    "status.Completed": {"en": "Completed", "zh": "完成"},
    "status.Failed": {"en": "Failed", "zh": "失败"},
    "status.Terminated": {"en": "Stopped", "zh": "停止"},
    # --- Instance card and list ------------------------------------------------------------------
    "card.type": {"en": "Type", "zh": "类型"},
    "card.accelerator": {"en": "Accelerator", "zh": "加速器"},
    "card.resources": {"en": "Resources", "zh": "资源"},
    "card.cpus": {"en": "{cpus} CPU", "zh": "{cpus} 核"},
    "card.resources_tasks": {"en": " × {tasks} containers", "zh": " × {tasks} 个容器"},
    "card.image": {"en": "Image", "zh": "镜像"},
    "card.resource_group": {"en": "Resource group", "zh": "资源组"},
    "card.owner": {"en": "Owner", "zh": "所有者"},
    "card.created": {"en": "Created", "zh": "创建时间"},
    "card.started": {"en": "Started", "zh": "启动时间"},
    "card.timeout": {"en": "Auto-stop after", "zh": "运行时限"},
    "card.remaining": {"en": "Remaining", "zh": "剩余时间"},
    "time.hours_minutes": {"en": "{hours} h {minutes} min", "zh": "{hours} 小时 {minutes} 分钟"},
    "time.days_hours": {"en": "{days} d {hours} h", "zh": "{days} 天 {hours} 小时"},
    "time.unlimited": {"en": "unlimited", "zh": "不限"},
    "list.title": {"en": "Your instances ({count})", "zh": "我的实例（{count}）"},
    "list.empty": {
        "en": "No instances yet. Create one with `create`.",
        "zh": "还没有实例，可使用 `create` 创建。",
    },
    "list.showing": {
        "en": "Showing {first}–{last} of {total}",
        "zh": "显示第 {first}–{last} 个，共 {total} 个",
    },
    "created.text": {
        "en": "Creating *{name}* (`{id}`).",
        "zh": "正在创建 *{name}*（`{id}`）。",
    },
    "created.watching": {
        "en": "I'm watching it and will DM you the access link once it is running.",
        "zh": "我会持续关注，实例运行后将私信您访问链接。",
    },
    "created.not_watching": {
        "en": "Press Details to follow its progress.",
        "zh": "点击“详情”查看进度。",
    },
    "url.text": {
        "en": "Access link for *{name}*: {link}",
        "zh": "*{name}* 的访问链接：{link}",
    },
    "url.private": {
        "en": (
            "Only you can see this (instance `{id}`). The link holds a credential: do not share it."
        ),
        "zh": "仅您可见（实例 `{id}`）。链接中包含访问凭证，请勿转发。",
    },
    # --- Buttons and confirmations -------------------------------------------------------------
    "button.open": {"en": "Open", "zh": "打开"},
    "button.refresh": {"en": "Refresh", "zh": "刷新"},
    "button.restart": {"en": "Restart", "zh": "重启"},
    "button.stop": {"en": "Stop", "zh": "停止"},
    "button.delete": {"en": "Delete", "zh": "删除"},
    "button.watch": {"en": "Watch", "zh": "关注"},
    "button.unwatch": {"en": "Unwatch", "zh": "取消关注"},
    "button.details": {"en": "Details", "zh": "详情"},
    "button.previous": {"en": "Previous", "zh": "上一页"},
    "button.next": {"en": "Next", "zh": "下一页"},
    "button.create": {"en": "Create instance", "zh": "创建实例"},
    "button.login": {"en": "Log in", "zh": "登录"},
    "button.login_again": {"en": "Log in again", "zh": "重新登录"},
    "confirm.stop.title": {"en": "Stop this instance?", "zh": "停止该实例？"},
    "confirm.stop.text": {
        "en": "Stop *{name}*? Its container ends; you can restart it later.",
        "zh": "确定停止 *{name}* 吗？容器将结束运行，之后可以重新启动。",
    },
    "confirm.stop.confirm": {"en": "Stop", "zh": "停止"},
    "confirm.delete.title": {"en": "Delete this instance?", "zh": "删除该实例？"},
    "confirm.delete.text": {
        "en": "Delete *{name}*? This cannot be undone.",
        "zh": "确定删除 *{name}* 吗？删除后无法恢复。",
    },
    "confirm.delete.confirm": {"en": "Delete", "zh": "删除"},
    "confirm.cancel": {"en": "Cancel", "zh": "取消"},
    # --- Images --------------------------------------------------------------------------------
    "images.title": {"en": "Images ({count})", "zh": "镜像（{count}）"},
    "images.empty": {"en": "No images match.", "zh": "没有符合条件的镜像。"},
    "images.other": {"en": "Other", "zh": "其他"},
    "images.showing": {
        "en": "Showing {shown} of {total}. Narrow it down: `{command} images gpu JupyterLab`",
        "zh": "显示 {shown} 个，共 {total} 个。可缩小范围：`{command} images gpu JupyterLab`",
    },
    "images.create_hint": {
        "en": "Create from one: `{command} create <version>`",
        "zh": "用镜像创建实例：`{command} create <镜像版本>`",
    },
    # --- Modals ----------------------------------------------------------------------------------
    "modal.cancel": {"en": "Cancel", "zh": "取消"},
    "login.title": {"en": "Log in to SCNet", "zh": "登录 SCNet"},
    "login.submit": {"en": "Log in", "zh": "登录"},
    "login.intro": {
        "en": "Paste an SCNet token, or switch to AK/SK so the bot can renew your token by itself.",
        "zh": "粘贴 SCNet 令牌，或改用 AK/SK，以便机器人自动续期令牌。",
    },
    "login.token": {"en": "SCNet token", "zh": "SCNet 令牌"},
    "login.token_placeholder": {"en": "eyJ...", "zh": "eyJ..."},
    "login.token_hint": {
        "en": "A JWT from SCNet; it starts with eyJ and is valid for about a day.",
        "zh": "SCNet 签发的 JWT，以 eyJ 开头，有效期约一天。",
    },
    "login.user": {"en": "SCNet user name", "zh": "SCNet 用户名"},
    "login.user_placeholder": {"en": "user name", "zh": "用户名"},
    "login.user_hint": {
        "en": "The user name you log in to SCNet with; AK/SK tokens are issued for it.",
        "zh": "您登录 SCNet 使用的用户名，AK/SK 令牌将为该用户签发。",
    },
    "login.keep_label": {"en": "Token renewal", "zh": "令牌续期"},
    "login.keep": {
        "en": "Keep my AK/SK (encrypted) to get new tokens",
        "zh": "保存我的 AK/SK（加密）用于获取新令牌",
    },
    "login.keep_hint": {
        "en": "Without it, you log in again when the token expires (about a day).",
        "zh": "不保存时，令牌过期（约一天）后需要重新登录。",
    },
    "login.access_key": {"en": "AccessKey (AK)", "zh": "AccessKey（AK）"},
    "login.access_key_placeholder": {"en": "AK", "zh": "AK"},
    "login.access_key_hint": {
        "en": "Your SCNet AccessKey.",
        "zh": "您的 SCNet AccessKey。",
    },
    "login.secret_key": {"en": "SecretKey (SK)", "zh": "SecretKey（SK）"},
    "login.secret_key_placeholder": {"en": "SK", "zh": "SK"},
    "login.secret_key_hint": {
        "en": "Used only to get new tokens for you.",
        "zh": "仅用于为您获取新令牌。",
    },
    "login.use_aksk": {"en": "Use AK/SK instead", "zh": "改用 AK/SK"},
    "login.use_token": {"en": "Use a token instead", "zh": "改用令牌"},
    "login.privacy": {
        "en": "Stored encrypted. The bot calls SCNet only as you and never shows your credentials.",
        "zh": "凭证加密存储。机器人仅以您的身份调用 SCNet，绝不显示您的凭证。",
    },
    "create.title": {"en": "Create an instance", "zh": "创建实例"},
    "create.submit": {"en": "Create", "zh": "创建"},
    "create.image": {"en": "Image", "zh": "镜像"},
    "create.image_placeholder": {"en": "Choose an image", "zh": "选择镜像"},
    "create.image_text_placeholder": {
        "en": "jupyter:4.4-py3.7-cpu or a full image path",
        "zh": "如 jupyter:4.4-py3.7-cpu，或完整镜像路径",
    },
    "create.name": {"en": "Name", "zh": "名称"},
    "create.name_hint": {
        "en": "Empty: the bot picks one. Up to {name_max} letters, digits, Chinese, _ . -",
        "zh": "留空则由机器人命名。最多 {name_max} 个字母、数字、汉字、_ . -",
    },
    "create.type": {"en": "Type", "zh": "类型"},
    "create.type_hint": {
        "en": "How you reach it: jupyter, ssh, codeserver or rstudio.",
        "zh": "访问方式：jupyter、ssh、codeserver 或 rstudio。",
    },
    "create.gpus": {"en": "Accelerator cards", "zh": "加速卡数"},
    "create.gpus_hint": {
        "en": "Per container, {gpus_min}–{gpus_max}. Empty: {gpus}, or {gpus_cpu} on a cpu image.",
        "zh": "每个容器 {gpus_min}–{gpus_max} 张。留空：{gpus} 张，cpu 镜像为 {gpus_cpu} 张。",
    },
    "create.cpus": {"en": "CPU cores", "zh": "CPU 核数"},
    "create.cpus_hint": {
        "en": "Per container, {cpus_min}–{cpus_max}.",
        "zh": "每个容器 {cpus_min}–{cpus_max} 核。",
    },
    "create.ram": {"en": "Memory", "zh": "内存"},
    "create.ram_hint": {
        "en": "Per container: MB, or GB with a G ({ram_min}–{ram_max}).",
        "zh": "每个容器：MB 数，或带 G 的 GB 数（{ram_min}–{ram_max}）。",
    },
    "create.timeout": {"en": "Auto-stop after", "zh": "运行时限"},
    "create.timeout_hint": {
        "en": "HH:MM:SS (up to {timeout_max}) or unlimited.",
        "zh": "HH:MM:SS（最长 {timeout_max}）或 unlimited。",
    },
    "create.group": {"en": "Resource group", "zh": "资源组"},
    "create.group_hint": {
        "en": "Empty: the default group.",
        "zh": "留空则使用默认资源组。",
    },
    "create.tasks": {"en": "Containers", "zh": "容器数"},
    "create.tasks_hint": {
        "en": "Empty: {tasks}. At most {tasks_max}.",
        "zh": "留空为 {tasks} 个，最多 {tasks_max} 个。",
    },
    "create.port": {"en": "Ports", "zh": "端口"},
    "create.port_hint": {
        "en": "Up to {ports_max}, separated by spaces: 8888/http 22/ssh",
        "zh": "最多 {ports_max} 个，用空格分隔：8888/http 22/ssh",
    },
    "create.mount": {"en": "Mounts", "zh": "挂载"},
    "create.mount_hint": {
        "en": "One per line, up to {mounts_max}: source:/target[:data|path]",
        "zh": "每行一个，最多 {mounts_max} 个：源:/目标[:data|path]",
    },
    "create.script": {"en": "Start script", "zh": "启动脚本"},
    "create.script_hint": {
        "en": "Runs in every container at start; up to {script_max} characters.",
        "zh": "在每个容器启动时运行；最多 {script_max} 个字符。",
    },
    "create.desc": {"en": "Description", "zh": "描述"},
    "create.desc_hint": {
        "en": "Up to {desc_max} characters.",
        "zh": "最多 {desc_max} 个字符。",
    },
    # --- App Home, whoami, quota -----------------------------------------------------------------
    "home.title": {"en": "SCNet instances", "zh": "SCNet 实例"},
    "home.instances": {"en": "My instances", "zh": "我的实例"},
    "home.login_first": {
        "en": "Log in to see and create instances.",
        "zh": "登录后即可查看和创建实例。",
    },
    "whoami.title": {"en": "Your SCNet login", "zh": "您的 SCNet 登录信息"},
    "whoami.logged_out": {
        "en": "You are not logged in to SCNet. Use `{command} login`.",
        "zh": "您尚未登录 SCNet，请使用 `{command} login`。",
    },
    "whoami.logged_in_as": {"en": "Logged in as *{user}*", "zh": "已登录：*{user}*"},
    "whoami.expires": {"en": "Token valid until {when}", "zh": "令牌有效期至 {when}"},
    "whoami.expired": {
        "en": "Token expired {when}: log in again",
        "zh": "令牌已于 {when} 过期，请重新登录",
    },
    "whoami.expires_short": {"en": "valid until {when}", "zh": "有效期至 {when}"},
    "whoami.expired_short": {"en": "expired {when}", "zh": "已于 {when} 过期"},
    "whoami.expiry_unknown": {"en": "Token expiry unknown", "zh": "令牌有效期未知"},
    "whoami.user": {"en": "SCNet user", "zh": "SCNet 用户"},
    "whoami.cluster": {"en": "Region", "zh": "区域"},
    "whoami.token": {"en": "Token", "zh": "令牌"},
    "whoami.account_status": {"en": "Account status", "zh": "账号状态"},
    "whoami.status_normal": {"en": "Normal", "zh": "正常"},
    "whoami.status_trial": {"en": "Trial", "zh": "试用"},
    "whoami.status_owe": {"en": "In arrears", "zh": "欠费"},
    "whoami.status_disabled": {"en": "Disabled", "zh": "已停用"},
    "whoami.status_suspended": {"en": "Suspended", "zh": "已暂停"},
    "whoami.full_name": {"en": "Name", "zh": "姓名"},
    "whoami.balance": {"en": "Balance", "zh": "余额"},
    "whoami.center": {"en": "Center", "zh": "中心"},
    "quota.team_title": {"en": "Team usage", "zh": "团队用量"},
    "quota.member_title": {"en": "Usage of {member}", "zh": "{member} 的用量"},
    "quota.no_limits": {"en": "No limits set.", "zh": "尚未设置限额。"},
    "quota.unlimited_line": {"en": "{used} (no limit)", "zh": "{used}（无限额）"},
    "quota.resource.gpus": {"en": "Accelerator cards", "zh": "加速卡"},
    "quota.resource.cpus": {"en": "CPU cores", "zh": "CPU 核"},
    "quota.resource.ram_mb": {"en": "Memory", "zh": "内存"},
    "quota.resource.instances": {"en": "Instances", "zh": "实例数"},
    # --- Notices the handlers send (bot.slack.blocks.notices.build_notice) -----------------------
    "notice.logged_in": {"en": "Logged in as *{user}*.", "zh": "已登录：*{user}*。"},
    "notice.logged_out": {
        "en": "Logged out: your SCNet credentials are deleted.",
        "zh": "已退出登录，您的 SCNet 凭证已删除。",
    },
    "notice.not_logged_in": {
        "en": "You are not logged in to SCNet yet. Use `{command} login`.",
        "zh": "您尚未登录 SCNet，请使用 `{command} login`。",
    },
    "notice.lang_set": {
        "en": "I'll reply to you in English.",
        "zh": "之后将使用中文回复您。",
    },
    "notice.cancelled": {"en": "Cancelled.", "zh": "已取消。"},
    "notice.restarting": {"en": "Restarting *{name}*.", "zh": "正在重启 *{name}*。"},
    "notice.stopping": {"en": "Stopping *{name}*.", "zh": "正在停止 *{name}*。"},
    "notice.deleted": {"en": "Deleted *{name}*.", "zh": "已删除 *{name}*。"},
    "notice.watching": {
        "en": "Watching *{name}*: you'll get a DM when it changes.",
        "zh": "已关注 *{name}*，状态变化时会私信您。",
    },
    "notice.unwatched": {
        "en": "No more DMs about *{name}*.",
        "zh": "不再私信通知 *{name}* 的状态。",
    },
    "notice.not_running": {
        "en": "*{name}* is not running (status: {status}), so it has no access link.",
        "zh": "*{name}* 未在运行（状态：{status}），暂无访问链接。",
    },
    "notice.ready": {"en": "*{name}* is running.", "zh": "*{name}* 已开始运行。"},
    "notice.ended": {
        "en": "*{name}* is no longer running (status: {status}).",
        "zh": "*{name}* 已不在运行（状态：{status}）。",
    },
    "notice.no_match": {"en": "No instance matches `{part}`.", "zh": "没有匹配 `{part}` 的实例。"},
    "notice.no_match_short_prefix": {
        "en": (
            "No instance is named `{part}`. An id prefix needs at least {least} characters, "
            "such as the 8 that `list` shows."
        ),
        "zh": "没有名为 `{part}` 的实例。ID 前缀至少需要 {least} 个字符，例如 `list` 显示的 8 个。",
    },
    "notice.already_running": {
        "en": "{name} is {status} already: there is nothing to restart.",
        "zh": "{name} 已在运行或正在启动（{status}），无需重启。",
    },
    "notice.name_taken": {
        "en": (
            "You already have an instance named `{name}` (`{id}`): give the new one another "
            "`name=`, or delete that one first (`{command} delete {id}`)."
        ),
        "zh": (
            "您已有名为 `{name}` 的实例（`{id}`）：请为新实例换一个 `name=`，"
            "或先删除该实例（`{command} delete {id}`）。"
        ),
    },
    "notice.ambiguous_ref": {
        "en": "`{part}` matches {count} instances; give more of the id.",
        "zh": "`{part}` 匹配到 {count} 个实例，请提供更长的 ID。",
    },
    "notice.admin_only": {"en": "Only admins can do that.", "zh": "只有管理员可以执行此操作。"},
    "links.on": {
        "en": (
            "This channel now gets the full access link of each instance created here once it "
            "runs. Anyone in the channel can open those instances."
        ),
        "zh": (
            "此后，在本频道创建的实例运行后，其完整访问链接将发到本频道。"
            "频道内任何人都能打开这些实例。"
        ),
    },
    "links.off": {
        "en": "This channel now only hears that instances are ready; links go to their owners.",
        "zh": "此后本频道只会收到实例已就绪的消息；链接只发给实例所有者。",
    },
    "links.state_on": {
        "en": "This channel gets full access links of instances created here.",
        "zh": "本频道会收到在此创建的实例的完整访问链接。",
    },
    "links.state_off": {
        "en": (
            "This channel only hears that instances are ready; links go to their owners "
            "(admins: `{command} links on` to change that)."
        ),
        "zh": (
            "本频道只会收到实例已就绪的消息；链接只发给所有者"
            "（管理员可用 `{command} links on` 更改）。"
        ),
    },
    "links.not_in_channel": {
        "en": "Type this in the channel it is about, not in a direct message.",
        "zh": "请在要设置的频道中输入此命令，而不是在私信中。",
    },
    "notice.quota_exceeded": {
        "en": (
            "That would go past the team's limit for {resource}: {used} used of {limit}. "
            "An admin can add `--force`."
        ),
        "zh": "这将超出团队的{resource}限额：已用 {used}，限额 {limit}。管理员可加 `--force`。",
    },
    "notice.unexpected": {
        "en": "Something went wrong on our side. Please try again; if it persists, tell an admin.",
        "zh": "机器人内部出错，请重试；如果问题持续，请联系管理员。",
    },
    "notice.modal_failed": {
        "en": "The form could not be opened. Please run the command again.",
        "zh": "无法打开表单，请重新运行命令。",
    },
    # --- Watcher notices (bot.slack.blocks.watch_notices) ----------------------------------------
    "watch.ready.no_link": {
        "en": "SCNet did not hand out its access link just now. Press Open to ask again.",
        "zh": "SCNet 暂时没有返回访问链接，请点击“打开”重试。",
    },
    "watch.ready.login": {
        "en": (
            "Your SCNet login has expired, so I could not fetch its link. "
            "Log in again with `{command} login`, then press Open."
        ),
        "zh": (
            "您的 SCNet 登录已过期，无法获取访问链接。"
            "请使用 `{command} login` 重新登录后点击“打开”。"
        ),
    },
    "watch.ready.channel": {
        "en": "{owner}'s instance *{name}* is running. Its access link went to them privately.",
        "zh": "{owner} 的实例 *{name}* 已开始运行，访问链接已私信发给所有者。",
    },
    "watch.ready.channel_link": {
        "en": "{owner}'s instance *{name}* is running: {link}",
        "zh": "{owner} 的实例 *{name}* 已开始运行：{link}",
    },
    "watch.ended.owner": {
        "en": "*{name}* is no longer running: SCNet reports {status}.",
        "zh": "*{name}* 已不在运行：SCNet 显示状态为 {status}。",
    },
    "watch.ended.channel": {
        "en": "{owner}'s instance *{name}* is no longer running: SCNet reports {status}.",
        "zh": "{owner} 的实例 *{name}* 已不在运行：SCNet 显示状态为 {status}。",
    },
    "watch.ended.detail": {
        "en": "SCNet status `{raw}` · started {started} · ended {ended}",
        "zh": "SCNet 状态 `{raw}` · 开始于 {started} · 结束于 {ended}",
    },
    "watch.queued": {
        "en": (
            "*{name}* is still waiting for resources after {waited}. That is not a failure: "
            "SCNet starts it when capacity frees up, and I'll DM you then."
        ),
        "zh": (
            "*{name}* 已排队等待资源 {waited}。"
            "这不是失败：一有空闲资源 SCNet 就会启动它，届时我会私信您。"
        ),
    },
    "watch.autostop": {
        "en": "*{name}* reaches its time limit and stops in about {minutes} min. Save your work.",
        "zh": "*{name}* 约 {minutes} 分钟后达到运行时限并自动停止，请及时保存工作。",
    },
    "watch.login": {
        "en": (
            "Your SCNet login has expired and could not be renewed. "
            "Log in again with `{command} login`."
        ),
        "zh": "您的 SCNet 登录已过期且无法自动续期，请使用 `{command} login` 重新登录。",
    },
    "watch.login_paused": {
        "en": (
            "Your SCNet login has expired and could not be renewed. Log in again with "
            "`{command} login`: until then, watching {count} instance(s) is paused."
        ),
        "zh": (
            "您的 SCNet 登录已过期且无法自动续期，请使用 `{command} login` 重新登录。"
            "在此之前，对您 {count} 个实例的关注已暂停。"
        ),
    },
    "service.error": {
        "en": "That could not be done.",
        "zh": "无法完成该操作。",
    },
    "image.unknown": {
        "en": "There is no image `{image}`. Close matches: {suggestions}. See `images`.",
        "zh": "没有镜像 `{image}`。相近的镜像：{suggestions}。可用 `images` 查看全部。",
    },
    "image.unknown_no_match": {
        "en": "There is no image `{image}`. See `images` for those you can start.",
        "zh": "没有镜像 `{image}`。可用 `images` 查看可启动的镜像。",
    },
    "image.other_accelerator": {
        "en": (
            "`{image}` is a {accelerator} image, not a {asked} one: leave out `accel=` or pick "
            "a {asked} image from `images {asked}`."
        ),
        "zh": (
            "`{image}` 是 {accelerator} 镜像，而非 {asked} 镜像：请去掉 `accel=`，或从 "
            "`images {asked}` 中选择 {asked} 镜像。"
        ),
    },
    "create.no_resource_group": {
        "en": "No resource group serves `{accelerator}` instances (asked for: `{group}`).",
        "zh": "没有可用于 `{accelerator}` 实例的资源组（指定的资源组：`{group}`）。",
    },
    "create.over_node_limits": {
        "en": "`{what}` {asked} is more than one node of `{group}` has: at most {limit}.",
        "zh": "`{what}` 为 {asked}，超过了资源组 `{group}` 单个节点的上限：最多 {limit}。",
    },
    "login.incomplete": {
        "en": "Give a token, or both an AccessKey and a SecretKey.",
        "zh": "请填写令牌，或同时填写 AccessKey 和 SecretKey。",
    },
    "login.platform_token": {
        "en": "That is a platform token; containers need a region token. Use AK/SK instead.",
        "zh": "这是平台令牌，容器接口需要区域令牌。请改用 AK/SK 登录。",
    },
    "login.token_refused": {
        "en": "SCNet refused that token (code {detail}). Check it, or log in with AK/SK.",
        "zh": "SCNet 拒绝了该令牌（错误码 {detail}）。请检查令牌，或改用 AK/SK 登录。",
    },
    "login.keys_refused": {
        "en": "SCNet refused that AccessKey/SecretKey (code {detail}).",
        "zh": "SCNet 拒绝了该 AccessKey/SecretKey（错误码 {detail}）。",
    },
    "login.no_region": {
        "en": "Your SCNet account has no region enabled for containers.",
        "zh": "您的 SCNet 账号没有开通容器服务的区域。",
    },
    "login.not_a_token": {
        "en": "That does not look like an SCNet token (it should start with eyJ).",
        "zh": "这不像是 SCNet 令牌（应以 eyJ 开头）。",
    },
    "login.token_expired": {
        "en": "That token has already expired. Get a new one, or log in with AK/SK.",
        "zh": "该令牌已过期。请获取新令牌，或改用 AK/SK 登录。",
    },
    "login.no_ai_service": {
        "en": "SCNet lists no AI container service for your region.",
        "zh": "SCNet 未为您所在区域提供 AI 容器服务。",
    },
    # --- quota report and audit ---------------------------------------------------------
    "quota.members_title": {"en": "By member", "zh": "按成员"},
    "quota.member_line": {"en": "{member}: {usage}", "zh": "{member}：{usage}"},
    "quota.longest_title": {"en": "Running longest", "zh": "运行时间最长"},
    "quota.longest_line": {
        "en": "*{name}* ({member}) running for {duration}",
        "zh": "*{name}*（{member}）已运行 {duration}",
    },
    "quota.none_active": {
        "en": "Nothing is running or queued right now.",
        "zh": "当前没有运行或排队中的实例。",
    },
    "quota.balance": {
        "en": "Your SCNet account balance: ¥{balance}",
        "zh": "您的 SCNet 账户余额：¥{balance}",
    },
    "quota.member_exceeded": {
        "en": (
            "That would go past your own limit for {resource}: {used} used of {limit}. "
            "An admin can add `--force`."
        ),
        "zh": "这将超出您个人的{resource}限额：已用 {used}，限额 {limit}。管理员可加 `--force`。",
    },
    "notice.force_admin_only": {
        "en": "Only admins may use `--force` to pass the team's limits.",
        "zh": "只有管理员可以使用 `--force` 超出团队限额。",
    },
    "quota.member_by_mention": {
        "en": "Name the member with an @mention, e.g. `quota set gpus=2 user=@bob`.",
        "zh": "请用 @提及 指定成员，例如 `quota set gpus=2 user=@bob`。",
    },
    "quota.digest_by_mention": {
        "en": "Pick the channel from Slack's # list, e.g. `quota digest #gpu-team`.",
        "zh": "请从 Slack 的 # 列表中选择频道，例如 `quota digest #gpu-team`。",
    },
    "quota.digest_no_channel": {
        "en": "Name the channel for the digest first, e.g. `quota digest #gpu-team`.",
        "zh": "请先指定摘要发布的频道，例如 `quota digest #gpu-team`。",
    },
    "quota.digest_on": {
        "en": (
            "Daily digest: in {channel} at {at} ({tz}), listing instances running longer than "
            "{hours} h. Next one: {next}. Quota alerts go there too."
        ),
        "zh": (
            "每日摘要：每天 {at}（{tz}）发布到 {channel}，列出运行超过 {hours} 小时的实例。"
            "下一次：{next}。配额提醒也发到该频道。"
        ),
    },
    "quota.digest_off": {
        "en": "The daily digest and quota alerts are off.",
        "zh": "每日摘要和配额提醒已关闭。",
    },
    "quota.digest_none": {
        "en": "No daily digest is set up. Start one with `{command} quota digest #channel`.",
        "zh": "尚未设置每日摘要。可用 `{command} quota digest #频道` 开启。",
    },
    "quota.digest_invite": {
        "en": "Make sure I am in that channel (`/invite` me), or the posts cannot arrive.",
        "zh": "请确认机器人已加入该频道（使用 `/invite` 邀请），否则无法发布。",
    },
    "quota.node_limits_title": {
        "en": "Your SCNet node limits",
        "zh": "您的 SCNet 节点上限",
    },
    "quota.node_limits_line": {
        "en": (
            "*{group}* ({accelerator}): {cpus} CPU · {gpus} cards · {memory} per node, "
            "{nodes} nodes, time limit {max_time}"
        ),
        "zh": (
            "*{group}*（{accelerator}）：每节点 {cpus} 核 CPU · {gpus} 张卡 · {memory}，"
            "共 {nodes} 个节点，时长上限 {max_time}"
        ),
    },
    "digest.title": {"en": "Daily quota digest · {day}", "zh": "每日配额摘要 · {day}"},
    "digest.top_title": {"en": "Top holders", "zh": "占用最多的成员"},
    "digest.long_title": {
        "en": "Running longer than {hours} h",
        "zh": "运行超过 {hours} 小时",
    },
    "digest.long_none": {
        "en": "Nothing has been running longer than {hours} h.",
        "zh": "没有运行超过 {hours} 小时的实例。",
    },
    "digest.footer": {
        "en": "Posted daily at this time ({tz}). Admins change it with `{command} quota digest`.",
        "zh": "每天此时发布（{tz}）。管理员可用 `{command} quota digest` 修改。",
    },
    "alert.near": {
        "en": "Team usage of {resource} reached {percent}% of the limit: {used} of {limit}.",
        "zh": "团队的{resource}用量已达到限额的 {percent}%：{used} / {limit}。",
    },
    "alert.full": {
        "en": (
            "Team usage of {resource} reached the limit: {used} of {limit}. Creates past it are "
            "refused; an admin may add `--force`."
        ),
        "zh": (
            "团队的{resource}用量已达到限额：{used} / {limit}。超出限额的创建将被拒绝；"
            "管理员可加 `--force`。"
        ),
    },
    "alert.holders": {"en": "Held by: {holders}", "zh": "占用者：{holders}"},
    "alert.member_near": {
        "en": (
            "{member}'s usage of {resource} reached {percent}% of their own limit: "
            "{used} of {limit}."
        ),
        "zh": "{member} 的{resource}用量已达到其个人限额的 {percent}%：{used} / {limit}。",
    },
    "alert.member_full": {
        "en": (
            "{member}'s usage of {resource} reached their own limit: {used} of {limit}. "
            "Their creates past it are refused; an admin may add `--force`."
        ),
        "zh": (
            "{member} 的{resource}用量已达到其个人限额：{used} / {limit}。其超出限额的创建将被"
            "拒绝；管理员可加 `--force`。"
        ),
    },
    "alert.mine_near": {
        "en": "Your usage of {resource} reached {percent}% of your own limit: {used} of {limit}.",
        "zh": "您的{resource}用量已达到个人限额的 {percent}%：{used} / {limit}。",
    },
    "alert.mine_full": {
        "en": (
            "Your usage of {resource} reached your own limit: {used} of {limit}. Creates past "
            "it are refused until you free some; an admin may add `--force`."
        ),
        "zh": (
            "您的{resource}用量已达到个人限额：{used} / {limit}。释放部分资源之前，超出限额的"
            "创建将被拒绝；管理员可加 `--force`。"
        ),
    },
    "alert.mine_hint": {
        "en": "`{command} quota` shows what you hold and the team's limits.",
        "zh": "`{command} quota` 可查看您占用的资源和团队的限额。",
    },
    "quota.instances_short": {"en": "{count} inst.", "zh": "{count} 个实例"},
    "audit.title": {"en": "Latest actions ({count})", "zh": "最近的操作（{count}）"},
    "audit.empty": {"en": "No actions recorded yet.", "zh": "尚无操作记录。"},
    "audit.line": {
        "en": "{when} {member} *{action}* {instance} {detail} → {outcome}",
        "zh": "{when} {member} 执行 *{action}* {instance} {detail} → 结果：{outcome}",
    },
    # --- the console (bot.console) -------------------------------------------------------
    "console.banner.demo": {
        "en": (
            "scnet-bot demo: the SCNet simulator runs on {base}. You are logged in as `{user}` "
            "and are an admin here (quota set, quota digest, audit and links work).\n"
            "Try: /scnet help · /scnet images · /scnet create jupyter:4.4-py3.7-cpu name=nb · "
            "/scnet list · /scnet status nb · home\n"
            "Type a button's number to press it: [3 Stop] is 3. /scnet create and /scnet login "
            "open their form here, asked field by field.\n"
            "After logout, /scnet login opens the login form: press its AK/SK button and enter "
            "user {user}, access key {access_key}, secret key {secret_key}.\n"
            "Up and Down recall earlier lines. quit, Ctrl-D or Ctrl-C leaves."
        ),
        "zh": (
            "scnet-bot 演示：SCNet 模拟器运行于 {base}。您已以 `{user}` 登录，并且是管理员"
            "（quota set、quota digest、audit 和 links 均可使用）。\n"
            "试试：/scnet help · /scnet images · /scnet create jupyter:4.4-py3.7-cpu name=nb · "
            "/scnet list · /scnet status nb · home\n"
            "输入按钮的编号即可按下它：[3 停止] 就是 3。/scnet create 和 /scnet login "
            "会在此处逐项填写表单。\n"
            "logout 之后，/scnet login 打开登录表单：按其中的 AK/SK 按钮，输入用户 {user}、"
            "AccessKey {access_key}、SecretKey {secret_key}。\n"
            "上下方向键可调出之前的输入。quit、Ctrl-D 或 Ctrl-C 退出。"
        ),
    },
    "console.banner.playground": {
        "en": (
            "The same bot in a Slack-like page: open {url} in your browser (a demo world of its "
            "own, with users Alice and Bob)."
        ),
        "zh": (
            "同一个机器人的类 Slack 网页版：在浏览器中打开 {url}（独立的演示环境，"
            "用户为 Alice 和 Bob）。"
        ),
    },
    "console.banner.console": {
        "en": (
            "scnet-bot console against {url}. Log in with /scnet login (a form, asked field by "
            "field) or /scnet login <your SCNet token>.\n"
            "Type a button's number to press it; home shows the App Home. Up and Down recall "
            "earlier lines. quit, Ctrl-D or Ctrl-C leaves."
        ),
        "zh": (
            "scnet-bot 控制台，连接 {url}。用 /scnet login 登录（逐项填写表单），或 "
            "/scnet login <您的 SCNet 令牌>。\n"
            "输入按钮的编号即可按下它；home 显示应用主页。上下方向键可调出之前的输入。"
            "quit、Ctrl-D 或 Ctrl-C 退出。"
        ),
    },
    "console.optional": {"en": " (optional)", "zh": "（可选）"},
    "console.no_button": {
        "en": "There is no button {number}: type the number shown in a button, like [3 Stop].",
        "zh": "没有编号为 {number} 的按钮：请输入按钮上显示的编号，例如 [3 停止]。",
    },
    "console.open_link": {
        "en": "Open in your browser: {url}",
        "zh": "请在浏览器中打开：{url}",
    },
    "console.confirm": {
        "en": "Type y to {confirm}, anything else to {deny}: ",
        "zh": "输入 y 确认{confirm}，输入其他内容则{deny}：",
    },
    "console.form.intro": {
        "en": (
            "Enter keeps the value in brackets (or leaves an optional field empty), {clear} "
            "clears it, {cancel} closes the form."
        ),
        "zh": "直接回车保留方括号中的值（可选项则留空），{clear} 清除该值，{cancel} 关闭表单。",
    },
    "console.form.buttons": {
        "en": "{buttons}  Type a number to press it, or Enter to fill in the form: ",
        "zh": "{buttons}  输入编号按下按钮，或直接回车填写表单：",
    },
    "console.form.required": {"en": "This field is required.", "zh": "此项为必填项。"},
    "console.form.too_long": {
        "en": "At most {max} characters.",
        "zh": "最多 {max} 个字符。",
    },
    "console.form.too_short": {
        "en": "At least {min} characters.",
        "zh": "至少 {min} 个字符。",
    },
    "console.form.choose": {
        "en": "Type a number from 1 to {count}, or the option's text.",
        "zh": "请输入 1 到 {count} 之间的编号，或选项的文字。",
    },
}


# The team's GPU workflow keeps its texts in modules of their own, merged here; a key defined
# in two parts is a test failure (tests/domain/test_i18n_catalog.py).
from bot.domain.i18n_approvals import ENTRIES as _APPROVALS  # noqa: E402 - they need Locale
from bot.domain.i18n_costs import ENTRIES as _COSTS  # noqa: E402
from bot.domain.i18n_queue import ENTRIES as _QUEUE  # noqa: E402

CATALOG_PARTS: Final[tuple[Mapping[str, Mapping[Locale, str]], ...]] = (
    _CORE,
    _APPROVALS,
    _QUEUE,
    _COSTS,
)
CATALOG: Final[Mapping[str, Mapping[Locale, str]]] = {
    key: entry for part in CATALOG_PARTS for key, entry in part.items()
}


class UnknownMessage(KeyError):
    """A catalog key that is not in the catalog: a typo, caught by the tests
    (``tests/domain/test_i18n_catalog.py`` checks every key the code names)."""


def translate(key: str, locale: Locale = DEFAULT_LOCALE, /, **params: object) -> str:
    """The text for ``key`` in ``locale`` (falling back to en), with ``params`` filled in.

    An unknown key raises ``UnknownMessage`` rather than showing the key to a user: every
    key the code uses is a literal (or in a lookup table of literals), which the tests check.
    """
    entry = CATALOG.get(key)
    if entry is None:
        raise UnknownMessage(key)
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
