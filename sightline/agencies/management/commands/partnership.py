"""`sightline partnership`: set up a real partnership's agencies, teams and people, from a YAML
file or one by one (docs/workflow.md, "Setting up a partnership")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sightline.accounts.models import User
from sightline.accounts.services import normalise_username
from sightline.agencies.models import Agency, Membership, Role, Team
from sightline.agencies.partnership import (
    AgencySpec,
    PartnershipFileError,
    PartnershipSpec,
    TeamSpec,
    UserSpec,
    load_partnership,
    new_password,
    parse_partnership,
    partnership_apply,
)
from sightline.agencies.services import head_of_service_teams_set, membership_change
from sightline.core.actors import SystemActor, actor_for_command
from sightline.core.errors import ValidationFailed

SETUP = SystemActor("setup")


class _DryRun(Exception):
    pass


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


class Command(BaseCommand):
    help = """\
Set up the partnership: its agencies, their teams, and the people who sign in, each
with their role (and team). Name team managers (role team_manager, with the team they
manage) and heads of service (role head_of_service; with --heads, the teams they head,
otherwise every team of their agency). Nothing is ever deleted.

examples:
  sightline partnership apply partnership.yaml --dry-run
  sightline partnership apply partnership.yaml --passwords-file var/new-passwords.txt
  sightline partnership agency add csc --kind childrens_social_care --name "Children's Social Care"
  sightline partnership team add csc assessment --name "Assessment team"
  sightline partnership user add alex@csc.example.org --given-name Alex --family-name Lee \\
      --agency csc --role team_manager --team assessment
  sightline partnership role alex@csc.example.org --role head_of_service --heads csc/assessment
  sightline partnership list"""
    suppressed_base_arguments = {
        "--version",
        "--verbosity",
        "--settings",
        "--pythonpath",
        "--traceback",
        "--no-color",
        "--force-color",
        "--skip-checks",
    }

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", _Formatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help="the administrator making the change (audited; default: system:setup)",
        )
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

        apply = sub.add_parser("apply", help="add or change what a YAML file describes")
        apply.add_argument("file", type=Path, metavar="FILE")
        apply.add_argument(
            "--dry-run", action="store_true", help="check the file and say what would change"
        )
        apply.add_argument(
            "--passwords-file",
            type=Path,
            metavar="PATH",
            help="write new accounts' one-off passwords here (readable by you only) instead "
            "of printing them",
        )

        agency = sub.add_parser("agency", help="add an agency").add_subparsers(
            dest="what", metavar="add", required=True
        )
        agency_add = agency.add_parser("add", help="add an agency")
        agency_add.add_argument("code")
        agency_add.add_argument("--kind", required=True, help="see `sightline sources kinds`")
        agency_add.add_argument("--name", required=True)
        agency_add.add_argument("--phone", default="")
        agency_add.add_argument("--email", default="")

        team = sub.add_parser("team", help="add a team to an agency").add_subparsers(
            dest="what", metavar="add", required=True
        )
        team_add = team.add_parser("add", help="add a team to an agency")
        team_add.add_argument("agency", metavar="AGENCY")
        team_add.add_argument("code", metavar="CODE")
        team_add.add_argument("--name", required=True)
        team_add.add_argument("--phone", default="")
        team_add.add_argument("--email", default="")

        user = sub.add_parser("user", help="add a person who signs in").add_subparsers(
            dest="what", metavar="add", required=True
        )
        user_add = user.add_parser("add", help="add a person who signs in, with their role")
        user_add.add_argument("email", metavar="EMAIL")
        user_add.add_argument("--given-name", required=True)
        user_add.add_argument("--family-name", required=True)
        user_add.add_argument("--agency", required=True, metavar="AGENCY")
        user_add.add_argument("--role", required=True, choices=Role.values, metavar="ROLE")
        user_add.add_argument("--team", metavar="TEAM", help="a team of their agency")
        user_add.add_argument(
            "--heads", nargs="+", default=[], metavar="AGENCY/TEAM", help="head_of_service only"
        )
        user_add.add_argument("--job-title", default="")
        user_add.add_argument("--phone", default="")
        user_add.add_argument(
            "--password-stdin",
            action="store_true",
            help="read their first password from standard input (otherwise one is made up "
            "and printed once)",
        )

        role = sub.add_parser(
            "role", help="change someone's role or team; name a manager or a head of service"
        )
        role.add_argument("email", metavar="EMAIL")
        role.add_argument("--role", required=True, choices=Role.values, metavar="ROLE")
        role.add_argument("--agency", metavar="AGENCY", help="default: their agency")
        role.add_argument("--team", metavar="TEAM")
        role.add_argument(
            "--heads", nargs="*", default=None, metavar="AGENCY/TEAM", help="head_of_service only"
        )

        sub.add_parser("list", help="list agencies, teams, managers and heads of service")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_for_command(options.get("user"), default=SETUP)
        action = options["action"]
        try:
            if action == "apply":
                self._apply(actor, options)
            elif action == "agency":
                self._run_spec(
                    actor,
                    agencies=[
                        AgencySpec(
                            code=options["code"],
                            name=options["name"],
                            kind=options["kind"],
                            phone=options["phone"],
                            email=options["email"],
                        )
                    ],
                    must_be_new=("agency", options["code"]),
                )
            elif action == "team":
                self._add_team(actor, options)
            elif action == "user":
                self._add_user(actor, options)
            elif action == "role":
                self._role(actor, options)
            else:
                self._list()
        except PartnershipFileError as exc:
            raise CommandError(str(exc)) from None
        except ValidationFailed as exc:
            details = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
            raise CommandError(f"{exc.message}: {details}" if details else exc.message) from None

    # -- apply --------------------------------------------------------------------------------

    def _apply(self, actor: Any, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        spec = load_partnership(path)
        dry = options["dry_run"]
        try:
            with transaction.atomic():
                done = partnership_apply(actor=actor, spec=spec)
                if dry:
                    raise _DryRun
        except _DryRun:
            self.stdout.write(f"{path} is valid. Applied, it would make these changes:")
            for line in done.lines or ["nothing: everything is already as the file says."]:
                self.stdout.write(f"  {line}")
            self.stdout.write("Nothing was changed (--dry-run).")
            return
        for line in done.lines or [f"Nothing to change: the partnership is as {path} says."]:
            self.stdout.write(line)
        self._passwords(done.passwords, options.get("passwords_file"))

    def _passwords(self, passwords: dict[str, str], to: Path | None) -> None:
        if not passwords:
            return
        if to is not None:
            to.parent.mkdir(parents=True, exist_ok=True)
            to.touch(mode=0o600, exist_ok=True)
            to.chmod(0o600)
            with to.open("a", encoding="utf-8") as fh:
                for email, password in passwords.items():
                    fh.write(f"{email}\t{password}\n")
            self.stdout.write(
                f"One-off passwords of the {len(passwords)} new account(s) written to {to}: "
                "give each to its holder privately, then delete the file."
            )
            return
        self.stdout.write(
            "One-off passwords of the new accounts (give each to its holder privately; they are "
            "not shown again):"
        )
        for email, password in passwords.items():
            self.stdout.write(f"  {email}  {password}")

    # -- one by one -----------------------------------------------------------------------------

    def _run_spec(
        self,
        actor: Any,
        *,
        agencies: list[AgencySpec] | None = None,
        users: list[UserSpec] | None = None,
        must_be_new: tuple[str, str] | None = None,
        password: str | None = None,
    ) -> None:
        if must_be_new is not None:
            kind, key = must_be_new
            exists = (
                Agency.objects.filter(code=key).exists()
                if kind == "agency"
                else User.objects.filter(username=normalise_username(key)).exists()
            )
            if exists:
                hint = (
                    ""
                    if kind == "agency"
                    else " To change their role, use `sightline partnership role`."
                )
                raise CommandError(f"There is already an {kind} {key}.{hint}")
        data = PartnershipSpec(
            format="sightline-partnership/1", agencies=agencies or [], users=users or []
        ).model_dump()
        spec = parse_partnership(data)
        done = partnership_apply(
            actor=actor,
            spec=spec,
            password_for=(lambda email: password) if password else (lambda email: new_password()),
        )
        for line in done.lines:
            self.stdout.write(line)
        if not password:
            self._passwords(done.passwords, None)

    def _add_team(self, actor: Any, options: dict[str, Any]) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(
                f"No agency {options['agency']}. Add it first: sightline partnership agency add …"
            )
        if Team.objects.filter(agency=agency, code=options["code"]).exists():
            raise CommandError(f"{agency.code} already has a team {options['code']}.")
        team = TeamSpec(
            code=options["code"],
            name=options["name"],
            phone=options["phone"],
            email=options["email"],
        )
        self._run_spec(
            actor,
            agencies=[
                AgencySpec(
                    code=agency.code,
                    name=agency.name,
                    kind=agency.kind,
                    phone=agency.phone,
                    email=agency.email,
                    teams=[team],
                )
            ],
        )

    def _add_user(self, actor: Any, options: dict[str, Any]) -> None:
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise CommandError("No password on standard input.")
        self._run_spec(
            actor,
            users=[
                UserSpec(
                    email=options["email"],
                    given_name=options["given_name"],
                    family_name=options["family_name"],
                    agency=options["agency"],
                    role=options["role"],
                    team=options["team"],
                    heads=options["heads"],
                    job_title=options["job_title"],
                    phone=options["phone"],
                )
            ],
            must_be_new=("account", options["email"]),
            password=password,
        )

    @transaction.atomic
    def _role(self, actor: Any, options: dict[str, Any]) -> None:
        email = normalise_username(options["email"])
        user = User.objects.filter(username=email).first()
        if user is None:
            raise CommandError(f"No account {email}. Add it: sightline partnership user add …")
        membership = Membership.objects.filter(user=user).select_related("agency").first()
        if membership is None:
            raise CommandError(
                f"{email} has no role yet. Give them one: sightline partnership apply …"
            )
        agency = membership.agency
        if options["agency"]:
            found = Agency.objects.filter(code=options["agency"]).first()
            if found is None:
                raise CommandError(f"No agency {options['agency']}.")
            agency = found
        team = None
        if options["team"]:
            team = Team.objects.filter(agency=agency, code=options["team"]).first()
            if team is None:
                raise CommandError(f"{agency.code} has no team {options['team']}.")
        role = options["role"]
        heads_refs = options["heads"]
        if heads_refs and role != Role.HEAD_OF_SERVICE:
            raise CommandError("Only a head of service heads teams (--role head_of_service).")
        heads = []
        for ref in heads_refs or []:
            code, _, team_code = ref.partition("/")
            found_team = Team.objects.filter(agency__code=code, code=team_code).first()
            if found_team is None:
                raise CommandError(
                    f"No team {ref} (name a team as AGENCY/TEAM, like csc/assessment)."
                )
            heads.append(found_team)
        membership_change(actor=actor, user=user, role=role, agency=agency, team=team)
        where = f"{agency.code}/{team.code}" if team else agency.code
        self.stdout.write(f"{email} is now {Role(role).label}, {where}.")
        if role == Role.HEAD_OF_SERVICE and heads_refs is not None:
            head_of_service_teams_set(actor=actor, user=user, teams=heads)
            self.stdout.write(
                f"{email} heads "
                + (", ".join(heads_refs) if heads else f"every team of {agency.code}")
                + "."
            )

    # -- list ---------------------------------------------------------------------------------

    def _list(self) -> None:
        agencies = list(Agency.objects.prefetch_related("teams").order_by("code"))
        if not agencies:
            self.stdout.write("No agencies yet. Add them: sightline partnership apply FILE")
            return
        memberships = list(
            Membership.objects.select_related("user", "agency", "team")
            .prefetch_related("heads_teams__agency")
            .filter(role__in=[Role.TEAM_MANAGER, Role.MASH_MANAGER, Role.HEAD_OF_SERVICE])
            .order_by("user__username")
        )
        for agency in agencies:
            self.stdout.write(f"{agency.code}  {agency.name} ({agency.kind})")
            for team in sorted(agency.teams.all(), key=lambda t: t.code):
                managers = [
                    m.user.username
                    for m in memberships
                    if m.team_id == team.pk and m.role != Role.HEAD_OF_SERVICE
                ]
                self.stdout.write(
                    f"  {agency.code}/{team.code}  {team.name}"
                    + (f"; managed by {', '.join(managers)}" if managers else "")
                )
            for m in memberships:
                if m.role == Role.HEAD_OF_SERVICE and m.agency_id == agency.pk:
                    named = [f"{t.agency.code}/{t.code}" for t in m.heads_teams.all()]
                    self.stdout.write(
                        f"  head of service: {m.user.username}, heads "
                        + (", ".join(sorted(named)) if named else "every team of the agency")
                    )
