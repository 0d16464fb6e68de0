"""Demo data for a first start: two sites, items with UoM conversions, stock, one partner client.

``gateway serve --demo`` calls :func:`seed_demo_once` in the parent process before any worker
starts. The reference ERP and WMS get their master data and stock, the items are synced into the
gateway from the ERP (through the same service as ``syncItem``), and a partner client and an
approver client are registered. A marker file keeps later starts from seeding again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

from gateway.adapters.reference_erp import ReferenceErp
from gateway.adapters.reference_wms import ReferenceWms
from gateway.context import AppContext
from gateway.domain.events import EventMeta
from gateway.domain.inventory import (
    BinBalance,
    ErpBalance,
    ErpKey,
    Location,
    LocationType,
    StockStatus,
)
from gateway.domain.items import Item, ItemStatus, TrackingMode
from gateway.domain.quantities import Money
from gateway.domain.uom import UomConversion
from gateway.settings import Settings

MARKER = "demo-seeded.json"
PARTNER_SCOPES = (
    "items:read",
    "items:write",
    "inventory:read",
    "adjustments:read",
    "adjustments:write",
)
APPROVER_SCOPES = ("items:read", "inventory:read", "adjustments:read", "adjustments:approve")
S = StockStatus
L = LocationType


@dataclass(frozen=True)
class DemoClient:
    """Credentials printed once; the secret is stored only as a hash."""

    role: str
    client_id: str
    secret: str


def _item(
    item_id: str,
    description: str,
    *,
    base: str,
    tracking: TrackingMode,
    cost: str,
    conversions: tuple[UomConversion, ...],
    gtin: str,
) -> Item:
    return Item(
        item_id=item_id,
        gtin=gtin,
        description=description,
        item_type="TRADING_GOOD",
        base_uom=base,
        tracking_mode=tracking,
        removal_strategy="FEFO" if tracking is TrackingMode.LOT else "FIFO",
        status=ItemStatus.ACTIVE,
        version=1,
        updated_at=datetime.now(UTC),
        standard_cost=Money(Fraction(cost), "EUR"),
        uom_conversions=conversions,
    )


ITEMS = (
    _item("SKU-10001", "Espresso beans 1 kg", base="EA", tracking=TrackingMode.LOT, cost="11.40",
          conversions=(UomConversion("CS", 12, 1), UomConversion("PAL", 480, 1)),
          gtin="04012345678901"),
    _item("SKU-20001", "Wheat flour type 550", base="KGM", tracking=TrackingMode.NONE,
          cost="0.85", conversions=(UomConversion("BAG", 25, 1),), gtin="04012345678918"),
    _item("SKU-30001", "Work gloves, size 9", base="PR", tracking=TrackingMode.NONE, cost="2.10",
          conversions=(UomConversion("CS", 50, 1),), gtin="04012345678925"),
)  # fmt: skip
SITES = (("DC-EAST", "Distribution centre East", "250.00"), ("DC-WEST", "DC West", "100.00"))
LOCATIONS = (
    ("DC-EAST", "A-01-01", "SL01", L.STORAGE), ("DC-EAST", "A-01-02", "SL01", L.PICK_FACE),
    ("DC-EAST", "RCV-01", "SL01", L.RECEIVING), ("DC-EAST", "QA-01", "SL02", L.QUALITY),
    ("DC-EAST", "BLK-01", "SL02", L.STORAGE), ("DC-WEST", "W-01-01", "SL01", L.STORAGE),
    ("DC-WEST", "W-RCV-01", "SL01", L.RECEIVING),
)  # fmt: skip
# site, bin, item, lot, status, on hand, reserved (base units)
BALANCES = (
    ("DC-EAST", "A-01-01", "SKU-10001", "LOT-2026-11-A", S.AVAILABLE, "48", "12"),
    ("DC-EAST", "A-01-02", "SKU-10001", "LOT-2026-11-B", S.AVAILABLE, "24", "0"),
    ("DC-EAST", "RCV-01", "SKU-10001", "LOT-2026-11-B", S.AVAILABLE, "12", "0"),
    ("DC-EAST", "QA-01", "SKU-10001", "LOT-2026-11-B", S.QUALITY_INSPECTION, "6", "0"),
    ("DC-EAST", "BLK-01", "SKU-10001", "LOT-2026-11-A", S.BLOCKED, "12", "0"),
    ("DC-EAST", "A-01-01", "SKU-20001", None, S.AVAILABLE, "500", "75"),
    ("DC-EAST", "BLK-01", "SKU-20001", None, S.DAMAGED, "25", "0"),
    ("DC-EAST", "A-01-02", "SKU-30001", None, S.AVAILABLE, "150", "20"),
    ("DC-WEST", "W-01-01", "SKU-10001", "LOT-2026-11-A", S.AVAILABLE, "36", "0"),
    ("DC-WEST", "W-01-01", "SKU-30001", None, S.AVAILABLE, "200", "0"),
)
# The ERP books 525 kg of flour where the WMS holds 500: one reconciliation break to look at.
ERP_OVERRIDES = {ErpKey("DC-EAST", "SL01", "SKU-20001", None, S.AVAILABLE): Fraction(525)}
INBOUND = (("DC-EAST", "SKU-10001", "120"), ("DC-WEST", "SKU-30001", "400"))


def seed_reference_data(erp: ReferenceErp, wms: ReferenceWms, at: datetime) -> None:
    """Master data and stock of the demo in the reference ERP and WMS."""
    for site_id, name, threshold in SITES:
        erp.put_site(site_id, name, Money(Fraction(threshold), "EUR"), "EUR")
        for item in ITEMS:
            assert item.standard_cost is not None
            erp.put_valuation(site_id, item.item_id, item.standard_cost)
    for item in ITEMS:
        erp.put_item(item)
    slocs: dict[tuple[str, str], str] = {}
    for site_id, location_id, sloc, kind in LOCATIONS:
        wms.put_location(Location(site_id, location_id, sloc, kind))
        slocs[site_id, location_id] = sloc
    base = {item.item_id: item.base_uom for item in ITEMS}
    erp_totals: dict[ErpKey, Fraction] = {}
    for site_id, location_id, item_id, lot, status, on_hand, reserved in BALANCES:
        sloc = slocs[site_id, location_id]
        kind = next(k for s, b, _, k in LOCATIONS if (s, b) == (site_id, location_id))
        wms.put_balance(
            BinBalance(site_id, sloc, location_id, kind, item_id, lot, status,
                       Fraction(on_hand), Fraction(reserved), base[item_id], at, 0)
        )  # fmt: skip
        key = ErpKey(site_id, sloc, item_id, lot, status)
        erp_totals[key] = erp_totals.get(key, Fraction(0)) + Fraction(on_hand)
    erp_totals.update(ERP_OVERRIDES)
    for erp_key, total in erp_totals.items():
        erp.put_balance(ErpBalance(erp_key, total, base[erp_key.item_id], at))
    for site_id, item_id, expected in INBOUND:
        wms.put_inbound(site_id, item_id, Fraction(expected))


def seed_demo(ctx: AppContext) -> list[DemoClient]:
    """Seed the reference backends, sync the items, register the demo clients."""
    if ctx.items is None:
        raise RuntimeError("the logistics services are not wired into this context")
    data_dir = ctx.settings.data_dir
    seed_reference_data(ReferenceErp.in_dir(data_dir), ReferenceWms.in_dir(data_dir), _now())
    meta = EventMeta(producer="waybill-demo")
    for item in ITEMS:
        ctx.items.import_from_erp(item.item_id, meta)
    partner, partner_secret = ctx.identity.clients.register(
        "demo-wms-partner", PARTNER_SCOPES, ["DC-EAST"]
    )
    approver, approver_secret = ctx.identity.clients.register(
        "demo-erp-approver", APPROVER_SCOPES, ["DC-EAST", "DC-WEST"]
    )
    return [
        DemoClient("partner", partner.client_id, partner_secret),
        DemoClient("approver", approver.client_id, approver_secret),
    ]


def seed_demo_once(settings: Settings) -> str:
    """Seed on the first start with ``--demo``; the text to print (credentials at most once)."""
    marker = settings.data_dir / MARKER
    if marker.exists():
        return (
            f"demo data already seeded in {settings.data_dir} (credentials were printed on the "
            "first start; `gateway clients add` makes new ones)"
        )
    from gateway.app import build_context

    clients = seed_demo(build_context(settings))
    marker.write_text(
        json.dumps({"seededAt": _now().isoformat(), "clients": [c.client_id for c in clients]})
    )
    return instructions(settings.public_base_url, clients)


def instructions(base_url: str, clients: list[DemoClient]) -> str:
    """Credentials and a working curl example (token request, then a balance read)."""
    partner = next(c for c in clients if c.role == "partner")
    lines = ["", "Demo data seeded: sites DC-EAST and DC-WEST, items SKU-10001/20001/30001.", ""]
    for client in clients:
        lines += [
            f"  {client.role:<9} client_id={client.client_id}",
            f"  {'':<9} client_secret={client.secret}   (shown once)",
        ]
    lines += [
        "",
        "Try it:",
        f"  TOKEN=$(curl -s -u '{partner.client_id}:{partner.secret}' \\",
        f"    -d grant_type=client_credentials {base_url}/oauth/token \\",
        "    | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        '  curl -s -H "Authorization: Bearer $TOKEN" \\',
        f"    '{base_url}/inventory/v2/balances?siteId=DC-EAST&itemId=SKU-10001'",
        "",
    ]
    return "\n".join(lines)


def _now() -> datetime:
    return datetime.now(UTC)
