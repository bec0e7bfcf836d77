"""`sightline demo`: set up the demo partnership over a synthetic county. Idempotent.

1. Creates the database schema (migrate).
2. Creates the partnership's agencies: one per feed of the synthetic county, plus the MASH, MACE,
   the NRM and the partnership itself.
3. Registers each feed as a source system (`sightline sources add`).
4. Creates the teams the demo's managers run and one demo account per role (accounts and
   agencies services): practitioners, a team manager and a head of service for the MASH and
   children's social care, the school, the police and the hospital.
5. Generates the county (`var/demo-data/`, 6,000 children, seed 1) unless it is already there.
6. Imports every feed (`sightline import`) unless it has already been imported, linking people
   on valid identifiers as it goes. Each import queues the linking of the rest with the linkage
   model; however many feeds ask, one task links them all in one run. `--link wait` runs it
   now; `--link background` leaves it to `sightline serve`, which runs the queue every minute
   (`sightline tick`); `--link skip` queues nothing.
7. Gives the demo practitioners a legitimate relationship with a planted exploitation-trajectory
   child (their own agency's records first; an audited manual grant only where the feeds give
   none), and prints the accounts, the address and where to start.

A second run finds everything in place and only prints. The synth app is development tooling
outside the layer contract, so this command may import any app."""

from __future__ import annotations

import hashlib
import io
import os
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Membership, Team
from sightline.agencies.services import (
    head_of_service_teams_set,
    membership_change,
    practitioner_create,
)
from sightline.core.actors import SystemActor
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant
from sightline.people.models import Person
from sightline.records.models import ImportBatch, SourceRecord, SourceSystem
from sightline.records.services import feed_files
from sightline.synth.generator import generate_county
from sightline.synth.generator.places import COUNTY, TOWNS

DEMO = SystemActor("demo")
DEFAULT_CHILDREN = 6000
DEFAULT_SEED = 1
DEMO_PASSWORD = "sightline-demo"  # noqa: S105 - printed for everyone to use; synthetic data only
WALKTHROUGH_TRAJECTORY = "criminal_exploitation"


@dataclass(frozen=True)
class AgencySpec:
    kind: str  # also the agency's code: the importer finds "the partnership's agency" of a kind
    name: str  # by code = kind, so there is exactly one agency of each kind
    phone: str
    email: str

    @property
    def code(self) -> str:
        return self.kind


# One agency per feed the generator writes, then the agencies that appear on entries without a
# feed of their own (the MASH, MACE, other forces, the NRM), then the partnership itself.
# Phone numbers are in Ofcom's drama range; email domains are reserved for documentation.
AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        "childrens_social_care",
        f"{COUNTY} Children's Social Care",
        "01632 960100",
        "csc.duty@csc.example.org",
    ),
    AgencySpec(
        "early_help", f"{COUNTY} Early Help", "01632 960110", "earlyhelp@earlyhelp.example.org"
    ),
    AgencySpec("police", f"{COUNTY} Police", "01632 960120", "safeguarding@police.example.org"),
    AgencySpec(
        "health_ae",
        "Hallowford Hospitals NHS Trust",
        "01632 960130",
        "safeguarding@hospital.example.org",
    ),
    AgencySpec(
        "health_gp", f"{COUNTY} GP practices", "01632 960140", "safeguarding@gp.example.org"
    ),
    AgencySpec("camhs", f"{COUNTY} CAMHS", "01632 960150", "referrals@camhs.example.org"),
    AgencySpec(
        "school_nursing",
        f"{COUNTY} School Nursing Service",
        "01632 960160",
        "schoolnursing@schoolnursing.example.org",
    ),
    AgencySpec("school", f"{COUNTY} schools", "01632 960170", "safeguarding@schools.example.org"),
    AgencySpec(
        "youth_justice", f"{COUNTY} Youth Justice Service", "01632 960180", "yjs@yjs.example.org"
    ),
    AgencySpec(
        "child_exploitation_team",
        f"{COUNTY} Child Exploitation Team",
        "01632 960190",
        "cet@cet.example.org",
    ),
    AgencySpec(
        "mash", f"{COUNTY} Multi-Agency Safeguarding Hub", "01632 960200", "mash@mash.example.org"
    ),
    AgencySpec("mace", f"{COUNTY} MACE panel", "01632 960210", "mace@mash.example.org"),
    AgencySpec(
        "police_other_force", "Other police forces", "01632 960220", "control@police.example.org"
    ),
    AgencySpec(
        "nrm_home_office",
        "National Referral Mechanism (Home Office)",
        "01632 960230",
        "nrm@nrm.example.org",
    ),
    AgencySpec(
        "other",
        f"{COUNTY} Safeguarding Children Partnership",
        "01632 960240",
        "partnership@partnership.example.org",
    ),
)
PARTNERSHIP = "other"


