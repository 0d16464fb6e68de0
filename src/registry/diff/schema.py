"""Direction-aware comparison of two JSON Schemas (OpenAPI 3.0 and 3.1 dialects).

The comparison is split in two. ``_Local`` holds what differs *at* one pair of schema nodes
(facts such as "maxLength decreased") plus the child pairs to look at next; it is computed once
per node pair and direction, whichever operation reaches it. ``SchemaComparator.compare`` then
walks the pair graph from one root (a request body, a parameter, a response) visiting each pair
once, so recursive schemas terminate and a component shared by several operations is reported
for each of them.

Facts do not carry levels. A fact names rule-id suffixes ("max-length-decreased"); the rules
table decides, per direction and scope, which id applies and how much it matters — narrowing a
request breaks callers, narrowing a response does not, and the table says so.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from registry.diff.refs import Resolver, ref_name
from registry.diff.rules import RULES, Direction, Rule
from registry.diff.unchanged import UnchangedRefs
from registry.loading import JSON
from registry.model import Change

Scope = Literal["body", "parameter", "header"]

# Rule-id prefixes tried in order, by (direction, scope, at the root of the schema or nested).
_PREFIXES: dict[tuple[Direction, Scope, bool], tuple[str, ...]] = {
    (Direction.REQUEST, "body", True): ("request-body", "request-property"),
    (Direction.REQUEST, "body", False): ("request-property",),
    (Direction.REQUEST, "parameter", True): ("request-parameter", "request-property"),
    (Direction.REQUEST, "parameter", False): ("request-parameter-property", "request-property"),
    (Direction.REQUEST, "header", True): ("request-parameter", "request-property"),
    (Direction.REQUEST, "header", False): ("request-parameter-property", "request-property"),
    (Direction.RESPONSE, "body", True): (
        "response-body",
        "response-mediatype",
        "response-property",
    ),
    (Direction.RESPONSE, "body", False): ("response-property",),
    (Direction.RESPONSE, "parameter", True): ("response-body", "response-property"),
    (Direction.RESPONSE, "parameter", False): ("response-property",),
    (Direction.RESPONSE, "header", True): ("response-header", "response-property"),
    (Direction.RESPONSE, "header", False): ("response-property",),
}

# Keywords that document a schema without changing which values it accepts.
COSMETIC = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs", "$comment", "xml"}
)
_KEPT_EXTENSIONS = frozenset({"x-extensible-enum", "x-stability-level", "x-sunset"})
_STABILITY = ("draft", "alpha", "beta", "stable")
_WIDER_FORMATS = {("int32", "int64"), ("float", "double")}
_MATCH_ANYTHING = frozenset({".*", "^.*$", "^.*", ".*$", ""})

_MAX, _MIN = "max", "min"
# (keyword, rule-id stem, which way it bounds, implicit value when absent)
_BOUNDS: tuple[tuple[str, str, str, float | None], ...] = (
    ("maxLength", "max-length", _MAX, None),
    ("minLength", "min-length", _MIN, 0),
    ("maxItems", "max-items", _MAX, None),
    ("minItems", "min-items", _MIN, 0),
    ("maxContains", "max-contains", _MAX, None),
    ("minContains", "min-contains", _MIN, 1),
)
# Subschema keywords whose presence alone narrows what is accepted (3.1 vocabulary mostly).
_PRESENCE = (
    ("if", "if"),
    ("then", "then"),
    ("else", "else"),
    ("contains", "contains"),
    ("propertyNames", "property-names"),
    ("unevaluatedItems", "unevaluated-items"),
    ("unevaluatedProperties", "unevaluated-properties"),
    ("contentSchema", "content-schema"),
)
_COMPOSITION = (("oneOf", "one-of"), ("anyOf", "any-of"), ("allOf", "all-of"))
_TYPE_KEYS = frozenset({"type", "nullable", "format"})
_VALUE_KEYS = frozenset({"enum", "x-extensible-enum", "const", "default"})
_CONSTRAINT_KEYS = frozenset(
    {keyword for keyword, *_ in _BOUNDS}
    | {"maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "pattern"}
    | {"contentMediaType", "contentEncoding"}
)
_COMPOSITION_KEYS = frozenset(keyword for keyword, _ in _COMPOSITION)
_SUBSCHEMA_KEYS = frozenset(
    {keyword for keyword, _ in _PRESENCE}
    | {"items", "additionalProperties", "prefixItems", "dependentSchemas", "patternProperties"}
    | {"dependentRequired"}
)
_TRUE_SCHEMA: dict[str, JSON] = {}
_FALSE_SCHEMA: dict[str, JSON] = {"not": {}}
_ABSENT = object()


@dataclass(frozen=True)
class Fact:
    """Something that differs at a node: rule-id suffixes to try and a human detail."""

    suffixes: tuple[str, ...]
    detail: str
    # Facts about a property are found at its parent object; these locate the property.
    pointer: tuple[str, ...] = ()
    subject: tuple[str, ...] = ()
    # True when ``suffixes`` are whole rule ids rather than suffixes for the scope prefixes.
    fixed: bool = False


@dataclass(frozen=True)
class _Edge:
    """A child pair to compare next, with where it sits relative to its parent."""

    base: JSON
    rev: JSON
    pointer: tuple[str, ...]
    subject: tuple[str, ...] = ()


@dataclass
class _Local:
    facts: list[Fact]
    edges: list[_Edge]


@lru_cache(maxsize=65536)
def escape(segment: str) -> str:
    """Escape one JSON-pointer segment (RFC 6901)."""
    return segment.replace("~", "~0").replace("/", "~1")


def _dump(value: JSON) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _show(value: JSON) -> str:
    text = _dump(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_schema(node: JSON) -> dict[str, JSON] | None:
    if node is True:
        return _TRUE_SCHEMA
    if node is False:
        return _FALSE_SCHEMA
    return node if isinstance(node, dict) else None


def _types(schema: dict[str, JSON]) -> tuple[frozenset[str] | None, bool]:
    """Non-null types (None: unconstrained) and whether null is allowed, in 3.0 or 3.1 style."""
    raw = schema.get("type")
    if isinstance(raw, str):
        names = {raw}
    elif isinstance(raw, list):
        names = {t for t in raw if isinstance(t, str)}
    else:
        return None, schema.get("nullable") is True
    nullable = "null" in names or schema.get("nullable") is True
    names.discard("null")
    return frozenset(names), nullable


def _bound(schema: dict[str, JSON], keyword: str) -> float | None:
    value = schema.get(keyword)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _number_bound(schema: dict[str, JSON], side: str) -> tuple[float, int] | None:
    """``maximum``/``minimum`` with 3.0's boolean exclusivity folded into an ordering key."""
    keyword, flag = (
        ("maximum", "exclusiveMaximum") if side == _MAX else ("minimum", "exclusiveMinimum")
    )
    value = _bound(schema, keyword)
    if value is None:
        return None
    exclusive = schema.get(flag) is True
    # Larger keys are wider for a maximum and narrower for a minimum.
    return (value, 0 if exclusive else 1) if side == _MAX else (value, 1 if exclusive else 0)


