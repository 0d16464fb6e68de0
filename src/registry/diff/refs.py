"""Lazy ``$ref`` resolution over a root document and the files it points at.

The diff walks two documents side by side and follows references only where it looks, so nothing
is bundled or copied up front. A node always belongs to one file; the walker carries that file
along so relative references inside other files resolve against the right directory.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from registry.loading import JSON, DocumentError, load_file, resolve_pointer

# A chain of references that only point at other references is a document error, not a loop.
_MAX_REF_HOPS = 64
# Keys that sit next to a ``$ref`` without changing what it means (3.0 ignores all siblings).
_ANNOTATIONS = frozenset({"description", "summary"})


class Resolver:
    """Follows ``$ref``s from one root document, loading referenced files on first use."""

    def __init__(self, root: JSON, path: Path | None = None) -> None:
        self.root = root
        self.path = path.resolve() if path is not None else None
        self._files: dict[Path, JSON] = {}
        self._pointers: dict[tuple[Path | None, str], JSON] = {}
        # Merged views of 3.1 ``$ref`` + sibling keywords, cached so each keeps one identity.
        self._merged: dict[int, tuple[JSON, dict[str, JSON]]] = {}

    def document(self, file: Path | None) -> JSON:
        """The parsed content of ``file`` (None is the root document)."""
        if file is None or file == self.path:
            return self.root
        if file not in self._files:
            self._files[file] = load_file(file)
        return self._files[file]

    def target_file(self, ref: str, file: Path | None) -> Path | None:
        """The file a reference written in ``file`` points into."""
        target_part = ref.partition("#")[0]
        if not target_part:
            return file if file is not None else self.path
        base_dir = (file or self.path or Path.cwd() / "document").parent
        return (base_dir / unquote(target_part)).resolve()

    def follow(self, ref: str, file: Path | None) -> tuple[JSON, Path | None]:
        """The node a single reference points at, with its file."""
        target = self.target_file(ref, file)
        pointer = ref.partition("#")[2]
        key = (target, pointer)
        if key not in self._pointers:
            source = str(target) if target else "<document>"
            self._pointers[key] = resolve_pointer(self.document(target), pointer, source=source)
        return self._pointers[key], target

    def deref(self, node: JSON, file: Path | None, _hops: int = 0) -> tuple[JSON, Path | None]:
        """Follow ``node``'s reference chain to a node that is not a bare reference.

        Sibling keywords of a ``$ref`` (OpenAPI 3.1 schemas) are laid over the target, so a
        ``$ref`` with a ``description`` is the same as the target and one with ``maxLength``
        narrows it.
        """
        for hop in range(_hops, _MAX_REF_HOPS):
            if not isinstance(node, dict):
                return node, file
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return node, file
            target, target_file = self.follow(ref, file)
            siblings = {k: v for k, v in node.items() if k != "$ref" and k not in _ANNOTATIONS}
            if siblings:
                resolved, resolved_file = self.deref(target, target_file, hop + 1)
                if isinstance(resolved, dict):
                    return self._merge(node, resolved, siblings), resolved_file
                return resolved, resolved_file
            node, file = target, target_file
        raise DocumentError(f"{file or '<document>'}: $ref chain longer than {_MAX_REF_HOPS}")

    def _merge(
        self, node: dict[str, JSON], target: dict[str, JSON], siblings: dict[str, JSON]
    ) -> JSON:
        cached = self._merged.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        merged: dict[str, JSON] = {**target, **siblings}
        self._merged[id(node)] = (node, merged)
        return merged


def ref_name(node: JSON) -> str | None:
    """The last segment of a node's ``$ref`` (its component name), if it is a reference."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return unquote(ref.rsplit("/", 1)[-1])
    return None
