"""The three servers of the benchmark called in one process, interleaved: CPU per request.

Usage: ``.venv/bin/python -m bench.gateway.compare [GET|POST] [--rounds 7] [--requests 500]``.
All three apps are built side by side over one seeded data directory and driven in turns, each
round starting with the next one (a b c, b c a, c a b, ...), so a load change on a shared machine
falls on all three alike; prints the median CPU microseconds per request of each and the ratios
(b)/(c) and (a)/(c), which are the req/s ratios a CPU-bound server would reach.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from bench.gateway.profile import build, drive, seeded, token_headers


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("request", choices=["GET", "POST"])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with seeded("waybill-compare-") as (client_id, secret):
        apps = {key: build(key) for key in ("a", "b", "c")}
        headers = {"a": {}, "b": {}, "c": token_headers(apps["c"], client_id, secret)}
        cpu: dict[str, list[float]] = {key: [] for key in apps}

        async def run() -> None:
            for key, app in apps.items():  # warm-up
                await drive(app, args.request, 200, headers[key])
            keys = list(apps)
            for number in range(args.rounds):
                # Each round starts with the next server, so no app always runs first or last.
                for key in keys[number % 3 :] + keys[: number % 3]:
                    app = apps[key]
                    started = time.process_time()
                    await drive(app, args.request, args.requests, headers[key])
                    cpu[key].append((time.process_time() - started) / args.requests * 1e6)

        asyncio.run(run())
    median = {key: statistics.median(values) for key, values in cpu.items()}
    for key, value in median.items():
        spread = f"{min(cpu[key]):.0f}-{max(cpu[key]):.0f}"
        print(f"{key} {args.request}: {value:.0f} us CPU per request (rounds {spread})")
    print(f"(b)/(c) = {median['b'] / median['c']:.2f}   (a)/(c) = {median['a'] / median['c']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
