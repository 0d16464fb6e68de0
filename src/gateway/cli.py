"""``gateway`` command line: serve the contracts, manage clients."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from gateway.settings import Settings, SettingsError


def _serve(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.bind:
        env["WAYBILL_BIND"] = args.bind
    if args.workers:
        env["WAYBILL_WORKERS"] = str(args.workers)
    settings = Settings.from_env(env)
    os.environ.update({k: v for k, v in env.items() if k.startswith("WAYBILL_")})
    print(f"waybill gateway on http://{settings.bind} (data in {settings.data_dir})", flush=True)
    if args.demo:
        from gateway.demo import seed_demo_once

        # Once, in the parent, before any worker starts.
        print(seed_demo_once(settings), flush=True)
    if args.dev:
        import uvicorn

        uvicorn.run(
            "gateway.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            log_level="info",
        )
        return 0
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "--bind",
        settings.bind,
        "--workers",
        str(settings.workers),
        "--worker-class",
        "uvicorn_worker.UvicornWorker",
        "--graceful-timeout",
        "10",
        "gateway.app:create_app()",
    ]
    run()
    return 0


def _purge_idempotency(args: argparse.Namespace) -> int:
    import asyncio
    import json
    from datetime import UTC, datetime, timedelta

    from gateway.app import idempotency_store

    settings = Settings.from_env()
    hours = args.older_than_hours or settings.idempotency_retention_hours
    if hours < 1:
        raise SettingsError("--older-than-hours must be at least 1")
    store = idempotency_store(settings)
    cutoff = datetime.now(UTC) - timedelta(hours=hours)
    deleted = asyncio.run(store.purge(cutoff))
    print(json.dumps({"deleted": deleted, "olderThan": cutoff.isoformat()}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve every contract under specs/openapi")
    serve.add_argument("--bind", help="HOST:PORT (default 127.0.0.1:8080 or WAYBILL_BIND)")
    serve.add_argument("--workers", type=int, help="gunicorn worker processes")
    serve.add_argument("--dev", action="store_true", help="one uvicorn process, no gunicorn")
    serve.add_argument("--demo", action="store_true", help="seed demo data on first start")
    serve.set_defaults(func=_serve)
    idem = sub.add_parser("idempotency", help="manage stored Idempotency-Key results")
    idem_sub = idem.add_subparsers(dest="idempotency_command", required=True)
    purge = idem_sub.add_parser("purge", help="delete keys older than the retention period")
    purge.add_argument(
        "--older-than-hours",
        type=int,
        help="retention in hours (default WAYBILL_IDEMPOTENCY_RETENTION_HOURS or 24)",
    )
    purge.set_defaults(func=_purge_idempotency)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gateway`` console script."""
    # Connexion imports Starlette's TestClient, which warns about httpx on every start.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except SettingsError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
