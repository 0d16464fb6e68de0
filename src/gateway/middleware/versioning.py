"""Version lifecycle headers: ``Deprecation`` (RFC 9745), ``Sunset`` (RFC 8594), successor links.

After its sunset date a version answers 410 problem+json instead of serving stale behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import problems
from gateway.contracts import LoadedContract
from gateway.middleware.correlation import correlation_id
from gateway.middleware.routing_info import routed_operation

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Lifecycle:
    """What the contract says about one operation's deprecation and retirement."""

    deprecated_at: datetime | None
    sunset: datetime | None
    successor: str | None

    def headers(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.deprecated_at is not None:
            out.append(("Deprecation", f"@{int(self.deprecated_at.timestamp())}"))
        if self.sunset is not None:
            out.append(("Sunset", format_datetime(self.sunset, usegmt=True)))
        if self.successor is not None:
            out.append(("Link", f'<{self.successor}>; rel="successor-version"'))
        return out


def _instant(value: object, *, end_of_day: bool) -> datetime | None:
    """An ``x-sunset``/``x-deprecated-at`` value (date or date-time) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.max if end_of_day else time.min, tzinfo=UTC)
    if not isinstance(value, str):
        return None
    if _DATE.match(value):
        return _instant(date.fromisoformat(value), end_of_day=end_of_day)
    try:
        return _instant(datetime.fromisoformat(value.replace("Z", "+00:00")), end_of_day=False)
    except ValueError:
        return None


def compile_lifecycles(contracts: Iterable[LoadedContract]) -> dict[tuple[str, str], Lifecycle]:
    """Per ``(base_path, operation_id)``: deprecation instant, sunset and successor version."""
    loaded = list(contracts)
    majors: dict[str, list[int]] = {}
    for item in loaded:
        majors.setdefault(item.contract.service, []).append(item.contract.major)
    table: dict[tuple[str, str], Lifecycle] = {}
    for item in loaded:
        contract, doc = item.contract, item.document
        info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
        assert isinstance(info, dict)
        newer = sorted(m for m in majors[contract.service] if m > contract.major)
        successor = f"/{contract.service}/v{newer[0]}" if newer else None
        paths = doc.get("paths") or {}
        assert isinstance(paths, dict)
        for path_item in paths.values():
            if not isinstance(path_item, dict):
                continue
            for method in _METHODS:
                op = path_item.get(method)
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                sunset = _instant(op.get("x-sunset", info.get("x-sunset")), end_of_day=True)
                deprecated = bool(op.get("deprecated")) or sunset is not None
                if not deprecated:
                    continue
                since = op.get("x-deprecated-at", info.get("x-deprecated-at"))
                deprecated_at = _instant(since, end_of_day=False) if since else None
                table[(contract.base_path, str(op["operationId"]))] = Lifecycle(
                    # RFC 9745 needs a date; without one the version counts as deprecated since
                    # the epoch, i.e. "already deprecated", which is what `deprecated: true` says.
                    deprecated_at or datetime.fromtimestamp(0, tz=UTC),
                    sunset,
                    successor,
                )
    return table


class VersionHeadersMiddleware:
    """Adds lifecycle headers to deprecated operations and answers 410 once they are retired."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        contracts: Iterable[LoadedContract],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.lifecycles = compile_lifecycles(contracts)
        self.now = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = routed_operation(scope) if scope["type"] == "http" else None
        lifecycle = self.lifecycles.get(routed) if routed else None
        if lifecycle is None:
            await self.app(scope, receive, send)
            return
        extra = lifecycle.headers()
        if lifecycle.sunset is not None and self.now() > lifecycle.sunset:
            detail = f"This API version was retired on {extra[1][1]}."
            if lifecycle.successor:
                detail += f" Use {lifecycle.successor}."
            response = problems.problem_response(
                problems.VERSION_SUNSET,
                detail,
                headers=dict(extra),
                correlation_id=correlation_id(scope),
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
