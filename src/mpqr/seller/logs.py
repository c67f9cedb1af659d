"""Structured JSON logs with request ids; secrets are masked even if some code logs them.

``configure_logging`` is called by the CLI (never at import). :class:`.http.EdgeMiddleware` gives
every request an id (the caller's ``x-request-id`` or a new one) in :data:`request_id`, logs one
line per request and returns the id in the ``x-request-id`` response header.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterable
from typing import Any

__all__ = ["JsonFormatter", "RedactFilter", "configure_logging", "request_id"]

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
log = logging.getLogger("mpqr.seller.http")

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id and any ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            **{k: v for k, v in vars(record).items() if k not in _STANDARD},
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


class RedactFilter(logging.Filter):
    """Replaces every configured secret by ``***`` in the final message and extras."""

    def __init__(self, secrets_: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets_ if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()  # stamped now: formatting may happen later
        if not self._secrets:
            return True
        message = record.getMessage()
        for secret in self._secrets:
            message = message.replace(secret, "***")
        record.msg, record.args = message, None
        return True


def configure_logging(secrets_: Iterable[str], level: int = logging.INFO) -> logging.Handler:
    """JSON lines on stderr for the ``mpqr`` loggers, with secrets masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter(secrets_))
    root = logging.getLogger("mpqr")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    return handler
