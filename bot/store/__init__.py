"""Persistence: the only package that speaks SQL, and the encrypted token vault.

SQLite by default, PostgreSQL by URL (SQLAlchemy 2 async, aiosqlite / asyncpg). Callers open
``async with database.transaction() as session`` and pass ``session`` to the repository
functions below; every function returns frozen dataclasses, never ORM rows.

- ``database``: ``Database``, ``open_engine``, ``Session`` (the type to annotate with).
- ``migrate``: ``upgrade_database`` (app start, ``scnet-bot db upgrade``); scripts in
  ``migrations/``.
- ``vault``, ``keys``: Fernet encryption of secrets, key generation and rotation.
- repositories: ``accounts`` (logins and their encrypted secrets), ``preferences``,
  ``instances`` (tracked instances), ``watches``, ``outbox`` (notices to send), ``quotas``,
  ``audit``, ``deliveries`` (idempotency keys), ``team_settings``.
- ``tables`` is private to this package: its rows hold ciphertext.
"""
