"""Every served OpenAPI contract is valid OpenAPI, loads in Connexion, has valid examples and lints.

Examples are checked here with openapi-schema-validator, independently of the lint rules that
check them with jsonschema-rs, so a bug in either shows up as a disagreement.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from connexion import AsyncApp
from connexion.resolver import Resolver
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012
from starlette.testclient import TestClient

from gateway.contracts import ServedContract, discover
from registry.lint import lint
from registry.lint_rules.examples import ExampleChecker
from registry.lint_rules.index import DocumentIndex
from registry.lint_rules.sites import METHODS, child
from registry.loading import JSON, Document
from registry.model import Level
from tests.conftest import SPECS

CONTRACTS = discover(SPECS / "openapi")
_BASE = "urn:waybill:contract"
# Keys whose values are data (or examples checked on their own), never schemas or objects to walk.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "value"})
# Keys whose values are maps of named objects (a property called "example" is not an example).
_NAMED_MAPS = frozenset({"properties", "patternProperties", "$defs", "schemas", "content"})
_SCHEMA_MARKERS = frozenset(
    {"type", "$ref", "properties", "items", "allOf", "anyOf", "oneOf", "enum"}
)


@functools.cache
def _bundled(contract: ServedContract) -> Document:
    return contract.load()


def _operation_of(pointer: str) -> str:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    if len(tokens) >= 3 and tokens[0] == "paths" and tokens[2] in METHODS:
        return f"{tokens[2].upper()} {tokens[1]}"
    return "(no operation)"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.base_path)
def test_bundled_contract_is_valid_openapi(contract: ServedContract) -> None:
    try:
        validate(_bundled(contract))
    except OpenAPIValidationError as exc:
        pytest.fail(f"{contract.path}: not valid OpenAPI: {exc.message}")


async def _not_implemented(*_args: object, **_kwargs: object) -> tuple[str, int]:
    return "", 501


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.base_path)
def test_contract_loads_in_connexion(contract: ServedContract) -> None:
    app = AsyncApp(__name__)
    app.add_api(
        _bundled(contract),
        base_path=contract.base_path,
        resolver=Resolver(function_resolver=lambda _operation_id: _not_implemented),
        strict_validation=True,
    )
    with TestClient(app) as client:  # building the middleware stack compiles every operation
        response = client.get(f"{contract.base_path}/openapi.json")
    assert response.status_code == 200, f"{contract.path}: Connexion did not serve the contract"
    assert response.json()["paths"].keys() == _bundled(contract)["paths"].keys()  # type: ignore[union-attr]


def _examples(node: JSON, pointer: str, in_map: bool = False) -> Iterator[tuple[str, JSON, str]]:
    """(example pointer, example value, schema pointer) for every example in the document."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _examples(item, child(pointer, i))
        return
    if not isinstance(node, dict):
        return
    if not in_map:
        yield from _examples_here(node, pointer)
    for key, value in node.items():
        if key not in _DATA_KEYS and not key.startswith("x-"):
            yield from _examples(
                value, child(pointer, key), in_map=key in _NAMED_MAPS and not in_map
            )


def _examples_here(node: dict[str, JSON], pointer: str) -> Iterator[tuple[str, JSON, str]]:
    if isinstance(node.get("schema"), dict):  # media type, parameter or header
        schema_pointer = child(pointer, "schema")
        if "example" in node:
            yield child(pointer, "example"), node["example"], schema_pointer
        examples = node.get("examples")
        if isinstance(examples, dict):
            for name, example in examples.items():
                if isinstance(example, dict) and "value" in example:
                    yield child(child(pointer, "examples"), name), example["value"], schema_pointer
    elif _SCHEMA_MARKERS & node.keys():
        if "example" in node:
            yield child(pointer, "example"), node["example"], pointer
        listed = node.get("examples")
        if isinstance(listed, list):
            for i, value in enumerate(listed):
                yield child(child(pointer, "examples"), i), value, pointer


def _validator(document: Document, schema_pointer: str) -> Any:
    is_30 = str(document["openapi"]).startswith("3.0")
    resource = (DRAFT4 if is_30 else DRAFT202012).create_resource(document)
    registry: Registry[Any] = Registry().with_resource(_BASE, resource)
    schema = {"$ref": f"{_BASE}#{quote(schema_pointer, safe='/~')}"}
    if is_30:
        return OAS30Validator(schema, registry=registry, format_checker=oas30_format_checker)
    return OAS31Validator(schema, registry=registry, format_checker=oas31_format_checker)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.base_path)
def test_every_example_satisfies_its_schema(contract: ServedContract) -> None:
    document = _bundled(contract)
    found = list(_examples(document, ""))
    assert found, f"{contract.path}: a contract without examples teaches its callers nothing"
    failures = []
    for example_pointer, value, schema_pointer in found:
        error = best_match(_validator(document, schema_pointer).iter_errors(value))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "value"
            failures.append(
                f"{contract.path}:{example_pointer} {_operation_of(example_pointer)}: "
                f"{where}: {error.message}"
            )
    assert not failures, "examples that break their schema:\n" + "\n".join(failures)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.base_path)
def test_lint_example_check_agrees_with_the_oracle_on_broken_examples(
    contract: ServedContract,
) -> None:
    document = _bundled(contract)
    index = DocumentIndex(document, source=str(contract.path))
    checker = ExampleChecker(index)
    oracle = functools.cache(functools.partial(_validator, document))
    disagreements = []
    for site in index.examples:
        wrong_scalar: JSON = "x" if not isinstance(site.value, str) else 12345
        broken_values: list[JSON] = [wrong_scalar, None, [], {}]
        for broken in broken_values:
            linted = checker.check(dataclasses.replace(site, value=broken)) is None
            accepted = best_match(oracle(site.schema_pointer).iter_errors(broken)) is None
            if linted != accepted:
                disagreements.append(f"{contract.path}:{site.pointer} {broken!r}: lint {linted}")
    assert not disagreements, "lint and the oracle disagree:\n" + "\n".join(disagreements)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.base_path)
def test_contract_has_no_lint_error(contract: ServedContract) -> None:
    findings = lint(_bundled(contract), source=str(contract.path))
    errors = [
        f"{contract.path}:{f.path} {f.rule} [{f.operation or '(no operation)'}] {f.message}"
        for f in findings
        if f.severity is Level.ERROR
    ]
    assert not errors, "lint errors:\n" + "\n".join(errors)
