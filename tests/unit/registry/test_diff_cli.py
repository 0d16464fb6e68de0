"""``registry diff``: exit statuses, output formats and error messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.cli import main


def _doc(*, max_length: int = 20, pattern: str | None = None) -> dict[str, Any]:
    sku: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if pattern:
        sku["pattern"] = pattern
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": {"sku": sku}}
                            }
                        },
                    },
                    "responses": {"201": {"description": "created"}},
                }
            }
        },
    }


def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> str:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(doc), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_identical_documents_exit_0_with_no_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path, "base.yaml", _doc())
    revision = _write(tmp_path, "revision.json", _doc())
    code, out, _ = _run(capsys, base, revision, "--format", "json")
    assert code == 0
    assert json.loads(out) == {"breaking": False, "changes": []}


def test_breaking_change_exits_1_with_the_documented_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path, "base.yaml", _doc(max_length=20))
    revision = _write(tmp_path, "revision.yaml", _doc(max_length=10))
    code, out, _ = _run(capsys, base, revision, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["breaking"] is True
    assert [set(c) for c in report["changes"]] == [
        {"id", "level", "operation", "location", "message"}
    ]
    change = report["changes"][0]
    assert change["id"] == "request-property-max-length-decreased"
    assert change["level"] == "error"
    assert change["operation"] == "POST /items"
    assert change["location"].endswith("/schema/properties/sku")
    assert "sku" in change["message"]


def test_fail_on_warning_turns_a_warning_into_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path, "base.yaml", _doc(pattern="^[A-Z]+$"))
    revision = _write(tmp_path, "revision.yaml", _doc(pattern="^[A-Z0-9]+$"))
    assert _run(capsys, base, revision)[0] == 0
    code, out, _ = _run(capsys, base, revision, "--fail-on", "warning")
    assert code == 1
    assert "request-property-pattern-changed" in out


def test_info_only_changes_exit_0_even_with_fail_on_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path, "base.yaml", _doc(max_length=10))
    revision = _write(tmp_path, "revision.yaml", _doc(max_length=20))
    code, out, _ = _run(capsys, base, revision, "--fail-on", "warning", "--format", "json")
    assert code == 0
    assert [c["level"] for c in json.loads(out)["changes"]] == ["info"]


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [
        ("text", "error   request-property-max-length-decreased"),
        ("markdown", "| error | `request-property-max-length-decreased` |"),
        ("html", "<td>request-property-max-length-decreased</td>"),
    ],
)
def test_human_formats_name_each_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, marker: str
) -> None:
    base = _write(tmp_path, "base.yaml", _doc(max_length=20))
    revision = _write(tmp_path, "revision.yaml", _doc(max_length=10))
    code, out, _ = _run(capsys, base, revision, "--format", fmt)
    assert code == 1
    assert marker in out
    assert "1 changes (1 error, 0 warning, 0 info): breaking" in out


def test_html_escapes_document_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base_doc, revision_doc = _doc(), _doc()
    revision_doc["paths"]["/items<script>"] = base_doc["paths"]["/items"]
    base = _write(tmp_path, "base.yaml", base_doc)
    revision = _write(tmp_path, "revision.yaml", revision_doc)
    _, out, _ = _run(capsys, base, revision, "--format", "html")
    assert "<script>" not in out
    assert "&lt;script&gt;" in out


def test_missing_file_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path, "base.yaml", _doc())
    code, out, err = _run(capsys, base, str(tmp_path / "nope.yaml"))
    assert code == 2
    assert out == ""
    assert "nope.yaml" in err
    assert "cannot read" in err


def test_invalid_yaml_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _write(tmp_path, "base.yaml", _doc())
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\npaths: [unclosed\n", encoding="utf-8")
    code, _, err = _run(capsys, base, str(broken))
    assert code == 2
    assert "not valid YAML or JSON" in err


def test_a_document_that_is_not_openapi_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path, "base.yaml", _doc())
    other = _write(tmp_path, "other.yaml", {"swagger": "2.0", "paths": {}})
    code, _, err = _run(capsys, base, other)
    assert code == 2
    assert "not an OpenAPI 3.x document" in err


def test_a_dangling_ref_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base_doc, revision_doc = _doc(), _doc()
    content = revision_doc["paths"]["/items"]["post"]["requestBody"]["content"]
    content["application/json"]["schema"] = {"$ref": "#/components/schemas/Missing"}
    base = _write(tmp_path, "base.yaml", base_doc)
    revision = _write(tmp_path, "revision.yaml", revision_doc)
    code, _, err = _run(capsys, base, revision)
    assert code == 2
    assert "Missing" in err


@pytest.mark.parametrize(
    "argv",
    [["only-one.yaml"], ["a.yaml", "b.yaml", "--format", "pdf"], ["a", "b", "--fail-on", "info"]],
)
def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert "usage: registry diff" in err


def test_json_report_round_trips_awkward_text() -> None:
    from registry.diff import DiffResult
    from registry.diff.report import render_json
    from registry.model import Change, Level

    result = DiffResult(
        [
            Change("a-b", Level.ERROR, None, "#/paths/~1x", 'quote " backslash \\ tab \t é ✓'),
            Change("c", Level.INFO, "GET /a", "#/y", "line\nbreak </script>"),
        ]
    )
    assert json.loads(render_json(result)) == result.to_json()
    assert json.loads(render_json(DiffResult([]))) == {"breaking": False, "changes": []}


def test_a_ref_cycle_without_content_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_doc, revision_doc = _doc(), _doc()
    content = revision_doc["paths"]["/items"]["post"]["requestBody"]["content"]
    content["application/json"]["schema"] = {"$ref": "#/components/schemas/A"}
    revision_doc["components"] = {
        "schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
        }
    }
    base = _write(tmp_path, "base.yaml", base_doc)
    revision = _write(tmp_path, "revision.yaml", revision_doc)
    code, _, err = _run(capsys, base, revision)
    assert code == 2
    assert "$ref chain" in err


def test_deprecation_days_make_x_sunset_mandatory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    revision_doc = _doc()
    revision_doc["paths"]["/items"]["post"]["deprecated"] = True
    base = _write(tmp_path, "base.yaml", _doc())
    revision = _write(tmp_path, "revision.yaml", revision_doc)
    code, out, _ = _run(capsys, base, revision, "--format", "json")
    assert code == 0
    assert [c["id"] for c in json.loads(out)["changes"]] == ["endpoint-deprecated"]
    code, out, _ = _run(
        capsys, base, revision, "--format", "json", "--deprecation-days-stable", "180"
    )
    assert code == 1
    assert [c["id"] for c in json.loads(out)["changes"]] == ["api-deprecated-sunset-missing"]
    # The beta period does not apply to an operation without x-stability-level.
    code, _, _ = _run(capsys, base, revision, "--deprecation-days-beta", "31")
    assert code == 0


@pytest.mark.parametrize("value", ["-1", "soon", "1.5"])
def test_bad_deprecation_days_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    base = _write(tmp_path, "base.yaml", _doc())
    code, _, err = _run(capsys, base, base, "--deprecation-days-beta", value)
    assert code == 2
    assert "--deprecation-days-beta" in err


def test_flatten_allof_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base_doc, revision_doc = _doc(), _doc()
    content = revision_doc["paths"]["/items"]["post"]["requestBody"]["content"]["application/json"]
    schema = content["schema"]
    content["schema"] = {
        "allOf": [{"type": "object"}, {"type": "object", "properties": schema["properties"]}]
    }
    base = _write(tmp_path, "base.yaml", base_doc)
    revision = _write(tmp_path, "revision.yaml", revision_doc)
    code, _, _ = _run(capsys, base, revision)
    assert code == 1  # compared member by member, the split looks like a change
    code, out, _ = _run(capsys, base, revision, "--flatten-allof", "--format", "json")
    assert (code, json.loads(out)["changes"]) == (0, [])