@dataclass(frozen=True)
class SourceSpec:
    code: str  # the `source` on every line of the feed (the generator's feed names)
    name: str
    agency_kind: str
    access: str  # agency: everyone in the agency sees the people it sends; team: only the team


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec("csc", "Children's social care case management", "childrens_social_care", "agency"),
    SourceSpec("early_help", "Early help case management", "early_help", "agency"),
    SourceSpec("police", "Police records management system", "police", "agency"),
    SourceSpec("health_ae", "Emergency department system", "health_ae", "agency"),
    SourceSpec("health_gp", "GP clinical system", "health_gp", "agency"),
    SourceSpec("camhs", "CAMHS electronic patient record", "camhs", "agency"),
    SourceSpec("school_nursing", "School nursing record", "school_nursing", "agency"),
    SourceSpec("schools", "Schools' safeguarding records", "school", "team"),
    SourceSpec("youth_justice", "Youth justice case management", "youth_justice", "agency"),
    SourceSpec(
        "child_exploitation_team",
        "Child exploitation team records",
        "child_exploitation_team",
        "agency",
    ),
)


@dataclass(frozen=True)
class AccountSpec:
    role: str
    label: str  # the role as people say it
    agency: str  # agency kind (= code)
    email: str
    given_name: str
    family_name: str
    job_title: str
    walkthrough: bool  # gets a legitimate relationship with the walkthrough child
    # The team they work in (its name, in their agency), SCHOOL_TEAM for the walkthrough
    # child's school (known once the county is imported), or None.
    team: str | None = None
    # A head of service's named teams: (agency kind, team name), "*" for every team the agency
    # has once the county is imported. None named: every team of their own agency.
    heads: tuple[tuple[str, str], ...] = ()
    shown_with: str = ""  # what the printed table adds to the role ("heads the MASH…")


SCHOOL_TEAM = "(the walkthrough child's school)"
# Teams the demo's managers run, made before the import so that the feeds' involvements naming
# them (matched by name) land in the same teams.
CSC_TEAM = f"Assessment and Intervention Team ({TOWNS[0][0]})"
MASH_TEAM = "Multi-Agency Safeguarding Hub"
POLICE_TEAM = "Missing and Exploitation Hub"
HOSPITAL_TEAM = "Safeguarding Children Team"
DEMO_TEAMS: tuple[tuple[str, str], ...] = (
    ("childrens_social_care", CSC_TEAM),
    ("mash", MASH_TEAM),
    ("police", POLICE_TEAM),
    ("health_ae", HOSPITAL_TEAM),
)

