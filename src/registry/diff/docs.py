"""Render the rules table as ``docs/diff-rules.md`` (run ``python -m registry.diff.docs``)."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from registry.diff.rules import RULES, Rule

INTRO = """# Diff rules

`registry diff` judges every change between two OpenAPI documents with one of the rules below.
Ids and levels follow [oasdiff](https://github.com/oasdiff/oasdiff)'s checks (origin `oasdiff`)
so ignore lists and CI thresholds carry over; rules of origin `waybill` cover changes oasdiff does
not check. Levels: `error` breaks some caller, `warning` may break one, `info` does not.

Direction says which side a rule judges. The same schema change is judged differently on each
side: narrowing what a request accepts (a lower `maxLength`, a removed enum value, a new required
property) breaks callers that send the old values, while the same narrowing of a response is safe;
widening a response (a higher `maximum`, a new type, a new `oneOf` member) breaks callers that
parse it, while widening a request is safe. A change inside a component is reported once for each
operation that uses it. Descriptions, summaries, titles, examples, key order, YAML vs JSON and an
inline schema vs an equivalent `$ref` never produce a change.

Operations whose base version is `x-stability-level: draft` or `alpha` promise nothing: their
removal is not reported and only their info-level changes are kept. `x-sunset` dates are compared
with today's date: removing a deprecated operation or parameter before its sunset is an error.

The deprecation policy follows oasdiff's. `--deprecation-days-beta N` and
`--deprecation-days-stable N` (both 0 by default, as in oasdiff) set the grace period for
resources at `x-stability-level: beta` and for stable ones (no level counts as stable; `draft`
and `alpha` have none). While a period is 0, `x-sunset` is optional; above 0, every newly
deprecated operation, parameter or body property must carry an `x-sunset` at least that many
days ahead (`*-sunset-missing`, `*-sunset-date-too-small`), and a sunset may move earlier only
while it stays that far ahead (with no period, any earlier sunset is an error).

Media types are paired by name first, then by the type they name (`application/json` and
`application/json; charset=utf-8` are the same content), then by range: a response type replaced
by a range covering it (`application/*`, `*/*`) is generalised, the reverse specialised; a request
range narrowed to one type is a removal. `not` inverts its subschema, so a change inside it is
reported whole (`*-not-added`, `*-not-removed`, `*-not-changed`) rather than judged by direction.

`--flatten-allof` (off by default) merges the members of every `allOf` into one schema before
comparing, so moving properties between a schema and its `allOf` parts reads as no change.

Webhooks (OpenAPI 3.1) are compared operation by operation, named `METHOD name`. A webhook
is a request the API sends: its request body is judged like a response (adding a property is
safe, removing a required one breaks receivers) and the receiver's responses like requests.
Callbacks are judged the same way and reported under the operation that declares them, located
inside it (`.../callbacks/name/expression/method`).

## Using it

```sh
registry diff BASE REVISION [--format json|text|markdown|html] [--fail-on error|warning]
              [--deprecation-days-beta N] [--deprecation-days-stable N] [--flatten-allof]
```

BASE and REVISION are OpenAPI 3.0 or 3.1 documents in YAML or JSON; local and relative-file
`$ref`s are followed. Exit status: 0 when no change reaches the `--fail-on` level (default
`error`), 1 when one does, 2 when an input cannot be read, parsed or resolved, or on bad usage
(with a message on stderr). `--format json` prints

```json
{"breaking": true, "changes": [
  {"id": "request-property-max-length-decreased", "level": "error", "operation": "POST /items",
   "location": "#/paths/~1items/post/requestBody/content/application~1json/schema/properties/sku",
   "message": "request body (application/json) property 'sku': maxLength changed from 20 to 10"}
]}
```

`location` is a JSON pointer into the revision, through the operation (a change inside a shared
component appears once per operation, at its shortest path from the operation). From Python:

```python
import registry

result = registry.diff("v1.yaml", "v2.yaml")  # paths or already-loaded mappings
result = registry.diff(                       # the CLI options, and the date sunsets are judged on
    "v1.yaml", "v2.yaml", today=date(2027, 1, 4),
    deprecation_days_beta=31, deprecation_days_stable=180, flatten_allof=True,
)
result.breaking                               # any error-level change
[c.id for c in result.changes]                # registry.model.Change values
```

This page is generated from `src/registry/diff/rules.py`
(`python -m registry.diff.docs docs/diff-rules.md`); a test fails when it is stale.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(rules: dict[str, Rule] | None = None) -> str:
    """The Markdown page documenting every rule, grouped by family."""
    table = rules if rules is not None else dict(RULES)
    by_family: dict[str, list[Rule]] = defaultdict(list)
    for rule in table.values():
        by_family[rule.family].append(rule)
    counts: dict[str, int] = defaultdict(int)
    for rule in table.values():
        counts[rule.level.value] += 1
    lines = [
        INTRO,
        f"{len(table)} rules: {counts['error']} error, {counts['warning']} warning, "
        f"{counts['info']} info.",
        "",
    ]
    for family in sorted(by_family):
        lines += [
            f"## {family}",
            "",
            "| id | level | direction | origin | description | example |",
            "|---|---|---|---|---|---|",
        ]
        for rule in sorted(by_family[family], key=lambda r: r.id):
            lines.append(
                f"| `{rule.id}` | {rule.level.value} | {rule.direction.value} | {rule.origin} "
                f"| {_cell(rule.description)} | `{_cell(rule.example)}` |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    """Print the page, or write it to the path given as the only argument."""
    text = render()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
