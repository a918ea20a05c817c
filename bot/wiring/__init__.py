"""The composition root: the one place that builds the object graph, for every mode.

Nothing else constructs clients, databases, services, the Bolt app or the scheduler. Every
function takes an ``AsyncExitStack`` that closes what it opened, in reverse order; build
everything inside a running event loop. The pieces, and who uses them:

``open_runtime(settings, stack)`` -> ``Runtime``
    migrate the database, then the SCNet client, vault and use cases, and the
    ``Conversation`` that answers commands, buttons and forms. Alone: ``console``, tests.
``start_background(runtime, sender, stack)`` -> ``Background``
    the scheduler and its jobs (watching, notices through ``sender``, renewals, digests).
``slack_app(runtime)`` -> Bolt ``AsyncApp``; ``slack_sender(settings, stack)`` -> the
    ``NoticeSender`` that posts notices through the Slack Web API.
``open_slack_bot(settings, stack, runtime=None)`` -> ``SlackBot``
    all of the above for Slack: ``run``; the playground, with a demo's runtime.
``console(runtime, terminal)`` -> ``Console``
    the interactive console for one user (its session, and the sender of its notices).
``open_demo(stack)`` -> ``Demo``
    the embedded SCNet simulator with a demo account (both regions, AK/SK known), a SQLite
    database and a fresh key in a temporary folder, and the runtime on them; ``Demo.log_in``
    signs a Slack user in as the demo account. ``demo`` adds the console; the playground
    passes its Slack settings and adds ``open_slack_bot(demo.settings, stack, runtime=...)``.

A playground, for example::

    async with AsyncExitStack() as stack:
        demo = await open_demo(stack, slack_api_url=api, slack_bot_token=bot_token,
                               slack_signing_secret=secret, bot_admins=("U1",))
        await demo.log_in(SlackUser(team, "U1"))
        bot = await open_slack_bot(demo.settings, stack, runtime=demo.runtime)
        ...  # serve bot.app at POST /slack/events (bot.slack.http.events_handler)

Tests and ``bench/`` build the same graph from the same functions with their own settings
(simulator URL, temp database, fake Slack) and an injected clock.
"""

from bot.wiring.background import Background, poll_policy, start_background
from bot.wiring.modes import (
    CONSOLE_USER,
    DEMO_ACCESS_KEY,
    DEMO_BALANCE,
    DEMO_SCNET_USER,
    DEMO_SECRET_KEY,
    Console,
    Demo,
    SlackBot,
    console,
    open_demo,
    open_slack_bot,
    slack_sender,
)
from bot.wiring.runtime import Runtime, open_runtime, process_name, scnet_client, slack_app, utc_now

__all__ = [
    "CONSOLE_USER",
    "DEMO_ACCESS_KEY",
    "DEMO_BALANCE",
    "DEMO_SCNET_USER",
    "DEMO_SECRET_KEY",
    "Background",
    "Console",
    "Demo",
    "Runtime",
    "SlackBot",
    "console",
    "open_demo",
    "open_runtime",
    "open_slack_bot",
    "poll_policy",
    "process_name",
    "scnet_client",
    "slack_app",
    "slack_sender",
    "start_background",
    "utc_now",
]
