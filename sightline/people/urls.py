from django.urls import path

from sightline.people import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
]
