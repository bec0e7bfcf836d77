from django.urls import path

from sightline.governance import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("children/<str:reference>/", views.child, name="child"),
    path("flags/", views.flagged, name="flags"),
    path("break-glass/", views.break_glass_uses, name="break_glass_uses"),
    path("break-glass/<int:access_id>/", views.break_glass_use, name="break_glass"),
]
