"""Failed postings resumed by the served gateway's background task and by ``gateway adjustments
resume``, on the SQLite store under the data dir."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway import cli
from gateway.adapters.sqlite_store import SqliteStore
from gateway.app import _lifespan, build_context, create_app  # the lifespan under test
from gateway.domain.adjustments import Adjustment, AdjustmentStatus
from gateway.settings import Settings
from tests.conftest import SPECS
from tests.support.posting import Gateway, seeded


@pytest.fixture
def gw(tmp_path: Path) -> Gateway:
    return seeded(tmp_path, lambda: SqliteStore.in_dir(tmp_path))


def _wait_until_posted(gw: Gateway, adjustment_id: str) -> AdjustmentStatus:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = gw.get(adjustment_id).status
        if status is AdjustmentStatus.POSTED:
            break
        time.sleep(0.05)
    return status


def test_the_served_gateway_resumes_a_stuck_posting(gw: Gateway, tmp_path: Path) -> None:
    stuck = gw.stuck()  # last changed on the test clock's day, long before now
    app = create_app(Settings(specs_dir=SPECS, data_dir=tmp_path, posting_retry_seconds=1))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert _wait_until_posted(gw, stuck.adjustment_id) is AdjustmentStatus.POSTED
    assert gw.erp_documents() == 1


async def test_the_resumer_starts_and_stops_with_the_lifespan(tmp_path: Path) -> None:
    ctx = build_context(Settings(specs_dir=SPECS, data_dir=tmp_path, posting_retry_seconds=1))
    resumer = ctx.posting_resumer
    assert resumer is not None
    assert not resumer.running
    async with _lifespan(ctx)(None):
        assert resumer.running
    assert not resumer.running


def test_no_resumer_when_the_retry_period_is_0(tmp_path: Path) -> None:
    ctx = build_context(Settings(specs_dir=SPECS, data_dir=tmp_path, posting_retry_seconds=0))
    assert ctx.posting_resumer is None


@pytest.fixture
def stuck(gw: Gateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Adjustment:
    """A stuck adjustment in the data dir the CLI reads (SQLite, whatever the environment says)."""
    monkeypatch.setenv("WAYBILL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WAYBILL_DATABASE_URL", raising=False)
    return gw.stuck()


def test_the_cli_resumes_postings_and_prints_the_report(
    gw: Gateway, stuck: Adjustment, capsys: pytest.CaptureFixture[str]
) -> None:

    assert cli.main(["adjustments", "resume", "--older-than", "60", "--limit", "5"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["posted"] == 1
    assert report["postedIds"] == [stuck.adjustment_id]
    assert gw.get(stuck.adjustment_id).status is AdjustmentStatus.POSTED

    assert cli.main(["adjustments", "resume"]) == 0
    assert json.loads(capsys.readouterr().out)["posted"] == 0


def test_the_cli_exits_1_when_postings_still_fail(
    gw: Gateway, stuck: Adjustment, capsys: pytest.CaptureFixture[str]
) -> None:
    # The ERP's own database refuses writes: the posting fails again.
    gw.erp.db.connection().execute(
        "CREATE TRIGGER no_documents BEFORE INSERT ON erp_documents "
        "BEGIN SELECT RAISE(ABORT, 'ERP closed for the period'); END"
    )
    assert cli.main(["adjustments", "resume", "--older-than", "0"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [f["adjustmentId"] for f in report["failures"]] == [stuck.adjustment_id]
    assert "ERP closed for the period" in report["failures"][0]["reason"]
    assert cli.main(["adjustments", "resume", "--limit", "0"]) == 2
