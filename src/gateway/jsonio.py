"""JSON out of the gateway: orjson where it can, the standard library where orjson refuses.

orjson writes compact UTF-8 about ten times faster than ``json.dumps``; it refuses integers
beyond 64 bits, non-string keys and lone surrogates, which the standard library still writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import orjson

# Values orjson would render its own way (datetimes, dataclasses, str/int subclasses) are
# refused, so they go through the caller's ``default`` like the standard library sends them.
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_STRICT |= orjson.OPT_PASSTHROUGH_SUBCLASS


def dumps_plain(value: object) -> bytes | None:
    """Compact UTF-8 JSON of a document of plain JSON types only; None when it holds others."""
    try:
        return orjson.dumps(value, option=_STRICT)
    except TypeError:
        return None


def dumps(value: object, default: Callable[[object], object] | None = None) -> bytes:
    """Compact UTF-8 JSON of ``value``; ``default`` renders what JSON has no type for."""
    plain = dumps_plain(value)
    return plain if plain is not None else dumps_standard(value, default)


def dumps_standard(value: object, default: Callable[[object], object] | None = None) -> bytes:
    """``dumps`` by the standard library alone, for a document ``dumps_plain`` refused."""
    return json.dumps(value, separators=(",", ":"), default=default).encode()