R = Membership.Role
ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec(
        R.SOCIAL_WORKER,
        "Social worker",
        "childrens_social_care",
        "social.worker@csc.example.org",
        "Sam",
        "Okafor",
        "Social worker",
        True,
        team=CSC_TEAM,
    ),
    AccountSpec(
        R.MASH_MANAGER,
        "MASH manager",
        "mash",
        "mash.manager@mash.example.org",
        "Morgan",
        "Reid",
        "MASH team manager",
        False,
        team=MASH_TEAM,
    ),
    AccountSpec(
        R.SCHOOL_DSL,
        "School safeguarding lead",
        "school",
        "school.dsl@schools.example.org",
        "Dana",
        "Whitfield",
        "Designated safeguarding lead",
        True,
        team=SCHOOL_TEAM,
    ),
    AccountSpec(
        R.POLICE_OFFICER,
        "Police officer",
        "police",
        "police.officer@police.example.org",
        "Priya",
        "Shah",
        "Detective constable, Missing and Exploitation Hub",
        True,
        team=POLICE_TEAM,
    ),
    AccountSpec(
        R.HEALTH_NURSE,
        "Health safeguarding nurse",
        "health_ae",
        "safeguarding.nurse@hospital.example.org",
        "Nia",
        "Evans",
        "Named nurse for safeguarding children",
        True,
        team=HOSPITAL_TEAM,
    ),
    # The managers the clocks tell when they run out (docs/workflow.md, "Roles").
    AccountSpec(
        R.TEAM_MANAGER,
        "Social care team manager",
        "childrens_social_care",
        "team.manager@csc.example.org",
        "Jo",
        "Marsh",
        f"Team manager, {CSC_TEAM}",
        False,
        team=CSC_TEAM,
    ),
    AccountSpec(
        R.HEAD_OF_SERVICE,
        "Head of children's social care",
        "childrens_social_care",
        "head.of.service@csc.example.org",
        "Helen",
        "Carver",
        "Head of Service, Children's Social Care and the MASH",
        False,
        heads=(("childrens_social_care", "*"), ("mash", MASH_TEAM)),
        shown_with="heads every social care team and the MASH",
    ),
    AccountSpec(
        R.TEAM_MANAGER,
        "School team manager",
        "school",
        "school.manager@schools.example.org",
        "Owen",
        "Price",
        "Deputy headteacher (line manager of the safeguarding lead)",
        False,
        team=SCHOOL_TEAM,
    ),
    AccountSpec(
        R.HEAD_OF_SERVICE,
        "Head of service for schools",
        "school",
        "schools.head@schools.example.org",
        "Ruth",
        "Adeyemi",
        "Head of Education Safeguarding",
        False,
        shown_with="heads every school",
    ),
    AccountSpec(
        R.TEAM_MANAGER,
        "Police team manager",
        "police",
        "police.manager@police.example.org",
        "Gareth",
        "Lloyd",
        f"Detective sergeant, {POLICE_TEAM}",
        False,
        team=POLICE_TEAM,
    ),
    AccountSpec(
        R.HEAD_OF_SERVICE,
        "Police head of service",
        "police",
        "police.head@police.example.org",
        "Aisha",
        "Karim",
        "Detective chief inspector, Public Protection",
        False,
        shown_with="heads every police team",
    ),
    AccountSpec(
        R.TEAM_MANAGER,
        "Health team manager",
        "health_ae",
        "health.manager@hospital.example.org",
        "Ellen",
        "Hughes",
        "Lead nurse, Safeguarding Children Team",
        False,
        team=HOSPITAL_TEAM,
    ),
    AccountSpec(
        R.HEAD_OF_SERVICE,
        "Health head of service",
        "health_ae",
        "health.head@hospital.example.org",
        "Malcolm",
        "Fraser",
        "Head of Safeguarding, Hallowford Hospitals",
        False,
        shown_with="heads every hospital team",
    ),
    AccountSpec(
        R.ANALYST,
        "Partnership analyst",
        PARTNERSHIP,
        "analyst@partnership.example.org",
        "Ade",
        "Bello",
        "Partnership analyst",
        False,
    ),
    AccountSpec(
        R.SYSADMIN,
        "System administrator",
        PARTNERSHIP,
        "admin@partnership.example.org",
        "Sid",
        "Malik",
        "System administrator",
        False,
    ),
    AccountSpec(
        R.AUDITOR,
        "Information governance auditor",
        PARTNERSHIP,
        "auditor@partnership.example.org",
        "Ola",
        "Adeyemi",
        "Information governance lead",
        False,
    ),
    # An agency's information governance lead: the police's audit lead, who also administers
    # the police's practitioners and managers (docs/administration.md).
    AccountSpec(
        R.AUDITOR,
        "Police information governance lead",
        "police",
        "ig.lead@police.example.org",
        "Tomasz",
        "Nowak",
        "Information governance lead, Sallowshire Police",
        False,
    ),
    AccountSpec(
        R.DATA_OFFICER,
        "Data officer",
        PARTNERSHIP,
        "data.officer@partnership.example.org",
        "Dee",
        "Brennan",
        "Data officer",
        False,
    ),
)
SCHOOLS = "school"


def default_data_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-data"


# --- the partnership ---------------------------------------------------------------------------


@transaction.atomic
def ensure_agencies() -> int:
    """Create the demo agencies that are missing; return how many were created."""
    created = 0
    for spec in AGENCIES:
        _, was_created = Agency.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "phone": spec.phone,
                "email": spec.email,
            },
        )
        created += was_created
    return created


