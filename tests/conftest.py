"""Suite-wide fixtures: where the repository's contracts live, and the services policy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
REQUIRE_SERVICES = os.environ.get("WAYBILL_REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    """Skip a test whose external service is absent, or fail it when CI requires services."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)
