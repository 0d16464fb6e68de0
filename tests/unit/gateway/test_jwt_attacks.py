"""The JWT attack matrix: every forged, stale or misdirected token answers 401 through the app.

One table of attacks, one parametrised test. Each attack builds the Authorization header(s) from
the gateway's real key ring (so signatures are genuine where the attack needs them) and a set of
otherwise valid claims; the request goes through ``create_app`` like any partner call.

A second table pins what security requirements mean (OR of alternatives, AND of the scopes in one,
``{}`` anonymous) on a probe contract served by the same app factory.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from joserfc.jwk import RSAKey
from starlette.testclient import TestClient

from gateway.adapters.sqlite_clients import SqliteClientStore
from gateway.app import create_app
from gateway.services.clients import ClientService
from gateway.services.keys import KeyRing
from gateway.settings import Settings
from tests.conftest import SPECS

ISSUER = "https://gateway.attack.test"
AUDIENCE = "waybill"
TARGET = "/items/v1/items"
SCOPES = ["items:read"]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value: object) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def rs_sign(key: rsa.RSAPrivateKey, data: bytes, digest: hashes.HashAlgorithm) -> bytes:
    return key.sign(data, padding.PKCS1v15(), digest)


def es256_sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@dataclass
class Forge:
    """What an attack may use: the gateway's real keys and a valid set of claims."""

    ring: KeyRing
    valid_claims: dict[str, object]
    revoked_client: str
    attacker: rsa.RSAPrivateKey

    @property
    def kid(self) -> str:
        return self.ring.signing_key().kid

    @property
    def private(self) -> rsa.RSAPrivateKey:
        key = self.ring.signing_key().key.private_key
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def claims(self, **changes: object) -> dict[str, object]:
        merged = {**self.valid_claims, **changes}
        return {k: v for k, v in merged.items() if v is not None}

    def token(
        self,
        header: Mapping[str, object] | str,
        claims: Mapping[str, object] | str,
        sign: Callable[[bytes], bytes] | None = None,
    ) -> str:
        """Compact JWS; raw strings are used as the encoded segment's JSON text verbatim."""
        h = b64(header.encode()) if isinstance(header, str) else b64json(header)
        p = b64(claims.encode()) if isinstance(claims, str) else b64json(claims)
        signing_input = f"{h}.{p}".encode()
        signature = (sign or self.sign_real)(signing_input)
        return f"{h}.{p}.{b64(signature)}"

    def sign_real(self, data: bytes) -> bytes:
        return rs_sign(self.private, data, hashes.SHA256())

    def sign_attacker(self, data: bytes) -> bytes:
        return rs_sign(self.attacker, data, hashes.SHA256())

    def real(self, **changes: object) -> str:
        """A genuinely signed RS256 token with these claim changes (None removes a claim)."""
        return self.token(
            {"alg": "RS256", "kid": self.kid, "typ": "at+jwt"}, self.claims(**changes)
        )

    def attacker_jwk(self) -> dict[str, object]:
        return dict(RSAKey.import_key(self.attacker).as_dict(private=False))


def bearer(token: str) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {token}")]


Attack = Callable[[Forge], list[tuple[str, str]]]


def alg_none(spelling: str) -> Attack:
    def build(f: Forge) -> list[tuple[str, str]]:
        return bearer(f.token({"alg": spelling, "kid": f.kid}, f.claims(), lambda _: b""))

    return build


def hmac_with_public_key(digest: str) -> Attack:
    def build(f: Forge) -> list[tuple[str, str]]:
        alg = {"sha256": "HS256", "sha512": "HS512"}[digest]

        def sign(data: bytes) -> bytes:
            return hmac.new(f.public_pem, data, getattr(hashlib, digest)).digest()

        return bearer(f.token({"alg": alg, "kid": f.kid, "typ": "JWT"}, f.claims(), sign))

    return build


