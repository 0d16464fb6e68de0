"""The OAuth2 token endpoint, the JWKS, and tokens from an external IdP, through ``create_app``."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from starlette.testclient import TestClient

from gateway.adapters.sqlite_clients import SqliteClientStore
from gateway.app import create_app
from gateway.contracts import load_all
from gateway.services.clients import Client, ClientService
from gateway.settings import Settings
from tests.conftest import SPECS

ISSUER = "https://gateway.oauth.test"
READ = "/items/v1/items"
WRITE = "/items/v1/items/SKU-1/status-changes"
FORM = "application/x-www-form-urlencoded"


@dataclass
class Partner:
    client: Client
    secret: str

    @property
    def basic(self) -> str:
        raw = f"{self.client.client_id}:{self.secret}".encode()
        return "Basic " + base64.b64encode(raw).decode()


def settings_for(data_dir: Path, **changes: object) -> Settings:
    base: dict[str, object] = {
        "data_dir": data_dir,
        "specs_dir": SPECS,
        "token_issuer": ISSUER,
        "rate_limit_burst": 10_000,
        "rate_limit_per_second": 10_000.0,
    }
    return Settings(**{**base, **changes})  # type: ignore[arg-type]


# Building the app is the slow part (every contract is bundled and compiled): once per module.
@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("oauth-gateway")


@pytest.fixture(scope="module")
def clients(data_dir: Path) -> ClientService:
    return ClientService(SqliteClientStore(data_dir / "clients.sqlite3"))


@pytest.fixture(scope="module")
def partner(clients: ClientService) -> Partner:
    client, secret = clients.register("Acme WMS", ["items:read", "items:write"], ["DC-EAST"])
    return Partner(client, secret)


@pytest.fixture(scope="module")
def gateway(data_dir: Path, partner: Partner) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(data_dir))) as client:
        yield client


def token_request(
    gateway: TestClient, form: dict[str, str], headers: dict[str, str] | None = None
) -> httpx.Response:
    response: httpx.Response = gateway.post("/oauth/token", data=form, headers=headers or {})
    return response


def test_client_secret_basic_issues_a_bearer_token(gateway: TestClient, partner: Partner) -> None:
    response = token_request(
        gateway, {"grant_type": "client_credentials"}, {"Authorization": partner.basic}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "items:read items:write"
    keys = KeySet.import_key_set(gateway.get("/.well-known/jwks.json").json())
    token = jwt.decode(body["access_token"], keys, algorithms=["RS256"])
    assert token.header["alg"] == "RS256"
    assert token.header["kid"] in {k.kid for k in keys}
    claims = token.claims
    assert claims["iss"] == ISSUER
    assert claims["aud"] == "waybill"
    assert claims["sub"] == partner.client.client_id
    assert claims["sites"] == ["DC-EAST"]
    assert claims["exp"] - claims["iat"] == 3600
    api = gateway.get(READ, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert api.status_code not in (401, 403), api.text


def test_client_secret_post_issues_a_token(gateway: TestClient, partner: Partner) -> None:
    response = token_request(
        gateway,
        {
            "grant_type": "client_credentials",
            "client_id": partner.client.client_id,
            "client_secret": partner.secret,
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "items:read items:write"


@dataclass
class Refusal:
    form: dict[str, str]
    status: int
    error: str
    basic: str | None = None  # "good", "bad" or a literal header value
    raw_body: bytes | None = None
    content_type: str = FORM
    extra: dict[str, str] = field(default_factory=dict)


REFUSALS: dict[str, Refusal] = {
    "wrong-secret-basic": Refusal(
        {"grant_type": "client_credentials"}, 401, "invalid_client", "bad"
    ),
    "wrong-secret-post": Refusal(
        {"grant_type": "client_credentials", "client_secret": "nope"}, 401, "invalid_client"
    ),
    "unknown-client": Refusal(
        {"grant_type": "client_credentials"},
        401,
        "invalid_client",
        "Basic " + base64.b64encode(b"wb_unknown:whatever").decode(),
    ),
    "no-client-authentication": Refusal(
        {"grant_type": "client_credentials"}, 401, "invalid_client"
    ),
    "malformed-basic": Refusal(
        {"grant_type": "client_credentials"}, 401, "invalid_client", "Basic %%%"
    ),
    "two-authentication-methods": Refusal(
        {"grant_type": "client_credentials", "client_secret": "x"}, 400, "invalid_request", "good"
    ),
    "unsupported-grant": Refusal({"grant_type": "password"}, 400, "unsupported_grant_type", "good"),
    "missing-grant-type": Refusal({}, 400, "invalid_request", "good"),
    "scope-not-granted": Refusal(
        {"grant_type": "client_credentials", "scope": "items:read adjustments:approve"},
        400,
        "invalid_scope",
        "good",
    ),
    "empty-scope": Refusal(
        {"grant_type": "client_credentials", "scope": ""}, 400, "invalid_scope", "good"
    ),
    "json-body": Refusal(
        {},
        400,
        "invalid_request",
        "good",
        b'{"grant_type":"client_credentials"}',
        "application/json",
    ),
    "repeated-parameter": Refusal(
        {}, 400, "invalid_request", "good", b"grant_type=client_credentials&grant_type=password"
    ),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_token_endpoint_refusals_follow_rfc6749(
    gateway: TestClient, partner: Partner, case: Refusal
) -> None:
    headers = {"Content-Type": case.content_type, **case.extra}
    if case.basic == "good":
        headers["Authorization"] = partner.basic
    elif case.basic == "bad":
        headers["Authorization"] = Partner(partner.client, "wrong-secret").basic
    elif case.basic is not None:
        headers["Authorization"] = case.basic
    form = dict(case.form)
    if "client_secret" in form and case.basic is None:
        form["client_id"] = partner.client.client_id
    body = case.raw_body if case.raw_body is not None else httpx.QueryParams(form).__str__()
    response = gateway.post("/oauth/token", content=body, headers=headers)
    assert response.status_code == case.status, response.text
    assert response.json()["error"] == case.error
    assert response.json()["error_description"]
    assert response.headers["cache-control"] == "no-store"
    if case.status == 401:
        assert response.headers["www-authenticate"].startswith("Basic")


def test_revoked_client_gets_no_token(gateway: TestClient, clients: ClientService) -> None:
    former = Partner(*clients.register("Former partner", ["items:read"], ["DC-EAST"]))
    auth = {"Authorization": former.basic}
    assert token_request(gateway, {"grant_type": "client_credentials"}, auth).status_code == 200
    clients.revoke(former.client.client_id)
    response = token_request(gateway, {"grant_type": "client_credentials"}, auth)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_scope_narrowing_limits_what_the_token_may_do(
    gateway: TestClient, partner: Partner
) -> None:
    response = token_request(
        gateway,
        {"grant_type": "client_credentials", "scope": "items:read"},
        {"Authorization": partner.basic},
    )
    assert response.json()["scope"] == "items:read"
    auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert gateway.get(READ, headers=auth).status_code not in (401, 403)
    denied = gateway.post(
        WRITE,
        json={"status": "ACTIVE"},
        headers={**auth, "Idempotency-Key": "narrowed-scope-0001"},
    )
    assert denied.status_code == 403, denied.text
    assert denied.json()["type"] == "https://waybill.dev/problems/insufficient-scope"
    assert "'items:write'" in denied.json()["detail"]
    assert denied.headers["www-authenticate"] == (
        'Bearer realm="waybill", error="insufficient_scope", scope="items:write"'
    )


def test_jwks_lists_public_keys_only(gateway: TestClient) -> None:
    response = gateway.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert 1 <= len(keys) <= 2, "one key, two while a rotation's grace period runs"
    key = keys[0]
    assert {key["kty"], key["alg"], key["use"]} == {"RSA", "RS256", "sig"}
    assert key["kid"] == RSAKey.import_key(key).thumbprint()
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


class _JwksServer:
    """A loopback HTTP server publishing an IdP's JWKS and counting fetches."""

    def __init__(self, jwks: Mapping[str, object]) -> None:
        body = json.dumps(jwks).encode()
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def __enter__(self) -> _JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


