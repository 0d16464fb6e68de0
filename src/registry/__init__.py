"""Waybill registry: contract versions, consumers and compatibility.

The public names load their engines on first use (PEP 562), so ``registry diff`` does not pay
for importing the compat and lint engines, nor ``registry compat`` for the diff engine.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.compat import compat
    from registry.diff import DiffResult, diff
    from registry.loading import DocumentError, bundle, load_document

__all__ = ["DiffResult", "DocumentError", "bundle", "compat", "diff", "load_document"]

# Public name -> the module that defines it.
_HOMES = {
    "DiffResult": "registry.diff",
    "diff": "registry.diff",
    "compat": "registry.compat",
    "DocumentError": "registry.loading",
    "bundle": "registry.loading",
    "load_document": "registry.loading",
}


class _Package(ModuleType):
    """Keeps ``registry.diff``/``registry.compat`` naming the functions, not their modules.

    Importing a submodule makes the import system bind it on its package; the eager imports this
    replaces rebound the function over it, and this does the same without importing anything.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if _HOMES.get(name) == f"{__name__}.{name}" and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'registry' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