def _bound_text(keyword: str, key: tuple[float, int] | float | None) -> str:
    if key is None:
        return "none"
    if isinstance(key, tuple):
        exclusive = (key[1] == 0) if keyword == "maximum" else (key[1] == 1)
        return f"{key[0]:g}{' (exclusive)' if exclusive else ''}"
    return f"{key:g}"


def _bound_facts(
    stem: str, keyword: str, side: str, *, old: JSON, new: JSON, default: float | None
) -> Iterator[Fact]:
    """Facts for one numeric bound; ``old``/``new`` are comparable keys or None."""
    b = old if old is not None else default
    r = new if new is not None else default
    if b == r:
        return
    text = f"{keyword} changed from {_bound_text(keyword, old)} to {_bound_text(keyword, new)}"  # type: ignore[arg-type]
    if side == _MAX:
        if old is None:
            yield Fact((f"{stem}-set", f"{stem}-decreased"), text)
        elif new is None:
            yield Fact((f"{stem}-unset", f"{stem}-increased"), text)
        else:
            yield Fact((f"{stem}-decreased" if r < b else f"{stem}-increased",), text)  # type: ignore[operator]
    elif old is None:
        yield Fact((f"{stem}-set", f"{stem}-increased"), text)
    elif new is None:
        yield Fact((f"{stem}-unset", f"{stem}-decreased"), text)
    else:
        yield Fact((f"{stem}-increased" if r > b else f"{stem}-decreased",), text)  # type: ignore[operator]


def _type_facts(b: dict[str, JSON], r: dict[str, JSON]) -> Iterator[Fact]:
    bt, bnull = _types(b)
    rt, rnull = _types(r)
    if bnull != rnull:
        yield Fact(("became-nullable",) if rnull else ("became-not-nullable",), "nullable changed")
    if bt != rt:
        yield from _type_set_facts(bt, rt)
        return
    bf, rf = b.get("format"), r.get("format")
    if bf == rf:
        return
    text = f"format changed from {bf or 'none'} to {rf or 'none'}"
    if rf is None or (bf, rf) in _WIDER_FORMATS:
        yield Fact(("type-generalized",), text)
    elif bf is None or (rf, bf) in _WIDER_FORMATS:
        yield Fact(("type-specialized", "type-changed"), text)
    else:
        yield Fact(("type-changed",), text)


