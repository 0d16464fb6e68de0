"""Rendering a diff result as JSON, plain text, Markdown or HTML."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring_ascii as _quote
from typing import TextIO

from registry.diff.result import DiffResult
from registry.model import Change

FORMATS = ("json", "text", "markdown", "html")


def _summary(result: DiffResult) -> str:
    counts = dict.fromkeys(("error", "warning", "info"), 0)
    for change in result.changes:
        counts[change.level.value] += 1
    verdict = "breaking" if result.breaking else "not breaking"
    return (
        f"{len(result.changes)} changes ({counts['error']} error, {counts['warning']} warning, "
        f"{counts['info']} info): {verdict}"
    )


def render_json(result: DiffResult) -> str:
    """``{"breaking": bool, "changes": [{"id", "level", "operation", "location", "message"}]}``."""
    return "".join(iter_json(result))


def iter_json(result: DiffResult) -> Iterator[str]:
    """The JSON report in chunks, one change per line (large diffs need not sit in memory).

    Each line goes through the C encoder, which ``indent`` would disable.
    """
    yield f'{{"breaking": {json.dumps(result.breaking)}, "changes": ['
    for n, change in enumerate(result.changes):
        yield ("," if n else "") + "\n  " + _change_json(change)
    yield "\n]}" if result.changes else "]}"


def _change_json(change: Change) -> str:
    """``json.dumps(change.to_json())``, several times faster for reports of 100k changes."""
    operation = "null" if change.operation is None else _quote(change.operation)
    return (
        f'{{"id": {_quote(change.id)}, "level": {_quote(change.level.value)}, '
        f'"operation": {operation}, "location": {_quote(change.location)}, '
        f'"message": {_quote(change.message)}}}'
    )


def render_text(result: DiffResult) -> str:
    """One line per change, grouped by nothing: easy to grep in CI logs."""
    lines = [
        f"{c.level.value:<7} {c.id}  {c.operation or '-'}  {c.message}\n        at {c.location}"
        for c in result.changes
    ]
    return "\n".join([*lines, _summary(result)])


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: DiffResult) -> str:
    """A Markdown table, for pull-request comments."""
    lines = [f"**{_summary(result)}**", ""]
    if result.changes:
        lines += ["| level | id | operation | message |", "|---|---|---|---|"]
        lines += [
            f"| {c.level.value} | `{c.id}` | {_md(c.operation or '')} | {_md(c.message)} |"
            for c in result.changes
        ]
    return "\n".join(lines)


def _row(change: Change) -> str:
    cells = (change.level.value, change.id, change.operation or "", change.message, change.location)
    inner = "".join(f"<td>{html.escape(cell)}</td>" for cell in cells)
    return f'<tr class="{change.level.value}">{inner}</tr>'


def render_html(result: DiffResult) -> str:
    """A standalone HTML page with one table row per change."""
    rows = "\n".join(_row(c) for c in result.changes)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Contract diff</title><style>"
        "body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left;vertical-align:top}"
        ".error td:first-child{color:#b00020;font-weight:bold}.warning td:first-child{color:#a60}"
        "</style></head><body>\n"
        f"<h1>Contract diff</h1>\n<p>{html.escape(_summary(result))}</p>\n"
        "<table><thead><tr><th>level</th><th>id</th><th>operation</th><th>message</th>"
        f"<th>location</th></tr></thead><tbody>\n{rows}\n</tbody></table>\n</body></html>"
    )


RENDERERS: dict[str, Callable[[DiffResult], str]] = {
    "json": render_json,
    "text": render_text,
    "markdown": render_markdown,
    "html": render_html,
}


def render(result: DiffResult, fmt: str) -> str:
    """Render ``result`` in one of ``FORMATS``."""
    return RENDERERS[fmt](result)


def write(result: DiffResult, fmt: str, stream: TextIO) -> None:
    """Write ``result`` to ``stream`` in one of ``FORMATS``, JSON without building it whole."""
    if fmt == "json":
        for chunk in iter_json(result):
            stream.write(chunk)
    else:
        stream.write(render(result, fmt))
    stream.write("\n")
