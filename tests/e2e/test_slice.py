"""The first vertical slice through create_app(): items, inventory v1 and v2, adjustments.

Real tokens from the token endpoint, real stores and the reference ERP/WMS under a temp dir,
seeded with the demo data (known quantities, one deliberate reconciliation break).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastavro.validation
import pytest

from gateway.adapters.reference_erp import ReferenceErp
from gateway.adapters.reference_wms import ReferenceWms
from gateway.adapters.sqlite_store import SqliteStore
from gateway.demo import ITEMS, seed_reference_data
from registry.avro_schemas import encode_frame, load_avro_schema
from tests.conftest import SPECS
from tests.support.gateway import Gateway, item_input, start_gateway

PROBLEM = "application/problem+json"
_keys = itertools.count(1)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("slice")


@pytest.fixture(scope="module")
def gw(data_dir: Path) -> Iterator[Gateway]:
    seed_reference_data(
        ReferenceErp.in_dir(data_dir), ReferenceWms.in_dir(data_dir), datetime.now(UTC)
    )
    gateway = start_gateway(data_dir)
    with gateway.http:
        yield gateway


@pytest.fixture(scope="module")
def partner(gw: Gateway) -> str:
    return gw.token(sites=["DC-EAST"])


@pytest.fixture(scope="module")
def approver(gw: Gateway) -> str:
    return gw.token(sites=["DC-EAST", "DC-WEST"])


@pytest.fixture(scope="module")
def west(gw: Gateway) -> str:
    return gw.token(sites=["DC-WEST"])


def _unsafe(gw: Gateway, token: str) -> dict[str, str]:
    return gw.headers(token, Idempotency_Key=f"slice-key-{next(_keys):06d}")


@pytest.fixture(scope="module")
def synced(gw: Gateway, partner: str) -> dict[str, int]:
    statuses = {}
    for item in ITEMS:
        response = gw.http.put(
            f"/items/v1/items/{item.item_id}",
            json=item_input(item.item_id),
            headers=_unsafe(gw, partner),
        )
        statuses[item.item_id] = response.status_code
    return statuses


def _problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://waybill.dev/problems/{slug}", body
    return body


def _get(gw: Gateway, token: str, url: str) -> dict[str, Any]:
    response = gw.http.get(url, headers=gw.headers(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# -- items ---------------------------------------------------------------------------------------


def test_sync_creates_then_replays_and_reads_back(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    assert set(synced.values()) == {201}
    again = gw.http.put(
        "/items/v1/items/SKU-10001", json=item_input("SKU-10001"), headers=_unsafe(gw, partner)
    )
    assert again.status_code == 200  # same version, same data: no change
    item = _get(gw, partner, "/items/v1/items/SKU-10001")
    assert item["baseUom"] == "EA"
    assert item["uomConversions"][0] == {"altUom": "CS", "numerator": 12, "denominator": 1}
    assert item["version"] == 1


def test_older_version_is_stale(gw: Gateway, partner: str, synced: dict[str, int]) -> None:
    newer = item_input("SKU-30001") | {"version": 2, "description": "Work gloves, size 9 (v2)"}
    assert (
        gw.http.put(
            "/items/v1/items/SKU-30001", json=newer, headers=_unsafe(gw, partner)
        ).status_code
        == 200
    )
    stale = gw.http.put(
        "/items/v1/items/SKU-30001", json=item_input("SKU-30001"), headers=_unsafe(gw, partner)
    )
    _problem(stale, 409, "stale-version")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("value=2&fromUom=CS&toUom=EA", ("24", "12/1")),
        ("value=1&fromUom=PAL&toUom=CS", ("40", "40/1")),
        ("value=36&fromUom=EA&toUom=DZN", ("3", "1/12")),
    ],
)
def test_quantities_convert_exactly(
    gw: Gateway, partner: str, synced: dict[str, int], query: str, expected: tuple[str, str]
) -> None:
    body = _get(gw, partner, f"/items/v1/items/SKU-10001/converted-quantity?{query}")
    assert (body["to"]["value"], body["factor"]) == expected


@pytest.mark.parametrize("query", ["value=25&fromUom=EA&toUom=CS", "value=1&fromUom=KGM&toUom=EA"])
def test_inexact_or_cross_dimension_conversion_is_422(
    gw: Gateway, partner: str, synced: dict[str, int], query: str
) -> None:
    response = gw.http.get(
        f"/items/v1/items/SKU-10001/converted-quantity?{query}", headers=gw.headers(partner)
    )
    _problem(response, 422, "business-rule-violated")


def test_effective_conversions_list_item_then_global_units(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    body = _get(gw, partner, "/items/v1/items/SKU-20001/uom-conversions")
    sources = {c["altUom"]: c["source"] for c in body["conversions"]}
    assert sources == {"BAG": "ITEM", "GRM": "GLOBAL", "TNE": "GLOBAL", "LBR": "GLOBAL"}


# -- inventory v1 and v2 -------------------------------------------------------------------------


def test_v1_and_v2_show_the_same_balances_in_different_shapes(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    query = "siteId=DC-EAST&itemId=SKU-20001"
    v1 = _get(gw, partner, f"/inventory/v1/balances?{query}")["data"]
    v2 = _get(gw, partner, f"/inventory/v2/balances?{query}")["data"]
    assert [(b["locationId"], b["stockStatus"]) for b in v1] == [
        (b["locationId"], b["stockStatus"]) for b in v2
    ]
    first_v1, first_v2 = v1[0], v2[0]
    assert (first_v1["onHand"], first_v1["reserved"], first_v1["available"]) == ("500", "75", "425")
    assert first_v1["uom"] == "KGM"
    assert "lotId" not in first_v1
    assert first_v2["onHand"] == {"value": "500", "uom": "KGM"}
    assert first_v2["available"] == {"value": "425", "uom": "KGM"}
    assert first_v2["lotId"] is None
    assert first_v2["sequence"] >= 1
    assert "asOf" in first_v2
    assert "uom" not in first_v2


def test_v1_is_marked_deprecated_and_v2_is_not(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    v1 = gw.http.get("/inventory/v1/balances?siteId=DC-EAST", headers=gw.headers(partner))
    v2 = gw.http.get("/inventory/v2/balances?siteId=DC-EAST", headers=gw.headers(partner))
    assert "sunset" in {k.lower() for k in v1.headers}
    assert "sunset" not in {k.lower() for k in v2.headers}


def test_v2_reports_in_another_unit_exactly_or_refuses(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    base = "/inventory/v2/balances?siteId=DC-EAST&itemId=SKU-20001&locationId=A-01-01"
    (bags,) = _get(gw, partner, f"{base}&uom=BAG")["data"]
    assert bags["onHand"] == {"value": "20", "uom": "BAG"}
    assert bags["reserved"] == {"value": "3", "uom": "BAG"}
    response = gw.http.get(
        "/inventory/v2/balances?siteId=DC-EAST&itemId=SKU-10001&locationId=QA-01&uom=CS",
        headers=gw.headers(partner),
    )
    _problem(response, 422, "business-rule-violated")  # 6 EA is half a case


def test_availability_counts_only_available_put_away_stock(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    v1 = _get(gw, partner, "/inventory/v1/sites/DC-EAST/items/SKU-30001/availability")
    assert v1 == {
        "siteId": "DC-EAST", "itemId": "SKU-30001", "onHand": "150", "reserved": "20",
        "available": "130", "inboundExpected": "0", "uom": "PR",
    }  # fmt: skip
    v2 = _get(gw, partner, "/inventory/v2/sites/DC-EAST/items/SKU-20001/availability?uom=BAG")
    assert (v2["onHand"], v2["reserved"], v2["available"]) == (
        {"value": "21", "uom": "BAG"}, {"value": "3", "uom": "BAG"}, {"value": "17", "uom": "BAG"},
    )  # fmt: skip
    assert v2["byStockStatus"] == [
        {"stockStatus": "AVAILABLE", "onHand": {"value": "20", "uom": "BAG"}},
        {"stockStatus": "DAMAGED", "onHand": {"value": "1", "uom": "BAG"}},
    ]
    in_cases = gw.http.get(  # 20 reserved pairs are 0.4 of a case of 50
        "/inventory/v2/sites/DC-EAST/items/SKU-30001/availability?uom=CS",
        headers=gw.headers(partner),
    )
    _problem(in_cases, 422, "business-rule-violated")


def test_reconciliation_flags_the_break(gw: Gateway, partner: str, synced: dict[str, int]) -> None:
    v1 = _get(gw, partner, "/inventory/v1/sites/DC-EAST/reconciliation?breaksOnly=true")
    assert v1["breakCount"] == 1
    (line,) = v1["lines"]
    assert (line["itemId"], line["erpQuantity"], line["wmsQuantity"], line["difference"]) == (
        "SKU-20001", "525", "500", "-25",
    )  # fmt: skip
    v2 = _get(gw, partner, "/inventory/v2/sites/DC-EAST/reconciliation?itemId=SKU-20001")
    assert {line["status"] for line in v2["lines"]} == {"MATCHED", "BREAK"}


def test_erp_balances_page_with_cursors(gw: Gateway, partner: str, synced: dict[str, int]) -> None:
    def keys(body: dict[str, Any]) -> list[tuple[str, ...]]:
        return [
            (b["storageLocationId"], b["itemId"], str(b["lotId"]), b["stockStatus"])
            for b in body["data"]
        ]

    base = "/inventory/v2/erp-balances?siteId=DC-EAST"
    everything = keys(_get(gw, partner, f"{base}&limit=200"))
    seen: list[tuple[str, ...]] = []
    url = f"{base}&limit=3"
    for _ in range(10):
        body = _get(gw, partner, url)
        seen += keys(body)
        if not body["page"]["hasMore"]:
            break
        url = f"{base}&limit=3&cursor={body['page']['nextCursor']}"
    assert len(everything) >= 7
    assert seen == everything


# -- adjustments ---------------------------------------------------------------------------------


def _request(gw: Gateway, token: str, **fields: Any) -> Any:
    body = {"siteId": "DC-EAST", "locationId": "A-01-01", "itemId": "SKU-10001"} | fields
    return gw.http.post("/adjustments/v1/adjustments", json=body, headers=_unsafe(gw, token))


def _bin(gw: Gateway, token: str, location: str, item: str, status: str = "AVAILABLE") -> str:
    data = _get(
        gw, token, f"/inventory/v1/balances?siteId=DC-EAST&locationId={location}&itemId={item}"
        f"&stockStatus={status}",
    )["data"]  # fmt: skip
    return str(data[0]["onHand"]) if data else "0"


def test_small_adjustment_is_approved_and_posted_on_request(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    before = _bin(gw, partner, "A-01-02", "SKU-30001")
    response = _request(
        gw, partner, locationId="A-01-02", itemId="SKU-30001",
        quantity={"value": "-4", "uom": "PR"}, reasonCode="DAMAGED", requestedBy="j.doe",
    )  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/adjustments/v1/adjustments/{body['adjustmentId']}"
    assert body["status"] == "POSTED"
    assert body["valueDelta"] == {"amount": "-8.40", "currency": "EUR"}
    assert body["approval"]["mode"] == "AUTO"
    assert body["erpPosting"]["documentId"].startswith("49")
    assert [e["action"] for e in body["audit"]] == ["request", "auto-approve", "post"]
    assert int(_bin(gw, partner, "A-01-02", "SKU-30001")) == int(before) - 4


def test_over_threshold_waits_and_another_client_approves(
    gw: Gateway, partner: str, approver: str, synced: dict[str, int]
) -> None:
    response = _request(
        gw, partner, lotId="LOT-2026-11-A", quantity={"value": "-2", "uom": "CS"},
        reasonCode="MISSING",
    )  # fmt: skip
    assert response.status_code == 201, response.text
    pending = response.json()
    assert pending["status"] == "PENDING_APPROVAL"
    assert pending["baseQuantity"] == {"value": "-24", "uom": "EA"}
    assert pending["valueDelta"] == {"amount": "-273.60", "currency": "EUR"}
    url = f"/adjustments/v1/adjustments/{pending['adjustmentId']}"

    own = gw.http.post(f"{url}/approval", json={}, headers=_unsafe(gw, partner))
    _problem(own, 422, "business-rule-violated")

    approved = gw.http.post(f"{url}/approval", json={"note": "ok"}, headers=_unsafe(gw, approver))
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "POSTED"
    assert body["approval"]["mode"] == "MANUAL"
    assert [e["action"] for e in body["audit"]] == [
        "request", "hold-for-approval", "approve", "post",
    ]  # fmt: skip
    assert _get(gw, partner, url)["status"] == "POSTED"
    again = gw.http.post(f"{url}/approval", json={}, headers=_unsafe(gw, approver))
    assert again.status_code in {200, 409}


def test_rejection_requires_a_recount(
    gw: Gateway, partner: str, approver: str, synced: dict[str, int]
) -> None:
    response = _request(
        gw, partner, lotId="LOT-2026-11-A", quantity={"value": "-1", "uom": "EA"},
        reasonCode="STOLEN",
    )  # fmt: skip
    assert response.json()["status"] == "PENDING_APPROVAL"
    url = f"/adjustments/v1/adjustments/{response.json()['adjustmentId']}"
    rejected = gw.http.post(
        f"{url}/rejection", json={"reason": "count the bin again"}, headers=_unsafe(gw, approver)
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "RECOUNT_REQUIRED"
    assert rejected.json()["rejection"]["note"] == "count the bin again"
    late = gw.http.post(f"{url}/approval", json={}, headers=_unsafe(gw, approver))
    _problem(late, 409, "invalid-state-transition")


def test_status_only_change_posts_at_once(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    response = _request(
        gw, partner, locationId="A-01-02", lotId="LOT-2026-11-B",
        quantity={"value": "5", "uom": "EA"},
        statusChange={"fromStatus": "AVAILABLE", "toStatus": "BLOCKED"}, reasonCode="HOLD",
    )  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "POSTED"
    assert _bin(gw, partner, "A-01-02", "SKU-10001", "BLOCKED") == "5"


def test_reversal_compensates_a_posted_adjustment(
    gw: Gateway, partner: str, approver: str, synced: dict[str, int]
) -> None:
    before = _bin(gw, partner, "A-01-01", "SKU-20001")
    posted = _request(
        gw, partner, itemId="SKU-20001", quantity={"value": "1", "uom": "BAG"},
        reasonCode="FOUND",
    ).json()  # fmt: skip
    assert posted["status"] == "POSTED"
    assert int(_bin(gw, partner, "A-01-01", "SKU-20001")) == int(before) + 25
    url = f"/adjustments/v1/adjustments/{posted['adjustmentId']}"
    reversal = gw.http.post(
        f"{url}/reversal", json={"reason": "booked twice"}, headers=_unsafe(gw, approver)
    )
    assert reversal.status_code == 201, reversal.text
    compensation = reversal.json()
    assert compensation["reversalOf"] == posted["adjustmentId"]
    assert compensation["baseQuantity"] == {"value": "-25", "uom": "KGM"}
    assert compensation["status"] == "POSTED"
    original = _get(gw, partner, url)
    assert original["status"] == "REVERSED"
    assert original["reversedBy"] == compensation["adjustmentId"]
    assert _bin(gw, partner, "A-01-01", "SKU-20001") == before


def test_taking_more_than_the_bin_holds_is_422(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    response = _request(
        gw, partner, lotId="LOT-2026-11-A", quantity={"value": "-1000", "uom": "EA"},
        reasonCode="MISSING",
    )  # fmt: skip
    _problem(response, 422, "business-rule-violated")


def test_another_partners_site_is_not_found(
    gw: Gateway, partner: str, west: str, synced: dict[str, int]
) -> None:
    created = _request(
        gw, partner, lotId="LOT-2026-11-A", quantity={"value": "-1", "uom": "EA"},
        reasonCode="CORRECTION",
    ).json()  # fmt: skip
    url = f"/adjustments/v1/adjustments/{created['adjustmentId']}"
    _problem(gw.http.get(url, headers=gw.headers(west)), 404, "not-found")
    _problem(gw.http.post(f"{url}/approval", json={}, headers=_unsafe(gw, west)), 404, "not-found")
    listed = _get(gw, west, "/adjustments/v1/adjustments")["data"]
    assert all(a["siteId"] == "DC-WEST" for a in listed)
    balances = gw.http.get("/inventory/v2/balances?siteId=DC-EAST", headers=gw.headers(west))
    _problem(balances, 404, "not-found")
    _problem(
        _request(gw, west, quantity={"value": "1", "uom": "EA"}, reasonCode="FOUND"),
        404,
        "not-found",
    )


def test_list_filters_and_pages_newest_first(
    gw: Gateway, partner: str, synced: dict[str, int]
) -> None:
    body = _get(gw, partner, "/adjustments/v1/adjustments?siteId=DC-EAST&status=POSTED&limit=2")
    assert body["page"]["hasMore"]
    assert all(a["status"] == "POSTED" for a in body["data"])
    ids = [a["adjustmentId"] for a in body["data"]]
    assert ids == sorted(ids, reverse=True)
    cursor = body["page"]["nextCursor"]
    following = _get(
        gw, partner, f"/adjustments/v1/adjustments?siteId=DC-EAST&status=POSTED&cursor={cursor}"
    )
    assert not set(ids) & {a["adjustmentId"] for a in following["data"]}


def test_every_transition_left_an_event_its_avro_schema_accepts(
    gw: Gateway, data_dir: Path, synced: dict[str, int]
) -> None:
    events = SqliteStore.in_dir(data_dir).unpublished_events(limit=1000)
    types = {e.type for e in events}
    assert {
        "item.synced",
        "inventory.adjustment.requested",
        "inventory.adjustment.approved",
        "inventory.adjustment.rejected",
        "inventory.adjustment.posted",
        "inventory.adjustment.reversed",
    } <= types
    schemas = {t: load_avro_schema(SPECS / "avro" / f"{t}.avsc") for t in types}
    for event in events:
        envelope = json.loads(event.payload)
        assert envelope["eventType"] == event.type
        assert envelope["sequence"] == event.sequence
        # The payload is exactly what the catalog's Avro schema describes, field for field.
        fastavro.validation.validate(
            envelope["data"], schemas[event.type].parsed, raise_errors=True, strict=True
        )
        assert encode_frame(schemas[event.type], envelope["data"])
    posted = json.loads(next(e.payload for e in events if e.type.endswith(".posted")))
    assert posted["idempotencyKey"].startswith("slice-key-")
    assert posted["correlationId"]


@pytest.mark.parametrize(
    "url",
    [
        "/inventory/v1/balances?siteId=DC-EAST&cursor=not-a-cursor",
        "/inventory/v2/erp-balances?siteId=DC-EAST&cursor=WyJiYWxhbmNlcyIsIjEiXQ",
        "/adjustments/v1/adjustments?cursor=0000",
    ],
)
def test_a_cursor_the_list_never_issued_is_422(
    gw: Gateway, partner: str, synced: dict[str, int], url: str
) -> None:
    _problem(gw.http.get(url, headers=gw.headers(partner)), 422, "invalid-input")