def ensure_sources(out: Any = None) -> int:
    """Register each feed that is not registered yet (`sightline sources add`)."""
    created = 0
    for spec in SOURCES:
        if SourceSystem.objects.filter(code=spec.code).exists():
            continue
        call_command(
            "sources",
            "add",
            spec.code,
            "--agency-kind",
            spec.agency_kind,
            "--name",
            spec.name,
            "--access",
            spec.access,
            stdout=out if out is not None else io.StringIO(),
            verbosity=0,
        )
        created += 1
    return created


@transaction.atomic
def ensure_teams() -> int:
    """Create the teams the demo's managers run, when missing; return how many were created."""
    created = 0
    for kind, name in DEMO_TEAMS:
        agency = Agency.objects.get(code=kind)
        if Team.objects.filter(agency=agency, name__iexact=name).exists():
            continue
        Team.objects.create(agency=agency, code=slugify(name)[:70], name=name)
        created += 1
    return created


def _team_named(agency: Agency, name: str) -> Team | None:
    return Team.objects.filter(agency=agency, name__iexact=name).order_by("pk").first()


def ensure_accounts(password: str = DEMO_PASSWORD) -> int:
    """Create the demo accounts that are missing; return how many were created. An account
    made by an earlier demo without its team is put in it.

    The school safeguarding lead is placed in a school's team later (`place_school_lead`), and
    the school's team manager made there, when the walkthrough child's school is known."""
    ensure_teams()  # the managers' teams first (idempotent)
    created = 0
    for spec in ACCOUNTS:
        agency = Agency.objects.get(code=spec.agency)
        team = _team_named(agency, spec.team) if spec.team and spec.team != SCHOOL_TEAM else None
        existing = User.objects.filter(username=spec.email).first()
        if existing is not None:
            membership = Membership.objects.filter(user=existing).first()
            if team is not None and membership is not None and membership.team_id is None:
                membership_change(
                    actor=DEMO, user=existing, role=membership.role, agency=agency, team=team
                )
            continue
        if spec.team == SCHOOL_TEAM and spec.role == Membership.Role.TEAM_MANAGER:
            continue  # made with the school (ensure_school_manager)
        practitioner_create(
            actor=DEMO,
            email=spec.email,
            given_name=spec.given_name,
            family_name=spec.family_name,
            password=password,
            agency=agency,
            role=spec.role,
            team=team,
            job_title=spec.job_title,
            phone="01632 960999",
        )
        created += 1
    return created


def ensure_school_manager(team: Team, password: str = DEMO_PASSWORD) -> bool:
    """Make the school's team manager in the school the safeguarding lead works at (once)."""
    made = False
    for spec in ACCOUNTS:
        if spec.team != SCHOOL_TEAM or spec.role != Membership.Role.TEAM_MANAGER:
            continue
        if User.objects.filter(username=spec.email).exists():
            continue
        practitioner_create(
            actor=DEMO,
            email=spec.email,
            given_name=spec.given_name,
            family_name=spec.family_name,
            password=password,
            agency=team.agency,
            role=spec.role,
            team=team,
            job_title=f"{spec.job_title}, {team.name}",
            phone="01632 960999",
        )
        made = True
    return made


def ensure_heads_of_service() -> int:
    """Name the teams each demo head of service heads, as the county now has them (an agency's
    "*": every team it has); return how many changed."""
    changed = 0
    for spec in ACCOUNTS:
        if spec.role != Membership.Role.HEAD_OF_SERVICE or not spec.heads:
            continue
        user = User.objects.filter(username=spec.email).first()
        if user is None:
            continue
        wanted: list[Team] = []
        for kind, name in spec.heads:
            teams = Team.objects.filter(agency__code=kind)
            wanted += list(teams if name == "*" else teams.filter(name__iexact=name))
        membership = Membership.objects.get(user=user)
        if set(membership.heads_teams.values_list("pk", flat=True)) != {t.pk for t in wanted}:
            head_of_service_teams_set(actor=DEMO, user=user, teams=wanted)
            changed += 1
    return changed


# --- the county --------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any] | None:
    path = directory / "manifest.json"
    if not path.exists():
        return None
    manifest: dict[str, Any] = orjson.loads(path.read_bytes())
    return manifest


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def files_to_import(directory: Path) -> list[Path]:
    """Feed files not yet imported (no successful import batch with the same content)."""
    done = set(
        ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED).values_list(
            "file_sha256", flat=True
        )
    )
    return [path for path in feed_files([directory]) if sha256_of(path) not in done]


