"""``registry diff|compat|lint`` on odd and hostile inputs: exit 2 with a message naming the file,
never a traceback; odd but valid documents (``$ref`` siblings in 3.1, recursive schemas) work.

Commands run in-process through ``registry.cli.main``, so an uncaught exception fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from registry.cli import main

OK_AVRO = {"type": "record", "name": "A", "fields": [{"name": "x", "type": "string"}]}
RECURSIVE_JSON = {"type": "object", "properties": {"child": {"$ref": "#"}, "name": {}}}


def _openapi_31(max_properties: int = 3, *, in_request: bool = False) -> dict[str, object]:
    schema = {
        "$ref": "#/components/schemas/Node",
        "description": "a node",
        "maxProperties": max_properties,
    }
    content = {"application/json": {"schema": schema}}
    op: dict[str, object] = {"responses": {"200": {"description": "ok", "content": content}}}
    if in_request:
        op = {"requestBody": {"content": content}, "responses": {"204": {"description": "ok"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/nodes": {"post": op}},
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "maxLength": 10},
                        "child": {"$ref": "#/components/schemas/Node"},
                        "children": {
                            "type": "array",
                            "maxItems": 5,
                            "items": {"$ref": "#/components/schemas/Node"},
                        },
                    },
                }
            }
        },
    }


def _alias_bomb() -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    lines += ["openapi: 3.0.3", "info: {title: t, version: '1'}", "paths: {}", "type: object"]
    return "\n".join(lines) + "\n"


# name -> file content (bytes) of inputs no command can use
BAD_INPUTS: dict[str, bytes] = {
    "empty.yaml": b"",
    "list.yaml": b"- a\n- b\n",
    "scalar.yaml": b'"just a string"\n',
    "garbage.bin": bytes(range(256)) * 4,
    "syntax.yaml": b"{{{ not: [yaml\n",
    "bomb.yaml": _alias_bomb().encode(),
}

# name -> argv for a bad file and a good companion file
COMMANDS: dict[str, Callable[[str, Path], list[str]]] = {
    "diff-base": lambda bad, d: ["diff", bad, str(d / "good.yaml")],
    "diff-revision": lambda bad, d: ["diff", str(d / "good.yaml"), bad],
    "lint": lambda bad, d: ["lint", bad],
    "compat-json": lambda bad, d: ["compat", "--type", "json", bad, str(d / "good.json")],
    "compat-avro-new": lambda bad, d: ["compat", "--type", "avro", bad, str(d / "good.avsc")],
    "compat-avro-previous": lambda bad, d: [
        "compat",
        "--type",
        "avro",
        str(d / "good.avsc"),
        bad,
    ],
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(_openapi_31()), encoding="utf-8")
    (tmp_path / "good.json").write_text(json.dumps(RECURSIVE_JSON), encoding="utf-8")
    (tmp_path / "good.avsc").write_text(json.dumps(OK_AVRO), encoding="utf-8")
    for name, content in BAD_INPUTS.items():
        (tmp_path / name).write_bytes(content)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("bad", sorted([*BAD_INPUTS, "missing.yaml", "a-directory"]))
def test_unusable_input_exits_2_naming_the_file(
    folder: Path, capsys: pytest.CaptureFixture[str], command: str, bad: str
) -> None:
    if bad == "a-directory":
        (folder / bad).mkdir()
    path = str(folder / bad)
    code, _, err = _run(capsys, COMMANDS[command](path, folder))
    assert code == 2, err
    assert err.startswith("registry: "), err
    assert bad in err, err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err


def test_alias_bomb_is_refused_with_a_reason(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, ["lint", str(folder / "bomb.yaml")])
    assert code == 2
    assert "aliases expand" in err


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "record", "name": "A", "fields": [{"name": "x", "type": "com.x.Gone"}]}, "Gone"),
        ({"type": "array", "items": "Missing"}, "Missing"),
        ({"type": "record", "name": "A", "fields": [{"name": "x"}]}, "type"),
    ],
)
def test_avro_with_unknown_or_missing_types_exits_2(
    folder: Path, capsys: pytest.CaptureFixture[str], schema: dict[str, object], message: str
) -> None:
    path = folder / "unknown.avsc"
    path.write_text(json.dumps(schema), encoding="utf-8")
    for argv in (
        ["compat", "--type", "avro", str(path), str(folder / "good.avsc")],
        ["compat", "--type", "avro", str(folder / "good.avsc"), str(path)],
    ):
        code, _, err = _run(capsys, argv)
        assert code == 2, err
        assert "unknown.avsc" in err, err
        assert message in err, err


def test_ref_siblings_in_31_are_compared(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = folder / "base.yaml"
    revision = folder / "revision.yaml"
    base.write_text(yaml.safe_dump(_openapi_31(3, in_request=True)), encoding="utf-8")
    revision.write_text(yaml.safe_dump(_openapi_31(2, in_request=True)), encoding="utf-8")
    code, out, _ = _run(capsys, ["diff", str(base), str(revision), "--format", "json"])
    ids = {c["id"] for c in json.loads(out)["changes"]}
    assert code == 1, out
    assert ids == {"request-body-max-properties-decreased"}
    code, out, _ = _run(capsys, ["diff", str(base), str(base), "--format", "json"])
    assert (code, json.loads(out)["changes"]) == (0, [])


def test_recursive_schemas_diff_lint_and_compat(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, revision = folder / "base.yaml", folder / "revision.yaml"
    doc = _openapi_31()
    base.write_text(yaml.safe_dump(doc), encoding="utf-8")
    node = doc["components"]["schemas"]["Node"]  # type: ignore[index]
    node["properties"]["name"]["maxLength"] = 20  # a loosened response, deep in the recursion
    revision.write_text(yaml.safe_dump(doc), encoding="utf-8")
    code, out, _ = _run(capsys, ["diff", str(base), str(revision), "--format", "json"])
    changes = json.loads(out)["changes"]
    assert code == 1
    assert {c["id"] for c in changes} == {"response-property-max-length-increased"}
    code, out, _ = _run(capsys, ["lint", str(base), "--format", "json"])
    assert code in (0, 1)
    assert "findings" in json.loads(out)
    good = str(folder / "good.json")
    code, _, err = _run(capsys, ["compat", "--type", "json", good, good])
    assert code == 0, err
