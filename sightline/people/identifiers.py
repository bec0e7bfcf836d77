"""Checking the national identifiers agencies send: NHS number, unique pupil number (UPN) and
Police National Computer (PNC) id. Pure functions, no database.

An identifier that fails its check is kept on the person (`Identifier.is_valid=False` with the
reason) so a practitioner can see what the agency holds, but it is never used to link records:
a mistyped NHS number is exactly how two children's records get merged.

- NHS number: ten digits, the last a modulus-11 check digit (python-stdnum `gb.nhs`). Numbers
  made of one repeated digit (0000000000, 1111111111…) pass the checksum but are placeholders
  that are never issued, so they are refused too.
- UPN: a check letter, a known local-authority number, the school's DfE number, the year and a
  serial (python-stdnum `gb.upn`, which also knows temporary UPNs ending in a letter).
- PNC id: the format only, YY/NNNNNNL (two-digit year, serial, check letter). python-stdnum has
  no PNC module and the check-letter rule is not in it, so the letter is not verified; the long
  form YYYY/NNNNNNNL is accepted and written in the short form so both spellings match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.gb import nhs as stdnum_nhs
from stdnum.gb import upn as stdnum_upn

NHS_NUMBER: Final = "nhs_number"
UPN: Final = "upn"
PNC_ID: Final = "pnc_id"
LOCAL_ID: Final = "local_id"

# Identifiers that may link records of different agencies, strongest first.
LINKING_SCHEMES: Final = (NHS_NUMBER, UPN, PNC_ID)
# A person holding a different valid identifier of one of these schemes is a different person.
EXCLUSIVE_SCHEMES: Final = (NHS_NUMBER, UPN)

_SEPARATORS = re.compile(r"[\s-]+")
_PNC = re.compile(r"^(?P<year>\d{2}|\d{4})/(?P<serial>\d{1,7})(?P<letter>[A-Z])$")


@dataclass(frozen=True, slots=True)
class IdentifierCheck:
    """The outcome of checking one identifier: `value` is the normalised form when valid and
    the text as given (trimmed) when not."""

    scheme: str
    value: str
    is_valid: bool
    reason: str = ""


def check_nhs_number(raw: str) -> IdentifierCheck:
    value = _SEPARATORS.sub("", raw.strip())
    if not value.isdigit():
        return IdentifierCheck(NHS_NUMBER, raw.strip(), False, "must be 10 digits")
    if len(value) != 10:
        return IdentifierCheck(NHS_NUMBER, raw.strip(), False, "must be 10 digits")
    if len(set(value)) == 1:
        return IdentifierCheck(NHS_NUMBER, value, False, "is a placeholder, not an issued number")
    if not stdnum_nhs.is_valid(value):
        return IdentifierCheck(NHS_NUMBER, value, False, "check digit does not match")
    return IdentifierCheck(NHS_NUMBER, value, True)


def check_upn(raw: str) -> IdentifierCheck:
    value = _SEPARATORS.sub("", raw.strip()).upper()
    try:
        stdnum_upn.validate(value)
    except InvalidLength:
        return IdentifierCheck(UPN, raw.strip(), False, "must be 13 characters")
    except InvalidFormat:
        return IdentifierCheck(
            UPN, raw.strip(), False, "must be a letter, 11 digits and a digit or letter"
        )
    except InvalidComponent:
        return IdentifierCheck(UPN, value, False, "local authority number is not known")
    except InvalidChecksum:
        return IdentifierCheck(UPN, value, False, "check letter does not match")
    return IdentifierCheck(UPN, value, True)


def check_pnc_id(raw: str) -> IdentifierCheck:
    value = raw.strip().upper().replace(" ", "")
    match = _PNC.match(value)
    if not match:
        return IdentifierCheck(
            PNC_ID, raw.strip(), False, "must look like 19/482913K (year/serial and a letter)"
        )
    year = match["year"][-2:]
    serial = match["serial"].lstrip("0").rjust(6, "0")
    if len(serial) > 7:  # pragma: no cover - the pattern allows at most 7 digits
        return IdentifierCheck(PNC_ID, raw.strip(), False, "serial is too long")
    return IdentifierCheck(PNC_ID, f"{year}/{serial}{match['letter']}", True)


def check_local_id(raw: str) -> IdentifierCheck:
    """An agency's own reference: any non-empty text (unique only within its issuer)."""
    value = raw.strip()
    if not value:
        return IdentifierCheck(LOCAL_ID, value, False, "is empty")
    return IdentifierCheck(LOCAL_ID, value, True)


_CHECKS = {
    NHS_NUMBER: check_nhs_number,
    UPN: check_upn,
    PNC_ID: check_pnc_id,
    LOCAL_ID: check_local_id,
}
SCHEMES: Final = tuple(_CHECKS)


def check_identifier(scheme: str, raw: str) -> IdentifierCheck:
    """Check `raw` as an identifier of `scheme` (one of SCHEMES)."""
    try:
        check = _CHECKS[scheme]
    except KeyError:
        raise ValueError(f"unknown identifier scheme {scheme!r}") from None
    return check(raw)
