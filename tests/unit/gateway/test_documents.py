"""Store key columns are UTC text, so string order is time order whatever offset came in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from gateway.adapters.documents import utc_key

BERLIN = timezone(timedelta(hours=1))


def test_instants_in_other_offsets_sort_in_time_order() -> None:
    earlier_in_berlin = datetime(2026, 11, 26, 10, 30, tzinfo=BERLIN)  # 09:30 UTC
    later_in_utc = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert earlier_in_berlin < later_in_utc
    assert earlier_in_berlin.isoformat() > later_in_utc.isoformat()  # the trap
    assert utc_key(earlier_in_berlin) < utc_key(later_in_utc)
    assert utc_key(earlier_in_berlin) == "2026-11-26T09:30:00+00:00"


def test_naive_datetimes_are_taken_as_utc() -> None:
    assert utc_key(datetime(2026, 11, 26, 9, 30)) == "2026-11-26T09:30:00+00:00"
