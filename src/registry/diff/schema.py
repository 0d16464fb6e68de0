"""Direction-aware comparison of two JSON Schemas (OpenAPI 3.0 and 3.1 dialects).

``SchemaComparator`` looks at pairs of schema nodes, one from each version. For each pair it
computes, once, the local facts (``registry.diff.facts``) and the child pairs to visit next. A
walk from a root pair (a request body, a parameter, a response) visits each pair once in pointer
order, so recursive schemas end and each change is located at its least pointer; the closure of
every ``$ref`` pair is memoised and shared, so a component used by hundreds of operations is
walked once yet reported for each of them.

Facts do not carry levels. The rules table decides, per direction and scope, which id applies and
how much it matters: narrowing a request breaks callers, narrowing a response does not.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from registry.diff.facts import (
    BOUNDS,
    Fact,
    constraint_facts,
    discriminator_facts,
    dump,
    mapping,
    name_set,
    property_facts,
    show,
    type_facts,
    value_facts,
)
from registry.diff.policy import DeprecationPolicy
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
    (Direction.REQUEST, "header", False): (
        "request-header-property",
        "request-parameter-property",
        "request-property",
    ),
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

_HEADER_IDS = {
    "new-required-request-property": "new-required-request-header-property",
    "request-property-became-required": "request-header-property-became-required",
}
# Keywords that document a schema without changing which values it accepts.
COSMETIC = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs", "$comment", "xml"}
)
_KEPT_EXTENSIONS = frozenset({"x-extensible-enum", "x-stability-level", "x-sunset"})
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
    {keyword for keyword, *_ in BOUNDS}
    | {"maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "pattern"}
    | {"contentMediaType", "contentEncoding", "uniqueItems", "multipleOf"}
)
_COMPOSITION_KEYS = frozenset(keyword for keyword, _ in _COMPOSITION)
_SUBSCHEMA_KEYS = frozenset(
    {keyword for keyword, _ in _PRESENCE}
    | {"items", "additionalProperties", "prefixItems", "dependentSchemas", "patternProperties"}
    | {"dependentRequired"}
)
_TRUE_SCHEMA: dict[str, JSON] = {}
_FALSE_SCHEMA: dict[str, JSON] = {"not": {}}


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


def _or_any(node: JSON) -> JSON:
    """``node``, or the schema that accepts anything when it is absent or ``true``."""
    return _TRUE_SCHEMA if node is None or node is True else node


def _as_schema(node: JSON) -> dict[str, JSON] | None:
    if node is True:
        return _TRUE_SCHEMA
    if node is False:
        return _FALSE_SCHEMA
    return node if isinstance(node, dict) else None


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


def _seen_key(what: Fact | _Closure, path: tuple[str, ...]) -> tuple[int, bool]:
    """A fact or closure, and whether it sits at the root of the property path."""
    return id(what), not path and (isinstance(what, _Closure) or not what.subject)


def _flatten(closure: _Closure) -> Iterator[tuple[Fact, tuple[str, ...], tuple[str, ...]]]:
    """Every fact under a closure once, at its least pointer (shortest, then alphabetical).

    Popping in pointer order makes the reported location independent of key order and of which
    closures happened to be spliced. "Once" is per node and per whether its property path is
    empty: ``_judge`` picks a root id (``request-body-...``) or a nested one
    (``request-property-...``) from that, so a component reached both ways yields both, as its
    inlined copies would.
    """
    seen: set[tuple[int, bool]] = {(id(closure), True)}
    heap: list[tuple[int, tuple[str, ...], int, tuple[str, ...], Fact | _Closure]] = []
    counter = 0
    for pointer, path, what in closure.items:
        heap.append((len(pointer), pointer, counter, path, what))
        counter += 1
    heapq.heapify(heap)
    while heap:
        _, pointer, _, path, what = heapq.heappop(heap)
        if _seen_key(what, path) in seen:
            continue
        seen.add(_seen_key(what, path))
        if isinstance(what, _Closure):
            for sub_pointer, sub_path, inner in what.items:
                if _seen_key(inner, path + sub_path) not in seen:
                    full = pointer + sub_pointer
                    heapq.heappush(heap, (len(full), full, counter, path + sub_path, inner))
                    counter += 1
        else:
            yield what, pointer, path


# Keywords a pure oneOf/anyOf wrapper may carry besides its members.
_WRAPPER_EXTRAS = COSMETIC | {"nullable", "discriminator", "deprecated"}


def _wrapper_keyword(schema: dict[str, JSON]) -> str | None:
    """``oneOf``/``anyOf``/``allOf`` when that is all the schema says, else None.

    ``allOf: [X]`` accepts exactly what ``X`` does, and ``allOf: [X, Y]`` is ``X`` narrowed by
    ``Y``: both compare ``X`` with its member, not with a schema that says nothing itself.
    """
    keywords = [
        k for k in ("oneOf", "anyOf", "allOf") if isinstance(schema.get(k), list) and schema[k]
    ]
    if len(keywords) != 1:
        return None
    rest = (k for k in schema if k != keywords[0] and not k.startswith("x-"))
    return keywords[0] if all(k in _WRAPPER_EXTRAS for k in rest) else None


def _is_plain(schema: dict[str, JSON]) -> bool:
    return not any(k in schema for k in ("oneOf", "anyOf", "allOf", "$ref"))


def _judge(
    fact: Fact, direction: Direction, scope: Scope, pointer: tuple[str, ...], path: tuple[str, ...]
) -> _Found | None:
    """Pick the rule for a fact: the first candidate id the table knows, or None (unjudged)."""
    full_path = path + fact.subject
    if fact.fixed:
        candidates: tuple[str, ...] = fact.suffixes
        if scope == "header" and direction is Direction.REQUEST:
            # Properties of an object-valued request header have ids of their own in oasdiff.
            candidates = tuple(_HEADER_IDS.get(c, c) for c in candidates)
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
        self,
        base: Resolver,
        revision: Resolver,
        unchanged: UnchangedRefs | None = None,
        *,
        policy: DeprecationPolicy | None = None,
    ) -> None:
        self.base = base
        self.policy = policy
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
        # A pair is walked once at the root of the property path and once below it, since the
        # rule ids judged for its facts differ (see ``_flatten``).
        visited: set[tuple[int, int, bool]] = set()
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
            if (*pair, not path) in visited:
                continue
            visited.add((*pair, not path))
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
        wrapped = self._wrapping(b, bfile, r, rfile)
        if wrapped is not None:
            self._locals[key] = wrapped
            return wrapped
        facts: list[Fact] = []
        edges: list[_Edge] = []
        # Most schemas use a handful of keywords: skip the families neither side mentions.
        keys = b.keys() | r.keys()
        if not keys.isdisjoint(_TYPE_KEYS):
            facts.extend(type_facts(b, r))
        if not keys.isdisjoint(_VALUE_KEYS):
            facts.extend(value_facts(b, r))
        if not keys.isdisjoint(_CONSTRAINT_KEYS):
            facts.extend(constraint_facts(b, r))
        if "discriminator" in keys:
            facts.extend(discriminator_facts(b, r))
        if not keys.isdisjoint(_COMPOSITION_KEYS):
            self._composition(b, bfile, r, rfile, facts=facts, edges=edges)
        if "properties" in keys or "required" in keys:
            self._properties(b, bfile, r, rfile, direction=direction, facts=facts, edges=edges)
        if not keys.isdisjoint(_SUBSCHEMA_KEYS):
            self._subschemas(b, r, facts, edges)
        if "not" in keys:
            facts.extend(self._not(b, bfile, r, rfile))
        local = _Local(facts, edges)
        self._locals[key] = local
        return local

    def _not(
        self, b: dict[str, JSON], bfile: Path | None, r: dict[str, JSON], rfile: Path | None
    ) -> Iterator[Fact]:
        """``not`` inverts its subschema: widening it narrows the schema, so a change inside it
        cannot be judged with the walk's direction; report it whole."""
        bn, rn = b.get("not"), r.get("not")
        if bn is None and rn is not None:
            yield Fact(("not-added",), "not added (values it matches are now rejected)", ("not",))
        elif bn is not None and rn is None:
            yield Fact(
                ("not-removed",), "not removed (values it matched are now allowed)", ("not",)
            )
        elif bn is not None and rn is not None:
            before = self._shape(self.base, bn, bfile, 8)
            after = self._shape(self.revision, rn, rfile, 8)
            if before != after:
                yield Fact(("not-changed",), "the not subschema changed", ("not",))

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

    def _wrapping(
        self, b: dict[str, JSON], bfile: Path | None, r: dict[str, JSON], rfile: Path | None
    ) -> _Local | None:
        """A schema wrapped into (or unwrapped from) a ``oneOf``/``anyOf`` that holds it.

        ``X`` -> ``anyOf: [X, Y]`` is one added member, not "type object became any" plus every
        property of ``X`` removed: compare ``X`` with its member and report the others.
        """
        if _is_plain(b) and (keyword := _wrapper_keyword(r)):
            members, bside, wrapping = r[keyword], (b, bfile), True
        elif _is_plain(r) and (keyword := _wrapper_keyword(b)):
            members, bside, wrapping = b[keyword], (r, rfile), False
        else:
            return None
        assert isinstance(members, list)
        resolver, other = (self.revision, rfile) if wrapping else (self.base, bfile)
        plain_resolver = self.base if wrapping else self.revision
        if keyword == "allOf" and len(members) == 1:
            return _Local(
                [], [_Edge(b, members[0], (keyword, "0")) if wrapping else _Edge(members[0], r, ())]
            )
        shape = self._shape(plain_resolver, bside[0], bside[1])
        shapes = [self._shape(resolver, m, other) for m in members]
        index = next((k for k, member in enumerate(shapes) if member == shape), None)
        if index is None:
            parts = self._parts(plain_resolver, bside[0], bside[1])
            scores = [len(parts & self._parts(resolver, m, other)) for m in members]
            if not scores or max(scores) == 0:
                return None
            index = scores.index(max(scores))
        stem = dict(_COMPOSITION)[keyword]
        facts: list[Fact] = []
        for k, member in enumerate(members):
            if k != index:
                label = ref_name(member) or f"#{k}"
                verb = "added" if wrapping else "removed"
                where = (keyword, str(k)) if wrapping else (keyword,)
                facts.append(Fact((f"{stem}-{verb}",), f"{keyword} member {label} {verb}", where))
        if wrapping and keyword == "oneOf":
            facts.append(Fact(("wrapped-in-one-of",), f"wrapped in a oneOf of {len(members)}"))
        if wrapping:
            edge = _Edge(b, members[index], (keyword, str(index)))
        else:
            edge = _Edge(members[index], r, ())
        return _Local(facts, [edge])

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
            return {dump(target)}
        parts = {
            f"{k}={self._shape(resolver, v, tfile, 1)}"
            for k, v in target.items()
            if k not in COSMETIC and k != "properties"
        }
        parts.update(f"property:{name}" for name in mapping(target.get("properties")))
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
                f"{dump(k)}:{self._shape(resolver, v, file, depth)}"
                for k, v in sorted(node.items())
                if k not in COSMETIC and not (k.startswith("x-") and k not in _KEPT_EXTENSIONS)
            ]
            return "{" + ",".join(parts) + "}"
        if isinstance(node, list):
            return "[" + ",".join(self._shape(resolver, v, file, depth) for v in node) + "]"
        return dump(node)

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
        bprops, rprops = mapping(b.get("properties")), mapping(r.get("properties"))
        breq, rreq = name_set(b.get("required")), name_set(r.get("required"))
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
            for rule_id, detail in property_facts(
                name, bp, bq, rp, rq, request=request, policy=self.policy
            ):
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
        # An absent ``items``/``additionalProperties`` allows anything: compare it as ``{}`` so
        # gaining one narrows and losing one widens (a response array's items going away).
        bi, ri = b.get("items"), r.get("items")
        if (bi is not None or ri is not None) and not (
            isinstance(bi, list) or isinstance(ri, list)
        ):
            edges.append(_Edge(_or_any(bi), _or_any(ri), ("items",), ("[]",)))
        bap, rap = b.get("additionalProperties"), r.get("additionalProperties")
        if (
            bap is not False
            and rap is not False
            and (isinstance(bap, dict) or isinstance(rap, dict))
        ):
            edges.append(_Edge(_or_any(bap), _or_any(rap), ("additionalProperties",), ("*",)))
        elif rap is False and bap is not False:
            text = "additionalProperties: false added (undocumented properties are rejected)"
            facts.append(
                Fact(("additional-properties-disallowed",), text, ("additionalProperties",))
            )
        elif bap is False and rap is not False:
            text = "additionalProperties: false removed (undocumented properties may appear)"
            facts.append(Fact(("additional-properties-allowed",), text, ("additionalProperties",)))
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
            if dump(old_dr[key]) != dump(new_dr[key]):
                before, after = show(old_dr[key]), show(new_dr[key])
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
