"""Re-exports ``bot.playground.fake_slack.models`` for the tests that import it from here."""

from bot.playground.fake_slack.models import *  # noqa: F403
from bot.playground.fake_slack.models import JSON as JSON
