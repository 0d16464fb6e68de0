"""Pairing the media types of two versions of a body, wildcards and parameters included.

``application/json`` and ``application/json; charset=utf-8`` name the same content; a range such
as ``application/*`` or ``*/*`` covers every type it matches. A media type without an exact
counterpart is paired with one that names the same type, then with a range that covers it (the
revision generalised it) or one it covers (the revision specialised it); only what is left over
was removed or added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

Relation = Literal["same", "renamed", "generalized", "specialized"]


@dataclass(frozen=True)
class MediaPairs:
    """The outcome of pairing: (old, new, relation) pairs, and the unpaired names each side."""

    pairs: list[tuple[str, str, Relation]]
    removed: list[str]
    added: list[str]


def essence(name: str) -> str:
    """``type/subtype`` without parameters, lower-cased (RFC 9110 media types are
    case-insensitive)."""
    return name.split(";", 1)[0].strip().lower()


def covers(media_range: str, name: str) -> bool:
    """Whether ``media_range`` (``*/*``, ``type/*`` or a type) matches the media type ``name``."""
    outer, inner = essence(media_range), essence(name)
    if outer in (inner, "*/*"):
        return True
    kind, _, sub = outer.partition("/")
    return sub == "*" and inner.partition("/")[0] == kind


def pair_media_types(old: Iterable[str], new: Iterable[str]) -> MediaPairs:
    """Pair the media types of a base and a revision body (see the module docstring)."""
    left = sorted(old)
    right = sorted(new)
    pairs: list[tuple[str, str, Relation]] = []

    def take(relation: Relation, match: Callable[[str, str], bool]) -> None:
        for name in list(left):
            found = next((other for other in right if match(name, other)), None)
            if found is not None:
                pairs.append((name, found, relation))
                left.remove(name)
                right.remove(found)

    take("same", lambda a, b: a == b)
    take("renamed", lambda a, b: essence(a) == essence(b))
    # Most specific range first: application/* before */*.
    right.sort(key=_generality)
    take("generalized", lambda a, b: covers(b, a))
    left.sort(key=_generality)
    take("specialized", covers)
    return MediaPairs(sorted(pairs), sorted(left), sorted(right))


def _generality(name: str) -> tuple[int, str]:
    text = essence(name)
    return (2 if text == "*/*" else 1 if text.endswith("/*") else 0, name)
