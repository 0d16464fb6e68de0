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
_LIMIT = 10**15
_POWERS = tuple(10**n for n in range(MAX_DECIMALS + 1))
# ISO 4217 minor units that differ from the usual two.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}


def parse_decimal(text: str) -> Fraction:
    """Parse a contract decimal string exactly."""
    match = _DECIMAL.match(text)
    if match is None:
        raise InvalidInput(f"{text!r} is not a decimal string")
    whole, point = match.group(1, 2)
    digits = "" if point is None else point[1:]
    value = int(whole + digits)
    if text[0] == "-":
        value = -value
    return Fraction(value, _POWERS[len(digits)]) if digits else Fraction(value)


def format_decimal(value: Fraction) -> str:
    """Render an exact value as a contract decimal string (no trailing zeros)."""
    # Integer arithmetic only: this renders every quantity of every response.
    numerator, denominator = value.as_integer_ratio()
    if denominator == 1:
        if -_LIMIT < numerator < _LIMIT:
            return str(numerator)
    elif _SCALE % denominator:
        raise BusinessRuleViolation(
            f"{value} cannot be written with at most {MAX_DECIMALS} decimals"
        )
    elif abs(numerator) < _LIMIT * denominator:
        whole, part = divmod(abs(numerator) * (_SCALE // denominator), _SCALE)
        sign = "-" if numerator < 0 else ""
        return f"{sign}{whole}.{part:0{MAX_DECIMALS}d}".rstrip("0")
    raise BusinessRuleViolation(f"{value} exceeds the largest quantity the contracts allow")


def decode_fraction(text: str) -> Fraction:
    """``Fraction(text)``, fast for what ``str(Fraction)`` writes ("12", "-5/2")."""
    # Fraction(text) always runs a general regex; the stored forms need only int().
    numerator, slash, denominator = text.partition("/")
    try:
        if not slash:
            return Fraction(int(numerator))
        if denominator.isdigit() and numerator[-1:].isdigit():
            return Fraction(int(numerator), int(denominator))
    except ValueError:
        pass
    return Fraction(text)


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
