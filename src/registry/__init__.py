"""Waybill registry: contract versions, consumers and compatibility."""

from __future__ import annotations

from registry.compat import compat
from registry.diff import DiffResult, diff
from registry.loading import DocumentError, bundle, load_document

__all__ = ["DiffResult", "DocumentError", "bundle", "compat", "diff", "load_document"]
