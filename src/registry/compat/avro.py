"""Avro reader/writer compatibility by the specification's schema-resolution rules.

A reader can read everything a writer may write when, recursively: primitive types are equal or the
writer's promotes to the reader's; named types match (unqualified name, or a reader alias naming the
writer's full name); record fields pair up by name or reader field alias, and a reader field the
writer lacks has a default; every writer enum symbol is in the reader's enum unless the reader enum
has a default; fixed sizes and decimal precision/scale agree; every branch the writer's union may
hold resolves to a reader branch. Schemas may be recursive; a pair already under comparison is
assumed compatible (the greatest fixed point), so cycles terminate.
"""

from __future__ import annotations

from registry.compat.avro_schema import (
    Array,
    Enum,
    Fixed,
    Map,
    Named,
    Primitive,
    Record,
    Schema,
    Union,
    describe,
)
from registry.compat.result import Incompatibility

# writer type -> reader types it is promoted to
PROMOTIONS: dict[str, frozenset[str]] = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}
_EXACT, _BY_NAME, _PROMOTED = 3, 2, 1

# The reasons a reader cannot read a writer's data; ids are ``avro-`` + the key.
RULES: dict[str, str] = {
    "type-mismatch": "The writer's type is neither the reader's nor promotable to it.",
    "name-mismatch": "Named types differ in unqualified name and no reader alias names the writer.",
    "reader-field-missing-default": "A reader field is missing from the writer and has no default.",
    "enum-symbol-missing": "A writer symbol is not in the reader enum, which has no default.",
    "missing-union-branch": "A type the writer may write has no matching reader union branch.",
    "fixed-size-mismatch": "Fixed types of different sizes.",
    "decimal-mismatch": "Decimal logical types with different precision or scale.",
}


def check_avro(reader: Schema, writer: Schema) -> list[Incompatibility]:
    """Every reason ``reader`` cannot read data written with ``writer`` (empty when it can)."""
    return _Resolver().resolve(reader, writer)


def names_match(reader: Named, writer: Named) -> bool:
    """The spec's name rule: unqualified names agree, or a reader alias is the writer's fullname."""
    return reader.name == writer.name or writer.fullname in reader.aliases


class _Resolver:
    def __init__(self) -> None:
        self.done: dict[tuple[int, int], tuple[Incompatibility, ...]] = {}
        self.active: set[tuple[int, int]] = set()

    def resolve(self, reader: Schema, writer: Schema) -> list[Incompatibility]:
        key = (id(reader), id(writer))
        if key in self.done:
            return list(self.done[key])
        if key in self.active:
            return []  # a recursive reference back to a pair being compared
        self.active.add(key)
        try:
            found = self.dispatch(reader, writer)
        finally:
            self.active.discard(key)
        self.done[key] = tuple(found)
        return found

    def dispatch(self, reader: Schema, writer: Schema) -> list[Incompatibility]:
        if isinstance(writer, Union):
            if isinstance(reader, Union):
                return self.union_to_union(reader, writer)
            issues: list[Incompatibility] = []
            for branch in writer.branches:
                for issue in self.resolve(reader, branch):
                    issues.append(
                        _prefixed(issue, f"when the writer's union holds {describe(branch)}")
                    )
            return issues
        if isinstance(reader, Union):
            chosen = select_branch(reader.branches, writer)
            if chosen is None:
                return [
                    Incompatibility(
                        "missing-union-branch",
                        "",
                        f"the reader's {describe(reader)} has no branch for the writer's "
                        f"{describe(writer)}",
                    )
                ]
            return self.resolve(chosen, writer)
        return self.single(reader, writer)

    def union_to_union(self, reader: Union, writer: Union) -> list[Incompatibility]:
        issues: list[Incompatibility] = []
        for branch in writer.branches:
            chosen = select_branch(reader.branches, branch)
            if chosen is None:
                issues.append(
                    Incompatibility(
                        "missing-union-branch",
                        "",
                        f"the writer's union branch {describe(branch)} has no matching branch in "
                        f"the reader's {describe(reader)}",
                    )
                )
                continue
            issues.extend(self.resolve(chosen, branch))
        return issues

    def single(self, reader: Schema, writer: Schema) -> list[Incompatibility]:
        if isinstance(reader, Primitive) and isinstance(writer, Primitive):
            return _primitives(reader, writer)
        if isinstance(reader, Array) and isinstance(writer, Array):
            return [i.relocated("/items") for i in self.resolve(reader.items, writer.items)]
        if isinstance(reader, Map) and isinstance(writer, Map):
            return [i.relocated("/values") for i in self.resolve(reader.values, writer.values)]
        if isinstance(reader, Named) and type(reader) is type(writer):
            assert isinstance(writer, Named)
            if not names_match(reader, writer):
                return [
                    Incompatibility(
                        "name-mismatch",
                        "",
                        f"the writer's {describe(writer)} does not match the reader's "
                        f"{describe(reader)}: the names differ and the reader lists no alias "
                        f"'{writer.fullname}'",
                    )
                ]
            if isinstance(reader, Record) and isinstance(writer, Record):
                return self.records(reader, writer)
            if isinstance(reader, Enum) and isinstance(writer, Enum):
                return _enums(reader, writer)
            if isinstance(reader, Fixed) and isinstance(writer, Fixed):
                return _fixed(reader, writer)
        return [_type_mismatch(reader, writer)]

    def records(self, reader: Record, writer: Record) -> list[Incompatibility]:
        by_name = {f.name: f for f in writer.fields}
        issues: list[Incompatibility] = []
        for field in reader.fields:
            path = f"/fields/{field.name}"
            match = by_name.get(field.name)
            if match is None:
                match = next((by_name[a] for a in field.aliases if a in by_name), None)
            if match is None:
                if not field.has_default:
                    issues.append(
                        Incompatibility(
                            "reader-field-missing-default",
                            path,
                            f"field '{field.name}' of record '{reader.fullname}' is not in the "
                            f"writer's schema (by name or alias) and has no default",
                        )
                    )
                continue
            for found in self.resolve(field.type, match.type):
                if not found.path:
                    found = _prefixed(found, f"field '{field.name}'", before=True)  # noqa: PLW2901
                issues.append(found.relocated(path))
        return issues


