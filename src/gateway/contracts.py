"""Discovering the OpenAPI contracts the gateway serves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from registry.loading import JSON, Document, bundle

_VERSION_FILE = re.compile(r"^v(?P<major>[1-9][0-9]*)\.ya?ml$")


@dataclass(frozen=True)
class ServedContract:
    """One service at one major version, mounted at ``/{service}/v{major}``."""

    service: str
    major: int
    path: Path

    @property
    def base_path(self) -> str:
        return f"/{self.service}/v{self.major}"

    def load(self) -> Document:
        """The document with every cross-file ``$ref`` bundled in, as served."""
        return bundle(self.path)


@dataclass(frozen=True)
class LoadedContract:
    """A served contract with its bundled document, loaded once at start-up."""

    contract: ServedContract
    document: Document


def load_all(openapi_dir: Path) -> list[LoadedContract]:
    """Discover and bundle every served contract."""
    return [LoadedContract(c, c.load()) for c in discover(openapi_dir)]


def discover(openapi_dir: Path) -> list[ServedContract]:
    """Every ``<service>/v<major>.yaml`` under ``openapi_dir`` (``common`` holds no API)."""
    found: list[ServedContract] = []
    for service_dir in sorted(p for p in openapi_dir.iterdir() if p.is_dir()):
        if service_dir.name == "common":
            continue
        for file in sorted(service_dir.iterdir()):
            match = _VERSION_FILE.match(file.name)
            if match:
                found.append(ServedContract(service_dir.name, int(match["major"]), file))
    return found


_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class OperationSpec:
    """One operation of a served contract, with its path- and operation-level parameters merged
    and local ``$ref``s to ``components.parameters`` resolved."""

    base_path: str
    path: str
    method: str
    operation_id: str
    spec: dict[str, JSON]
    parameters: tuple[dict[str, JSON], ...]

    @property
    def key(self) -> tuple[str, str]:
        """``(base_path, operation_id)``, as Connexion's routing reports it."""
        return self.base_path, self.operation_id


def operations(loaded: LoadedContract) -> list[OperationSpec]:
    """Every operation of a bundled contract."""
    doc = loaded.document
    components = doc.get("components")
    shared_params = components.get("parameters") if isinstance(components, dict) else None
    named = shared_params if isinstance(shared_params, dict) else {}

    def resolve(param: JSON) -> dict[str, JSON] | None:
        if isinstance(param, dict) and isinstance(param.get("$ref"), str):
            param = named.get(str(param["$ref"]).rsplit("/", 1)[-1])
        return param if isinstance(param, dict) else None

    found: list[OperationSpec] = []
    paths = doc.get("paths")
    for path, item in (paths or {}).items() if isinstance(paths, dict) else ():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters")
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict) or not isinstance(op.get("operationId"), str):
                continue
            merged: dict[tuple[object, object], dict[str, JSON]] = {}
            for raw in [
                *(shared if isinstance(shared, list) else []),
                *(op["parameters"] if isinstance(op.get("parameters"), list) else []),  # type: ignore[misc]
            ]:
                param = resolve(raw)
                if param is not None:  # operation-level wins over path-level by (name, in)
                    merged[(str(param.get("name", "")).lower(), param.get("in"))] = param
            found.append(
                OperationSpec(
                    loaded.contract.base_path,
                    path,
                    method,
                    str(op["operationId"]),
                    op,
                    tuple(merged.values()),
                )
            )
    return found
