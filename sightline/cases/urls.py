"""Closure pages, the lock-down view and break-glass (mounted at the site's root in config/urls.py)."""

from django.urls import path

from sightline.cases import closure_views, lockdown_views

app_name = "cases"
urlpatterns = [
    path("children/<str:reference>/lock-down", lockdown_views.lockdown_page, name="lockdown"),
    path(
        "children/<str:reference>/break-glass", lockdown_views.break_glass_new, name="break_glass"
    ),
    path("break-glass/<int:access_id>/end", lockdown_views.break_glass_end, name="break_glass_end"),
    path("children/<str:reference>/closure/new", closure_views.closure_new, name="closure_new"),
    path("closures/<int:closure_id>/", closure_views.closure, name="closure"),
    path(
        "closures/<int:closure_id>/respond", closure_views.closure_respond, name="closure_respond"
    ),
    path(
        "closures/<int:closure_id>/withdraw",
        closure_views.closure_withdraw,
        name="closure_withdraw",
    ),
]
