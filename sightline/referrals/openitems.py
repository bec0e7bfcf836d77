"""The referrals still open for a child, for the lower apps that ask before a step down or a
closure (core.extensions.register_open_items): a referral waiting for a decision, or accepted
and waiting to be allocated. Anyone who may see the child is told that it exists, to whom and
since when (as the child's story tells every agency that it was made); only the referral's two
sides get its link, and nothing of what it says."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sightline.core.extensions import OpenItem
from sightline.governance import access
from sightline.referrals.models import Referral
from sightline.referrals.selectors import OPEN_STATUSES, referrals_visible_to
from sightline.referrals.vocabulary import DECISIONS, service_label

_STATUS = {
    Referral.Status.RECEIVED: "Waiting for a decision",
    Referral.Status.DECIDED: "Waiting to be allocated",
}


def open_referral_items(viewer: Any, person: Any) -> list[OpenItem]:
    if person is None or not access.can_view_person(viewer, person.pk):
        return []
    rows = list(
        Referral.objects.filter(person_id=person.pk, status__in=OPEN_STATUSES)
        .select_related("receiving_agency", "referring_agency")
        .order_by("received_at", "pk")
    )
    if not rows:
        return []
    openable = set(
        referrals_visible_to(viewer)
        .filter(pk__in=[r.pk for r in rows])
        .values_list("pk", flat=True)
    )
    items = []
    for r in rows:
        status = _STATUS[Referral.Status(r.status)]
        if r.status == Referral.Status.DECIDED:
            status = f"{DECISIONS.get(r.decision, r.decision)}: {status.lower()}"
        source = f" from {r.referring_agency.name}" if r.referring_agency else ""
        items.append(
            OpenItem(
                kind="referral",
                title=f"{Referral.Kind(r.kind).label} to {service_label(r.service)}{source}",
                url=reverse("referrals:detail", args=[r.pk]) if r.pk in openable else "",
                agency=r.receiving_agency.name,
                status=status,
                since=r.received_at.date(),
            )
        )
    return items


def people_with_open_referrals(scope: Any) -> set[int]:
    """Everyone with a referral still open (for the system's sweeps)."""
    access.require_system(scope)
    return set(
        Referral.objects.filter(status__in=OPEN_STATUSES)
        .values_list("person_id", flat=True)
        .distinct()
    )
