"""Units of measure: exact rational conversions within one dimension.

An item conversion says ``denominator x altUom = numerator x baseUom`` (SAP MARM), so one alt
unit is ``numerator / denominator`` base units. Item-specific conversions override the global
table; a unit the global table does not know (CS, PAL, ...) is a pack of the base unit and shares
its dimension. A converted value that is not a multiple of the target unit's rounding increment
is refused, never rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from gateway.domain.errors import BusinessRuleViolation
from gateway.domain.quantities import MAX_DECIMALS, Quantity


class Dimension(StrEnum):
    """What a unit measures; conversions never cross dimensions."""

    COUNT = "COUNT"
    WEIGHT = "WEIGHT"
    VOLUME = "VOLUME"
    LENGTH = "LENGTH"


@dataclass(frozen=True)
class GlobalUnit:
    """A unit of the global table: its dimension and its size in the dimension's reference unit."""

    code: str
    dimension: Dimension
    size: Fraction
    rounding_increment: Fraction


_FINEST = Fraction(1, 10**MAX_DECIMALS)
_WHOLE = Fraction(1)

GLOBAL_UNITS: Mapping[str, GlobalUnit] = {
    unit.code: unit
    for unit in (
        GlobalUnit("KGM", Dimension.WEIGHT, Fraction(1), _FINEST),
        GlobalUnit("GRM", Dimension.WEIGHT, Fraction(1, 1000), _FINEST),
        GlobalUnit("TNE", Dimension.WEIGHT, Fraction(1000), _FINEST),
        # The international avoirdupois pound is defined as exactly 0.45359237 kg.
        GlobalUnit("LBR", Dimension.WEIGHT, Fraction(45359237, 100000000), _FINEST),
        GlobalUnit("LTR", Dimension.VOLUME, Fraction(1), _FINEST),
        GlobalUnit("MLT", Dimension.VOLUME, Fraction(1, 1000), _FINEST),
        GlobalUnit("MTR", Dimension.LENGTH, Fraction(1), _FINEST),
        GlobalUnit("CMT", Dimension.LENGTH, Fraction(1, 100), _FINEST),
        GlobalUnit("EA", Dimension.COUNT, Fraction(1), _WHOLE),
        GlobalUnit("DZN", Dimension.COUNT, Fraction(12), _WHOLE),
        GlobalUnit("PR", Dimension.COUNT, Fraction(2), _WHOLE),
    )
}


@dataclass(frozen=True)
class UomConversion:
    """An item-specific unit: ``denominator x alt_uom = numerator x base unit``."""

    alt_uom: str
    numerator: int
    denominator: int
    rounding_increment: Fraction | None = None

    def __post_init__(self) -> None:
        if self.numerator < 1 or self.denominator < 1:
            raise BusinessRuleViolation(
                f"conversion for {self.alt_uom} needs a positive numerator and denominator"
            )
        if self.rounding_increment is not None and self.rounding_increment <= 0:
            raise BusinessRuleViolation(f"rounding increment of {self.alt_uom} must be positive")

    @property
    def factor(self) -> Fraction:
        """Base units in one alt unit."""
        return Fraction(self.numerator, self.denominator)


@dataclass(frozen=True)
class EffectiveConversion:
    """One unit an item can be expressed in, relative to its base unit, and where it comes from."""

    alt_uom: str
    factor: Fraction
    dimension: Dimension
    source: str  # "ITEM" or "GLOBAL"
    rounding_increment: Fraction


@dataclass(frozen=True)
class ConversionResult:
    """A converted quantity and the exact factor used (target units per source unit)."""

    source: Quantity
    target: Quantity
    factor: Fraction


def dimension_of(uom: str, base_uom: str) -> Dimension:
    """The dimension of a unit; pack units unknown to the global table share the base's."""
    known = GLOBAL_UNITS.get(uom)
    if known is not None:
        return known.dimension
    base = GLOBAL_UNITS.get(base_uom)
    return base.dimension if base is not None else Dimension.COUNT


