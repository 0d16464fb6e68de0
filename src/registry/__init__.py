"""Waybill registry: contract versions, consumers and compatibility."""

from __future__ import annotations

from registry.compat import compat
from registry.loading import DocumentError, bundle, load_document

__all__ = ["DocumentError", "bundle", "compat", "load_document"]