def select_branch(branches: tuple[Schema, ...], writer: Schema) -> Schema | None:
    """The reader union branch that resolves ``writer``: an exact match first, then by name,
    then by promotion; the first one on a tie, as the specification says."""
    best: Schema | None = None
    best_rank = 0
    for branch in branches:
        rank = _match_rank(branch, writer)
        if rank > best_rank:
            best, best_rank = branch, rank
    return best


def _match_rank(reader: Schema, writer: Schema) -> int:
    if isinstance(reader, Primitive) and isinstance(writer, Primitive):
        if reader.kind == writer.kind:
            return _EXACT
        return _PROMOTED if reader.kind in PROMOTIONS.get(writer.kind, ()) else 0
    if isinstance(reader, Array) and isinstance(writer, Array):
        return _EXACT
    if isinstance(reader, Map) and isinstance(writer, Map):
        return _EXACT
    if isinstance(reader, Named) and type(reader) is type(writer):
        assert isinstance(writer, Named)
        if reader.fullname == writer.fullname:
            return _EXACT
        return _BY_NAME if names_match(reader, writer) else 0
    return 0


def _primitives(reader: Primitive, writer: Primitive) -> list[Incompatibility]:
    if reader.kind == writer.kind:
        if reader.decimal and writer.decimal and reader.decimal != writer.decimal:
            return [_decimal_mismatch(reader.decimal, writer.decimal)]
        return []
    if reader.kind in PROMOTIONS.get(writer.kind, ()):
        return []
    return [_type_mismatch(reader, writer)]


def _enums(reader: Enum, writer: Enum) -> list[Incompatibility]:
    missing = [s for s in writer.symbols if s not in reader.symbols]
    if not missing or reader.default is not None:
        return []
    listed = ", ".join(missing)
    return [
        Incompatibility(
            "enum-symbol-missing",
            "",
            f"the writer's enum '{writer.fullname}' may hold {listed}, which the reader's enum "
            f"'{reader.fullname}' lacks, and the reader's enum has no default",
        )
    ]


def _fixed(reader: Fixed, writer: Fixed) -> list[Incompatibility]:
    if reader.size != writer.size:
        return [
            Incompatibility(
                "fixed-size-mismatch",
                "",
                f"fixed '{reader.fullname}' has size {reader.size} in the reader but "
                f"{writer.size} in the writer",
            )
        ]
    if reader.decimal and writer.decimal and reader.decimal != writer.decimal:
        return [_decimal_mismatch(reader.decimal, writer.decimal)]
    return []


def _decimal_mismatch(reader: object, writer: object) -> Incompatibility:
    return Incompatibility(
        "decimal-mismatch",
        "",
        f"the writer's {writer} does not match the reader's {reader} "
        f"(decimals match only when precision and scale agree)",
    )


def _type_mismatch(reader: Schema, writer: Schema) -> Incompatibility:
    why = f"the writer's {describe(writer)} cannot be read as {describe(reader)}"
    if (
        isinstance(reader, Primitive)
        and isinstance(writer, Primitive)
        and writer.kind in PROMOTIONS.get(reader.kind, ())
    ):
        why += f" ({reader.kind} is promoted to {writer.kind}, never the reverse)"
    return Incompatibility("type-mismatch", "", why)


def _prefixed(issue: Incompatibility, context: str, *, before: bool = False) -> Incompatibility:
    message = f"{context}: {issue.message}" if before else f"{issue.message} ({context})"
    return Incompatibility(issue.rule, issue.path, message)
