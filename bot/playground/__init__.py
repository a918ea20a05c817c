"""``scnet-bot playground``: the bot behind a Slack-like page on loopback, no credentials.

``world`` starts the SCNet simulator, the Slack API stand-in (``fake_slack``) and the real bot;
``relay`` turns the page's clicks into Slack's signed requests to the bot's ``/slack/events``;
``page`` serves the page (``static/``) and its JSON API; ``run_playground`` is the subcommand.
"""
