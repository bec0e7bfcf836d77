"""Involvements: which agency, team and practitioner is working with a person, since when.
They drive "who else knows this child" on the identity bar and push access grants."""

from __future__ import annotations

from django.db import models


class Involvement(models.Model):
    # Found through the (person, ended_on) index below.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    practitioner_name = models.CharField(max_length=200, blank=True)
    practitioner_role = models.CharField(max_length=200, blank=True)
    practitioner_email = models.CharField(max_length=254, blank=True)
    practitioner_phone = models.CharField(max_length=40, blank=True)
    is_lead = models.BooleanField(default=False)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    source_record = models.ForeignKey(
        "records.SourceRecord", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["person", "ended_on"])]
