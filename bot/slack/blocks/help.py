"""Help for every subcommand, and the reply to a command that was not understood."""

from __future__ import annotations

from bot.domain.commands import (
    AUDIT_DEFAULT,
    AUDIT_ENTRIES,
    CREATE_BOUNDS,
    CREATE_DEFAULTS,
    DECLARATIONS,
    CreateBounds,
    CreateDefaults,
    Subcommand,
    UsageError,
    describe_ram,
    format_ram,
    format_timeout,
)
from bot.domain.digest import (
    DEFAULT_DIGEST_TIME,
    DEFAULT_DIGEST_TIMEZONE,
    DEFAULT_LONG_RUNNING_HOURS,
    clock_text,
)
from bot.domain.i18n import Locale, translate

from . import limits
from .elements import Block, context, divider, header, section
from .wording import words

DEFAULT_COMMAND = "/scnet"


def usage_line(subcommand: Subcommand, *, locale: Locale, command: str = DEFAULT_COMMAND) -> str:
    return translate(DECLARATIONS[subcommand].help.usage, locale, command=command)


def build_help(
    *,
    locale: Locale,
    topic: Subcommand | None = None,
    command: str = DEFAULT_COMMAND,
    defaults: CreateDefaults = CREATE_DEFAULTS,
    bounds: CreateBounds = CREATE_BOUNDS,
) -> list[Block]:
    """The overview (one line per subcommand), or one subcommand's usage, details, examples."""
    if topic is None:
        return _overview(locale=locale, command=command)
    keys = DECLARATIONS[topic].help
    blocks = [
        header(translate("help.topic_title", locale, subcommand=topic)),
        section(f"`{words(keys.usage, locale, command=command)}`"),
        section(
            words(
                keys.details,
                locale,
                command=command,
                audit_min=AUDIT_ENTRIES.low,
                audit_max=AUDIT_ENTRIES.high,
                audit_default=AUDIT_DEFAULT,
                digest_at=clock_text(DEFAULT_DIGEST_TIME),
                digest_tz=DEFAULT_DIGEST_TIMEZONE,
                digest_hours=DEFAULT_LONG_RUNNING_HOURS,
            )
        ),
    ]
    if topic == "create":
        blocks.append(section(_create_defaults(locale, defaults, bounds)))
    blocks.append(context(words("help.flags", locale)))
    return limits.message_blocks(blocks)


def _overview(*, locale: Locale, command: str) -> list[Block]:
    blocks = [header(translate("help.title", locale)), section(words("help.intro", locale))]
    blocks.append(divider())
    for declaration in DECLARATIONS.values():
        line = words(declaration.help.usage, locale, command=command)
        summary = words(declaration.help.summary, locale)
        blocks.append(section(f"`{line}`\n{summary}"))
    blocks.append(context(words("help.footer", locale, command=command)))
    return limits.message_blocks(blocks)


def _create_defaults(locale: Locale, defaults: CreateDefaults, bounds: CreateBounds) -> str:
    return words(
        "help.create.defaults",
        locale,
        type=defaults.task_type,
        cpus=defaults.cpus,
        ram=format_ram(defaults.ram_mb),
        gpus=defaults.gpus_accelerated,
        gpus_cpu=defaults.gpus_cpu_only,
        tasks=defaults.tasks,
        timeout=format_timeout(defaults.timeout),
        gpus_min=bounds.gpus.low,
        gpus_max=bounds.gpus.high,
        cpus_min=bounds.cpus.low,
        cpus_max=bounds.cpus.high,
        ram_min=describe_ram(bounds.ram_mb.low),
        ram_max=describe_ram(bounds.ram_mb.high),
        tasks_min=bounds.tasks.low,
        tasks_max=bounds.tasks.high,
        timeout_max=format_timeout(bounds.max_timeout),
        ports_max=bounds.max_ports,
        mounts_max=bounds.max_mounts,
        name_max=bounds.name_chars,
    )


def build_usage_error(
    error: UsageError, *, locale: Locale, command: str = DEFAULT_COMMAND
) -> list[Block]:
    """What was wrong (the offending part quoted, escaped), then the subcommand's usage line."""
    blocks = [section(":warning: " + words(error.key, locale, **dict(error.params)))]
    if error.subcommand is None:
        blocks.append(context(words("usage.see_help", locale, command=command)))
        return blocks
    line = usage_line(error.subcommand, locale=locale, command=command)
    blocks.append(
        context(
            words("usage.usage_line", locale, usage=line),
            words("usage.see_topic", locale, command=command, subcommand=error.subcommand),
        )
    )
    return blocks
