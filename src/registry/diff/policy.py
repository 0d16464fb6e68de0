"""The deprecation policy: how long a deprecated resource must live before it may be removed.

Follows oasdiff's semantics: with a grace period of 0 days (the default for both levels)
``x-sunset`` is optional; a positive period makes it mandatory on every new deprecation and
requires it to be at least that many days after ``today``. ``beta`` resources use the beta
period; ``draft`` and ``alpha`` ones none; anything else (``stable`` or no level) the stable period.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from registry.loading import JSON


def sunset_of(node: dict[str, JSON]) -> date | str | None:
    """The x-sunset date, None when absent, or the raw text when it is not a date."""
    raw = node.get("x-sunset")
    if raw is None:
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        return str(raw)


@dataclass(frozen=True)
class DeprecationPolicy:
    """Grace periods in days per stability level, and the date they are counted from."""

    today: date
    days_beta: int = 0
    days_stable: int = 0

    def __post_init__(self) -> None:
        if self.days_beta < 0 or self.days_stable < 0:
            raise ValueError("deprecation days must be non-negative")

    def days_for(self, level: JSON) -> int:
        """The grace period for a resource at this ``x-stability-level``."""
        if level in ("draft", "alpha"):
            return 0
        return self.days_beta if level == "beta" else self.days_stable

    def new_deprecation(self, node: dict[str, JSON], level: JSON) -> Iterator[tuple[str, str]]:
        """(rule-id suffix, detail) for a resource that has just been deprecated.

        Suffixes: ``sunset-missing``, ``sunset-invalid``, ``sunset-too-small`` (a violation) or
        ``with-sunset`` / ``plain`` (fine); callers map them onto their rule ids.
        """
        days = self.days_for(level)
        sunset = sunset_of(node)
        if sunset is None:
            if days > 0:
                yield "sunset-missing", f"deprecated without an x-sunset ({days} days required)"
            else:
                yield "plain", "deprecated"
        elif isinstance(sunset, str):
            yield "sunset-invalid", f"deprecated with an x-sunset {sunset!r} that is not a date"
        elif (sunset - self.today).days < days:
            yield (
                "sunset-too-small",
                f"deprecated with x-sunset {sunset}, less than {days} days after {self.today}",
            )
        else:
            yield "with-sunset", f"deprecated, sunset {sunset}"

    def sunset_moved_too_early(self, old: date, new: date, level: JSON) -> bool:
        """Whether moving a sunset from ``old`` to ``new`` breaks the promise made to callers.

        Without a grace period any earlier date breaks it (oasdiff's documented rule); with one,
        an earlier date still counts as kept while it stays the grace period away from today.
        """
        if new >= old:
            return False
        days = self.days_for(level)
        return days == 0 or (new - self.today).days < days