# --- the walkthrough ---------------------------------------------------------------------------


@dataclass
class Walkthrough:
    true_id: str
    person: Person
    trajectory: str
    given_names: str
    family_name: str
    birth_date: str
    sources: list[str]


def _truth_records(directory: Path, true_ids: set[str]) -> dict[str, list[tuple[str, str]]]:
    """true_id -> [(source, source_id)] for the people asked about, from truth/persons.jsonl."""
    records: dict[str, list[tuple[str, str]]] = {t: [] for t in true_ids}
    with (directory / "truth" / "persons.jsonl").open("rb") as fh:
        for raw in fh:
            row = orjson.loads(raw)
            if row["true_id"] in records:
                records[row["true_id"]].append((row["source"], row["source_id"]))
    return records


def trajectory_children(directory: Path, trajectory: str) -> list[dict[str, Any]]:
    path = directory / "truth" / "trajectories.jsonl"
    with path.open("rb") as fh:
        rows = [orjson.loads(raw) for raw in fh]
    return [row for row in rows if row["trajectory"] == trajectory]


def _survivor(person_id: int) -> int:
    """The person a merged person now lives on (identity merges keep the old reference)."""
    seen = set()
    while person_id not in seen:
        seen.add(person_id)
        merged_into = Person.objects.filter(pk=person_id).values_list("merged_into_id", flat=True)
        following = merged_into.first()
        if following is None:
            break
        person_id = following
    return person_id


def find_walkthrough_child(
    directory: Path, trajectory: str = WALKTHROUGH_TRAJECTORY, *, prefer: str | None = None
) -> Walkthrough | None:
    """The planted child of `trajectory` whose story is most complete in Sightline: the most of
    the social worker's, police's, school's and hospital's feeds linked to one person, then the
    most feeds in all, ties broken by the order the generator planted them. None when the county
    has no such child or it is not imported yet. `prefer` (a true id) keeps an earlier choice
    when that child is still there, so the demo names the same child on every run."""
    planted = trajectory_children(directory, trajectory)
    if prefer is not None and any(row["true_id"] == prefer for row in planted):
        planted = [row for row in planted if row["true_id"] == prefer]
    if not planted:
        return None
    records = _truth_records(directory, {row["true_id"] for row in planted})
    wanted = {"csc", "police", "schools", "health_ae"}  # the walkthrough accounts' feeds
    best: tuple[tuple[int, int, int], Walkthrough] | None = None
    for index, row in enumerate(planted):
        feeds_of: dict[int, set[str]] = {}
        for source, source_id in records.get(row["true_id"], []):
            person_id = (
                SourceRecord.objects.filter(
                    source_system__code=source, source_id=source_id, is_current=True
                )
                .exclude(person=None)
                .values_list("person_id", flat=True)
                .first()
            )
            if person_id is not None:
                feeds_of.setdefault(_survivor(person_id), set()).add(source)
        if not feeds_of:
            continue
        # Records not linked (yet) sit on other people: take the person most feeds point to.
        person_id, feeds = max(feeds_of.items(), key=lambda item: (len(item[1]), -item[0]))
        score = (len(wanted & feeds), len(feeds), -index)
        if best is None or score > best[0]:
            walk = Walkthrough(
                row["true_id"],
                Person.objects.get(pk=person_id),
                trajectory,
                row["given_names"],
                row["family_name"],
                row["birth_date"],
                sorted(feeds),
            )
            best = (score, walk)
    return best[1] if best else None


def remembered_walkthrough(directory: Path) -> str | None:
    path = directory / "walkthrough.json"
    if not path.exists():
        return None
    true_id: str | None = orjson.loads(path.read_bytes()).get("true_id")
    return true_id


def remember_walkthrough(directory: Path, walk: Walkthrough) -> None:
    (directory / "walkthrough.json").write_bytes(
        orjson.dumps({"true_id": walk.true_id, "reference": walk.person.reference})
    )


@contextmanager
def linking_on_import_off() -> Iterator[None]:
    """The demo's import without queuing the linkage model (records' `batch_imported` receiver,
    settings.IDENTITY_LINK_ON_IMPORT), for `--link skip`."""
    before = getattr(settings, "IDENTITY_LINK_ON_IMPORT", False)
    settings.IDENTITY_LINK_ON_IMPORT = False
    try:
        yield
    finally:
        settings.IDENTITY_LINK_ON_IMPORT = before


