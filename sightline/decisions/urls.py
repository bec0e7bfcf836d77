"""Step up and step down pages (mounted at the site's root in config/urls.py)."""

from django.urls import path

from sightline.decisions import views

app_name = "decisions"
urlpatterns = [
    path("children/<str:reference>/step-requests/new", views.new, name="new"),
    path("step-requests/<int:request_id>/", views.request_page, name="request"),
    path("step-requests/<int:request_id>/view", views.give_view, name="view"),
    path("step-requests/<int:request_id>/decide", views.decide, name="decide"),
    path("step-requests/<int:request_id>/withdraw", views.withdraw, name="withdraw"),
]
