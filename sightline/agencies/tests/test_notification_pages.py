"""Notifications through the pages: the count in the header, the list, opening one (marks it read
and goes to its subject), marking one and all read, someone else's is not found, pagination."""

import re

import pytest
from django.urls import reverse

from sightline.accounts.models import Notification
from sightline.accounts.services import notification_send
from sightline.agencies.tests.factories import practitioner
from sightline.core.tests.pages import page_text as text

pytestmark = pytest.mark.django_db


def tell(user, n: int, **kwargs):
    values = {
        "recipient": user,
        "key": f"test:{user.pk}:{n}",
        "subject": f"Referral {n} waits for a decision",
        "body": f"Due by the end of day {n}.",
        "url": f"/children/?n={n}",
    }
    values.update(kwargs)
    return notification_send(**values)


@pytest.fixture
def worker(client):
    user = practitioner("social_worker")
    client.force_login(user)
    return user


def test_the_header_counts_unread_notifications(client, worker):
    assert "sl-count" not in client.get(reverse("agencies:my_work")).content.decode()
    tell(worker, 1)
    tell(worker, 2)
    page = client.get(reverse("agencies:my_work")).content.decode()
    assert re.search(
        r'href="/notifications/"[^>]*>Notifications <span class="sl-count">2<span class="govuk-visually-hidden"> unread</span>',
        page,
    )


def test_the_list_shows_newest_first_and_opening_one_marks_it_read(client, worker):
    first, second = tell(worker, 1), tell(worker, 2)
    page = text(client.get(reverse("accounts:notifications")))
    assert "2 unread of 2" in page
    assert page.index("Referral 2") < page.index("Referral 1")
    assert "Due by the end of day 1." in page
    response = client.get(reverse("accounts:notification_open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/children/?n=1"
    first.refresh_from_db()
    assert first.read_at is not None
    assert "1 unread of 2" in text(client.get(reverse("accounts:notifications")))
    # Opening it again keeps the first time it was read.
    read_at = first.read_at
    client.get(reverse("accounts:notification_open", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at == read_at
    assert Notification.objects.get(pk=second.pk).read_at is None


def test_mark_one_and_mark_all_as_read(client, worker):
    first = tell(worker, 1)
    tell(worker, 2)
    tell(worker, 3)
    response = client.post(reverse("accounts:notification_read", args=[first.pk]), follow=True)
    assert "Notification marked as read." in text(response)
    assert "2 unread of 3" in text(response)
    response = client.post(reverse("accounts:notifications_read_all"), follow=True)
    assert "Every notification is marked as read." in text(response)
    assert "Nothing unread of 3" in text(response)
    assert "Mark all as read" not in text(response)
    response = client.post(reverse("accounts:notifications_read_all"), follow=True)
    assert "There were no unread notifications." in text(response)


def test_someone_elses_notification_is_not_found(client, worker):
    other = practitioner("police_officer", agency_kind="police")
    theirs = tell(other, 1, subject="About Jordan Ellis")
    for response in (
        client.get(reverse("accounts:notification_open", args=[theirs.pk])),
        client.post(reverse("accounts:notification_read", args=[theirs.pk])),
        client.get(reverse("accounts:notification_open", args=[987654])),
    ):
        assert response.status_code == 404
        assert "Jordan" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "About Jordan Ellis" not in text(client.get(reverse("accounts:notifications")))


def test_marking_read_needs_a_post(client, worker):
    first = tell(worker, 1)
    assert client.get(reverse("accounts:notification_read", args=[first.pk])).status_code == 405
    assert client.get(reverse("accounts:notifications_read_all")).status_code == 405


def test_with_none_the_page_says_what_will_appear(client, worker):
    page = text(client.get(reverse("accounts:notifications")))
    assert "You have no notifications" in page


def test_many_notifications_are_paged(client, worker):
    for n in range(55):
        tell(worker, n)
    first = client.get(reverse("accounts:notifications"))
    assert "Referral 54" in text(first)
    assert "Referral 4 waits" not in text(first)
    assert "Pages of notifications" in first.content.decode()
    second = text(client.get(reverse("accounts:notifications") + "?page=2"))
    assert "Referral 4 waits" in second
    assert "Referral 0 waits" in second
    assert client.get(reverse("accounts:notifications") + "?page=²").status_code == 200
    assert client.get(reverse("accounts:notifications") + "?page=999").status_code == 200
