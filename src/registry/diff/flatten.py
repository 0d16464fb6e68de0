"""Opt-in ``allOf`` flattening: merge the members of every ``allOf`` into one schema before diffing.

Moving a property from a schema into an ``allOf`` member (or back) then reads as no change, which
is what callers see. Members are merged as JSON Schema conjunction would have them: properties
united (a property defined twice keeps both definitions in an ``allOf`` of its own), ``required``
united, ``enum`` intersected, upper bounds the smallest, lower bounds the largest. An ``allOf``
whose members cannot all be read as objects here (a reference into another file, a reference
cycle, a boolean schema) is left as written.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from registry.loading import JSON, Document, DocumentError, resolve_pointer

_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")


def flatten_document(doc: Document, path: Path | None = None) -> Document:
    """A copy of ``doc`` with every ``allOf`` it can read merged into its parent schema."""
    root = copy.deepcopy(doc)
    _Flattener(root, str(path or "<document>")).walk(root)
    return root


class _Flattener:
    def __init__(self, root: Document, source: str) -> None:
        self.root = root
        self.source = source
        self.done: set[int] = set()
        self.in_progress: set[int] = set()

    def walk(self, node: JSON) -> None:
        """Flatten every schema under ``node`` (children first), each node once."""
        if not isinstance(node, dict | list) or id(node) in self.done:
            return
        if id(node) in self.in_progress:
            return  # a cycle through shared YAML nodes: leave the inner occurrence as it is
        self.in_progress.add(id(node))
        children = node.values() if isinstance(node, dict) else node
        for child in list(children):
            self.walk(child)
        if isinstance(node, dict):
            self._merge_all_of(node)
        self.in_progress.discard(id(node))
        self.done.add(id(node))

    def _member(self, member: JSON, seen: frozenset[str]) -> dict[str, JSON] | None:
        """A member's schema with local references followed, or None when it cannot be read."""
        hops = 0
        while isinstance(member, dict) and isinstance(member.get("$ref"), str):
            ref = str(member["$ref"])
            if not ref.startswith("#") or ref in seen or hops > 32:
                return None
            seen, hops = seen | {ref}, hops + 1
            try:
                target = resolve_pointer(self.root, ref[1:], source=self.source)
            except DocumentError:
                return None
            siblings = {k: v for k, v in member.items() if k != "$ref"}
            if siblings and isinstance(target, dict):
                return self._member({"allOf": [target, siblings]}, seen)
            member = target
        if not isinstance(member, dict):
            return None
        self.walk(member)
        if isinstance(member.get("allOf"), list):
            return None  # a member whose own allOf could not be flattened
        return member

    def _merge_all_of(self, node: dict[str, JSON]) -> None:
        members = node.get("allOf")
        if not isinstance(members, list) or not members:
            return
        read = [self._member(m, frozenset()) for m in members]
        if any(m is None for m in read):
            return
        own = {k: v for k, v in node.items() if k != "allOf"}
        merged: dict[str, JSON] = {}
        for part in [*(m for m in read if m is not None), own]:
            _merge_into(merged, part)
        node.clear()
        node.update(merged)


def _merge_into(target: dict[str, JSON], part: dict[str, JSON]) -> None:
    for key, value in part.items():
        if key not in target:
            target[key] = copy.deepcopy(value)
            continue
        current = target[key]
        merger = _MERGERS.get(key)
        if merger is not None:
            target[key] = merger(current, value)
        elif key in _UPPER and _is_number(current) and _is_number(value):
            target[key] = min(current, value)  # type: ignore[type-var]
        elif key in _LOWER and _is_number(current) and _is_number(value):
            target[key] = max(current, value)  # type: ignore[type-var]
        # any other keyword: the first definition stands (annotations, mostly)


def _is_number(value: JSON) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _merge_properties(a: JSON, b: JSON) -> JSON:
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return a
    merged = dict(a)
    for name, schema in b.items():
        if name not in merged or merged[name] == schema:
            merged[name] = copy.deepcopy(schema)
        else:
            both: dict[str, JSON] = {}
            for side in (merged[name], schema):
                if isinstance(side, dict) and not isinstance(side.get("$ref"), str):
                    _merge_into(both, side)
                else:
                    both = {"allOf": [merged[name], copy.deepcopy(schema)]}
                    break
            merged[name] = both
    return merged


def _merge_required(a: JSON, b: JSON) -> JSON:
    first = a if isinstance(a, list) else []
    second = b if isinstance(b, list) else []
    return [*first, *(n for n in second if n not in first)]


def _merge_enum(a: JSON, b: JSON) -> JSON:
    if not (isinstance(a, list) and isinstance(b, list)):
        return a
    return [v for v in a if v in b]


def _merge_type(a: JSON, b: JSON) -> JSON:
    left = a if isinstance(a, list) else [a]
    right = b if isinstance(b, list) else [b]
    common = [t for t in left if t in right]
    if not common:
        return a  # contradictory members: keep the first; the diff still sees both documents
    return common[0] if len(common) == 1 else common


_MERGERS: dict[str, Callable[[JSON, JSON], JSON]] = {
    "properties": _merge_properties,
    "required": _merge_required,
    "enum": _merge_enum,
    "type": _merge_type,
}
