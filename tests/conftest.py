"""Shared fixtures live in plugin modules, one per boundary, so that each stays small."""

pytest_plugins = ["tests.db_fixtures", "tests.scnet_fixtures"]
