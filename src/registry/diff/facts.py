"""Facts about one pair of schema nodes: what differs at the node itself, before judging.

A fact names rule-id suffixes ("max-length-decreased", tried in order) and a human detail; the
rules table later picks the id and level for the direction and scope. Facts about a property's
existence, required-ness, mutability and lifecycle are found at its parent object and name whole
rule ids, because oasdiff names them per direction (``new-required-request-property``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from registry.diff.policy import DeprecationPolicy
from registry.loading import JSON

_STABILITY = ("draft", "alpha", "beta", "stable")
# The deprecation policy's verdicts on a newly deprecated property, as rule-id suffixes.
_PROPERTY_DEPRECATION = {
    "plain": "deprecated",
    "with-sunset": "deprecated-with-sunset",
    "sunset-missing": "deprecated-sunset-missing",
    "sunset-invalid": "deprecated-sunset-invalid",
    "sunset-too-small": "sunset-date-too-small",
}
_WIDER_FORMATS = {("int32", "int64"), ("float", "double")}
_MATCH_ANYTHING = (".*", "^.*$", "^.*", ".*$", "")


_MAX, _MIN = "max", "min"
# (keyword, rule-id stem, which way it bounds, implicit value when absent)
BOUNDS: tuple[tuple[str, str, str, float | None], ...] = (
    ("maxLength", "max-length", _MAX, None),
    ("minLength", "min-length", _MIN, 0),
    ("maxItems", "max-items", _MAX, None),
    ("minItems", "min-items", _MIN, 0),
    ("maxContains", "max-contains", _MAX, None),
    ("minContains", "min-contains", _MIN, 1),
    ("maxProperties", "max-properties", _MAX, None),
    ("minProperties", "min-properties", _MIN, 0),
)


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


def _text(value: JSON) -> str | None:
    """A keyword's value when it is a string as the specification requires, else None."""
    return value if isinstance(value, str) else None


def dump(value: JSON) -> str:
    """Canonical JSON text of a value, for comparing values of any type."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def show(value: JSON) -> str:
    """A value as short JSON text for messages."""
    text = dump(value)
    return text if len(text) <= 60 else text[:57] + "..."


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


# A bound as an ordering key: its value, then a flag that orders 3.0's boolean exclusivity.
_Key = tuple[float, int]


def _bound(schema: dict[str, JSON], keyword: str) -> _Key | None:
    value = schema.get(keyword)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return (value, 0)


def _number_bound(schema: dict[str, JSON], side: str) -> _Key | None:
    """``maximum``/``minimum`` with 3.0's boolean exclusivity folded into the ordering key."""
    keyword, flag = (
        ("maximum", "exclusiveMaximum") if side == _MAX else ("minimum", "exclusiveMinimum")
    )
    value = _bound(schema, keyword)
    if value is None:
        return None
    exclusive = schema.get(flag) is True
    # Larger keys are wider for a maximum and narrower for a minimum.
    return (value[0], 0 if exclusive else 1) if side == _MAX else (value[0], 1 if exclusive else 0)


def _bound_text(keyword: str, key: _Key | None) -> str:
    if key is None:
        return "none"
    value, flag = key
    exclusive = (keyword == "maximum" and flag == 0) or (keyword == "minimum" and flag == 1)
    return f"{value:g}{' (exclusive)' if exclusive else ''}"


def _bound_facts(
    stem: str, keyword: str, side: str, *, old: _Key | None, new: _Key | None, implicit: _Key | None
) -> Iterator[Fact]:
    """Facts for one bound; an absent bound counts as ``implicit`` (``minLength`` is 0)."""
    b = old if old is not None else implicit
    r = new if new is not None else implicit
    if b == r:
        return
    text = f"{keyword} changed from {_bound_text(keyword, old)} to {_bound_text(keyword, new)}"
    if side == _MAX:
        if old is None or b is None:
            yield Fact((f"{stem}-set", f"{stem}-decreased"), text)
        elif new is None or r is None:
            yield Fact((f"{stem}-unset", f"{stem}-increased"), text)
        else:
            yield Fact((f"{stem}-decreased" if r < b else f"{stem}-increased",), text)
    elif old is None or b is None:
        yield Fact((f"{stem}-set", f"{stem}-increased"), text)
    elif new is None or r is None:
        yield Fact((f"{stem}-unset", f"{stem}-decreased"), text)
    else:
        yield Fact((f"{stem}-increased" if r > b else f"{stem}-decreased",), text)


