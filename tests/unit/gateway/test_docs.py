"""The operator docs name every problem type and every setting the code has."""

from __future__ import annotations

import re

from gateway.problems import ALL_KINDS
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "gateway.md").read_text()


def test_every_problem_type_is_documented_with_its_status() -> None:
    for kind in ALL_KINDS:
        assert f"| `{kind.slug}` | {kind.status} |" in DOC, f"docs/gateway.md lacks {kind.slug}"


def test_every_setting_is_documented() -> None:
    source = (ROOT / "src" / "gateway" / "settings.py").read_text()
    names = set(re.findall(r'"(WAYBILL_[A-Z_]+)"', source))
    assert names, "settings.py names no variables?"
    missing = sorted(n for n in names if f"`{n}`" not in DOC)
    assert not missing, f"docs/gateway.md lacks {missing}"
