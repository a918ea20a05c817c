"""Logging set-up for the processes the CLI starts: one handler, every line redacted.

Libraries in bot/ only call ``logging.getLogger(__name__)``; this module is called once by the
CLI. The formatter masks anything credential-like as a last line of defence (see
``bot.domain.redaction``), including in tracebacks of exceptions raised by libraries.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from bot.domain.redaction import redact


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: str = "INFO", *, stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp.access logs full request lines, whose query strings may carry ids and filters;
    # alembic narrates every migration step at INFO, which buries the CLI's own answer.
    for noisy in ("aiohttp.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
