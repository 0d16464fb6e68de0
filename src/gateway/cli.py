"""``gateway`` command line: serve the contracts, manage clients."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Sequence

from gateway.services.clients import ClientError, ClientService
from gateway.settings import Settings, SettingsError


def _serve(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.bind:
        env["WAYBILL_BIND"] = args.bind
    if args.workers:
        env["WAYBILL_WORKERS"] = str(args.workers)
    if args.settings:
        env["WAYBILL_SETTINGS_FILE"] = args.settings
    settings = Settings.from_env(env)
    os.environ.update({k: v for k, v in env.items() if k.startswith("WAYBILL_")})
    print(f"waybill gateway on http://{settings.bind} (data in {settings.data_dir})", flush=True)
    if args.demo:
        from gateway.demo import seed_demo_once

        # Once, in the parent, before any worker starts.
        print(seed_demo_once(settings), flush=True)
    from gateway import serving

    if args.dev:
        serving.run_dev(settings)
    else:
        serving.run_gunicorn(settings)
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


def _adjustments_resume(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from gateway.adapters.reference_erp import ReferenceErp
    from gateway.adapters.reference_wms import ReferenceWms
    from gateway.app import gateway_store
    from gateway.services.adjustments import AdjustmentService

    if args.older_than < 0 or args.limit < 1:
        raise SettingsError("--older-than must be >= 0 and --limit >= 1")
    settings = Settings.from_env()
    store = gateway_store(settings)
    erp, wms = ReferenceErp.in_dir(settings.data_dir), ReferenceWms.in_dir(settings.data_dir)
    try:
        report = AdjustmentService(store.unit_of_work, erp, wms).resume_postings(
            older_than=timedelta(seconds=args.older_than), limit=args.limit
        )
    finally:
        store.close()
    print(json.dumps(report.to_json(), indent=2))
    return 1 if report.failed else 0


def _client_service(settings: Settings) -> ClientService:
    from gateway.app import client_store

    return ClientService(client_store(settings))


def _clients_add(args: argparse.Namespace) -> int:
    clients = _client_service(Settings.from_env())
    client, secret = clients.register(args.name, args.scopes, args.sites)
    view = client.public_view()
    shown = {k: view[k] for k in ("client_id", "name", "scopes", "sites")}
    print(json.dumps({**shown, "client_secret": secret}, indent=2))
    return 0


def _clients_list(_args: argparse.Namespace) -> int:
    clients = _client_service(Settings.from_env())
    print(json.dumps([c.public_view() for c in clients.list_all()], indent=2))
    return 0


def _clients_revoke(args: argparse.Namespace) -> int:
    if not _client_service(Settings.from_env()).revoke(args.client_id):
        print(f"gateway: no client {args.client_id!r}", file=sys.stderr)
        return 1
    print(json.dumps({"client_id": args.client_id, "status": "revoked"}))
    return 0


def _keys_rotate(_args: argparse.Namespace) -> int:
    from gateway.services.identity import open_key_ring

    ring = open_key_ring(Settings.from_env())
    new = ring.rotate()
    print(json.dumps({"signing_kid": new.kid, "active": [k.kid for k in ring.active_keys()]}))
    return 0


def _add_identity_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    clients = sub.add_parser("clients", help="manage OAuth2 clients (partners)")
    clients_sub = clients.add_subparsers(dest="clients_command", required=True)
    add = clients_sub.add_parser("add", help="register a client; prints its secret once")
    add.add_argument("name")
    add.add_argument("--scopes", nargs="+", required=True, metavar="SCOPE")
    add.add_argument("--sites", nargs="*", default=[], metavar="SITE_ID")
    add.set_defaults(func=_clients_add)
    clients_sub.add_parser("list", help="list clients (no secrets)").set_defaults(
        func=_clients_list
    )
    revoke = clients_sub.add_parser("revoke", help="revoke a client and its tokens")
    revoke.add_argument("client_id")
    revoke.set_defaults(func=_clients_revoke)
    keys = sub.add_parser("keys", help="manage token signing keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser(
        "rotate", help="add a signing key; the previous one verifies for a grace period"
    ).set_defaults(func=_keys_rotate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve every contract under specs/openapi")
    serve.add_argument("--bind", help="HOST:PORT (default 127.0.0.1:8080 or WAYBILL_BIND)")
    serve.add_argument("--workers", type=int, help="gunicorn worker processes")
    serve.add_argument("--settings", help="TOML settings file (or WAYBILL_SETTINGS_FILE)")
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
    adjustments = sub.add_parser("adjustments", help="inventory adjustments")
    adjustments_sub = adjustments.add_subparsers(dest="adjustments_command", required=True)
    resume = adjustments_sub.add_parser(
        "resume", help="post approved adjustments whose ERP posting failed; prints a JSON report"
    )
    resume.add_argument(
        "--older-than",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="only adjustments unchanged for this long (default 30)",
    )
    resume.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    resume.set_defaults(func=_adjustments_resume)
    _add_identity_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gateway`` console script."""
    # Connexion imports Starlette's TestClient, which warns about httpx on every start.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (SettingsError, ClientError) as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
