"""Response rendering helpers: timestamps are RFC 3339 UTC with ``Z`` whatever zone they carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from gateway.api.handling import timestamp

zones = st.one_of(
    st.just(UTC),
    st.builds(
        timezone,
        st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m)),
    ),
)


@given(st.datetimes(datetime(1970, 1, 1), datetime(2200, 1, 1), timezones=zones))
def test_timestamps_render_as_their_utc_instant(at: datetime) -> None:
    assert timestamp(at) == at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_a_utc_timestamp_ends_in_z() -> None:
    at = datetime(2026, 11, 26, 9, 30, 0, 120000, tzinfo=UTC)
    assert timestamp(at) == "2026-11-26T09:30:00.120000Z"
    assert timestamp(at.astimezone(timezone(timedelta(hours=2)))) == "2026-11-26T09:30:00.120000Z"