def type_facts(b: dict[str, JSON], r: dict[str, JSON]) -> Iterator[Fact]:
    """Facts about ``type`` (3.0 and 3.1 type arrays), ``nullable`` and ``format``."""
    bt, bnull = _types(b)
    rt, rnull = _types(r)
    if bnull != rnull:
        if rnull:
            yield Fact(("became-nullable",), "became nullable")
        else:
            yield Fact(("became-not-nullable",), "is no longer nullable")
    if bt != rt:
        yield from _type_set_facts(bt, rt)
        return
    bf, rf = _text(b.get("format")), _text(r.get("format"))
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


def value_facts(b: dict[str, JSON], r: dict[str, JSON]) -> Iterator[Fact]:
    """Facts about ``enum``, ``x-extensible-enum``, ``const`` and ``default``."""
    benum, renum = b.get("enum"), r.get("enum")
    if isinstance(benum, list) and isinstance(renum, list):
        old, new = {dump(v): v for v in benum}, {dump(v): v for v in renum}
        for key in new.keys() - old.keys():
            yield Fact(("enum-value-added",), f"enum value {show(new[key])} added")
        for key in old.keys() - new.keys():
            yield Fact(("enum-value-removed",), f"enum value {show(old[key])} removed")
    elif isinstance(renum, list) and benum is None:
        yield Fact(("became-enum",), f"restricted to enum {show(renum)}")
    bext, rext = b.get("x-extensible-enum"), r.get("x-extensible-enum")
    if isinstance(bext, list) and isinstance(rext, list):
        for gone in sorted({dump(v) for v in bext} - {dump(v) for v in rext}):
            yield Fact(
                ("x-extensible-enum-value-removed",), f"x-extensible-enum value {gone} removed"
            )
    for keyword, stem in (("const", "const"), ("default", "default-value")):
        if keyword not in b and keyword not in r:
            continue
        if keyword not in b:
            yield Fact((f"{stem}-added",), f"{keyword} {show(r[keyword])} added")
        elif keyword not in r:
            yield Fact((f"{stem}-removed",), f"{keyword} {show(b[keyword])} removed")
        elif dump(b[keyword]) != dump(r[keyword]):
            text = f"{keyword} changed from {show(b[keyword])} to {show(r[keyword])}"
            yield Fact((f"{stem}-changed",), text)


def constraint_facts(b: dict[str, JSON], r: dict[str, JSON]) -> Iterator[Fact]:
    """Facts about numeric, length, item and contains bounds, patterns and content keywords."""
    for keyword, stem, side, default in BOUNDS:
        implicit = None if default is None else (default, 0)
        old, new = _bound(b, keyword), _bound(r, keyword)
        yield from _bound_facts(stem, keyword, side, old=old, new=new, implicit=implicit)
    for side, keyword, stem in ((_MAX, "maximum", "max"), (_MIN, "minimum", "min")):
        old, new = _number_bound(b, side), _number_bound(r, side)
        yield from _bound_facts(stem, keyword, side, old=old, new=new, implicit=None)
    for side, keyword, stem in (
        (_MAX, "exclusiveMaximum", "exclusive-max"),
        (_MIN, "exclusiveMinimum", "exclusive-min"),
    ):
        old, new = _bound(b, keyword), _bound(r, keyword)
        yield from _bound_facts(stem, keyword, side, old=old, new=new, implicit=None)
    bp, rp = _text(b.get("pattern")), _text(r.get("pattern"))
    if bp != rp:
        if bp is None:
            yield Fact(("pattern-added",), f"pattern {show(rp)} added")
        elif rp is None:
            yield Fact(("pattern-removed",), f"pattern {show(bp)} removed")
        elif rp in _MATCH_ANYTHING:
            text = f"pattern changed from {show(bp)} to {show(rp)}"
            yield Fact(("pattern-generalized", "pattern-changed"), text)
        else:
            yield Fact(("pattern-changed",), f"pattern changed from {show(bp)} to {show(rp)}")
    yield from _unique_and_multiple_facts(b, r)
    for keyword, stem in (
        ("contentMediaType", "content-media-type"),
        ("contentEncoding", "content-encoding"),
    ):
        if b.get(keyword) != r.get(keyword):
            text = f"{keyword} changed from {b.get(keyword)} to {r.get(keyword)}"
            yield Fact((f"{stem}-changed",), text)


