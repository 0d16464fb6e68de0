"""Profile one server of the benchmark in-process: the ASGI app called directly, no sockets.

Usage: ``.venv/bin/python -m bench.gateway.profile [a|b|c] [GET|POST] [--requests N]`` prints
the CPU microseconds per request and the functions with the most own time (cProfile), so the
cost of each layer can be read without the HTTP server and the load generator in the picture.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message

from bench.gateway.run import ADJUSTMENT, ADJUSTMENTS, BALANCES, seed


async def call(app: ASGIApp, method: str, target: str, headers: dict[str, str], body: bytes) -> int:
    """One request through the ASGI app; its status."""
    path, _, query = target.partition("?")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    sent = False
    status = 0

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def build(key: str) -> ASGIApp:
    """The app of server ``key`` (a, b or c), built from the environment's settings."""
    if key == "a":
        from bench.gateway.apps import bare_app

        return bare_app()
    if key == "b":
        from bench.gateway.apps import stock_connexion_app

        return stock_connexion_app()
    from gateway.app import create_app

    app: ASGIApp = create_app()
    return app


@contextmanager
def seeded(prefix: str) -> Iterator[tuple[str, str]]:
    """A fresh seeded data directory with rate limits out of the way; the bench client's
    id and secret. The directory is removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["WAYBILL_RATE_LIMIT_PER_SECOND"] = "1000000"
    os.environ["WAYBILL_RATE_LIMIT_BURST"] = "1000000"
    try:
        yield seed(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def token_headers(app: ASGIApp, client_id: str, secret: str) -> dict[str, str]:
    """Headers carrying a bearer token the gateway ``app`` issued to the client."""
    from starlette.testclient import TestClient

    with TestClient(app) as http:
        answer = http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
        )
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


async def drive(app: ASGIApp, request: str, n: int, headers: dict[str, str]) -> None:
    """Send ``n`` requests one after another; fail loudly on a non-2xx answer."""
    headers = {"content-type": "application/json", **headers}
    for _ in range(n):
        if request == "GET":
            status = await call(app, "GET", BALANCES, headers, b"")
        else:
            keyed = {**headers, "Idempotency-Key": str(uuid.uuid4())}
            status = await call(app, "POST", ADJUSTMENTS, keyed, ADJUSTMENT.encode())
        if not 200 <= status < 300:
            raise SystemExit(f"{request} answered {status}")


def main() -> int:
    """Profile and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", choices=["a", "b", "c"])
    parser.add_argument("request", choices=["GET", "POST"])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", help="cProfile sort key (tottime, cumtime)")
    parser.add_argument("--dump", type=Path, help="also write the raw cProfile stats here")
    args = parser.parse_args()
    with seeded("waybill-profile-") as (client_id, secret):
        app = build(args.server)
        headers = token_headers(app, client_id, secret) if args.server == "c" else {}
        asyncio.run(drive(app, args.request, 200, headers))  # warm-up
        started = time.process_time()
        asyncio.run(drive(app, args.request, args.requests, headers))
        cpu = time.process_time() - started
        print(f"{args.server} {args.request}: {cpu / args.requests * 1e6:.0f} us CPU per request")
        if args.top:
            profiler = cProfile.Profile()
            profiler.enable()
            asyncio.run(drive(app, args.request, args.requests, headers))
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
            if args.dump:
                profiler.dump_stats(args.dump)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
