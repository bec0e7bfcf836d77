"""Agencies (organisations), their teams, and who belongs to which with what role."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Agency(models.Model):
    """An organisation in the partnership, of one controlled kind (agency_kinds.yaml)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    code = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="team_unique_code")]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


class Role(models.TextChoices):
    """Every role in the partnership, defined here once. What each may do is the role policy's
    (governance/vocabulary/roles.yaml), which must name every role here and no other (a
    system check and the policy's loader refuse anything else)."""

    SOCIAL_WORKER = "social_worker", "Social worker"
    MASH_MANAGER = "mash_manager", "MASH manager"
    SCHOOL_DSL = "school_dsl", "School designated safeguarding lead"
    POLICE_OFFICER = "police_officer", "Police officer"
    HEALTH_NURSE = "health_nurse", "Health safeguarding nurse"
    EARLY_HELP = "early_help_worker", "Early help practitioner"
    YOUTH_JUSTICE = "youth_justice_worker", "Youth justice worker"
    # The roles the clocks escalate to (docs/workflow.md): a team manager manages the team
    # their membership names; a head of service heads every team of their agency, or the teams
    # named for them (Membership.heads_teams).
    TEAM_MANAGER = "team_manager", "Team manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    DATA_OFFICER = "data_officer", "Data officer"
    ANALYST = "analyst", "Partnership analyst"
    SYSADMIN = "sysadmin", "System administrator"


# Roles whose holder manages the team their membership names: a team manager, and the MASH
# manager, who is the MASH team's manager (told when its clocks run out).
MANAGING_ROLES: tuple[str, ...] = (Role.TEAM_MANAGER, Role.MASH_MANAGER)


class Membership(models.Model):
    """A user's role within an agency (and optionally a team). One active membership each.

    A team manager's membership names the team they manage (a database constraint). A head of
    service heads every team of their agency, unless teams are named for them in
    `heads_teams` (any team of the partnership: a head of children's services often heads the
    MASH too), when they head those only."""

    Role = Role

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    heads_teams = models.ManyToManyField(Team, blank=True, related_name="heads_of_service")

    class Meta:
        constraints = [
            # A role the policy does not know would give its holder nothing, silently: refused.
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_known_role"
            ),
            # A team manager without a team would be told about nothing: refused.
            models.CheckConstraint(
                condition=~models.Q(role="team_manager") | models.Q(team__isnull=False),
                name="membership_team_manager_has_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.agency}"
