"""The escalation procedure and the levels of need as versioned data: the shipped files, a new
version taking over on its date, and the shapes refused (by the loader and by `manage.py
check`)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from sightline.decisions import checks as level_checks
from sightline.decisions.levels import LevelsError, levels_on, parse_levels
from sightline.escalations import checks
from sightline.escalations.procedure import (
    DEFAULT_FILE,
    ProcedureError,
    parse_procedure,
    procedure_on,
)

SHIPPED = yaml.safe_load(DEFAULT_FILE.read_text())


def test_the_shipped_procedure_has_the_four_stages():
    procedure = procedure_on(dt.date(2027, 3, 1))
    assert [(s.number, s.title, s.responders, s.timescale) for s in procedure.stages] == [
        (1, "Practitioner to practitioner", "practitioners", "escalation.stage1"),
        (2, "Managers", "team_managers", "escalation.stage2"),
        (3, "Senior managers", "heads_of_service", "escalation.stage3"),
        (4, "The safeguarding partnership", "partnership", "escalation.stage4"),
    ]
    assert procedure.last == 4


def test_a_new_version_takes_over_on_its_date():
    data = yaml.safe_load(DEFAULT_FILE.read_text())
    second = {**data["versions"][0], "version": 2, "effective_from": dt.date(2028, 4, 1)}
    second["stages"] = second["stages"][:3]
    data["versions"].append(second)
    versions = parse_procedure(data)
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].last == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["versions"][0]["stages"].pop(0), "numbered 1, 2, 3"),
        (lambda d: d["versions"][0]["stages"][0].update(responders="everyone"), "responders"),
        (lambda d: d["versions"][0].pop("stages"), "expected versions"),
        (lambda d: d["versions"].append(dict(d["versions"][0])), "share a number"),
        (lambda d: d.update(versions=[]), "no versions"),
    ],
)
def test_a_broken_procedure_is_refused(change, message):
    data = yaml.safe_load(DEFAULT_FILE.read_text())
    change(data)
    with pytest.raises(ProcedureError, match=message):
        parse_procedure(data)


def test_manage_py_check_refuses_a_broken_procedure_file(tmp_path, settings):
    path = tmp_path / "procedure.yaml"
    path.write_text("versions: [{version: 1}]")
    settings.ESCALATION_PROCEDURE_FILE = str(path)
    (error,) = checks.procedure_check()
    assert error.id == "escalations.E001"


def test_the_levels_of_need():
    levels = levels_on(dt.date(2027, 3, 1))
    assert [level.code for level in levels.levels] == [
        "universal",
        "early_help",
        "targeted",
        "specialist",
    ]
    with pytest.raises(LevelsError):
        parse_levels({"versions": [{"version": 1, "effective_from": "2020-01-01", "levels": []}]})


def test_manage_py_check_refuses_a_broken_levels_file(tmp_path, settings):
    path = tmp_path / "levels.yaml"
    path.write_text("nothing: here")
    settings.DECISION_LEVELS_FILE = str(path)
    (error,) = level_checks.levels_check()
    assert error.id == "decisions.E001"
