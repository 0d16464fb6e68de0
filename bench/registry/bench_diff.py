"""Time ``registry diff`` on Stripe's 4 MB OpenAPI documents and print a markdown table.

Usage: ``.venv/bin/python -m bench.registry.bench_diff [--runs N]``. Each run is the whole CLI in
a fresh process (interpreter start, imports, parsing both documents, the diff, the JSON report),
so wall time is what CI sees; CPU time (user + system) is less sensitive to a busy machine, and
peak memory is that process's maximum resident set size. The
baseline, measured in the same run, is parsing the same two documents in-process; the goal is
<= 2 s per pair.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from registry.loading import load_document

ROOT = Path(__file__).resolve().parents[2]
STRIPE = ROOT.parent / "shared" / "corpus" / "stripe"
PAIRS = (
    ("spec3-2022-04-07-fc5a2b92.json", "spec3-2022-04-12-e0123a38.json"),
    ("spec3-2021-12-21-628e7c2c.json", "spec3-2022-04-07-fc5a2b92.json"),
)
REGISTRY = [sys.executable, "-m", "registry.cli", "diff"]


def run_cli(base: Path, revision: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS in MiB and exit status of one ``registry diff``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [*REGISTRY, str(base), str(revision), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode == 2:
        stderr = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"bench_diff: registry diff failed: {stderr}")
    if process.stderr:
        process.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(
        "| pair | parse both (baseline) | diff wall (median) | diff CPU (median) "
        "| wall / parse | peak RSS | exit |"
    )
    print("|---|---|---|---|---|---|---|")
    for base_name, revision_name in PAIRS:
        base, revision = STRIPE / base_name, STRIPE / revision_name
        if not (base.is_file() and revision.is_file()):
            raise SystemExit(f"bench_diff: {base} or {revision} not found (shared Stripe corpus)")
        parse_times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            load_document(base)
            load_document(revision)
            parse_times.append(time.perf_counter() - start)
        runs = [run_cli(base, revision) for _ in range(args.runs)]
        parse = statistics.median(parse_times)
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        label = f"{base_name[6:16]} -> {revision_name[6:16]}"
        print(
            f"| {label} | {parse * 1000:.0f} ms | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms "
            f"| {wall / parse:.1f}x | {rss:.0f} MiB | {runs[0][3]} |"
        )


if __name__ == "__main__":
    main()
