"""The alerts pages (mounted under /alerts/ in config/urls.py)."""

from django.urls import path

from sightline.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:alert_id>/", views.alert, name="alert"),
    path("<int:alert_id>/acknowledge", views.acknowledge, name="acknowledge"),
    path("<int:alert_id>/action", views.action, name="action"),
    path("<int:alert_id>/dismiss", views.dismiss, name="dismiss"),
    path("children/<str:reference>/", views.child_alerts, name="child"),
]