def _type_set_facts(bt: frozenset[str] | None, rt: frozenset[str] | None) -> Iterator[Fact]:
    def name(types: frozenset[str] | None) -> str:
        return "any" if types is None else "/".join(sorted(types)) or "null"

    text = f"type changed from {name(bt)} to {name(rt)}"
    if bt is None:
        yield Fact(("type-specialized", "type-changed"), text)
    elif rt is None:
        yield Fact(("type-generalized",), text)
    elif len(bt) <= 1 and len(rt) <= 1:
        pair = (next(iter(bt), "null"), next(iter(rt), "null"))
        if pair == ("integer", "number"):
            yield Fact(("type-generalized",), text)
        elif pair == ("number", "integer"):
            yield Fact(("type-specialized", "type-changed"), text)
        else:
            yield Fact(("type-changed",), text)
    else:
        for added in sorted(rt - bt):
            yield Fact(("list-of-types-widened",), f"type {added} added to {name(bt)}")
        for removed in sorted(bt - rt):
            yield Fact(("list-of-types-narrowed",), f"type {removed} removed from {name(bt)}")


def _value_facts(b: dict[str, JSON], r: dict[str, JSON]) -> Iterator[Fact]:
    benum, renum = b.get("enum"), r.get("enum")
    if isinstance(benum, list) and isinstance(renum, list):
        old, new = {_dump(v): v for v in benum}, {_dump(v): v for v in renum}
        for key in new.keys() - old.keys():
            yield Fact(("enum-value-added",), f"enum value {_show(new[key])} added")
        for key in old.keys() - new.keys():
            yield Fact(("enum-value-removed",), f"enum value {_show(old[key])} removed")
    elif isinstance(renum, list) and benum is None:
        yield Fact(("became-enum",), f"restricted to enum {_show(renum)}")
    bext, rext = b.get("x-extensible-enum"), r.get("x-extensible-enum")
    if isinstance(bext, list) and isinstance(rext, list):
        for gone in sorted({_dump(v) for v in bext} - {_dump(v) for v in rext}):
            yield Fact(
                ("x-extensible-enum-value-removed",), f"x-extensible-enum value {gone} removed"
            )
    for keyword, stem in (("const", "const"), ("default", "default-value")):
        old_v, new_v = b.get(keyword, _ABSENT), r.get(keyword, _ABSENT)
        if old_v is _ABSENT and new_v is _ABSENT:
            continue
        if old_v is _ABSENT:
            yield Fact((f"{stem}-added",), f"{keyword} {_show(new_v)} added")  # type: ignore[arg-type]
        elif new_v is _ABSENT:
            yield Fact((f"{stem}-removed",), f"{keyword} {_show(old_v)} removed")  # type: ignore[arg-type]
        elif _dump(old_v) != _dump(new_v):  # type: ignore[arg-type]
            text = f"{keyword} changed from {_show(old_v)} to {_show(new_v)}"  # type: ignore[arg-type]
            yield Fact((f"{stem}-changed",), text)


def _constraint_facts(b: dict[str, JSON], r: dict[str, JSON]) -> Iterator[Fact]:
    for keyword, stem, side, default in _BOUNDS:
        old_value, new_value = _bound(b, keyword), _bound(r, keyword)
        yield from _bound_facts(stem, keyword, side, old=old_value, new=new_value, default=default)
    for side, keyword, stem in ((_MAX, "maximum", "max"), (_MIN, "minimum", "min")):
        old, new = _number_bound(b, side), _number_bound(r, side)
        yield from _bound_facts(stem, keyword, side, old=old, new=new, default=None)  # type: ignore[arg-type]
    for side, keyword, stem in (
        (_MAX, "exclusiveMaximum", "exclusive-max"),
        (_MIN, "exclusiveMinimum", "exclusive-min"),
    ):
        old_value, new_value = _bound(b, keyword), _bound(r, keyword)
        yield from _bound_facts(stem, keyword, side, old=old_value, new=new_value, default=None)
    bp, rp = b.get("pattern"), r.get("pattern")
    if bp != rp:
        if bp is None:
            yield Fact(("pattern-added",), f"pattern {_show(rp)} added")
        elif rp is None:
            yield Fact(("pattern-removed",), f"pattern {_show(bp)} removed")
        elif rp in _MATCH_ANYTHING:
            text = f"pattern changed from {_show(bp)} to {_show(rp)}"
            yield Fact(("pattern-generalized", "pattern-changed"), text)
        else:
            yield Fact(("pattern-changed",), f"pattern changed from {_show(bp)} to {_show(rp)}")
    for keyword, stem in (
        ("contentMediaType", "content-media-type"),
        ("contentEncoding", "content-encoding"),
    ):
        if b.get(keyword) != r.get(keyword):
            text = f"{keyword} changed from {b.get(keyword)} to {r.get(keyword)}"
            yield Fact((f"{stem}-changed",), text)


def _discriminator_facts(b: dict[str, JSON], r: dict[str, JSON]) -> Iterator[Fact]:
    bd, rd = b.get("discriminator"), r.get("discriminator")
    if not isinstance(bd, dict) and not isinstance(rd, dict):
        return
    if not isinstance(bd, dict):
        yield Fact(("discriminator-added",), "discriminator added")
        return
    if not isinstance(rd, dict):
        yield Fact(("discriminator-removed",), "discriminator removed")
        return
    if bd.get("propertyName") != rd.get("propertyName"):
        old_name, new_name = bd.get("propertyName"), rd.get("propertyName")
        text = f"discriminator propertyName changed from {old_name} to {new_name}"
        yield Fact(("discriminator-property-name-changed",), text)
    bm, rm = _mapping(bd.get("mapping")), _mapping(rd.get("mapping"))
    for key in rm.keys() - bm.keys():
        yield Fact(("discriminator-mapping-added",), f"discriminator mapping {key} added")
    for key in bm.keys() - rm.keys():
        yield Fact(("discriminator-mapping-deleted",), f"discriminator mapping {key} removed")
    for key in bm.keys() & rm.keys():
        if bm[key] != rm[key]:
            text = f"discriminator mapping {key} changed from {bm[key]} to {rm[key]}"
            yield Fact(("discriminator-mapping-changed",), text)


