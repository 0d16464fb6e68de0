"""AsyncAPI 3.0 diff conformance cases: one folder per case, one parametrised test.

Each folder holds ``base/events.yaml`` and ``revision/events.yaml`` (with the ``.avsc`` files they
reference) and ``expected.yaml``: ``changes`` is the exhaustive list of (id, level) the diff must
report, ``messages`` are substrings its messages must contain, ``note`` says why where it is not
obvious.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from registry.cli import main
from registry.diff.asyncapi import RULES, diff_asyncapi
from registry.loading import DocumentError
from registry.model import Level

CASES = Path(__file__).parent / "diff_cases" / "asyncapi"


@pytest.mark.parametrize(
    "folder", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name
)
def test_asyncapi_case(folder: Path) -> None:
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))

    changes = diff_asyncapi(folder / "base" / "events.yaml", folder / "revision" / "events.yaml")

    found = Counter((c.id, c.level.value) for c in changes)
    assert found == Counter((c["id"], c["level"]) for c in expected["changes"])
    text = "\n".join(c.message for c in changes)
    for fragment in expected.get("messages", []):
        assert fragment in text
    for change in changes:
        assert change.id in RULES or change.id.startswith(
            ("asyncapi-message-header-", "asyncapi-message-payload-")
        )


def test_every_rule_is_exercised_by_a_case() -> None:
    """Each rule of the table appears in at least one case (documented rules stay tested)."""
    seen = {
        change["id"]
        for folder in CASES.iterdir()
        if folder.is_dir()
        for change in yaml.safe_load((folder / "expected.yaml").read_text())["changes"]
    }
    untested = {
        rule
        for rule in RULES
        if rule not in seen and rule not in {"asyncapi-server-added"}  # trivially symmetrical
    }
    assert untested == set()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"openapi": "3.0.3", "paths": {}}, "not an AsyncAPI 3.x document"),
        ({"asyncapi": "2.6.0", "channels": {}}, "not an AsyncAPI 3.x document"),
    ],
)
def test_other_documents_are_refused(document: dict[str, object], message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        diff_asyncapi(document, document)  # type: ignore[arg-type]


def test_error_level_changes_make_the_diff_breaking() -> None:
    folder = CASES / "avro-send-enum-symbol-added"

    changes = diff_asyncapi(folder / "base" / "events.yaml", folder / "revision" / "events.yaml")

    assert [c.level for c in changes] == [Level.ERROR]
    assert changes[0].operation == "SEND waybill.inbound.receipt.confirmed"


def test_the_event_catalog_has_no_changes_against_itself() -> None:
    catalog = Path(__file__).parents[2] / "specs" / "asyncapi" / "logistics-events.yaml"
    if not catalog.exists():
        pytest.skip("the event catalog is not in this checkout")

    assert diff_asyncapi(catalog, catalog) == []


@pytest.mark.parametrize(
    ("case", "status", "breaking"),
    [("avro-send-enum-symbol-added", 1, True), ("avro-send-inline-equals-file", 0, False)],
)
def test_registry_diff_dispatches_asyncapi_documents(
    case: str, status: int, breaking: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = CASES / case
    argv = ["diff", "--format", "json", str(folder / "base" / "events.yaml")]

    code = main([*argv, str(folder / "revision" / "events.yaml")])

    report = json.loads(capsys.readouterr().out)
    assert code == status
    assert report["breaking"] is breaking
    assert all(change["id"].startswith("asyncapi-") for change in report["changes"])


def test_a_narrowed_avro_file_in_the_event_catalog_breaks_its_consumers(tmp_path: Path) -> None:
    """The catalog's payloads are ``$ref``s to ``../avro/*.avsc``: change one file and diff."""
    specs = Path(__file__).parents[2] / "specs"
    if not (specs / "asyncapi" / "logistics-events.yaml").exists():
        pytest.skip("the event catalog is not in this checkout")
    revision = tmp_path / "specs"
    shutil.copytree(specs / "asyncapi", revision / "asyncapi")
    shutil.copytree(specs / "avro", revision / "avro")
    payload = revision / "avro" / "item.synced.avsc"
    if not payload.exists():
        pytest.skip("the catalog no longer has item.synced.avsc")
    schema = json.loads(payload.read_text(encoding="utf-8"))
    dropped = next(f for f in schema["fields"] if "default" not in f)
    schema["fields"].remove(dropped)
    payload.write_text(json.dumps(schema), encoding="utf-8")

    changes = diff_asyncapi(
        specs / "asyncapi" / "logistics-events.yaml",
        revision / "asyncapi" / "logistics-events.yaml",
    )

    assert changes
    for change in changes:
        assert (change.id, change.level) == ("asyncapi-message-payload-incompatible", Level.ERROR)
        assert change.operation is not None
        assert change.operation.startswith("SEND ")
        assert f"field '{dropped['name']}'" in change.message