IDP_ISSUER = "https://idp.example.test/"
IDP_AUDIENCE = "waybill-api"


def idp_token(key: RSAKey | ECKey, alg: str, **changes: object) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": IDP_ISSUER,
        "aud": IDP_AUDIENCE,
        "sub": "idp-partner-7",
        "iat": now,
        "exp": now + 300,
        "scope": "items:read",
        "sites": ["DC-WEST"],
    }
    claims.update(changes)
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key, algorithms=[alg])


def test_tokens_of_an_external_idp_are_trusted_via_jwks_url(
    data_dir: Path, clients: ClientService, partner: Partner
) -> None:
    rsa_key = RSAKey.generate_key(2048, parameters={"kid": "idp-rsa"}, private=True)
    ec_key = ECKey.generate_key("P-256", parameters={"kid": "idp-ec"}, private=True)
    jwks = {"keys": [dict(rsa_key.as_dict(private=False)), dict(ec_key.as_dict(private=False))]}
    with _JwksServer(jwks) as idp:
        settings = settings_for(
            data_dir, jwks_url=idp.url, jwt_issuer=IDP_ISSUER, jwt_audience=IDP_AUDIENCE
        )
        with TestClient(create_app(settings)) as gateway:

            def call(token: str) -> httpx.Response:
                response: httpx.Response = gateway.get(
                    READ, headers={"Authorization": f"Bearer {token}"}
                )
                return response

            assert call(idp_token(rsa_key, "RS256")).status_code not in (401, 403)
            assert call(idp_token(ec_key, "ES256")).status_code not in (401, 403)
            assert idp.fetches == 1, "the JWKS is cached"
            rejected = {
                "wrong audience": idp_token(rsa_key, "RS256", aud="waybill"),
                "our issuer on an IdP key": idp_token(rsa_key, "RS256", iss=ISSUER),
                "expired": idp_token(rsa_key, "RS256", exp=int(time.time()) - 3600),
                "unknown kid": idp_token(
                    RSAKey.generate_key(2048, parameters={"kid": "idp-new"}, private=True),
                    "RS256",
                ),
            }
            for reason, token in rejected.items():
                assert call(token).status_code == 401, reason
            assert idp.fetches == 1, "unknown kids within a minute of a fetch refetch nothing"

            own = token_request(
                gateway, {"grant_type": "client_credentials"}, {"Authorization": partner.basic}
            ).json()["access_token"]
            assert call(own).status_code not in (401, 403), "our own tokens still work"

            clients.revoke("idp-partner-7")  # no local client: nothing to revoke
            local, _ = clients.register("IdP partner, locally revoked", ["items:read"], [])
            clients.revoke(local.client_id)
            assert call(idp_token(rsa_key, "RS256", sub=local.client_id)).status_code == 401


