"""Resuming adjustment postings the ERP refused: on SQLite and on PostgreSQL.

PostgreSQL tests use a schema of their own (dropped afterwards); without a server they skip (or
fail under WAYBILL_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gateway.adapters.reference_wms import ReferenceWms
from gateway.domain.adjustments import Adjustment, AdjustmentStatus
from gateway.services.adjustments import RESUMER, ResumeReport
from tests.support.posting import Gateway, gateway_on

A_MINUTE = timedelta(minutes=1)


@pytest.fixture(params=["sqlite", "postgres"])
def gw(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Gateway]:
    with gateway_on(request.param, tmp_path) as opened:
        yield opened


def test_a_posting_the_erp_refused_is_resumed_once_it_is_back(gw: Gateway) -> None:
    stuck = gw.stuck()
    service = gw.service(erp=gw.erp)
    gw.clock.advance(120)

    gw.erp.down = True
    failing = service.resume_postings(older_than=A_MINUTE, limit=10)
    assert failing.posted == ()
    assert [(f.adjustment_id, f.reason) for f in failing.failed] == [
        (stuck.adjustment_id, "BusinessRuleViolation: ERP unavailable")
    ]
    assert gw.get(stuck.adjustment_id).status is AdjustmentStatus.APPROVED

    gw.erp.down = False
    report = service.resume_postings(older_than=A_MINUTE, limit=10)
    assert report == ResumeReport(posted=(stuck.adjustment_id,))
    posted = gw.get(stuck.adjustment_id)
    assert posted.status is AdjustmentStatus.POSTED
    assert posted.erp_posting is not None
    assert (posted.audit[-1].action, posted.audit[-1].actor) == ("post", RESUMER)
    assert gw.erp_documents() == 1
    assert gw.posted_events() == 1
    assert service.resume_postings(older_than=A_MINUTE, limit=10) == ResumeReport()


def test_a_request_that_may_still_be_posting_is_left_alone(gw: Gateway) -> None:
    stuck = gw.stuck()
    gw.clock.advance(30)
    assert gw.service().resume_postings(older_than=A_MINUTE, limit=10) == ResumeReport()
    assert gw.get(stuck.adjustment_id).status is AdjustmentStatus.APPROVED
    gw.clock.advance(31)
    report = gw.service().resume_postings(older_than=A_MINUTE, limit=10)
    assert report.posted == (stuck.adjustment_id,)


def test_one_refusal_does_not_hold_back_the_others_and_the_oldest_go_first(gw: Gateway) -> None:
    first = gw.stuck()
    gw.clock.advance(1)
    second = gw.stuck()
    gw.clock.advance(1)
    third = gw.stuck()
    gw.clock.advance(120)
    gw.erp.refused = frozenset({first.adjustment_id})
    service = gw.service(erp=gw.erp)

    oldest_two = service.resume_postings(older_than=A_MINUTE, limit=2)
    assert [f.adjustment_id for f in oldest_two.failed] == [first.adjustment_id]
    assert oldest_two.posted == (second.adjustment_id,)

    rest = service.resume_postings(older_than=A_MINUTE, limit=10)
    assert [f.adjustment_id for f in rest.failed] == [first.adjustment_id]
    assert rest.posted == (third.adjustment_id,)
    assert gw.get(first.adjustment_id).status is AdjustmentStatus.APPROVED
    assert gw.erp_documents() == 2


class MeetingWms(ReferenceWms):
    """The reference WMS; each resumer waits here until the other arrives, so both post."""

    meeting: threading.Barrier

    def apply_adjustment(self, adjustment: Adjustment, at: datetime) -> None:
        self.meeting.wait()
        super().apply_adjustment(adjustment, at)


def test_two_resumers_racing_on_one_adjustment_post_it_once(gw: Gateway) -> None:
    stuck = gw.stuck()
    gw.clock.advance(120)
    meeting = threading.Barrier(2, timeout=30)
    reports: list[ResumeReport] = []
    errors: list[BaseException] = []

    def resume() -> None:
        wms = MeetingWms.in_dir(gw.data_dir)
        wms.meeting = meeting
        try:
            reports.append(gw.service(wms=wms).resume_postings(older_than=A_MINUTE, limit=10))
        except BaseException as exc:  # asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=resume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted((len(r.posted), len(r.skipped), len(r.failed)) for r in reports) == [
        (0, 1, 0),
        (1, 0, 0),
    ]
    final = gw.get(stuck.adjustment_id)
    assert final.status is AdjustmentStatus.POSTED
    assert [e.to_status for e in final.audit].count(AdjustmentStatus.POSTED) == 1
    assert gw.posted_events() == 1
    assert gw.erp_documents() == 1


def test_refusals_that_fill_a_round_do_not_starve_the_adjustments_behind_them(
    gw: Gateway,
) -> None:
    refused = [gw.stuck(), gw.stuck()]
    gw.clock.advance(1)
    behind = gw.stuck()
    gw.clock.advance(120)
    gw.erp.refused = frozenset(a.adjustment_id for a in refused)
    service = gw.service(erp=gw.erp)

    first = service.resume_postings(older_than=A_MINUTE, limit=2)
    assert sorted(f.adjustment_id for f in first.failed) == sorted(a.adjustment_id for a in refused)
    assert first.posted == ()
    assert first.resume_after is not None

    second = service.resume_postings(older_than=A_MINUTE, limit=2, after=first.resume_after)
    assert second.posted == (behind.adjustment_id,)
    assert second.failed == ()
    assert second.resume_after is None  # it reached the end: the next run starts over

    third = service.resume_postings(older_than=A_MINUTE, limit=2)
    assert len(third.failed) == 2
    assert gw.get(behind.adjustment_id).status is AdjustmentStatus.POSTED


def test_one_holder_at_a_time_for_a_name_across_separately_opened_stores(gw: Gateway) -> None:
    # Two opened stores stand for two worker processes (or, on PostgreSQL, two hosts).
    first, second = gw.open_store(), gw.open_store()
    with first.exclusive("posting-resumer") as held:
        assert held
        with second.exclusive("posting-resumer") as also_held:
            assert not also_held
        with second.exclusive("something-else") as other_name:
            assert other_name
    with second.exclusive("posting-resumer") as held_after:
        assert held_after  # released when the first holder's block ended
