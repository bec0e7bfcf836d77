"""Professional disagreement pages (mounted at the site's root in config/urls.py)."""

from django.urls import path

from sightline.escalations import views

app_name = "escalations"
urlpatterns = [
    path("children/<str:reference>/disagreements/new", views.new, name="new"),
    path("disagreements/report", views.report, name="report"),
    path("disagreements/<int:escalation_id>/", views.detail, name="detail"),
    path("disagreements/<int:escalation_id>/respond", views.respond, name="respond"),
    path("disagreements/<int:escalation_id>/escalate", views.escalate, name="escalate"),
    path("disagreements/<int:escalation_id>/resolve", views.resolve, name="resolve"),
    path("disagreements/<int:escalation_id>/withdraw", views.withdraw, name="withdraw"),
]
