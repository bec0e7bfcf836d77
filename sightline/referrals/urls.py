"""The referral pages (mounted under /referrals/ in config/urls.py)."""

from django.urls import path

from sightline.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("front-door/", views.front_door, name="front_door"),
    path("new/<str:reference>/", views.new, name="new"),
    path("<int:referral_id>/", views.detail, name="detail"),
    path("<int:referral_id>/acknowledge", views.acknowledge, name="acknowledge"),
    path("<int:referral_id>/triage", views.triage, name="triage"),
    path("<int:referral_id>/decide", views.decide, name="decide"),
    path("<int:referral_id>/reconsider", views.reconsider, name="reconsider"),
    path("<int:referral_id>/allocate", views.allocate, name="allocate"),
    path("<int:referral_id>/assessment", views.assessment, name="assessment"),
    path("<int:referral_id>/ask", views.ask, name="ask"),
    path("<int:referral_id>/questions/<int:question_id>/answer", views.answer, name="answer"),
]
