from django.urls import path

from sightline.dataprotection import views

app_name = "dataprotection"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("retention/", views.retention_overview, name="retention"),
    path("<int:sar_id>/", views.request_detail, name="request"),
    path("<int:sar_id>/files/<str:kind>/", views.request_file, name="file"),
]
