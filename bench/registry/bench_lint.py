"""Time ``registry.lint`` on one of Stripe's 4 MB OpenAPI documents and print a markdown row.

Usage: ``.venv/bin/python -m bench.registry.bench_lint [DOCUMENT] [--runs N]``. The baseline is
parsing the same document (``load_document``) in the same run; lint wall time is reported as a
ratio to it, with CPU time beside it (less sensitive to a busy machine). Peak memory is measured
in a separate run under tracemalloc, which slows the code it traces.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from registry.lint import lint
from registry.loading import load_document

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT.parent / "shared" / "corpus" / "stripe" / "spec3-2022-04-12-e0123a38.json"


def median_seconds(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of ``runs`` calls of ``action``."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def peak_mib(action: Callable[[], object]) -> float:
    """Peak Python memory allocated while ``action`` runs, in MiB."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.document.is_file():
        raise SystemExit(f"bench_lint: {args.document} not found (the shared Stripe corpus)")
    document = load_document(args.document)
    findings = lint(document, source=str(args.document))  # warm-up, and the finding count
    parse, _ = median_seconds(lambda: load_document(args.document), args.runs)
    wall, cpu = median_seconds(lambda: lint(document, source=str(args.document)), args.runs)
    memory = peak_mib(lambda: lint(document, source=str(args.document)))
    size = args.document.stat().st_size / 2**20
    print(
        "| document | size | findings | parse (baseline) | lint wall | lint CPU "
        "| lint / parse | lint peak memory |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.document.name} | {size:.1f} MiB | {len(findings)} | {parse * 1000:.0f} ms "
        f"| {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | {wall / parse:.1f}x | {memory:.1f} MiB |"
    )


if __name__ == "__main__":
    main()
