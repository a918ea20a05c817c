"""Fixtures of the store tests; the databases come from the ``tests.db_fixtures`` plugin."""

from __future__ import annotations

import pytest

from bot.store.keys import generate_key
from bot.store.vault import Vault


@pytest.fixture
def vault() -> Vault:
    return Vault.from_keys([generate_key()])
