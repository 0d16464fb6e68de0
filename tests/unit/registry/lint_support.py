"""Reading lint case folders: a clean base document and a JSON Patch that breaks it."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.loading import JSON, Document, load_document, load_file

CASES = Path(__file__).parent / "lint_cases"
CLEAN_BASES = ("_clean", "_clean-3.1")


@dataclass(frozen=True)
class LintCase:
    """A document built by patching a clean base, and the rule ids expected to fire on it."""

    name: str
    document: Document
    expected: frozenset[str]
    messages: tuple[str, ...] = ()  # each is part of some finding's message
    absent: tuple[str, ...] = ()  # none is part of any finding's message


def clean(base: str) -> Document:
    """The clean base document of that name."""
    return load_document(CASES / base / "openapi.yaml")


def at(document: JSON, pointer: str) -> Any:
    """The node at ``pointer`` (for tests that reach into a document)."""
    node: Any = document
    for token in _tokens(pointer):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]


def apply_patch(document: Document, operations: list[JSON]) -> Document:
    """Apply RFC 6902 ``add``/``replace``/``remove`` operations to a copy of ``document``."""
    result = copy.deepcopy(document)
    for operation in operations:
        assert isinstance(operation, dict)
        pointer, op = str(operation["path"]), operation["op"]
        *parents, last = _tokens(pointer)
        node: JSON = result
        for token in parents:
            node = node[int(token)] if isinstance(node, list) else node[token]  # type: ignore[index]
        if isinstance(node, list):
            if op == "remove":
                del node[int(last)]
            elif last == "-":
                node.append(operation["value"])
            elif op == "add":
                node.insert(int(last), operation["value"])
            else:
                node[int(last)] = operation["value"]
        elif isinstance(node, dict):
            if op == "remove":
                del node[last]
            else:
                assert op == "add" or last in node, f"replace of missing {pointer}"
                node[last] = operation["value"]
        else:
            raise AssertionError(f"{pointer}: parent is not a container")
    return result


def load_cases() -> list[LintCase]:
    """Every case folder under ``lint_cases`` (the clean bases excluded)."""
    cases = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir() and p.name not in CLEAN_BASES):
        spec = load_file(folder / "case.yaml")
        assert isinstance(spec, dict), folder
        patch, expected = spec["patch"], spec["expected"]
        assert isinstance(patch, list), folder
        assert isinstance(expected, list), folder
        document = apply_patch(clean(str(spec["base"])), patch)
        messages, absent = spec.get("messages", []), spec.get("absent", [])
        assert isinstance(messages, list), folder
        assert isinstance(absent, list), folder
        cases.append(
            LintCase(
                folder.name,
                document,
                frozenset(str(e) for e in expected),
                tuple(str(m) for m in messages),
                tuple(str(a) for a in absent),
            )
        )
    return cases
