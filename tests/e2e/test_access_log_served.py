"""The served gateway's access log under gunicorn: every request's line arrives, once.

Lines are written in batches by each forked worker (``gateway.log_writer``); this runs the real
``gateway serve`` with two workers and reads what reached its stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx

from tests.conftest import SPECS
from tests.support.served import GATEWAY, free_port, stop, wait_until_healthy

REQUESTS = 40


def _access_lines(log: Path) -> list[dict[str, object]]:
    found = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == "waybill.access":
                found.append(record)
    return found


def test_each_request_is_logged_once_while_serving_and_nothing_is_lost_at_shutdown(
    tmp_path: Path,
) -> None:
    port, log = free_port(), tmp_path / "gateway.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYBILL_")}
    env |= {"WAYBILL_DATA_DIR": str(tmp_path / "data"), "WAYBILL_SPECS_DIR": str(SPECS)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(GATEWAY), "serve", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(url, process, log)
            ids = [f"access-log-{n}" for n in range(REQUESTS)]
            with httpx.Client(base_url=url, timeout=10) as client:
                for cid in ids:
                    answer = client.get("/no/such/path", headers={"X-Correlation-ID": cid})
                    assert answer.status_code == 404
            # While still serving: the workers' flushers write the batches within moments.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                logged = [r["correlation_id"] for r in _access_lines(log)]
                if set(ids) <= set(logged):
                    break
                time.sleep(0.1)
            assert set(ids) <= set(logged), "access lines still buffered after 30 s"
            # Stopping (each worker closes its handler) must not write any of them again.
        finally:
            stop(process)
    logged = [r["correlation_id"] for r in _access_lines(log)]
    assert sorted(cid for cid in logged if cid in ids) == sorted(ids)
    assert process.returncode == 0
