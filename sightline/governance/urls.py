from django.urls import path

from sightline.governance import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("children/<str:reference>/", views.child, name="child"),
    path("flags/", views.flagged, name="flags"),
]
