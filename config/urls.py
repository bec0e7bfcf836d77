"""Mounts each app's pages and the JSON API. Apps add their own urls.py here as they grow."""

from __future__ import annotations

from django.urls import include, path

from sightline.api.router import api

urlpatterns = [
    path("", include("sightline.ui.urls")),
    path("", include("sightline.accounts.urls")),
    path("my-work/", include("sightline.agencies.urls")),
    path("children/", include("sightline.people.urls")),
    path("children/", include("sightline.chronology.urls")),
    path("identity/", include("sightline.identity.urls")),
    path("alerts/", include("sightline.alerts.urls")),
    path("referrals/", include("sightline.referrals.urls")),
    path("audit/", include("sightline.governance.urls")),
    path("administration/", include("sightline.governance.admin_urls")),
    path("subject-access/", include("sightline.dataprotection.urls")),
    path("", include("sightline.cases.urls")),
    path("", include("sightline.decisions.urls")),
    path("", include("sightline.escalations.urls")),
    path("api/", api.urls),
]

handler400 = "sightline.ui.views.bad_request"
handler403 = "sightline.ui.views.forbidden"
handler404 = "sightline.ui.views.not_found"
handler500 = "sightline.ui.views.server_error"
