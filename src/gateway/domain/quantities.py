"""Exact decimal values: quantities and money as rationals, never floats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from gateway.domain.errors import BusinessRuleViolation, InvalidInput

# The contracts' DecimalString: at most 15 integer digits and 6 decimals.
MAX_DECIMALS = 6
_DECIMAL = re.compile(r"^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$")
_SCALE = 10**MAX_DECIMALS
_LIMIT = Fraction(10**15)
# ISO 4217 minor units that differ from the usual two.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}


def parse_decimal(text: str) -> Fraction:
    """Parse a contract decimal string exactly."""
    if not _DECIMAL.match(text):
        raise InvalidInput(f"{text!r} is not a decimal string")
    return Fraction(Decimal(text))


def format_decimal(value: Fraction) -> str:
    """Render an exact value as a contract decimal string (no trailing zeros)."""
    scaled = value * _SCALE
    if scaled.denominator != 1:
        raise BusinessRuleViolation(
            f"{value} cannot be written with at most {MAX_DECIMALS} decimals"
        )
    if abs(value) >= _LIMIT:
        raise BusinessRuleViolation(f"{value} exceeds the largest quantity the contracts allow")
    text = format(Decimal(scaled.numerator).scaleb(-MAX_DECIMALS), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Quantity:
    """An exact amount of a unit of measure (UN/ECE Rec 20 code)."""

    value: Fraction
    uom: str

    def __neg__(self) -> Quantity:
        return Quantity(-self.value, self.uom)


@dataclass(frozen=True)
class Money:
    """An exact amount of an ISO 4217 currency."""

    amount: Fraction
    currency: str

    @classmethod
    def of(cls, amount: Fraction, currency: str) -> Money:
        """Money rounded half-even to the currency's minor unit (money may round; stock may not)."""
        places = _MINOR_UNITS.get(currency, 2)
        exact = Decimal(amount.numerator) / Decimal(amount.denominator)
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        return cls(Fraction(rounded), currency)

    def render(self) -> str:
        """The amount with exactly the currency's minor-unit decimals."""
        places = _MINOR_UNITS.get(self.currency, 2)
        exact = Decimal(self.amount.numerator) / Decimal(self.amount.denominator)
        return format(exact.quantize(Decimal(1).scaleb(-places)), "f")
