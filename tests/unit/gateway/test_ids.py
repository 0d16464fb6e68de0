"""Ids: ULID-style, Crockford base32, sortable by creation time."""

from __future__ import annotations

import random
import time

from gateway.services.unit_of_work import crockford, new_id

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _by_digit(value: int) -> str:
    digits = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def test_crockford_spells_every_digit_of_a_128_bit_number() -> None:
    rng = random.Random(20261126)
    values = [0, 1, 31, 32, 1023, 1024, 2**128 - 1, *(rng.getrandbits(128) for _ in range(500))]
    for value in values:
        assert crockford(value) == _by_digit(value)


def test_new_ids_carry_the_prefix_and_the_millisecond_time_first() -> None:
    before = time.time_ns() // 1_000_000
    found = new_id("adj")
    after = time.time_ns() // 1_000_000
    prefix, digits = found.split("_")
    assert prefix == "adj"
    assert len(digits) == 26
    assert set(digits) <= set(ALPHABET)
    value = sum(ALPHABET.index(digit) << (5 * (25 - i)) for i, digit in enumerate(digits))
    assert before <= value >> 80 <= after
