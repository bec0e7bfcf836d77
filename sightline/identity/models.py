"""How each source record came to belong to its person, so every link explains itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdentityLink(models.Model):
    """The current reason a person source record is attached to a person."""

    class Method(models.TextChoices):
        FIRST_SEEN = "first_seen", "First record of this person"
        NHS_NUMBER = "nhs_number", "Same NHS number"
        UPN = "upn", "Same unique pupil number"
        PNC_ID = "pnc_id", "Same PNC ID"
        SAME_SOURCE_KEY = "same_source_key", "An updated version of the same record"
        PROBABILISTIC = "probabilistic", "Name, date of birth and address"
        CONFIRMED = "confirmed", "Confirmed by a person"

    source_record = models.OneToOneField(
        "records.SourceRecord", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=20, choices=Method.choices)
    match_weight = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person"])]
