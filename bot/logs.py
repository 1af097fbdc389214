"""Log lines: JSON for servers, readable text for `tiji dev`, each with the request id and the matter
number when they are known.

The request id and the matter number travel in context variables, so every line written while a
request (or a job) is handled carries them without being passed around: the web middleware
(``bot.web.request_ids``) sets the request id, the domain sets the matter number when it records a
change to a matter (``bot.matters.store.audit_matter``). asyncio copies the context into each task,
so a background task keeps the ids of the request that started it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from typing import Literal

from bot.settings import Settings

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("tiji_request_id", default=None)
MATTER_NUMBER: contextvars.ContextVar[str | None] = contextvars.ContextVar("tiji_matter_number", default=None)

LogFormat = Literal["json", "text"]
# One encoder for every line: ``json.dumps`` with options builds a new ``JSONEncoder`` per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
# Loggers that speak at INFO about routine work (arq: every cron run; tortoise: every query).
QUIET_AT_INFO = ("arq.worker", "tortoise", "aiohttp.access")


def bind_matter(number: str) -> None:
    """Name the matter the current request or job is about, for every log line after this one."""
    MATTER_NUMBER.set(number)


class ContextFilter(logging.Filter):
    """Puts ``request_id`` and ``matter`` on every record (None when unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        record.matter = MATTER_NUMBER.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id, matter, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "matter"):
            if (value := getattr(record, key, None)) is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return _ENCODER.encode(line)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [request matter]: message``, the ids only when there are any."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = [str(v) for v in (getattr(record, "request_id", None), getattr(record, "matter", None)) if v]
        record.ids = f" [{' '.join(ids)}]" if ids else ""
        return super().format(record)


def skip_unused_record_fields() -> None:
    """Stop ``logging`` from filling in what neither formatter writes: the caller's file and line
    (a walk up the stack on every record), the thread, process and multiprocessing names. The
    Python Logging HOWTO's "Optimization" section names these switches; they were ~a fifth of each
    log call on the callback path."""
    logging._srcfile = None  # the HOWTO's documented switch
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def setup_logging(settings: Settings, *, default_format: LogFormat = "json") -> logging.Handler:
    """Send every log record to stderr in the configured format (``TIJI_LOG_FORMAT``, else
    ``default_format``); replaces any handler set before. Returns the handler."""
    skip_unused_record_fields()
    chosen: LogFormat = settings.log_format or default_format
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = settings.log_level.upper()
    root.setLevel(level)
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    return handler
