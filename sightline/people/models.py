"""People (children and the adults around them), their names, identifiers, addresses and
relationships. Names, identifiers and addresses remember the source record they came from, so a
wrong merge can be split exactly."""

from __future__ import annotations

from django.db import models


class Person(models.Model):
    """A child or an adult, with a stable Sightline reference that never changes meaning:
    a person merged into another keeps its reference and redirects (`merged_into`)."""

    class Sex(models.TextChoices):
        MALE = "male", "Male"
        FEMALE = "female", "Female"
        UNKNOWN = "unknown", "Not known"

    reference = models.CharField(max_length=16, unique=True)
    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    birth_date_precision = models.CharField(max_length=8, default="day")
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=8, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["birth_date"]), models.Index(fields=["family_name"])]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name} ({self.reference})"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip() or "Name not known"


class PersonName(models.Model):
    class Kind(models.TextChoices):
        RECORDED = "recorded", "Recorded name"
        ALIAS = "alias", "Also known as"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RECORDED)
    source_record = models.ForeignKey(
        "records.SourceRecord", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )


class RecordedDetails(models.Model):
    """What one current person record says of the person's own details, and which agency holds
    it: with the record's names (PersonName), the votes the person's shown details are chosen
    from (people.consensus), and what "Find a child" matches a date of birth against.

    Replaced when the record is re-sent. It has no person key of its own: it follows its
    record's person (`source_record.person`) through merges and splits."""

    source_record = models.OneToOneField(
        "records.SourceRecord", on_delete=models.CASCADE, related_name="+"
    )
    # The agency the line names (or the feed's own): one vote per agency.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    birth_date = models.DateField(null=True, blank=True)
    birth_date_precision = models.CharField(max_length=8, default="day")
    sex = models.CharField(max_length=8, blank=True)
    ethnicity = models.CharField(max_length=8, blank=True)

    class Meta:
        verbose_name_plural = "recorded details"
        indexes = [models.Index(fields=["birth_date"], name="recordeddetails_birth_date")]


class NameKey(models.Model):
    """Search index: normalised name tokens, phonetic codes and nickname roots of every name a
    person is known by (people.search_keys). Rebuilt from PersonName, never edited by hand."""

    # Served by the unique (person, key) index.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["key", "person"])]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="namekey_unique")]


class Identifier(models.Model):
    class Scheme(models.TextChoices):
        NHS_NUMBER = "nhs_number", "NHS number"
        UPN = "upn", "Unique pupil number"
        PNC_ID = "pnc_id", "Police National Computer ID"
        LOCAL_ID = "local_id", "Agency reference"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=12, choices=Scheme.choices)
    value = models.CharField(max_length=64)
    # local ids are only unique within their issuing source system.
    issuer = models.CharField(max_length=60, blank=True)
    is_valid = models.BooleanField(default=True)
    invalid_reason = models.CharField(max_length=120, blank=True)
    source_record = models.ForeignKey(
        "records.SourceRecord", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["scheme", "value"])]  # person: its foreign-key index


class Address(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    from_on = models.DateField(null=True, blank=True)
    to_on = models.DateField(null=True, blank=True)
    source_record = models.ForeignKey(
        "records.SourceRecord", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )


class Relationship(models.Model):
    class Type(models.TextChoices):
        PARENT = "parent", "Parent"
        CHILD = "child", "Child"
        SIBLING = "sibling", "Sibling"
        HALF_SIBLING = "half_sibling", "Half-sibling"
        STEP_PARENT = "step_parent", "Step-parent"
        PARENTS_PARTNER = "parents_partner", "Parent's partner"
        CARER = "carer", "Carer"
        GRANDPARENT = "grandparent", "Grandparent"
        AUNT_OR_UNCLE = "aunt_or_uncle", "Aunt or uncle"
        COUSIN = "cousin", "Cousin"
        EXTENDED_FAMILY = "extended_family", "Extended family"
        FAMILY_FRIEND = "family_friend", "Family friend"
        PARTNER = "partner", "Partner"
        PEER = "peer", "Peer"
        ASSOCIATE = "associate", "Associate"
        SUSPECTED_EXPLOITER = "suspected_exploiter", "Suspected exploiter"
        OTHER = "other", "Other"

    from_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    type = models.CharField(max_length=24, choices=Type.choices)
    from_on = models.DateField(null=True, blank=True)
    to_on = models.DateField(null=True, blank=True)
    source_record = models.ForeignKey(
        "records.SourceRecord", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
