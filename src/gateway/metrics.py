"""Prometheus metrics of one gateway process (multi-process aware under gunicorn)."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prom_multiprocess

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The gateway's counters and histograms, registered on a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._per_request: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}
        self.requests = Counter(
            "waybill_requests_total",
            "HTTP requests by operation, status and client.",
            ["operation", "status", "client"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "waybill_request_duration_seconds",
            "Time from the first byte in to the last byte out.",
            ["operation", "status", "client"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "waybill_auth_failures_total",
            "Requests rejected by authentication or authorization.",
            ["reason"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "waybill_rate_limited_total",
            "Requests refused with 429.",
            ["client"],
            registry=self.registry,
        )
        self.idempotent_replays = Counter(
            "waybill_idempotent_replays_total",
            "Responses replayed for a repeated Idempotency-Key.",
            ["operation"],
            registry=self.registry,
        )
        self.contract_violations = Counter(
            "waybill_contract_violations_total",
            "Backend responses that broke the contract and were replaced by 502.",
            ["operation"],
            registry=self.registry,
        )

    def observe_request(self, operation: str, status: str, client: str, seconds: float) -> None:
        """Count one answered request and its latency."""
        labels = (operation, status, client)
        children = self._per_request.get(labels)
        if children is None:
            # ``labels()`` validates and locks on every call; the pair is looked up once per
            # label set (no more sets than Prometheus itself keeps).
            children = (self.requests.labels(*labels), self.latency.labels(*labels))
            self._per_request[labels] = children
        children[0].inc()
        children[1].observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition; under gunicorn, aggregated over every worker's files."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            prom_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
