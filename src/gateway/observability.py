"""Request-scoped log context and JSON log lines, so every line carries its correlation id."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar

from gateway import jsonio
from gateway.log_writer import BufferedLineHandler

correlation_id_var: ContextVar[str | None] = ContextVar("waybill_correlation_id", default=None)
traceparent_var: ContextVar[str | None] = ContextVar("waybill_traceparent", default=None)

# uvicorn adds an ANSI-coloured copy of each message; JSON lines do not want it.
_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "color_message",
}


class ContextFilter(logging.Filter):
    """Stamps each record with the current request's correlation id and trace id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id_var.get()
        traceparent = traceparent_var.get()
        record.trace_id = traceparent.split("-")[1] if traceparent else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields given to the logger are kept."""

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._stamp = ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:  # one strftime per second, not per line (handlers lock)
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        doc: dict[str, object] = {
            "ts": f"{self._stamp}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and value is not None:
                doc[key] = value
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return jsonio.dumps(doc, default=str).decode()


def configure_logging(level: str = "INFO") -> None:
    """Route the gateway's and the servers' logs through one JSON handler on stderr.

    Lines are written in batches (``log_writer``): at most 0.2 s late, warnings at once.
    """
    handler = BufferedLineHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "gunicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Connexion announces every mounted spec at INFO; that is start-up noise, not operations.
    logging.getLogger("connexion").setLevel(logging.WARNING)
    # The access log is ours (AccessLogMiddleware); the servers' would duplicate it.
    logging.getLogger("uvicorn.access").disabled = True
