"""scnet-bot: Slack chat-ops for SCNet AI container instances."""
