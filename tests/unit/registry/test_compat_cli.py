"""``registry compat`` exit statuses and output: 0 compatible, 1 incompatible, 2 bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.cli import main

AVRO = Path(__file__).parents[2] / "contract" / "compat_cases" / "avro"
JSON_CASES = Path(__file__).parents[2] / "contract" / "compat_cases" / "json"

BROKEN = {
    "not-json.avsc": "{ this is not json",
    "unknown-type.avsc": (
        '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]}'
    ),
    "bad-default.avsc": '{"type": "record", "name": "R", "fields": '
    '[{"name": "a", "type": ["string", "null"], "default": null}]}',
    "bad-json-schema.json": '{"type": "object", "properties": {"a": {"type": 12}}}',
    "remote-ref.json": '{"$ref": "https://example.com/schema.json"}',
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    for name, text in BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (
            ["--type", "avro", f"{AVRO}/field-added-with-default/new.avsc",
             f"{AVRO}/field-added-with-default/previous1.avsc"],
            (0, "compatible: ", ""),
        ),
        (
            ["--type", "avro", "--mode", "forward", f"{AVRO}/enum-symbol-added-forward/new.avsc",
             f"{AVRO}/enum-symbol-added-forward/previous1.avsc"],
            (1, "avro-enum-symbol-missing at /fields/status", ""),
        ),
        (
            ["--type", "avro", "--mode", "BACKWARD_TRANSITIVE",
             f"{AVRO}/mode-backward-transitive-checks-all/new.avsc",
             f"{AVRO}/mode-backward-transitive-checks-all/previous1.avsc",
             f"{AVRO}/mode-backward-transitive-checks-all/previous2.avsc"],
            (1, "previous version 1 of 2", ""),
        ),
        (
            ["--type", "json", f"{JSON_CASES}/required-added/new.json",
             f"{JSON_CASES}/required-added/previous1.json"],
            (1, "json-required-attribute-added", ""),
        ),
        (["--type", "avro", "{tmp}/not-json.avsc"], (2, "", "not-json.avsc: not valid")),
        (
            ["--type", "avro", f"{AVRO}/field-added-with-default/new.avsc",
             "{tmp}/unknown-type.avsc"],
            (2, "", "unknown-type.avsc: /fields/a: unknown type 'Nope'"),
        ),
        (["--type", "avro", "{tmp}/bad-default.avsc"], (2, "", "does not match the field's type")),
        (["--type", "json", "{tmp}/bad-json-schema.json"], (2, "", "not a valid JSON Schema")),
        (["--type", "json", "{tmp}/remote-ref.json"], (2, "", "only references inside")),
        (["--type", "avro", "{tmp}/missing.avsc"], (2, "", "missing.avsc: cannot read")),
        (["--type", "avro", "--mode", "SIDEWAYS", "{tmp}/x.avsc"], (2, "", "invalid choice")),
        (["--type", "xml", "{tmp}/x.avsc"], (2, "", "invalid choice")),
    ],
    ids=[
        "compatible", "incompatible", "transitive", "json-incompatible", "not-json",
        "unknown-type", "bad-default", "bad-json-schema", "remote-ref", "missing-file",
        "bad-mode", "bad-type",
    ],
)  # fmt: skip
def test_exit_status_and_output(
    argv: list[str],
    expect: tuple[int, str, str],
    broken: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["compat", *(a.replace("{tmp}", str(broken)) for a in argv)])

    captured = capsys.readouterr()
    status, out, err = expect
    assert code == status
    assert out in captured.out
    assert err in captured.err


def test_json_format_reports_every_issue(capsys: pytest.CaptureFixture[str]) -> None:
    folder = AVRO / "mode-full-fails-forward"
    code = main(
        ["compat", "--type", "avro", "--mode", "FULL", "--format", "json",
         str(folder / "new.avsc"), str(folder / "previous1.avsc")]
    )  # fmt: skip

    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["compatible"] is False
    assert report["mode"] == "FULL"
    assert [issue["id"] for issue in report["issues"]] == ["avro-reader-field-missing-default"]
    assert report["issues"][0]["location"] == "/fields/siteId"
    assert report["issues"][0]["level"] == "error"
