"""``scnet-bot playground``: the bot behind a Slack-like page on loopback, no credentials."""
