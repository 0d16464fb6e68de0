"""The objects one gateway process shares across requests, built once by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.contracts import LoadedContract
from gateway.settings import Settings


@dataclass
class AppContext:
    """Everything handlers and middleware need; ``create_app`` fills it, nothing else does.

    Helpers add one typed field per shared object (stores, key ring, services) here and build it
    in ``gateway.app.build_context``.
    """

    settings: Settings
    contracts: list[LoadedContract]
