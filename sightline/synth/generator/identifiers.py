"""Identifiers: NHS numbers (mod 11), UPNs (mod 23 check letter) and PNC ids.

NHS numbers and PNC serials come from affine permutations of a counter, so they look random but
are unique by construction: no set of issued numbers is needed, even at millions of people."""

from __future__ import annotations

import random

from stdnum.gb import upn as stdnum_upn

# The county's DfE local-authority number (stdnum knows it, so check letters validate).
LA_CODE = 938

_NHS_BODY_SPAN = 100_000_000  # bodies 400000000..499999999 -> numbers 4000000000..4999999999
_NHS_STEP = 48_271_297  # coprime with 10**8
_PNC_SPAN = 1_000_000
_PNC_STEP = 480_277  # coprime with 10**6
_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def nhs_check_digit(body: str) -> int:
    """The mod-11 check digit of nine digits; 10 means the body cannot be issued."""
    total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else check


def nhs_is_valid(number: str) -> bool:
    if len(number) != 10 or not number.isdigit() or len(set(number)) == 1:
        return False
    check = nhs_check_digit(number[:9])
    return check != 10 and check == int(number[9])


class NhsNumbers:
    """Issues unique, valid NHS numbers in the England range 4000000000-4999999999."""

    def __init__(self, seed: int) -> None:
        self.offset = (seed * 7_919_993) % _NHS_BODY_SPAN
        self.counter = 0

    def issue(self) -> str:
        while True:
            n = (self.counter * _NHS_STEP + self.offset) % _NHS_BODY_SPAN
            self.counter += 1
            body = f"{400_000_000 + n:09d}"
            check = nhs_check_digit(body)
            if check != 10:
                return body + str(check)


class PncIds:
    """PNC ids like 19/482913K: year first recorded, a serial, a check letter (our own letter:
    no public algorithm, so consumers check the format only)."""

    def __init__(self, seed: int) -> None:
        self.offset = (seed * 104_729) % _PNC_SPAN
        self.counter = 0

    def issue(self, year: int) -> str:
        n = (self.counter * _PNC_STEP + self.offset) % _PNC_SPAN
        self.counter += 1
        yy = year % 100
        letter = _PNC_LETTERS[(yy * 1_000_000 + n) % 23]
        return f"{yy:02d}/{n:06d}{letter}"


class Upns:
    """UPNs: check letter + LA code + school's DfE number + two-digit year + serial."""

    def __init__(self) -> None:
        self.serials: dict[tuple[int, int], int] = {}

    def issue(self, estab: int, year: int) -> str:
        key = (estab, year % 100)
        serial = self.serials.get(key, 0) + 1
        if serial > 999:  # a very large cohort: borrow the next establishment number's block
            return self.issue(estab + 5000 if estab < 5000 else estab - 4999, year)
        self.serials[key] = serial
        body = f"{LA_CODE:03d}{estab:04d}{year % 100:02d}{serial:03d}"
        return stdnum_upn.calc_check_digit(body) + body


def transpose(number: str, rng: random.Random) -> str:
    """Two digits swapped (mostly adjacent, as in keying): usually fails the check digit."""
    digits = list(number)
    for _ in range(10):
        if rng.random() < 0.7:
            i = rng.randrange(len(digits) - 1)
            j = i + 1
        else:
            i, j = sorted(rng.sample(range(len(digits)), 2))
        if digits[i] != digits[j]:
            digits[i], digits[j] = digits[j], digits[i]
            return "".join(digits)
    return number
