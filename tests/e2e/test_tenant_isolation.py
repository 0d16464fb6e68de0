"""Tenant isolation matrix, generated from the bundled contracts.

For every operation that takes a site id (path or query parameter, or a top-level property of its
JSON body), a partner whose token lists other sites gets 404 — the same answer as for a site that
does not exist — while the same call for its own site passes the tenant layer. The matrix is
derived here from the specs, independently of the middleware's own compilation.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.adapters.sqlite_clients import SqliteClientStore
from gateway.app import METRICS_SCOPE, create_app
from gateway.contracts import load_all
from gateway.services.clients import ClientService
from gateway.settings import Settings
from registry.loading import JSON, resolve_pointer
from tests.conftest import SPECS

OWN_SITE = "DC-EAST"
OTHER_SITE = "DC-WEST"
SITE_NAMES = {"siteId", "fromSiteId", "toSiteId"}
COUNTER = re.compile(r'^waybill_auth_failures_total\{reason="site_out_of_scope"\} (\S+)$', re.M)
UNSAFE = {"post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Case:
    """One site input of one operation, to be called with another partner's site."""

    base_path: str
    method: str
    path: str
    operation_id: str
    location: str  # path | query | body
    name: str
    path_params: tuple[str, ...]
    query_sites: tuple[str, ...]
    body_sites: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.base_path}:{self.operation_id}:{self.location}:{self.name}"


def _deref(doc: JSON, node: JSON) -> JSON:
    for _ in range(16):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = resolve_pointer(doc, str(node["$ref"])[1:])
        else:
            return node
    raise AssertionError("$ref chain too long")


def _is_site(name: str, schema: JSON) -> bool:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return name in SITE_NAMES or (isinstance(ref, str) and ref.endswith("/schemas/SiteId"))


def _body_sites(doc: JSON, schema: JSON) -> set[str]:
    schema = _deref(doc, schema)
    if not isinstance(schema, dict):
        return set()
    props = schema.get("properties")
    found = {n for n, s in props.items() if _is_site(n, s)} if isinstance(props, dict) else set()
    for part in schema.get("allOf") or []:  # type: ignore[union-attr]
        found |= _body_sites(doc, part)
    return found


def generate_cases() -> list[Case]:
    """Every (operation, site input) pair in the served contracts."""
    cases: list[Case] = []
    for loaded in load_all(SPECS / "openapi"):
        doc = loaded.document
        paths = doc.get("paths")
        assert isinstance(paths, dict)
        for path, item in paths.items():
            assert isinstance(item, dict)
            for method in ("get", "put", "post", "patch", "delete"):
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                declared = [item.get("parameters"), op.get("parameters")]
                params = [_deref(doc, p) for ps in declared if isinstance(ps, list) for p in ps]
                sites = {
                    (str(p["in"]), str(p["name"]))
                    for p in params
                    if isinstance(p, dict) and _is_site(str(p["name"]), p.get("schema"))
                }
                request_body = _deref(doc, op.get("requestBody"))
                content = request_body.get("content", {}) if isinstance(request_body, dict) else {}
                media = content.get("application/json") if isinstance(content, dict) else None
                if isinstance(media, dict):
                    sites |= {("body", n) for n in _body_sites(doc, media.get("schema"))}
                path_params = tuple(
                    str(p["name"]) for p in params if isinstance(p, dict) and p["in"] == "path"
                )
                for location, name in sorted(s for s in sites if s[0] in ("path", "query", "body")):
                    cases.append(
                        Case(
                            loaded.contract.base_path,
                            method,
                            path,
                            str(op["operationId"]),
                            location,
                            name,
                            path_params,
                            tuple(sorted(n for loc, n in sites if loc == "query")),
                            tuple(sorted(n for loc, n in sites if loc == "body")),
                        )
                    )
    return cases


CASES = generate_cases()


def all_scopes() -> list[str]:
    scopes: set[str] = set()
    for loaded in load_all(SPECS / "openapi"):
        doc = loaded.document
        schemes = resolve_pointer(doc, "/components/securitySchemes")
        assert isinstance(schemes, dict)
        for scheme in schemes.values():
            flows = scheme.get("flows") if isinstance(scheme, dict) else None
            for flow in flows.values() if isinstance(flows, dict) else ():
                granted = flow.get("scopes") if isinstance(flow, dict) else None
                scopes |= set(granted) if isinstance(granted, dict) else set()
    return sorted(scopes)


@dataclass
class Gateway:
    client: TestClient
    token: str

    def site_denials(self) -> float:
        metrics = self.client.get("/metrics", headers={"Authorization": f"Bearer {self.token}"})
        assert metrics.status_code == 200
        match = COUNTER.search(metrics.text)
        return float(match.group(1)) if match else 0.0

    def call(
        self, case: Case, site_for: dict[tuple[str, str], str]
    ) -> tuple[int, dict[str, object]]:
        url = case.path
        for name in case.path_params:
            url = url.replace("{" + name + "}", site_for.get(("path", name), "X1"))
        params = {n: site_for[("query", n)] for n in case.query_sites}
        headers = {"Authorization": f"Bearer {self.token}"}
        if case.method in UNSAFE:
            headers["Idempotency-Key"] = f"tenant-matrix-{uuid.uuid4()}"
        body = {n: site_for[("body", n)] for n in case.body_sites} if case.body_sites else None
        response = self.client.request(
            case.method.upper(),
            case.base_path + url,
            params=params,
            json=body,
            headers=headers,
        )
        doc = response.json() if "json" in response.headers.get("content-type", "") else {}
        return response.status_code, doc


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    data_dir: Path = tmp_path_factory.mktemp("tenant-gateway")
    settings = Settings(
        data_dir=data_dir,
        specs_dir=SPECS,
        rate_limit_burst=100_000,
        rate_limit_per_second=100_000.0,
    )
    clients = ClientService(SqliteClientStore(data_dir / "clients.sqlite3"))
    # metrics:read too: the matrix reads the site-denial counter from /metrics.
    partner, secret = clients.register("partner east", [*all_scopes(), METRICS_SCOPE], [OWN_SITE])
    with TestClient(create_app(settings)) as client:
        issued = client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": partner.client_id,
                "client_secret": secret,
            },
        )
        assert issued.status_code == 200, issued.text
        yield Gateway(client, issued.json()["access_token"])


def test_the_matrix_covers_path_query_and_body_site_ids() -> None:
    locations = {case.location for case in CASES}
    assert locations == {"path", "query", "body"}, locations
    ids = {case.id for case in CASES}
    assert "/inventory/v1:listBalances:query:siteId" in ids


def _sites(case: Case, tested: str) -> dict[tuple[str, str], str]:
    everywhere = {("path", n): OWN_SITE for n in case.path_params}
    everywhere |= {("query", n): OWN_SITE for n in case.query_sites}
    everywhere |= {("body", n): OWN_SITE for n in case.body_sites}
    everywhere[(case.location, case.name)] = tested
    return everywhere


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_another_partners_site_is_not_found(gateway: Gateway, case: Case) -> None:
    before = gateway.site_denials()
    status, problem = gateway.call(case, _sites(case, OTHER_SITE))
    assert status == 404, problem
    assert problem["type"] == "https://waybill.dev/problems/not-found"
    assert OTHER_SITE not in str(problem), "the answer must not echo the site"
    assert gateway.site_denials() == before + 1

    before = gateway.site_denials()
    status, problem = gateway.call(case, _sites(case, OWN_SITE))
    assert status not in (401, 403), problem
    assert gateway.site_denials() == before, f"own site denied by the tenant layer: {problem}"
