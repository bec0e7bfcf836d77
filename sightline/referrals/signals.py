"""What the referrals app announces to the apps above it (escalations: a disagreement with a
decision). Sent once, after the change commits; receivers only enqueue work (DESIGN.md).

`referral_decided`: a referral was decided (in Sightline or from a feed). Arguments:
`referral_id`, `person_id`, `decision` (accepted_for_assessment, early_help, no_further_action,
signposted), `reasons` (a tuple of reason codes), `deciding_agency_id`, `deciding_team_id`,
`referring_agency_id`, `referrer_id` (None from a feed) and `origin` ("sightline" or "feed").
Read the decision itself with `selectors.referral_decision_for`."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from sightline.referrals.models import Referral

referral_decided = Signal()


def announce_decided(referral: Referral) -> None:
    """Send `referral_decided` when the current transaction commits (at once outside one)."""
    values = {
        "referral_id": referral.pk,
        "person_id": referral.person_id,
        "decision": referral.decision,
        "reasons": tuple(referral.decision_reasons or ()),
        "deciding_agency_id": referral.deciding_agency_id,
        "deciding_team_id": referral.deciding_team_id,
        "referring_agency_id": referral.referring_agency_id,
        "referrer_id": referral.referrer_id,
        "origin": referral.origin,
    }
    transaction.on_commit(lambda: referral_decided.send(sender=Referral, **values), robust=True)
