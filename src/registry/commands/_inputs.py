"""Checks on input files that every sub-command shares, before any engine reads them."""

from __future__ import annotations

import re
from pathlib import Path

from registry.loading import JSON, DocumentError, load_file

# A YAML anchor: ``&name`` where a node may start (not inside a plain scalar such as a URL query).
_ANCHOR = re.compile(rb"(?:^|[\s\[{,:-])&[^\s\[\]{},]+")
# Nodes a document may expand to once its aliases are followed. Real contracts stay far below
# (the 4 MB Stripe document has under a million); "billion laughs" documents go far above.
MAX_EXPANDED_NODES = 2_000_000


def refuse_alias_bombs(path: str | Path) -> None:
    """Raise DocumentError when ``path`` uses YAML aliases to expand into a huge tree.

    Engines walk documents as trees, so a few kilobytes of nested aliases would otherwise keep
    them busy for hours. Files without anchors are not parsed here at all.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return  # the loader reports unreadable files in its own words
    if not _ANCHOR.search(raw):
        return
    try:
        document = load_file(path)
    except DocumentError:
        return
    if _expanded_size(document, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES:
        raise DocumentError(
            f"{path}: its YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes; "
            "refusing to read it"
        )


def _expanded_size(document: JSON, limit: int) -> int:
    """Nodes in ``document`` counting every alias use, stopping once past ``limit``."""
    count = 0
    stack: list[JSON] = [document]
    while stack and count <= limit:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count
