"""Suite-wide fixtures: where the repository's contracts live, and the services policy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so the suite (and CI) is repeatable; set
# WAYBILL_HYPOTHESIS_EXPLORE=1 to search fresh examples and keep a local example database.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(
    "explore" if os.environ.get("WAYBILL_HYPOTHESIS_EXPLORE") == "1" else "repeatable"
)

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
REQUIRE_SERVICES = os.environ.get("WAYBILL_REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    """Skip a test whose external service is absent, or fail it when CI requires services."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)
