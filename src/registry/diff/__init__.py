"""Breaking-change detection between two versions of a contract."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from registry.diff.flatten import flatten_document
from registry.diff.openapi import OpenApiDiff
from registry.diff.policy import DeprecationPolicy
from registry.diff.result import DiffResult
from registry.loading import JSON, Document, DocumentError, load_document

Source = str | Path | Mapping[str, JSON]

__all__ = ["DiffResult", "diff"]


def _open(source: Source) -> tuple[Document, Path | None]:
    if isinstance(source, Mapping):
        return dict(source), None
    path = Path(source)
    return load_document(path), path


def _check_openapi(doc: Document, name: str) -> None:
    version = doc.get("openapi")
    if not (isinstance(version, str) and version.startswith("3.")):
        raise DocumentError(f"{name}: not an OpenAPI 3.x document (no 'openapi: 3.x' field)")


def diff(
    base: Source,
    revision: Source,
    *,
    today: date | None = None,
    deprecation_days_beta: int = 0,
    deprecation_days_stable: int = 0,
    flatten_allof: bool = False,
) -> DiffResult:
    """Compare two OpenAPI 3.0/3.1 documents (paths or loaded mappings) for breaking changes.

    ``today`` fixes the date that ``x-sunset`` dates are judged against (tests use it).
    ``deprecation_days_beta``/``deprecation_days_stable`` are the minimum days between
    deprecating a beta/stable resource and its sunset (0, the default, makes x-sunset optional,
    like oasdiff). ``flatten_allof`` merges ``allOf`` members before comparing.
    """
    base_doc, base_path = _open(base)
    revision_doc, revision_path = _open(revision)
    _check_openapi(base_doc, str(base_path or "base"))
    _check_openapi(revision_doc, str(revision_path or "revision"))
    policy = DeprecationPolicy(
        today or date.today(),
        days_beta=deprecation_days_beta,
        days_stable=deprecation_days_stable,
    )
    if flatten_allof:
        base_doc = flatten_document(base_doc, base_path)
        revision_doc = flatten_document(revision_doc, revision_path)
    engine = OpenApiDiff(
        base_doc, revision_doc, base_path=base_path, revision_path=revision_path, policy=policy
    )
    return DiffResult(engine.run())