@dataclass(frozen=True)
class ItemUnits:
    """The units one item can be counted in: its base unit and its conversions."""

    base_uom: str
    base_rounding_increment: Fraction | None
    conversions: tuple[UomConversion, ...]

    def __post_init__(self) -> None:
        if self.base_rounding_increment is not None and self.base_rounding_increment <= 0:
            raise BusinessRuleViolation(f"rounding increment of {self.base_uom} must be positive")
        base_dimension = dimension_of(self.base_uom, self.base_uom)
        seen: set[str] = set()
        for conversion in self.conversions:
            if conversion.alt_uom == self.base_uom:
                raise BusinessRuleViolation(f"{self.base_uom} is the base unit, not an alt unit")
            if conversion.alt_uom in seen:
                raise BusinessRuleViolation(f"{conversion.alt_uom} is converted twice")
            seen.add(conversion.alt_uom)
            alt_dimension = dimension_of(conversion.alt_uom, self.base_uom)
            if alt_dimension is not base_dimension:
                raise BusinessRuleViolation(
                    f"{conversion.alt_uom} measures {alt_dimension.value.lower()} but the base "
                    f"unit {self.base_uom} measures {base_dimension.value.lower()}"
                )

    @property
    def dimension(self) -> Dimension:
        """The dimension of the base unit (every unit of the item shares it)."""
        return dimension_of(self.base_uom, self.base_uom)

    def effective(self) -> list[EffectiveConversion]:
        """Item conversions first, then global units of the same dimension they do not override."""
        found = [
            EffectiveConversion(
                c.alt_uom, c.factor, self.dimension, "ITEM", self._increment(c.alt_uom)
            )
            for c in self.conversions
        ]
        overridden = {c.alt_uom for c in self.conversions} | {self.base_uom}
        base = GLOBAL_UNITS.get(self.base_uom)
        if base is not None:
            for unit in GLOBAL_UNITS.values():
                if unit.dimension is base.dimension and unit.code not in overridden:
                    found.append(
                        EffectiveConversion(
                            unit.code,
                            unit.size / base.size,
                            unit.dimension,
                            "GLOBAL",
                            unit.rounding_increment,
                        )
                    )
        return found

    def factor(self, uom: str) -> Fraction:
        """Base units in one ``uom``; unknown units and other dimensions are refused."""
        if uom == self.base_uom:
            return Fraction(1)
        for conversion in self.conversions:
            if conversion.alt_uom == uom:
                return conversion.factor
        unit, base = GLOBAL_UNITS.get(uom), GLOBAL_UNITS.get(self.base_uom)
        if unit is None:
            raise BusinessRuleViolation(f"{uom} is not a unit of this item (base {self.base_uom})")
        if base is None or unit.dimension is not base.dimension:
            raise BusinessRuleViolation(
                f"cannot convert {uom} ({unit.dimension.value.lower()}) to the base unit "
                f"{self.base_uom} ({self.dimension.value.lower()}): different dimensions"
            )
        return unit.size / base.size

    def _increment(self, uom: str) -> Fraction:
        if uom == self.base_uom and self.base_rounding_increment is not None:
            return self.base_rounding_increment
        for conversion in self.conversions:
            if conversion.alt_uom == uom and conversion.rounding_increment is not None:
                return conversion.rounding_increment
        known = GLOBAL_UNITS.get(uom)
        if known is not None:
            return known.rounding_increment
        if uom == self.base_uom:
            return _WHOLE if self.dimension is Dimension.COUNT else _FINEST
        return _WHOLE  # packs (CS, PAL) are whole things unless the item says otherwise

    def convert(self, quantity: Quantity, target_uom: str) -> ConversionResult:
        """Convert exactly; refuse a result that is not a multiple of the target's increment."""
        factor = self.factor(quantity.uom) / self.factor(target_uom)
        value = quantity.value * factor
        increment = self._increment(target_uom)
        if (value / increment).denominator != 1:
            raise BusinessRuleViolation(
                f"{_show(quantity.value)} {quantity.uom} is {_show(value)} {target_uom}, not a "
                f"multiple of its rounding increment {_show(increment)}"
            )
        return ConversionResult(quantity, Quantity(value, target_uom), factor)

    def to_base(self, quantity: Quantity) -> Quantity:
        """The quantity in the item's base unit (checked against the base increment)."""
        return self.convert(quantity, self.base_uom).target


def _show(value: Fraction) -> str:
    scaled = value * 10**MAX_DECIMALS
    if scaled.denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    whole, part = divmod(abs(scaled.numerator), 10**MAX_DECIMALS)
    sign = "-" if value < 0 else ""
    decimals = f"{part:0{MAX_DECIMALS}d}".rstrip("0")
    return f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}"


def units_from(
    base_uom: str, increment: Fraction | None, conversions: Iterable[UomConversion]
) -> ItemUnits:
    """Build and validate an item's unit set."""
    return ItemUnits(base_uom, increment, tuple(conversions))
