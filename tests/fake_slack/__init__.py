"""The fake Slack the tests drive: it lives in the product now, as the playground's Slack API
stand-in (``bot.playground.fake_slack``); this package keeps the tests' and benchmarks'
imports working and holds the pytest plugin (``fixtures``)."""

from bot.playground.fake_slack import *  # noqa: F403 - the same names, re-exported
from bot.playground.fake_slack import __all__ as __all__
