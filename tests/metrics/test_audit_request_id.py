"""A command's log lines and the audit row it writes carry the same request id."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import RedactionFilter
from bot.store import audit
from bot.store.database import Database
from tests.fake_slack import FakeSlack
from tests.metrics.serving import post_command, serving, settings_for
from tests.scnet_fixtures import SimulatedScnet


class Lines(logging.Handler):
    """Every record's request id and text, as the process's handler would see them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(RedactionFilter())  # it notes the request id in force, as in production
        self.seen: list[tuple[str | None, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((getattr(record, "request_id", None), record.getMessage()))


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    root, bot = logging.getLogger(), logging.getLogger("bot")
    level = bot.level
    root.addHandler(handler)
    bot.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        bot.setLevel(level)


async def test_a_commands_audit_row_carries_the_request_id_of_its_log_lines(
    scnet: SimulatedScnet, tmp_path: Path, port: int, lines: Lines
) -> None:
    token = scnet.sim.issue_token("alice")
    async with FakeSlack() as slack:
        alice = slack.add_user("alice")
        settings = settings_for(slack, scnet, tmp_path, port=port)
        async with serving(settings) as base:
            await post_command(base, slack, alice.id, f"login {token}")
            await slack.wait_for("response_url", count=1)
            await post_command(base, slack, alice.id, "restart no-such-instance")
            await slack.wait_for("response_url", count=2)
            db = Database.open(settings.database_url)
            try:
                async with db.transaction() as session:
                    entries = await audit.latest(session, slack.team.id, limit=10)
            finally:
                await db.close()

    (restart,) = [entry for entry in entries if entry.action == "restart"]
    assert restart.request_id
    of_command = [text for rid, text in lines.seen if rid == restart.request_id]
    # Its SCNet read (resolving the name) was logged under the same id, and nothing else was.
    assert any("scnet GET instance-service/task" in text for text in of_command)
    others = {rid for rid, _ in lines.seen if rid is not None} - {restart.request_id}
    assert others  # the login had an id of its own
    assert all(entry.request_id != restart.request_id for entry in entries if entry != restart)
