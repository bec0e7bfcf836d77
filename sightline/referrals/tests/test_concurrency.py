"""Two managers deciding one referral at the same moment, on two database connections: one
decision is saved, the other is refused and told who decided (PostgreSQL; SQLite's in-memory
test database is one connection, and the sequential race is in test_services.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from sightline.accounts.models import User
from sightline.chronology.models import ChronologyEntry
from sightline.referrals import services
from sightline.referrals.models import Referral
from sightline.referrals.services import ConcurrentChange, DecisionFields
from sightline.referrals.tests.conftest import World, refer


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="needs two connections to one database"
)
@pytest.mark.parametrize("attempt", range(5))
def test_two_managers_at_once_one_wins_and_the_other_is_told(world: World, attempt: int) -> None:
    referral = refer(world, risk="needs_support")
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def decide(user_id: int, decision: str, reason: str) -> None:
        user = User.objects.get(pk=user_id)
        barrier.wait(timeout=10)
        try:
            services.referral_decide(
                actor=user,
                referral_id=referral.pk,
                expected_version=referral.version,
                fields=DecisionFields(decision=decision, reasons=(reason,), text="Reasons."),
            )
            outcomes[decision] = "saved"
        except ConcurrentChange as exc:
            outcomes[decision] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(world.manager.pk, "early_help", "other")),
        threading.Thread(
            target=decide, args=(world.other_manager.pk, "no_further_action", "other")
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    saved = [d for d, o in outcomes.items() if o == "saved"]
    refused = [o for o in outcomes.values() if isinstance(o, ConcurrentChange)]
    assert len(saved) == 1, outcomes
    assert len(refused) == 1, outcomes
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.decision == saved[0]
    assert "decided this referral" in refused[0].message
    decided = ChronologyEntry.objects.filter(type__in=["referral_accepted", "referral_rejected"])
    assert decided.count() == 1
