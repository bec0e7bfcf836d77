"""The child's page (mounted under /children/ in config/urls.py)."""

from django.urls import path

from sightline.chronology import sharing_views, views

app_name = "chronology"
urlpatterns = [
    path("<str:reference>/", views.child, name="child"),
    path("<str:reference>/story.csv", views.export_csv, name="export_csv"),
    path("<str:reference>/story.pdf", views.export_pdf, name="export_pdf"),
    path("<str:reference>/entries/new", views.entry_new, name="entry_new"),
    path(
        "<str:reference>/entries/<int:entry_id>/correct", views.entry_correct, name="entry_correct"
    ),
    path(
        "<str:reference>/entries/<int:entry_id>/entered-in-error",
        views.entry_entered_in_error,
        name="entry_entered_in_error",
    ),
    path(
        "<str:reference>/entries/<int:lineage>/history", views.entry_history, name="entry_history"
    ),
    path("<str:reference>/sharing/new", sharing_views.sharing_new, name="sharing_new"),
]
