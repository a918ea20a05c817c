"""Alembic migrations of the scnet-bot schema; run them with ``bot.store.migrate``."""
