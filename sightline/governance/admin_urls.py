from django.urls import path

from sightline.governance import admin_views as views

app_name = "administration"
urlpatterns = [
    path("", views.home, name="home"),
    path("users/", views.users, name="users"),
    path("users/new", views.user_new, name="user_new"),
    path("users/<int:user_id>/", views.user, name="user"),
    path("users/<int:user_id>/role", views.user_role, name="user_role"),
    path("users/<int:user_id>/leave", views.user_leave, name="user_leave"),
    path("users/<int:user_id>/action", views.user_action, name="user_action"),
    path("grants/", views.grants, name="grants"),
    path("grants/new", views.grant_new, name="grant_new"),
    path("grants/<int:grant_id>/end", views.grant_end, name="grant_end"),
    path("tokens/", views.api_tokens, name="tokens"),
    path("tokens/new", views.api_token_new, name="token_new"),
    path("tokens/made", views.api_token_made, name="token_made"),
    path("tokens/<int:token_id>/revoke", views.api_token_revoke, name="token_revoke"),
]