def embedded_key(parameter: str, *, genuine: bool = False) -> Attack:
    """A token whose header points at (or carries) the attacker's key.

    Signed by the attacker (the classic attack), or ``genuine``ly by the gateway so that only the
    header whitelist can reject it.
    """

    def build(f: Forge) -> list[tuple[str, str]]:
        values: dict[str, object] = {
            "jwk": f.attacker_jwk(),
            "jku": "http://127.0.0.1:9/attacker/jwks.json",
            "x5u": "http://127.0.0.1:9/attacker/cert.pem",
            "x5c": [b64(self_signed_cert(f.attacker))],
        }
        header = {"alg": "RS256", "kid": f.kid, parameter: values[parameter]}
        return bearer(f.token(header, f.claims(), f.sign_real if genuine else f.sign_attacker))

    return build


def self_signed_cert(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attacker")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def strip_signature(f: Forge) -> list[tuple[str, str]]:
    head, payload, _ = f.real().split(".")
    return bearer(f"{head}.{payload}.")


def tamper_payload(f: Forge) -> list[tuple[str, str]]:
    head, _, signature = f.real().split(".")
    widened = b64json(f.claims(sites=["DC-EAST", "DC-WEST", "DC-NORTH"]))
    return bearer(f"{head}.{widened}.{signature}")


def es256_with_real_kid(f: Forge) -> list[tuple[str, str]]:
    key = ec.generate_private_key(ec.SECP256R1())
    header = {"alg": "ES256", "kid": f.kid}
    return bearer(f.token(header, f.claims(), lambda data: es256_sign(key, data)))


def rs384_with_real_key(f: Forge) -> list[tuple[str, str]]:
    header = {"alg": "RS384", "kid": f.kid}
    return bearer(f.token(header, f.claims(), lambda d: rs_sign(f.private, d, hashes.SHA384())))


def duplicate_alg_member(f: Forge) -> list[tuple[str, str]]:
    raw_header = f'{{"alg":"none","kid":"{f.kid}","alg":"RS256"}}'
    return bearer(f.token(raw_header, f.claims()))


ATTACKS: dict[str, Attack] = {
    "no-authorization-header": lambda f: [],
    "empty-bearer": lambda f: [("Authorization", "Bearer ")],
    "bearer-without-token": lambda f: [("Authorization", "Bearer")],
    "wrong-scheme-basic": lambda f: [("Authorization", "Basic " + b64(b"client:secret"))],
    "token-without-scheme": lambda f: [("Authorization", f.real())],
    "two-authorization-headers": lambda f: [*bearer(f.real()), *bearer(f.real())],
    "garbage": lambda f: bearer("not-a-jwt"),
    "two-segments": lambda f: bearer(".".join(f.real().split(".")[:2])),
    "five-segments-jwe-shape": lambda f: bearer("a.b.c.d.e"),
    "header-not-json": lambda f: bearer(f"{b64(b'nope')}.{b64json(f.claims())}.AAAA"),
    "header-is-a-list": lambda f: bearer(f.token('["RS256"]', f.claims())),
    "payload-not-an-object": lambda f: bearer(f.token({"alg": "RS256", "kid": f.kid}, "[1,2]")),
    "oversized-token": lambda f: bearer(f.real(padding="x" * 10_000)),
    "alg-none": alg_none("none"),
    "alg-None": alg_none("None"),
    "alg-NONE": alg_none("NONE"),
    "alg-nOnE": alg_none("nOnE"),
    "alg-none-with-signature": lambda f: bearer(f.token({"alg": "none", "kid": f.kid}, f.claims())),
    "alg-missing": lambda f: bearer(f.token({"kid": f.kid}, f.claims())),
    "duplicate-alg-member": duplicate_alg_member,
    "hs256-signed-with-public-key-pem": hmac_with_public_key("sha256"),
    "hs512-signed-with-public-key-pem": hmac_with_public_key("sha512"),
    "rs384-not-allowed": rs384_with_real_key,
    "es256-attacker-key-real-kid": es256_with_real_kid,
    "unknown-kid": lambda f: bearer(
        f.token({"alg": "RS256", "kid": "attacker-key"}, f.claims(), f.sign_attacker)
    ),
    "missing-kid": lambda f: bearer(f.token({"alg": "RS256"}, f.claims())),
    "real-kid-attacker-signature": lambda f: bearer(
        f.token({"alg": "RS256", "kid": f.kid}, f.claims(), f.sign_attacker)
    ),
    "embedded-jwk": embedded_key("jwk"),
    "jku-header": embedded_key("jku"),
    "x5u-header": embedded_key("x5u"),
    "x5c-header": embedded_key("x5c"),
    "jwk-header-genuine-signature": embedded_key("jwk", genuine=True),
    "jku-header-genuine-signature": embedded_key("jku", genuine=True),
    "x5u-header-genuine-signature": embedded_key("x5u", genuine=True),
    "x5c-header-genuine-signature": embedded_key("x5c", genuine=True),
    "crit-header": lambda f: bearer(
        f.token({"alg": "RS256", "kid": f.kid, "crit": ["exp"]}, f.claims())
    ),
    "id-token-type": lambda f: bearer(
        f.token({"alg": "RS256", "kid": f.kid, "typ": "id+jwt"}, f.claims())
    ),
    "signature-stripped": strip_signature,
    "payload-tampered": tamper_payload,
    "expired": lambda f: bearer(f.real(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
    "nbf-in-the-future": lambda f: bearer(f.real(nbf=int(time.time()) + 3600)),
    "iat-in-the-future": lambda f: bearer(f.real(iat=int(time.time()) + 3600)),
    "missing-exp": lambda f: bearer(f.real(exp=None)),
    "exp-as-string": lambda f: bearer(f.real(exp=str(int(time.time()) + 600))),
    "wrong-iss": lambda f: bearer(f.real(iss="https://evil.example")),
    "missing-iss": lambda f: bearer(f.real(iss=None)),
    "wrong-aud": lambda f: bearer(f.real(aud="another-api")),
    "aud-list-without-us": lambda f: bearer(f.real(aud=["a", "b"])),
    "missing-sub": lambda f: bearer(f.real(sub=None)),
    "unknown-client": lambda f: bearer(f.real(sub="wb_never_registered")),
    "revoked-client": lambda f: bearer(f.real(sub=f.revoked_client)),
    "sites-not-a-list": lambda f: bearer(f.real(sites="DC-EAST")),
    "scope-not-a-string": lambda f: bearer(f.real(scope=["items:read"])),
}


@dataclass
class Gateway:
    client: TestClient
    forge: Forge


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    data_dir: Path = tmp_path_factory.mktemp("attack-gateway")
    settings = Settings(
        data_dir=data_dir,
        specs_dir=SPECS,
        token_issuer=ISSUER,
        rate_limit_burst=10_000,
        rate_limit_per_second=10_000.0,
    )
    app = create_app(settings)
    clients = ClientService(SqliteClientStore(data_dir / "clients.sqlite3"))
    partner, _ = clients.register("partner", SCOPES, ["DC-EAST"])
    revoked, _ = clients.register("former partner", SCOPES, ["DC-EAST"])
    clients.revoke(revoked.client_id)
    ring = KeyRing.open(data_dir / "keys", grace_seconds=3900)
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": partner.client_id,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "attack-matrix",
        "scope": " ".join(SCOPES),
        "sites": ["DC-EAST"],
    }
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with TestClient(app) as client:
        yield Gateway(client, Forge(ring, claims, revoked.client_id, attacker))


def test_the_valid_token_the_attacks_start_from_is_accepted(gateway: Gateway) -> None:
    response = gateway.client.get(TARGET, headers=bearer(gateway.forge.real()))
    assert response.status_code not in (401, 403), response.text


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_attack_is_rejected_with_401(gateway: Gateway, attack: Attack) -> None:
    headers = attack(gateway.forge)
    response = gateway.client.get(TARGET, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "https://waybill.dev/problems/unauthorized"
    assert problem["status"] == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="waybill"')
    sent_a_bearer_token = any(v.lower().startswith("bearer") for _, v in headers)
    assert ('error="invalid_token"' in challenge) == sent_a_bearer_token


# -- what a security requirement means: OR of alternatives, AND inside one, {} is anonymous ------

PROBE_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "public": [],
    "anyToken": [{"oauth2": []}],
    "anonymousOrRead": [{}, {"oauth2": ["probe:read"]}],
    "readOrAudit": [{"oauth2": ["probe:read"]}, {"oauth2": ["probe:audit"]}],
    "readAndWrite": [{"oauth2": ["probe:read", "probe:write"]}],
}
# operation -> (scopes granted, or None for no token) -> expected status
PROBE_EXPECTATIONS: list[tuple[str, tuple[str, ...] | None, int]] = [
    ("public", None, 501),
    ("anyToken", None, 401),
    ("anyToken", (), 501),
    ("anonymousOrRead", None, 501),
    ("anonymousOrRead", (), 501),  # {} is satisfied by anyone; the token must still be valid
    ("anonymousOrRead", ("probe:read",), 501),
    ("readOrAudit", ("probe:audit",), 501),
    ("readOrAudit", ("probe:write",), 403),
    ("readAndWrite", ("probe:read",), 403),
    ("readAndWrite", ("probe:read", "probe:write"), 501),
]


def _probe_contract() -> dict[str, object]:
    problem = {"application/problem+json": {"schema": {"type": "object"}}}
    paths = {
        f"/{name}": {
            "get": {
                "operationId": name,
                "security": security,
                "responses": {
                    code: {"description": code, "content": problem}
                    for code in ("200", "401", "403", "501")
                },
            }
        }
        for name, security in PROBE_SECURITY.items()
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "probe", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "/oauth/token",
                            "scopes": {s: s for s in ("probe:read", "probe:write", "probe:audit")},
                        }
                    },
                }
            }
        },
    }


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Forge]]:
    root = tmp_path_factory.mktemp("probe")
    (root / "specs" / "openapi" / "probe").mkdir(parents=True)
    (root / "specs" / "openapi" / "probe" / "v1.yaml").write_text(json.dumps(_probe_contract()))
    settings = Settings(
        data_dir=root / "data",
        specs_dir=root / "specs",
        token_issuer=ISSUER,
        rate_limit_burst=10_000,
        rate_limit_per_second=10_000.0,
    )
    app = create_app(settings)
    partner, _ = ClientService(SqliteClientStore(root / "data" / "clients.sqlite3")).register(
        "probe partner", ["probe:read"], []
    )
    ring = KeyRing.open(root / "data" / "keys", grace_seconds=3900)
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": partner.client_id,
        "iat": now,
        "exp": now + 600,
        "sites": [],
    }
    forge = Forge(ring, claims, "", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with TestClient(app) as client:
        yield client, forge


@pytest.mark.parametrize(
    ("operation", "granted", "status"),
    PROBE_EXPECTATIONS,
    ids=[
        f"{op}-{'no-token' if g is None else '+'.join(g) or 'no-scope'}"
        for op, g, _ in PROBE_EXPECTATIONS
    ],
)
def test_security_requirements_mean_what_openapi_says(
    probe: tuple[TestClient, Forge], operation: str, granted: tuple[str, ...] | None, status: int
) -> None:
    client, forge = probe
    headers = [] if granted is None else bearer(forge.real(scope=" ".join(granted)))
    response = client.get(f"/probe/v1/{operation}", headers=headers)
    assert response.status_code == status, response.text
