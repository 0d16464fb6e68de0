"""Confluent Schema Registry's seven compatibility modes, over any reader/writer checker.

BACKWARD: the new schema (reader) reads data written with the latest previous one.
FORWARD: the latest previous schema (reader) reads data written with the new one.
FULL: both. The ``_TRANSITIVE`` variants check against every previous version instead of only the
latest; NONE checks nothing. Previous versions are given oldest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from registry.compat.result import Incompatibility

S = TypeVar("S")
Checker = Callable[[S, S], list[Incompatibility]]


class Mode(StrEnum):
    """A compatibility mode, spelled as Confluent spells it."""

    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def backward(self) -> bool:
        return self in (Mode.BACKWARD, Mode.BACKWARD_TRANSITIVE, Mode.FULL, Mode.FULL_TRANSITIVE)

    @property
    def forward(self) -> bool:
        return self in (Mode.FORWARD, Mode.FORWARD_TRANSITIVE, Mode.FULL, Mode.FULL_TRANSITIVE)

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")


@dataclass(frozen=True)
class Pairing(Generic[S]):
    """One reader/writer comparison a mode asks for, with a label that says which it is."""

    reader: S
    writer: S
    label: str


def pairings(mode: Mode, new: S, previous: Sequence[S]) -> list[Pairing[S]]:
    """The reader/writer pairs ``mode`` checks, latest previous version first."""
    count = len(previous)
    indexed = list(enumerate(previous, start=1))
    chosen = indexed[::-1] if mode.transitive else indexed[-1:]
    pairs: list[Pairing[S]] = []
    for number, old in chosen:
        version = f"previous version {number} of {count}"
        if mode.backward:
            pairs.append(Pairing(new, old, f"backward: the new schema reading data of {version}"))
        if mode.forward:
            pairs.append(Pairing(old, new, f"forward: {version} reading data of the new schema"))
    return pairs


def run_mode(
    check: Checker[S], mode: Mode, new: S, previous: Sequence[S]
) -> list[tuple[str, Incompatibility]]:
    """Every incompatibility ``mode`` finds, each with the label of the pair it was found in."""
    found: list[tuple[str, Incompatibility]] = []
    for pair in pairings(mode, new, previous):
        found.extend((pair.label, issue) for issue in check(pair.reader, pair.writer))
    return found
