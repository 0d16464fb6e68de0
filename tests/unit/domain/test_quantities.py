"""The integer fast paths of decimal parsing, rendering and storage decoding agree with the
straightforward ``Decimal``/``Fraction`` implementations they replace, values and errors alike."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gateway.domain import errors
from gateway.domain.quantities import decode_fraction, format_decimal, parse_decimal

CONTRACT_DECIMAL = r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?"
LIMIT = 10**15


def reference_format(value: Fraction) -> str:
    """The Decimal-based rendering the fast path replaced."""
    scaled = value * 10**6
    if scaled.denominator != 1:
        raise errors.BusinessRuleViolation(f"{value} cannot be written with at most 6 decimals")
    if abs(value) >= LIMIT:
        raise errors.BusinessRuleViolation(
            f"{value} exceeds the largest quantity the contracts allow"
        )
    text = format(Decimal(scaled.numerator).scaleb(-6), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def outcome(render: object, value: Fraction) -> tuple[str, str]:
    """What rendering gives: ("ok", text) or (error class, message)."""
    assert callable(render)
    try:
        return "ok", render(value)
    except errors.BusinessRuleViolation as error:
        return type(error).__name__, str(error)


# Every value the contracts can carry: up to 15 integer digits and 6 decimals.
representable = st.one_of(
    st.builds(Fraction, st.integers(min_value=-LIMIT + 1, max_value=LIMIT - 1)),
    st.builds(
        Fraction,
        st.integers(min_value=-(LIMIT * 10**6) + 1, max_value=LIMIT * 10**6 - 1),
        st.just(10**6),
    ),
    st.builds(
        Fraction,
        st.integers(min_value=-(10**6), max_value=10**6),
        st.sampled_from([2, 4, 5, 8, 16, 25, 64, 125, 1000, 3125, 10**6]),
    ),
)
# Values past the limit, with too many decimals, or both.
anything = st.one_of(
    representable,
    st.fractions(),
    st.builds(
        Fraction,
        st.integers(min_value=-(10**25), max_value=10**25),
        st.sampled_from([1, 2, 3, 7, 64, 10**6, 10**7, 2**20, 5**7, 3 * 10**5]),
    ),
)


@given(representable)
@example(Fraction(0))
@example(Fraction(-1, 2))
@example(Fraction(LIMIT - 1))
@example(Fraction(-(LIMIT * 10**6) + 1, 10**6))
def test_representable_values_render_as_the_decimal_reference_does(value: Fraction) -> None:
    assert format_decimal(value) == reference_format(value)


@given(anything)
@example(Fraction(LIMIT))
@example(Fraction(-LIMIT))
@example(Fraction(LIMIT * 10**6 - 1, 10**6))
@example(Fraction(1, 3))
@example(Fraction(LIMIT * 3 + 1, 3))
@example(Fraction(1, 10**7))
def test_every_value_renders_or_is_refused_as_the_reference_does(value: Fraction) -> None:
    assert outcome(format_decimal, value) == outcome(reference_format, value)


@given(st.from_regex(CONTRACT_DECIMAL, fullmatch=True))
@example("-0")
@example("-0.000000")
@example("999999999999999.999999")
def test_contract_strings_parse_as_decimal_does_and_round_trip(text: str) -> None:
    value = parse_decimal(text)
    assert value == Fraction(Decimal(text))
    assert parse_decimal(format_decimal(value)) == value


@given(representable)
def test_rendered_values_parse_back_to_themselves(value: Fraction) -> None:
    assert parse_decimal(format_decimal(value)) == value


@given(st.text(alphabet="0123456789-+.e _\n", max_size=24))
@example("1\n")
@example("1.5\n")
@example("01")
@example("1.")
def test_parsing_accepts_exactly_what_the_contract_pattern_accepts(text: str) -> None:
    # ``$`` also matches before a final newline; Decimal strips it, so "1\n" parses today.
    if re.match(rf"^{CONTRACT_DECIMAL}$", text):
        assert parse_decimal(text) == Fraction(Decimal(text))
    else:
        with pytest.raises(errors.InvalidInput):
            parse_decimal(text)


@given(st.fractions())
def test_stored_fractions_decode_to_themselves(value: Fraction) -> None:
    assert decode_fraction(str(value)) == value


def fraction_or_error(text: str) -> Fraction | type[Exception]:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError) as error:
        return type(error)


def decoded_or_error(text: str) -> Fraction | type[Exception]:
    try:
        return decode_fraction(text)
    except (ValueError, ZeroDivisionError) as error:
        return type(error)


@given(st.text(alphabet="0123456789-+/._ e", max_size=16))
@example(" 3/4")
@example("3 /4")
@example("3/ 4")
@example("-3/-4")
@example("1_0/2_0")
@example("3/0")
@example("12.50")
@example("\u0663/\u0664")
@example("1/\u00b2")
def test_decoding_agrees_with_fraction_on_any_text(text: str) -> None:
    assert decoded_or_error(text) == fraction_or_error(text)
