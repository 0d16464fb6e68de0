"""Gateway settings, read once from ``WAYBILL_*`` environment variables."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Specs ship beside the package in a source checkout (src/gateway -> repo root / specs).
_REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"


class SettingsError(ValueError):
    """A setting has a value the gateway cannot use."""


def _split_bind(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise SettingsError(f"bind must be HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def _token_ttl(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) <= 3600:
        raise SettingsError(f"WAYBILL_TOKEN_TTL must be 1..3600 seconds, got {value!r}")
    return int(value)


def read_settings_file(path: Path) -> dict[str, str]:
    """A TOML settings file as ``WAYBILL_*`` variables."""
    try:
        with path.open("rb") as f:
            table = tomllib.load(f)
    except OSError as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path} is not valid TOML: {exc}") from exc
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict | list):
            raise SettingsError(f"settings file {path}: '{key}' must be a single value")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        out[f"WAYBILL_{key.upper()}"] = text
    return out


def _identifier(name: str, value: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
        raise SettingsError(f"{name} must be a lower-case SQL identifier, got {value!r}")
    return value


def _non_negative(name: str, value: str) -> int:
    if not value.isdigit():
        raise SettingsError(f"{name} must be a whole number of seconds (0 disables), got {value!r}")
    return int(value)


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(f"{name} must be true or false, got {value!r}")
    return lowered in ("true", "1", "yes")


def _positive(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Settings:
    """Everything the gateway needs to wire itself; immutable once built."""

    data_dir: Path = Path(".waybill")
    specs_dir: Path = _REPO_SPECS
    database_url: str | None = None
    # The PostgreSQL schema of the gateway store (items, adjustments, outbox).
    store_schema: str = "waybill"
    bind: str = "127.0.0.1:8080"
    workers: int = 2
    public_base_url: str = "http://127.0.0.1:8080"
    # Our own tokens: issuer defaults to public_base_url; TTL is capped at one hour.
    token_issuer: str | None = None
    token_audience: str = "waybill"  # noqa: S105 - an audience name, not a secret
    token_ttl: int = 3600
    # An external IdP whose tokens are trusted too (same claims), when jwks_url is set.
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # How long idempotency keys and their results are kept (IETF draft: at least 24 h).
    idempotency_retention_hours: int = 24
    # Per-client token bucket; Redis shares the buckets across workers and hosts when set.
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 100
    redis_url: str | None = None
    # How often each worker resumes approved adjustments whose ERP posting failed; 0: never.
    posting_retry_seconds: int = 30
    # /metrics without a token (only where just a trusted network can reach it)
    metrics_public: bool = False
    # Threads per worker process for blocking store calls; None: as many as the store can use.
    worker_threads: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        """The ``iss`` of the tokens this gateway signs."""
        return self.token_issuer or self.public_base_url

    @property
    def host(self) -> str:
        return _split_bind(self.bind)[0]

    @property
    def port(self) -> int:
        return _split_bind(self.bind)[1]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``WAYBILL_*`` variables (``os.environ`` by default).

        ``WAYBILL_SETTINGS_FILE`` names a TOML file whose keys are the variable names without
        the prefix, in lower case (``bind = "127.0.0.1:8080"``); variables override the file.
        """
        env = os.environ if env is None else env
        if env.get("WAYBILL_SETTINGS_FILE"):
            env = {**read_settings_file(Path(env["WAYBILL_SETTINGS_FILE"])), **env}
        bind = env.get("WAYBILL_BIND", cls.bind)
        _split_bind(bind)
        workers_raw = env.get("WAYBILL_WORKERS", str(cls.workers))
        if not workers_raw.isdigit() or int(workers_raw) < 1:
            raise SettingsError(f"WAYBILL_WORKERS must be a positive integer, got {workers_raw!r}")
        host, port = _split_bind(bind)
        return cls(
            data_dir=Path(env.get("WAYBILL_DATA_DIR", str(cls.data_dir))),
            specs_dir=Path(env.get("WAYBILL_SPECS_DIR", str(_REPO_SPECS))),
            database_url=env.get("WAYBILL_DATABASE_URL") or None,
            store_schema=_identifier(
                "WAYBILL_STORE_SCHEMA", env.get("WAYBILL_STORE_SCHEMA", "waybill")
            ),
            bind=bind,
            workers=int(workers_raw),
            public_base_url=env.get("WAYBILL_PUBLIC_BASE_URL", f"http://{host}:{port}"),
            rate_limit_per_second=_positive(
                "WAYBILL_RATE_LIMIT_PER_SECOND", env.get("WAYBILL_RATE_LIMIT_PER_SECOND", "50")
            ),
            rate_limit_burst=_positive(
                "WAYBILL_RATE_LIMIT_BURST", env.get("WAYBILL_RATE_LIMIT_BURST", "100")
            ),
            redis_url=env.get("WAYBILL_REDIS_URL") or None,
            posting_retry_seconds=_non_negative(
                "WAYBILL_POSTING_RETRY_SECONDS", env.get("WAYBILL_POSTING_RETRY_SECONDS", "30")
            ),
            metrics_public=_flag(
                "WAYBILL_METRICS_PUBLIC", env.get("WAYBILL_METRICS_PUBLIC", "false")
            ),
            worker_threads=(
                _positive("WAYBILL_WORKER_THREADS", env["WAYBILL_WORKER_THREADS"])
                if env.get("WAYBILL_WORKER_THREADS")
                else None
            ),
            idempotency_retention_hours=_positive(
                "WAYBILL_IDEMPOTENCY_RETENTION_HOURS",
                env.get("WAYBILL_IDEMPOTENCY_RETENTION_HOURS", "24"),
            ),
            token_issuer=env.get("WAYBILL_TOKEN_ISSUER") or None,
            token_audience=env.get("WAYBILL_TOKEN_AUDIENCE") or cls.token_audience,
            token_ttl=_token_ttl(env.get("WAYBILL_TOKEN_TTL", str(cls.token_ttl))),
            jwks_url=env.get("WAYBILL_JWKS_URL") or None,
            jwt_issuer=env.get("WAYBILL_JWT_ISSUER") or None,
            jwt_audience=env.get("WAYBILL_JWT_AUDIENCE") or None,
            extra={k: v for k, v in env.items() if k.startswith("WAYBILL_")},
        )
