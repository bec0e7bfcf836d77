"""Which identifiers each agency kind sees (vocabulary/identifiers.yaml), as a table, and the
policy file's own checks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from sightline.governance import access
from sightline.governance.vocabulary import parse_identifier_policy

# (scheme, kind of the agency whose feed issued it) in this order, then one mark per column:
# Y shown, . not shown.
COLUMNS = [
    ("nhs_number", "police"),
    ("upn", "school"),
    ("pnc_id", "police"),
    ("local_id", "police"),
    ("local_id", "youth_justice"),
    ("local_id", "child_exploitation_team"),
    ("local_id", "health_ae"),
    ("local_id", "camhs"),
    ("local_id", "school"),
    ("local_id", "childrens_social_care"),
    ("local_id", None),  # an identifier whose issuer is not known
    ("passport", "police"),  # a scheme the policy does not name
]
#                             nhs upn pnc pol yj  ce  ae camhs sch csc none passport
SHOWN = {
    "school": "Y Y . . . . . . Y Y Y .",
    "alternative_provision": "Y Y . . . . . . Y Y Y .",
    "early_help": "Y Y . . . . . . Y Y Y .",
    "housing": "Y Y . . . . . . Y Y Y .",
    "health_ae": "Y Y . . . . Y Y Y Y Y .",
    "camhs": "Y Y . . . . Y Y Y Y Y .",
    "school_nursing": "Y Y . . . . Y Y Y Y Y .",
    "police": "Y Y Y Y Y Y . . Y Y Y .",
    "youth_justice": "Y Y Y Y Y Y . . Y Y Y .",
    "child_exploitation_team": "Y Y Y Y Y Y . . Y Y Y .",
    "childrens_social_care": "Y Y Y Y Y Y Y Y Y Y Y .",
    "mash": "Y Y Y Y Y Y Y Y Y Y Y .",
}


@pytest.mark.parametrize(
    ("kind", "scheme", "issuer", "shown"),
    [
        pytest.param(kind, scheme, issuer, marks.split()[i] == "Y", id=f"{kind}-{scheme}-{issuer}")
        for kind, marks in SHOWN.items()
        for i, (scheme, issuer) in enumerate(COLUMNS)
    ],
)
def test_which_identifiers_a_viewer_sees(
    kind: str, scheme: str, issuer: str | None, shown: bool
) -> None:
    scope = access.Scope(1, "social_worker", 1, kind, None, frozenset())
    assert access.identifier_visible(scope, scheme=scheme, issuer_kind=issuer) is shown


def test_a_viewer_without_an_agency_sees_none() -> None:
    assert not access.identifier_visible(access.NO_SCOPE, scheme="nhs_number", issuer_kind=None)


GOOD = {
    "groups": {"justice": ["police"]},
    "schemes": {"nhs_number": ["*"], "pnc_id": ["justice"], "local_id": "by_issuer"},
    "issuers": {"police": ["justice"], "*": ["*"]},
}


def test_groups_are_expanded() -> None:
    policy = parse_identifier_policy(GOOD)
    assert policy.schemes["pnc_id"] == frozenset({"police"})
    assert policy.schemes["local_id"] == "by_issuer"
    assert policy.issuers["*"] == frozenset({"*"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schemes": {"pnc_id": ["polise"]}}, "'polise' is neither a group nor an agency kind"),
        ({"groups": {"police": ["police"]}}, "is named like a kind"),
        ({"groups": {"justice": ["polise"]}}, "unknown agency kinds"),
        ({"issuers": {"polise": ["*"], "*": ["*"]}}, "unknown agency kind 'polise'"),
        ({"issuers": {"police": ["justice"]}}, 'needs a "\\*" row'),
        ({"schemes": {"pnc_id": "justice"}}, "expected a list"),
    ],
)
def test_a_policy_with_a_slip_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_identifier_policy({**GOOD, **change})
