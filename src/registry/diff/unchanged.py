"""Which local ``$ref`` targets are byte-for-byte the same, with everything they reach.

A reference whose whole closure is identical in both documents cannot hold a change, so the
schema walk skips it without looking inside. Identity is judged on canonical JSON text (C-speed
``json.dumps``), so a description edit marks a target as changed: the walk then looks inside and
finds nothing to report, which is slower but never wrong.
"""

from __future__ import annotations

import json
import re
from collections import deque

from registry.loading import JSON, DocumentError, resolve_pointer

_LOCAL_REF = re.compile(r'"\$ref":"(#[^"]*)"')


def _text(node: JSON) -> str:
    return json.dumps(node, sort_keys=True, separators=(",", ":"), default=str)


class UnchangedRefs:
    """The set of local pointers whose targets and their closures match in both documents."""

    def __init__(self, base: JSON, revision: JSON) -> None:
        self._base = base
        self._revision = revision
        self._unchanged: frozenset[str] | None = None

    def __contains__(self, pointer: object) -> bool:
        if self._unchanged is None:
            self._unchanged = self._compute()
        return pointer in self._unchanged

    def _compute(self) -> frozenset[str]:
        pointers = set(_LOCAL_REF.findall(_text(self._base)))
        pointers |= set(_LOCAL_REF.findall(_text(self._revision)))
        refs: dict[str, set[str]] = {}
        changed: set[str] = set()
        for pointer in pointers:
            try:
                old = _text(resolve_pointer(self._base, pointer[1:]))
                new = _text(resolve_pointer(self._revision, pointer[1:]))
            except DocumentError:
                changed.add(pointer)
                continue
            if old != new:
                changed.add(pointer)
            refs[pointer] = set(_LOCAL_REF.findall(old))
        # Anything that reaches a changed target is changed too: walk the references backwards.
        referrers: dict[str, list[str]] = {}
        for source, targets in refs.items():
            for target in targets:
                referrers.setdefault(target, []).append(source)
        queue = deque(changed)
        while queue:
            for source in referrers.get(queue.popleft(), ()):
                if source not in changed:
                    changed.add(source)
                    queue.append(source)
        return frozenset(pointers - changed)
