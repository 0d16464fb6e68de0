"""Domain errors: each kind maps to one problem type at the edge (404, 409, 422, 400)."""

# ruff: noqa: N818 - the domain names its refusals (NotFound, StaleVersion), not "...Error"

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; ``detail`` is safe to show to the caller."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """No such resource, or one outside the caller's sites (existence is not leaked)."""


class InvalidTransition(DomainError):
    """The resource's state does not allow the requested transition."""


class StaleVersion(DomainError):
    """The change carries a version older than (or equal to, but unlike) the stored one."""


class BusinessRuleViolation(DomainError):
    """The request is well-formed but breaks a business rule."""


class InvalidInput(DomainError):
    """A value was sent that the operation cannot interpret (for example a foreign cursor)."""