def _mapping(node: JSON) -> dict[str, JSON]:
    return node if isinstance(node, dict) else {}


def _names(node: JSON) -> set[str]:
    return {n for n in node if isinstance(n, str)} if isinstance(node, list) else set()


def _stability_rank(node: dict[str, JSON]) -> int | None:
    level = node.get("x-stability-level")
    return _STABILITY.index(level) if level in _STABILITY else None


# A judged fact: its rule, pointer below the root, property path text, and detail.
_Found = tuple[Rule, str, str, str]
_Step = tuple[JSON, Path | None, JSON, Path | None, tuple[str, ...], tuple[str, ...]]
# Closures computed inside other closures, at most this deep (each level is a Python frame).
_MAX_NESTED_WALKS = 40


@dataclass
class _Closure:
    """What a walk from one node pair found: its own facts and the closures it spliced in.

    Items are ``(pointer, path, fact)`` or ``(pointer, path, closure)`` in walk order; closures
    form a DAG (a walk only splices closures that are complete), so they share structure instead
    of copying every fact of every component they reach.
    """

    items: list[tuple[tuple[str, ...], tuple[str, ...], Fact | _Closure]]


def _flatten(closure: _Closure) -> Iterator[tuple[Fact, tuple[str, ...], tuple[str, ...]]]:
    """Every fact under a closure once, at its least pointer (shortest, then alphabetical).

    Popping in pointer order makes the reported location independent of key order and of which
    closures happened to be spliced.
    """
    seen: set[int] = set()
    heap: list[tuple[int, tuple[str, ...], int, tuple[str, ...], Fact | _Closure]] = []
    counter = 0
    for pointer, path, what in closure.items:
        heap.append((len(pointer), pointer, counter, path, what))
        counter += 1
    heapq.heapify(heap)
    seen.add(id(closure))
    while heap:
        _, pointer, _, path, what = heapq.heappop(heap)
        if id(what) in seen:
            continue
        seen.add(id(what))
        if isinstance(what, _Closure):
            for sub_pointer, sub_path, inner in what.items:
                if id(inner) not in seen:
                    full = pointer + sub_pointer
                    heapq.heappush(heap, (len(full), full, counter, path + sub_path, inner))
                    counter += 1
        else:
            yield what, pointer, path


def _judge(
    fact: Fact, direction: Direction, scope: Scope, pointer: tuple[str, ...], path: tuple[str, ...]
) -> _Found | None:
    """Pick the rule for a fact: the first candidate id the table knows, or None (unjudged)."""
    full_path = path + fact.subject
    if fact.fixed:
        candidates: tuple[str, ...] = fact.suffixes
    else:
        prefixes = _PREFIXES[(direction, scope, not full_path)]
        candidates = tuple(f"{p}-{s}" for s in fact.suffixes for p in prefixes)
    rule = next((RULES[c] for c in candidates if c in RULES), None)
    if rule is None:
        return None  # e.g. a response narrowing: nothing a caller needs to hear about
    where = "/".join(escape(p) for p in pointer + fact.pointer)
    return rule, where, _path_text(full_path), fact.detail