def linking_pending() -> bool:
    """Whether an imported batch with person records has not been through the linkage model.
    Read from the identity app's models (its linking code brings Splink, which stays inside
    identity.linkage)."""
    from sightline.identity.models import LinkRun

    linked = LinkRun.objects.filter(status=LinkRun.Status.DONE, batch__isnull=False).values(
        "batch_id"
    )
    with_people = SourceRecord.objects.filter(kind=SourceRecord.Kind.PERSON).values("batch_id")
    return (
        ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED, pk__in=with_people)
        .exclude(pk__in=linked)
        .exists()
        or not LinkRun.objects.filter(status=LinkRun.Status.DONE).exists()
    )


def link_queue() -> None:
    """Queue the linking of every batch the linkage model has not linked (one task, however
    many ask: identity.tasks), for a demo whose import was done before or stopped midway."""
    from sightline.identity import tasks

    tasks.link_enqueue()


def link_now() -> list[Any]:
    """Run the queued linking now, here (what `sightline tick` would run)."""
    from sightline.core import queue
    from sightline.identity import tasks

    return queue.run_pending(worker=queue.worker_name("demo"), names=[tasks.LINK])


def school_team_for(person: Person) -> Team | None:
    """The school the child is on roll at (or was last), from the schools feed's involvements."""
    from sightline.cases.models import Involvement

    schools = Agency.objects.get(code=SCHOOLS)
    involvements = Involvement.objects.filter(person=person, agency=schools).exclude(team=None)
    current = involvements.filter(ended_on=None).order_by("-started_on").first()
    latest = current or involvements.order_by("-ended_on", "-started_on").first()
    return latest.team if latest is not None else None


@transaction.atomic
def place_school_lead(team: Team) -> bool:
    """Put the demo school safeguarding lead in `team` (once; a later run keeps the school)."""
    membership = Membership.objects.get(user__username=_account("school_dsl").email)
    if membership.team_id is not None:
        return False
    membership.team = team
    membership.save(update_fields=["team"])
    membership.user.job_title = f"Designated safeguarding lead, {team.name}"
    membership.user.save(update_fields=["job_title"])
    audit.record(
        DEMO,
        AuditAction.ROLE_GIVEN,
        object_type="user",
        object_id=membership.user_id,
        detail={
            "agency": team.agency.code,
            "team": team.code,
            "role": membership.role,
            "reason": "demo set-up",
        },
    )
    return True


@transaction.atomic
def ensure_walkthrough_access(person: Person) -> list[str]:
    """Make sure each walkthrough account may see the child; grant (basis manual, audited) only
    where their agency's own records do not already give them a legitimate relationship.
    Returns the labels of the accounts that needed a manual grant."""
    granted = []
    for spec in ACCOUNTS:
        if not spec.walkthrough:
            continue
        user = User.objects.get(username=spec.email)
        if access.can_view_person(user, person.pk):
            continue
        membership = Membership.objects.get(user=user)
        access.grant(
            person_id=person.pk,
            agency_id=membership.agency_id,
            team_id=membership.team_id,
            basis=AccessGrant.Basis.MANUAL,
        )
        audit.record(
            DEMO,
            AuditAction.ACCESS_GRANTED,
            object_type="person",
            object_id=person.pk,
            person_id=person.pk,
            purpose="Demo set-up: the walkthrough child",
            detail={
                "agency": membership.agency.code,
                "team": membership.team.code if membership.team else None,
                "basis": AccessGrant.Basis.MANUAL,
            },
        )
        granted.append(spec.label)
        user.__dict__.pop("_sightline_scope", None)
    return granted


def _account(role: str) -> AccountSpec:
    return next(spec for spec in ACCOUNTS if spec.role == role)


