"""The one wiring point: ``create_app(settings)`` builds the ASGI application."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Any

from connexion import AsyncApp
from connexion.lifecycle import ConnexionRequest
from connexion.resolver import Resolver
from starlette.responses import JSONResponse

from gateway import problems
from gateway.contracts import ServedContract, discover
from gateway.settings import Settings

Handler = Callable[..., Awaitable[Any]]


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _not_implemented(contract: ServedContract, operation_id: str) -> Handler:
    async def handler(
        *_args: object, **_kwargs: object
    ) -> tuple[dict[str, object], int, dict[str, str]]:
        body = problems.NOT_IMPLEMENTED.body(
            f"Operation '{operation_id}' of {contract.base_path} is in the contract but has no "
            "behaviour behind it yet.",
            operationId=operation_id,
        )
        return body, 501, {"Content-Type": problems.PROBLEM_CONTENT_TYPE}

    return handler


def _resolver(contract: ServedContract) -> Resolver:
    """Operation ids map to ``gateway.api.<service>_v<major>.<snake_case_id>``, else a 501."""

    def resolve(operation_id: str) -> Handler:
        module_name = f"gateway.api.{contract.service}_v{contract.major}"
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (module_name + ".").startswith(exc.name + "."):
                raise
            return _not_implemented(contract, operation_id)
        handler: Handler | None = getattr(module, _snake(operation_id), None)
        return handler or _not_implemented(contract, operation_id)

    return Resolver(function_resolver=resolve)


async def _healthz(_request: ConnexionRequest) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None) -> AsyncApp:
    """Build the gateway: every contract under ``specs/openapi`` mounted at its base path."""
    settings = settings or Settings.from_env()
    app = AsyncApp(__name__)
    for contract in discover(settings.specs_dir / "openapi"):
        app.add_api(
            contract.load(),
            base_path=contract.base_path,
            name=f"{contract.service}-v{contract.major}",
            resolver=_resolver(contract),
            strict_validation=True,
            validate_responses=False,
        )
    app.add_url_rule("/healthz", "healthz", _healthz, methods=["GET"])
    return app
