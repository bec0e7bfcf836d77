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
    DATA_OFFICER = "data_officer", "Data officer"
    ANALYST = "analyst", "Partnership analyst"
    SYSADMIN = "sysadmin", "System administrator"
    AUDITOR = "auditor", "Information governance auditor"


class Membership(models.Model):
    """A user's role within an agency (and optionally a team). One active membership each."""

    Role = Role

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=40, choices=Role.choices)

    class Meta:
        # A role the policy does not know would give its holder nothing, silently: refused.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_known_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.agency}"
