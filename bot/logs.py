"""Logging for the processes the CLI starts: one redaction filter, one handler, text or JSON.

Libraries in bot/ only call ``logging.getLogger(__name__)``; ``configure_logging`` is called
once by the CLI. It installs:

- ``RedactionFilter`` in the log-record factory, so that it sees every record of every
  logger, third-party ones included, whatever handlers they bring: the message (formatted with
  its arguments), the traceback and the stack are masked by ``bot.domain.redaction`` before any
  handler or formatter reads them. Warnings and uncaught exceptions go through logging too.
- One handler on the root logger writing ``text`` (``HH:MM:SS LEVEL logger: event``) or
  ``json`` (one object per line: time, level, logger, event, request_id, exc): JSON by
  default when the stream is not a terminal, as in a container.
- ``request_id``: a context variable that Slack's entry points set (``bind_request_id``).
  Tasks copy the context they are created in, so the id follows everything a command causes
  (its ack, SCNet calls, the reply) onto every line logged on the way.
"""

from __future__ import annotations

import contextvars
import json
import logging
import secrets
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final, Literal, TextIO

from bot.domain.redaction import redact

LogFormat = Literal["json", "text"]
request_id: Final[contextvars.ContextVar[str | None]] = contextvars.ContextVar(
    "request_id", default=None
)
_REDACTED: Final = "_scnet_redacted"


def new_request_id() -> str:
    return secrets.token_hex(6)


def bind_request_id(value: str | None = None) -> str:
    """Give the current context (and the tasks it starts from now on) a request id, unless it
    has one already; returns the id in force."""
    current = request_id.get()
    if current is not None:
        return current
    value = value or new_request_id()
    request_id.set(value)
    return value


class RedactionFilter(logging.Filter):
    """Masks credentials in a record's message, traceback and stack, once per record.

    The message is formatted here (``msg % args``) and the arguments dropped, so a secret
    passed as an argument is masked too; the traceback is rendered here, masked, and kept as
    ``exc_text``, which every ``logging.Formatter`` prints instead of rendering its own.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _REDACTED, False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what we can show, masked
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record.__dict__["request_id"] = request_id.get()
        record.__dict__[_REDACTED] = True
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.__dict__["rid"] = f" [{rid}]" if rid else ""
        # Redacted already; the final text once more, should a handler skip the factory.
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            entry["request_id"] = rid
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return redact(json.dumps(entry, ensure_ascii=False))


_filter: Final = RedactionFilter()
_base_factory: Callable[..., logging.LogRecord] | None = None


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _base_factory is not None
    record = _base_factory(*args, **kwargs)
    _filter.filter(record)
    return record


def install_redaction() -> None:
    """Put ``RedactionFilter`` in the record factory (idempotent)."""
    global _base_factory
    current = logging.getLogRecordFactory()
    if current is _redacting_factory:
        return
    _base_factory = current
    logging.setLogRecordFactory(_redacting_factory)


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("bot").critical("uncaught exception", exc_info=(kind, error, trace))


def resolve_format(wanted: LogFormat | None, stream: TextIO) -> LogFormat:
    if wanted is not None:
        return wanted
    isatty = getattr(stream, "isatty", None)
    return "text" if callable(isatty) and isatty() else "json"


def configure_logging(
    level: str = "INFO", *, stream: TextIO | None = None, log_format: LogFormat | None = None
) -> LogFormat:
    """One handler on the root logger; returns the format chosen."""
    install_redaction()
    out = stream or sys.stderr
    chosen = resolve_format(log_format, out)
    handler = logging.StreamHandler(out)
    handler.addFilter(_filter)  # records made before install_redaction, or by hand
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    # aiohttp.access logs full request lines, whose query strings may carry ids and filters;
    # alembic narrates every migration step at INFO, which buries the CLI's own answer.
    for noisy in ("aiohttp.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return chosen
