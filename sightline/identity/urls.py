from django.urls import path

from sightline.identity import views

app_name = "identity"
urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/<int:candidate_id>/", views.pair, name="pair"),
    path("people/<str:reference>/", views.person, name="person"),
    path("merges/<int:merge_id>/split/", views.split, name="split"),
    path("find/", views.find, name="find"),
]
