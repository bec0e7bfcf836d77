"""NHS number, UPN and PNC id checks, as tables."""

from __future__ import annotations

import pytest

from sightline.people.identifiers import (
    check_identifier,
    check_local_id,
    check_nhs_number,
    check_pnc_id,
    check_upn,
)


def _mod11(body: str) -> int:
    """The NHS number check digit, written out independently of python-stdnum."""
    total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
    return (11 - total % 11) % 11


@pytest.mark.parametrize(
    ("raw", "valid", "value", "reason"),
    [
        ("9434765919", True, "9434765919", ""),
        ("943 476 5919", True, "9434765919", ""),
        ("943-476-5919", True, "9434765919", ""),
        (" 9434765919 ", True, "9434765919", ""),
        ("4010232137", True, "4010232137", ""),
        ("9434765918", False, "9434765918", "check digit does not match"),
        ("9434765991", False, "9434765991", "check digit does not match"),  # transposed
        ("4010232173", False, "4010232173", "check digit does not match"),
        ("943476591", False, "943476591", "must be 10 digits"),
        ("94347659190", False, "94347659190", "must be 10 digits"),
        ("94347A5919", False, "94347A5919", "must be 10 digits"),
        ("0000000000", False, "0000000000", "is a placeholder, not an issued number"),
        ("1111111111", False, "1111111111", "is a placeholder, not an issued number"),
        ("9999999999", False, "9999999999", "is a placeholder, not an issued number"),
    ],
)
def test_nhs_numbers(raw: str, valid: bool, value: str, reason: str) -> None:
    check = check_nhs_number(raw)
    assert (check.is_valid, check.value, check.reason) == (valid, value, reason)
    assert check.scheme == "nhs_number"


@pytest.mark.parametrize("body", ["943476591", "401023213", "123456789", "400000001", "555555555"])
def test_nhs_check_digit_is_modulus_11(body: str) -> None:
    digit = _mod11(body)
    if digit == 10:  # no valid number has this body
        assert not any(check_nhs_number(body + str(d)).is_valid for d in range(10))
        return
    for d in range(10):
        assert check_nhs_number(body + str(d)).is_valid == (
            d == digit and len(set(body + str(d))) > 1
        )


@pytest.mark.parametrize(
    ("raw", "valid", "value", "reason"),
    [
        ("B801200005001", True, "B801200005001", ""),
        ("b801200005001", True, "B801200005001", ""),
        ("B 8012 0000 5001", True, "B801200005001", ""),
        ("A801200005001", False, "A801200005001", "check letter does not match"),
        ("B80120000500", False, "B80120000500", "must be 13 characters"),
        (
            "X80120000A001",
            False,
            "X80120000A001",
            "must be a letter, 11 digits and a digit or letter",
        ),
        ("E000200005001", False, "E000200005001", "local authority number is not known"),
    ],
)
def test_upns(raw: str, valid: bool, value: str, reason: str) -> None:
    check = check_upn(raw)
    assert (check.is_valid, check.value, check.reason) == (valid, value, reason)


@pytest.mark.parametrize(
    ("raw", "valid", "value"),
    [
        ("19/482913K", True, "19/482913K"),
        ("19/482913k", True, "19/482913K"),
        ("2019/0482913K", True, "19/482913K"),  # the long form, same person
        ("08/56560D", True, "08/056560D"),
        ("19/482913", False, "19/482913"),
        ("19482913K", False, "19482913K"),
        ("1/482913K", False, "1/482913K"),
        ("19/48291300K", False, "19/48291300K"),
    ],
)
def test_pnc_ids_are_checked_for_format_only(raw: str, valid: bool, value: str) -> None:
    check = check_pnc_id(raw)
    assert (check.is_valid, check.value) == (valid, value)
    if not valid:
        assert check.reason == "must look like 19/482913K (year/serial and a letter)"


def test_local_ids_are_any_text() -> None:
    assert check_local_id(" MOS-123 ").value == "MOS-123"
    assert check_identifier("local_id", "x").is_valid


def test_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="unknown identifier scheme"):
        check_identifier("passport", "123")
