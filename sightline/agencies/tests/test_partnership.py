"""`sightline partnership`: a partnership's agencies, teams, people and roles from a YAML file
and one by one, with errors that say where and what; the loader fuzzed."""

import contextlib
import io
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Membership, Role, Team
from sightline.agencies.partnership import PartnershipFileError, parse_partnership
from sightline.agencies.selectors import heads_of_service_for, team_managers_for

pytestmark = pytest.mark.django_db
# governance sits above agencies: its audit rows are read by name.
AuditEvent = apps.get_model("governance", "AuditEvent")

FILE = {
    "format": "sightline-partnership/1",
    "agencies": [
        {
            "code": "csc",
            "name": "Shireford Children's Social Care",
            "kind": "childrens_social_care",
            "teams": [
                {"code": "assessment", "name": "Assessment team"},
                {"code": "cin", "name": "Children in need team"},
            ],
        },
        {
            "code": "mash",
            "name": "Shireford MASH",
            "kind": "mash",
            "teams": [{"code": "front-door", "name": "MASH front door"}],
        },
    ],
    "users": [
        {
            "email": "Alex.Lee@csc.example.org",
            "given_name": "Alex",
            "family_name": "Lee",
            "agency": "csc",
            "role": "team_manager",
            "team": "assessment",
            "job_title": "Team manager, assessment",
        },
        {
            "email": "harper.hall@csc.example.org",
            "given_name": "Harper",
            "family_name": "Hall",
            "agency": "csc",
            "role": "head_of_service",
            "heads": ["csc/assessment", "mash/front-door"],
        },
        {
            "email": "sam.okoro@csc.example.org",
            "given_name": "Sam",
            "family_name": "Okoro",
            "agency": "csc",
            "role": "social_worker",
            "team": "csc/assessment",
        },
    ],
}


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "partnership.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run(*args, stdin=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        import sys

        old = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            call_command("partnership", *args, stdout=out)
        finally:
            sys.stdin = old
    else:
        call_command("partnership", *args, stdout=out)
    return out.getvalue()


def test_apply_sets_up_agencies_teams_managers_and_heads(tmp_path):
    passwords = tmp_path / "passwords.txt"
    out = run("apply", str(write(tmp_path, FILE)), "--passwords-file", str(passwords))
    assert "Added agency csc" in out
    assert "Added team mash/front-door" in out
    assert "Added alex.lee@csc.example.org: Team manager, csc/assessment." in out
    assessment = Team.objects.get(agency__code="csc", code="assessment")
    front_door = Team.objects.get(agency__code="mash", code="front-door")
    alex = User.objects.get(username="alex.lee@csc.example.org")
    harper = User.objects.get(username="harper.hall@csc.example.org")
    assert team_managers_for(assessment) == [alex]
    assert heads_of_service_for(front_door) == [harper]
    assert heads_of_service_for(Team.objects.get(code="cin")) == []  # named teams only
    # The one-off passwords sign in, and are in the file, not on the screen.
    lines = dict(line.split("\t") for line in passwords.read_text().splitlines())
    assert set(lines) == {alex.username, harper.username, "sam.okoro@csc.example.org"}
    assert lines[alex.username] not in out
    assert passwords.stat().st_mode & 0o777 == 0o600
    assert authenticate(username=alex.username, password=lines[alex.username]) == alex
    assert AuditEvent.objects.filter(action="agency_created").count() == 2
    assert AuditEvent.objects.filter(action="team_created").count() == 3
    assert AuditEvent.objects.filter(action="account_created").count() == 3


def test_applying_the_same_file_again_changes_nothing(tmp_path):
    path = write(tmp_path, FILE)
    run("apply", str(path))
    events = AuditEvent.objects.count()
    assert "Nothing to change" in run("apply", str(path))
    assert AuditEvent.objects.count() == events


def test_a_changed_file_changes_roles_and_names(tmp_path):
    run("apply", str(write(tmp_path, FILE)))
    changed = yaml.safe_load(yaml.safe_dump(FILE))
    changed["agencies"][0]["name"] = "Shireford Children's Services"
    changed["users"][2].update(role="team_manager", team="cin")  # Sam is promoted
    changed["users"][1]["heads"] = []  # Harper now heads every team of csc
    out = run("apply", str(write(tmp_path, changed)))
    assert "Updated agency csc: name." in out
    assert "Changed sam.okoro@csc.example.org: now Team manager, csc/cin." in out
    sam = User.objects.get(username="sam.okoro@csc.example.org")
    assert team_managers_for(Team.objects.get(code="cin")) == [sam]
    harper = User.objects.get(username="harper.hall@csc.example.org")
    assert heads_of_service_for(Team.objects.get(code="cin")) == [harper]
    assert heads_of_service_for(Team.objects.get(code="front-door")) == []


