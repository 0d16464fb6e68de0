"""The README's service table tells the truth about what is served and what is live."""

from __future__ import annotations

import importlib.util
import re

from gateway.contracts import discover
from tests.conftest import ROOT, SPECS

README = (ROOT / "README.md").read_text()
ROWS = dict(re.findall(r"^\| \w+ \| `(/[\w-]+/v\d+)` \| (.+) \|$", README, flags=re.MULTILINE))


def test_every_served_contract_has_a_row_saying_whether_it_is_live() -> None:
    served = {c.base_path: c for c in discover(SPECS / "openapi")}
    assert set(ROWS) == set(served), "README's table and specs/openapi disagree"
    for base_path, contract in served.items():
        module = f"gateway.api.{contract.service}_v{contract.major}"
        live = importlib.util.find_spec(module) is not None
        assert ROWS[base_path].startswith("**live**") == live, base_path
