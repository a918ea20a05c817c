"""The interactive console: the bot's replies printed as terminal text instead of Slack."""
