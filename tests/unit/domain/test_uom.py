"""UoM conversions: exact, within one dimension, item-specific before global, never rounded."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from gateway.domain import errors
from gateway.domain.quantities import Quantity, format_decimal, parse_decimal
from gateway.domain.uom import Dimension, ItemUnits, UomConversion

CASES = json.loads((Path(__file__).parent / "cases" / "uom_conversions.json").read_text())


def _units(spec: dict[str, Any]) -> ItemUnits:
    increment = spec.get("baseUomRoundingIncrement")
    return ItemUnits(
        spec["baseUom"],
        parse_decimal(increment) if increment else None,
        tuple(
            UomConversion(
                c["altUom"],
                c["numerator"],
                c["denominator"],
                parse_decimal(c["roundingIncrement"]) if "roundingIncrement" in c else None,
            )
            for c in spec["conversions"]
        ),
    )


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["name"])
def test_conversion_case(case: dict[str, Any]) -> None:
    units = _units(CASES["items"][case["item"]])
    source = Quantity(parse_decimal(case["value"]), case["from"])
    if "error" in case:
        with pytest.raises(getattr(errors, case["error"])):
            units.convert(source, case["to"])
        return
    result = units.convert(source, case["to"])
    assert format_decimal(result.target.value) == case["expect"]
    assert result.target.uom == case["to"]
    assert f"{result.factor.numerator}/{result.factor.denominator}" == case["factor"]


def test_item_conversion_may_not_cross_dimensions() -> None:
    with pytest.raises(errors.BusinessRuleViolation, match="measures weight"):
        ItemUnits("EA", None, (UomConversion("KGM", 6, 5),))


@pytest.mark.parametrize("increment", [Fraction(0), Fraction(-1, 2)])
def test_rounding_increments_must_be_positive(increment: Fraction) -> None:
    with pytest.raises(errors.BusinessRuleViolation, match="positive"):
        ItemUnits("KGM", increment, ())
    with pytest.raises(errors.BusinessRuleViolation, match="positive"):
        UomConversion("CS", 12, 1, increment)


def test_a_unit_is_converted_once() -> None:
    with pytest.raises(errors.BusinessRuleViolation, match="twice"):
        ItemUnits("EA", None, (UomConversion("CS", 12, 1), UomConversion("CS", 6, 1)))


def test_effective_conversions_list_item_units_then_unoverridden_globals() -> None:
    units = _units(CASES["items"]["odd-dozen"])
    effective = units.effective()
    assert [(c.alt_uom, c.source) for c in effective] == [("DZN", "ITEM"), ("PR", "GLOBAL")]
    assert effective[0].factor == 10
    assert all(c.dimension is Dimension.COUNT for c in effective)


def test_weight_item_lists_every_weight_unit_relative_to_its_base() -> None:
    factors = {c.alt_uom: c.factor for c in _units(CASES["items"]["flour-kg"]).effective()}
    assert factors == {
        "BAG": 25,
        "GRM": Fraction(1, 1000),
        "TNE": 1000,
        "LBR": Fraction(45359237, 100000000),
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", Fraction(0)), ("-2.5", Fraction(-5, 2)), ("0.000001", Fraction(1, 10**6))],
)
def test_decimal_strings_round_trip_exactly(text: str, value: Fraction) -> None:
    assert parse_decimal(text) == value
    assert format_decimal(value) == text


@pytest.mark.parametrize("text", ["1e3", "01", "1.", "0.0000001", " 1", "NaN"])
def test_non_contract_decimals_are_refused(text: str) -> None:
    with pytest.raises(errors.InvalidInput):
        parse_decimal(text)