# --- the command -------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Set up the demo: the partnership's agencies and feeds, one account per role, a "
        "synthetic county (generated once into var/demo-data/), imported and linked. "
        "Safe to run again: it reuses what is there."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--children",
            type=int,
            default=DEFAULT_CHILDREN,
            help=f"children in the county (default {DEFAULT_CHILDREN:,})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"the county's random seed (default {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--data",
            type=Path,
            default=None,
            help="where the county's feeds are kept (default var/demo-data/)",
        )
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD),
            help=f"password for new demo accounts (default: DEMO_PASSWORD or {DEMO_PASSWORD!r})",
        )
        parser.add_argument(
            "--link",
            choices=["wait", "background", "skip"],
            default="wait",
            help="link people across feeds with the linkage model (after the links the import "
            "makes on valid identifiers): wait for it (default), run it in the background while "
            "the demo is served (make demo), or skip it",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help="the port to print in the address (default PORT or 8000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        directory: Path = (options["data"] or default_data_dir()).resolve()
        children: int = options["children"]
        seed: int = options["seed"]
        port = options["port"] or int(os.environ.get("PORT", "") or 8000)
        self.stdout.write(self.style.MIGRATE_HEADING(f"Setting up the {COUNTY} demo"))

        with self.step("Database") as note:
            call_command("migrate", interactive=False, verbosity=0)
            db = settings.DATABASES["default"]
            where = db["NAME"] if "sqlite" in db["ENGINE"] else f"PostgreSQL {db.get('HOST')}"
            note(f"schema up to date ({where})")

        with self.step("Partnership") as note:
            agencies = ensure_agencies()
            sources = ensure_sources()
            teams = ensure_teams()
            accounts = ensure_accounts(options["password"])
            note(
                self._made(agencies, "agency", "agencies")
                + ", "
                + self._made(sources, "feed", "feeds")
                + ", "
                + self._made(teams, "team", "teams")
                + ", "
                + self._made(accounts, "account", "accounts")
            )

        with self.step("County") as note:
            manifest = read_manifest(directory)
            if manifest is not None and (manifest.get("children"), manifest.get("seed")) == (
                children,
                seed,
            ):
                note(f"reusing {children:,} children (seed {seed}) in {directory}")
            else:
                if manifest is not None and ImportBatch.objects.exists():
                    raise CommandError(
                        f"{directory} holds a county of {manifest.get('children'):,} children "
                        f"(seed {manifest.get('seed')}) that is already imported. To start "
                        "again with another, run `make clean` (deletes var/) first."
                    )
                self.stdout.write(f"  Generating {children:,} children into {directory} …")
                summary = generate_county(children=children, seed=seed, out=directory)
                lines = summary["lines"]
                assert isinstance(lines, dict)
                note(
                    f"generated {children:,} children (seed {seed}): "
                    + ", ".join(f"{n:,} {kind}" for kind, n in lines.items())
                    + f" lines in {directory}"
                )

        with self.step("Import") as note:
            pending = files_to_import(directory)
            if not pending:
                note("every feed already imported")
            else:
                self.stdout.write(f"  Importing {len(pending)} feed files …")
                problems = io.StringIO()
                with linking_on_import_off() if options["link"] == "skip" else nullcontext():
                    call_command(
                        "import",
                        *map(str, pending),
                        "--accept-valid",
                        stdout=self.stdout,
                        stderr=problems,
                    )
                note(f"imported {len(pending)} feed files")
                self._report_refusals(problems.getvalue())

        link = options["link"]
        if link == "wait":
            with self.step("Linking") as note:
                note(self._link())
        elif link == "skip" and linking_pending():
            with self.step("Linking") as note:
                note(
                    "skipped: records with the same valid NHS number or UPN were linked on "
                    "import; `sightline link` links the rest"
                )

        walk: Walkthrough | None = None
        with self.step("Walkthrough") as note:
            walk = find_walkthrough_child(directory, prefer=remembered_walkthrough(directory))
            if walk is None:
                note("no planted exploitation child found in the county")
            else:
                team = school_team_for(walk.person)
                if team is not None:
                    place_school_lead(team)
                elif not Membership.objects.filter(
                    user__username=_account("school_dsl").email, team__isnull=False
                ).exists():
                    first = Team.objects.filter(agency__code=SCHOOLS).order_by("name").first()
                    if first is not None:
                        place_school_lead(first)
                remember_walkthrough(directory, walk)
                lead_school = (
                    Membership.objects.filter(user__username=_account("school_dsl").email)
                    .select_related("team__agency")
                    .first()
                )
                if lead_school is not None and lead_school.team is not None:
                    ensure_school_manager(lead_school.team, options["password"])
                manual = ensure_walkthrough_access(walk.person)
                note(
                    f"{walk.given_names} {walk.family_name} ({walk.person.reference})"
                    + (f"; manual grants for {', '.join(manual)}" if manual else "")
                )

        with self.step("Managers") as note:
            changed = ensure_heads_of_service()
            note(
                f"named the teams {changed} head{'' if changed == 1 else 's'} of service head"
                if changed
                else "team managers and heads of service in place"
            )

        if link == "background":
            with self.step("Linking") as note:
                if not linking_pending():
                    note("every record linked")
                else:
                    link_queue()
                    note(
                        "valid NHS numbers and UPNs linked on import; the linkage model links "
                        "the rest in the background once Sightline is served (`sightline "
                        "serve` runs the task queue every minute): a few minutes, then the "
                        "data officer's review queue fills"
                    )

        self.print_accounts(port, walk, options["password"], directory)
        self.stdout.write(f"Demo ready in {time.perf_counter() - started:.1f} s.")

    # -- helpers ----------------------------------------------------------------------------

    @contextmanager
    def step(self, name: str) -> Iterator[Callable[[str], None]]:
        notes: list[str] = []
        started = time.perf_counter()
        yield notes.append
        seconds = time.perf_counter() - started
        self.stdout.write(f"  {name}: " + "; ".join(notes) + f" ({seconds:.1f} s)")

    def _report_refusals(self, report: str) -> None:
        """The import's report of refused lines, without the lines refused only because they
        name a refused person (the rejects files beside the feeds list every one)."""
        knock_on = 0
        for line in report.splitlines():
            if "was refused" in line or "no person line" in line:
                knock_on += 1
            elif line.strip() and not line.lstrip().startswith("… and"):
                self.stdout.write("  " + line)
        if knock_on:
            self.stdout.write(
                f"    (and {knock_on} line(s) naming a refused person, refused with it)"
            )

    @staticmethod
    def _made(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many} created" if n else f"{many} in place"

    def _link(self) -> str:
        """Run the queued linking now (probabilistic matching; strong matches merged,
        uncertain ones queued for review). The import has already linked records that share a
        valid NHS number or UPN, and queued this; a batch once linked is not linked again."""
        if not linking_pending():
            return "every record linked"
        link_queue()
        outcomes = link_now()
        failed = [o for o in outcomes if o.result not in ("done", "again")]
        if failed:
            # A failure must not stop the demo: every record is already linked on valid
            # identifiers. Say so loudly, and how to retry.
            self.stderr.write(
                f"    Linking failed ({failed[0].error.splitlines()[0]}). The demo goes on with "
                "the links made on import; run `sightline link` to try again."
            )
            return "linked on import (valid NHS number or UPN) only: the linkage model failed"
        from sightline.identity.models import LinkRun

        runs = LinkRun.objects.filter(status=LinkRun.Status.DONE)
        merged = sum(int(run.counts.get("merged", 0)) for run in runs)
        queued = sum(int(run.counts.get("candidates", 0)) for run in runs)
        return (
            "linked on import (valid NHS number or UPN), then by the linkage model "
            f"({merged:,} merged, {queued:,} pairs queued for review)"
        )

    def print_accounts(
        self, port: int, walk: Walkthrough | None, password: str, directory: Path
    ) -> None:
        url = f"http://127.0.0.1:{port}/"
        rows = [("Role", "Email (username)", "Password")]
        for spec in ACCOUNTS:
            user = User.objects.filter(username=spec.email).select_related("membership").first()
            note = spec.label
            team = getattr(getattr(user, "membership", None), "team", None)
            if spec.team == SCHOOL_TEAM and team is not None:
                note = f"{spec.label} ({team.name})"
            elif spec.shown_with:
                note = f"{spec.label} ({spec.shown_with})"
            if user is None:
                continue  # the school's manager, before the county is imported
            rows.append((note, spec.email, password))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Sightline demo: {url}"))
        self.stdout.write("")
        for i, row in enumerate(rows):
            self.stdout.write(
                "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            )
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write("")
        if walk is not None:
            name = f"{walk.given_names.split()[0]} {walk.family_name}"
            self.stdout.write(
                textwrap.fill(
                    f"Start here: sign in as the social worker and search for {name}, a child "
                    f"planted on a {walk.trajectory.replace('_', ' ')} trajectory and known to "
                    f"{len(walk.sources)} agencies ({', '.join(walk.sources)}). Their story: "
                    f"{url}children/{walk.person.reference}/",
                    width=100,
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
            self.stdout.write(
                f"Every planted storyline: {directory / 'truth' / 'trajectories.jsonl'}"
            )
        self.stdout.write("")
