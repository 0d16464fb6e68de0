"""Discovering the OpenAPI contracts the gateway serves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from registry.loading import Document, bundle

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
