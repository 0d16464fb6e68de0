"""Checks on input files that every sub-command shares, before any engine reads them."""

from __future__ import annotations

import re
from pathlib import Path

from registry.loading import JSON, DocumentError, load_file

_NODE_START = b" \t\r\n[{,:-"
_NAME_END = re.compile(rb"[\s\[\]{},]")
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
    if not _aliased_anchor(raw):
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


def _aliased_anchor(raw: bytes) -> bool:
    """Whether the text has a YAML anchor (``&name`` where a node starts) that is also aliased.

    A scan for ``&`` rather than a regular expression: 4 MB contracts are checked in
    milliseconds, and an ``&`` inside prose (``A &amp; B``) costs only a substring search.
    """
    start = raw.find(b"&")
    while start != -1:
        if start == 0 or raw[start - 1 : start] in _NODE_START:
            end = _NAME_END.search(raw, start + 1)
            name = raw[start + 1 : end.start() if end else len(raw)]
            if name and b"*" + name in raw:
                return True
        start = raw.find(b"&", start + 1)
    return False


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
