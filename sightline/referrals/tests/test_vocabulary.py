"""The referral code lists: the shipped ones load, every service's allocation timescale exists,
and a list that does not fit its shape is refused with where and why."""

from __future__ import annotations

import datetime as dt

import pytest

from sightline.core import timescales
from sightline.referrals import vocabulary
from sightline.referrals.vocabulary import VocabularyError, parse_reasons, parse_services


def test_the_shipped_lists_load_and_fit_the_timescales() -> None:
    services = vocabulary.services()
    assert {"mash", "early_help", "camhs", "substance_misuse", "nrm"} <= set(services.by_code)
    keys = set(timescales.timescales().keys)
    for service in services.by_code.values():
        assert service.allocation is None or service.allocation in keys, service.code
    reasons = vocabulary.reasons()
    assert reasons.by_code["lack_of_consent"].not_alone_when_significant_harm
    for decision in vocabulary.DECISIONS:
        assert reasons.for_decision(decision)
    assert "recorded_in_agency_system" not in {r.code for r in reasons.for_decision("signposted")}


def test_labels_of_codes_no_longer_listed_still_read() -> None:
    assert vocabulary.service_label("mash").startswith("MASH")
    assert vocabulary.service_label("old_service") == "Old service"
    assert vocabulary.reason_label("gone_reason") == "Gone reason"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({}, "integer `version`"),
        ({"version": 1, "services": []}, "no services"),
        ({"version": 1, "services": [{"code": "x"}]}, "missing or wrong field"),
        (
            {
                "version": 1,
                "services": [
                    {"code": "x", "label": "X", "agency_kinds": ["mash"], "allocation": None},
                    {"code": "x", "label": "Y", "agency_kinds": ["mash"], "allocation": None},
                ],
            },
            "used twice",
        ),
        (
            {
                "version": 1,
                "services": [
                    {
                        "code": "x",
                        "label": "X",
                        "agency_kinds": ["mash"],
                        "allocation": None,
                        "available_from": "soon",
                    }
                ],
            },
            "not a date",
        ),
    ],
)
def test_a_services_list_that_does_not_fit_is_refused(data, says) -> None:
    with pytest.raises(VocabularyError, match=says):
        parse_services(data)


def test_a_service_may_close_to_new_referrals() -> None:
    services = parse_services(
        {
            "version": 2,
            "services": [
                {
                    "code": "x",
                    "label": "X",
                    "agency_kinds": ["mash"],
                    "allocation": None,
                    "available_to": "2026-03-31",
                }
            ],
        }
    )
    assert services.by_code["x"].available_on(dt.date(2026, 3, 31))
    assert not services.by_code["x"].available_on(dt.date(2026, 4, 1))


def test_a_reasons_list_must_give_every_decision_a_reason() -> None:
    with pytest.raises(VocabularyError, match="no reason may be given"):
        parse_reasons({"version": 1, "reasons": [{"code": "a", "decisions": ["early_help"]}]})
    with pytest.raises(VocabularyError, match="unknown decisions"):
        parse_reasons({"version": 1, "reasons": [{"code": "a", "decisions": ["maybe"]}]})