def test_cli_manages_clients_and_rotates_keys(
    gateway: TestClient,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from gateway.cli import main

    monkeypatch.setenv("WAYBILL_DATA_DIR", str(data_dir))
    monkeypatch.delenv("WAYBILL_DATABASE_URL", raising=False)
    assert main(["clients", "add", "CLI partner", "--scopes", "items:read", "--sites", "DC-1"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert set(added) == {"client_id", "client_secret", "name", "scopes", "sites"}
    assert (added["name"], added["scopes"], added["sites"]) == (
        "CLI partner",
        ["items:read"],
        ["DC-1"],
    )
    form = {
        "grant_type": "client_credentials",
        "client_id": added["client_id"],
        "client_secret": added["client_secret"],
    }
    assert token_request(gateway, form).status_code == 200

    assert main(["clients", "list"]) == 0
    listed = capsys.readouterr().out
    assert added["client_id"] in listed
    assert added["client_secret"] not in listed
    assert "secret" not in listed

    assert main(["clients", "revoke", added["client_id"]]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "revoked"
    assert token_request(gateway, form).status_code == 401
    assert main(["clients", "revoke", "wb_nobody"]) == 1
    assert main(["clients", "add", "bad", "--scopes", 'quote"scope']) == 2
    capsys.readouterr()

    before = {k["kid"] for k in gateway.get("/.well-known/jwks.json").json()["keys"]}
    assert main(["keys", "rotate"]) == 0
    rotated = json.loads(capsys.readouterr().out)
    assert rotated["signing_kid"] not in before
    assert rotated["active"][0] == rotated["signing_kid"]
    assert set(rotated["active"][1:]) <= before
    assert len(rotated["active"]) == 2
    assert len(list((data_dir / "keys").glob("*.pem"))) == 2


@dataclass(frozen=True)
class Secured:
    """One operation of a served contract and the scopes its security requirement names."""

    method: str
    url: str
    operation_id: str
    scopes: frozenset[str]


def secured_operations() -> list[Secured]:
    """Every operation with its (first) security alternative, read straight from the specs."""
    found: list[Secured] = []
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
                security = op.get("security", doc.get("security"))
                assert isinstance(security, list)
                assert security, f"{op['operationId']} is public"
                first = security[0]
                assert isinstance(first, dict)
                scopes = frozenset(s for ss in first.values() if isinstance(ss, list) for s in ss)
                url = loaded.contract.base_path + re.sub(r"\{[^}]+\}", "X1", path)
                found.append(
                    Secured(method, url, str(op["operationId"]), frozenset(map(str, scopes)))
                )
    return found


SECURED = secured_operations()
ALL_SCOPES = sorted({s for op in SECURED for s in op.scopes})


@pytest.fixture(scope="module")
def token_for(gateway: TestClient, clients: ClientService) -> Callable[[frozenset[str]], str]:
    client, secret = clients.register("every scope", ALL_SCOPES, ["DC-EAST"])
    issued: dict[frozenset[str], str] = {}

    def token(scopes: frozenset[str]) -> str:
        if scopes not in issued:
            form = {
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": secret,
                "scope": " ".join(sorted(scopes)),
            }
            response = token_request(gateway, form)
            assert response.status_code == 200, response.text
            issued[scopes] = response.json()["access_token"]
        return issued[scopes]

    return token


@pytest.mark.parametrize("op", SECURED, ids=[f"{o.url}:{o.operation_id}" for o in SECURED])
def test_every_operation_enforces_its_contract_scopes(
    gateway: TestClient, token_for: Callable[[frozenset[str]], str], op: Secured
) -> None:
    def call(token: str | None) -> httpx.Response:
        headers = {"Idempotency-Key": f"scope-matrix-{uuid.uuid4()}"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response: httpx.Response = gateway.request(op.method.upper(), op.url, headers=headers)
        return response

    assert call(None).status_code == 401
    assert op.scopes, f"{op.operation_id} names no scope"
    others = frozenset(ALL_SCOPES) - op.scopes
    denied = call(token_for(others))
    assert denied.status_code == 403, denied.text
    assert denied.json()["type"] == "https://waybill.dev/problems/insufficient-scope"
    assert f'scope="{" ".join(sorted(op.scopes))}"' in denied.headers["www-authenticate"]
    allowed = call(token_for(op.scopes))
    assert allowed.status_code not in (401, 403), allowed.text
