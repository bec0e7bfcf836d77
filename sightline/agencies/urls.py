from django.urls import path

from sightline.agencies import views

app_name = "agencies"
urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("team", views.team_work, name="team_work"),
]