def _unique_and_multiple_facts(b: dict[str, JSON], r: dict[str, JSON]) -> Iterator[Fact]:
    """``uniqueItems`` and ``multipleOf``: each narrows or widens the accepted values."""
    bu, ru = b.get("uniqueItems") is True, r.get("uniqueItems") is True
    if ru and not bu:
        yield Fact(("unique-items-added",), "uniqueItems set (arrays with duplicates rejected)")
    elif bu and not ru:
        yield Fact(("unique-items-removed",), "uniqueItems removed (duplicates may appear)")
    bm, rm = _positive(b.get("multipleOf")), _positive(r.get("multipleOf"))
    if bm == rm:
        return
    text = f"multipleOf changed from {bm or 'none'} to {rm or 'none'}"
    # Multiples of ``new`` include every multiple of ``old`` exactly when ``old`` is one of them.
    if rm is not None and (bm is None or not _divides(rm, bm)):
        yield Fact(("multiple-of-narrowed",), text)
    if bm is not None and (rm is None or not _divides(bm, rm)):
        yield Fact(("multiple-of-widened",), text)


def _positive(value: JSON) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _divides(step: float, value: float) -> bool:
    """Whether ``value`` is a whole multiple of ``step`` (within float rounding)."""
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-9


def discriminator_facts(b: dict[str, JSON], r: dict[str, JSON]) -> Iterator[Fact]:
    """Facts about a ``discriminator``: presence, ``propertyName`` and ``mapping``."""
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
    bm, rm = mapping(bd.get("mapping")), mapping(rd.get("mapping"))
    for key in rm.keys() - bm.keys():
        yield Fact(("discriminator-mapping-added",), f"discriminator mapping {key} added")
    for key in bm.keys() - rm.keys():
        yield Fact(("discriminator-mapping-deleted",), f"discriminator mapping {key} removed")
    for key in bm.keys() & rm.keys():
        if bm[key] != rm[key]:
            text = f"discriminator mapping {key} changed from {bm[key]} to {rm[key]}"
            yield Fact(("discriminator-mapping-changed",), text)


def mapping(node: JSON) -> dict[str, JSON]:
    """``node`` if it is a mapping, else an empty one."""
    return node if isinstance(node, dict) else {}


def name_set(node: JSON) -> set[str]:
    """The strings of a list such as ``required``, else an empty set."""
    return {n for n in node if isinstance(n, str)} if isinstance(node, list) else set()


def _stability_rank(node: dict[str, JSON]) -> int | None:
    level = node.get("x-stability-level")
    return _STABILITY.index(level) if level in _STABILITY else None


def property_facts(
    name: str,
    bp: dict[str, JSON] | None,
    bq: bool,
    rp: dict[str, JSON] | None,
    rq: bool,
    *,
    request: bool,
    policy: DeprecationPolicy | None = None,
) -> Iterator[tuple[str, str]]:
    """Rule ids about one property's existence, required-ness, mutability and lifecycle.

    With a ``policy``, a new deprecation is also judged against its x-sunset.
    """
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
        if rp.get("deprecated") is True and policy is not None:
            level = rp.get("x-stability-level")
            for verdict, detail in policy.new_deprecation(rp, level):
                yield f"{side}-property-{_PROPERTY_DEPRECATION[verdict]}", detail
        elif rp.get("deprecated") is True:
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