def test_dry_run_changes_nothing(tmp_path):
    out = run("apply", str(write(tmp_path, FILE)), "--dry-run")
    assert "would make these changes" in out
    assert "Added agency csc" in out
    assert not Agency.objects.exists()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f["users"][0].update(role="boss"), "users[0].role: 'boss' is not a role"),
        (lambda f: f["users"][0].pop("team"), "users[0].team: a team manager manages a team"),
        (lambda f: f["users"][0].update(team="nope"), "users[0].team: csc has no team nope"),
        (lambda f: f["users"][0].update(agency="nope"), "users[0].agency: no agency nope"),
        (lambda f: f["users"][2].update(heads=["csc/cin"]), "users[2].heads: only a head"),
        (lambda f: f["users"][1].update(heads=["cin"]), "users[1].heads[0]: name a team as"),
        (lambda f: f["users"][1].update(heads=["x/y"]), "users[1].heads[0]: no agency x"),
        (lambda f: f["users"][0].update(colour="red"), "users[0].colour: not a field here"),
        (lambda f: f["users"][0].pop("email"), "users[0].email: missing"),
        (lambda f: f["agencies"][0].update(kind="bank"), "agencies[0].kind: 'bank' is not"),
        (lambda f: f["agencies"].append(f["agencies"][0]), "agencies[2].code: csc is given twice"),
        (lambda f: f["users"].append(dict(f["users"][0])), "users[3].email: alex.lee@"),
        (lambda f: f.update(format="other"), "format:"),
        (lambda f: f["agencies"][0].update(code="CSC!"), "agencies[0].code: Enter a code"),
        (lambda f: f["users"][0].update(email="not-an-email"), "users[0].email: Enter an email"),
    ],
)
def test_a_bad_file_is_refused_whole_saying_where(tmp_path, change, expected):
    data = yaml.safe_load(yaml.safe_dump(FILE))
    change(data)
    with pytest.raises(CommandError) as caught:
        run("apply", str(write(tmp_path, data)))
    assert expected in str(caught.value)
    assert not Agency.objects.exists()
    assert not User.objects.exists()


def test_an_unreadable_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("apply", str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("agencies: [", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid YAML"):
        run("apply", str(bad))


def test_one_by_one(tmp_path):
    out = run("agency", "add", "police", "--kind", "police", "--name", "Shireford Police")
    assert "Added agency police" in out
    out = run("team", "add", "police", "mash-desk", "--name", "MASH desk")
    assert "Added team police/mash-desk" in out
    out = run(
        "user",
        "add",
        "pat@police.example.org",
        "--given-name",
        "Pat",
        "--family-name",
        "Shaw",
        "--agency",
        "police",
        "--role",
        "police_officer",
        "--team",
        "mash-desk",
    )
    assert "Added pat@police.example.org: Police officer, police/mash-desk." in out
    assert "One-off passwords" in out
    out = run("role", "pat@police.example.org", "--role", "team_manager", "--team", "mash-desk")
    assert "is now Team manager, police/mash-desk" in out
    assert (
        team_managers_for(Team.objects.get(code="mash-desk"))[0].username
        == "pat@police.example.org"
    )
    out = run(
        "user",
        "add",
        "chief@police.example.org",
        "--given-name",
        "Chris",
        "--family-name",
        "Ward",
        "--agency",
        "police",
        "--role",
        "head_of_service",
        "--password-stdin",
        stdin="a long enough passphrase here\n",
    )
    assert "One-off" not in out
    assert authenticate(
        username="chief@police.example.org", password="a long enough passphrase here"
    )
    out = run(
        "role",
        "chief@police.example.org",
        "--role",
        "head_of_service",
        "--heads",
        "police/mash-desk",
    )
    assert "heads police/mash-desk" in out
    listing = run("list")
    assert "police/mash-desk  MASH desk; managed by pat@police.example.org" in listing
    assert "head of service: chief@police.example.org, heads police/mash-desk" in listing


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["team", "add", "nope", "t", "--name", "T"], "No agency nope"),
        (["role", "nobody@example.org", "--role", "social_worker"], "No account nobody@"),
        (["agency", "add", "x", "--kind", "bank", "--name", "X"], "'bank' is not an agency kind"),
    ],
)
def test_one_by_one_errors(args, expected):
    with pytest.raises(CommandError, match=expected):
        run(*args)


def test_adding_an_existing_one_says_so(tmp_path):
    run("apply", str(write(tmp_path, FILE)))
    with pytest.raises(CommandError, match="already an agency csc"):
        run("agency", "add", "csc", "--kind", "childrens_social_care", "--name", "CSC")
    with pytest.raises(CommandError, match="csc already has a team assessment"):
        run("team", "add", "csc", "assessment", "--name", "A")
    with pytest.raises(CommandError, match="use `sightline partnership role`"):
        run(
            "user",
            "add",
            "alex.lee@csc.example.org",
            "--given-name",
            "A",
            "--family-name",
            "L",
            "--agency",
            "csc",
            "--role",
            "social_worker",
        )
    with pytest.raises(CommandError, match="A team manager manages a team"):
        run("role", "alex.lee@csc.example.org", "--role", "team_manager")
    assert (
        Membership.objects.get(user__username="alex.lee@csc.example.org").role == Role.TEAM_MANAGER
    )


# --- the loader, fuzzed ------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=12), st.dates(), st.floats()
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def _mutations():
    """The good file with one value replaced or one field added or removed, anywhere."""
    return st.tuples(st.integers(0, 10_000), st.sampled_from(["replace", "drop", "add"]), _values)


def _mutate(data, seed, how, value):
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append((*path, k))
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                paths.append((*path, i))
                walk(v, (*path, i))

    walk(data, ())
    path = paths[seed % len(paths)]
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if how == "replace":
        parent[path[-1]] = value
    elif how == "drop" and isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent["extra_field"] = value
    return data


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_values)
def test_any_document_is_parsed_or_refused_with_a_partnership_error(document):
    with contextlib.suppress(PartnershipFileError):
        parse_partnership(document)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_mutations())
def test_a_mutated_file_is_applied_or_refused_never_a_crash(mutation):
    from django.db import transaction

    from sightline.agencies.partnership import partnership_apply
    from sightline.core.actors import SystemActor

    data = _mutate(yaml.safe_load(yaml.safe_dump(FILE)), *mutation)
    try:
        spec = parse_partnership(data)
    except PartnershipFileError:
        return

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            partnership_apply(
                actor=SystemActor("fuzz"),
                spec=spec,
                password_for=lambda e: "a long enough passphrase",
            )
            raise Rollback
    except (PartnershipFileError, Rollback):
        pass