class SchemaComparator:
    """Compares schemas of a base and a revision document; reusable across many roots."""

    def __init__(
        self, base: Resolver, revision: Resolver, unchanged: UnchangedRefs | None = None
    ) -> None:
        self.base = base
        self.revision = revision
        self.unchanged = unchanged
        self._locals: dict[tuple[int, int, Direction], _Local] = {}
        self._found: dict[tuple[int, int, Direction, Scope], list[_Found]] = {}
        self._closures: dict[tuple[int, int, Direction], _Closure] = {}
        self._in_progress: set[tuple[int, int, Direction]] = set()
        self._shapes: dict[tuple[int, int, int], str] = {}

    def compare(
        self,
        base: JSON,
        revision: JSON,
        *,
        direction: Direction,
        location: str,
        operation: str | None,
        subject: str,
        scope: Scope = "body",
        base_file: Path | None = None,
        revision_file: Path | None = None,
    ) -> list[Change]:
        """Changes between two schemas, judged for ``direction``, located under ``location``."""
        if self._same_ref(base, base_file, revision, revision_file):
            return []
        b, bfile = self.base.deref(base, base_file)
        r, rfile = self.revision.deref(revision, revision_file)
        bs, rs = _as_schema(b), _as_schema(r)
        if bs is None or rs is None:
            return []
        key = (id(bs), id(rs), direction, scope)
        found = self._found.get(key)
        if found is None:
            closure = self._closure(bs, bfile, rs, rfile, direction)
            judged = (_judge(f, direction, scope, p, s) for f, p, s in _flatten(closure))
            found = [item for item in judged if item is not None]
            self._found[key] = found
        changes = []
        for rule, where, name, detail in found:
            label = f"{subject} property '{name}'" if name else subject
            changes.append(
                Change(
                    id=rule.id,
                    level=rule.level,
                    operation=operation,
                    location=f"{location}/{where}" if where else location,
                    message=f"{label}: {detail}",
                )
            )
        return changes

    def _same_ref(self, b: JSON, bfile: Path | None, r: JSON, rfile: Path | None) -> bool:
        """Both nodes are the same local reference to a target that did not change at all."""
        if not (isinstance(b, dict) and isinstance(r, dict)):
            return False
        ref = b.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#") and ref == r.get("$ref")):
            return False
        if bfile not in (None, self.base.path) or rfile not in (None, self.revision.path):
            return False
        if len(b) > 1 or len(r) > 1:
            return False
        return self.unchanged is not None and ref in self.unchanged

    def _closure(
        self,
        bs: dict[str, JSON],
        bfile: Path | None,
        rs: dict[str, JSON],
        rfile: Path | None,
        direction: Direction,
    ) -> _Closure:
        """Every fact reachable from a pair, each at its shortest path (memoised per pair).

        Breadth-first over the pair graph with a visited set, so recursive schemas end. When the
        walk meets a ``$ref`` pair whose closure is known (or can be computed without re-entering
        one in progress), it splices that closure in instead of walking the component again:
        this is what keeps a 4 MB document with hundreds of operations sharing the same
        components fast.
        """
        root = (id(bs), id(rs), direction)
        known = self._closures.get(root)
        if known is not None:
            return known
        self._in_progress.add(root)
        closure = _Closure([])
        visited: set[tuple[int, int]] = set()
        # Visit pairs in pointer order (shortest, then alphabetical): each pair is first reached
        # at its least pointer, whatever the key order of the documents.
        queue: list[tuple[int, tuple[str, ...], int, _Step]] = [
            (0, (), 0, (bs, bfile, rs, rfile, (), ()))
        ]
        counter = 1
        while queue:
            b, bfile, r, rfile, pointer, path = heapq.heappop(queue)[3]
            if self._same_ref(b, bfile, r, rfile):
                continue
            via_ref = isinstance(b, dict) and "$ref" in b
            b, bfile = self.base.deref(b, bfile)
            r, rfile = self.revision.deref(r, rfile)
            bnode, rnode = _as_schema(b), _as_schema(r)
            if bnode is None or rnode is None:
                continue
            pair = (id(bnode), id(rnode))
            if pair in visited:
                continue
            visited.add(pair)
            if via_ref and pointer and self._can_splice((*pair, direction)):
                inner = self._closure(bnode, bfile, rnode, rfile, direction)
                if inner.items:
                    closure.items.append((pointer, path, inner))
                continue
            local = self._local(bnode, bfile, rnode, rfile, direction)
            closure.items.extend((pointer, path, fact) for fact in local.facts)
            for edge in local.edges:
                full = pointer + edge.pointer
                step = (edge.base, bfile, edge.rev, rfile, full, path + edge.subject)
                heapq.heappush(queue, (len(full), full, counter, step))
                counter += 1
        self._in_progress.discard(root)
        self._closures[root] = closure
        return closure

    def _can_splice(self, key: tuple[int, int, Direction]) -> bool:
        if key in self._closures:
            return True
        return key not in self._in_progress and len(self._in_progress) < _MAX_NESTED_WALKS

    def _local(
        self,
        b: dict[str, JSON],
        bfile: Path | None,
        r: dict[str, JSON],
        rfile: Path | None,
        direction: Direction,
    ) -> _Local:
        key = (id(b), id(r), direction)
        cached = self._locals.get(key)
        if cached is not None:
            return cached
        facts: list[Fact] = []
        edges: list[_Edge] = []
        # Most schemas use a handful of keywords: skip the families neither side mentions.
        keys = b.keys() | r.keys()
        if not keys.isdisjoint(_TYPE_KEYS):
            facts.extend(_type_facts(b, r))
        if not keys.isdisjoint(_VALUE_KEYS):
            facts.extend(_value_facts(b, r))
        if not keys.isdisjoint(_CONSTRAINT_KEYS):
            facts.extend(_constraint_facts(b, r))
        if "discriminator" in keys:
            facts.extend(_discriminator_facts(b, r))
        if not keys.isdisjoint(_COMPOSITION_KEYS):
            self._composition(b, bfile, r, rfile, facts=facts, edges=edges)
        if "properties" in keys or "required" in keys:
            self._properties(b, bfile, r, rfile, direction=direction, facts=facts, edges=edges)
        if not keys.isdisjoint(_SUBSCHEMA_KEYS):
            self._subschemas(b, r, facts, edges)
        local = _Local(facts, edges)
        self._locals[key] = local
        return local

    def _composition(
        self,
        b: dict[str, JSON],
        bfile: Path | None,
        r: dict[str, JSON],
        rfile: Path | None,
        *,
        facts: list[Fact],
        edges: list[_Edge],
    ) -> None:
        for keyword, stem in _COMPOSITION:
            bl, rl = b.get(keyword), r.get(keyword)
            old = bl if isinstance(bl, list) else []
            new = rl if isinstance(rl, list) else []
            if not old and not new:
                continue
            pairs, removed, added = self._match(old, bfile, new, rfile)
            for i, j in pairs:
                edges.append(_Edge(old[i], new[j], (keyword, str(j))))
            for j in added:
                label = ref_name(new[j]) or f"#{j}"
                facts.append(
                    Fact((f"{stem}-added",), f"{keyword} member {label} added", (keyword, str(j)))
                )
            for i in removed:
                label = ref_name(old[i]) or f"#{i}"
                facts.append(
                    Fact((f"{stem}-removed",), f"{keyword} member {label} removed", (keyword,))
                )

    def _match(
        self, old: list[JSON], bfile: Path | None, new: list[JSON], rfile: Path | None
    ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        """Pair composition members by content only (never by ``$ref`` name, so inlining a
        member changes nothing): equal shapes first, then the most similar, then by position."""
        old_shapes = [self._shape(self.base, m, bfile) for m in old]
        new_shapes = [self._shape(self.revision, m, rfile) for m in new]
        left, right = list(range(len(old))), list(range(len(new)))
        pairs: list[tuple[int, int]] = []
        for i in list(left):
            j = next((j for j in right if old_shapes[i] == new_shapes[j]), None)
            if j is not None:
                pairs.append((i, j))
                left.remove(i)
                right.remove(j)
        if left and right:
            old_parts = {i: self._parts(self.base, old[i], bfile) for i in left}
            new_parts = {j: self._parts(self.revision, new[j], rfile) for j in right}
            scored = sorted(
                ((len(old_parts[i] & new_parts[j]), i, j) for i in left for j in right),
                key=lambda t: (-t[0], t[1], t[2]),
            )
            for score, i, j in scored:
                if score and i in left and j in right:
                    pairs.append((i, j))
                    left.remove(i)
                    right.remove(j)
        if len(left) == len(right):
            pairs.extend(zip(left, right, strict=True))
            left, right = [], []
        return sorted(pairs, key=lambda p: p[1]), left, right

    def _parts(self, resolver: Resolver, node: JSON, file: Path | None) -> set[str]:
        """Top-level keyword/value shapes of a member, and its property names, for similarity."""
        target, tfile = resolver.deref(node, file)
        if not isinstance(target, dict):
            return {_dump(target)}
        parts = {
            f"{k}={self._shape(resolver, v, tfile, 1)}"
            for k, v in target.items()
            if k not in COSMETIC and k != "properties"
        }
        parts.update(f"property:{name}" for name in _mapping(target.get("properties")))
        return parts

    def _shape(self, resolver: Resolver, node: JSON, file: Path | None, depth: int = 3) -> str:
        """Canonical text of a schema to ``depth`` levels (refs expanded, annotations dropped)."""
        # Keyed by resolver too: in-memory documents may share node objects across versions.
        key = (id(resolver), id(node), depth)
        cached = self._shapes.get(key)
        if cached is not None:
            return cached
        if depth == 0 and isinstance(node, dict | list):
            # Past the depth limit every container looks alike, referenced or inline, so that
            # inlining a ``$ref`` never changes how members are paired.
            text = "{…}" if isinstance(node, dict) else "[…]"
        else:
            target, tfile = resolver.deref(node, file)
            text = self._canonical(resolver, target, tfile, max(depth - 1, 0))
        self._shapes[key] = text
        return text

    def _canonical(self, resolver: Resolver, node: JSON, file: Path | None, depth: int) -> str:
        if isinstance(node, dict):
            parts = [
                f"{_dump(k)}:{self._shape(resolver, v, file, depth)}"
                for k, v in sorted(node.items())
                if k not in COSMETIC and not (k.startswith("x-") and k not in _KEPT_EXTENSIONS)
            ]
            return "{" + ",".join(parts) + "}"
        if isinstance(node, list):
            return "[" + ",".join(self._shape(resolver, v, file, depth) for v in node) + "]"
        return _dump(node)

    def _properties(
        self,
        b: dict[str, JSON],
        bfile: Path | None,
        r: dict[str, JSON],
        rfile: Path | None,
        *,
        direction: Direction,
        facts: list[Fact],
        edges: list[_Edge],
    ) -> None:
        bprops, rprops = _mapping(b.get("properties")), _mapping(r.get("properties"))
        breq, rreq = _names(b.get("required")), _names(r.get("required"))
        if not (bprops or rprops or breq or rreq):
            return
        names = list(bprops) + [n for n in rprops if n not in bprops]
        names += sorted((breq | rreq) - set(names))
        request = direction is Direction.REQUEST
        for name in names:
            bp = self._deref_dict(self.base, bprops.get(name), bfile)
            rp = self._deref_dict(self.revision, rprops.get(name), rfile)
            where = ("properties", name)
            if name not in bprops and name not in rprops:
                # Only ``required`` changed for a property defined elsewhere (e.g. in an allOf).
                bp = rp = {}
            bq, rq = name in breq, name in rreq
            for rule_id, detail in _property_facts(name, bp, bq, rp, rq, request=request):
                facts.append(Fact((rule_id,), detail, where, (name,), fixed=True))
            if bp is None or rp is None or name not in bprops or name not in rprops:
                continue
            hidden = "readOnly" if request else "writeOnly"
            if bp.get(hidden) is True and rp.get(hidden) is True:
                continue  # never travels in this direction
            edges.append(_Edge(bprops[name], rprops[name], where, (name,)))

    @staticmethod
    def _deref_dict(resolver: Resolver, node: JSON, file: Path | None) -> dict[str, JSON] | None:
        if node is None:
            return None
        target = _as_schema(resolver.deref(node, file)[0])
        return target if target is not None else {}

    def _subschemas(
        self, b: dict[str, JSON], r: dict[str, JSON], facts: list[Fact], edges: list[_Edge]
    ) -> None:
        bi, ri = b.get("items"), r.get("items")
        if bi is not None and ri is not None and not isinstance(bi, list):
            edges.append(_Edge(bi, ri, ("items",), ("[]",)))
        bap, rap = b.get("additionalProperties"), r.get("additionalProperties")
        if isinstance(bap, dict) and isinstance(rap, dict):
            edges.append(_Edge(bap, rap, ("additionalProperties",), ("*",)))
        for keyword, stem in _PRESENCE:
            bk, rk = b.get(keyword), r.get(keyword)
            if bk is None and rk is not None:
                facts.append(Fact((f"{stem}-added",), f"{keyword} added", (keyword,)))
            elif bk is not None and rk is None:
                facts.append(Fact((f"{stem}-removed",), f"{keyword} removed", (keyword,)))
            elif bk is not None and rk is not None:
                edges.append(_Edge(bk, rk, (keyword,)))
        self._prefix_items(b, r, facts, edges)
        for keyword, stem in (
            ("dependentSchemas", "dependent-schema"),
            ("patternProperties", "pattern-property"),
        ):
            bmap, rmap = b.get(keyword), r.get(keyword)
            old = bmap if isinstance(bmap, dict) else {}
            new = rmap if isinstance(rmap, dict) else {}
            for key in new.keys() - old.keys():
                facts.append(Fact((f"{stem}-added",), f"{keyword} {key} added", (keyword, key)))
            for key in old.keys() - new.keys():
                facts.append(Fact((f"{stem}-removed",), f"{keyword} {key} removed", (keyword, key)))
            for key in old.keys() & new.keys():
                edges.append(_Edge(old[key], new[key], (keyword, key), (f"<{key}>",)))
        bdr, rdr = b.get("dependentRequired"), r.get("dependentRequired")
        old_dr = bdr if isinstance(bdr, dict) else {}
        new_dr = rdr if isinstance(rdr, dict) else {}
        for key in new_dr.keys() - old_dr.keys():
            facts.append(
                Fact(
                    ("dependent-required-added",),
                    f"dependentRequired {key} added",
                    ("dependentRequired", key),
                )
            )
        for key in old_dr.keys() - new_dr.keys():
            facts.append(
                Fact(
                    ("dependent-required-removed",),
                    f"dependentRequired {key} removed",
                    ("dependentRequired", key),
                )
            )
        for key in old_dr.keys() & new_dr.keys():
            if _dump(old_dr[key]) != _dump(new_dr[key]):
                before, after = _show(old_dr[key]), _show(new_dr[key])
                text = f"dependentRequired {key} changed from {before} to {after}"
                facts.append(
                    Fact(("dependent-required-changed",), text, ("dependentRequired", key))
                )

    @staticmethod
    def _prefix_items(
        b: dict[str, JSON], r: dict[str, JSON], facts: list[Fact], edges: list[_Edge]
    ) -> None:
        bl, rl = b.get("prefixItems"), r.get("prefixItems")
        old = bl if isinstance(bl, list) else []
        new = rl if isinstance(rl, list) else []
        for i in range(len(old), len(new)):
            facts.append(
                Fact(("prefix-items-added",), f"prefixItems #{i} added", ("prefixItems", str(i)))
            )
        for i in range(len(new), len(old)):
            facts.append(
                Fact(("prefix-items-removed",), f"prefixItems #{i} removed", ("prefixItems",))
            )
        for i in range(min(len(old), len(new))):
            edges.append(_Edge(old[i], new[i], ("prefixItems", str(i)), (f"[{i}]",)))


def _property_facts(
    name: str,
    bp: dict[str, JSON] | None,
    bq: bool,
    rp: dict[str, JSON] | None,
    rq: bool,
    *,
    request: bool,
) -> Iterator[tuple[str, str]]:
    """Rule ids about one property's existence, required-ness, mutability and lifecycle."""
    if bp is None and rp is None:
        return
    if bp is None:
        assert rp is not None
        yield from _added_property(rp, rq, request=request)
        return
    if rp is None:
        yield from _removed_property(bp, bq, request=request)
        return
    side = "request" if request else "response"
    hidden = "readOnly" if request else "writeOnly"
    b_hidden, r_hidden = bp.get(hidden) is True, rp.get(hidden) is True
    if bq != rq:
        yield from _requiredness(rp, rq, r_hidden, request=request)
    if b_hidden != r_hidden:
        kind = "required" if rq else "optional"
        mut = "read-only" if request else "write-only"
        verb = f"became-{mut}" if r_hidden else f"became-not-{mut}"
        yield f"{side}-{kind}-property-{verb}", f"{hidden} {'set' if r_hidden else 'removed'}"
    if (bp.get("deprecated") is True) != (rp.get("deprecated") is True):
        if rp.get("deprecated") is True:
            yield f"{side}-property-deprecated", "deprecated"
        else:
            yield f"{side}-property-reactivated", "no longer deprecated"
    old_rank, new_rank = _stability_rank(bp), _stability_rank(rp)
    if old_rank is not None and new_rank is not None and old_rank != new_rank:
        verb = "decreased" if new_rank < old_rank else "increased"
        text = (
            f"x-stability-level changed from {bp['x-stability-level']} to {rp['x-stability-level']}"
        )
        yield f"{side}-property-stability-{verb}", text


def _added_property(rp: dict[str, JSON], rq: bool, *, request: bool) -> Iterator[tuple[str, str]]:
    kind = "required" if rq else "optional"
    if request:
        if rp.get("readOnly") is True:
            return  # the server fills it in; callers never send it
        if not rq:
            yield "new-optional-request-property", "optional property added"
        elif "default" in rp:
            yield (
                "new-required-request-property-with-default",
                "required property with a default added",
            )
        else:
            yield "new-required-request-property", "required property added"
    elif rp.get("writeOnly") is True:
        yield f"response-{kind}-write-only-property-added", f"{kind} writeOnly property added"
    else:
        yield f"response-{kind}-property-added", f"{kind} property added"


def _removed_property(bp: dict[str, JSON], bq: bool, *, request: bool) -> Iterator[tuple[str, str]]:
    kind = "required" if bq else "optional"
    if request:
        if bp.get("readOnly") is not True:
            yield "request-property-removed", "property removed"
    elif bp.get("writeOnly") is True:
        yield f"response-{kind}-write-only-property-removed", f"{kind} writeOnly property removed"
    else:
        yield f"response-{kind}-property-removed", f"{kind} property removed"


def _requiredness(
    rp: dict[str, JSON], rq: bool, r_hidden: bool, *, request: bool
) -> Iterator[tuple[str, str]]:
    if request:
        if r_hidden:
            return
        if rq:
            suffix = "-with-default" if "default" in rp else ""
            yield f"request-property-became-required{suffix}", "became required"
        else:
            yield "request-property-became-optional", "became optional"
    elif rq:
        prefix = "response-write-only" if r_hidden else "response"
        yield f"{prefix}-property-became-required", "became required"
    else:
        prefix = "response-write-only" if r_hidden else "response"
        yield f"{prefix}-property-became-optional", "became optional (may be absent)"


# Messages name a property by its last few path segments; ``location`` holds the full path.
_MESSAGE_PATH_SEGMENTS = 4


def _path_text(path: tuple[str, ...]) -> str:
    shown = path
    while sum(1 for p in shown if not p.startswith("[")) > _MESSAGE_PATH_SEGMENTS:
        shown = shown[1:]
    text = ""
    for part in shown:
        text += part if part.startswith("[") or not text else f".{part}"
    return f"…{text}" if shown != path else text


def compare_schemas(
    base: JSON,
    revision: JSON,
    *,
    direction: Direction,
    location: str,
    operation: str | None,
    subject: str = "payload",
    scope: Scope = "body",
    base_resolver: Resolver | None = None,
    revision_resolver: Resolver | None = None,
) -> list[Change]:
    """Changes between two schemas judged for ``direction`` (requests break on narrowing).

    ``base_resolver``/``revision_resolver`` resolve ``$ref``s against the documents the schemas
    come from; without them, references resolve against the schemas themselves. ``location`` is
    the JSON pointer of the schema (changes append their path to it), ``subject`` names it in
    messages ("message payload"), and ``scope`` picks the rule-id family: "body" (request-body /
    response-body ids), "parameter" or "header".
    """
    comparator = SchemaComparator(
        base_resolver or Resolver(base), revision_resolver or Resolver(revision)
    )
    return comparator.compare(
        base,
        revision,
        direction=direction,
        location=location,
        operation=operation,
        subject=subject,
        scope=scope,
    )
